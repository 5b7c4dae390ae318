import { sign } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { digestOf } from '../../../lambdas/oci/digest';
import type { Descriptor } from '../../../lambdas/oci/manifest';
import { MediaType } from '../../../lambdas/oci/media-types';
import type { ArtifactWriter } from '../../../lambdas/oci/source';
import { SIGNATURE_ANNOTATION, signatureConfig } from '../../../lambdas/signing/sig-manifest';
import type { TestKey } from '../../support/test-keys';

/** Test support for signing: keys (test/support/test-keys.ts), raw signatures, hand-made `.sig` manifests, openssl. */

export type { TestKey } from '../../support/test-keys';
export { p256Key } from '../../support/test-keys';

export function derSign(key: TestKey, payload: Buffer): Buffer {
  return sign('sha256', payload, { key: key.privateKey, dsaEncoding: 'der' });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ag-sign-${prefix}-`));
}

/** Writes `name.pem` / `name.pub` for a key and returns their paths. */
export function writeKey(dir: string, name: string, key: TestKey): { priv: string; pub: string } {
  const priv = path.join(dir, `${name}.pem`);
  const pub = path.join(dir, `${name}.pub`);
  fs.writeFileSync(priv, key.privatePem);
  fs.writeFileSync(pub, key.publicPem);
  return { priv, pub };
}

export interface ForgedLayer {
  readonly payload: Buffer;
  /** base64 text for the annotation (so tests can put anything there), or a signature to encode. */
  readonly signature: string | Buffer | undefined;
  readonly mediaType?: string;
}

/**
 * Pushes a `.sig` manifest built by hand (no checks), so that tests can publish what an
 * attacker or a broken tool would: wrong media types, bad signatures, odd payloads.
 */
export async function pushSignatureManifest(
  writer: ArtifactWriter,
  tag: string,
  layers: readonly ForgedLayer[],
  opts: { manifestMediaType?: string; configMediaType?: string } = {},
): Promise<string> {
  const descriptors: Descriptor[] = [];
  for (const l of layers) {
    await writer.pushBlob(l.payload);
    const sig = typeof l.signature === 'string' ? l.signature : l.signature?.toString('base64');
    descriptors.push({
      mediaType: l.mediaType ?? MediaType.cosignSimpleSigning,
      size: l.payload.length,
      digest: digestOf(l.payload),
      ...(sig === undefined ? {} : { annotations: { [SIGNATURE_ANNOTATION]: sig } }),
    });
  }
  const config = signatureConfig(descriptors.map((d) => d.digest));
  await writer.pushBlob(config);
  const manifestMediaType = opts.manifestMediaType ?? MediaType.ociManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType,
      config: { mediaType: opts.configMediaType ?? MediaType.ociConfig, size: config.length, digest: digestOf(config) },
      layers: descriptors,
    }),
  );
  return writer.putManifest(tag, manifest, manifestMediaType);
}

/** openssl is the independent ECDSA implementation of the cross-checks; its absence must fail loudly. */
export function openssl(args: string[]): { status: number; stdout: string; stderr: string } {
  const res = spawnSync('openssl', args, { encoding: 'utf8' });
  if (res.error) throw new Error(`openssl is needed for this cross-check and could not run: ${res.error.message} (apt-get install openssl)`);
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}
