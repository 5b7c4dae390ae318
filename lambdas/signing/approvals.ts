import { BadInputError } from '../core/errors';
import type { Approver } from '../ports/approver';
import type { KeyedSigner } from '../ports/signer';
import { normalizedName } from './identity';
import { buildPayload } from './payload';
import type { PresignedPayloads } from './presigned';
import { PresignedSigner, RecordingSigner } from './presigned';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** An index lists at most a few dozen platforms; a request for more is not a promotion. */
export const MAX_APPROVALS = 256;

/** A request for approvals, as the Promote Lambda sends it to the Sign Lambda. */
export interface ApprovalRequest {
  readonly identity: string;
  readonly digests: readonly string[];
}

/** Checks an approval request from outside the process (a Lambda payload): one clear error, never a partial signing. */
export function parseApprovalRequest(value: unknown): ApprovalRequest {
  const v = value as { identity?: unknown; digests?: unknown } | null;
  if (typeof v !== 'object' || v === null || typeof v.identity !== 'string' || !Array.isArray(v.digests)) throw new BadInputError('an approval request is { identity: "HOST/REPO", digests: ["sha256:…"] }');
  const digests = v.digests as unknown[];
  if (digests.length === 0 || digests.length > MAX_APPROVALS) throw new BadInputError(`an approval request names 1 to ${MAX_APPROVALS} digests, not ${digests.length}`);
  for (const d of digests) if (typeof d !== 'string' || !DIGEST.test(d)) throw new BadInputError(`not a sha256 digest: ${JSON.stringify(d).slice(0, 80)}`);
  return { identity: v.identity, digests: digests as string[] };
}

/** The key holder's side: builds cosign's simple-signing payload for each digest itself and signs it. */
export async function signApprovals(signer: KeyedSigner, req: ApprovalRequest): Promise<PresignedPayloads> {
  const name = normalizedName(req.identity);
  if (!name.ok) throw new BadInputError(`cannot sign for identity ${name.reason}`);
  const recorder = new RecordingSigner(signer);
  for (const digest of req.digests) await recorder.signOnce(buildPayload(req.identity, digest));
  return recorder.presigned();
}

/** An approver with the key in this process (the CLI): the same payloads, the same checks. */
export function localApprover(signer: KeyedSigner): Approver {
  return async (identity, digests) => new PresignedSigner(await signApprovals(signer, parseApprovalRequest({ identity, digests })));
}
