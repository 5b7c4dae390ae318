import * as fs from 'node:fs';
import * as path from 'node:path';
import { PREDICATE_TYPES } from '../../lambdas/attest/predicate-types';
import { vulnPredicate } from '../../lambdas/attest/predicates/vuln';
import { expectOneErrorLine, runCli } from '../support/cli';
import { pushTestImage } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';
import { p256Key, tempDir, writeKey } from '../unit/signing/helpers';

const host = testRegistry().host;
const work = tempDir('attest-cli');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const k1 = writeKey(work, 'k1', p256Key());
const k2 = writeKey(work, 'k2', p256Key());
const env = { ARTIFACT_GUARD_HOME: path.join(work, 'home') };

function file(name: string, content: unknown): string {
  const p = path.join(work, name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

const provenance = file('provenance.json', {
  buildDefinition: { buildType: 'https://example.com/build/v1', externalParameters: { source: { repository: 'https://github.com/example/app' } } },
  runDetails: { builder: { id: 'https://ci.example.com/builder' }, metadata: { finishedOn: new Date().toISOString() } },
});
const scanReport = file('scan.json', { format: 'artifact-guard/scan-report@1', generatedAt: new Date().toISOString(), verdict: 'fail', findings: [{ id: 'CVE-2024-3', severity: 'high', suppressed: false }] });
const policyOk = file('ok.yaml', 'attestations: [slsaprovenance1]\nprovenance: { builders: ["https://ci.example.com/builder"] }\nmaxAge: 1d\n');
const policyVuln = file('vuln.yaml', 'attestations: [slsaprovenance1]\nvulnerabilities: { failOn: high }\n');

async function signedImage(prefix: string): Promise<string> {
  const repo = uniqueRepo(prefix);
  await pushTestImage(repo, 'v1', { layers: [[{ path: 'etc/id', content: repo }]] });
  const ref = `${host}/${repo}:v1`;
  expect((await runCli(['sign', ref, '--key', k1.priv], env)).code).toBe(0);
  return ref;
}

describe('artifact-guard attest / verify --policy (CLI)', () => {
  it('attests, then verify --policy allows (exit 0) and denies with every reason on stderr (exit 1)', async () => {
    const ref = await signedImage('cli-att');
    const att = await runCli(['attest', ref, '--key', k1.priv, '--type', 'slsaprovenance1', '--predicate', provenance], env);
    expect(att.stderr).toBe('');
    expect(att.code).toBe(0);
    expect(att.stdout).toMatch(/^attested 127\.0\.0\.1:\d+\/cli-att.* with .*k1\.pem/);
    expect(att.stdout).toMatch(/slsaprovenance1: appended in sha256-[0-9a-f]{64}\.att; bundle .*home\/evidence\/evidence\/.*\.sigstore\.json; referrer sha256:[0-9a-f]{64} in sha256-[0-9a-f]{64}/);

    const ok = await runCli(['verify', ref, '--key', k1.pub, '--policy', policyOk], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^allowed .* by policy\n {2}signature: layer 0, key .*k1\.pub/);

    const denied = await runCli(['verify', ref, '--key', k1.pub, '--policy', policyVuln], env);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(/^denied .* by policy/);
    expect(denied.stderr).toMatch(/^artifact-guard: verify: denied by policy .*vuln\.yaml: 127\.0\.0\.1/);
    expect(denied.stderr).toMatch(/\n {2}vuln attestation: none verified for sha256:[0-9a-f]{64}/);

    const vuln = await runCli(['attest', ref, '--key', k1.priv, '--type', 'vuln', '--predicate', scanReport, '-o', 'json'], env);
    expect(vuln.code).toBe(0);
    const summary = JSON.parse(vuln.stdout) as { attestations: { type: string; bundle: { location: string } }[] };
    expect(summary.attestations.map((a) => a.type)).toEqual(['vuln']);
    const bundle = JSON.parse(fs.readFileSync(summary.attestations[0]!.bundle.location, 'utf8')) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as { predicate: unknown };
    expect(statement.predicate).toMatchObject({ scanner: { result: { findings: [{ id: 'CVE-2024-3' }] } } });

    const findings = await runCli(['verify', ref, '--key', k1.pub, '--policy', policyVuln, '-o', 'json'], env);
    expect(findings.code).toBe(1);
    expect(findings.stderr).toMatch(/vulnerabilities: 1 unsuppressed finding at or above high \(1 high\): CVE-2024-3 \(high\)/);
    expect(JSON.parse(findings.stdout)).toMatchObject({ allowed: false, reasons: [expect.stringMatching(/^vulnerabilities:/)] });

    const otherKey = await runCli(['verify', ref, '--key', k2.pub, '--policy', policyOk], env);
    expect(otherKey.code).toBe(1);
    expect(otherKey.stderr).toMatch(/signature: no acceptable signature/);
    expect(otherKey.stderr).toMatch(/DSSE signature does not verify with key .*k2\.pub/);
  });

  it('verify without --policy behaves as before: attestations do not matter, only the signature', async () => {
    const ref = await signedImage('cli-nopol');
    const before = await runCli(['verify', ref, '--key', k1.pub], env);
    await runCli(['attest', ref, '--key', k2.priv, '--type', 'slsaprovenance1', '--predicate', provenance], env);
    const after = await runCli(['verify', ref, '--key', k1.pub], env);
    expect([before.code, after.code]).toEqual([0, 0]);
    expect(after.stdout).toBe(before.stdout);
    expect(after.stdout).toMatch(/^allowed .*\n {2}sha256-[0-9a-f]{64}\.sig layer 0: key/);
  });

  it('attests a complete vuln predicate and a CycloneDX SBOM file as they are', async () => {
    const ref = await signedImage('cli-types');
    const predicate = file('vuln-predicate.json', vulnPredicate({ report: { findings: [] }, scanStartedOn: '2026-01-01T00:00:00Z', scanFinishedOn: '2026-01-01T00:00:01Z' }));
    const sbom = file('sbom.json', { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] });
    const uri = file('custom.json', { anything: true });
    for (const [type, p] of [['vuln', predicate], ['cyclonedx', sbom], ['https://example.com/custom/v1', uri]]) {
      const res = await runCli(['attest', ref, '--key', k1.priv, '--type', type as string, '--predicate', p as string, '--bundle-dir', path.join(work, 'b')], env);
      expect({ type, code: res.code, stderr: res.stderr }).toEqual({ type, code: 0, stderr: '' });
    }
    const all = file('all.yaml', `signature: true\nevidence: att\nattestations: [vuln, cyclonedx, "https://example.com/custom/v1"]\n`);
    expect((await runCli(['verify', ref, '--key', k1.pub, '--policy', all], env)).code).toBe(0);
    expect(PREDICATE_TYPES.cyclonedx).toBe('https://cyclonedx.org/bom');
  });

  it('exits 2 with one clear line for bad input', async () => {
    const ref = `${host}/${uniqueRepo('cli-bad')}:v1`;
    const badPolicy = file('bad.yaml', 'attestations: [nope]');
    const cases: [string[], RegExp][] = [
      [['attest', ref, '--key', k1.priv, '--predicate', provenance], /--type is required/],
      [['attest', ref, '--key', k1.priv, '--type', 'spdx', '--predicate', provenance], /--type must be one of slsaprovenance1, cyclonedx, vuln/],
      [['attest', ref, '--key', k1.priv, '--type', 'vuln', '--predicate', path.join(work, 'missing.json')], /predicate file .*missing\.json not found/],
      [['attest', ref, '--key', k1.priv, '--type', 'cyclonedx', '--predicate', provenance], /not a CycloneDX SBOM/],
      [['attest', ref, '--type', 'vuln', '--predicate', provenance], /--key KEY is required/],
      [['verify', ref, '--key', k1.pub, '--policy', badPolicy], /bad\.yaml: policy attestations\[0\]\.type must be one of/],
      [['verify', ref, '--key', k1.pub, '--policy', path.join(work, 'none.yaml')], /policy file .*none\.yaml not found/],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(args, env);
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
      expect(expectOneErrorLine(res)).toMatch(message);
    }
  });
});
