import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FetchHttpGet } from '../../../lambdas/adapters/fetch-http-get';
import { FsBlobStore } from '../../../lambdas/adapters/local/fs-blob-store';
import { environmentsFrom } from '../../../lambdas/gate/environments';
import type { Alert } from '../../../lambdas/ports/alert-sink';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import { OsvMirrorStore } from '../../../lambdas/vuln/mirror/mirror-store';
import { syncMirror } from '../../../lambdas/vuln/mirror/sync';
import type { OsvRecord } from '../../../lambdas/vuln/osv/types';
import { MirrorOsvSource } from '../../../lambdas/vuln/sources/mirror-source';
import { becameAvailable, createWatch } from '../../../lambdas/workflow/watch/watch';
import { eventSchemas, expectValidEvent } from '../../support/event-schemas';
import { OsvExportServer } from '../../support/osv-export-server';
import { fixtureRecord } from '../vuln/helpers';
import { digestOf, processArtifact, REPO, stores, type Stores } from './stored-artifacts';

const T0 = new Date('2026-12-01T10:00:00Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const stamp = (r: OsvRecord, minutes: number, extra: Partial<OsvRecord> = {}): OsvRecord => ({ ...r, modified: at(minutes).toISOString(), ...extra });

/** An image with express 4.19.2 (A), one without express (B). */
const A = digestOf(0xa);
const B = digestOf(0xb);

describe('vulnerability watch', () => {
  let server: OsvExportServer;
  let dir: string;
  let mirror: OsvMirrorStore;
  let s: Stores;
  let clock: Date;
  const published: Alert[][] = [];
  const sync = () => syncMirror({ http: new FetchHttpGet(5000), mirror, ecosystems: ['npm', 'PyPI'], baseUrl: server.url, now: () => clock, backoffMs: 1 });
  const watch = () =>
    createWatch({
      index: s.index,
      scans: s.scans,
      records: s.records,
      evidence: s.evidence,
      alerts: { publish: async (a) => void published.push([...a]) },
      metrics: new InMemoryMetrics(),
      source: new MirrorOsvSource(mirror, { now: () => clock }),
      dataSource: `osv-mirror:${mirror.location}`,
      threshold: 'low',
      unknownSeverity: 'fail',
      environments: environmentsFrom({ environments: { prod: { policy: {}, repositories: [REPO] } } }),
      now: () => clock,
    });
  const alertsFor = (digest: string): Alert[] => published.flat().filter((a) => a.detail.digest === digest);

  beforeEach(async () => {
    published.length = 0;
    clock = T0;
    server = await new OsvExportServer().start();
    server.publish('npm', fixtureRecord('GHSA-4xc9-xhrj-v574'), fixtureRecord('GHSA-vh95-rmgr-6w4m'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-watch-'));
    mirror = new OsvMirrorStore(new FsBlobStore(dir));
    await sync();
    s = await stores();
    const source = new MirrorOsvSource(mirror, { now: () => clock });
    await processArtifact(s, { digest: A, tag: 'v1.4.0', components: [{ purl: 'pkg:npm/express@4.19.2' }, { purl: 'pkg:npm/lodash@4.17.21' }], source, at: T0 });
    await processArtifact(s, { digest: B, tag: 'v2.0.0', components: [{ purl: 'pkg:npm/lodash@4.17.21' }], source, at: T0 });
  });
  afterEach(async () => {
    await server.close();
    await s.dynamo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a record added after an image was processed: exactly one new-finding alert for it, none for images without the package', async () => {
    expect((await s.records.getEvidence(REPO, A)).scan?.verdict).toBe('pass');
    clock = at(60);
    server.publish('npm', stamp(fixtureRecord('GHSA-jj78-5fmv-mv28'), 30));
    const synced = await sync();
    expect(synced.changes.map((c) => c.after.id)).toEqual(['GHSA-jj78-5fmv-mv28']);
    const outcome = await watch().watchChanges(synced.changes);

    expect(outcome).toMatchObject({ packagesQueried: 1, componentsRead: 1, artifactsEvaluated: 1, scansWritten: 1, added: 1, cleared: 0 });
    expect(alertsFor(A)).toHaveLength(1);
    expect(alertsFor(B)).toHaveLength(0);
    const [alert] = alertsFor(A);
    expect(alert?.type).toBe('Vulnerabilities Found');
    expect(alert?.detail).toMatchObject({ newSincePush: true, tags: ['v1.4.0'], environments: ['prod'], repository: REPO, digest: A, counts: expect.objectContaining({ medium: 1 }) });
    // The bus's published contract (lambdas/core/schemas) holds for the watch's alert as for the workflow's.
    expectValidEvent(eventSchemas(), 'Vulnerabilities Found', alert?.detail);
    expect(alert?.detail.summary).toMatch(/GHSA-jj78-5fmv-mv28 \(medium, pkg:npm\/express@4.19.2\)/);

    // The first scan is never rewritten; the newest one carries the finding.
    expect((await s.records.getEvidence(REPO, A)).scan?.verdict).toBe('pass');
    const newest = await s.scans.newest(REPO, A);
    expect(newest).toMatchObject({ trigger: 'watch', verdict: 'fail', atOrAboveThreshold: 1 });
    expect(newest?.added.map((f) => f.id)).toEqual(['GHSA-jj78-5fmv-mv28']);
    expect((await s.records.listEvents(REPO, A)).map((e) => e.type)).toContain('VulnerabilityWatch');
    expect(await s.scans.newest(REPO, B)).toBeUndefined();
  });

  it('the same sync run twice alerts once', async () => {
    clock = at(60);
    server.publish('npm', stamp(fixtureRecord('GHSA-jj78-5fmv-mv28'), 30));
    const synced = await sync();
    await watch().watchChanges(synced.changes);
    // The run retried with the same changes (a Lambda retry), and the next sync, which finds nothing new.
    const replay = await watch().watchChanges(synced.changes);
    clock = at(120);
    const again = await sync();
    expect(again.changes).toEqual([]);
    await watch().watchChanges(again.changes);
    expect(replay).toMatchObject({ scansWritten: 0, added: 0 });
    expect(alertsFor(A)).toHaveLength(1);
  });

  it('a record whose range excludes the stored version produces nothing', async () => {
    clock = at(60);
    // GHSA-rv95-896h-c2vc: express < 4.19.2 (and a 5.0 pre-release range); A has 4.19.2.
    server.publish('npm', stamp(fixtureRecord('GHSA-rv95-896h-c2vc'), 30));
    const synced = await sync();
    const outcome = await watch().watchChanges(synced.changes);
    expect(outcome).toMatchObject({ componentsRead: 1, artifactsEvaluated: 0, scansWritten: 0 });
    expect(published.flat()).toEqual([]);
    expect(await s.scans.newest(REPO, A)).toBeUndefined();
  });

  it('a withdrawn record clears the finding, and the clearing is recorded', async () => {
    clock = at(60);
    const jj78 = fixtureRecord('GHSA-jj78-5fmv-mv28');
    server.publish('npm', stamp(jj78, 30));
    await watch().watchChanges((await sync()).changes);
    clock = at(180);
    server.publish('npm', stamp(jj78, 150, { withdrawn: at(150).toISOString() }));
    const synced = await sync();
    expect(synced.changes[0]?.before?.modified).toBe(at(30).toISOString());
    const outcome = await watch().watchChanges(synced.changes);
    expect(outcome).toMatchObject({ scansWritten: 1, added: 0, cleared: 1 });
    const newest = await s.scans.newest(REPO, A);
    expect(newest?.verdict).toBe('pass');
    expect(newest?.cleared).toEqual([expect.objectContaining({ id: 'GHSA-jj78-5fmv-mv28', why: `GHSA-jj78-5fmv-mv28 was withdrawn on ${at(150).toISOString()}` })]);
    expect(alertsFor(A)).toHaveLength(1); // the first one only: clearing is recorded, not alerted
  });

  it('a digest left incomplete for lack of data is re-evaluated when the data arrives', async () => {
    const C = digestOf(0xc);
    // The mirror has no PyPI yet: the first scan is incomplete, and C is pending under PyPI.
    server.publish('PyPI', fixtureRecord('PYSEC-2023-212'));
    const noPyPI = new MirrorOsvSource(new OsvMirrorStore(new FsBlobStore(fs.mkdtempSync(path.join(dir, 'empty-')))), { now: () => clock });
    await expect(noPyPI.coverage()).rejects.toThrow(/no OSV mirror/);
    await processArtifact(s, { digest: C, tag: 'v3', components: [{ purl: 'pkg:pypi/urllib3@1.26.5' }], source: new MirrorOsvSource(mirror, { now: () => clock }), at: T0 });
    expect((await s.records.getEvidence(REPO, C)).scan?.verdict).toBe('incomplete');
    expect((await s.index.pending('PyPI')).map((p) => p.digest)).toEqual([C]);

    clock = at(60);
    const synced = await sync();
    const available = becameAvailable(synced.ecosystems, 48 * 3600_000, clock);
    expect(available).toEqual(['PyPI']);
    const { rescanned, alerts } = await watch().reevaluatePending(available);
    expect(rescanned).toBe(1);
    const newest = await s.scans.newest(REPO, C);
    expect(newest).toMatchObject({ trigger: 'reevaluate', verdict: 'fail' });
    expect(alerts.map((a) => a.detail.digest)).toEqual([C]);
    // Re-evaluated once: a second pass finds it no longer incomplete.
    expect((await watch().reevaluatePending(available)).rescanned).toBe(0);
  });
});
