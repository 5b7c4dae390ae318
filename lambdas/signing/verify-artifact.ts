import { BadInputError, DigestMismatchError, errorMessage, LimitExceededError, NotFoundError } from '../core/errors';
import type { Descriptor, FetchedManifest } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import type { ArtifactSource } from '../oci/source';
import { normalizedName } from './identity';
import { MAX_PAYLOAD_BYTES } from './payload';
import { MAX_SIGNATURE_LAYERS, SIGNATURE_ANNOTATION, signatureManifestProblem, signatureTag } from './sig-manifest';
import type { SignatureCandidate, VerificationKey } from './verifier';
import { decide } from './verifier';

export interface VerifyRequest {
  readonly source: ArtifactSource;
  readonly keys: readonly VerificationKey[];
  /** `HOST/REPO` repositories whose signatures are accepted instead of the source's own. */
  readonly identities?: readonly string[];
}

export interface AcceptedSignature {
  readonly layer: number;
  readonly key: string;
  readonly dockerReference: string;
}

export interface VerifyOutcome {
  readonly allowed: boolean;
  readonly repository: string;
  readonly digest: string;
  readonly signatureTag: string;
  /** The normalised repositories a signature had to name. */
  readonly identities: readonly string[];
  readonly accepted: readonly AcceptedSignature[];
  /** Why each rejected layer (or the whole `.sig` tag) was rejected. */
  readonly reasons: readonly string[];
}

/** Errors that mean "this evidence is bad" (deny), as opposed to "we could not look" (exit 2). */
function isEvidenceError(err: unknown): boolean {
  return err instanceof BadInputError || err instanceof DigestMismatchError || err instanceof NotFoundError || err instanceof LimitExceededError;
}

function acceptedNames(identities: readonly string[]): string[] {
  return identities.map((id) => {
    const n = normalizedName(id);
    if (!n.ok) throw new BadInputError(`--identity ${n.reason}`);
    return n.name;
  });
}

async function readCandidate(source: ArtifactSource, layer: Descriptor): Promise<SignatureCandidate> {
  const base = { mediaType: layer.mediaType, ...(layer.annotations ? { annotations: layer.annotations } : {}) };
  // Only fetch what could be accepted: a foreign layer type or a missing signature is decided without it.
  if (layer.mediaType !== MediaType.cosignSimpleSigning || !layer.annotations?.[SIGNATURE_ANNOTATION]) return base;
  try {
    return { ...base, payload: await source.readBlob(layer, MAX_PAYLOAD_BYTES) };
  } catch (err) {
    if (isEvidenceError(err)) return { ...base, payload: { error: errorMessage(err) } };
    throw err;
  }
}

/**
 * `verify` without a policy file: allowed iff some layer of the `sha256-<hex>.sig` manifest for
 * the resolved digest verifies with one of the keys over a payload that names that digest and
 * one of the accepted repositories (containers/image `matchRepository`).
 */
export async function verifyArtifact(req: VerifyRequest): Promise<VerifyOutcome> {
  const writer = req.source.writer;
  if (!writer) throw new BadInputError(`${req.source.display}: signatures can only be read from a registry or an oci-dir layout`);
  if (req.keys.length === 0) throw new BadInputError('verify needs at least one --key');
  const identities = acceptedNames(req.identities?.length ? req.identities : [writer.repositoryName]);
  const root = await req.source.resolve();
  const tag = signatureTag(root.digest);
  const result = (allowed: boolean, reasons: string[], accepted: AcceptedSignature[] = []): VerifyOutcome => ({
    allowed,
    repository: writer.repositoryName,
    digest: root.digest,
    signatureTag: tag,
    identities,
    accepted,
    reasons,
  });

  let sig: FetchedManifest | undefined;
  try {
    sig = await writer.manifestByTag(tag);
  } catch (err) {
    if (isEvidenceError(err)) return result(false, [`${tag} is unreadable: ${errorMessage(err)}`]);
    throw err;
  }
  if (!sig) return result(false, [`no signatures: ${writer.repositoryName}:${tag} does not exist`]);
  const problem = signatureManifestProblem(sig);
  if (problem) return result(false, [`${tag} is not a cosign signature manifest: ${problem}`]);
  if (sig.manifest.kind !== 'manifest') return result(false, [`${tag} is not an image manifest`]);
  const layers = sig.manifest.layers;
  if (layers.length === 0) return result(false, [`${tag} holds no signature layers`]);
  if (layers.length > MAX_SIGNATURE_LAYERS) return result(false, [`${tag} holds ${layers.length} layers; cosign refuses more than ${MAX_SIGNATURE_LAYERS}`]);

  const candidates: SignatureCandidate[] = [];
  for (const layer of layers) candidates.push(await readCandidate(req.source, layer));
  const decision = decide(candidates, { manifestDigest: root.digest, keys: req.keys, repositories: identities });
  const accepted: AcceptedSignature[] = [];
  const reasons: string[] = [];
  decision.verdicts.forEach((v, i) => {
    if (v.accepted) accepted.push({ layer: i, key: v.key, dockerReference: v.dockerReference });
    else reasons.push(`layer ${i}: ${v.reason}`);
  });
  return result(decision.allowed, reasons, accepted);
}
