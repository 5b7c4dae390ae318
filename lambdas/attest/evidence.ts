import { BadInputError, DigestMismatchError, errorMessage, LimitExceededError, NotFoundError } from '../core/errors';
import type { Descriptor } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import type { ArtifactSource } from '../oci/source';
import type { VerificationKey } from '../signing/verifier';
import { MAX_ATTESTATION_LAYERS, PREDICATE_TYPE_ANNOTATION, attestationTag } from './att-manifest';
import { verifyBundle } from './bundle';
import { MAX_ENVELOPE_BYTES, parseEnvelope, verifyEnvelope } from './dsse';
import { IN_TOTO_PAYLOAD_TYPE } from './predicate-types';
import { BUNDLE_PREDICATE_TYPE_ANNOTATION, listReferrers } from './referrers';
import type { Statement } from './statement';
import { parseStatement, subjectDigests, subjectMatches } from './statement';

/** An attestation that verified and is about the digest being checked. */
export interface AcceptedAttestation {
  /** Where it was found, for people: `sha256-….att layer 1`, `bundle referrer sha256:…`. */
  readonly origin: string;
  readonly via: 'att' | 'bundle';
  readonly key: string;
  readonly statement: Statement;
}

export interface RejectedEvidence {
  readonly origin: string;
  /** The predicateType the storage claims (annotation), when it says one. */
  readonly claimedType?: string;
  readonly reason: string;
}

export interface Evidence {
  readonly accepted: readonly AcceptedAttestation[];
  readonly rejected: readonly RejectedEvidence[];
}

type Verdict = { readonly ok: true; readonly key: string; readonly statement: Statement } | { readonly ok: false; readonly reason: string };

/**
 * The checks after the signature, shared by `.att` layers and bundles: an in-toto payloadType,
 * a statement whose subject names the digest, and a storage annotation equal to the statement's
 * predicateType (a verifier selecting by annotation must not be handed another predicate).
 */
function judgeStatement(payloadType: string, payload: Buffer, key: string, digest: string, claimedType: string | undefined, annotation: string): Verdict {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return { ok: false, reason: `payloadType ${JSON.stringify(payloadType)} is not ${IN_TOTO_PAYLOAD_TYPE}` };
  const parsed = parseStatement(payload);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const statement = parsed.statement;
  if (!subjectMatches(statement, digest)) return { ok: false, reason: `statement subject ${subjectDigests(statement).join(', ')} is not ${digest}` };
  if (claimedType === undefined) return { ok: false, reason: `no ${annotation} annotation` };
  if (claimedType !== statement.predicateType) return { ok: false, reason: `${annotation} annotation ${claimedType} disagrees with the statement's predicateType ${statement.predicateType}` };
  return { ok: true, key, statement };
}

/** One `.att` layer: DSSE media type, payloadType, signature by one of the keys, then the claims. */
export function judgeAttestationLayer(envelope: Buffer, mediaType: string, claimedType: string | undefined, digest: string, keys: readonly VerificationKey[]): Verdict {
  if (mediaType !== MediaType.dsseEnvelope) return { ok: false, reason: `media type ${mediaType} is not ${MediaType.dsseEnvelope}` };
  const env = parseEnvelope(envelope);
  if (!env.ok) return { ok: false, reason: env.reason };
  // payloadType first: it is part of the signed PAE, but naming it is the clearer reason.
  if (env.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return { ok: false, reason: `payloadType ${JSON.stringify(env.envelope.payloadType)} is not ${IN_TOTO_PAYLOAD_TYPE}` };
  const key = verifyEnvelope(env.envelope, keys);
  if (!key) return { ok: false, reason: `DSSE signature does not verify with ${keys.length === 1 ? 'key' : `any of the ${keys.length} keys`} ${keys.map((k) => k.name).join(', ')}` };
  return judgeStatement(env.envelope.payloadType, env.envelope.payload, key.name, digest, claimedType, PREDICATE_TYPE_ANNOTATION);
}

/** One bundle: verified by @sigstore/verify with one of the keys, then the same claims. */
export function judgeBundle(bundle: Buffer, claimedType: string | undefined, digest: string, keys: readonly VerificationKey[]): Verdict {
  const checked = verifyBundle(bundle, keys);
  if (!checked.ok) return { ok: false, reason: checked.reason };
  return judgeStatement(checked.payloadType, checked.payload, checked.key.name, digest, claimedType, BUNDLE_PREDICATE_TYPE_ANNOTATION);
}

/** Errors that mean "this evidence is bad" (a reason), as opposed to "we could not look" (exit 2). */
function isEvidenceError(err: unknown): boolean {
  return err instanceof BadInputError || err instanceof DigestMismatchError || err instanceof NotFoundError || err instanceof LimitExceededError;
}

async function fromAtt(source: ArtifactSource, digest: string, keys: readonly VerificationKey[], out: { accepted: AcceptedAttestation[]; rejected: RejectedEvidence[] }): Promise<void> {
  const tag = attestationTag(digest);
  let att;
  try {
    att = await source.writer?.manifestByTag(tag);
  } catch (err) {
    if (!isEvidenceError(err)) throw err;
    out.rejected.push({ origin: tag, reason: `unreadable: ${errorMessage(err)}` });
    return;
  }
  if (!att) return;
  if (att.manifest.kind !== 'manifest') {
    out.rejected.push({ origin: tag, reason: 'is an index, not an attestation manifest' });
    return;
  }
  const layers = att.manifest.layers.slice(0, MAX_ATTESTATION_LAYERS);
  for (const [i, layer] of layers.entries()) {
    const origin = `${tag} layer ${i}`;
    const claimedType = layer.annotations?.[PREDICATE_TYPE_ANNOTATION];
    let verdict: Verdict;
    try {
      const blob = layer.mediaType === MediaType.dsseEnvelope ? await source.readBlob(layer, MAX_ENVELOPE_BYTES) : Buffer.alloc(0);
      verdict = judgeAttestationLayer(blob, layer.mediaType, claimedType, digest, keys);
    } catch (err) {
      if (!isEvidenceError(err)) throw err;
      verdict = { ok: false, reason: `unreadable: ${errorMessage(err)}` };
    }
    if (verdict.ok) out.accepted.push({ origin, via: 'att', key: verdict.key, statement: verdict.statement });
    else out.rejected.push({ origin, ...(claimedType ? { claimedType } : {}), reason: verdict.reason });
  }
}

const MAX_BUNDLE_BYTES = MAX_ENVELOPE_BYTES;
const MAX_REFERRERS = 1000;

/** The bundle blob of a referrer and the predicateType its manifest (not the index's copy) claims. */
export async function bundleOf(source: ArtifactSource, desc: Descriptor, digest: string): Promise<{ bundle: Buffer; claimedType?: string }> {
  const m = await source.manifest({ digest: desc.digest, mediaType: desc.mediaType });
  if (m.manifest.kind !== 'manifest') throw new BadInputError('is not an image manifest');
  if (m.manifest.subject?.digest !== digest) throw new BadInputError(`its subject is ${m.manifest.subject?.digest ?? 'missing'}, not ${digest}`);
  const layer = m.manifest.layers[0];
  if (m.manifest.layers.length !== 1 || layer?.mediaType !== MediaType.sigstoreBundleV03) throw new BadInputError(`does not hold exactly one ${MediaType.sigstoreBundleV03} layer`);
  const claimedType = m.manifest.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION];
  return { bundle: await source.readBlob(layer, MAX_BUNDLE_BYTES), ...(claimedType ? { claimedType } : {}) };
}

async function fromBundles(source: ArtifactSource, digest: string, keys: readonly VerificationKey[], out: { accepted: AcceptedAttestation[]; rejected: RejectedEvidence[] }): Promise<void> {
  let list;
  try {
    list = await listReferrers(source, digest, MediaType.sigstoreBundleV03);
  } catch (err) {
    if (!isEvidenceError(err)) throw err;
    out.rejected.push({ origin: `referrers of ${digest}`, reason: `unreadable: ${errorMessage(err)}` });
    return;
  }
  for (const desc of list.descriptors.slice(0, MAX_REFERRERS)) {
    const origin = `bundle referrer ${desc.digest}`;
    let claimedType = desc.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION];
    let verdict: Verdict;
    try {
      const read = await bundleOf(source, desc, digest);
      claimedType = read.claimedType;
      verdict = judgeBundle(read.bundle, claimedType, digest, keys);
    } catch (err) {
      if (!isEvidenceError(err)) throw err;
      verdict = { ok: false, reason: errorMessage(err) };
    }
    if (verdict.ok) out.accepted.push({ origin, via: 'bundle', key: verdict.key, statement: verdict.statement });
    else out.rejected.push({ origin, ...(claimedType ? { claimedType } : {}), reason: verdict.reason });
  }
}

/** Every attestation stored for `digest` (`.att` layers and/or bundle referrers), judged. */
export async function collectEvidence(source: ArtifactSource, digest: string, keys: readonly VerificationKey[], where: 'att' | 'bundle' | 'any'): Promise<Evidence> {
  const out = { accepted: [] as AcceptedAttestation[], rejected: [] as RejectedEvidence[] };
  if (where !== 'bundle') await fromAtt(source, digest, keys, out);
  if (where !== 'att') await fromBundles(source, digest, keys, out);
  return out;
}
