import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IntegrityError } from '../../../lambdas/core/errors';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import { InspectorOpinionSource, type Inspector2Client } from '../../../lambdas/adapters/aws/inspector-opinions';
import { parseOpinion } from '../../../lambdas/vuln/imports/parse';
import type { OpinionSource } from '../../../lambdas/vuln/imports/opinion-source';
import { renderAlert } from '../../../lambdas/workflow/alert-message';
import { recordOpinion, ledgerOpinionSource } from '../../../lambdas/workflow/opinion-evidence';
import type { SbomSummary, WorkflowState } from '../../../lambdas/workflow/state';
import { alertsFor } from '../../../lambdas/workflow/steps/notify';
import { createScanStep } from '../../../lambdas/workflow/steps/scan';
import { MemoryRecordStore } from '../../support/memory-record-store';
import { fixtureSource, MemoryBlobStore } from '../vuln/helpers';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'second-opinions');
const read = (name: string): string => fs.readFileSync(path.join(DIR, name), 'utf8');
const NOW = new Date('2026-12-01T00:00:00Z');
const A = 'sha256:f2a61ba65c935c5868393b3ed04e77361ceb199befab765a91a4a7d4456da6d2';
const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app';

async function stateWithSbom(evidence: MemoryBlobStore): Promise<WorkflowState> {
  const body = Buffer.from(read('app.cdx.json'));
  const key = `evidence/${REPO}/${A.replace(':', '-')}/sbom/app.cdx.json`;
  await evidence.put(key, body, 'application/json');
  const stored = { key, location: `mem://${key}`, sha256: createHash('sha256').update(body).digest('hex') };
  const sbom: SbomSummary = { components: 2, uninventoried: [], documents: [{ manifestDigest: A, components: 2, byType: { library: 2 }, warnings: 0, gaps: 0, gapLines: [], cyclonedx: stored, spdx: stored }] };
  return {
    artifact: { source: `registry:${REPO}@${A}`, repositoryName: REPO, digest: A, mediaType: 'application/vnd.oci.image.manifest.v1+json', kind: 'image', platforms: [], targets: [], provenance: {}, trigger: { type: 'manual', id: 't', time: NOW.toISOString() }, duplicate: false },
    sbom,
  } as unknown as WorkflowState;
}

const inspectorDouble: Inspector2Client = { listFindings: () => Promise.resolve({ findings: (JSON.parse(read('inspector-findings.json')) as { findings: unknown[] }).findings }) };

describe('Scan step with second opinions', () => {
  it('merges Inspector and reports imported into the ledger; the summary and the alert say who reported what', async () => {
    const evidence = new MemoryBlobStore();
    const records = new MemoryRecordStore();
    const state = await stateWithSbom(evidence);
    const grype = read('grype.json');
    await recordOpinion({ records, evidence }, { repositoryName: REPO, digest: A, manifest: A }, parseOpinion(grype, 'grype.json'), Buffer.from(grype), 'local:test', NOW);
    const vex = read('vex.cdx.json');
    await recordOpinion({ records, evidence }, { repositoryName: REPO, digest: A, manifest: A }, parseOpinion(vex, 'vex.cdx.json'), Buffer.from(vex), 'local:test', NOW);
    const step = createScanStep({ source: fixtureSource(), evidence, threshold: 'high', metrics: new InMemoryMetrics(), now: () => NOW, opinions: [new InspectorOpinionSource(inspectorDouble), ledgerOpinionSource({ records, evidence })] });
    const out = await step(state);

    expect(out.verdict).toBe('fail');
    expect(out.findingsAboveThreshold.map((f) => [f.id, f.sources])).toEqual([
      ['CVE-2021-23337', ['amazon-inspector:high']],
      ['GHSA-vh95-rmgr-6w4m', ['ours:medium', 'grype:high', 'vexctl-like review:not_affected']],
    ]);
    expect(out.sources?.map((s) => s.name)).toEqual(['artifact-guard', 'amazon-inspector', 'grype', 'vexctl-like review']);
    expect(out.disagreements).toEqual([expect.stringMatching(/^GHSA-vh95-rmgr-6w4m in pkg:npm\/minimist@1\.2\.0: reported by artifact-guard \(medium\), grype \(high\); ruled out by vexctl-like review/)]);

    const [alert] = alertsFor({ ...state, scan: out } as WorkflowState);
    const text = renderAlert(alert?.type ?? 'Vulnerabilities Found', alert?.detail ?? {}).text;
    expect(text).toContain('CVE-2021-23337 (high) in pkg:npm/lodash@4.17.20 4.17.20, fixed in 4.17.21; reported by amazon-inspector:high');
    expect(text).toMatch(/sources disagree: GHSA-vh95-rmgr-6w4m in pkg:npm\/minimist@1\.2\.0: .* \(still counted\)/);
    expect(text).toMatch(/scanned by artifact-guard 0\.1\.0 .*; amazon-inspector .*; grype 0\.84\.0/);
  });

  it('fails the run when a source returns a report about another image (never merged)', async () => {
    const evidence = new MemoryBlobStore();
    const state = await stateWithSbom(evidence);
    const wrong: OpinionSource = { name: 'broken', opinionsFor: () => Promise.resolve([parseOpinion(read('trivy-other-image.json'), 'other.json')]) };
    const step = createScanStep({ source: fixtureSource(), evidence, threshold: 'high', metrics: new InMemoryMetrics(), now: () => NOW, opinions: [wrong] });
    await expect(step(state)).rejects.toThrow(IntegrityError);
  });

  it('refuses a ledger record whose evidence was changed after it was written', async () => {
    const evidence = new MemoryBlobStore();
    const records = new MemoryRecordStore();
    const grype = read('grype.json');
    const recorded = await recordOpinion({ records, evidence }, { repositoryName: REPO, digest: A, manifest: A }, parseOpinion(grype, 'grype.json'), Buffer.from(grype), 'local:test', NOW);
    const key = (recorded.summary.evidence as { key: string }).key;
    await evidence.put(key, Buffer.from(grype.replace('"High"', '"Low"')), 'application/json');
    await expect(ledgerOpinionSource({ records, evidence }).opinionsFor({ repositoryName: REPO, digest: A, manifests: [A] })).rejects.toThrow(/was modified after it was written/);
  });
});
