import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectOneErrorLine, runCli } from '../support/cli';
import { writeImageLayout, type TestLayout } from '../support/image-layout';

const RECORDS = path.join(__dirname, '..', 'fixtures', 'osv', 'records');
const OPINIONS = path.join(__dirname, '..', 'fixtures', 'second-opinions');
const FIXTURE_DIGEST = 'sha256:f2a61ba65c935c5868393b3ed04e77361ceb199befab765a91a4a7d4456da6d2';

let work: string;
let env: Record<string, string | undefined>;
let layout: TestLayout;
beforeEach(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-opinions-'));
  env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache'), ARTIFACT_GUARD_OSV_DIR: undefined, ARTIFACT_GUARD_OSV_API: undefined, ARTIFACT_GUARD_OSV_API_URL: undefined };
  layout = await writeImageLayout(path.join(work, 'app'), [
    [
      { path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20"}' },
      { path: 'app/node_modules/minimist/package.json', content: '{"name":"minimist","version":"1.2.0"}' },
    ],
  ]);
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** A fixture report, rewritten to name the image built here. */
function reportFor(name: string, digest = layout.manifest.descriptor.digest): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, fs.readFileSync(path.join(OPINIONS, name), 'utf8').split(FIXTURE_DIGEST).join(digest));
  return file;
}

describe('scan --also', () => {
  it('merges Trivy and Grype into the verdict: our scan alone passes, the merged one fails on two findings', async () => {
    const ours = await runCli(['scan', `oci-dir:${layout.dir}:v1`, '--osv-dir', RECORDS, '--fail-on', 'high', '-q', '-o', 'json'], env);
    expect(ours.code).toBe(0);
    expect(JSON.parse(ours.stdout).verdict).toBe('pass');

    const res = await runCli(['scan', `oci-dir:${layout.dir}:v1`, '--osv-dir', RECORDS, '--fail-on', 'high', '-q', '-o', 'json', '--also', reportFor('trivy.json'), '--also', reportFor('grype.json')], env);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout);
    expect(report.verdict).toBe('fail');
    expect(report.summary.atOrAboveThreshold).toBe(2);
    expect(report.sources.map((s: { name: string }) => s.name)).toEqual(['artifact-guard', 'trivy', 'grype']);
    const ids = report.findings.map((f: { id: string; severity: string }) => `${f.id}:${f.severity}`).sort();
    expect(ids).toEqual(['CVE-2021-23337:high', 'GHSA-vh95-rmgr-6w4m:high']);

    const ruled = await runCli(['scan', `oci-dir:${layout.dir}:v1`, '--osv-dir', RECORDS, '-q', '--also', reportFor('vex.cdx.json')], env);
    expect(ruled.code).toBe(0);
    expect(ruled.stdout).toMatch(/1 disagreement\(s\)/);
    expect(ruled.stderr).toMatch(/warning: sources disagree on GHSA-vh95-rmgr-6w4m/);
  });

  it('refuses a report for another digest before scanning (exit 2, one line naming both digests)', async () => {
    const res = await runCli(['scan', `oci-dir:${layout.dir}:v1`, '--osv-dir', RECORDS, '-q', '--also', path.join(OPINIONS, 'trivy-other-image.json')], env);
    expect(res.code).toBe(2);
    expect(expectOneErrorLine(res)).toMatch(new RegExp(`refused: .*trivy-other-image.json \\(trivy\\) is for sha256:f41408bf[0-9a-f]+.*, not for ${layout.manifest.descriptor.digest}`));
    expect(res.stdout).toBe('');
  });

  it('--sbom: the SBOM names the digest the reports are checked against', async () => {
    const res = await runCli(['scan', '--sbom', path.join(OPINIONS, 'app.cdx.json'), '--osv-dir', RECORDS, '--also', path.join(OPINIONS, 'trivy.json'), '--sources', 'ours', '-o', 'json'], env);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.sourcesCounted).toBe('ours');
    expect(report.findings.find((f: { id: string }) => f.id === 'CVE-2021-23337').suppression.by).toBe('sources');
  });
});

describe('import-findings', () => {
  it('records the report as evidence for the digest once, and refuses one for another digest', async () => {
    const file = reportFor('grype.json');
    const first = await runCli(['import-findings', `oci-dir:${layout.dir}:v1`, file, '-o', 'json'], env);
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout);
    expect(doc).toMatchObject({ digest: layout.manifest.descriptor.digest, outcome: 'created', tool: 'grype', toolVersion: '0.84.0', findings: 1, database: { updated: '2026-11-29T01:31:42Z' } });
    expect(doc.kind).toMatch(/^opinion#grype#[0-9a-f]{16}$/);
    expect(fs.readFileSync(doc.location, 'utf8')).toBe(fs.readFileSync(file, 'utf8'));
    const again = await runCli(['import-findings', `oci-dir:${layout.dir}:v1`, file], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already recorded grype 0\.84\.0 report/);

    const other = await runCli(['import-findings', `oci-dir:${layout.dir}:v1`, path.join(OPINIONS, 'trivy-other-image.json')], env);
    expect(other.code).toBe(2);
    expect(expectOneErrorLine(other)).toMatch(/import-findings: refused: trivy-other-image.json \(trivy\) is for sha256:f41408bf/);
  });

  it('process merges the reports recorded for the digest into its scan, and the alert names them', async () => {
    const imported = await runCli(['import-findings', `oci-dir:${layout.dir}:v1`, reportFor('trivy.json'), '-q'], env);
    expect(imported.code).toBe(0);
    const res = await runCli(['process', `oci-dir:${layout.dir}:v1`, '--osv-dir', RECORDS, '-q', '-o', 'json'], env);
    expect(res.code).toBe(0);
    const scan = JSON.parse(res.stdout).scan;
    expect(scan.verdict).toBe('fail');
    expect(scan.sources.map((s: { name: string }) => s.name)).toEqual(['artifact-guard', 'trivy']);
    expect(scan.findingsAboveThreshold).toEqual([expect.objectContaining({ id: 'CVE-2021-23337', sources: ['trivy:high'] })]);
    const alerts = fs.readFileSync(path.join(work, 'home', 'alerts.jsonl'), 'utf8');
    expect(alerts).toContain('trivy:high');
  });

  it('has help with every flag and an example', async () => {
    const res = await runCli(['import-findings', '--help'], env);
    expect(res.code).toBe(0);
    for (const flag of ['--output', '--insecure', '--quiet', 'examples:', 'artifact-guard import-findings']) expect(res.stdout).toContain(flag);
  });
});
