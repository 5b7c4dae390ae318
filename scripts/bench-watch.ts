/**
 * Watch and re-scan benchmarks (called by `npm run bench`, parts `watch` and `rescan`).
 *
 *  watch   100,000 stored synthetic artifacts of ~300 components each (a Debian- or Alpine-based
 *          image with language packages drawn from popularity-skewed pools), and 1,000 OSV
 *          records changed in one sync (new advisories, amended ranges, withdrawals). The watch
 *          code runs as in the Lambda; the component index is an in-memory implementation of the
 *          port answering the same one-query-per-package pattern (30 million entries do not fit
 *          dynalite in a benchmark), so the figures are the watch's own work plus items read, and
 *          the DynamoDB and Lambda cost is computed on paper from those counts.
 *  rescan  10,000 SBOMs of 300 components re-scanned through the same path as the weekly
 *          FullRescan batches (read the SBOM, Scan step, new scan entry) against a 200,000-record
 *          synthetic OSV set, stores in memory: ms per SBOM.
 */
import { createHash } from 'node:crypto';
import { InMemoryMetrics } from '../lambdas/ports/metrics';
import type { BlobStore } from '../lambdas/ports/blob-store';
import type { ArtifactRef, ComponentIndex, IndexedComponent } from '../lambdas/ports/component-index';
import type { ArtifactRecord, AuditEvent, LeaseOutcome, RecordStore, WriteOutcome } from '../lambdas/ports/record-store';
import type { ScanEntry, ScanHistory } from '../lambdas/ports/scan-history';
import { writeOnce } from '../lambdas/ports/write-once';
import type { RecordChange } from '../lambdas/vuln/mirror/sync';
import type { OsvRecord } from '../lambdas/vuln/osv/types';
import { OfflineOsvSource } from '../lambdas/vuln/sources/offline-source';
import type { SbomSummary, ScanSummary } from '../lambdas/workflow/state';
import { createWatch } from '../lambdas/workflow/watch/watch';
import { prng } from './bench-scan';

const ARTIFACTS = 100_000;
const COMPONENTS = 300;
const CHANGED = 1_000;
const RESCAN_SBOMS = Number(process.env.BENCH_RESCAN_SBOMS) || 10_000;
const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app';

/**
 * Prices assumed for the figures on paper (AWS us-east-1 list prices, on-demand, as of 2025):
 * DynamoDB $0.125 per million read request units and $0.625 per million write request units;
 * Lambda arm64 $0.0000133334 per GB-second; S3 $0.0004 per 1,000 GET, $0.005 per 1,000 PUT.
 */
const PRICE = { rru: 0.125e-6, wru: 0.625e-6, gbSecond: 0.0000133334, s3Get: 0.0004e-3, s3Put: 0.005e-3 };
/** Bytes of one index item as the DynamoDB adapter writes it (keys, purl, version, layer, refs). */
const ITEM_BYTES = 420;

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;
const usd = (v: number): string => `$${v < 0.01 ? v.toFixed(5) : v.toFixed(2)}`;

/** Zipf-like pick in [0, n): low indexes (popular packages) far more often. */
const skewed = (random: () => number, n: number, s = 1.1): number => Math.min(n - 1, Math.floor(n * random() ** (1 + s * 2)));

interface Pool {
  readonly ecosystem: string;
  readonly purl: (name: string, version: string) => string;
  readonly size: number;
  readonly version: (major: number, patch: number) => string;
}

const POOLS: Record<string, Pool> = {
  deb: { ecosystem: 'Debian:12', purl: (n, v) => `pkg:deb/debian/${n}@${v}?arch=amd64&distro=debian-12`, size: 1_500, version: (a, p) => `${a}.${p}.0-1` },
  apk: { ecosystem: 'Alpine:v3.19', purl: (n, v) => `pkg:apk/alpine/${n}@${v}?arch=x86_64&distro=alpine-3.19.1`, size: 600, version: (a, p) => `${a}.${p}.0-r0` },
  npm: { ecosystem: 'npm', purl: (n, v) => `pkg:npm/${n}@${v}`, size: 30_000, version: (a, p) => `${a}.${p}.0` },
  pypi: { ecosystem: 'PyPI', purl: (n, v) => `pkg:pypi/${n}@${v}`, size: 8_000, version: (a, p) => `${a}.${p}.0` },
  go: { ecosystem: 'Go', purl: (n, v) => `pkg:golang/example.com/${n}@v${v}`, size: 6_000, version: (a, p) => `${a}.${p}.0` },
};
const POOL_NAMES = Object.keys(POOLS);
const nameOf = (pool: string, i: number): string => `${pool}-pkg-${i}`;
/** Each package is found at 4 versions across the fleet (major 1, patch 0..3). */
const VERSIONS = 4;

/**
 * The synthetic fleet, compactly: per (pool, package) the artifacts holding it and at which
 * version. 30 million entries as typed arrays instead of objects.
 */
class FleetIndex implements ComponentIndex {
  private readonly holders = new Map<string, { artifacts: Int32Array; versions: Uint8Array; n: number }>();
  itemsRead = 0;
  queries = 0;
  rru = 0;

  add(): Promise<void> {
    return Promise.reject(new Error('read-only bench index'));
  }

  put(pool: string, pkg: number, artifact: number, version: number): void {
    const key = `${pool}\u0000${pkg}`;
    let h = this.holders.get(key);
    if (!h) {
      h = { artifacts: new Int32Array(16), versions: new Uint8Array(16), n: 0 };
      this.holders.set(key, h);
    }
    if (h.n === h.artifacts.length) {
      const a = new Int32Array(h.n * 2);
      a.set(h.artifacts);
      const v = new Uint8Array(h.n * 2);
      v.set(h.versions);
      h.artifacts = a;
      h.versions = v;
    }
    h.artifacts[h.n] = artifact;
    h.versions[h.n] = version;
    h.n += 1;
  }

  async find(ecosystemBase: string, name: string): Promise<IndexedComponent[]> {
    this.queries += 1;
    const pool = POOL_NAMES.find((p) => POOLS[p]?.ecosystem.startsWith(ecosystemBase) && name.startsWith(`${p}-pkg-`));
    const h = pool ? this.holders.get(`${pool}\u0000${Number(name.slice(`${pool}-pkg-`.length))}`) : undefined;
    const n = h?.n ?? 0;
    this.itemsRead += n;
    // DynamoDB Query: 0.5 RRU per 4 KB read (eventually consistent), at least one unit per page of 1 MB.
    this.rru += Math.max(1, Math.ceil((n * ITEM_BYTES) / 4096)) * 0.5;
    if (!h || !pool) return [];
    const p = POOLS[pool] as Pool;
    const out: IndexedComponent[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const digest = digestOf(h.artifacts[i] as number);
      const version = p.version(1, h.versions[i] as number);
      out[i] = { ecosystem: p.ecosystem, name, via: 'package', purl: p.purl(name, version), version, repository: REPO, digest, manifestDigest: digest, indexedAt: '2026-01-01T00:00:00Z' };
    }
    return out;
  }

  async ecosystems(): Promise<string[]> {
    return ['Debian', 'Alpine', 'npm', 'PyPI', 'Go'];
  }
  async markPending(): Promise<void> {}
  async pending(): Promise<ArtifactRef[]> {
    return [];
  }
}

const digestOf = (n: number): string => `sha256:${createHash('sha256').update(String(n)).digest('hex')}`;

/** A fleet of artifacts: 70% Debian-based (~110 deb), 30% Alpine (~30 apk), the rest language packages. */
function fleet(random: () => number): FleetIndex {
  const index = new FleetIndex();
  for (let a = 0; a < ARTIFACTS; a++) {
    const debian = random() < 0.7;
    const os = debian ? 'deb' : 'apk';
    const osCount = debian ? 110 : 30;
    const langs = random() < 0.5 ? ['npm'] : random() < 0.6 ? ['pypi'] : ['go', 'npm'];
    const seen = new Set<number>();
    const add = (pool: string): void => {
      const pkg = skewed(random, (POOLS[pool] as Pool).size);
      const key = POOL_NAMES.indexOf(pool) * 1_000_000 + pkg;
      if (seen.has(key)) return;
      seen.add(key);
      index.put(pool, pkg, a, Math.floor(random() * VERSIONS));
    };
    for (let i = 0; i < osCount; i++) add(os);
    for (let i = 0; seen.size < COMPONENTS && i < COMPONENTS * 3; i++) add(langs[i % langs.length] as string);
  }
  return index;
}

/**
 * 1,000 changed records. `typical` (the default) follows OSV's churn: most changes amend records
 * already published (references, aliases, scores: the match does not change), 15% are new
 * advisories on packages drawn evenly from the ecosystems, 5% withdrawals. `worst`
 * (BENCH_WATCH_MIX=worst): 70% new advisories on the most deployed packages, affecting nearly
 * every artifact.
 */
function changes(random: () => number, mix: 'typical' | 'worst'): RecordChange[] {
  const out: RecordChange[] = [];
  for (let i = 0; i < CHANGED; i++) {
    const pool = POOL_NAMES[Math.floor(random() * POOL_NAMES.length)] as string;
    const p = POOLS[pool] as Pool;
    const name = nameOf(pool, mix === 'worst' ? skewed(random, p.size, 0.6) : Math.floor(random() * p.size));
    const fixed = (patch: number) => [{ type: p.ecosystem === 'npm' || p.ecosystem === 'Go' ? ('SEMVER' as const) : ('ECOSYSTEM' as const), events: [{ introduced: '0' }, { fixed: p.version(1, patch) }] }];
    const record = (patch: number, extra: Partial<OsvRecord> = {}): OsvRecord => ({
      id: `BENCH-${i}`,
      modified: new Date(Date.UTC(2026, 11, 1, 10, 0, i)).toISOString(),
      aliases: [`CVE-2026-${String(50_000 + i)}`],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [{ package: { ecosystem: p.ecosystem, name }, ranges: fixed(patch) }],
      ...extra,
    });
    const kind = random();
    const [fresh, amended] = mix === 'worst' ? [0.7, 0.9] : [0.15, 0.95];
    const patch = 1 + Math.floor(random() * VERSIONS);
    if (kind < fresh) out.push({ ecosystem: p.ecosystem, after: record(patch) });
    else if (kind < amended) out.push({ ecosystem: p.ecosystem, before: record(patch), after: record(patch, { summary: 'amended' }) });
    else out.push({ ecosystem: p.ecosystem, before: record(2), after: record(2, { withdrawn: '2026-12-01T10:00:00Z' }) });
  }
  return out;
}

/** Stores for the artifacts the watch evaluates: counts what DynamoDB and S3 would be asked. */
class CountingStores implements RecordStore, ScanHistory, BlobStore {
  readonly blobs = new Map<string, Buffer>();
  readonly entries = new Map<string, ScanEntry>();
  readonly events = new Map<string, AuditEvent[]>();
  rru = 0;
  wru = 0;
  gets = 0;
  puts = 0;
  /** The first scan as the workflow recorded it: passing, no findings, and its SBOM when the bench stored one. */
  readonly sboms = new Map<string, SbomSummary>();

  async getArtifact(repositoryName: string, digest: string): Promise<ArtifactRecord | undefined> {
    this.rru += 0.5;
    return { repositoryName, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', kind: 'image', platforms: [], provenance: {}, firstSeen: '2026-01-01T00:00:00Z', source: `registry:${repositoryName}@${digest}` };
  }
  async isProcessed(): Promise<boolean> {
    return true;
  }
  /** The watch takes no processing lease (the workflow does); here for the port's shape. */
  async acquireLease(): Promise<LeaseOutcome> {
    throw new Error('the watch takes no processing lease');
  }
  async releaseLease(): Promise<void> {
    throw new Error('the watch takes no processing lease');
  }
  async putArtifact(): Promise<WriteOutcome> {
    return 'exists';
  }
  async claimTag(_r: string, _t: string, digest: string): Promise<{ digest: string; outcome: WriteOutcome }> {
    return { digest, outcome: 'exists' };
  }
  async putEvidence(): Promise<WriteOutcome> {
    return 'exists';
  }
  async getEvidence(_repositoryName: string, digest: string): Promise<Record<string, Record<string, unknown>>> {
    this.rru += 1; // EVIDENCE# items: sbom and scan summaries, a few KB
    const scan: ScanSummary = { verdict: 'pass', gaps: [], gapsTotal: 0, threshold: 'high', unknownSeverity: 'fail', counts: { none: 0, unknown: 0, info: 0, low: 0, medium: 0, high: 0, critical: 0 }, suppressed: 0, unorderable: 0, findingsAboveThreshold: [], findingsAboveThresholdTotal: 0, reports: [] };
    const sbom = this.sboms.get(digest);
    return { scan: { ...scan }, ...(sbom ? { sbom: { ...sbom } } : {}) };
  }
  async appendEvent(_r: string, digest: string, event: AuditEvent): Promise<WriteOutcome> {
    this.wru += 1;
    this.events.set(digest, [...(this.events.get(digest) ?? []), event]);
    return 'created';
  }
  async listEvents(_r: string, digest: string): Promise<AuditEvent[]> {
    this.rru += 0.5;
    return [{ id: 'p', time: '2026-01-01T00:00:00Z', type: 'ArtifactPushed', detail: { tag: `v${digest.slice(7, 11)}` } }, ...(this.events.get(digest) ?? [])];
  }
  async markProcessed(): Promise<WriteOutcome> {
    return 'exists';
  }
  async append(_r: string, digest: string, entry: ScanEntry): Promise<WriteOutcome> {
    this.wru += 2; // the entry (added/cleared lists) is up to 2 KB
    this.entries.set(digest, entry);
    return 'created';
  }
  async newest(_r: string, digest: string): Promise<ScanEntry | undefined> {
    this.rru += 0.5;
    return this.entries.get(digest);
  }
  async put(key: string, body: Buffer): Promise<void> {
    this.puts += 1;
    this.blobs.set(key, body);
  }
  async putIfAbsent(key: string, body: Buffer): Promise<'created' | 'exists'> {
    this.puts += 1;
    if (this.blobs.has(key)) return 'exists';
    this.blobs.set(key, body);
    return 'created';
  }
  async get(key: string): Promise<Buffer | undefined> {
    this.gets += 1;
    return this.blobs.get(key);
  }
  location(key: string): string {
    return `s3://bench/${key}`;
  }
}

export async function benchWatch(log: (line: string) => void): Promise<void> {
  const random = prng(16);
  let start = process.hrtime.bigint();
  const index = fleet(random);
  log(`watch: fleet of ${ARTIFACTS.toLocaleString('en')} artifacts × ~${COMPONENTS} components indexed in memory in ${seconds(start).toFixed(1)} s`);
  const mix = process.env.BENCH_WATCH_MIX === 'worst' ? 'worst' : 'typical';
  const changed = changes(random, mix);
  const stores = new CountingStores();
  const watch = createWatch({
    index,
    scans: stores,
    records: stores,
    evidence: stores,
    alerts: { publish: async () => undefined },
    metrics: new InMemoryMetrics(),
    source: OfflineOsvSource.fromRecords('bench', changed.map((c) => c.after)),
    dataSource: 'osv-mirror:bench',
    threshold: 'high',
    unknownSeverity: 'fail',
    now: () => new Date('2026-12-01T11:00:00Z'),
  });
  start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const out = await watch.watchChanges(changed);
  const wall = seconds(start);
  const cpu = process.cpuUsage(cpu0);
  const rru = index.rru + stores.rru;
  const gbSeconds = wall * 3.008; // the OsvWatch Lambda: 3,008 MB
  const perRun = rru * PRICE.rru + stores.wru * PRICE.wru + gbSeconds * PRICE.gbSecond + stores.gets * PRICE.s3Get + stores.puts * PRICE.s3Put;
  console.log(`\nwatch/100k-artifacts (${mix})  ${CHANGED} changed records against ${ARTIFACTS.toLocaleString('en')} artifacts (~${(ARTIFACTS * COMPONENTS / 1e6).toFixed(0)} M indexed components)`);
  console.log(`  wall ${wall.toFixed(2)} s (cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s), target < 60 s`);
  console.log(`  index: ${index.queries} queries, ${index.itemsRead.toLocaleString('en')} items read (${index.rru.toLocaleString('en')} RRU)`);
  console.log(`  ${out.artifactsEvaluated.toLocaleString('en')} artifacts evaluated, ${out.scansWritten.toLocaleString('en')} new scan entries, ${out.added.toLocaleString('en')} findings added, ${out.cleared.toLocaleString('en')} cleared, ${out.alerts.length.toLocaleString('en')} alerts`);
  console.log(`  on paper per run: DynamoDB ${rru.toLocaleString('en')} RRU + ${stores.wru.toLocaleString('en')} WRU, S3 ${stores.gets} GET + ${stores.puts} PUT, Lambda ${gbSeconds.toFixed(0)} GB-s: ${usd(perRun)}; 24 hourly runs a day: ${usd(perRun * 24)}`);
}

/** 300-component CycloneDX documents, re-scanned as the weekly batches do. */
export async function benchRescan(log: (line: string) => void): Promise<void> {
  const random = prng(17);
  const pools = ['deb', 'npm', 'pypi', 'go'];
  const records: OsvRecord[] = [];
  for (let i = 0; i < 200_000; i++) {
    const pool = pools[i % pools.length] as string;
    const p = POOLS[pool] as Pool;
    // Most advisories name packages no stored image has (OSV spans far more packages than a
    // fleet deploys): names drawn from ten times the pool, so an image has ~150-250 findings.
    const name = nameOf(pool, Math.floor(random() * p.size * 10));
    records.push({
      id: `SYN-${i}`,
      modified: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
      aliases: [`CVE-2099-${String(i).padStart(6, '0')}`],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N' }],
      affected: [{ package: { ecosystem: p.ecosystem, name }, ranges: [{ type: p.ecosystem === 'npm' || p.ecosystem === 'Go' ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: p.version(1, 1 + Math.floor(random() * 3)) }] }] }],
    });
  }
  const source = OfflineOsvSource.fromRecords('bench', records);
  let start = process.hrtime.bigint();
  await source.ready();
  log(`rescan: 200,000 synthetic records indexed in ${seconds(start).toFixed(1)} s`);
  const stores = new CountingStores();
  const refs: ArtifactRef[] = [];
  for (let a = 0; a < RESCAN_SBOMS; a++) {
    const digest = digestOf(a);
    const components = Array.from({ length: COMPONENTS }, (_, i) => {
      const pool = i < 110 ? 'deb' : (['npm', 'pypi', 'go'][i % 3] as string);
      const p = POOLS[pool] as Pool;
      const name = nameOf(pool, skewed(random, p.size));
      const version = p.version(1, Math.floor(random() * VERSIONS));
      return { type: 'library', 'bom-ref': `c${i}`, name, version, purl: p.purl(name, version) };
    });
    const doc = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, metadata: { component: { type: 'container', 'bom-ref': 'root', name: 'app' } }, components };
    const cdx = await writeOnce(stores, `evidence/${REPO}/${digest.replace(':', '-')}/sbom/a.cdx.json`, Buffer.from(JSON.stringify(doc)), 'application/json');
    stores.sboms.set(digest, { documents: [{ manifestDigest: digest, components: COMPONENTS, byType: { library: COMPONENTS }, warnings: 0, gaps: 0, gapLines: [], cyclonedx: cdx, spdx: cdx }], components: COMPONENTS, uninventoried: [] });
    refs.push({ repository: REPO, digest });
  }
  stores.gets = 0;
  stores.puts = 0;
  const watch = createWatch({
    index: new FleetIndex(),
    scans: stores,
    records: stores,
    evidence: stores,
    alerts: { publish: async () => undefined },
    metrics: new InMemoryMetrics(),
    source,
    dataSource: 'osv-mirror:bench',
    threshold: 'high',
    unknownSeverity: 'fail',
    now: () => new Date('2026-12-06T03:00:00Z'),
  });
  start = process.hrtime.bigint();
  let findings = 0;
  for (const ref of refs) findings += (await watch.rescan(ref, 'rescan'))?.entry.added.length ?? 0;
  const wall = seconds(start);
  const perSbom = (wall * 1000) / RESCAN_SBOMS;
  const gbSecondsPer100k = (perSbom / 1000) * 100_000 * 3.008;
  const perDay100k = (100_000 / RESCAN_SBOMS) * (stores.rru * PRICE.rru + stores.wru * PRICE.wru + stores.gets * PRICE.s3Get + stores.puts * PRICE.s3Put) + gbSecondsPer100k * PRICE.gbSecond;
  console.log(`\nrescan/10k-sboms  ${RESCAN_SBOMS.toLocaleString('en')} SBOMs of ${COMPONENTS} components against 200,000 records`);
  console.log(`  wall ${wall.toFixed(1)} s: ${perSbom.toFixed(2)} ms per SBOM (target < 20 ms), ${findings.toLocaleString('en')} findings`);
  console.log(`  re-scanning 100,000 artifacts once, on paper: ${gbSecondsPer100k.toFixed(0)} GB-s of Lambda, ${usd(perDay100k)} (DynamoDB, S3, Lambda); every day: ${usd(perDay100k * 30)} a month`);
}
