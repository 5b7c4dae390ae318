/**
 * Reads OSV records from a directory tree of `*.json` files (an osv.dev export unpacked, or a
 * mirror) or from a zip such as osv.dev's per-ecosystem `all.zip`. Malformed records are
 * skipped with a warning naming the file; everything else is returned as read.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as yauzl from 'yauzl';
import { BadInputError } from '../../core/errors';
import type { Progress } from '../../ports/progress';
import { startStage } from '../../ports/progress';
import { parseOsvJson } from '../osv/parse';
import type { OsvRecord } from '../osv/types';

export interface LoadedRecords {
  readonly records: OsvRecord[];
  readonly warnings: string[];
}

// One OSV record is kilobytes; the largest real ones (Linux kernel, many versions) are a few
// MB. Anything far larger is not a record, and reading it whole would only exhaust memory.
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const READ_CONCURRENCY = 64;

async function listJsonFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
    }
  };
  await walk(root);
  return out.sort();
}

export async function loadOsvDirectory(dir: string, progress?: Progress): Promise<LoadedRecords> {
  const files = await listJsonFiles(dir);
  const stage = startStage(progress, 'osv', `loading OSV records from ${dir}`, { unit: 'files', total: files.length });
  // Results land in file order whatever order the reads finish in: the same directory always
  // yields the same list (and the same choice among duplicate ids).
  const slots: (OsvRecord | string)[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const file = files[i] as string;
      try {
        const stat = await fs.stat(file);
        if (stat.size > MAX_RECORD_BYTES) throw new Error(`larger than ${MAX_RECORD_BYTES} bytes`);
        slots[i] = parseOsvJson(await fs.readFile(file));
        stage.advance({ done: 1, bytes: stat.size });
      } catch (err) {
        slots[i] = `skipped OSV record ${path.relative(dir, file)}: ${(err as Error).message}`;
        stage.advance({ done: 1 });
      }
    }
  };
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
  stage.finish();
  return { records: slots.filter((s): s is OsvRecord => typeof s !== 'string'), warnings: slots.filter((s): s is string => typeof s === 'string') };
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  if (entry.uncompressedSize > MAX_RECORD_BYTES) throw new Error(`larger than ${MAX_RECORD_BYTES} bytes`);
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Records of a zip (`all.zip`: one `<ID>.json` per record). `only`, when given, picks the entry
 * names to read (the mirror looks up a few ids without parsing the whole export).
 */
export async function loadOsvZip(file: string | { readonly bytes: Buffer; readonly name: string }, progress?: Progress, only?: (entryName: string) => boolean): Promise<LoadedRecords> {
  const label = typeof file === 'string' ? file : file.name;
  let zip: yauzl.ZipFile;
  try {
    const options = { lazyEntries: true, autoClose: false };
    zip = typeof file === 'string' ? await yauzl.openPromise(file, options) : await yauzl.fromBufferPromise(file.bytes, options);
  } catch (err) {
    throw new BadInputError(`${label}: not a readable zip (${(err as Error).message})`);
  }
  const records: OsvRecord[] = [];
  const warnings: string[] = [];
  const totalBytes = typeof file === 'string' ? (await fs.stat(file)).size : file.bytes.length;
  const stage = startStage(progress, 'osv', `loading OSV records from ${label}`, { unit: 'entries', total: zip.entryCount, totalBytes });
  try {
    for await (const entry of zip.eachEntry()) {
      stage.advance({ done: 1, bytes: entry.compressedSize });
      if (entry.fileName.endsWith('/') || !entry.fileName.endsWith('.json')) continue;
      if (only && !only(entry.fileName)) continue;
      try {
        records.push(parseOsvJson(await readEntry(zip, entry)));
      } catch (err) {
        warnings.push(`skipped OSV record ${path.basename(label)}:${entry.fileName}: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    throw new BadInputError(`${label}: corrupt zip (${(err as Error).message})`);
  } finally {
    zip.close();
  }
  stage.finish(`${records.length} records`);
  return { records, warnings };
}

/** A directory, or a `.zip` file; anything else is a bad input. */
export async function loadOsvPath(location: string, progress?: Progress): Promise<LoadedRecords & { kind: 'dir' | 'zip' }> {
  let stat;
  try {
    stat = await fs.stat(location);
  } catch {
    throw new BadInputError(`OSV data ${location} does not exist`);
  }
  if (stat.isDirectory()) return { kind: 'dir', ...(await loadOsvDirectory(location, progress)) };
  if (stat.isFile()) return { kind: 'zip', ...(await loadOsvZip(location, progress)) };
  throw new BadInputError(`OSV data ${location} is neither a directory nor a zip file`);
}
