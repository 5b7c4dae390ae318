/**
 * What is attached to an artifact's digests, as `cosign tree` shows it, and the attestations
 * `download` writes out. Everything is read from the artifact's own repository: cosign's
 * `sha256-<hex>.sig` / `.att` / `.sbom` tags, OCI 1.1 referrers (the API, or the
 * `sha256-<hex>` fallback index). With keys, each signature and attestation is verified as
 * `verify` does; without, nothing is: what is listed is what the storage claims.
 */
import { BadInputError, DigestMismatchError, errorMessage, LimitExceededError, NotFoundError } from '../core/errors';
import type { ArtifactKind } from '../core/artifact';
import type { ArtifactTarget, TargetRole } from '../oci/artifact-plan';
import { planArtifact } from '../oci/artifact-plan';
import { evidenceTag } from '../oci/classify';
import type { Descriptor, FetchedManifest } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import type { ArtifactSource } from '../oci/source';
import type { Progress } from '../ports/progress';
import { startStage } from '../ports/progress';
import { decodeStdBase64, publicKeyHint, verifyEcdsaSha256 } from '../signing/ecdsa';
import { MAX_PAYLOAD_BYTES, parsePayload } from '../signing/payload';
import { MAX_SIGNATURE_LAYERS, SIGNATURE_ANNOTATION, signatureTag } from '../signing/sig-manifest';
import { isJsonObject, parseStrictJson } from '../signing/strict-json';
import type { VerificationKey } from '../signing/verifier';
import { MAX_ATTESTATION_LAYERS, PREDICATE_TYPE_ANNOTATION, attestationTag } from './att-manifest';
import { MAX_ENVELOPE_BYTES, parseEnvelope } from './dsse';
import { bundleOf, judgeAttestationLayer, judgeBundle } from './evidence';
import { statementTime } from './policy-rules';
import { IN_TOTO_PAYLOAD_TYPE, typeNameOf } from './predicate-types';
import { BUNDLE_PREDICATE_TYPE_ANNOTATION, referrersFallbackTag } from './referrers';
import type { Statement } from './statement';
import { parseStatement, subjectDigests, subjectMatches } from './statement';

/** A key that verified something: the name it was given by and cosign's hint for it. */
export interface KeyMatch {
  readonly name: string;
  /** base64(SHA-256(DER SPKI)), as cosign and sigstore-go name a public key. */
  readonly hint: string;
}

export interface SignatureEntry {
  readonly layer: number;
  readonly digest: string;
  readonly mediaType: string;
  /** The `docker-reference` the payload claims (authenticated only when `key` is set). */
  readonly identity?: string;
  /** The key whose signature verifies over the payload (only when keys were given). */
  readonly key?: KeyMatch;
  /** What is wrong with it: unreadable, foreign, not verifying with the keys, about another digest. */
  readonly problem?: string;
}

export interface AttestationEntry {
  readonly via: 'att' | 'bundle';
  /** `sha256-….att layer 0`, `bundle referrer sha256:…`. */
  readonly origin: string;
  /** The `.att` layer's digest, or the bundle referrer manifest's. */
  readonly digest: string;
  readonly key?: KeyMatch;
  readonly problem?: string;
}

export interface AttestationGroup {
  /** As the storage claims it (annotation), or the statement's when there is no annotation. */
  readonly predicateType: string;
  /** `slsaprovenance1`, `cyclonedx`, `vuln`, or the URI. */
  readonly type: string;
  readonly entries: readonly AttestationEntry[];
}

export interface ReferrerEntry {
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactType: string;
  readonly size: number;
}

export interface TagManifest {
  readonly tag: string;
  /** The manifest's digest, when the tag exists and could be read. */
  readonly manifest?: string;
  readonly problem?: string;
}

export interface ManifestAttachments {
  readonly digest: string;
  readonly mediaType: string;
  readonly platform?: string;
  readonly role: TargetRole;
  /** Undefined when there is no `.sig` tag. */
  readonly signatures?: TagManifest & { readonly layers: readonly SignatureEntry[] };
  readonly attestations: readonly AttestationGroup[];
  /** cosign's `sha256-<hex>.sbom` (`cosign attach sbom`), when present. */
  readonly sboms?: TagManifest & { readonly layers: readonly { readonly digest: string; readonly mediaType: string }[] };
  /** Referrers other than Sigstore bundles (those are among the attestations), by artifactType. */
  readonly referrers: readonly ReferrerEntry[];
  /** How referrers were listed: the registry's referrers API, or only the tag schema. */
  readonly referrersVia: 'referrers-api' | 'fallback-tag';
  /** The referrers tag schema's index (`sha256-<hex>`), when present. */
  readonly fallbackIndex?: TagManifest & { readonly entries: number };
  /** Problems listing referrers (unreadable index, refused API). */
  readonly problems: readonly string[];
}

export interface AttachmentTree {
  readonly repository: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly kind: ArtifactKind;
  /** The keys given (empty: nothing was verified). */
  readonly keys: readonly KeyMatch[];
  /** REF's digest first, then the manifests of an index (platforms, nested indexes). */
  readonly manifests: readonly ManifestAttachments[];
}

/** Errors that mean "this evidence is bad" (a problem to show), not "we could not look" (exit 2). */
function isEvidenceError(err: unknown): boolean {
  return err instanceof BadInputError || err instanceof DigestMismatchError || err instanceof NotFoundError || err instanceof LimitExceededError;
}

const MAX_REFERRERS = 1000;

function keyMatch(k: VerificationKey): KeyMatch {
  return { name: k.name, hint: publicKeyHint(k.key) };
}

/** A tag's manifest, undefined when the tag does not exist; a problem when it cannot be read. */
async function byTag(source: ArtifactSource, tag: string): Promise<{ m?: FetchedManifest; problem?: string }> {
  try {
    const m = await source.writer?.manifestByTag(tag);
    return m ? { m } : {};
  } catch (err) {
    if (!isEvidenceError(err)) throw err;
    return { problem: `unreadable: ${errorMessage(err)}` };
  }
}

async function signaturesOf(source: ArtifactSource, digest: string, keys: readonly VerificationKey[]): Promise<ManifestAttachments['signatures']> {
  const tag = signatureTag(digest);
  const { m, problem } = await byTag(source, tag);
  if (problem) return { tag, problem, layers: [] };
  if (!m) return undefined;
  if (m.manifest.kind !== 'manifest') return { tag, manifest: m.digest, problem: 'is an index, not a signature manifest', layers: [] };
  const layers: SignatureEntry[] = [];
  for (const [i, layer] of m.manifest.layers.slice(0, MAX_SIGNATURE_LAYERS).entries()) {
    const base = { layer: i, digest: layer.digest, mediaType: layer.mediaType };
    if (layer.mediaType !== MediaType.cosignSimpleSigning) {
      layers.push({ ...base, problem: `media type ${layer.mediaType} is not ${MediaType.cosignSimpleSigning}` });
      continue;
    }
    let payload: Buffer;
    try {
      payload = await source.readBlob(layer, MAX_PAYLOAD_BYTES);
    } catch (err) {
      if (!isEvidenceError(err)) throw err;
      layers.push({ ...base, problem: `payload unreadable: ${errorMessage(err)}` });
      continue;
    }
    const parsed = parsePayload(payload);
    const identity = parsed.ok ? { identity: parsed.claims.dockerReference } : {};
    const problems: string[] = [];
    if (!parsed.ok) problems.push(`payload rejected: ${parsed.reason}`);
    else if (parsed.claims.manifestDigest !== digest) problems.push(`it signs ${parsed.claims.manifestDigest}, not ${digest}`);
    let key: VerificationKey | undefined;
    if (keys.length) {
      const sig = decodeStdBase64(layer.annotations?.[SIGNATURE_ANNOTATION] ?? '');
      key = sig ? keys.find((k) => verifyEcdsaSha256(k.key, payload, sig)) : undefined;
      if (!key) problems.push(sig ? `does not verify with ${keys.map((k) => k.name).join(', ')}` : `no usable ${SIGNATURE_ANNOTATION} annotation`);
    }
    layers.push({ ...base, ...identity, ...(key ? { key: keyMatch(key) } : {}), ...(problems.length ? { problem: problems.join('; ') } : {}) });
  }
  return { tag, manifest: m.digest, layers };
}

/** The predicateType an unannotated `.att` layer's statement names (unverified), if readable. */
async function statementTypeOf(source: ArtifactSource, layer: Descriptor): Promise<string | undefined> {
  try {
    const env = parseEnvelope(await source.readBlob(layer, MAX_ENVELOPE_BYTES));
    if (!env.ok) return undefined;
    const st = parseStatement(env.envelope.payload);
    return st.ok ? st.statement.predicateType : undefined;
  } catch (err) {
    if (!isEvidenceError(err)) throw err;
    return undefined;
  }
}

interface Referrers {
  readonly via: 'referrers-api' | 'fallback-tag';
  readonly descriptors: readonly Descriptor[];
  readonly fallbackIndex?: TagManifest & { readonly entries: number };
  readonly problems: readonly string[];
}

/** Every referrer of `digest`: the API's list and the fallback index's entries (both, when both exist). */
async function referrersOf(source: ArtifactSource, digest: string): Promise<Referrers> {
  const problems: string[] = [];
  let listed: Descriptor[] | undefined;
  try {
    listed = await source.writer?.referrers?.(digest);
  } catch (err) {
    if (!isEvidenceError(err)) throw err;
    problems.push(`referrers API: ${errorMessage(err)}`);
  }
  const tag = referrersFallbackTag(digest);
  const { m, problem } = await byTag(source, tag);
  let fallbackIndex: Referrers['fallbackIndex'];
  const fromIndex: Descriptor[] = [];
  if (problem) fallbackIndex = { tag, problem, entries: 0 };
  else if (m && m.manifest.kind !== 'index') fallbackIndex = { tag, manifest: m.digest, problem: 'is not an index', entries: 0 };
  else if (m && m.manifest.kind === 'index') {
    fromIndex.push(...m.manifest.manifests);
    fallbackIndex = { tag, manifest: m.digest, entries: m.manifest.manifests.length };
  }
  const seen = new Set<string>();
  const descriptors = [...(listed ?? []), ...fromIndex].filter((d) => !seen.has(d.digest) && (seen.add(d.digest), true)).slice(0, MAX_REFERRERS);
  return { via: listed ? 'referrers-api' : 'fallback-tag', descriptors, ...(fallbackIndex ? { fallbackIndex } : {}), problems };
}

async function attestationsOf(source: ArtifactSource, digest: string, keys: readonly VerificationKey[], bundles: readonly Descriptor[]): Promise<AttestationGroup[]> {
  const groups = new Map<string, AttestationEntry[]>();
  const add = (type: string, e: AttestationEntry): void => void groups.set(type, [...(groups.get(type) ?? []), e]);
  const judged = (verdict: { ok: true; key: string } | { ok: false; reason: string }): Pick<AttestationEntry, 'key' | 'problem'> => {
    if (!verdict.ok) return { problem: verdict.reason };
    const k = keys.find((x) => x.name === verdict.key);
    return k ? { key: keyMatch(k) } : {};
  };

  const tag = attestationTag(digest);
  const { m, problem } = await byTag(source, tag);
  if (problem) add('unknown', { via: 'att', origin: tag, digest: '', problem });
  else if (m && m.manifest.kind !== 'manifest') add('unknown', { via: 'att', origin: tag, digest: m.digest, problem: 'is an index, not an attestation manifest' });
  else if (m && m.manifest.kind === 'manifest') {
    for (const [i, layer] of m.manifest.layers.slice(0, MAX_ATTESTATION_LAYERS).entries()) {
      const origin = `${tag} layer ${i}`;
      const claimed = layer.annotations?.[PREDICATE_TYPE_ANNOTATION];
      const type = claimed ?? (await statementTypeOf(source, layer)) ?? 'unknown';
      let verdict: Pick<AttestationEntry, 'key' | 'problem'> = {};
      if (keys.length) {
        try {
          const blob = layer.mediaType === MediaType.dsseEnvelope ? await source.readBlob(layer, MAX_ENVELOPE_BYTES) : Buffer.alloc(0);
          verdict = judged(judgeAttestationLayer(blob, layer.mediaType, claimed, digest, keys));
        } catch (err) {
          if (!isEvidenceError(err)) throw err;
          verdict = { problem: `unreadable: ${errorMessage(err)}` };
        }
      } else if (layer.mediaType !== MediaType.dsseEnvelope) verdict = { problem: `media type ${layer.mediaType} is not ${MediaType.dsseEnvelope}` };
      add(type, { via: 'att', origin, digest: layer.digest, ...verdict });
    }
  }

  for (const desc of bundles) {
    const origin = `bundle referrer ${desc.digest}`;
    let type = desc.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION];
    let verdict: Pick<AttestationEntry, 'key' | 'problem'> = {};
    if (keys.length) {
      try {
        const read = await bundleOf(source, desc, digest);
        type = read.claimedType ?? type;
        verdict = judged(judgeBundle(read.bundle, read.claimedType, digest, keys));
      } catch (err) {
        if (!isEvidenceError(err)) throw err;
        verdict = { problem: errorMessage(err) };
      }
    }
    add(type ?? 'unknown', { via: 'bundle', origin, digest: desc.digest, ...verdict });
  }
  return [...groups.entries()].map(([predicateType, entries]) => ({ predicateType, type: typeNameOf(predicateType), entries }));
}

async function sbomsOf(source: ArtifactSource, digest: string): Promise<ManifestAttachments['sboms']> {
  const tag = evidenceTag(digest, 'sbom');
  const { m, problem } = await byTag(source, tag);
  if (problem) return { tag, problem, layers: [] };
  if (!m) return undefined;
  if (m.manifest.kind !== 'manifest') return { tag, manifest: m.digest, problem: 'is an index, not an SBOM manifest', layers: [] };
  return { tag, manifest: m.digest, layers: m.manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType })) };
}

async function attachmentsOf(source: ArtifactSource, t: Pick<ArtifactTarget, 'digest' | 'mediaType' | 'platform' | 'role'>, keys: readonly VerificationKey[]): Promise<ManifestAttachments> {
  const refs = await referrersOf(source, t.digest);
  const bundles = refs.descriptors.filter((d) => d.artifactType === MediaType.sigstoreBundleV03);
  const others = refs.descriptors.filter((d) => d.artifactType !== MediaType.sigstoreBundleV03);
  const signatures = await signaturesOf(source, t.digest, keys);
  const sboms = await sbomsOf(source, t.digest);
  return {
    digest: t.digest,
    mediaType: t.mediaType,
    ...(t.platform ? { platform: t.platform } : {}),
    role: t.role,
    ...(signatures ? { signatures } : {}),
    attestations: await attestationsOf(source, t.digest, keys, bundles),
    ...(sboms ? { sboms } : {}),
    referrers: others.map((d) => ({ digest: d.digest, mediaType: d.mediaType, artifactType: d.artifactType ?? 'unknown', size: d.size })),
    referrersVia: refs.via,
    ...(refs.fallbackIndex ? { fallbackIndex: refs.fallbackIndex } : {}),
    problems: refs.problems,
  };
}

/**
 * Everything attached to the artifact `source` names: its digest, then (for an index) each
 * manifest it lists except BuildKit's attestation manifests, in the order of the index.
 */
export async function attachmentTree(source: ArtifactSource, keys: readonly VerificationKey[], progress?: Progress): Promise<AttachmentTree> {
  const writer = source.writer;
  if (!writer) throw new BadInputError(`${source.display}: attachments can only be read from a registry or an oci-dir layout`);
  const plan = await planArtifact(source);
  const root = plan.targets.find((t) => t.digest === plan.root.digest) as ArtifactTarget;
  const members = plan.targets.filter((t) => t.digest !== plan.root.digest && t.role !== 'attestation');
  const targets = [root, ...members];
  const stage = startStage(progress, 'tree', `reading what is attached to ${plan.root.digest}`, { unit: 'manifests', total: targets.length, minor: true });
  const manifests: ManifestAttachments[] = [];
  for (const t of targets) {
    manifests.push(await attachmentsOf(source, t, keys));
    stage.advance({ done: 1 });
  }
  stage.finish();
  return { repository: writer.repositoryName, digest: plan.root.digest, mediaType: plan.root.mediaType, kind: plan.kind, keys: keys.map(keyMatch), manifests };
}

// ---------------------------------------------------------------------------------------------
// download: attestations of one type at one digest, verified with the keys or (no keys) parsed.

export interface FoundAttestation {
  readonly origin: string;
  readonly via: 'att' | 'bundle';
  /** The DSSE envelope as JSON (`payloadType`, `payload`, `signatures`), as stored. */
  readonly envelope: Buffer;
  /** The statement's bytes, as signed. */
  readonly payload: Buffer;
  readonly statement: Statement;
  /** The key it verified with; undefined when no keys were given (unverified). */
  readonly key?: KeyMatch;
}

export interface FoundAttestations {
  /** Attestations of the wanted type (every type when none was asked for), in storage order. */
  readonly found: readonly FoundAttestation[];
  /** Evidence that was there but not used, and why (other keys, other digests, malformed). */
  readonly refused: readonly { readonly origin: string; readonly reason: string }[];
  /**
   * The predicate types stored for the digest, whatever was asked for: those of usable
   * attestations, and the claimed types of those not read because they were of another type.
   */
  readonly types: readonly string[];
}

type Judged = { ok: true; statement: Statement; key?: KeyMatch } | { ok: false; reason: string };

/** Without keys: the same checks as verification, less the signature (nothing is authenticated). */
function unverified(payloadType: string, payload: Buffer, claimedType: string | undefined, digest: string): Judged {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) return { ok: false, reason: `payloadType ${JSON.stringify(payloadType)} is not ${IN_TOTO_PAYLOAD_TYPE}` };
  const parsed = parseStatement(payload);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  if (!subjectMatches(parsed.statement, digest)) return { ok: false, reason: `statement subject ${subjectDigests(parsed.statement).join(', ')} is not ${digest}` };
  if (claimedType !== undefined && claimedType !== parsed.statement.predicateType) return { ok: false, reason: `annotation ${claimedType} disagrees with the statement's predicateType ${parsed.statement.predicateType}` };
  return { ok: true, statement: parsed.statement };
}

function withKey(verdict: { ok: true; key: string; statement: Statement } | { ok: false; reason: string }, keys: readonly VerificationKey[]): Judged {
  if (!verdict.ok) return verdict;
  const k = keys.find((x) => x.name === verdict.key);
  return { ok: true, statement: verdict.statement, ...(k ? { key: keyMatch(k) } : {}) };
}

/** A bundle's DSSE envelope as envelope JSON (the bundle's `dsseEnvelope`, which has that shape). */
function bundleEnvelope(bundle: Buffer): { envelope: Buffer; payloadType: string; payload: Buffer } | undefined {
  const json = parseStrictJson(bundle);
  if (!json.ok || !isJsonObject(json.value)) return undefined;
  const env = json.value.dsseEnvelope;
  if (!isJsonObject(env)) return undefined;
  const envelope = Buffer.from(JSON.stringify(env));
  const parsed = parseEnvelope(envelope);
  return parsed.ok ? { envelope, payloadType: parsed.envelope.payloadType, payload: parsed.envelope.payload } : undefined;
}

/**
 * The attestations about `digest` of `predicateType` (every type when undefined): bundle
 * referrers first, then `.att` layers (so that, of the two copies `attest` stores, the newest
 * pick is the `.att` envelope as stored), each verified with `keys` (or, with none, only parsed and
 * checked to name the digest).
 */
export async function findAttestations(source: ArtifactSource, digest: string, predicateType: string | undefined, keys: readonly VerificationKey[]): Promise<FoundAttestations> {
  const found: FoundAttestation[] = [];
  const refused: { origin: string; reason: string }[] = [];
  const types = new Set<string>();
  const consider = (origin: string, via: 'att' | 'bundle', envelope: Buffer, verdict: Judged): void => {
    if (!verdict.ok) {
      refused.push({ origin, reason: verdict.reason });
      return;
    }
    types.add(verdict.statement.predicateType);
    if (predicateType !== undefined && verdict.statement.predicateType !== predicateType) return;
    const env = parseEnvelope(envelope);
    if (!env.ok) return void refused.push({ origin, reason: env.reason });
    found.push({ origin, via, envelope, payload: env.envelope.payload, statement: verdict.statement, ...(verdict.key ? { key: verdict.key } : {}) });
  };
  const readable = async (origin: string, read: () => Promise<void>): Promise<void> => {
    try {
      await read();
    } catch (err) {
      if (!isEvidenceError(err)) throw err;
      refused.push({ origin, reason: `unreadable: ${errorMessage(err)}` });
    }
  };

  const refs = await referrersOf(source, digest);
  refused.push(...refs.problems.map((p) => ({ origin: `referrers of ${digest}`, reason: p })));
  // Another type by the storage's claim need not be read: a verified one's claim is its type.
  const otherType = (claimed: string | undefined): boolean => {
    if (predicateType === undefined || claimed === undefined || claimed === predicateType) return false;
    types.add(claimed);
    return true;
  };
  for (const desc of refs.descriptors.filter((d) => d.artifactType === MediaType.sigstoreBundleV03)) {
    const origin = `bundle referrer ${desc.digest}`;
    if (otherType(desc.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION])) continue;
    await readable(origin, async () => {
      const read = await bundleOf(source, desc, digest);
      const env = bundleEnvelope(read.bundle);
      if (!env) return consider(origin, 'bundle', Buffer.alloc(0), { ok: false, reason: 'the bundle holds no readable DSSE envelope' });
      if (keys.length) return consider(origin, 'bundle', env.envelope, withKey(judgeBundle(read.bundle, read.claimedType, digest, keys), keys));
      consider(origin, 'bundle', env.envelope, unverified(env.payloadType, env.payload, read.claimedType, digest));
    });
  }

  const tag = attestationTag(digest);
  const { m, problem } = await byTag(source, tag);
  if (problem) refused.push({ origin: tag, reason: problem });
  if (m?.manifest.kind === 'manifest') {
    for (const [i, layer] of m.manifest.layers.slice(0, MAX_ATTESTATION_LAYERS).entries()) {
      const origin = `${tag} layer ${i}`;
      const claimed = layer.annotations?.[PREDICATE_TYPE_ANNOTATION];
      if (otherType(claimed)) continue;
      if (layer.mediaType !== MediaType.dsseEnvelope) {
        refused.push({ origin, reason: `media type ${layer.mediaType} is not ${MediaType.dsseEnvelope}` });
        continue;
      }
      await readable(origin, async () => {
        const blob = await source.readBlob(layer, MAX_ENVELOPE_BYTES);
        if (keys.length) return consider(origin, 'att', blob, withKey(judgeAttestationLayer(blob, layer.mediaType, claimed, digest, keys), keys));
        const env = parseEnvelope(blob);
        consider(origin, 'att', blob, env.ok ? unverified(env.envelope.payloadType, env.envelope.payload, claimed, digest) : { ok: false, reason: env.reason });
      });
    }
  } else if (m) refused.push({ origin: tag, reason: 'is an index, not an attestation manifest' });
  return { found, refused, types: [...types] };
}

/** The newest by the time the statement records (undated counts as oldest); later storage order breaks ties. */
export function newestAttestation<T extends { readonly statement: Statement }>(list: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const a of list) {
    if (!best || (statementTime(a.statement)?.getTime() ?? -Infinity) >= (statementTime(best.statement)?.getTime() ?? -Infinity)) best = a;
  }
  return best;
}
