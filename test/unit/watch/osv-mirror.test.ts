import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FetchHttpGet } from '../../../lambdas/adapters/fetch-http-get';
import { IntegrityError } from '../../../lambdas/core/errors';
import type { OsvRecord } from '../../../lambdas/vuln/osv/types';
import { FsBlobStore } from '../../../lambdas/adapters/local/fs-blob-store';
import { OsvMirrorStore } from '../../../lambdas/vuln/mirror/mirror-store';
import { parseModifiedIds } from '../../../lambdas/vuln/mirror/modified-ids';
import { syncMirror } from '../../../lambdas/vuln/mirror/sync';
import { scanSbom } from '../../../lambdas/vuln/scan';
import { configuredSource } from '../../../lambdas/vuln/sources/configure';
import { MirrorOsvSource } from '../../../lambdas/vuln/sources/mirror-source';
import { OsvExportServer } from '../../support/osv-export-server';
import { fixtureRecord, sbomOf } from '../vuln/helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a manifest spoiled on purpose, field by field
type Manifest = { ecosystems: Record<string, any> };

const NPM_BASE = ['GHSA-4xc9-xhrj-v574', 'GHSA-fvqr-27wr-82fm', 'GHSA-p6mc-m468-83gw', 'GHSA-vh95-rmgr-6w4m'];
const T0 = new Date('2026-12-01T10:00:00Z');
const later = (h: number): Date => new Date(T0.getTime() + h * 3600_000);

describe('OSV mirror sync (a local export server)', () => {
  let server: OsvExportServer;
  let dir: string;
  let mirror: OsvMirrorStore;
  const sync = (now: Date, over: Partial<Parameters<typeof syncMirror>[0]> = {}) =>
    syncMirror({ http: new FetchHttpGet(5000), mirror, ecosystems: ['npm'], baseUrl: server.url, now: () => now, backoffMs: 1, ...over });

  beforeEach(async () => {
    server = await new OsvExportServer().start();
    server.publish('npm', ...NPM_BASE.map(fixtureRecord));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-mirror-'));
    mirror = new OsvMirrorStore(new FsBlobStore(dir));
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes all.zip first, then only the records modified_id.csv lists as changed since', async () => {
    const first = await sync(T0);
    expect(first.ecosystems).toEqual([{ ecosystem: 'npm', mode: 'full', first: true, changed: 4 }]);
    expect(first.changes).toEqual([]); // a baseline, not news
    expect(server.requests).toEqual(['/npm/all.zip']);

    const added = { ...fixtureRecord('GHSA-jj78-5fmv-mv28'), modified: '2026-12-01T10:30:00Z' };
    const lodash = fixtureRecord('GHSA-4xc9-xhrj-v574');
    const amended = { ...lodash, modified: '2026-12-01T10:40:00Z', summary: 'amended' };
    server.publish('npm', added, amended);
    server.requests.length = 0;
    const second = await sync(later(1));
    expect(second.ecosystems[0]).toMatchObject({ mode: 'incremental', changed: 2 });
    expect(server.requests.sort()).toEqual(['/npm/GHSA-4xc9-xhrj-v574.json', '/npm/GHSA-jj78-5fmv-mv28.json', '/npm/modified_id.csv']);
    const byId = new Map(second.changes.map((c) => [c.after.id, c]));
    expect(byId.get('GHSA-jj78-5fmv-mv28')?.before).toBeUndefined();
    expect(byId.get('GHSA-4xc9-xhrj-v574')?.before?.modified).toBe(lodash.modified);
    expect(second.manifest.ecosystems.npm?.cursor).toBe('2026-12-01T10:40:00Z');

    // Nothing changed since: the listing is read, no record is fetched, nothing is news.
    server.requests.length = 0;
    const third = await sync(later(2));
    expect(third.changes).toEqual([]);
    expect(server.requests).toEqual(['/npm/modified_id.csv']);

    // The scan reads base + changes: the amended copy, and the new record.
    const source = new MirrorOsvSource(mirror, { now: () => later(2) });
    const records = await source.recordsFor([{ ecosystem: 'npm', name: 'lodash' }, { ecosystem: 'npm', name: 'express' }]);
    expect(records.find((r) => r.id === 'GHSA-4xc9-xhrj-v574')?.summary).toBe('amended');
    expect(records.map((r) => r.id)).toContain('GHSA-jj78-5fmv-mv28');
  });

  it('retries a truncated all.zip (cut connection, short body) and keeps the old mirror when retries run out', async () => {
    server.truncateNext('/npm/all.zip', 1, 'cut');
    await sync(T0);
    expect(server.requests.filter((r) => r === '/npm/all.zip')).toHaveLength(2);
    const before = fs.readFileSync(path.join(dir, 'mirror.json'), 'utf8');

    // Every answer for the new record is half of it: the ecosystem fails, nothing is applied.
    server.publish('npm', { ...fixtureRecord('GHSA-jj78-5fmv-mv28'), modified: '2026-12-01T11:00:00Z' });
    server.truncateNext('/npm/GHSA-jj78-5fmv-mv28.json', 10, 'short');
    const failed = await sync(later(1), { retries: 2 });
    expect(failed.ecosystems[0]).toMatchObject({ mode: 'failed', changed: 0 });
    expect(failed.ecosystems[0]?.error).toMatch(/GHSA-jj78-5fmv-mv28\.json.*after 3 attempts/);
    expect(failed.changes).toEqual([]);
    const kept = JSON.parse(fs.readFileSync(path.join(dir, 'mirror.json'), 'utf8')) as { ecosystems: Record<string, unknown> };
    expect(kept.ecosystems.npm).toEqual((JSON.parse(before) as { ecosystems: Record<string, unknown> }).ecosystems.npm);
    const source = new MirrorOsvSource(mirror, { now: () => later(1) });
    expect((await source.recordsFor([{ ecosystem: 'npm', name: 'lodash' }])).length).toBeGreaterThan(0);

    // A short all.zip on a later full take is refused too (the zip does not open), and retried.
    server.truncateNext('/npm/all.zip', 1, 'short');
    const rebase = await sync(later(2), { maxChangeFiles: 0 });
    expect(rebase.ecosystems[0]).toMatchObject({ mode: 'full' });
  });

  it('a scan refuses a stale mirror: its ecosystems are gaps, the verdict incomplete', async () => {
    await sync(T0);
    const fresh = await scanSbom(sbomOf(['pkg:npm/lodash@4.17.4']), new MirrorOsvSource(mirror, { now: () => later(1) }), { now: later(1), threshold: 'high' });
    expect(fresh.verdict).toBe('fail');
    const stale = await scanSbom(sbomOf(['pkg:npm/lodash@4.17.4']), new MirrorOsvSource(mirror, { now: () => later(72), maxAgeMs: 48 * 3600_000 }), { now: later(72), threshold: 'high' });
    expect(stale.verdict).toBe('incomplete');
    expect(stale.findings).toEqual([]);
    expect(stale.gaps[0]?.message).toMatch(/last synced 2026-12-01T10:00:00.000Z, older than the 48 h/);
  });

  it('scan --osv-dir reads a mirror directory with its layout', async () => {
    await sync(new Date());
    const source = configuredSource({ osvDir: dir }, {});
    expect(source).toBeInstanceOf(MirrorOsvSource);
    const report = await scanSbom(sbomOf(['pkg:npm/lodash@4.17.4']), source as MirrorOsvSource, { now: new Date(), threshold: 'high' });
    expect(report.data.source).toMatch(/^osv-mirror:/);
    expect(report.findings.map((f) => f.id)).toContain('GHSA-4xc9-xhrj-v574');
  });

  it('a record of the mirror that cannot be read is a gap of the scan, not a silent skip', async () => {
    server.publish('npm', { id: 'BAD-1', modified: '2026-11-30T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '5.0.0' }] }] }] } as unknown as OsvRecord);
    await sync(T0);
    // lodash 4.17.21 is past every fix of the readable records.
    const r = await scanSbom(sbomOf(['pkg:npm/lodash@4.17.21']), new MirrorOsvSource(mirror, { now: () => later(1) }), { now: later(1), threshold: 'high' });
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('incomplete');
    expect(r.gaps.map((g) => g.message)).toEqual([expect.stringMatching(/^1 OSV record of the data \(osv-mirror:.*\) could not be used, so what it describes was not checked: skipped OSV record all-.*\.zip:BAD-1\.json: affected\[0\]\.ranges\[0\]\.events has no introduced event$/)]);
  });

  it.each([
    ['an ecosystem that is null', (m: Manifest) => void (m.ecosystems.npm = null), 'ecosystems.npm is not an object'],
    ['a base without a key', (m: Manifest) => void delete m.ecosystems.npm.base.key, 'ecosystems.npm base has no key'],
    ['a base with a negative size', (m: Manifest) => void (m.ecosystems.npm.base.bytes = -1), 'ecosystems.npm base needs non-negative integer bytes and records'],
    ['changes that is an object', (m: Manifest) => void (m.ecosystems.npm.changes = {}), 'ecosystems.npm changes is not a list'],
    ['a change that is null', (m: Manifest) => void (m.ecosystems.npm.changes = [null]), 'ecosystems.npm changes[0] is not an object'],
    ['no syncedAt', (m: Manifest) => void delete m.ecosystems.npm.syncedAt, 'ecosystems.npm has no syncedAt'],
  ])('a mirror.json with %s is one clear error, not a TypeError', async (_what, spoil, message) => {
    await sync(T0);
    const file = path.join(dir, 'mirror.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
    spoil(doc);
    fs.writeFileSync(file, JSON.stringify(doc));
    const err = await new MirrorOsvSource(mirror, { now: () => later(1) }).coverage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toBe(`${mirror.location}: ${message}`);
  });

  it('refuses a listing that is cut off or is not one', () => {
    expect(parseModifiedIds('2026-01-01T00:00:00Z,GHSA-x\n2025-01-01T00:00:00Z,npm/GHSA-y\n', 'x')).toEqual([
      { modified: '2026-01-01T00:00:00Z', id: 'GHSA-x' },
      { modified: '2025-01-01T00:00:00Z', id: 'GHSA-y' },
    ]);
    expect(() => parseModifiedIds('2026-01-01T00:00:00Z,GHSA-x\n2025-01-01T00:0', 'x')).toThrow(/truncated/);
    expect(() => parseModifiedIds('<html>error</html>\n', 'x')).toThrow(/line 1/);
  });
});
