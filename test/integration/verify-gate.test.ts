import { generateKeyPairSync } from 'node:crypto';
import { PemFileSigner } from '../../lambdas/adapters/local/pem-file-signer';
import { attestArtifact } from '../../lambdas/attest/attest-artifact';
import { parsePolicy, policyFrom } from '../../lambdas/attest/policy';
import { verifyWithPolicy } from '../../lambdas/attest/verify-policy';
import type { ScanEvidence } from '../../lambdas/workflow/attestations';
import { workflowStatements } from '../../lambdas/workflow/attestations';
import { FsBlobStore } from '../../lambdas/adapters/local/fs-blob-store';
import { BadInputError } from '../../lambdas/core/errors';
import type { GateDeps } from '../../lambdas/gate/verify-gate';
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
        artifact: { source: `${host}/${repo}:v1`, repositoryName: `${host}/${repo}`, digest: resolved.digest, mediaType: resolved.mediaType, kind: 'image', platforms: [], targets: [{ digest: resolved.digest, mediaType: resolved.mediaType, size: resolved.bytes.length, role: 'image' }], provenance: { source: 'https://git.example/app' }, trigger: { type: 'manual', id: 't', time: new Date().toISOString() }, duplicate: false },
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

describe('deploy gate: a request can only tighten the operator\'s policy (fail closed)', () => {
  const stack = keyPair();
  const alerts: Alert[] = [];
  const logs: { message: string; fields: Readonly<Record<string, unknown>> }[] = [];
  const bundles = new FsBlobStore(fs.mkdtempSync(path.join(os.tmpdir(), 'ag-gate-tighten-')));
  const gateWith = (deps: Partial<GateDeps> = {}) =>
    createVerifyGate({
      openSource: (spec) => openSource(spec),
      keys: async () => [stack.key],
      alerts: { publish: async (a) => void alerts.push(...a) },
      metrics: new InMemoryMetrics(),
      log: (message, fields) => void logs.push({ message, fields }),
      now: () => new Date(),
      ...deps,
    });

  /** What the workflow leaves for an image: provenance and the scan report attested, whatever the verdict. */
  async function workflowImage(prefix: string, report: ScanEvidence['report'], opts: { sign: boolean }): Promise<{ repo: string; ref: string; digest: string }> {
    const repo = uniqueRepo(prefix);
    await pushTestImage(repo, 'v1', { layers: [[{ path: 'etc/id', content: repo }]] });
    const resolved = await registrySource(repo, 'v1').resolve();
    const now = new Date().toISOString();
    await attestArtifact({
      source: registrySource(repo, 'v1'),
      signer: stack.signer,
      statements: workflowStatements({
        artifact: { source: `${host}/${repo}:v1`, repositoryName: `${host}/${repo}`, digest: resolved.digest, mediaType: resolved.mediaType, kind: 'image', platforms: [], targets: [{ digest: resolved.digest, mediaType: resolved.mediaType, size: resolved.bytes.length, role: 'image' }], provenance: { source: 'https://git.example/app' }, trigger: { type: 'manual', id: 't', time: now }, duplicate: false },
        scans: [{ manifestDigest: resolved.digest, report, startedOn: now, finishedOn: now }],
      }),
      bundles,
      bundleKeyPrefix: repo,
    });
    if (opts.sign) await signArtifact({ source: registrySource(repo, 'v1'), signer: stack.signer });
    return { repo, ref: `${host}/${repo}:v1`, digest: resolved.digest };
  }

  const failedScan = { verdict: 'fail', findings: [{ id: 'CVE-2026-0001', severity: 'high' }] };

  it('a request saying signature: false does not let an unsigned image (whose scan failed) through', async () => {
    const { repo, ref, digest } = await workflowImage('gate-weaken', failedScan, { sign: false });
    const weakening = { signature: false, attestations: ['slsaprovenance1'] };
    // The request's policy alone would allow it: the attestations are there and verify.
    const alone = await verifyWithPolicy({ source: registrySource(repo, 'v1'), keys: [stack.key], policy: policyFrom(weakening) });
    expect(alone.allowed).toBe(true);

    const d = await gateWith()({ reference: ref, policy: weakening });
    expect(d).toMatchObject({ allowed: false, digest, policySource: 'gate+request' });
    expect(d.policy).toEqual({ version: 1, signature: true, evidence: 'any', attestations: [{ type: 'slsaprovenance1' }] });
    expect(d.reasons).toEqual([expect.stringMatching(/^signature: no acceptable signature in sha256-[0-9a-f]{64}\.sig\n {2}no signatures/)]);
    // The alert and the log say which policy denied it.
    expect(alerts.at(-1)?.detail).toMatchObject({ digest, policySource: 'gate+request', policy: d.policy });
    expect(logs.at(-1)).toEqual({ message: 'deployment denied', fields: expect.objectContaining({ digest, allowed: false, policySource: 'gate+request', policy: d.policy }) });
  });

  it('the signature is required even when the operator\'s gatePolicy says signature: false', async () => {
    const { ref } = await workflowImage('gate-op-nosig', failedScan, { sign: false });
    const d = await gateWith({ defaultPolicy: parsePolicy('signature: false\nattestations: [slsaprovenance1]') })({ reference: ref });
    expect(d).toMatchObject({ allowed: false, policySource: 'gate', policy: { signature: true, attestations: [{ type: 'slsaprovenance1' }] } });
    expect(d.reasons[0]).toMatch(/^signature: no acceptable signature/);
  });

  it('a request adding vulnerabilities.failOn to a signature-only gate policy is applied', async () => {
    const { ref, digest } = await workflowImage('gate-failon', failedScan, { sign: true });
    const gate = gateWith({ defaultPolicy: policyFrom({ signature: true }) });
    const plain = await gate({ reference: ref });
    expect(plain).toMatchObject({ allowed: true, digest, reasons: [], policySource: 'gate', policy: { version: 1, signature: true, evidence: 'any', attestations: [] } });
    expect(logs.at(-1)).toMatchObject({ message: 'deployment allowed', fields: { digest, policySource: 'gate' } });

    const d = await gate({ reference: ref, policy: { vulnerabilities: { failOn: 'high' } } });
    expect(d).toMatchObject({ allowed: false, digest, policySource: 'gate+request' });
    expect(d.policy).toEqual({ version: 1, signature: true, evidence: 'any', attestations: [{ type: 'vuln' }], vulnerabilities: { failOn: 'high', unknownSeverity: 'fail' } });
    expect(d.reasons).toEqual([expect.stringMatching(/^vulnerabilities: 1 unsuppressed finding at or above high \(1 high\): CVE-2026-0001 \(high\)/)]);
  });

  it('a request cannot loosen the operator\'s failOn, and a finding of unknown severity fails it by default', async () => {
    // Debian's OSV records carry no severity: the scan reports such findings as unknown.
    const { ref } = await workflowImage('gate-unknown', { verdict: 'pass', findings: [{ id: 'DEBIAN-CVE-2026-2', severity: 'unknown' }] }, { sign: true });
    const gate = gateWith({ defaultPolicy: parsePolicy('vulnerabilities: { failOn: critical }') });
    const d = await gate({ reference: ref, policy: { vulnerabilities: { failOn: 'critical', unknownSeverity: 'warn' } } });
    expect(d).toMatchObject({ allowed: false, policy: { vulnerabilities: { failOn: 'critical', unknownSeverity: 'fail' } } });
    expect(d.reasons).toEqual([expect.stringMatching(/at or above critical or of unknown severity \(1 unknown\): DEBIAN-CVE-2026-2 \(unknown\)/)]);
  });

  it('refuses a request whose evidence conflicts with the gate\'s, or whose policy does not parse', async () => {
    const gate = gateWith({ defaultPolicy: parsePolicy('evidence: att\nattestations: [vuln]') });
    const reference = `${host}/${uniqueRepo('gate-evidence')}:v1`;
    await expect(gate({ reference, policy: { evidence: 'bundle', attestations: ['vuln'] } })).rejects.toThrow(new BadInputError("gate: the request's policy: the request asks for bundle evidence but the gate's policy requires att"));
    await expect(gate({ reference, policy: { atestations: ['vuln'] } })).rejects.toThrow(BadInputError);
    await expect(gate({ reference, policy: { signature: false } })).rejects.toThrow(/requires nothing/);
  });

  describe('identities (a widening, bounded by the operator)', () => {
    /** An image signed for another repository (as a replica of it would be). */
    async function replica(): Promise<{ ref: string; origin: string }> {
      const repo = uniqueRepo('gate-replica');
      const origin = `${host}/${uniqueRepo('gate-origin')}`;
      await pushTestImage(repo, 'v1', { layers: [[{ path: 'etc/id', content: repo }]] });
      await signArtifact({ source: registrySource(repo, 'v1'), signer: stack.signer, identity: origin });
      return { ref: `${host}/${repo}:v1`, origin };
    }

    it('accepts identities the operator allows, and refuses any outside the list', async () => {
      const { ref, origin } = await replica();
      const gate = gateWith({ allowedIdentities: [origin] });
      expect((await gate({ reference: ref })).allowed).toBe(false);
      expect(await gate({ reference: ref, identities: [origin] })).toMatchObject({ allowed: true, reasons: [] });
      const outside = `${host}/somewhere-else`;
      await expect(gate({ reference: ref, identities: [origin, outside] })).rejects.toThrow(new BadInputError(`gate: identity ${outside} is not among the identities the gate accepts (${origin})`));
    });

    it('without allowedIdentities, refuses every identity but the reference\'s own repository', async () => {
      const { ref, origin } = await replica();
      const gate = gateWith();
      await expect(gate({ reference: ref, identities: [origin] })).rejects.toThrow(/identity .* is refused: the gate accepts signatures for other repositories only when its operator lists them \(GATE_IDENTITIES\)/);
      await expect(gate({ reference: ref, identities: 'x' as never })).rejects.toThrow(/"identities" must be a list/);
      // Its own repository is what the gate checks anyway, so naming it is no widening.
      const own = await workflowImage('gate-own', { verdict: 'pass', findings: [] }, { sign: true });
      expect(await gate({ reference: own.ref, identities: [`${host}/${own.repo}`] })).toMatchObject({ allowed: true });
    });

    it('an invalid allowed identity is a configuration error when the gate is built', () => {
      expect(() => gateWith({ allowedIdentities: ['registry.example/App'] })).toThrow(/allowed identity .*lowercase/);
    });
  });
});
