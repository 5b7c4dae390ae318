import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectOneErrorLine, runCli } from '../support/cli';
import { pushTestImage } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

let work: string;
let env: Record<string, string>;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-ledger-'));
  env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const alerts = () => {
  const file = path.join(work, 'home', 'alerts.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { 'detail-type': string; detail: Record<string, unknown> }) : [];
};

describe('the ledger from the CLI, on the local registry', () => {
  it('record-build --image resolves the tag at the registry; the push processed after it is joined, its disagreeing label alerted once', async () => {
    const { host } = testRegistry();
    const repo = uniqueRepo('ledger');
    const image = await pushTestImage(repo, '1.0.0', { layers: [[{ path: 'app/x', content: 'x' }]], labels: { 'org.opencontainers.image.revision': 'feedface', 'dev.artifact-guard.build.id': '812' } });
    const digest = image.manifest.descriptor.digest;
    const build = ['record-build', '--status', 'succeeded', '--commit', 'd3adb33f', '--source', 'https://git.example/app', '--build-id', '812', '--pipeline', 'app', '--author', 'ana', '--image', `${host}/${repo}:1.0.0`, '-o', 'json'];
    const recorded = await runCli(build, env);
    expect(recorded.code).toBe(0);
    expect(JSON.parse(recorded.stdout)).toMatchObject({ outcome: 'created', report: { digests: [digest], repositories: [`${host}/${repo}`] }, linked: [] });
    expect(JSON.parse((await runCli(build, env)).stdout)).toMatchObject({ outcome: 'exists' });

    expect((await runCli(['process', `${host}/${repo}:1.0.0`, '-q'], env)).code).toBe(0);
    expect((await runCli(['process', `${host}/${repo}:1.0.0`, '-q'], env)).code).toBe(0);
    const violations = alerts().filter((a) => a['detail-type'] === 'Policy Violation');
    expect(violations.map((a) => a.detail.reason)).toEqual(['provenance-mismatch']);

    const history = await runCli(['history', `${host}/${repo}:1.0.0`, '-o', 'json'], env);
    expect(history.code).toBe(0);
    const h = JSON.parse(history.stdout) as { digest: string; builds: { buildId: string }[]; flags: { kind: string }[]; tags: { tag: string; pushes: { outcome: string }[] }[] };
    expect(h.digest).toBe(digest);
    expect(h.builds.map((b) => b.buildId)).toEqual(['812']);
    expect(h.flags.map((f) => f.kind)).toEqual(['provenance-mismatch']);
    // The second `process` is a second push of the tag with the same digest.
    expect(h.tags).toEqual([{ tag: '1.0.0', boundTo: digest, pushes: [expect.objectContaining({ outcome: 'bound' }), expect.objectContaining({ outcome: 'again' })] }]);
    const page = path.join(work, 'h.html');
    expect((await runCli(['history', `${host}/${repo}@${digest}`, '-o', 'html', '--file', page], env)).code).toBe(0);
    expect(fs.readFileSync(page, 'utf8')).toContain('data-step="build" data-state="bad"');

    const audit = await runCli(['audit', '--actor', 'ci:app', '-o', 'json'], env);
    expect(JSON.parse(audit.stdout)).toEqual([expect.objectContaining({ action: 'record-build', outcome: 'succeeded', target: 'build:app#812' })]);
  });

  it('backfill processes every tagged digest not yet processed, once, and says so', async () => {
    const { host } = testRegistry();
    const repo = uniqueRepo('backfill');
    const a = await pushTestImage(repo, '1.0.0', { layers: [[{ path: 'a', content: 'a' }]] });
    await pushTestImage(repo, '1.1.0', { layers: [[{ path: 'b', content: 'b' }]] });
    await pushTestImage(repo, 'sha-0a1b2c3', { layers: [[{ path: 'b', content: 'b' }]] });
    expect((await runCli(['process', `${host}/${repo}:1.0.0`, '-q'], env)).code).toBe(0);
    const first = await runCli(['backfill', `registry:${host}/${repo}`, '-o', 'json', '-q'], env);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { listed: number; evidence: number; alreadyProcessed: number; runs: { image: string; status: string }[] };
    // Two release digests; the rest are the signature and attestation manifests process attached (sha256-* tags), never processed.
    expect(report.listed - report.evidence).toBe(2);
    expect(report.evidence).toBeGreaterThan(0);
    expect(report.alreadyProcessed).toBe(1);
    expect(report.runs).toHaveLength(1);
    expect(report.runs[0]?.image).not.toContain(a.manifest.descriptor.digest);
    const again = JSON.parse((await runCli(['backfill', `registry:${host}/${repo}`, '-o', 'json', '-q'], env)).stdout) as { alreadyProcessed: number; runs: unknown[] };
    expect(again).toMatchObject({ alreadyProcessed: 2, runs: [] });
  });

  it('bad input is one clear line and exit 2', async () => {
    const missing = await runCli(['record-build', '--status', 'succeeded'], env);
    expect(missing.code).toBe(2);
    expect(expectOneErrorLine(missing)).toContain('--commit, --source, --build-id, --pipeline, --author are required');
    const tagged = await runCli(['backfill', 'registry:127.0.0.1:5000/app:1.0'], env);
    expect(tagged.code).toBe(2);
    expect(expectOneErrorLine(tagged)).toContain('without a tag or digest');
    const help = await runCli(['record-build', '--help'], env);
    expect(help.stdout).toContain('--bus NAME');
    expect(help.stdout).toContain('examples:');
  });
});
