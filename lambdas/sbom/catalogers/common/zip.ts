import * as yauzl from 'yauzl';

/** Bounds for reading one metadata file out of a zip (a wheel's METADATA, a nupkg's .nuspec). */
export const ZIP_LIMITS = {
  /** Entries listed in the central directory. */
  maxEntries: 100_000,
  /** The entry read, inflated. */
  maxEntryBytes: 4 * 1024 * 1024,
};

function entryName(e: yauzl.Entry): string {
  const raw = e.fileName as unknown;
  return Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
}

/** The names of a zip's entries (directories excluded), or a reason it is no readable zip. */
export async function zipEntryNames(buf: Buffer): Promise<string[] | { readonly error: string }> {
  const opened = await open(buf);
  if ('error' in opened) return opened;
  const names: string[] = [];
  try {
    for await (const e of opened.zip.eachEntry()) {
      const n = entryName(e);
      if (!n.endsWith('/')) names.push(n);
    }
  } catch (err) {
    return { error: `central directory unreadable: ${(err as Error).message}` };
  }
  return names;
}

async function open(buf: Buffer): Promise<{ zip: yauzl.ZipFile } | { error: string }> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    return { error: `not a readable zip: ${(err as Error).message}` };
  }
  if (zip.entryCount > ZIP_LIMITS.maxEntries) return { error: `lists ${zip.entryCount} entries, more than the ${ZIP_LIMITS.maxEntries} read` };
  return { zip };
}

/**
 * The first entry whose name `pick` accepts, inflated within {@link ZIP_LIMITS} (yauzl checks
 * the data against the declared size: a lying entry is an error, not a bomb). `undefined` when
 * no entry matches; `{ error }` when the archive or the entry cannot be read.
 */
export async function readZipEntry(buf: Buffer, pick: (name: string) => boolean): Promise<{ readonly name: string; readonly data: Buffer } | { readonly error: string } | undefined> {
  const opened = await open(buf);
  if ('error' in opened) return opened;
  const { zip } = opened;
  try {
    for await (const e of zip.eachEntry()) {
      const name = entryName(e);
      if (name.endsWith('/') || !pick(name)) continue;
      if (e.isEncrypted()) return { error: `${name} is encrypted` };
      if (e.uncompressedSize > ZIP_LIMITS.maxEntryBytes) return { error: `${name} declares ${e.uncompressedSize} bytes, more than the ${ZIP_LIMITS.maxEntryBytes} read` };
      if (e.compressionMethod !== 0 && e.compressionMethod !== 8) return { error: `${name}: compression method ${e.compressionMethod} not supported` };
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const chunk of await zip.openReadStreamPromise(e)) {
        n += (chunk as Buffer).length;
        if (n > ZIP_LIMITS.maxEntryBytes) return { error: `${name} inflates to more than ${ZIP_LIMITS.maxEntryBytes} bytes` };
        chunks.push(chunk as Buffer);
      }
      return { name, data: Buffer.concat(chunks, n) };
    }
  } catch (err) {
    return { error: `not read: ${(err as Error).message}` };
  }
  return undefined;
}
