import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FetchHttpGet } from '../../../lambdas/adapters/fetch-http-get';
import { FsBlobStore } from '../../../lambdas/adapters/local/fs-blob-store';
import type { Alert } from '../../../lambdas/ports/alert-sink';
import { InMemoryMetrics } from '../../../lambdas/ports/metrics';
import { inlineDefinition, listEvidence, runRescan } from '../../../lambdas/local/rescan-runner';
import { OsvMirrorStore } from '../../../lambdas/vuln/mirror/mirror-store';
import { syncMirror } from '../../../lambdas/vuln/mirror/sync';
import { MirrorOsvSource } from '../../../lambdas/vuln/sources/mirror-source';
import { artifactsOf, createRescanBatch } from '../../../lambdas/workflow/watch/rescan-batch';
import { createWatch } from '../../../lambdas/workflow/watch/watch';
import definition from '../../../lambdas/workflow/watch/rescan.asl.json';
import { OsvExportServer } from '../../support/osv-export-server';
import { fixtureRecord } from '../vuln/helpers';
import { digestOf, processArtifact, REPO, stores, type Stores } from './stored-artifacts';

const T0 = new Date('2026-12-01T10:00:00Z');

describe('weekly full re-scan (the FullRescan definition, run locally)', () => {
  let server: OsvExportServer;
  let home: string;
  let s: Stores;

  beforeEach(async () => {
    server = await new OsvExportServer().start();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-rescan-'));
    s = await stores(new FsBlobStore(home));
  });
  afterEach(async () => {
    await server.close();
    await s.dynamo.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('re-scans every stored SBOM in batches and records each as a new scan; a finding the data gained alerts once', async () => {
    const mirror = new OsvMirrorStore(new FsBlobStore(home), 'osv-mirror/');
    server.publish('npm', fixtureRecord('GHSA-vh95-rmgr-6w4m'));
    const sync = () => syncMirror({ http: new FetchHttpGet(5000), mirror, ecosystems: ['npm'], baseUrl: server.url, now: () => T0, backoffMs: 1 });
    await sync();
    const source = () => new MirrorOsvSource(mirror, { now: () => T0 });
    await processArtifact(s, { digest: digestOf(1), tag: 'v1', components: [{ purl: 'pkg:npm/lodash@4.17.4' }], source: source(), at: T0 });
    await processArtifact(s, { digest: digestOf(2), tag: 'v2', components: [{ purl: 'pkg:npm/minimist@1.2.6' }], source: source(), at: T0 });
    // The data gains a lodash record by a full take of the export (no watch ran in between).
    server.publish('npm', fixtureRecord('GHSA-4xc9-xhrj-v574'));
    await syncMirror({ http: new FetchHttpGet(5000), mirror, ecosystems: ['npm'], baseUrl: server.url, now: () => T0, backoffMs: 1, maxChangeFiles: 0 });

    const alerts: Alert[] = [];
    const watch = createWatch({
      index: s.index, scans: s.scans, records: s.records, evidence: s.evidence,
      alerts: { publish: async (a) => void alerts.push(...a) },
      metrics: new InMemoryMetrics(), source: source(), dataSource: 'osv-mirror', threshold: 'low', unknownSeverity: 'fail', now: () => T0,
    });
    const keys = await listEvidence(home);
    expect(keys.every((k) => k.startsWith('evidence/'))).toBe(true);
    const results = await runRescan(keys, createRescanBatch(watch, { publish: async (a) => void alerts.push(...a) }));

    expect(results.reduce((n, r) => n + r.rescanned, 0)).toBe(2);
    expect((await s.scans.newest(REPO, digestOf(1)))).toMatchObject({ trigger: 'rescan', verdict: 'fail' });
    expect((await s.scans.newest(REPO, digestOf(2)))).toMatchObject({ trigger: 'rescan', verdict: 'pass' });
    expect(alerts.map((a) => [a.detail.digest, a.detail.newSincePush])).toEqual([[digestOf(1), true]]);

    // A second run writes new scans (each scan is evidence) but alerts nothing new.
    await runRescan(keys, createRescanBatch(watch, { publish: async (a) => void alerts.push(...a) }));
    expect(alerts).toHaveLength(1);
  });

  it("runs the synthesized definition's Map inline, with its batch size and concurrency; the listing gives one artifact per SBOM key", () => {
    const { definition: inline, batchSize } = inlineDefinition();
    const map = (definition as { States: Record<string, { ItemReader?: { Resource: string }; ItemBatcher?: { MaxItemsPerBatch: number }; MaxConcurrency?: number }> }).States.EverySbom;
    expect(map?.ItemReader?.Resource).toBe('arn:aws:states:::s3:listObjectsV2');
    expect(batchSize).toBe(map?.ItemBatcher?.MaxItemsPerBatch);
    expect(JSON.stringify(inline)).not.toContain('ItemReader');
    expect((inline as { States: Record<string, { MaxConcurrency?: number }> }).States.EverySbom?.MaxConcurrency).toBe(map?.MaxConcurrency);
    const sbom = (d: string, p: string) => `evidence/${REPO}/${d.replace(':', '-')}/sbom/${p}.cdx.json`;
    expect(artifactsOf([sbom(digestOf(1), 'a'), sbom(digestOf(1), 'b'), `evidence/${REPO}/${digestOf(1).replace(':', '-')}/scan/x.json`, sbom(digestOf(2), 'a')])).toEqual([
      { repository: REPO, digest: digestOf(1) },
      { repository: REPO, digest: digestOf(2) },
    ]);
  });
});
