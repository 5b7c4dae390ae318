import { sign } from 'node:crypto';
import { attestationLayer, attestationTag, updateAttestations } from '../../../lambdas/attest/att-manifest';
import { buildDsseBundle } from '../../../lambdas/attest/bundle';
import type { DsseEnvelope, SignedEnvelope } from '../../../lambdas/attest/dsse';
import { envelopeBytes } from '../../../lambdas/attest/dsse';
import { preAuthEncoding } from '../../../lambdas/attest/pae';
import { IN_TOTO_PAYLOAD_TYPE } from '../../../lambdas/attest/predicate-types';
import { attachReferrer, bundleReferrerManifest } from '../../../lambdas/attest/referrers';
import { buildStatement, statementBytes } from '../../../lambdas/attest/statement';
import type { FetchedManifest } from '../../../lambdas/oci/manifest';
import { MediaType } from '../../../lambdas/oci/media-types';
import type { ArtifactSource } from '../../../lambdas/oci/source';
import type { JsonObject } from '../../../lambdas/signing/strict-json';
import { publicKeyHint } from '../../../lambdas/signing/ecdsa';
import type { TestKey } from '../signing/helpers';

/** Test support for attestations: hand-made (forged or foreign) envelopes, `.att` layers and bundles. */

export interface ForgeOptions {
  readonly key: TestKey;
  /** The statement's subject digest. */
  readonly subjectDigest: string;
  readonly predicateType: string;
  readonly predicate?: JsonObject;
  readonly name?: string;
  /** The payloadType that is signed (PAE). */
  readonly signedPayloadType?: string;
  /** The payloadType written into the envelope (differs from the signed one to forge). */
  readonly envelopePayloadType?: string;
}

/** A DSSE envelope signed directly with node:crypto (not through the product's signer). */
export function forgeEnvelope(o: ForgeOptions): SignedEnvelope {
  const payload = statementBytes(buildStatement(o.name ?? 'example/app', o.subjectDigest, o.predicateType, o.predicate ?? {}));
  const pae = preAuthEncoding(o.signedPayloadType ?? IN_TOTO_PAYLOAD_TYPE, payload);
  const signature = sign('sha256', pae, { key: o.key.privateKey, dsaEncoding: 'der' });
  const envelope: DsseEnvelope = { payloadType: o.envelopePayloadType ?? o.signedPayloadType ?? IN_TOTO_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [{ keyid: '', sig: signature.toString('base64') }] };
  return { envelope, payload, signature, pae };
}

/** Appends one envelope as a layer of `sha256-<hex>.att`, with any predicateType annotation. */
export async function pushAttestationLayer(source: ArtifactSource, digest: string, envelope: DsseEnvelope, annotation: string): Promise<void> {
  const writer = source.writer!;
  const tag = attestationTag(digest);
  const existing: FetchedManifest | undefined = await writer.manifestByTag(tag);
  const blob = envelopeBytes(envelope);
  const { manifest, config } = updateAttestations(existing, [attestationLayer(blob, annotation)]);
  await writer.pushBlob(blob);
  await writer.pushBlob(config);
  await writer.putManifest(tag, manifest, MediaType.ociManifest);
}

/** Attaches a bundle around `signed` to `digest` as a referrer (annotation as given). */
export async function pushBundleReferrer(source: ArtifactSource, digest: string, signed: SignedEnvelope, key: TestKey, annotation: string): Promise<Buffer> {
  const bundle = await buildDsseBundle(signed, { pem: key.publicPem, hint: publicKeyHint(key.publicKey), keyId: 'test' });
  const m = await source.manifest({ digest, mediaType: MediaType.ociManifest });
  const subject = { mediaType: m.mediaType, digest, size: m.bytes.length };
  await attachReferrer(source, subject, bundleReferrerManifest(bundle, subject, annotation), [bundle]);
  return bundle;
}

/**
 * PAE written out by hand from the DSSE protocol text, deliberately not using the product's
 * encoder: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
 */
export function independentPae(type: string, body: Buffer): Buffer {
  const t = Buffer.from(type, 'utf8');
  return Buffer.concat([Buffer.from('DSSEv1'), Buffer.from([0x20]), Buffer.from(String(t.length)), Buffer.from([0x20]), t, Buffer.from([0x20]), Buffer.from(String(body.length)), Buffer.from([0x20]), body]);
}
