import * as fs from 'node:fs';
import * as path from 'node:path';
import { PemFileSigner } from '../../../lambdas/adapters/local/pem-file-signer';
import { buildPayload } from '../../../lambdas/signing/payload';
import { SIGNATURE_ANNOTATION } from '../../../lambdas/signing/sig-manifest';
import { verifyCandidate } from '../../../lambdas/signing/verifier';
import { loadPublicKey } from '../../../lambdas/signing/ecdsa';
import { MediaType } from '../../../lambdas/oci/media-types';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsSigner } from '../../../lambdas/adapters/aws/kms-signer';
import { FakeKms } from '../../support/fake-kms';
import { openssl, p256Key, tempDir } from './helpers';

/**
 * Cross-checks with an independent ECDSA implementation: OpenSSL, run as a separate program (the
 * openssl Debian package: an integration test, run by npm run test:integration).
 */
describe('cross-checks with openssl', () => {
  const dir = tempDir('openssl');
  const keyFile = path.join(dir, 'key.pem');
  const pubFile = path.join(dir, 'key.pub');
  const payloadFile = path.join(dir, 'payload.json');
  const sigFile = path.join(dir, 'payload.sig');
  const DIGEST = `sha256:${'5a'.repeat(32)}`;
  const REPO = '127.0.0.1:5000/cross/check';
  const payload = buildPayload(REPO, DIGEST);

  beforeAll(() => {
    // openssl generates the key itself (SEC1 "EC PRIVATE KEY", as `openssl ecparam -genkey` writes).
    expect(openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]).status).toBe(0);
    expect(openssl(['ec', '-in', keyFile, '-pubout', '-out', pubFile]).status).toBe(0);
    fs.writeFileSync(payloadFile, payload);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a signature made by `openssl dgst -sha256 -sign` is accepted by our verifier', () => {
    expect(openssl(['dgst', '-sha256', '-sign', keyFile, '-out', sigFile, payloadFile]).status).toBe(0);
    const sig = fs.readFileSync(sigFile).toString('base64');
    const verdict = verifyCandidate(
      { mediaType: MediaType.cosignSimpleSigning, annotations: { [SIGNATURE_ANNOTATION]: sig }, payload },
      { manifestDigest: DIGEST, keys: [{ name: 'key.pub', key: loadPublicKey(fs.readFileSync(pubFile), 'key.pub') }], repositories: [REPO] },
    );
    expect(verdict).toEqual({ accepted: true, key: 'key.pub', dockerReference: REPO });
  });

  it('our PEM signer (on the openssl-made SEC1 key) produces signatures `openssl dgst -verify` accepts', async () => {
    const signer = PemFileSigner.fromFile(keyFile);
    for (let i = 0; i < 5; i++) {
      const { signature, key } = await signer.sign(payload);
      fs.writeFileSync(sigFile, signature);
      const res = openssl(['dgst', '-sha256', '-verify', pubFile, '-signature', sigFile, payloadFile]);
      expect(res.stdout.trim()).toBe('Verified OK');
      expect(res.status).toBe(0);
      expect(key).toEqual({ $case: 'publicKey', publicKey: fs.readFileSync(pubFile, 'utf8'), hint: (await signer.publicKey()).hint });
    }
  });

  it('openssl refuses our signature over different bytes (the check is real)', async () => {
    const { signature } = await PemFileSigner.fromFile(keyFile).sign(Buffer.concat([payload, Buffer.from(' ')]));
    fs.writeFileSync(sigFile, signature);
    const res = openssl(['dgst', '-sha256', '-verify', pubFile, '-signature', sigFile, payloadFile]);
    expect(res.status).not.toBe(0);
    expect(res.stdout).toContain('Verification failure');
  });

  it('openssl accepts what KmsSigner signs through KMS (the FakeKms double doing real ECDSA)', async () => {
    const key = p256Key();
    const kms = new FakeKms(key);
    try {
      const client = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      const { signature } = await new KmsSigner(client, 'alias/artifact-guard-signing').sign(payload);
      const kmsPub = path.join(dir, 'kms.pub');
      fs.writeFileSync(kmsPub, key.publicPem);
      fs.writeFileSync(sigFile, signature);
      const res = openssl(['dgst', '-sha256', '-verify', kmsPub, '-signature', sigFile, payloadFile]);
      expect(res.stdout.trim()).toBe('Verified OK');
    } finally {
      await kms.close();
    }
  });
});
