/**
 * Pushes that claim to be evidence about another artifact rather than an artifact: cosign's
 * `sha256-<hex>.sig|.att|.sbom` tags, the referrers tag-schema index `sha256-<hex>`, and any
 * manifest with a `subject`. They are never processed as artifacts, so they must be what they
 * claim: the `sha256-*` tags are mutable by design (signatures are appended), which would
 * otherwise let anyone park a runnable image under one, unscanned and unrecorded.
 */
import { NotFoundError } from '../core/errors';
import { classify } from './classify';
import type { FetchedManifest } from './manifest';
import { MediaType, layerCompression } from './media-types';
import type { ArtifactSource } from './source';

export type EvidenceClaim = 'signature' | 'attestation' | 'sbom' | 'referrers-index' | 'referrer' | 'attachment' | 'evidence-tag';

export interface EvidencePush {
  readonly claim: EvidenceClaim;
  /** The digest the evidence says it is about. */
  readonly subject?: string;
  /** True when the content is what the claim says and its subject is in the repository. */
  readonly valid: boolean;
  /** What was checked (valid), or what is wrong (a policy violation). */
  readonly reason: string;
}

const EVIDENCE_TAG = /^(sha256|sha512)-([a-f0-9]{64}|[a-f0-9]{128})(?:\.(sig|att|sbom))?$/;
/** Tags the repositories exclude from immutability and the workflow leaves to the evidence check. */
const EVIDENCE_TAG_PREFIX = /^sha(256|512)-/;
const SUFFIX_CLAIM: Readonly<Record<string, EvidenceClaim>> = { sig: 'signature', att: 'attestation', sbom: 'sbom' };
/** A referrers index lists one entry per referrer; far more than this is not one. */
const MAX_REFERRERS_CHECKED = 256;

/** The claim a tag makes, if it is shaped like cosign's evidence tags. */
export function evidenceTagClaim(tag: string | undefined): { claim: EvidenceClaim; subject: string } | undefined {
  const m = tag ? EVIDENCE_TAG.exec(tag) : null;
  if (!m) return undefined;
  return { claim: m[3] ? (SUFFIX_CLAIM[m[3]] as EvidenceClaim) : 'referrers-index', subject: `${m[1]}:${m[2]}` };
}

/** Layers a container runtime would unpack into a filesystem. */
function runnableLayers(m: FetchedManifest): string[] {
  if (m.manifest.kind !== 'manifest') return [];
  return m.manifest.layers.filter((l) => layerCompression(l.mediaType) !== undefined).map((l) => l.digest);
}

function contentProblem(claim: EvidenceClaim, m: FetchedManifest): string | undefined {
  const man = m.manifest;
  const runnable = runnableLayers(m);
  if (runnable.length) return `it holds ${runnable.length} filesystem layer(s) (${runnable[0]}…): a runnable image, not ${claim} evidence`;
  if (claim === 'referrers-index') return man.kind === 'index' ? undefined : 'a referrers tag must hold an index';
  if (claim === 'referrer') return undefined;
  if (man.kind !== 'manifest' || man.mediaType !== MediaType.ociManifest) return `a ${claim} tag must hold an OCI image manifest, not ${m.mediaType}`;
  if (man.layers.length === 0) return `a ${claim} manifest without layers`;
  const wanted = claim === 'signature' ? MediaType.cosignSimpleSigning : claim === 'attestation' ? MediaType.dsseEnvelope : undefined;
  const odd = wanted ? man.layers.find((l) => l.mediaType !== wanted) : undefined;
  if (odd) return `layer ${odd.digest} has media type ${odd.mediaType}, not ${wanted}`;
  return undefined;
}

async function exists(source: ArtifactSource, digest: string): Promise<boolean> {
  try {
    await source.manifest({ digest, mediaType: '' });
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

/** Every entry of a referrers index must be a non-runnable manifest about the claimed subject. */
async function referrersProblem(source: ArtifactSource, m: FetchedManifest, subject: string): Promise<string | undefined> {
  if (m.manifest.kind !== 'index') return undefined;
  if (m.manifest.manifests.length > MAX_REFERRERS_CHECKED) return `the referrers index lists ${m.manifest.manifests.length} manifests, more than the ${MAX_REFERRERS_CHECKED} checked`;
  for (const d of m.manifest.manifests) {
    const child = await source.manifest(d);
    if (child.manifest.subject?.digest !== subject) return `entry ${d.digest} is not a referrer of ${subject}`;
    const runnable = runnableLayers(child);
    if (runnable.length) return `entry ${d.digest} holds filesystem layers: a runnable image, not a referrer`;
  }
  return undefined;
}

/**
 * Whether a push is evidence rather than an artifact, and whether it is what it claims. Undefined
 * for an ordinary artifact (no evidence tag, no subject, not cosign/sigstore content).
 */
export async function checkEvidencePush(source: ArtifactSource, root: FetchedManifest, tag: string | undefined): Promise<EvidencePush | undefined> {
  const byTag = evidenceTagClaim(tag);
  if (!byTag && tag && EVIDENCE_TAG_PREFIX.test(tag)) {
    // Mutable and never processed as an artifact, so it must be a real evidence tag.
    return { claim: 'evidence-tag', valid: false, reason: `tag ${tag} starts like an evidence tag (sha256-<hex>[.sig|.att|.sbom]) but is not one: such tags are mutable and never scanned` };
  }
  const subject = byTag?.subject ?? root.manifest.subject?.digest;
  let claim: EvidenceClaim;
  if (byTag) claim = byTag.claim;
  else if (root.manifest.subject) claim = 'referrer';
  else if (classify(root.manifest) === 'attachment') claim = 'attachment';
  else return undefined;

  const violation = (reason: string): EvidencePush => ({ claim, ...(subject ? { subject } : {}), valid: false, reason });
  if (!subject) return violation(`${tag ? `tag ${tag} holds` : 'the push is'} cosign/sigstore evidence that names no subject; evidence belongs under a sha256-<hex> tag or as a referrer`);
  if (byTag && root.manifest.subject && root.manifest.subject.digest !== subject) return violation(`tag ${tag} names ${subject} but the manifest's subject is ${root.manifest.subject.digest}`);
  const content = contentProblem(claim, root) ?? (claim === 'referrers-index' ? await referrersProblem(source, root, subject) : undefined);
  if (content) return violation(content);
  if (!(await exists(source, subject))) return violation(`it is about ${subject}, which is not in the repository`);
  return { claim, subject, valid: true, reason: `${claim} about ${subject}${tag ? ` (tag ${tag})` : ''}` };
}
