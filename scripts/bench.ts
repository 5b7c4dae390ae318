/**
 * `npm run bench`: performance figures, printed as a table with ratios. Nothing here asserts;
 * the numbers go into the issue notes.
 *
 *  layer-read   a generated gzip layer read through the OCI layout source (digest verified)
 *               and gunzipped, against Node's gunzip alone on the same file.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import * as zlib from 'node:zlib';
import { OciLayoutSource } from '../lambdas/oci/sources/oci-layout-source';
import { DirFileStore } from '../lambdas/oci/sources/file-store';

const MB = 1024 * 1024;

function sink(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const out = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e9, out];
}

/** A pseudo-random but compressible layer body of `size` bytes, streamed to gzip on disk. */
async function makeGzipBlob(file: string, size: number): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  const gz = zlib.createGzip({ level: 6 });
  const out = fs.createWriteStream(file);
  gz.on('data', (c: Buffer) => hash.update(c));
  const done = pipeline(gz, out);
  const words = ['usr', 'lib', 'share', 'python3', 'node_modules', 'package.json', 'libc.so.6', 'debian', 'copyright'];
  let written = 0;
  let seed = 1;
  while (written < size) {
    let s = '';
    for (let i = 0; i < 4096; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      s += `${words[seed % words.length]}/${seed.toString(36)} `;
    }
    const buf = Buffer.from(s);
    written += buf.length;
    if (!gz.write(buf)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return { digest: `sha256:${hash.digest('hex')}`, size: fs.statSync(file).size };
}

async function layerRead(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bench-'));
  try {
    fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    const tmp = path.join(dir, 'layer.gz');
    const desc = await makeGzipBlob(tmp, 512 * MB);
    const blob = path.join(dir, 'blobs', 'sha256', desc.digest.slice(7));
    fs.renameSync(tmp, blob);
    fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    fs.writeFileSync(path.join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    const src = await OciLayoutSource.open('oci-dir', dir, new DirFileStore(dir));
    const [gunzipOnly] = await time(() => pipeline(fs.createReadStream(blob, { highWaterMark: MB }), zlib.createGunzip(), sink()));
    const [verified] = await time(async () => pipeline(await src.openBlob(desc), zlib.createGunzip(), sink()));
    console.log(`layer-read  ${(desc.size / MB).toFixed(0)} MB gzip (512 MB tar)  gunzip alone ${gunzipOnly.toFixed(2)} s  source+verify+gunzip ${verified.toFixed(2)} s  ratio ${(verified / gunzipOnly).toFixed(2)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`artifact-guard bench on ${os.cpus().length} CPU(s), Node ${process.version}`);
  await layerRead();
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(2);
});
