import type { KeyObject } from 'node:crypto';
import { BadInputError, LimitExceededError } from '../core/errors';
import { digestOf } from '../oci/digest';
import type { FetchedManifest } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import type { ArtifactSource, ArtifactWriter } from '../oci/source';
import { countingPushes } from '../oci/push-counter';
import type { Progress } from '../ports/progress';
import { startStage } from '../ports/progress';
import type { KeyedSigner, PublicKeyInfo } from '../ports/signer';
import { decodeStdBase64, loadPublicKey, verifyEcdsaSha256 } from './ecdsa';
import { normalizedName } from './identity';
import { buildPayload } from './payload';
import { appendSignature, MAX_SIGNATURE_LAYERS, SIGNATURE_ANNOTATION, signatureLayer, signatureTag } from './sig-manifest';
import type { SigningTarget } from './targets';
import { signingTargets } from './targets';

export interface SignRequest {
  readonly source: ArtifactSource;
  readonly signer: KeyedSigner;
  /** The docker-reference to sign for; defaults to the source's repository (`HOST/REPO`), as cosign. */
  readonly identity?: string;
  /**
   * Exactly these manifests, in this order (the workflow passes the ones it scanned, platforms
   * before their index). Default: the artifact's signable manifests (see `signingTargets`).
   */
  readonly targets?: readonly SigningTarget[];
  /** The root manifest when the caller has fetched it already (one fetch per step). */
  readonly root?: FetchedManifest;
  /** Where the pushes report their progress (manifests signed, bytes pushed). */
  readonly progress?: Progress;
}

export interface SignedTarget extends SigningTarget {
  /** The `.sig` tag in the same repository. */
  readonly tag: string;
  /** `appended`: a new layer; `already-signed`: this key had a valid signature over the same payload. */
  readonly outcome: 'appended' | 'already-signed';
  /** Signature layers the tag holds afterwards. */
  readonly signatures: number;
  /** Digest of the `.sig` manifest the tag points at afterwards. */
  readonly signatureManifest: string;
}

export interface SignOutcome {
  readonly repository: string;
  readonly identity: string;
  readonly key: PublicKeyInfo;
  readonly targets: readonly SignedTarget[];
}

/**
 * Signs the artifact a source names (and, for an index, every manifest in it) in cosign's
 * tag layout. The `.sig` tag is read, extended and written back: this read-modify-write is
 * racy, as cosign's own is (SIGNATURE_SPEC), so two signers of one digest should not run at
 * the same instant.
 */
export async function signArtifact(req: SignRequest): Promise<SignOutcome> {
  const writer = req.source.writer;
  if (!writer) throw new BadInputError(`${req.source.display}: signatures can only be written to a registry or an oci-dir layout`);
  const identity = req.identity ?? writer.repositoryName;
  const name = normalizedName(identity);
  if (!name.ok) throw new BadInputError(`cannot sign for identity ${name.reason}`);
  const info = await req.signer.publicKey();
  const publicKey = loadPublicKey(info.pem, `public key of ${info.keyId}`);
  const targets: SignedTarget[] = [];
  const todo = req.targets ?? (await signingTargets(req.source, req.root ?? (await req.source.resolve())));
  const stage = startStage(req.progress, 'sign', `pushing signatures to ${writer.repositoryName}`, { unit: 'manifests', total: todo.length, minor: true });
  const out = req.progress ? (countingPushes(req.source, (bytes) => stage.advance({ bytes })).writer ?? writer) : writer;
  for (const target of todo) {
    targets.push(await signOne(out, req.signer, publicKey, identity, target));
    stage.advance({ done: 1 });
  }
  stage.finish();
  return { repository: writer.repositoryName, identity, key: info, targets };
}

function alreadySigned(existing: FetchedManifest, payload: Buffer, key: KeyObject): boolean {
  if (existing.manifest.kind !== 'manifest') return false;
  const payloadDigest = digestOf(payload);
  // Same payload digest means same bytes; ECDSA is randomised, so compare by verifying.
  return existing.manifest.layers.some((l) => {
    if (l.mediaType !== MediaType.cosignSimpleSigning || l.digest !== payloadDigest) return false;
    const sig = decodeStdBase64(l.annotations?.[SIGNATURE_ANNOTATION] ?? '');
    return sig !== undefined && verifyEcdsaSha256(key, payload, sig);
  });
}

async function signOne(writer: ArtifactWriter, signer: KeyedSigner, key: KeyObject, identity: string, target: SigningTarget): Promise<SignedTarget> {
  const tag = signatureTag(target.digest);
  const payload = buildPayload(identity, target.digest);
  const existing = await writer.manifestByTag(tag);
  if (existing && existing.manifest.kind !== 'manifest') {
    throw new BadInputError(`${writer.repositoryName}:${tag} holds an index, not a signature manifest; refusing to overwrite it`);
  }
  if (existing && alreadySigned(existing, payload, key)) {
    return { ...target, tag, outcome: 'already-signed', signatures: existing.manifest.kind === 'manifest' ? existing.manifest.layers.length : 0, signatureManifest: existing.digest };
  }
  const layerCount = existing?.manifest.kind === 'manifest' ? existing.manifest.layers.length : 0;
  if (layerCount >= MAX_SIGNATURE_LAYERS) {
    throw new LimitExceededError(`${writer.repositoryName}:${tag} already holds ${layerCount} signatures; cosign refuses more than ${MAX_SIGNATURE_LAYERS}`);
  }
  const { signature } = await signer.sign(payload);
  // A signature that its own public key rejects would be published and then deny every deploy.
  if (!verifyEcdsaSha256(key, payload, signature)) {
    throw new BadInputError(`the signer's signature over ${target.digest} does not verify with its public key (is the key ECDSA P-256 and the signature DER?)`);
  }
  const { manifest, config } = appendSignature(existing, signatureLayer(payload, signature));
  await writer.pushBlob(payload);
  await writer.pushBlob(config);
  const signatureManifest = await writer.putManifest(tag, manifest, MediaType.ociManifest);
  return { ...target, tag, outcome: 'appended', signatures: layerCount + 1, signatureManifest };
}
