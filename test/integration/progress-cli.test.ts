/** Progress and verbosity on stderr (issue 18, point 6), through the built CLI. The terminal mode is in test/unit/cli/progress-render.test.ts. */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { startAuthProxy } from '../support/auth-proxy';
import { writeImageLayout } from '../support/image-layout';
import { pushTestImage } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const RECORDS = path.join(__dirname, '..', 'fixtures', 'osv', 'records');

let work: string;
let env: Record<string, string | undefined>;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-progress-'));
  env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache'), ARTIFACT_GUARD_OSV_DIR: undefined, ARTIFACT_GUARD_OSV_API: undefined, DOCKER_CONFIG: path.join(work, 'docker') };
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const layers = [
  [{ path: 'lib/apk/db/installed', content: 'C:Q1abc=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nL:MIT\no:musl\n\n' }, { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' }],
  [{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.15","license":"MIT"}' }],
];

describe('progress on stderr', () => {
  it('line mode (stderr not a terminal): one line per stage and per layer read, no carriage returns; -q: none', async () => {
    const image = await writeImageLayout(path.join(work, 'app'), layers);
    const res = await runCli(['sbom', `oci-dir:${image.dir}:v1`, '-o', 'table'], env);
    expect(res.code).toBe(0);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^sbom: cataloging ${image.manifest.descriptor.digest} \\(2 layers, \\d+(\\.\\d)? (B|kB)\\)$`));
    expect(lines.slice(1).sort()).toEqual(image.layers.map((l) => `sbom: reading layer ${l.digest} (0.0 MB, gzip)`).sort());
    expect(res.stderr).not.toContain('\r');

    const warm = await runCli(['sbom', `oci-dir:${image.dir}:v1`, '-o', 'table', '-v'], env);
    expect(warm.stderr).toMatch(new RegExp(`^sbom: cataloging ${image.manifest.descriptor.digest} \\(all layers cached\\)\\nsbom: 2 components, 2 cached layers in \\d+(\\.\\d)? m?s\\n$`));

    const quiet = await runCli(['sbom', `oci-dir:${image.dir}:v1`, '-o', 'table', '-q'], { ...env, ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cold') });
    expect([quiet.code, quiet.stderr]).toEqual([0, '']);
    expect(quiet.stdout).toBe(res.stdout);
  });

  it('scan: OSV data loading and indexing are stages; -v adds their timings', async () => {
    const image = await writeImageLayout(path.join(work, 'app'), layers);
    const res = await runCli(['scan', `oci-dir:${image.dir}:v1`, '--osv-dir', RECORDS, '-v', '-o', 'json'], env);
    expect(res.code).toBe(0);
    const stages = res.stderr.split('\n').filter((l) => /^(sbom|osv): /.test(l));
    expect(stages).toEqual([
      expect.stringMatching(/^sbom: cataloging sha256:[0-9a-f]{64} \(2 layers, /),
      expect.stringMatching(/^sbom: reading layer /),
      expect.stringMatching(/^sbom: reading layer /),
      expect.stringMatching(/^sbom: 2 components: 2\/2 layers, \d+ B\/\d+ B in \d+(\.\d)? m?s$/),
      expect.stringMatching(new RegExp(`^osv: loading OSV records from ${RECORDS} \\(\\d+ files\\)$`)),
      expect.stringMatching(/^osv: done: (\d+)\/\1 files, \d+\.\d (kB|MB) in \d+(\.\d)? m?s$/),
      expect.stringMatching(/^osv: indexing \d+ OSV records$/),
      expect.stringMatching(/^osv: 37 records in \d+(\.\d)? m?s$/),
    ]);
    expect(JSON.parse(res.stdout).findings.map((f: { id: string }) => f.id)).toContain('GHSA-p6mc-m468-83gw');
  });

  it('-v shows each registry request (method, URL, status, time) and never the credentials or tokens', async () => {
    const repo = uniqueRepo('progress-auth');
    await pushTestImage(repo, 'v1', layersSpec());
    const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
    const proxy = await startAuthProxy({ upstream: testRegistry().host, username: 'ci', password, redirectBlobs: true });
    try {
      const basic = Buffer.from(`ci:${password}`).toString('base64');
      fs.mkdirSync(env.DOCKER_CONFIG as string, { recursive: true });
      fs.writeFileSync(path.join(env.DOCKER_CONFIG as string, 'config.json'), JSON.stringify({ auths: { [proxy.host]: { auth: basic } } }));
      const res = await runCli(['sbom', `registry:${proxy.host}/${repo}:v1`, '-o', 'table', '--debug'], env);
      expect(res.code).toBe(0);
      const requests = res.stderr.split('\n').filter((l) => l.startsWith('registry: '));
      const base = `http://${proxy.host}/v2/${repo}`;
      expect(requests.slice(0, 3)).toEqual([
        expect.stringMatching(new RegExp(`^registry: GET ${base}/manifests/v1 401 \\d+ ms$`)),
        expect.stringMatching(new RegExp(`^registry: GET http://${proxy.host}/token\\?service=test-registry&scope=repository%3A${repo}%3Apull 200 \\d+ ms$`)),
        expect.stringMatching(new RegExp(`^registry: GET ${base}/manifests/v1 200 \\d+ ms$`)),
      ]);
      // Blobs redirect to another origin (as ECR to S3): both hops are shown.
      expect(requests).toContainEqual(expect.stringMatching(new RegExp(`^registry: GET ${base}/blobs/sha256:[0-9a-f]{64} 307 \\d+ ms$`)));
      expect(requests).toContainEqual(expect.stringMatching(new RegExp(`^registry: GET http://127\\.0\\.0\\.1:\\d+/v2/${repo}/blobs/sha256:[0-9a-f]{64} 200 \\d+ ms$`)));
      expect(proxy.tokenRequests.length).toBeGreaterThan(0);
      for (const secret of [password, basic, 'Bearer', 'Basic', 'tok-', 'Authorization']) expect(res.stderr).not.toContain(secret);
    } finally {
      await proxy.close();
    }
  });

  it('-v shows each OSV API request, and the querying as a stage', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const queries = (JSON.parse(body || '{}') as { queries?: unknown[] }).queries ?? [];
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ results: queries.map(() => ({})) }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const sbom = path.join(work, 'in.cdx.json');
      fs.writeFileSync(sbom, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', 'bom-ref': 'a', name: 'lodash', purl: 'pkg:npm/lodash@4.17.15' }] }));
      const res = await runCli(['scan', '--sbom', sbom, '--osv-api', '-v'], { ...env, ARTIFACT_GUARD_OSV_API_URL: url });
      expect(res.code).toBe(0);
      expect(seen).toEqual(['POST /v1/querybatch']);
      expect(res.stderr.split('\n').filter((l) => l.startsWith('osv-api: '))).toEqual([
        `osv-api: querying ${url} for 1 package (1 query)`,
        expect.stringMatching(new RegExp(`^osv-api: POST ${url}/v1/querybatch 200 \\d+ ms$`)),
        expect.stringMatching(/^osv-api: 0 vulnerabilities listed: 1\/1 query in \d+(\.\d)? m?s$/),
      ]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('-q and -v together are one usage error', async () => {
    const both = await runCli(['verify', `${testRegistry().host}/x:1`, '--key', 'k.pub', '-q', '-v'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('artifact-guard: -q and -v are opposites: give one\n');
  });
});

function layersSpec() {
  return { layers: [[{ path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' }]] };
}
