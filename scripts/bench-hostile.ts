/**
 * `npm run bench` part "hostile": what hostile inputs cost the whole `artifact-guard sbom` process
 * (wall time, peak RSS, exit code and its one line), so that bounded work is a measured figure
 * rather than a timed test:
 *  - a zstd bomb: a ~330 KB layer that stands for a 10 GiB file of zeros (a tar header, then 160
 *    copies of the 64 MiB zeros frame of test/fixtures/zstd; zstd frames concatenate);
 *  - oci-archive tars whose PAX size is negative (pointing back at its own header: the archive
 *    index used to loop ~1M times), non-numeric, or beyond 2^53.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { digestOf } from '../lambdas/oci/digest';
import type { BuiltBlob } from '../lambdas/oci/image-builder';
import { compress, writeOciLayout } from '../lambdas/oci/image-builder';
import { MediaType } from '../lambdas/oci/media-types';

const BLOCK = 512;

function blob(mediaType: string, bytes: Buffer): BuiltBlob {
  return { descriptor: { mediaType, digest: digestOf(bytes), size: bytes.length }, bytes };
}

/** A ustar header; `size` is octal text or 12 raw bytes (GNU base-256). */
function tarHeader(name: string, type: string, size: string | Buffer): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  if (typeof size === 'string') h.write(size, 124, 12, 'ascii');
  else size.copy(h, 124, 0, 12);
  h.write('00000000000\0', 136, 'ascii');
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** A PAX header with one `size=` record, then a file entry, as an oci-archive would hold it. */
function paxSizeArchive(value: string): Buffer {
  const record = `size=${value}`;
  let len = record.length + 3;
  while (`${len} ${record}\n`.length !== len) len = `${len} ${record}\n`.length;
  const body = Buffer.alloc(BLOCK);
  body.write(`${len} ${record}\n`);
  const content = Buffer.alloc(BLOCK);
  content.write('{}');
  return Buffer.concat([tarHeader('PaxHeaders/index.json', 'x', `${len.toString(8).padStart(11, '0')}\0`), body, tarHeader('index.json', '0', '00000000002\0'), content, Buffer.alloc(2 * BLOCK)]);
}

/** The zstd bomb as a one-layer OCI layout; undefined when the zstd tool (for the header frame) is missing. */
function zstdBombLayout(dir: string, repoRoot: string): { dir: string; tag: string; compressed: number } | undefined {
  const zeros = fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'zstd', 'zeros-64MiB.zst'));
  const copies = 160; // 10 GiB of zeros
  const size = Buffer.alloc(12);
  size[0] = 0x80;
  size.writeBigUInt64BE(BigInt(copies) * 64n * 1024n * 1024n, 4);
  let header: Buffer;
  try {
    header = compress(tarHeader('zeros.bin', '0', size), 'zstd');
  } catch {
    return undefined;
  }
  const layer = blob(MediaType.ociLayerZstd, Buffer.concat([header, ...Array.from({ length: copies }, () => zeros)]));
  const config = blob(MediaType.ociConfig, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
  const manifest = blob(MediaType.ociManifest, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: config.descriptor, layers: [layer.descriptor] })));
  writeOciLayout(dir, [{ manifest, config, layers: [layer] }], { tag: 'bomb', root: manifest });
  return { dir, tag: 'bomb', compressed: layer.bytes.length };
}

interface Run {
  readonly seconds: number;
  readonly rssMb: number | undefined;
  readonly status: number | null;
  readonly line: string;
}

/** The CLI as a child process, under GNU time when installed (peak RSS: its last stderr line). */
function run(cli: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const hasTime = fs.existsSync('/usr/bin/time');
  const start = process.hrtime.bigint();
  const res = hasTime ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, ...args], { env, encoding: 'utf8' }) : spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const lines = res.stderr.trim().split('\n');
  const rssKb = hasTime ? Number(lines.pop()) : NaN;
  return { seconds, rssMb: Number.isFinite(rssKb) ? rssKb / 1024 : undefined, status: res.status, line: (lines.filter((l) => l.trim() && !l.startsWith('Command exited')).pop() ?? '').slice(0, 140) };
}

export function benchHostile(benchDir: string, repoRoot: string, cli: string, env: NodeJS.ProcessEnv, log: (l: string) => void): void {
  const dir = path.join(benchDir, 'hostile');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const cases: { label: string; source: string }[] = [];
  const bomb = zstdBombLayout(path.join(dir, 'zstd-bomb'), repoRoot);
  if (bomb) cases.push({ label: `zstd bomb (${(bomb.compressed / 1024).toFixed(0)} KB layer → 10 GiB of zeros)`, source: `oci-dir:${bomb.dir}:${bomb.tag}` });
  else log('bench: hostile: zstd bomb skipped (needs the zstd tool to write its header frame)');
  for (const [label, value] of [
    ['oci-archive, PAX size -1536 (points back at its own header)', '-1536'],
    ['oci-archive, PAX size "abc"', 'abc'],
    ['oci-archive, PAX size 99999999999999999999', '99999999999999999999'],
  ] as const) {
    const file = path.join(dir, `pax-${cases.length}.tar`);
    fs.writeFileSync(file, paxSizeArchive(value));
    cases.push({ label, source: `oci-archive:${file}` });
  }
  console.log('\nhostile inputs  (artifact-guard sbom as a whole process; each must end with one line and exit 2, its memory bounded)');
  for (const c of cases) {
    const r = run(cli, ['sbom', c.source, '-q', '--file', '/dev/null'], env);
    const rss = r.rssMb === undefined ? 'n/a (install GNU time)' : `${r.rssMb.toFixed(0)} MB`;
    console.log(`  ${c.label.padEnd(62)} ${r.seconds.toFixed(2)} s   peak RSS ${rss}   exit ${r.status ?? 'signal'}: ${r.line}`);
  }
}
