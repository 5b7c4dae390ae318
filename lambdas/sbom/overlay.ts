import * as path from 'node:path';
import type { FileResult, LayerCatalog, LinkRecord } from './layers/catalog';

/** A path's content in the final filesystem and the layer it came from. */
export interface Placed<T> {
  readonly layer: number;
  readonly value: T;
}

export interface MergedFilesystem {
  readonly files: ReadonlyMap<string, Placed<FileResult>>;
  readonly links: ReadonlyMap<string, Placed<LinkRecord>>;
  /** For each surviving file path: package key → index of the layer that first had it there. */
  readonly introducedAt: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export function packageKey(p: { ecosystem: string; namespace?: string; name: string; version: string; arch?: string }): string {
  return `${p.ecosystem}\u0000${p.namespace ?? ''}\u0000${p.name}\u0000${p.version}\u0000${p.arch ?? ''}`;
}

function isUnder(p: string, dir: string): boolean {
  return dir === '' || p.startsWith(`${dir}/`);
}

/**
 * Applies the layers in order with the OCI overlay rules: a layer's opaque directories hide
 * the lower layers' content below them and its whiteouts delete paths (and everything under
 * them) from lower layers — both before the layer's own entries, whatever their tar order — then
 * its entries replace lower ones at the same path.
 */
export function mergeLayers(layers: readonly LayerCatalog[]): MergedFilesystem {
  const files = new Map<string, Placed<FileResult>>();
  const links = new Map<string, Placed<LinkRecord>>();
  const introducedAt = new Map<string, Map<string, number>>();
  const remove = (p: string): void => {
    files.delete(p);
    links.delete(p);
    introducedAt.delete(p);
  };

  layers.forEach((layer, index) => {
    const hidden = [...layer.opaqueDirs, ...layer.whiteouts];
    if (hidden.length) {
      // An opaque directory is a directory in this layer: it also replaces a lower file or link at its path.
      for (const w of hidden) remove(w);
      // Only scan for children when some deleted path is a directory of recorded entries.
      const dirs = new Set<string>();
      for (const key of [...files.keys(), ...links.keys()]) {
        for (let d = path.posix.dirname(key); d !== '.' && !dirs.has(d); d = path.posix.dirname(d)) dirs.add(d);
      }
      const doomed = hidden.filter((d) => d === '' || dirs.has(d));
      if (doomed.length) {
        for (const key of [...files.keys(), ...links.keys()]) if (doomed.some((d) => isUnder(key, d))) remove(key);
      }
    }
    // An entry at a/b/c makes a, a/b directories: lower files or links at those paths are gone.
    const replaceAncestors = (p: string): void => {
      for (let d = path.posix.dirname(p); d !== '.'; d = path.posix.dirname(d)) if (files.has(d) || links.has(d)) remove(d);
    };
    for (const [p, value] of Object.entries(layer.files)) {
      replaceAncestors(p);
      const before = introducedAt.get(p);
      const now = new Map<string, number>();
      for (const pkg of value.packages) {
        const key = packageKey(pkg);
        now.set(key, before?.get(key) ?? index);
      }
      links.delete(p);
      files.set(p, { layer: index, value });
      introducedAt.set(p, now);
    }
    for (const [p, value] of Object.entries(layer.links)) {
      replaceAncestors(p);
      files.delete(p);
      introducedAt.delete(p);
      links.set(p, { layer: index, value });
    }
  });
  return { files, links, introducedAt };
}

const MAX_HOPS = 40;

/**
 * Resolves a path through symlinks and hard links inside the image root only: absolute targets
 * start at the root, `..` never climbs above it, loops end after 40 hops (undefined).
 */
export function resolveInRoot(fsView: Pick<MergedFilesystem, 'links'>, p: string): string | undefined {
  let current = p;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    // A link may sit on any ancestor directory of the path, not just on the path itself.
    const parts = current.split('/');
    let changed = false;
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const link = fsView.links.get(prefix)?.value;
      if (!link) continue;
      const rest = parts.slice(i).join('/');
      const base = link.type === 'hardlink' ? link.target : link.target.startsWith('/') ? link.target : path.posix.join(path.posix.dirname(prefix), link.target);
      // Normalising from '/' clamps '..' at the root, as the kernel does for a chrooted path.
      const joined = path.posix.normalize(`/${base}/${rest}`).replace(/^\/+/, '').replace(/\/+$/, '');
      current = joined;
      changed = true;
      break;
    }
    if (!changed) return current;
  }
  return undefined;
}
