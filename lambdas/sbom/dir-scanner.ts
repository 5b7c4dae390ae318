import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError } from '../core/errors';
import { digestOf } from '../oci/digest';
import { CatalogCollector } from './catalog-collector';
import type { LayerCatalog } from './layer-catalog';
import type { Cataloger } from './package';

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
        const size = (await fs.promises.stat(path.join(root, p))).size;
        collector.bytes += size;
        const who = collector.reader(p, size);
        if (who) collector.file(p, who, await fs.promises.readFile(path.join(root, p)));
      }
    }
  }
  return collector.finish();
}
