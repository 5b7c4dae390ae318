import * as fs from 'node:fs';
import { FsBlobStore } from '../../lambdas/adapters/local/fs-blob-store';
import { PemFileSigner } from '../../lambdas/adapters/local/pem-file-signer';
import type { StatementSpec } from '../../lambdas/attest/attest-artifact';
import { attestArtifact } from '../../lambdas/attest/attest-artifact';
import type { Policy } from '../../lambdas/attest/policy';
import { parsePolicy } from '../../lambdas/attest/policy';
import { PREDICATE_TYPES } from '../../lambdas/attest/predicate-types';
import { slsaProvenancePredicate } from '../../lambdas/attest/predicates/slsa-provenance';
import { vulnPredicate } from '../../lambdas/attest/predicates/vuln';
import type { PolicyOutcome } from '../../lambdas/attest/verify-policy';
import { verifyWithPolicy } from '../../lambdas/attest/verify-policy';
import { parseReference } from '../../lambdas/oci/reference';
import { RegistryClient } from '../../lambdas/oci/registry-client';
import { RegistrySource } from '../../lambdas/oci/sources/registry-source';
import { signArtifact } from '../../lambdas/signing/sign-artifact';
import type { JsonValue } from '../../lambdas/signing/strict-json';
import { pushTestImage } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';
import { p256Key, tempDir } from '../unit/signing/helpers';
import { forgeEnvelope, pushAttestationLayer, pushBundleReferrer } from '../unit/attest/helpers';

const host = testRegistry().host;
const client = new RegistryClient({ registry: host });
const k1 = p256Key();
const k2 = p256Key();
const signer = PemFileSigner.fromPem(k1.privatePem, 'k1.pem');
const keys = [{ name: 'k1.pub', key: k1.publicKey }];
const work = tempDir('attest-policy');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const SOURCE_REPO = 'https://github.com/example/app';
const BUILDER = 'https://github.com/example/app/.github/workflows/build.yml';
const BUILT = '2026-03-01T10:00:00Z';
const SCANNED = '2026-03-01T10:05:00Z';

function source(repo: string, at = ':v1'): RegistrySource {
  return new RegistrySource(parseReference(`${host}/${repo}${at}`), client);
}

function provenanceFor(repo: string, digest: string): StatementSpec {
  return {
    predicateType: PREDICATE_TYPES.slsaprovenance1,
    predicate: slsaProvenancePredicate({
      repositoryName: `${host}/${repo}`,
      digest,
      provenance: { source: SOURCE_REPO, revision: 'a'.repeat(40), buildId: '42', pipeline: BUILDER, created: BUILT },
    }),
  };
}

function vulnWith(report: JsonValue, at = SCANNED): StatementSpec {
  return { predicateType: PREDICATE_TYPES.vuln, predicate: vulnPredicate({ report, scanStartedOn: at, scanFinishedOn: at }) };
}

const clean: JsonValue = { verdict: 'pass', findings: [{ id: 'CVE-2024-0001', severity: 'low' }, { id: 'CVE-2024-0002', severity: 'critical', suppressed: true }] };

/** A signed image with provenance and a clean vuln attestation by k1. */
async function attestedImage(prefix: string, statements?: (repo: string, digest: string) => StatementSpec[]): Promise<{ repo: string; digest: string }> {
  const repo = uniqueRepo(prefix);
  const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'etc/id', content: repo }]] });
  const digest = image.manifest.descriptor.digest;
  await signArtifact({ source: source(repo), signer });
  const specs = statements ? statements(repo, digest) : [provenanceFor(repo, digest), vulnWith(clean)];
  if (specs.length) await attestArtifact({ source: source(repo), signer, statements: specs, bundles: new FsBlobStore(`${work}/b`), bundleKeyPrefix: repo });
  return { repo, digest };
}

const at = (iso: string) => () => new Date(iso);

async function check(repo: string, policy: Policy | string, opts: { keys?: typeof keys; now?: () => Date } = {}): Promise<PolicyOutcome> {
  const p = typeof policy === 'string' ? parsePolicy(policy) : policy;
  return verifyWithPolicy({ source: source(repo), keys: opts.keys ?? keys, policy: p, now: opts.now ?? at('2026-03-02T00:00:00Z') });
}

describe('verify --policy: requirements and rules on real attestations', () => {
  let shared: { repo: string; digest: string };
  beforeAll(async () => {
    shared = await attestedImage('pol');
  });

  it('allows when the signature and every required attestation verify (from .att and from bundles alike)', async () => {
    const out = await check(shared.repo, 'attestations: [slsaprovenance1, vuln]');
    expect(out).toMatchObject({ allowed: true, digest: shared.digest, reasons: [], rejected: [] });
    expect(out.signature?.allowed).toBe(true);
    expect(out.attestations.map((a) => [a.type, a.used.map((u) => [u.key, u.digest])])).toEqual([
      ['slsaprovenance1', [['k1.pub', shared.digest]]],
      ['vuln', [['k1.pub', shared.digest]]],
    ]);
    expect((await check(shared.repo, 'evidence: att\nattestations: [vuln]')).attestations[0]?.used[0]?.origin).toMatch(/\.att layer 1$/);
    expect((await check(shared.repo, 'evidence: bundle\nattestations: [vuln]')).attestations[0]?.used[0]?.origin).toMatch(/^bundle referrer sha256:/);
  });

  it('denies a missing attestation type, naming it', async () => {
    const out = await check(shared.repo, 'attestations: [cyclonedx]');
    expect(out.allowed).toBe(false);
    expect(out.reasons).toEqual([expect.stringMatching(/^cyclonedx attestation: none verified for sha256:[0-9a-f]{64} \(https:\/\/cyclonedx\.org\/bom/)]);
  });

  it('denies with other keys: the signature and each attestation report why', async () => {
    const out = await check(shared.repo, 'attestations: [vuln]', { keys: [{ name: 'k2.pub', key: k2.publicKey }] });
    expect(out.allowed).toBe(false);
    expect(out.reasons[0]).toMatch(/^signature: no acceptable signature/);
    expect(out.reasons[1]).toMatch(/vuln attestation: none verified/);
    expect(out.reasons[1]).toMatch(/layer 1: DSSE signature does not verify with key k2\.pub/);
    expect(out.reasons[1]).toMatch(/bundle referrer sha256:[0-9a-f]+: bundle signature does not verify/);
  });

  it('signature: false judges by attestations only; the signature is required by default', async () => {
    const unsigned = uniqueRepo('pol-unsigned');
    const image = await pushTestImage(unsigned, 'v1', { layers: [[{ path: 'x', content: unsigned }]] });
    await attestArtifact({ source: source(unsigned), signer, statements: [vulnWith(clean)], bundles: new FsBlobStore(`${work}/b`), bundleKeyPrefix: unsigned });
    expect((await check(unsigned, 'attestations: [vuln]')).reasons).toEqual([expect.stringMatching(/^signature: no acceptable signature in sha256-.*\.sig\n {2}no signatures/)]);
    expect((await check(unsigned, 'signature: false\nattestations: [vuln]')).allowed).toBe(true);
    expect(image.manifest.descriptor.digest).toMatch(/^sha256:/);
  });

  describe('vulnerabilities.failOn', () => {
    it('allows when no unsuppressed finding reaches the threshold (suppressed criticals do not count)', async () => {
      expect((await check(shared.repo, 'vulnerabilities: { failOn: high }')).allowed).toBe(true);
    });

    it('denies unsuppressed findings at or above the threshold, listing them', async () => {
      const out = await check(shared.repo, 'vulnerabilities: { failOn: low }');
      expect(out.reasons).toEqual([expect.stringMatching(/^vulnerabilities: 1 unsuppressed finding at or above low \(1 low\): CVE-2024-0001 \(low\)/)]);
    });

    it('reads the newest vuln attestation: a re-scan with a high finding denies', async () => {
      const { repo } = await attestedImage('pol-rescan', (r, d) => [provenanceFor(r, d), vulnWith(clean)]);
      await attestArtifact({
        source: source(repo),
        signer,
        statements: [vulnWith({ findings: [{ id: 'GHSA-xxxx', severity: 'HIGH' }] }, '2026-03-01T12:00:00Z')],
        bundles: new FsBlobStore(`${work}/b`),
        bundleKeyPrefix: repo,
        replace: false,
      });
      expect((await check(repo, 'vulnerabilities: { failOn: high }')).reasons).toEqual([expect.stringMatching(/1 unsuppressed finding at or above high \(1 high\): GHSA-xxxx \(high\)/)]);
    });

    it('denies a scan without verified vulnerability data instead of reading it as clean', async () => {
      const { repo } = await attestedImage('pol-nodata', () => [vulnWith({ verdict: 'unknown', findings: [] })]);
      expect((await check(repo, 'vulnerabilities: { failOn: critical }')).reasons).toEqual([expect.stringMatching(/verdict is "unknown": it had no verified vulnerability data/)]);
    });

    it('denies an incomplete scan, quoting what it missed', async () => {
      const { repo } = await attestedImage('pol-incomplete', () => [vulnWith({ verdict: 'incomplete', gaps: [{ message: 'no vulnerability data for alpine 3.20' }], findings: [] })]);
      expect((await check(repo, 'vulnerabilities: { failOn: critical }')).reasons).toEqual([
        expect.stringMatching(/^vulnerabilities: the vulnerability attestation cannot be judged: the scan was incomplete \(verdict "incomplete"\), so its findings are not the whole story: "no vulnerability data for alpine 3\.20"/),
      ]);
    });

    it('a finding of unknown severity (a Debian OSV record rates none) denies under any failOn by default', async () => {
      const { repo } = await attestedImage('pol-unknown-sev', () => [vulnWith({ verdict: 'pass', findings: [{ id: 'DEBIAN-CVE-2026-3', severity: 'unknown' }] })]);
      expect((await check(repo, 'vulnerabilities: { failOn: critical }')).reasons).toEqual([
        expect.stringMatching(/^vulnerabilities: 1 unsuppressed finding at or above critical or of unknown severity \(1 unknown\): DEBIAN-CVE-2026-3 \(unknown\)/),
      ]);
    });
  });

  describe('provenance', () => {
    it('allows listed source repositories (normalised) and builders', async () => {
      expect((await check(shared.repo, `provenance: { sourceRepositories: ["git+https://GitHub.com/example/app.git"] }`)).allowed).toBe(true);
      expect((await check(shared.repo, `provenance: { builders: ["${BUILDER}"] }`)).allowed).toBe(true);
    });

    it('an empty list (what disjoint gate and request lists tighten to) denies, saying so', async () => {
      const out = await check(shared.repo, 'provenance: { sourceRepositories: [] }');
      expect(out.reasons).toEqual([expect.stringMatching(/^provenance: sourceRepositories is empty: no source repository is allowed, so every artifact is denied/)]);
    });

    it('denies another source repository and another builder, each with a reason', async () => {
      const out = await check(shared.repo, 'provenance: { sourceRepositories: ["https://github.com/example/other"], builders: ["https://ci.example.com/builder"] }');
      expect(out.reasons).toEqual([
        expect.stringMatching(/^provenance: built from https:\/\/github\.com\/example\/app, not from https:\/\/github\.com\/example\/other/),
        expect.stringMatching(/^provenance: built by https:\/\/github\.com\/example\/app\/\.github\/workflows\/build\.yml, not by https:\/\/ci\.example\.com\/builder/),
      ]);
    });
  });

  describe('maxAge (injected clock)', () => {
    it('allows attestations younger than the maximum age', async () => {
      expect((await check(shared.repo, 'maxAge: 2d\nattestations: [slsaprovenance1, vuln]', { now: at('2026-03-02T10:00:00Z') })).allowed).toBe(true);
    });

    it('denies attestations older than the maximum age, per type overrides included', async () => {
      const out = await check(shared.repo, 'maxAge: 30d\nattestations: [slsaprovenance1, { type: vuln, maxAge: 12h }]', { now: at('2026-03-02T10:00:00Z') });
      expect(out.reasons).toEqual([expect.stringMatching(/^vuln attestation: the newest \(.*\) is from 2026-03-01T10:05:00\.000Z, 23\.9h old, more than the maximum age 12h/)]);
      const later = await check(shared.repo, 'maxAge: 1w\nattestations: [slsaprovenance1, vuln]', { now: at('2026-04-01T00:00:00Z') });
      expect(later.reasons).toHaveLength(2);
    });
  });
});

describe('verify --policy: forged evidence is denied with a reason', () => {
  const requireVuln = 'signature: false\nevidence: att\nattestations: [vuln]';

  async function bare(prefix: string): Promise<{ repo: string; digest: string }> {
    const repo = uniqueRepo(prefix);
    const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'etc/id', content: repo }]] });
    return { repo, digest: image.manifest.descriptor.digest };
  }

  it('a DSSE envelope whose payloadType was changed after signing', async () => {
    const { repo, digest } = await bare('forge-ptype');
    const forged = forgeEnvelope({ key: k1, subjectDigest: digest, predicateType: PREDICATE_TYPES.vuln, envelopePayloadType: 'application/vnd.in-toto.vuln+json' });
    await pushAttestationLayer(source(repo), digest, forged.envelope, PREDICATE_TYPES.vuln);
    const out = await check(repo, requireVuln);
    expect(out.allowed).toBe(false);
    expect(out.reasons[0]).toMatch(/layer 0: payloadType "application\/vnd\.in-toto\.vuln\+json" is not application\/vnd\.in-toto\+json/);
    // Restoring the payloadType only: the signature is over the original PAE, so it verifies again.
    const restored = { ...forged.envelope, payloadType: 'application/vnd.in-toto+json' };
    await pushAttestationLayer(source(repo), digest, restored, PREDICATE_TYPES.vuln);
    expect((await check(repo, requireVuln)).allowed).toBe(true);
  });

  it('a payloadType changed together with what was signed (signature over another PAE)', async () => {
    const { repo, digest } = await bare('forge-ptype2');
    const forged = forgeEnvelope({ key: k1, subjectDigest: digest, predicateType: PREDICATE_TYPES.vuln, signedPayloadType: 'application/json', envelopePayloadType: 'application/vnd.in-toto+json' });
    await pushAttestationLayer(source(repo), digest, forged.envelope, PREDICATE_TYPES.vuln);
    expect((await check(repo, requireVuln)).reasons[0]).toMatch(/layer 0: DSSE signature does not verify with key k1\.pub/);
  });

  it('a statement whose subject digest differs from REF\'s', async () => {
    const { repo, digest } = await bare('forge-subject');
    const other = `sha256:${'e'.repeat(64)}`;
    const forged = forgeEnvelope({ key: k1, subjectDigest: other, predicateType: PREDICATE_TYPES.vuln });
    await pushAttestationLayer(source(repo), digest, forged.envelope, PREDICATE_TYPES.vuln);
    expect((await check(repo, requireVuln)).reasons[0]).toMatch(new RegExp(`layer 0: statement subject ${other} is not ${digest}`));
  });

  it('a predicateType annotation that disagrees with the statement', async () => {
    const { repo, digest } = await bare('forge-annotation');
    const forged = forgeEnvelope({ key: k1, subjectDigest: digest, predicateType: PREDICATE_TYPES.slsaprovenance1 });
    await pushAttestationLayer(source(repo), digest, forged.envelope, PREDICATE_TYPES.vuln);
    expect((await check(repo, requireVuln)).reasons[0]).toMatch(
      /layer 0: predicateType annotation https:\/\/cosign\.sigstore\.dev\/attestation\/vuln\/v1 disagrees with the statement's predicateType https:\/\/slsa\.dev\/provenance\/v1/,
    );
  });

  it('an attestation signed by another key', async () => {
    const { repo, digest } = await bare('forge-key');
    const forged = forgeEnvelope({ key: k2, subjectDigest: digest, predicateType: PREDICATE_TYPES.vuln });
    await pushAttestationLayer(source(repo), digest, forged.envelope, PREDICATE_TYPES.vuln);
    expect((await check(repo, requireVuln)).reasons[0]).toMatch(/layer 0: DSSE signature does not verify with key k1\.pub/);
  });

  it('a bundle whose artifact (statement subject) digest differs', async () => {
    const { repo, digest } = await bare('forge-bundle');
    const other = `sha256:${'f'.repeat(64)}`;
    const forged = forgeEnvelope({ key: k1, subjectDigest: other, predicateType: PREDICATE_TYPES.vuln });
    await pushBundleReferrer(source(repo), digest, forged, k1, PREDICATE_TYPES.vuln);
    const out = await check(repo, 'signature: false\nevidence: bundle\nattestations: [vuln]');
    expect(out.allowed).toBe(false);
    expect(out.reasons[0]).toMatch(new RegExp(`bundle referrer sha256:[0-9a-f]{64}: statement subject ${other} is not ${digest}`));
    expect(out.rejected).toHaveLength(1);
  });

  it('a bundle signed by another key, and one whose predicateType annotation disagrees', async () => {
    const { repo, digest } = await bare('forge-bundle2');
    await pushBundleReferrer(source(repo), digest, forgeEnvelope({ key: k2, subjectDigest: digest, predicateType: PREDICATE_TYPES.vuln }), k2, PREDICATE_TYPES.vuln);
    await pushBundleReferrer(source(repo), digest, forgeEnvelope({ key: k1, subjectDigest: digest, predicateType: PREDICATE_TYPES.cyclonedx }), k1, PREDICATE_TYPES.vuln);
    const out = await check(repo, 'signature: false\nevidence: bundle\nattestations: [vuln]');
    expect(out.reasons[0]).toMatch(/bundle signature does not verify \(k1\.pub: .*\)/);
    expect(out.reasons[0]).toMatch(/dev\.sigstore\.bundle\.predicateType annotation https:\/\/cosign\.sigstore\.dev\/attestation\/vuln\/v1 disagrees with the statement's predicateType https:\/\/cyclonedx\.org\/bom/);
  });

  it('forged evidence beside a genuine attestation is reported but does not deny', async () => {
    const { repo, digest } = await bare('forge-beside');
    await pushAttestationLayer(source(repo), digest, forgeEnvelope({ key: k2, subjectDigest: digest, predicateType: PREDICATE_TYPES.vuln }).envelope, PREDICATE_TYPES.vuln);
    await attestArtifact({ source: source(repo), signer, statements: [vulnWith(clean)], bundles: new FsBlobStore(`${work}/b`), bundleKeyPrefix: repo });
    const out = await check(repo, requireVuln);
    expect(out.allowed).toBe(true);
    expect(out.rejected).toEqual([{ origin: expect.stringMatching(/layer 0$/), claimedType: PREDICATE_TYPES.vuln, reason: expect.stringMatching(/does not verify/) }]);
  });
});
