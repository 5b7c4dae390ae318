/**
 * Scan benchmark (called by `npm run bench`): 10,000 components matched against
 *  - the real OSV set in ../shared/data/osv (when present): load = read, parse and index
 *    every record; components are drawn from the packages those records name, at versions
 *    around their events, so that ranges are really evaluated;
 *  - a synthetic 200,000-record set generated in memory (npm, PyPI, Debian, Alpine, Go):
 *    load = index build.
 * "match" is the whole scan of a parsed SBOM: purls → OSV packages, source lookup, range
 * evaluation, alias merging, severities, report. Target: < 1 s per match.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OsvEvent, OsvRecord } from '../lambdas/vuln/osv/types';
import { eventVersion } from '../lambdas/vuln/osv/types';
import { scanSbom } from '../lambdas/vuln/scan';
import { parseScanSbom, type ScanSbom } from '../lambdas/vuln/sbom-input';
import { OfflineOsvSource } from '../lambdas/vuln/sources/offline-source';
import { loadOsvDirectory } from '../lambdas/vuln/sources/osv-files';
import { REPO_ROOT } from './repo-root';

const SHARED_OSV = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'osv');
const COMPONENTS = 10_000;
const SYNTHETIC_RECORDS = 200_000;

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;
const fmt = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);

/** A small deterministic PRNG (mulberry32), so runs are comparable. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The purl a component of this OSV package would carry (undefined for ecosystems we skip). */
function purlFor(ecosystem: string, name: string, version: string, n: number): string | undefined {
  const v = encodeURIComponent(version);
  const [base, release] = [ecosystem.split(':')[0], ecosystem.split(':')[1]];
  const tag = `bench=${n}`; // keeps bom-refs unique when a package repeats
  switch (base) {
    case 'npm':
      return name.startsWith('@') ? `pkg:npm/%40${name.slice(1)}@${v}?${tag}` : `pkg:npm/${name}@${v}?${tag}`;
    case 'PyPI':
      return `pkg:pypi/${name}@${v}?${tag}`;
    case 'crates.io':
      return `pkg:cargo/${name}@${v}?${tag}`;
    case 'Go':
      return `pkg:golang/${name}@v${v}?${tag}`;
    case 'RubyGems':
      return `pkg:gem/${name}@${v}?${tag}`;
    case 'Maven': {
      const [g, a] = name.split(':');
      return a ? `pkg:maven/${g}/${a}@${v}?${tag}` : undefined;
    }
    case 'Debian':
      return release ? `pkg:deb/debian/${name}@${v}?arch=amd64&${tag}&distro=debian-${release}` : undefined;
    case 'Alpine':
      return release ? `pkg:apk/alpine/${name}@${v}?arch=x86_64&${tag}&distro=alpine-${release.slice(1)}.0` : undefined;
    default:
      return undefined;
  }
}

/** Components drawn from records: each picks an affected package and a version near its events. */
export function componentsFrom(records: readonly OsvRecord[], count: number, random: () => number): string[] {
  const candidates: { ecosystem: string; name: string; versions: string[] }[] = [];
  for (const r of records) {
    for (const a of r.affected ?? []) {
      const events = (a.ranges ?? []).filter((x) => x.type !== 'GIT').flatMap((x) => x.events as OsvEvent[]).map(eventVersion).filter((v) => v !== '0');
      const versions = [...events, ...(a.versions ?? []).slice(0, 5)];
      if (versions.length) candidates.push({ ecosystem: a.package.ecosystem, name: a.package.name, versions });
    }
  }
  const purls: string[] = [];
  for (let i = 0; purls.length < count && i < count * 20; i++) {
    const c = candidates[Math.floor(random() * candidates.length)];
    if (!c) break;
    const purl = purlFor(c.ecosystem, c.name, c.versions[Math.floor(random() * c.versions.length)] as string, purls.length);
    if (purl) purls.push(purl);
  }
  return purls;
}

function sbomOf(purls: readonly string[]): ScanSbom {
  const doc = { bomFormat: 'CycloneDX', specVersion: '1.6', components: purls.map((p) => ({ type: 'library', name: 'c', 'bom-ref': p, purl: p })) };
  return parseScanSbom(JSON.stringify(doc), 'bench');
}

/** Wall time and this process's CPU time (user + system): on a busy machine the CPU time is the steadier figure. */
async function measure<T>(fn: () => Promise<T>): Promise<{ wall: number; cpu: number; value: T }> {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = await fn();
  const wall = seconds(start);
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6, value };
}

async function timeScan(label: string, source: OfflineOsvSource, sbom: ScanSbom): Promise<void> {
  const cold = await measure(() => scanSbom(sbom, source, { now: new Date(), threshold: 'high' }));
  const warm = await measure(() => scanSbom(sbom, source, { now: new Date(), threshold: 'high' }));
  const s = cold.value.summary;
  console.log(
    `  match ${s.components} components        ${fmt(cold.wall)} first run (cpu ${fmt(cold.cpu)}), ${fmt(warm.wall)} again (cpu ${fmt(warm.cpu)})   (target < 1 s)   ${s.findings} findings, ${s.unorderable} unorderable, ${s.notScanned} not scanned   [${label}]`,
  );
}

/** 200,000 records over 40,000 packages in five ecosystems, 1–3 ranges each, some versions lists. */
function syntheticRecords(random: () => number): { records: OsvRecord[]; packages: { ecosystem: string; name: string }[] } {
  const ecosystems = ['npm', 'PyPI', 'Go', 'Debian:12', 'Alpine:v3.19'];
  const packages = Array.from({ length: 40_000 }, (_, i) => ({ ecosystem: ecosystems[i % ecosystems.length] as string, name: `pkg-${i}` }));
  const ver = (eco: string, major: number, minor: number, patch: number): string =>
    eco.startsWith('Debian') ? `${major}.${minor}.${patch}-1` : eco.startsWith('Alpine') ? `${major}.${minor}.${patch}-r0` : `${major}.${minor}.${patch}`;
  const records: OsvRecord[] = [];
  for (let i = 0; i < SYNTHETIC_RECORDS; i++) {
    const p = packages[Math.floor(random() * packages.length)] as { ecosystem: string; name: string };
    const ranges = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
      const major = Math.floor(random() * 10);
      const minor = Math.floor(random() * 20);
      return {
        type: p.ecosystem === 'npm' || p.ecosystem === 'Go' ? 'SEMVER' : 'ECOSYSTEM',
        events: [random() < 0.2 ? { introduced: '0' } : { introduced: ver(p.ecosystem, major, minor, 0) }, { fixed: ver(p.ecosystem, major, minor, 1 + Math.floor(random() * 9)) }],
      };
    });
    records.push({
      id: `SYN-${i}`,
      modified: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
      aliases: [`CVE-2099-${String(i % 150_000).padStart(6, '0')}`],
      severity: [{ type: 'CVSS_V3', score: random() < 0.5 ? 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' : 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N' }],
      affected: [{ package: p, ranges, ...(random() < 0.3 ? { versions: [ver(p.ecosystem, 1, 0, 0), ver(p.ecosystem, 1, 0, 1)] } : {}) }],
    });
  }
  return { records, packages };
}

export async function benchScan(log: (line: string) => void): Promise<void> {
  const random = prng(20260601);

  if (fs.existsSync(SHARED_OSV)) {
    log('bench: scan/osv-shared: loading ../shared/data/osv …');
    const source = OfflineOsvSource.fromPath(SHARED_OSV);
    const load = await measure(() => source.ready());
    const d = await source.describe();
    console.log(`\nscan/osv-shared  (${d.recordCount} real OSV records from ${SHARED_OSV}, newest modified ${d.newestModified})`);
    console.log(`  load (read, parse, index)           ${fmt(load.wall)} (cpu ${fmt(load.cpu)})`);
    // Components come from the same records (read again, outside the timings).
    const purls = componentsFrom((await loadOsvDirectory(SHARED_OSV)).records, COMPONENTS, random);
    await timeScan('osv-shared', source, sbomOf(purls));
  } else {
    console.log(`\nscan/osv-shared  skipped: ${SHARED_OSV} not present`);
  }

  log(`bench: scan/synthetic: generating ${SYNTHETIC_RECORDS} records …`);
  const { records, packages } = syntheticRecords(random);
  const source = OfflineOsvSource.fromRecords('synthetic', records);
  const load = await measure(() => source.ready());
  console.log(`\nscan/synthetic  (${records.length} generated records over ${packages.length} packages)`);
  console.log(`  load (index)                        ${fmt(load.wall)} (cpu ${fmt(load.cpu)})`);
  const purls: string[] = [];
  for (let i = 0; i < COMPONENTS; i++) {
    const p = packages[Math.floor(random() * packages.length)] as { ecosystem: string; name: string };
    const major = Math.floor(random() * 10);
    const minor = Math.floor(random() * 20);
    const patch = Math.floor(random() * 10);
    const v = p.ecosystem.startsWith('Debian') ? `${major}.${minor}.${patch}-1` : p.ecosystem.startsWith('Alpine') ? `${major}.${minor}.${patch}-r0` : `${major}.${minor}.${patch}`;
    purls.push(purlFor(p.ecosystem, p.name, v, i) as string);
  }
  await timeScan('synthetic', source, sbomOf(purls));
}

if (require.main === module) {
  benchScan((l) => process.stderr.write(`${l}\n`)).catch((err: unknown) => {
    console.error(`bench-scan: ${(err as Error).message}`);
    process.exit(2);
  });
}
