import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BadInputError } from '../../../lambdas/core/errors';
import { MalformedRecordError, parseOsvJson, parseOsvRecord } from '../../../lambdas/vuln/osv/parse';
import { loadOsvDirectory, loadOsvZip } from '../../../lambdas/vuln/sources/osv-files';
import { OfflineOsvSource } from '../../../lambdas/vuln/sources/offline-source';
import { writeZip } from '../../support/zip-writer';
import { scanSbom } from '../../../lambdas/vuln/scan';
import { FIXTURES, MemoryBlobStore, record, sbomOf } from './helpers';

const NOW = new Date('2026-06-01T00:00:00Z');

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-osv-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const good = (id: string, modified = '2024-01-01T00:00:00Z') =>
  JSON.stringify({ id, modified, affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }] }] });

describe('OSV record shape checks', () => {
  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /record is not a JSON object/],
    ['no id', '{"modified":"2024-01-01T00:00:00Z"}', /id is missing/],
    ['no modified', '{"id":"X-1"}', /modified is missing/],
    ['aliases not strings', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","aliases":[1]}', /aliases is not a list of strings/],
    ['package without name', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm"}}]}', /affected\[0\].package needs string ecosystem and name/],
    ['event with two kinds', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1.0.0"}]}]}]}', /events\[0\] must have exactly one of/],
    ['range without introduced', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"fixed":"1.0.0"}]}]}]}', /has no introduced event/],
    ['fixed and last_affected mixed', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"},{"last_affected":"0.9.0"}]}]}]}', /mixes fixed and last_affected/],
    ['versions not strings', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"versions":[1]}]}', /versions is not a list of strings/],
    ['severity without score', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3"}]}', /severity\[0\] needs string type and score/],
    // `modified` picks the winning copy and `withdrawn` removes a record from every scan: only real times may.
    ['modified not a time', '{"id":"X-1","modified":"yesterday"}', /modified is not an RFC 3339 time/],
    ['modified a number', '{"id":"X-1","modified":1e308}', /modified is not an RFC 3339 time/],
    ['modified an impossible date', '{"id":"X-1","modified":"2024-13-45T99:99:99Z"}', /modified is not an RFC 3339 time/],
    ['withdrawn not a time', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","withdrawn":"x"}', /withdrawn is not an RFC 3339 time/],
    ['withdrawn null', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","withdrawn":null}', /withdrawn is not an RFC 3339 time/],
    ['range repo not a string', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","repo":{},"events":[{"introduced":"0"}]}]}]}', /ranges\[0\].repo is not a string/],
    ['affected an object', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":{"package":{"ecosystem":"npm","name":"a"}}}', /affected is not a list/],
    ['an affected entry null', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[null]}', /affected\[0\] is not an object/],
    ['an event null', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},null]}]}]}', /events\[1\] is not an object/],
    ['events an object', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":{"introduced":"0"}}]}]}', /events is not a list/],
    ['an event version a number', '{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":0}]}]}]}', /events\[0\].introduced is not a non-empty string/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseOsvJson(text)).toThrow(MalformedRecordError);
    expect(() => parseOsvJson(text)).toThrow(message);
  });

  it('keeps the record and drops affected entries without a package (GIT-only entries)', () => {
    const r = parseOsvRecord({ id: 'X-1', modified: '2024-01-01T00:00:00Z', affected: [{ ranges: [{ type: 'GIT', repo: 'r', events: [{ introduced: 'abc' }] }] }, { package: { ecosystem: 'npm', name: 'a' } }] });
    expect(r.affected).toHaveLength(1);
  });

  it('accepts every real fixture record', () => {
    for (const f of fs.readdirSync(FIXTURES)) expect(() => parseOsvJson(fs.readFileSync(path.join(FIXTURES, f)))).not.toThrow();
  });
});

describe('offline OSV data', () => {
  it('reads a directory tree, skipping malformed records with a warning naming the file', async () => {
    fs.mkdirSync(path.join(work, 'npm'));
    fs.writeFileSync(path.join(work, 'npm', 'A-1.json'), good('A-1'));
    fs.writeFileSync(path.join(work, 'B-1.json'), good('B-1'));
    fs.writeFileSync(path.join(work, 'broken.json'), '{"id": ');
    fs.writeFileSync(path.join(work, 'bad-shape.json'), '{"id":"C-1"}');
    fs.writeFileSync(path.join(work, 'README.md'), '# not a record');
    const loaded = await loadOsvDirectory(work);
    expect(loaded.records.map((r) => r.id).sort()).toEqual(['A-1', 'B-1']);
    expect(loaded.warnings).toEqual([
      'skipped OSV record bad-shape.json: modified is missing',
      expect.stringMatching(/^skipped OSV record broken\.json: not JSON/),
    ]);
  });

  it('a skipped record is a gap: a scan the readable records call clean is incomplete, naming the file', async () => {
    // left-pad 1.3.0 is past A-1's fix: clean against A-1. The unreadable record could name it.
    fs.writeFileSync(path.join(work, 'A-1.json'), good('A-1'));
    const sbom = sbomOf(['pkg:npm/left-pad@1.3.0']);
    const clean = await scanSbom(sbom, OfflineOsvSource.fromPath(work), { now: NOW, threshold: 'high' });
    expect([clean.verdict, clean.gaps]).toEqual(['pass', []]);
    fs.writeFileSync(path.join(work, 'B-1.json'), '{"id":"B-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"ranges":null,"versions":{"1.3.0":true}}]}');
    const r = await scanSbom(sbom, OfflineOsvSource.fromPath(work), { now: NOW, threshold: 'high' });
    expect(r.verdict).toBe('incomplete');
    expect(r.gaps).toEqual([
      {
        kind: 'not-covered',
        message: `1 OSV record of the data (osv-dir:${work}) could not be used, so what it describes was not checked: skipped OSV record B-1.json: affected[0].versions is not a list of strings`,
      },
    ]);
    expect(r.warnings).toEqual(['skipped OSV record B-1.json: affected[0].versions is not a list of strings']);
  });

  it('reads a zip like osv.dev\'s all.zip, skipping malformed entries', async () => {
    const zip = path.join(work, 'all.zip');
    fs.writeFileSync(zip, writeZip([{ name: 'A-1.json', data: good('A-1') }, { name: 'bad.json', data: 'nope' }, { name: 'dir/B-1.json', data: good('B-1') }]));
    const loaded = await loadOsvZip(zip);
    expect(loaded.records.map((r) => r.id)).toEqual(['A-1', 'B-1']);
    expect(loaded.warnings).toEqual([expect.stringMatching(/^skipped OSV record all\.zip:bad\.json: not JSON/)]);
    const src = OfflineOsvSource.fromPath(zip);
    expect(await src.describe()).toMatchObject({ source: `osv-zip:${zip}`, recordCount: 2 });
  });

  it('reads a zip from a BlobStore (the S3 mirror); a missing object is an error', async () => {
    const store = new MemoryBlobStore();
    await store.put('osv/npm/all.zip', writeZip([{ name: 'A-1.json', data: good('A-1') }]), 'application/zip');
    const src = OfflineOsvSource.fromBlob(store, 'osv/npm/all.zip');
    expect(await src.describe()).toMatchObject({ source: 'osv-zip:mem://osv/npm/all.zip', recordCount: 1 });
    expect((await src.recordsFor([{ ecosystem: 'npm', name: 'left-pad' }])).map((r) => r.id)).toEqual(['A-1']);
    await expect(OfflineOsvSource.fromBlob(store, 'osv/missing.zip').describe()).rejects.toThrow('OSV data mem://osv/missing.zip does not exist');
  });

  it('a file that is not a zip is a bad input', async () => {
    const file = path.join(work, 'notzip.zip');
    fs.writeFileSync(file, 'plain text');
    await expect(loadOsvZip(file)).rejects.toThrow(BadInputError);
  });

  it('describes its data: source, record count, newest modified, warnings (duplicates keep the newest)', async () => {
    fs.writeFileSync(path.join(work, 'A-1.json'), good('A-1', '2024-05-01T00:00:00Z'));
    fs.mkdirSync(path.join(work, 'old'));
    fs.writeFileSync(path.join(work, 'old', 'A-1.json'), good('A-1', '2023-01-01T00:00:00Z'));
    fs.writeFileSync(path.join(work, 'B-1.json'), good('B-1', '2025-02-03T04:05:06.789Z'));
    const src = OfflineOsvSource.fromPath(work);
    expect(await src.describe()).toEqual({
      source: `osv-dir:${work}`,
      recordCount: 2,
      newestModified: '2025-02-03T04:05:06.789Z',
      warnings: ['OSV record A-1 appears more than once; the most recently modified copy is used'],
    });
    const recs = await src.recordsFor([{ ecosystem: 'npm', name: 'left-pad' }]);
    expect(recs.map((r) => [r.id, r.modified]).sort()).toEqual([
      ['A-1', '2024-05-01T00:00:00Z'],
      ['B-1', '2025-02-03T04:05:06.789Z'],
    ]);
  });

  it('refuses an empty data set or a missing path instead of scanning against nothing', async () => {
    await expect(OfflineOsvSource.fromPath(work).describe()).rejects.toThrow(/no OSV records found/);
    await expect(OfflineOsvSource.fromPath(path.join(work, 'missing')).describe()).rejects.toThrow(/does not exist/);
  });

  it('loads the real fixtures once and answers per package', async () => {
    const src = OfflineOsvSource.fromPath(FIXTURES);
    const d = await src.describe();
    expect(d.recordCount).toBe(37);
    expect(d.warnings).toEqual([]);
    const recs = await src.recordsFor([{ ecosystem: 'Alpine:v3.19', name: 'musl' }, { ecosystem: 'npm', name: 'lodash' }]);
    expect(recs.map((r) => r.id).sort()).toEqual(['ALPINE-CVE-2025-26519', 'GHSA-4xc9-xhrj-v574', 'GHSA-fvqr-27wr-82fm', 'GHSA-p6mc-m468-83gw', 'GHSA-x5rq-j2xg-h7qm']);
    expect(await src.recordsFor([{ ecosystem: 'Alpine:v3.15', name: 'musl' }])).toEqual([]);
  });

  it('coverage: the ecosystem keys of every record, release-scoped; unscoped Debian and Ubuntu cover every release', async () => {
    const c = await OfflineOsvSource.fromPath(FIXTURES).coverage();
    expect(c.ecosystems).toEqual(expect.arrayContaining(['Alpine:v3.19', 'Debian:7', 'Debian:9', 'Go', 'Maven', 'PyPI', 'crates.io', 'npm']));
    expect(c.ecosystems).not.toContain('Debian');
    expect(['Debian:9', 'Debian:12', 'Alpine:v3.19', 'Alpine:v3.15', 'PyPI', 'RubyGems'].map((e) => c.covers(e))).toEqual([true, false, true, false, true, false]);
    const distros = OfflineOsvSource.fromRecords('x', [
      record('U', [{ package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'glibc' } }]),
      record('D', [{ package: { ecosystem: 'Debian', name: 'glibc' } }]),
      record('M', [{ package: { ecosystem: 'Maven:https://maven.google.com', name: 'a:b' } }]),
      record('A', [{ package: { ecosystem: 'Alpine', name: 'musl' } }]),
    ]);
    const d = await distros.coverage();
    expect(d.ecosystems).toEqual(['Alpine', 'Debian', 'Maven', 'Ubuntu:22.04']);
    // Ubuntu's :LTS marker is not part of the key; an unscoped Debian record applies to every
    // release; Alpine records are always release-scoped, so an unscoped one covers no branch.
    expect(['Ubuntu:22.04:LTS', 'Ubuntu:22.04', 'Ubuntu:24.04:LTS', 'Debian:12', 'Debian:sid', 'Maven', 'Alpine:v3.19'].map((e) => d.covers(e))).toEqual([true, true, false, true, true, true, false]);
  });

  it('recordsById: records whose id, aliases or mirrored CVE name any of the ids', async () => {
    const src = OfflineOsvSource.fromPath(FIXTURES);
    const ids = async (q: string[]) => (await src.recordsById(q)).map((r) => r.id).sort();
    expect(await ids(['CVE-2022-39393'])).toEqual(['RUSTSEC-2022-0075', 'RUSTSEC-2022-0098']);
    expect(await ids(['GHSA-v845-jxx5-vc9f', 'PYSEC-2014-8'])).toEqual(['PYSEC-2014-8', 'PYSEC-2023-192']);
    expect(await ids(['CVE-2025-26519'])).toEqual(['ALPINE-CVE-2025-26519']);
    // PYSEC-2023-141 (CVE-2023-37625) is withdrawn: returned all the same (the scanner skips it).
    expect(await ids(['CVE-2023-37625', 'NOPE-1'])).toEqual(['PYSEC-2023-141']);
  });
});
