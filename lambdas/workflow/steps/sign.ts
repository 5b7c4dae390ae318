import { attestationWork, statementPayload } from '../../attest/attest-artifact';
import { preAuthEncoding } from '../../attest/pae';
import { IN_TOTO_PAYLOAD_TYPE } from '../../attest/predicate-types';
import { BadInputError } from '../../core/errors';
import type { BlobStore } from '../../ports/blob-store';
import type { KeyedSigner } from '../../ports/signer';
import { normalizedName } from '../../signing/identity';
import { buildPayload } from '../../signing/payload';
import { RecordingSigner } from '../../signing/presigned';
import { assertScanned, blockingVerdict, statementsOf, targetsOf } from '../signing-plan';
import type { SignedPayloads, WorkflowState } from '../state';

export interface SignDeps {
  readonly signer: KeyedSigner;
  /** Sign even when the scan found vulnerabilities at or above the threshold (a stack setting); never when it is incomplete. */
  readonly signOnFindings: boolean;
  /** Read only: the SBOMs and scan reports, checked against the SHA-256 the earlier steps recorded. */
  readonly evidence: BlobStore;
  readonly now: () => Date;
  /** Who records the provenance (`aws://<account>/<region>` in AWS). @default 'local' */
  readonly attestor?: string;
}

/**
 * Sign: the only step that uses the key, and it opens no registry and writes nothing. It signs
 * payloads it builds itself from the state and the stored evidence: the attestations' in-toto
 * statements (whatever the verdict) and, when the verdict approves, cosign's simple-signing
 * payload and cosign v3's sign/v1 statement for each manifest that was scanned. The Attach step
 * publishes them; it can publish nothing this step did not sign (see signing/presigned.ts).
 */
export function createSignStep(deps: SignDeps) {
  return async (state: WorkflowState): Promise<SignedPayloads> => {
    const identity = state.artifact.repositoryName;
    const name = normalizedName(identity);
    if (!name.ok) throw new BadInputError(`cannot sign for identity ${name.reason}`);
    const blocked = blockingVerdict(state, deps.signOnFindings);
    // Before anything that approves is signed.
    if (!blocked) assertScanned(state);
    const targets = targetsOf(state);
    const statements = await statementsOf(state, deps.evidence, deps.attestor);
    const signer = new RecordingSigner(deps.signer);
    for (const { target, mine } of attestationWork(targets, statements, !blocked, state.artifact.digest)) {
      for (const spec of mine) await signer.signOnce(preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, statementPayload(identity, target.digest, spec)));
    }
    if (!blocked) for (const t of targets) await signer.signOnce(buildPayload(identity, t.digest));
    return {
      approved: !blocked,
      ...(blocked ? { reason: `not signed: ${blocked}` } : {}),
      identity,
      time: deps.now().toISOString(),
      ...(await signer.presigned()),
    };
  };
}
