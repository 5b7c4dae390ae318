import * as fs from 'node:fs';
import * as path from 'node:path';
import { PemFileSigner } from '../../../lambdas/adapters/local/pem-file-signer';
import { signEnvelope } from '../../../lambdas/attest/dsse';
import { IN_TOTO_PAYLOAD_TYPE } from '../../../lambdas/attest/predicate-types';
import { buildStatement, statementBytes } from '../../../lambdas/attest/statement';
import { openssl, p256Key, tempDir } from '../signing/helpers';
import { independentPae } from './helpers';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** DSSE signatures checked by OpenSSL, a separate program (Debian's openssl: run by npm run test:integration). */
describe('DSSE envelopes and openssl', () => {
  const key = p256Key();
  const signer = PemFileSigner.fromPem(key.privatePem, 'k.pem');
  const payload = statementBytes(buildStatement('127.0.0.1:5000/app', DIGEST, 'https://example.com/p', { a: 1 }));

  it('openssl dgst -sha256 -verify accepts the signature over the PAE (a separate program)', async () => {
    const dir = tempDir('dsse');
    try {
      const { envelope } = await signEnvelope(signer, IN_TOTO_PAYLOAD_TYPE, payload);
      const paeFile = path.join(dir, 'pae.bin');
      const sigFile = path.join(dir, 'sig.der');
      const pubFile = path.join(dir, 'k.pub');
      fs.writeFileSync(paeFile, independentPae(envelope.payloadType, Buffer.from(envelope.payload, 'base64')));
      fs.writeFileSync(sigFile, Buffer.from(envelope.signatures[0]!.sig, 'base64'));
      fs.writeFileSync(pubFile, key.publicPem);
      const ok = openssl(['dgst', '-sha256', '-verify', pubFile, '-signature', sigFile, paeFile]);
      expect(ok.stdout.trim()).toBe('Verified OK');
      expect(ok.status).toBe(0);
      // The same signature over a PAE with another payloadType fails in openssl too.
      fs.writeFileSync(paeFile, independentPae('application/json', Buffer.from(envelope.payload, 'base64')));
      const bad = openssl(['dgst', '-sha256', '-verify', pubFile, '-signature', sigFile, paeFile]);
      expect(bad.status).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
