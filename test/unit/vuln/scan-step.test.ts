import { createHash } from 'node:crypto';
import { UnavailableError } from '../../../lambdas/core/errors';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import type { VulnerabilitySource } from '../../../lambdas/ports/vulnerability-source';
import type { ScanReport } from '../../../lambdas/vuln/report';
import type { WorkflowState } from '../../../lambdas/workflow/state';
import { MetricName } from '../../../lambdas/workflow/states';
import type { SbomSummary } from '../../../lambdas/workflow/steps/sbom';
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
      provenance: {},
      trigger: { type: 'manual', id: 't', time: NOW.toISOString() },
      duplicate: false,
    },
    ...(sbom ? { sbom } : {}),
  } as WorkflowState;
}

const stored = (key: string) => ({ key, location: `mem://${key}`, sha256: 'x' });

/** Two platforms, as the SBOM step stores them. */
async function twoPlatforms(store: MemoryBlobStore, amd64: string[], arm64: string[]): Promise<SbomSummary> {
  const docs = [
    { manifestDigest: 'sha256:1111', platform: 'linux/amd64', purls: amd64 },
    { manifestDigest: 'sha256:2222', platform: 'linux/arm64', purls: arm64 },
  ];
  for (const d of docs) await store.put(`${PREFIX}/sbom/${d.manifestDigest.replace(':', '-')}.cdx.json`, Buffer.from(JSON.stringify(cdxDocument(d.purls))), 'application/json');
  return {
    components: amd64.length + arm64.length,
    documents: docs.map((d) => ({
      manifestDigest: d.manifestDigest,
      platform: d.platform,
      components: d.purls.length,
      byType: {},
      warnings: 0,
      cyclonedx: stored(`${PREFIX}/sbom/${d.manifestDigest.replace(':', '-')}.cdx.json`),
      spdx: stored(`${PREFIX}/sbom/${d.manifestDigest.replace(':', '-')}.spdx.json`),
    })),
  };
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
    expect(out.reports.map((r) => [r.manifestDigest, r.platform, r.key, r.verdict])).toEqual([
      ['sha256:1111', 'linux/amd64', `${PREFIX}/scan/sha256-1111.json`, 'fail'],
      ['sha256:2222', 'linux/arm64', `${PREFIX}/scan/sha256-2222.json`, 'fail'],
    ]);
    for (const r of out.reports) {
      const body = evidence.blobs.get(r.key) as Buffer;
      expect(r.sha256).toBe(createHash('sha256').update(body).digest('hex'));
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

  it('an artifact without SBOM documents is skipped with the SBOM step\'s reason; no SBOM at all is incomplete', async () => {
    const deps = { source: fixtureSource(), evidence: new MemoryBlobStore(), threshold: 'high' as const, metrics: new InMemoryMetrics(), now: () => NOW };
    expect(await createScanStep(deps)(state({ documents: [], components: 0, skipped: 'a helm-chart has no container filesystem to catalog' }))).toMatchObject({
      verdict: 'skipped',
      reason: 'a helm-chart has no container filesystem to catalog',
    });
    expect((await createScanStep(deps)(state(undefined))).verdict).toBe('incomplete');
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
    await evidence.put(sbom.documents[1]?.cyclonedx.key as string, Buffer.from('{"spdxVersion":"SPDX-2.3"}'), 'application/json');
    await expect(createScanStep(deps)(state(sbom))).rejects.toThrow(/not a CycloneDX JSON SBOM/);
    evidence.blobs.delete(sbom.documents[1]?.cyclonedx.key as string);
    await expect(createScanStep(deps)(state(sbom))).rejects.toThrow(/is missing from the evidence store/);
  });
});
