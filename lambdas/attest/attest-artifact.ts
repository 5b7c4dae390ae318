import type { KeyObject } from 'node:crypto';
import { BadInputError, DigestMismatchError, LimitExceededError, NotFoundError } from '../core/errors';
import { writeOnce } from '../ports/write-once';
import type { Descriptor, FetchedManifest } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import type { ArtifactSource, ArtifactWriter } from '../oci/source';
import { countingPushes } from '../oci/push-counter';
import type { Progress } from '../ports/progress';
import { startStage } from '../ports/progress';
import type { BlobStore } from '../ports/blob-store';
import type { KeyedSigner, PublicKeyInfo } from '../ports/signer';
import { loadPublicKey } from '../signing/ecdsa';
import { isJsonObject, parseStrictJson, type JsonObject } from '../signing/strict-json';
import type { SigningTarget } from '../signing/targets';
import { signingTargets } from '../signing/targets';
import { MAX_ATTESTATION_LAYERS, PREDICATE_TYPE_ANNOTATION, attestationLayer, attestationTag, updateAttestations } from './att-manifest';
import type { SignedEnvelope } from './dsse';
import { MAX_ENVELOPE_BYTES, envelopeBytes, parseEnvelope, signatureBy, signEnvelope } from './dsse';
import { preAuthEncoding } from './pae';
import { COSIGN_SIGN_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE, typeNameOf } from './predicate-types';
import type { ReferrerOutcome } from './referrers';
import { attachReferrer, BUNDLE_PREDICATE_TYPE_ANNOTATION, bundleReferrerManifest, listReferrers } from './referrers';
import { bundleOf } from './evidence';
import { buildDsseBundle, sha256Hex } from './bundle';
import { buildStatement, statementBytes } from './statement';

/** One predicate to attest. */
export interface StatementSpec {
  readonly predicateType: string;
  readonly predicate: JsonObject;
  /**
   * Attest only this manifest (e.g. one platform's SBOM of an index). Default: the artifact and,
   * for an index, every platform manifest, each with its own statement.
   */
  readonly subjectDigest?: string;
}

export interface AttestRequest {
  readonly source: ArtifactSource;
  readonly signer: KeyedSigner;
  /** The subject name in statements; default the repository (`HOST/REPO`). */
  readonly identity?: string;
  readonly statements: readonly StatementSpec[];
  /** Where bundles are kept (the evidence bucket, or a local folder). */
  readonly bundles: BlobStore;
  /** Key prefix in `bundles`, e.g. `evidence/<repo>/<digest>/bundles`. */
  readonly bundleKeyPrefix: string;
  /**
   * Replace this key's older attestation of the same predicateType in `.att` (cosign's
   * `--replace`, limited to our own key); attestations by other keys are always kept.
   * @default true
   */
  readonly replace?: boolean;
  /**
   * Also make a cosign v3 "sign" bundle (`https://sigstore.dev/cosign/sign/v1`) for each
   * manifest: an approval that cosign v3 verifies as a signature. Set it only when the image
   * signature itself is made (never when the verdict blocks signing). @default false
   */
  readonly signatureBundle?: boolean;
  /** Upload to this Rekor (see `BundleOptions.rekorUrl`); off by default. */
  readonly rekorUrl?: string;
  /** Exactly these manifests (as `SignRequest.targets`). Default: the artifact's signable manifests. */
  readonly targets?: readonly SigningTarget[];
  /** The root manifest when the caller has fetched it already (one fetch per step). */
  readonly root?: FetchedManifest;
  /** Where the pushes report their progress (manifests attested, bytes pushed). */
  readonly progress?: Progress;
}

/** What happened to one attestation of one manifest. */
export interface AttestationRecord {
  /** `slsaprovenance1`, `cyclonedx`, `vuln`, `cosign-sign`, or the predicateType URI. */
  readonly type: string;
  readonly predicateType: string;
  /** The manifest the statement is about. */
  readonly digest: string;
  readonly platform?: string;
  /** The `.att` layer (undefined for the cosign-sign bundle, which has none). */
  readonly att?: {
    readonly tag: string;
    readonly layerDigest: string;
    /** `appended` new; `replaced` this key's older one of the type; `unchanged` same statement already there. */
    readonly outcome: 'appended' | 'replaced' | 'unchanged';
    /** The `.att` manifest's digest afterwards. */
    readonly manifest: string;
  };
  readonly bundle: { readonly key: string; readonly location: string; readonly sha256: string };
  readonly referrer: ReferrerOutcome;
}

export interface AttestSummary {
  readonly repository: string;
  readonly identity: string;
  readonly keyId: string;
  readonly keyHint: string;
  readonly attestations: readonly AttestationRecord[];
}

export const BUNDLE_CONTENT_TYPE = MediaType.sigstoreBundleV03;

function safeKeyPart(text: string): string {
  return text.replace(/^https?:\/\//, '').replace(/[^A-Za-z0-9._-]+/g, '_');
}

function bundleKey(prefix: string, digest: string, type: string, sha: string): string {
  const base = prefix.replace(/\/+$/, '');
  return `${base ? `${base}/` : ''}${digest.replace(':', '-')}/${safeKeyPart(type)}-${sha.slice(0, 16)}.sigstore.json`;
}

/** An earlier `.att` layer of the same predicateType signed by our key. */
interface OwnLayer {
  readonly index: number;
  readonly payload: Buffer;
  readonly signature: Buffer;
  readonly envelope: Buffer;
  readonly descriptor: Descriptor;
}

async function ownLayers(source: ArtifactSource, existing: FetchedManifest | undefined, predicateType: string, key: KeyObject): Promise<OwnLayer[]> {
  if (existing?.manifest.kind !== 'manifest') return [];
  const out: OwnLayer[] = [];
  for (const [index, layer] of existing.manifest.layers.entries()) {
    if (layer.mediaType !== MediaType.dsseEnvelope || layer.annotations?.[PREDICATE_TYPE_ANNOTATION] !== predicateType) continue;
    let envelope: Buffer;
    try {
      envelope = await source.readBlob(layer, MAX_ENVELOPE_BYTES);
    } catch (err) {
      // A missing, oversized or corrupt layer cannot be ours to replace or reuse: leave it be.
      if (err instanceof NotFoundError || err instanceof DigestMismatchError || err instanceof BadInputError) continue;
      throw err;
    }
    const parsed = parseEnvelope(envelope);
    if (!parsed.ok || parsed.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) continue;
    const signature = signatureBy(parsed.envelope, key);
    if (!signature) continue;
    out.push({ index, payload: parsed.envelope.payload, signature, envelope, descriptor: layer });
  }
  return out;
}

/** A signed envelope rebuilt from an earlier layer or bundle, so its bundle comes out byte-identical. */
function reuse(layer: Pick<OwnLayer, 'payload' | 'signature'>): SignedEnvelope {
  return {
    envelope: { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: layer.payload.toString('base64'), signatures: [{ keyid: '', sig: layer.signature.toString('base64') }] },
    payload: layer.payload,
    signature: layer.signature,
    pae: preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, layer.payload),
  };
}

/**
 * Our key's signature over `payload` in a bundle referrer of `digest` with this predicateType:
 * an earlier run's bundle, reused so that running again attaches nothing new (a bundle-only
 * statement has no `.att` layer to be recognised by). Unreadable referrers are not ours to reuse.
 */
async function ownBundleSignature(source: ArtifactSource, digest: string, predicateType: string, payload: Buffer, key: KeyObject): Promise<Buffer | undefined> {
  const listed = await listReferrers(source, digest, MediaType.sigstoreBundleV03);
  for (const desc of listed.descriptors) {
    if (desc.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION] !== predicateType) continue;
    let envelope: unknown;
    try {
      const { bundle } = await bundleOf(source, desc, digest);
      // Someone else's referrer, read from the registry: anything but a JSON object is not ours to reuse.
      const json = parseStrictJson(bundle);
      envelope = json.ok && isJsonObject(json.value) ? json.value.dsseEnvelope : undefined;
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof DigestMismatchError || err instanceof BadInputError) continue;
      throw err;
    }
    const parsed = envelope === undefined ? undefined : parseEnvelope(Buffer.from(JSON.stringify(envelope)));
    if (!parsed?.ok || parsed.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE || !parsed.envelope.payload.equals(payload)) continue;
    const signature = signatureBy(parsed.envelope, key);
    if (signature) return signature;
  }
  return undefined;
}

interface Pending {
  readonly spec: StatementSpec;
  readonly signed: SignedEnvelope;
  readonly att?: { readonly layer: Descriptor; readonly blob: Buffer; readonly outcome: 'appended' | 'replaced' | 'unchanged' };
}

class TargetAttester {
  constructor(
    private readonly req: AttestRequest,
    private readonly writer: ArtifactWriter,
    private readonly info: PublicKeyInfo,
    private readonly key: KeyObject,
    private readonly identity: string,
  ) {}

  async run(target: SigningTarget, specs: readonly StatementSpec[]): Promise<AttestationRecord[]> {
    const tag = attestationTag(target.digest);
    const existing = await this.writer.manifestByTag(tag);
    if (existing && existing.manifest.kind !== 'manifest') throw new BadInputError(`${this.writer.repositoryName}:${tag} holds an index, not an attestation manifest; refusing to overwrite it`);
    const remove = new Set<number>();
    const pending: Pending[] = [];
    for (const spec of specs) pending.push(await this.prepare(target, spec, existing, remove));

    const added = pending.flatMap((p) => (p.att && p.att.outcome !== 'unchanged' ? [p.att] : []));
    let attManifest = existing?.digest;
    if (added.length > 0) {
      const count = (existing?.manifest.kind === 'manifest' ? existing.manifest.layers.length : 0) - remove.size + added.length;
      if (count > MAX_ATTESTATION_LAYERS) throw new LimitExceededError(`${this.writer.repositoryName}:${tag} would hold ${count} attestations; cosign refuses more than ${MAX_ATTESTATION_LAYERS}`);
      const { manifest, config } = updateAttestations(existing, added.map((a) => a.layer), remove);
      for (const a of added) await this.writer.pushBlob(a.blob);
      await this.writer.pushBlob(config);
      attManifest = await this.writer.putManifest(tag, manifest, MediaType.ociManifest);
    }

    const records: AttestationRecord[] = [];
    for (const p of pending) records.push(await this.publishBundle(target, p, p.att && attManifest ? { tag, layerDigest: p.att.layer.digest, outcome: p.att.outcome, manifest: attManifest } : undefined));
    return records;
  }

  private async prepare(target: SigningTarget, spec: StatementSpec, existing: FetchedManifest | undefined, remove: Set<number>): Promise<Pending> {
    const bundleOnly = spec.predicateType === COSIGN_SIGN_PREDICATE_TYPE;
    const payload = statementPayload(this.identity, target.digest, spec);
    if (bundleOnly) {
      const earlier = await ownBundleSignature(this.req.source, target.digest, spec.predicateType, payload, this.key);
      return { spec, signed: earlier ? reuse({ payload, signature: earlier }) : await signEnvelope(this.req.signer, IN_TOTO_PAYLOAD_TYPE, payload) };
    }
    const own = await ownLayers(this.req.source, existing, spec.predicateType, this.key);
    const same = own.find((l) => l.payload.equals(payload) && !remove.has(l.index));
    if (same) return { spec, signed: reuse(same), att: { layer: same.descriptor, blob: same.envelope, outcome: 'unchanged' } };
    const signed = await signEnvelope(this.req.signer, IN_TOTO_PAYLOAD_TYPE, payload);
    const blob = envelopeBytes(signed.envelope);
    const replacing = this.req.replace !== false ? own : [];
    for (const l of replacing) remove.add(l.index);
    return { spec, signed, att: { layer: attestationLayer(blob, spec.predicateType), blob, outcome: replacing.length ? 'replaced' : 'appended' } };
  }

  private async publishBundle(target: SigningTarget, p: Pending, att: AttestationRecord['att']): Promise<AttestationRecord> {
    const bundle = await buildDsseBundle(p.signed, this.info, { rekorUrl: this.req.rekorUrl });
    const sha256 = sha256Hex(bundle);
    const type = typeNameOf(p.spec.predicateType);
    const key = bundleKey(this.req.bundleKeyPrefix, target.digest, type, sha256);
    const subject = await this.subjectDescriptor(target);
    const referrer = await attachReferrer(this.req.source, subject, bundleReferrerManifest(bundle, subject, p.spec.predicateType), [bundle]);
    // After the referrer, by which a run that was cut short finds the signature again and reuses
    // it: the same bundle then goes under the same key. Write-once: the key carries the bundle's
    // hash, so only a forged object can be in the way.
    await writeOnce(this.req.bundles, key, bundle, BUNDLE_CONTENT_TYPE);
    return {
      type,
      predicateType: p.spec.predicateType,
      digest: target.digest,
      ...(target.platform ? { platform: target.platform } : {}),
      ...(att ? { att } : {}),
      bundle: { key, location: this.req.bundles.location(key), sha256 },
      referrer,
    };
  }

  private subjectCache = new Map<string, Descriptor>();

  /** A referrer's subject needs the manifest's size and media type, read from the source. */
  private async subjectDescriptor(target: SigningTarget): Promise<Descriptor> {
    const hit = this.subjectCache.get(target.digest);
    if (hit) return hit;
    if (target.size !== undefined) return { mediaType: target.mediaType, digest: target.digest, size: target.size };
    const m = await this.req.source.manifest({ digest: target.digest, mediaType: target.mediaType });
    const desc = { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
    this.subjectCache.set(target.digest, desc);
    return desc;
  }
}

/** The cosign v3 "sign" statement: an approval that cosign v3 verifies as a signature. */
const SIGNATURE_BUNDLE_SPEC: StatementSpec = { predicateType: COSIGN_SIGN_PREDICATE_TYPE, predicate: {} };

/**
 * Which statements go to which manifest: a statement with a subjectDigest to that manifest only,
 * the others to every target (the artifact and, for an index, each platform manifest).
 */
export function attestationWork(targets: readonly SigningTarget[], statements: readonly StatementSpec[], signatureBundle: boolean, rootDigest: string): { target: SigningTarget; mine: StatementSpec[] }[] {
  for (const s of statements) {
    if (s.subjectDigest && !targets.some((t) => t.digest === s.subjectDigest)) {
      throw new BadInputError(`statement ${s.predicateType} is about ${s.subjectDigest}, which is neither ${rootDigest} nor one of its manifests`);
    }
  }
  const specs = [...statements, ...(signatureBundle ? [SIGNATURE_BUNDLE_SPEC] : [])];
  return targets.map((target) => ({ target, mine: specs.filter((s) => !s.subjectDigest || s.subjectDigest === target.digest) })).filter((w) => w.mine.length > 0);
}

/** The in-toto statement bytes signed for one manifest. cosign's sign/v1 statement names the digest only; attestations name the image too. */
export function statementPayload(identity: string, digest: string, spec: StatementSpec): Buffer {
  const bundleOnly = spec.predicateType === COSIGN_SIGN_PREDICATE_TYPE;
  return statementBytes(buildStatement(bundleOnly ? undefined : identity, digest, spec.predicateType, spec.predicate));
}

/**
 * Attests an artifact: for the artifact and (for an index) each platform manifest, every
 * statement is signed once as DSSE (ECDSA over SHA-256(PAE) by the signer), stored as a layer of
 * `sha256-<hex>.att`, wrapped into a Sigstore bundle v0.3 (the same signature) kept in `bundles`
 * and attached to the manifest as an OCI 1.1 referrer (or the tag-schema fallback). Running it
 * again with the same statements changes nothing (earlier signatures by the key are reused).
 */
export async function attestArtifact(req: AttestRequest): Promise<AttestSummary> {
  const writer = req.source.writer;
  if (!writer) throw new BadInputError(`${req.source.display}: attestations can only be written to a registry or an oci-dir layout`);
  const identity = req.identity ?? writer.repositoryName;
  const info = await req.signer.publicKey();
  const key = loadPublicKey(info.pem, `public key of ${info.keyId}`);
  const root = req.root ?? (await req.source.resolve());
  const targets = req.targets ?? (await signingTargets(req.source, root));
  const work = attestationWork(targets, req.statements, req.signatureBundle ?? false, root.digest);
  const stage = startStage(req.progress, 'attest', `pushing attestations to ${writer.repositoryName}`, { unit: 'manifests', total: work.length, minor: true });
  const counted = req.progress ? { ...req, source: countingPushes(req.source, (bytes) => stage.advance({ bytes })) } : req;
  const attester = new TargetAttester(counted, counted.source.writer ?? writer, info, key, identity);
  const attestations: AttestationRecord[] = [];
  for (const { target, mine } of work) {
    attestations.push(...(await attester.run(target, mine)));
    stage.advance({ done: 1 });
  }
  stage.finish();
  return { repository: writer.repositoryName, identity, keyId: info.keyId, keyHint: info.hint, attestations };
}
