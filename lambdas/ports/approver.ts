import type { KeyedSigner } from './signer';

/**
 * Port: asks the key holder for cosign approvals (simple-signing payloads) of these manifests
 * for this repository, and answers with a signer that holds just those signatures
 * (signing/presigned.ts). In AWS the Sign Lambda builds and signs them (the promoter holds no
 * key); locally the CLI's own key does.
 */
export type Approver = (identity: string, digests: readonly string[]) => Promise<KeyedSigner>;
