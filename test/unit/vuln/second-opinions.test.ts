import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError } from '../../../lambdas/core/errors';
import { parseOpinion } from '../../../lambdas/vuln/imports/parse';
import { assignOpinions } from '../../../lambdas/vuln/imports/subject-check';
import { scanTable } from '../../../lambdas/vuln/render-table';
import { blockingFindings } from '../../../lambdas/vuln/report';
import { scanSbom } from '../../../lambdas/vuln/scan';
import { parseScanSbom } from '../../../lambdas/vuln/sbom-input';
import { parseVexDocument } from '../../../lambdas/vuln/suppress';
import { fixtureSource } from './helpers';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'second-opinions');
const read = (name: string): string => fs.readFileSync(path.join(DIR, name), 'utf8');
const opinion = (name: string) => parseOpinion(read(name), name);
const NOW = new Date('2026-12-01T00:00:00Z');
const A = 'sha256:f2a61ba65c935c5868393b3ed04e77361ceb199befab765a91a4a7d4456da6d2';
const sbom = () => parseScanSbom(read('app.cdx.json'), 'app.cdx.json');

async function scan(files: readonly string[], opts: { sources?: 'ours' | 'all'; vex?: string } = {}) {
  return scanSbom(sbom(), fixtureSource(), {
    now: NOW,
    threshold: 'high',
    opinions: files.map(opinion),
    ...(opts.sources ? { sources: opts.sources } : {}),
    ...(opts.vex ? { rules: { ignore: [], vex: parseVexDocument(read(opts.vex), opts.vex) } } : {}),
  });
}

describe('second opinions merged into the verdict', () => {
  it('our scan alone passes: minimist is medium, lodash 4.17.20 has no record in our data', async () => {
    const r = await scan([]);
    expect(r.verdict).toBe('pass');
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['GHSA-vh95-rmgr-6w4m', 'medium']]);
    expect(r.sources).toBeUndefined();
  });

  it('Trivy adds CVE-2021-23337 and Grype rates minimist high: the merged verdict fails on both', async () => {
    const r = await scan(['trivy.json', 'grype.json']);
    expect(r.verdict).toBe('fail');
    expect(r.sourcesCounted).toBe('all');
    const blocking = blockingFindings(r).map((f) => [f.id, f.component.purl, f.severity]);
    expect(blocking).toEqual([
      ['CVE-2021-23337', 'pkg:npm/lodash@4.17.20', 'high'],
      ['GHSA-vh95-rmgr-6w4m', 'pkg:npm/minimist@1.2.0', 'high'],
    ]);
    // One finding per vulnerability and component: Trivy's CVE-2020-7598 and Grype's GHSA joined ours by alias.
    expect(r.findings).toHaveLength(2);
    const minimist = r.findings.find((f) => f.component.purl === 'pkg:npm/minimist@1.2.0');
    expect(minimist?.sources?.map((s) => [s.name, s.id, s.severity])).toEqual([
      ['artifact-guard', 'GHSA-vh95-rmgr-6w4m', 'medium'],
      ['trivy', 'CVE-2020-7598', 'medium'],
      ['grype', 'GHSA-vh95-rmgr-6w4m', 'high'],
    ]);
    expect(minimist?.fixed).toEqual(['0.2.1', '1.2.3']);
    const lodash = r.findings.find((f) => f.id === 'CVE-2021-23337');
    expect(lodash).toMatchObject({ matchedBy: 'opinion', records: [], fixed: ['4.17.21'], summary: 'nodejs-lodash: command injection via template' });
    expect(lodash?.sources?.map((s) => s.name)).toEqual(['trivy']);
    expect(r.sources?.map((s) => [s.name, s.version, s.database?.updated, s.scannedAt, s.findings])).toEqual([
      ['artifact-guard', '0.1.0', expect.any(String), NOW.toISOString(), 1],
      ['trivy', undefined, undefined, '2026-11-30T10:05:12.457662Z', 2],
      ['grype', '0.84.0', '2026-11-29T01:31:42Z', '2026-11-30T10:07:44.120811Z', 1],
    ]);
    expect(r.disagreements).toEqual([]);
  });

  it('with sources: ours, second opinions are listed but only our findings count, at our severity', async () => {
    const r = await scan(['trivy.json', 'grype.json'], { sources: 'ours' });
    expect(r.verdict).toBe('pass');
    const lodash = r.findings.find((f) => f.id === 'CVE-2021-23337');
    expect(lodash?.suppression).toMatchObject({ by: 'sources', rule: 'sources: ours' });
    expect(r.findings.find((f) => f.component.name === 'minimist')?.severity).toBe('medium');
  });

  it('a VEX ruling given as a second opinion is a disagreement: listed, and the finding still counts', async () => {
    const r = await scan(['grype.json', 'vex.cdx.json']);
    expect(r.verdict).toBe('fail');
    expect(r.disagreements).toEqual([
      {
        id: 'GHSA-vh95-rmgr-6w4m',
        component: 'pkg:npm/minimist@1.2.0',
        reportedBy: [
          { source: 'artifact-guard', severity: 'medium' },
          { source: 'grype', severity: 'high' },
        ],
        ruledOutBy: [{ source: 'vexctl-like review', status: 'not_affected', detail: 'not_affected: code_not_reachable: minimist only parses our own fixed argv; NVD: medium' }],
      },
    ]);
    expect(r.warnings.some((w) => w.startsWith('sources disagree on GHSA-vh95-rmgr-6w4m'))).toBe(true);
    const table = scanTable(r);
    expect(table).toContain('1 disagreement(s)');
    expect(table).toMatch(/grype:HIGH/);
    // The same statement given as --vex is our own decision: it suppresses.
    const accepted = await scan(['grype.json'], { vex: 'vex.cdx.json' });
    expect(accepted.verdict).toBe('pass');
    expect(accepted.findings[0]?.suppression?.by).toBe('vex');
  });

  it('a finding only a VEX document rules out, reported by nobody, adds nothing', async () => {
    const r = await scan(['vex.cdx.json'], {});
    // Ours reports minimist; the VEX document rules it out: a disagreement, not a second finding.
    expect(r.findings).toHaveLength(1);
    const doc = JSON.parse(read('vex.cdx.json'));
    doc.vulnerabilities[0].id = 'CVE-2099-0001';
    doc.vulnerabilities[0].references = [];
    const only = await scanSbom(sbom(), fixtureSource(), { now: NOW, threshold: 'high', opinions: [parseOpinion(JSON.stringify(doc), 'v')] });
    expect(only.findings.map((f) => f.id)).toEqual(['GHSA-vh95-rmgr-6w4m']);
  });

  it('Inspector findings merge like any report; a package our SBOM lacks is kept and warned about', async () => {
    const doc = JSON.parse(read('inspector-findings.json'));
    doc.findings[1].status = 'ACTIVE';
    const r = await scanSbom(sbom(), fixtureSource(), { now: NOW, threshold: 'high', opinions: [parseOpinion(JSON.stringify(doc), 'inspector')] });
    expect(r.findings.map((f) => [f.id, f.component.bomRef]).sort()).toEqual([
      ['CVE-2020-8203', 'opinion:lodash@4.17.19'],
      ['CVE-2021-23337', 'pkg:npm/lodash@4.17.20'],
      ['GHSA-vh95-rmgr-6w4m', 'pkg:npm/minimist@1.2.0'],
    ]);
    expect(r.sources?.[1]?.unplaced).toEqual(['lodash@4.17.19']);
    expect(r.warnings.some((w) => /reports 1 package\(s\) our SBOM does not hold/.test(w))).toBe(true);
    expect(r.verdict).toBe('fail');
  });
});

describe('a report must be about the artifact being judged', () => {
  const judged = { root: A, manifest: A };
  it('refuses a report for another digest, naming both', () => {
    expect(() => assignOpinions([opinion('trivy-other-image.json')], [judged])).toThrow(BadInputError);
    expect(() => assignOpinions([opinion('trivy-other-image.json')], [judged])).toThrow(/trivy-other-image.json \(trivy\) is for sha256:f41408bf.*, not for sha256:f2a61ba6/);
  });
  it('refuses a report that names no digest', () => {
    const doc = JSON.parse(read('grype.json'));
    doc.source = { type: 'directory', target: '/app' };
    expect(() => assignOpinions([parseOpinion(JSON.stringify(doc), 'dir.json')], [judged])).toThrow(/names no image digest/);
  });
  it("accepts a report for an index's digest only for the platform it says it scanned", () => {
    const index = 'sha256:' + 'c'.repeat(64);
    const doc = JSON.parse(read('trivy.json'));
    doc.Metadata.RepoDigests = [`localhost:5000/app@${index}`];
    delete doc.Metadata.ImageID;
    doc.ArtifactName = 'localhost:5000/app:1.4';
    const report = parseOpinion(JSON.stringify(doc), 'index.json');
    const amd64 = { root: index, manifest: A, platform: 'linux/amd64' };
    const arm64 = { root: index, manifest: 'sha256:' + 'd'.repeat(64), platform: 'linux/arm64/v8' };
    expect(assignOpinions([report], [amd64, arm64]).map((list) => list.length)).toEqual([1, 0]);
    expect(() => assignOpinions([report], [arm64])).toThrow(/is for the index .* but does not say it scanned linux\/arm64\/v8 \(it scanned linux\/amd64\)/);
  });
  it('accepts the manifest digest directly (Grype, Clair, Inspector name the manifest)', () => {
    expect(assignOpinions([opinion('grype.json'), opinion('inspector-findings.json'), opinion('vex.cdx.json')], [judged])[0]).toHaveLength(3);
  });
});

describe('second opinions in the CycloneDX and SARIF outputs', () => {
  it('stay valid CycloneDX 1.6: a package only a second opinion reported is listed as a component', async () => {
    const { validateCycloneDx } = await import('../../../lambdas/sbom/writers/cyclonedx-validate');
    const { scanCycloneDx } = await import('../../../lambdas/vuln/render-cyclonedx');
    const { scanSarif } = await import('../../../lambdas/vuln/render-sarif');
    const doc = JSON.parse(read('inspector-findings.json'));
    doc.findings[1].status = 'ACTIVE';
    const input = sbom();
    const r = await scanSbom(input, fixtureSource(), { now: NOW, threshold: 'high', opinions: [parseOpinion(JSON.stringify(doc), 'inspector'), opinion('grype.json')] });
    const cdx = JSON.parse(scanCycloneDx(r, input.document));
    expect(await validateCycloneDx(JSON.stringify(cdx))).toEqual([]);
    const refs = new Set(cdx.components.map((c: { 'bom-ref': string }) => c['bom-ref']));
    for (const v of cdx.vulnerabilities) for (const a of v.affects) expect(refs.has(a.ref)).toBe(true);
    expect(cdx.components.find((c: { 'bom-ref': string }) => c['bom-ref'] === 'opinion:lodash@4.17.19')?.properties).toEqual([{ name: 'artifact-guard:reported-by', value: 'amazon-inspector' }]);
    const minimist = cdx.vulnerabilities.find((v: { id: string }) => v.id === 'GHSA-vh95-rmgr-6w4m');
    expect(minimist.properties).toContainEqual({ name: 'artifact-guard:sources', value: 'artifact-guard:medium grype:high' });
    const sarif = JSON.parse(scanSarif(r, input.document, { label: 'app' }));
    expect(sarif.runs[0].results).toHaveLength(3);
  });
});
