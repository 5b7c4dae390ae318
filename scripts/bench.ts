/**
 * `npm run bench`: performance figures, printed with their ratios. Nothing here asserts; the
 * numbers go into the issue notes. Generated inputs are kept in .bench/ between runs. It runs
 * compiled (node dist/scripts/bench.js), as the product does: under a TypeScript loader (tsx) the
 * in-process figures also carried the loader's thread and a larger heap to collect (~100 ms of
 * extra GC per debian-minbase run).
 *
 *  sbom/large        a generated 3-layer image (> 1 GB of tar, ~100k files), empty cache:
 *                    SBOM in-process vs Node's gunzip alone on the same layers (same run),
 *                    the whole `artifact-guard sbom` process vs a lone gunzip of the largest
 *                    layer, peak RSS, and a warm-cache re-push (one new layer) vs cold.
 *  sbom/debian       the same for debian-minbase when ../shared/rig can build it (debootstrap).
 *  scan/*            10,000 components matched against the real OSV set (../shared/data/osv,
 *                    when present) and a synthetic 200,000-record set: load and match times.
 *  hostile           a zstd bomb and hostile tar sizes: wall time, peak RSS and the one error
 *                    line of the whole process (bench-hostile.ts).
 *  watch/*, rescan/* the vulnerability watch against 100,000 stored artifacts, and the weekly
 *                    full re-scan per SBOM (scripts/bench-watch.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { FsBlobStore } from '../lambdas/adapters/local/fs-blob-store';
import { HmacFileKey } from '../lambdas/adapters/local/hmac-file-key';
import { openSource } from '../lambdas/oci/open-source';
import { catalogers } from '../lambdas/sbom/catalogers';
import { generateSbom } from '../lambdas/sbom/generate';
import { BlobLayerCache } from '../lambdas/sbom/layers/cache';
import { blobPath } from '../lambdas/oci/sources/oci-layout-source';
import { ensureBenchImages } from './bench-image';
import { benchHostile } from './bench-hostile';
import { benchScan } from './bench-scan';
import { benchRescan, benchWatch } from './bench-watch';
import { REPO_ROOT } from './repo-root';

const REPO = REPO_ROOT;
const BENCH_DIR = path.join(REPO, '.bench');
const CLI = path.join(REPO, 'dist', 'bin', 'artifact-guard.js');
const MB = 1024 * 1024;

const log = (l: string) => process.stderr.write(`${l}\n`);
const fmt = (s: number) => `${s.toFixed(2)} s`;

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const out = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e9, out];
}

function drain(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}

async function gunzipFile(file: string): Promise<void> {
  // A generous baseline: 4 MiB output chunks were the fastest setting measured for gunzip alone.
  await pipeline(fs.createReadStream(file, { highWaterMark: MB }), zlib.createGunzip({ chunkSize: 4 * MB }), drain());
}

async function gunzipAll(files: string[], concurrency: number): Promise<void> {
  const queue = [...files];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) await gunzipFile(f);
  }));
}

/** Wall time and peak RSS (via /usr/bin/time when installed) of a child process. */
function measureProcess(args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; rssMb?: number; ok: boolean } {
  const hasTime = fs.existsSync('/usr/bin/time');
  const start = process.hrtime.bigint();
  const res = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { env, encoding: 'utf8' })
    : spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rssKb = hasTime ? Number(res.stderr.trim().split('\n').pop()) : NaN;
  if (res.status !== 0) log(`bench: ${args.join(' ')} failed: ${res.stderr.slice(-500)}`);
  return { seconds, ...(Number.isFinite(rssKb) ? { rssMb: rssKb / 1024 } : {}), ok: res.status === 0 };
}

/** One MAC key for the in-process runs (the warm runs read entries the cold ones wrote), made on first use. */
let benchKey: HmacFileKey | undefined;

async function sbomInProcess(source: string, cacheDir: string): Promise<number> {
  benchKey ??= new HmacFileKey(path.join(emptyDir('home'), 'cache-mac.key'));
  const key = benchKey;
  const [seconds] = await time(async () => {
    const src = await openSource({ scheme: 'oci-dir', location: source.split(':')[0] as string, tag: source.split(':')[1] });
    await generateSbom(src, 'bench', { cache: new BlobLayerCache(new FsBlobStore(cacheDir), catalogers.map((c) => c.name), key) });
  });
  return seconds;
}

/** Layer-cache folders this process made; removed when it exits. */
const madeDirs: string[] = [];
process.on('exit', () => madeDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function emptyDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ag-bench-${name}-`));
  madeDirs.push(dir);
  return dir;
}

async function benchImage(label: string, layoutDir: string, tag: string, layerDigests: string[], rePushTag?: string): Promise<void> {
  const files = layerDigests.map((d) => path.join(layoutDir, blobPath(d)));
  const tarBytes = await (async () => {
    let n = 0;
    for (const f of files) await pipeline(fs.createReadStream(f), zlib.createGunzip(), new Writable({ write: (c: Buffer, _e, cb) => { n += c.length; cb(); } }));
    return n;
  })();
  const compressed = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  const largest = files.reduce((a, b) => (fs.statSync(a).size >= fs.statSync(b).size ? a : b));
  log(`bench: ${label}: ${files.length} layers, ${(compressed / MB).toFixed(0)} MB gzip, ${(tarBytes / MB).toFixed(0)} MB tar`);

  // In-process figures: median of three runs (each SBOM run with a fresh, empty layer cache),
  // after the first, cold one, which is reported too (it includes compiling the code).
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const sbomRuns: number[] = [];
  const gzSeqRuns: number[] = [];
  const gzParRuns: number[] = [];
  for (let i = 0; i < 4; i++) {
    gzSeqRuns.push((await time(() => gunzipAll(files, 1)))[0]);
    gzParRuns.push((await time(() => gunzipAll(files, 2)))[0]);
    sbomRuns.push(await sbomInProcess(`${layoutDir}:${tag}`, emptyDir('cold')));
  }
  const sbomFirst = sbomRuns.shift() as number;
  gzSeqRuns.shift();
  gzParRuns.shift();
  const gzSeq = median(gzSeqRuns);
  const gzPar = median(gzParRuns);
  const sbomCold = median(sbomRuns);
  const cold = emptyDir('cold');
  await sbomInProcess(`${layoutDir}:${tag}`, cold);

  // Whole processes: three pairs, each SBOM run next to a lone gunzip (this host's speed drifts by
  // tens of percent over minutes, so a ratio compares runs made at the same moment); medians.
  const pairs = Array.from({ length: 3 }, () => {
    const p = measureProcess([CLI, 'sbom', `oci-dir:${layoutDir}:${tag}`, '-q', '--file', '/dev/null'], { ...process.env, ARTIFACT_GUARD_CACHE_DIR: emptyDir('proc'), ARTIFACT_GUARD_HOME: emptyDir('proc-home') });
    const l = measureProcess(['-e', `require('fs').createReadStream(${JSON.stringify(largest)},{highWaterMark:1<<20}).pipe(require('zlib').createGunzip({chunkSize:4<<20})).on('data',()=>{})`]);
    return { p, l, ratio: p.seconds / l.seconds };
  });
  const mid = [...pairs].sort((a, b) => a.ratio - b.ratio)[1] as (typeof pairs)[number];
  const proc = { ...mid.p, rssMb: Math.max(...pairs.map((x) => x.p.rssMb ?? NaN)) };
  const lone = mid.l;
  const ratios = pairs.map((x) => x.ratio.toFixed(2)).sort().join(', ');

  console.log(`\n${label}  (${files.length} layers, ${(tarBytes / MB).toFixed(0)} MB tar, ${(compressed / MB).toFixed(0)} MB gzip, empty cache)`);
  console.log(`  gunzip alone, layers one by one      ${fmt(gzSeq)}   (median of 3)`);
  console.log(`  gunzip alone, two layers at a time   ${fmt(gzPar)}   (median of 3)`);
  console.log(`  SBOM in-process (median of 3)        ${fmt(sbomCold)}   ratio ${(sbomCold / gzSeq).toFixed(2)} vs gunzip one-by-one, ${(sbomCold / gzPar).toFixed(2)} vs two-at-a-time   (target ≤ 1.15)`);
  console.log(`  SBOM in-process, first (cold) run    ${fmt(sbomFirst)}   ratio ${(sbomFirst / gzSeq).toFixed(2)} vs gunzip one-by-one`);
  console.log(`  artifact-guard sbom (whole process)  ${fmt(proc.seconds)}   ratio ${mid.ratio.toFixed(2)} vs a lone node gunzip of the largest layer (${fmt(lone.seconds)}); median of 3 pairs (${ratios})   (target ≤ 1.5)`);
  console.log(`  peak RSS of artifact-guard sbom      ${Number.isFinite(proc.rssMb) ? `${proc.rssMb.toFixed(0)} MB (highest of 3)` : 'n/a (install GNU time)'}   (target ≤ 200 MB)`);
  if (rePushTag) {
    // Three warm runs, each on its own copy of the cache the first image left (a warm run adds
    // the new layer to it), side by side with three cold runs of the same image; medians.
    const warmRuns: number[] = [];
    const coldRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const warmCache = emptyDir('warm');
      fs.cpSync(cold, warmCache, { recursive: true });
      warmRuns.push(await sbomInProcess(`${layoutDir}:${rePushTag}`, warmCache));
      coldRuns.push(await sbomInProcess(`${layoutDir}:${rePushTag}`, emptyDir('cold2')));
    }
    const warm = median(warmRuns);
    const rePushCold = median(coldRuns);
    const spread = warmRuns.map((w, i) => (w / (coldRuns[i] as number)).toFixed(3)).sort().join(', ');
    console.log(`  re-push with one new layer, warm     ${fmt(warm)}   ratio ${(warm / rePushCold).toFixed(3)} vs the same image cold (${fmt(rePushCold)}); medians of 3 (pairs: ${spread})   (target ≤ 0.1)`);
  }
}

async function debianMinbase(): Promise<{ dir: string; digests: string[] } | undefined> {
  const dir = path.join(BENCH_DIR, 'debian-minbase');
  const rig = path.join(REPO, '..', 'shared', 'rig', 'make-image.sh');
  if (!fs.existsSync(path.join(dir, 'index.json'))) {
    if (!fs.existsSync(rig) || spawnSync('sh', ['-c', 'command -v debootstrap umoci'], { stdio: 'ignore' }).status !== 0) return undefined;
    log('bench: building debian-minbase with ../shared/rig/make-image.sh (once; about a minute)…');
    fs.rmSync(dir, { recursive: true, force: true });
    const res = spawnSync('bash', [rig, 'debian-minbase', dir], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, RIG_DEBOOTSTRAP_CACHE: path.join(BENCH_DIR, 'debootstrap-cache') } });
    if (res.status !== 0) return undefined;
  }
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, blobPath(index.manifests[0]!.digest)), 'utf8')) as { layers: { digest: string }[] };
  return { dir, digests: manifest.layers.map((l) => l.digest) };
}

/** One part of the bench in this process (a child of `main`, so that parts do not share a heap). */
async function part(name: string): Promise<void> {
  if (name === 'large') {
    const { v1 } = await ensureBenchImages(BENCH_DIR, log);
    await benchImage('sbom/large', v1.dir, v1.tag, v1.layers.map((l) => l.digest), 'v2');
  } else if (name === 'debian') {
    const deb = await debianMinbase();
    if (deb) await benchImage('sbom/debian-minbase', deb.dir, 'latest', deb.digests);
    else console.log('\nsbom/debian-minbase  skipped: needs ../shared/rig and debootstrap + umoci to build it');
  } else if (name === 'scan') {
    await benchScan(log);
  } else if (name === 'hostile') {
    benchHostile(BENCH_DIR, REPO, CLI, { ...process.env, ARTIFACT_GUARD_CACHE_DIR: emptyDir('hostile'), ARTIFACT_GUARD_HOME: emptyDir('hostile-home') }, log);
  } else if (name === 'watch') {
    await benchWatch(log);
  } else if (name === 'rescan') {
    await benchRescan(log);
  } else throw new Error(`unknown bench part ${name}`);
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const only = process.argv.indexOf('--part');
  if (only > 0) return part(process.argv[only + 1] as string);
  console.log(`artifact-guard bench: ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, Node ${process.version}`);
  await ensureBenchImages(BENCH_DIR, log);
  // Each part runs in its own process: a 1.1 GB run leaves a heap that slows whatever follows.
  for (const name of ['large', 'debian', 'scan', 'hostile', 'watch', 'rescan']) {
    const res = spawnSync(process.execPath, [...process.execArgv, __filename, '--part', name], { stdio: 'inherit' });
    if (res.status !== 0) throw new Error(`bench part ${name} failed (exit ${res.status ?? res.signal})`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(2);
});
