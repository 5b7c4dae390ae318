import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BadInputError, UnavailableError } from '../../../lambdas/core/errors';
import type { PackageQuery } from '../../../lambdas/vuln/vulnerability-source';
import { scanSbom } from '../../../lambdas/vuln/scan';
import { OsvApiSource } from '../../../lambdas/vuln/sources/osv-api';
import { fixtureRecord, ourRecord, sbomOf } from './helpers';

/**
 * A local OSV.dev stand-in speaking the documented shapes (google/osv.dev docs/api):
 * POST /v1/querybatch {queries:[{package:{name,ecosystem},version?,page_token?}]} →
 * {results:[{vulns:[{id,modified}], next_page_token?}]}, GET /v1/vulns/{id} → the record.
 */
interface Query {
  package: { name: string; ecosystem: string };
  version?: string;
  page_token?: string;
}

class FakeOsv {
  server!: http.Server;
  readonly batches: Query[][] = [];
  readonly gets: string[] = [];
  /** ids per "ecosystem/name", answered in pages of `pageSize` (0 = no paging). */
  readonly vulns = new Map<string, string[]>();
  readonly records = new Map<string, unknown>();
  pageSize = 0;
  /** Statuses to answer before succeeding, per path. */
  readonly failures = new Map<string, number[]>();
  hang = false;
  /** When set, the querybatch answer's results (a hostile or broken server). */
  batchResults?: (queries: Query[]) => unknown;

  url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      if (this.hang) return; // never answers: the client's timeout must fire
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private send(res: http.ServerResponse, status: number, value: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof value === 'string' ? value : JSON.stringify(value));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const path = req.url ?? '';
    const fail = this.failures.get(path)?.shift();
    if (fail) return this.send(res, fail, { code: fail, message: 'try again' });
    if (req.method === 'POST' && path === '/v1/querybatch') {
      const queries = (JSON.parse(body) as { queries: Query[] }).queries;
      this.batches.push(queries);
      if (queries.length > 1000) return this.send(res, 400, { code: 3, message: 'too many queries' });
      if (this.batchResults) return this.send(res, 200, { results: this.batchResults(queries) });
      const results = queries.map((q) => {
        const ids = this.vulns.get(`${q.package.ecosystem}/${q.package.name}`) ?? [];
        const start = q.page_token ? Number(q.page_token) : 0;
        const page = this.pageSize ? ids.slice(start, start + this.pageSize) : ids;
        const next = this.pageSize && start + this.pageSize < ids.length ? String(start + this.pageSize) : undefined;
        const vulns = page.map((id) => ({ id, modified: (this.records.get(id) as { modified?: string } | undefined)?.modified ?? '2024-01-01T00:00:00Z' }));
        return { ...(vulns.length ? { vulns } : {}), ...(next ? { next_page_token: next } : {}) };
      });
      return this.send(res, 200, { results });
    }
    const m = /^\/v1\/vulns\/(.+)$/.exec(path);
    if (req.method === 'GET' && m) {
      const id = decodeURIComponent(m[1] as string);
      this.gets.push(id);
      const rec = this.records.get(id);
      return rec ? this.send(res, 200, rec) : this.send(res, 404, { code: 5, message: 'Bug not found.' });
    }
    this.send(res, 404, { message: 'no route' });
  }
}

let osv: FakeOsv;
beforeEach(async () => {
  osv = new FakeOsv();
  await osv.start();
});
afterEach(() => osv.stop());

const client = (extra: Partial<ConstructorParameters<typeof OsvApiSource>[0]> = {}) =>
  new OsvApiSource({ baseUrl: osv.url(), backoffMs: 1, timeoutMs: 2000, ...extra });

describe('OSV.dev API client', () => {
  it('sends at most 1,000 queries per querybatch and fetches each record once', async () => {
    const lodash = fixtureRecord('GHSA-p6mc-m468-83gw');
    osv.records.set(lodash.id, lodash);
    osv.vulns.set('npm/lodash', [lodash.id]);
    const queries: PackageQuery[] = Array.from({ length: 2500 }, (_, i) => ({ ecosystem: 'npm', name: i === 2499 ? 'lodash' : `pkg-${i}`, version: '1.0.0' }));
    queries.push({ ecosystem: 'npm', name: 'lodash', version: '4.17.15' }); // duplicate package, other version
    const records = await client().recordsFor(queries);
    expect(osv.batches.map((b) => b.length)).toEqual([1000, 1000, 501]);
    expect(osv.batches[0]?.[0]).toEqual({ package: { name: 'pkg-0', ecosystem: 'npm' }, version: '1.0.0' });
    expect(records.map((r) => r.id)).toEqual([lodash.id]);
    expect(osv.gets).toEqual([lodash.id]);
  });

  it('omits the version when the scanner needs every record of a package', async () => {
    await client().recordsFor([{ ecosystem: 'Debian:12', name: 'openssl' }]);
    expect(osv.batches[0]).toEqual([{ package: { name: 'openssl', ecosystem: 'Debian:12' } }]);
  });

  it('follows next_page_token, re-sending only the paginated queries with their tokens', async () => {
    const ids = ['GHSA-4xc9-xhrj-v574', 'GHSA-fvqr-27wr-82fm', 'GHSA-p6mc-m468-83gw', 'GHSA-x5rq-j2xg-h7qm', 'GHSA-8hc4-vh64-cxmj'];
    for (const id of ids) osv.records.set(id, fixtureRecord(id));
    osv.vulns.set('npm/lodash', ids.slice(0, 4));
    osv.vulns.set('npm/axios', ids.slice(4));
    osv.pageSize = 2;
    const records = await client().recordsFor([
      { ecosystem: 'npm', name: 'lodash', version: '4.0.0' },
      { ecosystem: 'npm', name: 'axios', version: '1.0.0' },
    ]);
    expect(osv.batches).toEqual([
      [{ package: { name: 'lodash', ecosystem: 'npm' }, version: '4.0.0' }, { package: { name: 'axios', ecosystem: 'npm' }, version: '1.0.0' }],
      [{ package: { name: 'lodash', ecosystem: 'npm' }, version: '4.0.0', page_token: '2' }],
    ]);
    expect(records.map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it('retries a 503 with backoff, then succeeds', async () => {
    const rec = fixtureRecord('GHSA-8hc4-vh64-cxmj');
    osv.records.set(rec.id, rec);
    osv.vulns.set('npm/axios', [rec.id]);
    osv.failures.set('/v1/querybatch', [503]);
    osv.failures.set(`/v1/vulns/${rec.id}`, [500, 502]);
    const sleeps: number[] = [];
    const lines: string[] = [];
    const records = await client({ backoffMs: 10, sleep: async (ms) => void sleeps.push(ms), log: (l) => lines.push(l) }).recordsFor([{ ecosystem: 'npm', name: 'axios', version: '1.6.0' }]);
    expect(records.map((r) => r.id)).toEqual([rec.id]);
    expect(sleeps).toEqual([10, 10, 20]); // querybatch: one retry; the GET: two, doubling
    expect(lines).toEqual([
      'osv-api: POST /v1/querybatch: HTTP 503, retrying',
      `osv-api: GET /v1/vulns/${rec.id}: HTTP 500, retrying`,
      `osv-api: GET /v1/vulns/${rec.id}: HTTP 502, retrying`,
    ]);
  });

  it('a server that keeps failing is an UnavailableError after the retries', async () => {
    osv.failures.set('/v1/querybatch', [503, 503, 503, 503]);
    const err = await client({ retries: 2 }).recordsFor([{ ecosystem: 'npm', name: 'a', version: '1.0.0' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe(`OSV API ${osv.url()} unavailable: POST /v1/querybatch: HTTP 503 (3 attempts)`);
  });

  it('a server that never answers times out, is retried, then is an UnavailableError', async () => {
    osv.hang = true;
    const start = Date.now();
    const err = await client({ timeoutMs: 150, retries: 2 }).recordsFor([{ ecosystem: 'npm', name: 'a', version: '1.0.0' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/POST \/v1\/querybatch: timed out after 150 ms \(3 attempts\)/);
    expect(Date.now() - start).toBeGreaterThanOrEqual(3 * 150 - 20);
  });

  it('a refused connection is retried, then an UnavailableError', async () => {
    const url = osv.url();
    await osv.stop();
    osv = new FakeOsv();
    await osv.start(); // afterEach needs a server to stop; the client talks to the closed port
    const err = await new OsvApiSource({ baseUrl: url, backoffMs: 1, retries: 1 }).recordsFor([{ ecosystem: 'npm', name: 'a', version: '1' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/network error \(ECONNREFUSED\) \(2 attempts\)/);
  });

  it('a 400 is not retried: the request itself is wrong', async () => {
    osv.failures.set('/v1/querybatch', [400]);
    await expect(client().recordsFor([{ ecosystem: 'npm', name: 'a', version: '1' }])).rejects.toThrow(BadInputError);
    expect(osv.batches).toEqual([]);
  });

  it('a listed record that is gone (404) or malformed is skipped with a warning', async () => {
    osv.vulns.set('npm/a', ['GONE-1', 'BAD-1']);
    osv.records.set('BAD-1', { id: 'BAD-1' });
    const src = client();
    expect(await src.recordsFor([{ ecosystem: 'npm', name: 'a', version: '1.0.0' }])).toEqual([]);
    expect([...(await src.describe()).warnings].sort()).toEqual([
      'OSV record GONE-1 listed by querybatch but not found (404); skipped',
      'skipped OSV record BAD-1 from the API: modified is missing',
    ]);
  });

  it('a listed record that is gone or malformed makes the scan incomplete: it names the package', async () => {
    const lodash = fixtureRecord('GHSA-p6mc-m468-83gw');
    osv.records.set(lodash.id, lodash);
    osv.records.set('BAD-1', { id: 'BAD-1', modified: '2024-01-01T00:00:00Z', affected: [{ package: null }] });
    osv.vulns.set('npm/lodash', [lodash.id, 'BAD-1']);
    // lodash 4.17.21 is past GHSA-p6mc-m468-83gw's fix: clean as far as the readable record goes.
    const report = await scanSbom(sbomOf(['pkg:npm/lodash@4.17.21']), client(), { now: new Date('2026-01-01T00:00:00Z'), threshold: 'high' });
    expect(report.findings).toEqual([]);
    expect(report.verdict).toBe('incomplete');
    expect(report.gaps).toEqual([
      { kind: 'not-covered', message: `1 OSV record of the data (osv-api:${osv.url()}) could not be used, so what it describes was not checked: skipped OSV record BAD-1 from the API: affected[0].package is not an object` },
    ]);
  });

  it.each([
    ['a result that is not an object', () => [null], /querybatch result for npm\/lodash: the result is not an object/],
    ['vulns that is not a list', () => [{ vulns: { id: 'GHSA-p6mc-m468-83gw' } }], /querybatch result for npm\/lodash: vulns is not a list/],
    ['a vuln without an id', () => [{ vulns: [{ modified: '2024-01-01T00:00:00Z' }] }], /vulns\[0\] has no id/],
    ['a vuln id that is a number', () => [{ vulns: [{ id: 7 }] }], /vulns\[0\] has no id/],
    ['a modified time that is not a string', () => [{ vulns: [{ id: 'X-1', modified: 5 }] }], /vulns\[0\].modified is not a string/],
    ['a page token that is not a string', () => [{ next_page_token: 42 }], /next_page_token is not a string/],
    ['a page token that never changes', () => [{ next_page_token: 'again' }], /still paging after 2 page\(s\)/],
  ])('a querybatch answer with %s is an error, never "no vulnerabilities"', async (_what, results, message) => {
    osv.batchResults = results;
    const err = await client()
      .recordsFor([{ ecosystem: 'npm', name: 'lodash', version: '4.17.20' }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(message);
    expect(osv.gets).toEqual([]);
  });

  it('a server that pages forever is cut off (a new token each time)', async () => {
    let n = 0;
    osv.batchResults = () => [{ next_page_token: `t${++n}` }];
    await expect(client().recordsFor([{ ecosystem: 'npm', name: 'lodash', version: '4.17.20' }])).rejects.toThrow(/still paging after 100 page\(s\)/);
    expect(osv.batches).toHaveLength(100);
  });

  it('feeds the scanner: a scan over the API names its data', async () => {
    const musl = fixtureRecord('ALPINE-CVE-2025-26519');
    osv.records.set(musl.id, musl);
    osv.vulns.set('Alpine:v3.19/musl', [musl.id]);
    const report = await scanSbom(sbomOf(['pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1']), client(), { now: new Date('2026-01-01T00:00:00Z') });
    expect(report.findings.map((f) => f.id)).toEqual(['ALPINE-CVE-2025-26519']);
    expect(report.data).toEqual({ source: `osv-api:${osv.url()}`, recordCount: 1, newestModified: musl.modified });
  });

  it('coverage: trusted per base ecosystem of the OSV schema (releases cannot be listed through the API)', async () => {
    const c = await client().coverage();
    expect(c.ecosystems).toBeUndefined();
    for (const e of ['PyPI', 'npm', 'Go', 'Debian:12', 'Debian:13', 'Alpine:v3.19', 'Ubuntu:22.04:LTS', 'crates.io', 'Rocky Linux:9']) expect([e, c.covers(e)]).toEqual([e, true]);
    for (const e of ['pypi', 'Gentoo', 'Fedora:40', '']) expect([e, c.covers(e)]).toEqual([e, false]);
  });

  it('recordsById: GET /v1/vulns/{id} per id, a 404 is no record (no warning), retried like the rest', async () => {
    const pysec = fixtureRecord('PYSEC-2023-192');
    osv.records.set('CVE-2023-43804', pysec);
    osv.failures.set('/v1/vulns/CVE-2023-43804', [503]);
    const src = client();
    const found = await src.recordsById(['CVE-2023-43804', 'GHSA-none-none-none', 'CVE-2023-43804']);
    expect(found.map((r) => r.id)).toEqual(['PYSEC-2023-192']);
    // Each id once; the 503 was answered first and retried.
    expect(osv.gets.sort()).toEqual(['CVE-2023-43804', 'GHSA-none-none-none']);
    expect(osv.failures.get('/v1/vulns/CVE-2023-43804')).toEqual([]);
    expect((await src.describe()).warnings).toEqual([]);
  });

  it('feeds the scanner: a DEBIAN-CVE finding is rated from the record OSV.dev serves for its CVE', async () => {
    const debian = ourRecord('DEBIAN-CVE-2023-43804');
    osv.records.set(debian.id, debian);
    osv.vulns.set('Debian:12/python-urllib3', [debian.id]);
    // OSV.dev serves a record under the CVE id; the PyPI advisory stands in for it here.
    osv.records.set('CVE-2023-43804', fixtureRecord('PYSEC-2023-192'));
    const report = await scanSbom(sbomOf(['pkg:deb/debian/python3-urllib3@1.26.12-1?arch=all&distro=debian-12&upstream=python-urllib3']), client(), { now: new Date('2026-01-01T00:00:00Z'), threshold: 'high' });
    expect(report.findings.map((f) => [f.id, f.severity, f.score])).toEqual([['DEBIAN-CVE-2023-43804', 'high', 8.1]]);
    expect(report.findings[0]?.ratings.map((r) => r.source)).toContain('PYSEC-2023-192 via alias CVE-2023-43804');
    expect(report.verdict).toBe('fail');
    expect(osv.gets).toEqual([debian.id, 'CVE-2023-43804']);
  });
});
