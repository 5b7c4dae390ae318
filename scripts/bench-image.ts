/**
 * Generates a large synthetic OCI image for `npm run bench`: three gzip layers, over 1 GB of
 * tar in all, ~100k files, with real-looking package databases (dpkg status and copyright files,
 * node_modules, Python dist-info) so the catalogers have work to do. Written once into .bench/.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { digestOf } from '../lambdas/oci/digest';
import { MediaType } from '../lambdas/oci/media-types';
import { REF_NAME, blobPath } from '../lambdas/oci/sources/oci-layout-source';

const MB = 1024 * 1024;

/** Deterministic pseudo-random numbers (bench runs must compare like with like). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/** A pool of text-like bytes that compresses roughly like real files (about 3:1). */
function contentPool(size: number): Buffer {
  const words = ['static', 'const', 'return', 'function', 'import', 'export', 'lib', 'usr', 'share', 'data', 'value', 'index', 'error', 'module', 'package', 'version'];
  const r = rng(42);
  const parts: string[] = [];
  let len = 0;
  while (len < size) {
    const w = `${words[Math.floor(r() * words.length)]}${Math.floor(r() * 100000).toString(36)} `;
    parts.push(w);
    len += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

interface FileSpec {
  readonly path: string;
  readonly content: Buffer;
}

type LayerPlan = (emit: (f: FileSpec) => Promise<void>, pool: Buffer, r: () => number) => Promise<void>;

async function writeLayer(dir: string, plan: LayerPlan, seed: number, pool: Buffer): Promise<{ descriptor: { mediaType: string; digest: string; size: number }; diffId: string; tarBytes: number }> {
  const tmp = path.join(dir, `layer-${seed}.tmp`);
  const pack = tar.pack();
  const tarHash = createHash('sha256');
  const blobHash = createHash('sha256');
  let tarBytes = 0;
  const gzip = zlib.createGzip({ level: 1 });
  pack.on('data', (c: unknown) => {
    tarHash.update(c as Buffer);
    tarBytes += (c as Buffer).length;
  });
  gzip.on('data', (c: Buffer) => blobHash.update(c));
  const done = pipeline(pack, gzip, fs.createWriteStream(tmp));
  const r = rng(seed);
  const emit = (f: FileSpec): Promise<void> =>
    new Promise((resolve, reject) => {
      pack.entry({ name: f.path, size: f.content.length, mode: 0o644, mtime: new Date('2026-01-01T00:00:00Z') }, f.content, (err) => (err ? reject(err) : resolve()));
    });
  await plan(emit, pool, r);
  pack.finalize();
  await done;
  const digest = `sha256:${blobHash.digest('hex')}`;
  const target = path.join(dir, blobPath(digest));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(tmp, target);
  return { descriptor: { mediaType: MediaType.ociLayerGzip, digest, size: fs.statSync(target).size }, diffId: `sha256:${tarHash.digest('hex')}`, tarBytes };
}

function slice(pool: Buffer, r: () => number, size: number): Buffer {
  const start = Math.floor(r() * (pool.length - size));
  return pool.subarray(start, start + size);
}

/** Plain files: many small ones, a few big ones (shared objects, archives). */
function fillerFiles(prefix: string, count: number, big: number, bigSize: number): LayerPlan {
  return async (emit, pool, r) => {
    for (let i = 0; i < count; i++) await emit({ path: `${prefix}/d${i % 997}/f${i}.txt`, content: slice(pool, r, 512 + Math.floor(r() * 12 * 1024)) });
    for (let i = 0; i < big; i++) await emit({ path: `${prefix}/big/blob${i}.so`, content: slice(pool, r, bigSize) });
  };
}

const baseLayer: LayerPlan = async (emit, pool, r) => {
  await emit({ path: 'etc/os-release', content: Buffer.from('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n') });
  const stanzas: string[] = [];
  for (let i = 0; i < 400; i++) {
    stanzas.push(`Package: pkg${i}\nStatus: install ok installed\nPriority: optional\nSection: libs\nInstalled-Size: ${100 + i}\nMaintainer: Bench <bench@example.com>\nArchitecture: amd64\nSource: src${i % 150}\nVersion: 1.${i}.0-${i % 7}+deb12u1\nDescription: synthetic package ${i}\n long description line for ${i}\n`);
    await emit({ path: `usr/share/doc/pkg${i}/copyright`, content: Buffer.from(`Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2026 Bench\nLicense: ${i % 2 ? 'GPL-2+' : 'MIT'}\n`) });
  }
  await emit({ path: 'var/lib/dpkg/status', content: Buffer.from(stanzas.join('\n')) });
  await fillerFiles('usr/lib', 45_000, 80, 4 * MB)(emit, pool, r);
};

const runtimeLayer: LayerPlan = async (emit, pool, r) => {
  for (let i = 0; i < 300; i++) {
    const dir = `usr/local/lib/python3.11/site-packages/bench_pkg${i}-2.${i}.0.dist-info`;
    await emit({ path: `${dir}/METADATA`, content: Buffer.from(`Metadata-Version: 2.1\nName: bench-pkg${i}\nVersion: 2.${i}.0\nLicense: MIT\n\nbody\n`) });
    for (let j = 0; j < 20; j++) await emit({ path: `usr/local/lib/python3.11/site-packages/bench_pkg${i}/m${j}.py`, content: slice(pool, r, 2048 + Math.floor(r() * 8192)) });
  }
  for (let i = 0; i < 3000; i++) {
    const dir = `app/node_modules/${i % 5 === 0 ? `@scope${i % 13}/` : ''}npm-pkg${i}`;
    await emit({ path: `${dir}/package.json`, content: Buffer.from(JSON.stringify({ name: `${i % 5 === 0 ? `@scope${i % 13}/` : ''}npm-pkg${i}`, version: `3.${i % 50}.${i}`, license: 'ISC' })) });
    for (let j = 0; j < 6; j++) await emit({ path: `${dir}/lib/f${j}.js`, content: slice(pool, r, 1024 + Math.floor(r() * 6144)) });
  }
  await fillerFiles('opt/runtime', 10_000, 50, 4 * MB)(emit, pool, r);
};

function appLayer(variant: number): LayerPlan {
  return async (emit, pool, r) => {
    await emit({ path: 'app/package.json', content: Buffer.from(JSON.stringify({ name: 'bench-app', version: `1.0.${variant}` })) });
    await emit({ path: `app/node_modules/app-dep/package.json`, content: Buffer.from(JSON.stringify({ name: 'app-dep', version: `1.0.${variant}` })) });
    await fillerFiles(`app/build${variant}`, 3000, 10, 4 * MB)(emit, pool, r);
  };
}

export interface BenchImage {
  readonly dir: string;
  readonly tag: string;
  readonly layers: readonly { digest: string; size: number; tarBytes: number }[];
}

function writeImage(dir: string, tag: string, layers: Awaited<ReturnType<typeof writeLayer>>[]): void {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }));
  const configDesc = { mediaType: MediaType.ociConfig, digest: digestOf(config), size: config.length };
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: configDesc, layers: layers.map((l) => l.descriptor) }));
  const write = (digest: string, bytes: Buffer) => {
    fs.mkdirSync(path.dirname(path.join(dir, blobPath(digest))), { recursive: true });
    fs.writeFileSync(path.join(dir, blobPath(digest)), bytes);
  };
  write(configDesc.digest, config);
  write(digestOf(manifest), manifest);
  const indexFile = path.join(dir, 'index.json');
  const index = fs.existsSync(indexFile) ? (JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { manifests: unknown[] }) : { schemaVersion: 2, manifests: [] };
  index.manifests = (index.manifests as { annotations?: Record<string, string> }[]).filter((m) => m.annotations?.[REF_NAME] !== tag);
  index.manifests.push({ mediaType: MediaType.ociManifest, digest: digestOf(manifest), size: manifest.length, annotations: { [REF_NAME]: tag } });
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(indexFile, JSON.stringify(index));
}

/**
 * Two tags in one layout: `v1` (base, runtime, app v1) and `v2` (the same base and runtime, a new
 * app layer: a typical re-push). Reuses what an earlier run generated.
 */
export async function ensureBenchImages(root: string, log: (l: string) => void): Promise<{ v1: BenchImage; v2: BenchImage }> {
  const dir = path.join(root, 'large-image');
  const metaFile = path.join(dir, 'bench-meta.json');
  if (fs.existsSync(metaFile)) return JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { v1: BenchImage; v2: BenchImage };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  log('bench: generating the large image (once; kept in .bench/)…');
  const pool = contentPool(64 * MB);
  const base = await writeLayer(dir, baseLayer, 1, pool);
  const runtime = await writeLayer(dir, runtimeLayer, 2, pool);
  const app1 = await writeLayer(dir, appLayer(1), 3, pool);
  const app2 = await writeLayer(dir, appLayer(2), 4, pool);
  writeImage(dir, 'v1', [base, runtime, app1]);
  writeImage(dir, 'v2', [base, runtime, app2]);
  const info = (ls: typeof base[]) => ls.map((l) => ({ digest: l.descriptor.digest, size: l.descriptor.size, tarBytes: l.tarBytes }));
  const meta = { v1: { dir, tag: 'v1', layers: info([base, runtime, app1]) }, v2: { dir, tag: 'v2', layers: info([base, runtime, app2]) } };
  fs.writeFileSync(metaFile, JSON.stringify(meta));
  return meta;
}
