import { createHash } from 'node:crypto';
import { IntegrityError, UnavailableError } from '../../../lambdas/core/errors';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import type { VulnerabilitySource } from '../../../lambdas/vuln/vulnerability-source';
import type { ScanReport } from '../../../lambdas/vuln/report';
import type { WorkflowState } from '../../../lambdas/workflow/state';
import { MetricName } from '../../../lambdas/core/metric-names';
import type { SbomSummary } from '../../../lambdas/workflow/state';
import { createScanStep, MAX_LISTED_FINDINGS } from '../../../lambdas/workflow/steps/scan';
import { cdxDocument, fixtureSource, MemoryBlobStore } from './helpers';

const NOW = new Date('2026-06-01T00:00:00Z');
const PREFIX = 'evidence/registry.example/app/sha256-aaaa';

function state(sbom: SbomSummary | undefined): WorkflowState {
  return {
    artifact: {
      source: 'registry:registry.example/app@sha256:aaaa',
      repositoryName: 'registry.example/app',
      digest: 'sha256:aaaa',
      mediaType: 'application/vnd.oci.image.index.v1+json',
      kind: 'index',
      platforms: [],
      targets: [],
      provenance: {},
      trigger: { type: 'manual', id: 't', time: NOW.toISOString() },
      duplicate: false,
    },
    ...(sbom ? { sbom } : {}),
  } as WorkflowState;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Two platforms, as the SBOM step stores them. */
async function twoPlatforms(store: MemoryBlobStore, amd64: string[], arm64: string[]): Promise<SbomSummary> {
  const docs = [
    { manifestDigest: 'sha256:1111', platform: 'linux/amd64', purls: amd64 },
    { manifestDigest: 'sha256:2222', platform: 'linux/arm64', purls: arm64 },
  ];
  const stored = async (key: string, body: Buffer) => {
    await store.put(key, body, 'application/json');
    return { key, location: `mem://${key}`, sha256: sha256(body) };
  };
  const documents: SbomSummary['documents'][number][] = [];
  for (const d of docs) {
    const name = `${PREFIX}/sbom/${d.manifestDigest.replace(':', '-')}`;
    documents.push({
      manifestDigest: d.manifestDigest,
      platform: d.platform,
      components: d.purls.length,
      byType: {},
      warnings: 0,
      gaps: 0,
      gapLines: [],
      cyclonedx: await stored(`${name}.cdx.json`, Buffer.from(JSON.stringify(cdxDocument(d.purls)))),
      spdx: await stored(`${name}.spdx.json`, Buffer.from('{}')),
    });
  }
  return { components: amd64.length + arm64.length, documents, uninventoried: [] };
}

const MUSL = 'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1';
const LODASH = 'pkg:npm/lodash@4.17.15';
const SSL = 'pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl';

describe('Scan step', () => {
  it('scans every platform SBOM, stores each report beside it and returns a small summary', async () => {
    const evidence = new MemoryBlobStore();
    const metrics = new InMemoryMetrics();
    const sbom = await twoPlatforms(evidence, [MUSL, LODASH, SSL], [MUSL]);
    const step = createScanStep({ source: fixtureSource(), evidence, threshold: 'high', metrics, now: () => NOW });
    const out = await step(state(sbom));

    expect(out.verdict).toBe('fail');
    expect(out.threshold).toBe('high');
    expect(out.counts).toMatchObject({ high: 3, unknown: 1, critical: 0 });
    // DLA-3008-1 has no severity anywhere in the data: it counts as at or above the threshold.
    expect(out.findingsAboveThresholdTotal).toBe(4);
    expect(out.findingsAboveThreshold.map((f) => f.id).sort()).toEqual(['ALPINE-CVE-2025-26519', 'ALPINE-CVE-2025-26519', 'DLA-3008-1', 'GHSA-p6mc-m468-83gw']);
    expect(out.findingsAboveThreshold.find((f) => f.id === 'GHSA-p6mc-m468-83gw')).toEqual({ id: 'GHSA-p6mc-m468-83gw', severity: 'high', package: LODASH, version: '4.17.15', fixed: ['4.17.20'] });
    expect(out.data).toMatchObject({ recordCount: 37, source: expect.stringMatching(/^osv-dir:/) });
    expect(out.reports.map((r) => [r.manifestDigest, r.platform, r.verdict])).toEqual([
      ['sha256:1111', 'linux/amd64', 'fail'],
      ['sha256:2222', 'linux/arm64', 'fail'],
    ]);
    for (const r of out.reports) {
      const body = evidence.blobs.get(r.key) as Buffer;
      // Write-once and content-addressed: the key carries the start of the report's hash.
      expect(r.key).toBe(`${PREFIX}/scan/${r.manifestDigest.replace(':', '-')}.${sha256(body).slice(0, 16)}.json`);
      expect(r.sha256).toBe(sha256(body));
      expect(r.location).toBe(`mem://${r.key}`);
      const report = JSON.parse(body.toString()) as ScanReport;
      expect(report.generatedAt).toBe(NOW.toISOString());
      expect(report.data.recordCount).toBe(37);
    }
    expect(metrics.counts.get(MetricName.vulnerabilitiesFound)).toBe(4);
    expect(JSON.stringify(out).length).toBeLessThan(4096);
  });

  it('passes when nothing reaches the threshold', async () => {
    const evidence = new MemoryBlobStore();
    // minimist 1.2.0: GHSA-vh95-rmgr-6w4m, medium.
    const sbom = await twoPlatforms(evidence, ['pkg:npm/minimist@1.2.0'], ['pkg:npm/lodash@4.17.21']);
    const out = await createScanStep({ source: fixtureSource(), evidence, threshold: 'high', metrics: new InMemoryMetrics(), now: () => NOW })(state(sbom));
    expect(out).toMatchObject({ verdict: 'pass', findingsAboveThreshold: [], counts: { medium: 1 } });
  });

  it('a finding of unknown severity is not a pass', async () => {
    const evidence = new MemoryBlobStore();
    const sbom = await twoPlatforms(evidence, [SSL], ['pkg:npm/lodash@4.17.21']);
    const out = await createScanStep({ source: fixtureSource(), evidence, threshold: 'high', metrics: new InMemoryMetrics(), now: () => NOW })(state(sbom));
    expect(out).toMatchObject({ verdict: 'fail', counts: { unknown: 1 }, findingsAboveThreshold: [{ id: 'DLA-3008-1', severity: 'unknown' }] });
  });

  it('lists at most 20 findings above the threshold, with the total', async () => {
    const evidence = new MemoryBlobStore();
    const many = Array.from({ length: 30 }, (_, i) => `pkg:npm/lodash@4.17.${i < 10 ? i + 1 : 15}?n=${i}`);
    const sbom = await twoPlatforms(evidence, many, []);
    const out = await createScanStep({ source: fixtureSource(), evidence, threshold: 'medium', metrics: new InMemoryMetrics(), now: () => NOW })(state(sbom));
    expect(out.findingsAboveThreshold).toHaveLength(MAX_LISTED_FINDINGS);
    expect(out.findingsAboveThresholdTotal).toBeGreaterThan(MAX_LISTED_FINDINGS);
  });

  it('without a data source the verdict is incomplete, with the reason, never pass', async () => {
    const evidence = new MemoryBlobStore();
    const sbom = await twoPlatforms(evidence, [MUSL], []);
    const out = await createScanStep({ source: undefined, evidence, threshold: 'high', metrics: new InMemoryMetrics(), now: () => NOW })(state(sbom));
    expect(out).toMatchObject({ verdict: 'incomplete', reason: expect.stringMatching(/no vulnerability data source/), reports: [] });
    expect([...evidence.blobs.keys()].some((k) => k.includes('/scan/'))).toBe(false);
  });

  it('an artifact without an inventory is incomplete unless the operator accepts it (skipped); no SBOM at all is incomplete', async () => {
    const deps = { source: fixtureSource(), evidence: new MemoryBlobStore(), threshold: 'high' as const, metrics: new InMemoryMetrics(), now: () => NOW };
    const chart = { documents: [], components: 0, uninventoried: [{ digest: 'sha256:aaaa', reason: 'a Helm chart has no container filesystem to inventory' }] };
    const refused = await createScanStep(deps)(state(chart));
    expect(refused).toMatchObject({ verdict: 'incomplete', gapsTotal: 1 });
    expect(refused.reason).toMatch(/^manifest sha256:aaaa was not inventoried: a Helm chart .*signUninventoriedArtifacts/);
    expect(await createScanStep({ ...deps, acceptUninventoried: true })(state(chart))).toMatchObject({ verdict: 'skipped', gaps: [] });
    // Accepting uninventoried artifacts never covers an uninventoried platform of an index.
    const child = { documents: [], components: 0, uninventoried: [{ digest: 'sha256:bbbb', platform: 'linux/arm64', reason: 'not an image config' }] };
    expect((await createScanStep({ ...deps, acceptUninventoried: true })(state(child))).verdict).toBe('incomplete');
    expect((await createScanStep(deps)(state(undefined))).verdict).toBe('incomplete');
  });

  it('an artifact of opaque files only is incomplete, with the hint; the operator\'s opt-in covers it, never a mixed one', async () => {
    const deps = { source: fixtureSource(), threshold: 'high' as const, metrics: new InMemoryMetrics(), now: () => NOW };
    const single = async (purls: string[], byType: Record<string, number>) => {
      const evidence = new MemoryBlobStore();
      const sbom = await twoPlatforms(evidence, purls, []);
      const [doc] = sbom.documents;
      return { evidence, sbom: { ...sbom, documents: [{ ...doc!, manifestDigest: 'sha256:aaaa', byType }] } };
    };
    const firmware = await single([`pkg:generic/fw.bin?checksum=sha256:${'ab'.repeat(32)}`], { file: 1 });
    const refused = await createScanStep({ ...deps, evidence: firmware.evidence })(state(firmware.sbom));
    expect(refused).toMatchObject({ verdict: 'incomplete', reason: expect.stringMatching(/purl type "generic" has no OSV ecosystem.*signUninventoriedArtifacts/) });
    const accepted = await createScanStep({ ...deps, evidence: firmware.evidence, acceptUninventoried: true })(state(firmware.sbom));
    expect(accepted).toMatchObject({ verdict: 'skipped', reason: expect.stringMatching(/only opaque files/) });
    expect(accepted.reports.map((r) => r.verdict)).toEqual(['incomplete']);
    expect(await createScanStep({ ...deps, source: undefined, evidence: firmware.evidence, acceptUninventoried: true })(state(firmware.sbom))).toMatchObject({ verdict: 'skipped', reports: [] });
    const mixed = await single([`pkg:generic/fw.bin?checksum=sha256:${'ab'.repeat(32)}`, 'pkg:npm/lodash@4.17.21'], { file: 1, npm: 1 });
    expect((await createScanStep({ ...deps, evidence: mixed.evidence, acceptUninventoried: true })(state(mixed.sbom))).verdict).toBe('incomplete');
  });

  it('a chart\'s own components and the images it references are listed as not scanned, not gaps', async () => {
    const evidence = new MemoryBlobStore();
    const sbom = await twoPlatforms(evidence, ['pkg:helm/webshop@1.4.2', 'pkg:helm/redis@17.3.2?repository_url=https%3A%2F%2Fcharts.bitnami.com%2Fbitnami', 'pkg:oci/busybox?repository_url=docker.io%2Flibrary%2Fbusybox&tag=1.36.1', 'pkg:npm/lodash@4.17.21'], []);
    const out = await createScanStep({ source: fixtureSource(), evidence, threshold: 'high', metrics: new InMemoryMetrics(), now: () => NOW })(state({ ...sbom, documents: sbom.documents.slice(0, 1) }));
    expect(out).toMatchObject({ verdict: 'pass', gapsTotal: 0 });
    const report = JSON.parse((await evidence.get(out.reports[0]!.key))!.toString()) as ScanReport;
    expect(report.summary).toMatchObject({ components: 4, scanned: 1, notScanned: 3 });
    expect(report.notScanned.map((n) => n.reason)).toEqual([expect.stringMatching(/^a Helm chart/), expect.stringMatching(/^a Helm chart/), expect.stringMatching(/^an OCI artifact/)]);
  });

  it('carries the SBOM step\'s inventory gaps into the report and the verdict', async () => {
    const evidence = new MemoryBlobStore();
    const sbom = await twoPlatforms(evidence, ['pkg:npm/lodash@4.17.21'], ['pkg:npm/lodash@4.17.21']);
    const gapped = { ...sbom, documents: sbom.documents.map((d, i) => (i === 1 ? { ...d, gaps: 3, gapLines: ['layer sha256:cc has media type x, not a filesystem layer'] } : d)) };
    const out = await createScanStep({ source: fixtureSource(), evidence, threshold: 'high', metrics: new InMemoryMetrics(), now: () => NOW })(state(gapped));
    expect(out.verdict).toBe('incomplete');
    expect(out.gaps).toEqual(['linux/arm64: layer sha256:cc has media type x, not a filesystem layer', 'linux/arm64: 2 more inventory gap(s) of sha256:2222: see its SBOM']);
    expect(out.reports.map((r) => r.verdict)).toEqual(['pass', 'incomplete']);
  });

  it('refuses an SBOM that changed after the SBOM step wrote it', async () => {
    const evidence = new MemoryBlobStore();
    const sbom = await twoPlatforms(evidence, ['pkg:npm/lodash@4.17.21'], []);
    await evidence.put(sbom.documents[0]!.cyclonedx.key, Buffer.from(JSON.stringify(cdxDocument(['pkg:npm/lodash@4.17.22']))), 'application/json');
    await expect(createScanStep({ source: fixtureSource(), evidence, threshold: 'high', metrics: new InMemoryMetrics(), now: () => NOW })(state(sbom))).rejects.toThrow(IntegrityError);
  });

  it('an unavailable source fails the step with UnavailableError (the state machine retries, then alerts)', async () => {
    const evidence = new MemoryBlobStore();
    const sbom = await twoPlatforms(evidence, [MUSL], []);
    const down: VulnerabilitySource = {
      recordsFor: async () => {
        throw new UnavailableError('OSV API https://api.osv.dev unavailable: POST /v1/querybatch: HTTP 503 (5 attempts)');
      },
      describe: async () => ({ source: 'osv-api:https://api.osv.dev', recordCount: 0, warnings: [] }),
      coverage: async () => ({ covers: () => true }),
      recordsById: async () => [],
    };
    await expect(createScanStep({ source: down, evidence, threshold: 'high', metrics: new InMemoryMetrics(), now: () => NOW })(state(sbom))).rejects.toThrow(UnavailableError);
  });

  it('a missing or malformed SBOM document is an error, not a clean scan', async () => {
    const evidence = new MemoryBlobStore();
    const sbom = await twoPlatforms(evidence, [MUSL], []);
    const deps = { source: fixtureSource(), evidence, threshold: 'high' as const, metrics: new InMemoryMetrics(), now: () => NOW };
    const spdx = Buffer.from('{"spdxVersion":"SPDX-2.3"}');
    await evidence.put(sbom.documents[1]?.cyclonedx.key as string, spdx, 'application/json');
    const misfiled = { ...sbom, documents: sbom.documents.map((d, i) => (i === 1 ? { ...d, cyclonedx: { ...d.cyclonedx, sha256: sha256(spdx) } } : d)) };
    await expect(createScanStep(deps)(state(misfiled))).rejects.toThrow(/not a CycloneDX JSON SBOM/);
    evidence.blobs.delete(sbom.documents[1]?.cyclonedx.key as string);
    await expect(createScanStep(deps)(state(sbom))).rejects.toThrow(/is missing from the evidence store/);
  });
});
