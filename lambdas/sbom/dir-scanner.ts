import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError } from '../core/errors';
import { digestOf } from '../oci/digest';
import { CatalogCollector, isCandidate } from './layers/catalog-builder';
import type { LayerCatalog } from './layers/catalog';
import type { Cataloger } from './cataloger';

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * A directory (`dir:` source) cataloged like a single layer: same rules, same catalogers.
 * Symlinks are recorded, never followed during the walk, so nothing outside the root is read.
 */
export async function scanDirectory(root: string, catalogers: readonly Cataloger[]): Promise<LayerCatalog> {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new BadInputError(`dir:${root}: no such directory`);
  const collector = new CatalogCollector(digestOf(Buffer.from(`dir:${path.resolve(root)}`)), catalogers);
  const stack = [''];
  while (stack.length) {
    const rel = stack.pop() as string;
    let names: fs.Dirent[];
    try {
      names = await fs.promises.readdir(path.join(root, rel), { withFileTypes: true });
    } catch (err) {
      collector.warn(rel, `unreadable directory: ${(err as Error).message}`);
      continue;
    }
    for (const d of names) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      collector.entries += 1;
      if (d.isDirectory()) stack.push(p);
      else if (d.isSymbolicLink()) collector.link(p, 'symlink', await fs.promises.readlink(path.join(root, p)));
      else if (d.isFile()) {
        const full = path.join(root, p);
        const st = await fs.promises.stat(full);
        collector.bytes += st.size;
        const who = collector.reader(p, st.size, st.mode & 0o7777);
        if (!who) continue;
        if (isCandidate(who)) {
          const accepted = collector.inspect(p, who, await readHead(full, who.head), st.size);
          if (accepted) await collector.file(p, accepted, await fs.promises.readFile(full));
        } else await collector.file(p, who, await fs.promises.readFile(full));
      }
    }
  }
  return collector.finish();
}
