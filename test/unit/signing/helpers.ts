import type { KeyObject } from 'node:crypto';
import { generateKeyPairSync, sign } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { digestOf } from '../../../lambdas/oci/digest';
import type { Descriptor } from '../../../lambdas/oci/manifest';
import { MediaType } from '../../../lambdas/oci/media-types';
import type { ArtifactWriter } from '../../../lambdas/oci/source';
import { SIGNATURE_ANNOTATION, signatureConfig } from '../../../lambdas/signing/sig-manifest';

/** Test support for signing: keys, raw signatures, hand-made `.sig` manifests, openssl. */

export interface TestKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly privatePem: string;
  readonly publicPem: string;
}

export function p256Key(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

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

/**
 * ECDSA over a given 32-byte digest with @noble/curves, as KMS Sign does with MessageType DIGEST.
 * node:crypto cannot sign a pre-hashed digest, and jest's CommonJS loader cannot require the
 * ESM-only @noble/curves on Node 20, so a worker thread (plain Node require, which loads ESM
 * since Node 20.19) does the signing.
 */
export class NobleDigestSigner {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (der: Buffer) => void; reject: (err: Error) => void }>();

  constructor() {
    this.worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const { p256 } = require('@noble/curves/nist.js');
       parentPort.on('message', ({ id, digest, secret }) => {
         try {
           parentPort.postMessage({ id, der: p256.sign(digest, secret, { prehash: false, format: 'der' }) });
         } catch (err) {
           parentPort.postMessage({ id, error: String(err) });
         }
       });`,
      { eval: true },
    );
    this.worker.on('message', (m: { id: number; der?: Uint8Array; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.der) p?.resolve(Buffer.from(m.der));
      else p?.reject(new Error(m.error ?? 'noble signing failed'));
    });
  }

  /** `secret`: the 32-byte private scalar (JWK `d`). */
  sign(digest: Uint8Array, secret: Uint8Array): Promise<Buffer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, digest, secret });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The private scalar of a P-256 key, as @noble/curves wants it. */
export function privateScalar(key: TestKey): Buffer {
  const jwk = key.privateKey.export({ format: 'jwk' });
  return Buffer.from(jwk.d as string, 'base64url');
}
