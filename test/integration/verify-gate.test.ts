import { generateKeyPairSync } from 'node:crypto';
import { PemFileSigner } from '../../lambdas/adapters/local/pem-file-signer';
import { attestArtifact } from '../../lambdas/attest/attest-artifact';
import { workflowStatements } from '../../lambdas/attest/workflow-statements';
import { FsBlobStore } from '../../lambdas/adapters/local/fs-blob-store';
import { createVerifyGate } from '../../lambdas/gate/verify-gate';
import { openSource } from '../../lambdas/oci/open-source';
import type { Alert } from '../../lambdas/ports/alert-sink';
import { InMemoryMetrics } from '../../lambdas/ports/metrics';
import { loadPublicKey } from '../../lambdas/signing/ecdsa';
import { signArtifact } from '../../lambdas/signing/sign-artifact';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pushTestImage, registrySource } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const host = testRegistry().host;

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return { signer: PemFileSigner.fromPem(privateKey, 'test-key'), key: { name: 'stack key', key: loadPublicKey(publicKey, 'stack key') } };
}

describe('deploy gate', () => {
  const stack = keyPair();
  const alerts: Alert[] = [];
  const metrics = new InMemoryMetrics();
  const gate = createVerifyGate({
    openSource: (spec) => openSource(spec),
    keys: async () => [stack.key],
    alerts: { publish: async (a) => void alerts.push(...a) },
    metrics,
    now: () => new Date(),
  });

  it('allows an image the stack signed and names the digest to deploy', async () => {
    const repo = uniqueRepo('gate');
    const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'a', content: 'signed' }]] });
    await signArtifact({ source: registrySource(repo, 'v1'), signer: stack.signer });
    const d = await gate({ reference: `${host}/${repo}:v1` });
    expect(d).toMatchObject({ allowed: true, digest: image.manifest.descriptor.digest, reasons: [] });
  });

  it('denies an unsigned image and one signed by another key, counting failures and alerting', async () => {
    const before = metrics.counts.get('SignatureVerificationFailures') ?? 0;
    const repo = uniqueRepo('gate');
    await pushTestImage(repo, 'unsigned', { layers: [[{ path: 'a', content: 'unsigned' }]] });
    await pushTestImage(repo, 'other', { layers: [[{ path: 'a', content: 'other' }]] });
    await signArtifact({ source: registrySource(repo, 'other'), signer: keyPair().signer });
    const unsigned = await gate({ reference: `registry:${host}/${repo}:unsigned` });
    const other = await gate({ reference: `${host}/${repo}:other` });
    expect(unsigned.allowed).toBe(false);
    expect(other.allowed).toBe(false);
    expect(other.reasons.join(' ')).toMatch(/does not verify with key stack key/);
    expect(metrics.counts.get('SignatureVerificationFailures')).toBe(before + 2);
    expect(alerts.filter((a) => a.type === 'Signature Verification Failed').map((a) => a.detail.summary)).toEqual([
      expect.stringContaining(`${host}/${repo}@sha256:`),
      expect.stringContaining('does not verify'),
    ]);
  });

  it('applies a policy from the request: required attestations must be there', async () => {
    const repo = uniqueRepo('gate');
    await pushTestImage(repo, 'v1', { layers: [[{ path: 'a', content: 'attested' }]] });
    await signArtifact({ source: registrySource(repo, 'v1'), signer: stack.signer });
    const policy = { attestations: ['slsaprovenance1'] };
    const missing = await gate({ reference: `${host}/${repo}:v1`, policy });
    expect(missing.allowed).toBe(false);
    expect(missing.reasons.join(' ')).toMatch(/slsaprovenance1/);
    const resolved = await registrySource(repo, 'v1').resolve();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-gate-'));
    await attestArtifact({
      source: registrySource(repo, 'v1'),
      signer: stack.signer,
      statements: workflowStatements({
        artifact: { source: `${host}/${repo}:v1`, repositoryName: `${host}/${repo}`, digest: resolved.digest, mediaType: resolved.mediaType, kind: 'image', platforms: [], provenance: { source: 'https://git.example/app' }, trigger: { type: 'manual', id: 't', time: new Date().toISOString() }, duplicate: false },
      }),
      bundles: new FsBlobStore(dir),
      bundleKeyPrefix: 'bundles',
    });
    expect((await gate({ reference: `${host}/${repo}:v1`, policy })).allowed).toBe(true);
  });

  it('refuses a request without a registry reference', async () => {
    await expect(gate({ reference: 'oci-dir:/tmp/x' })).rejects.toThrow(/not a registry reference/);
    await expect(gate({} as never)).rejects.toThrow(/needs a "reference"/);
  });
});
