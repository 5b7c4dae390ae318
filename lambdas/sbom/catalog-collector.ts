import { OS_RELEASE_PATHS, parseOsRelease } from './catalogers/os-release';
import type { FileResult, LayerCatalog, LinkRecord } from './layer-catalog';
import { LAYER_CATALOG_VERSION } from './layer-catalog';
import type { Cataloger, CatalogWarning } from './package';

const OS_RELEASE = new Set<string>(OS_RELEASE_PATHS);
const OS_RELEASE_MAX = 64 * 1024;
/** Bounds what a hostile layer can make us remember. */
const MAX_LINKS = 1_000_000;
const MAX_WARNINGS = 200;
const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export type Reader = Cataloger | 'os-release';

/**
 * Builds one layer's catalog from its entries, whatever they come from (a tar stream, a
 * directory walk): which files are read, links, whiteouts, warnings. One place for the rules.
 */
export class CatalogCollector {
  private readonly files: Record<string, FileResult> = {};
  private readonly links: Record<string, LinkRecord> = {};
  private readonly whiteouts: string[] = [];
  private readonly opaqueDirs: string[] = [];
  private readonly warnings: CatalogWarning[] = [];
  private linkCount = 0;
  entries = 0;
  bytes = 0;

  constructor(
    private readonly digest: string,
    private readonly catalogers: readonly Cataloger[],
  ) {}

  warn(path: string, message: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push({ path, message });
    else if (this.warnings.length === MAX_WARNINGS) this.warnings.push({ path: '', message: 'more warnings in this layer were dropped' });
  }

  /** Handles whiteout markers; true when `path` was one (and must not be treated as a file). */
  whiteout(path: string): boolean {
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (!base.startsWith(WHITEOUT)) return false;
    const dir = path.slice(0, path.length - base.length).replace(/\/$/, '');
    if (base === OPAQUE) this.opaqueDirs.push(dir);
    else if (base.length > WHITEOUT.length) this.whiteouts.push(dir ? `${dir}/${base.slice(WHITEOUT.length)}` : base.slice(WHITEOUT.length));
    else this.warn(path, 'invalid whiteout ".wh." ignored');
    return true;
  }

  link(path: string, type: LinkRecord['type'], target: string): void {
    if (this.linkCount < MAX_LINKS) this.links[path] = { type, target };
    else if (this.linkCount === MAX_LINKS) this.warn(path, `more than ${MAX_LINKS} links in one layer; the rest are not followed`);
    this.linkCount += 1;
  }

  /** Who reads this regular file, or undefined (the common case: keep it cheap). */
  reader(path: string, size: number): Reader | undefined {
    let who: Reader | undefined;
    if (OS_RELEASE.has(path)) who = 'os-release';
    else {
      for (const c of this.catalogers) {
        if (c.wants(path)) {
          who = c;
          break;
        }
      }
    }
    if (!who) return undefined;
    const max = who === 'os-release' ? OS_RELEASE_MAX : who.maxFileSize;
    if (size > max) {
      this.warn(path, `${size} bytes, more than the ${max} read for ${who === 'os-release' ? 'os-release' : who.name}; skipped`);
      return undefined;
    }
    return who;
  }

  file(path: string, who: Reader, content: Buffer): void {
    if (who === 'os-release') {
      const os = parseOsRelease(content);
      if (os) this.files[path] = { cataloger: 'os-release', packages: [], osRelease: os };
      else this.warn(path, 'os-release without ID; ignored');
      return;
    }
    try {
      const result = who.parse(path, content);
      if (result.packages.length || result.licenseFacts?.length) {
        this.files[path] = { cataloger: who.name, packages: result.packages, ...(result.licenseFacts?.length ? { licenseFacts: result.licenseFacts } : {}) };
      }
      for (const w of result.warnings) this.warn(w.path, w.message);
    } catch (err) {
      this.warn(path, `${who.name} parser failed: ${(err as Error).message}`);
    }
  }

  finish(): LayerCatalog {
    return {
      version: LAYER_CATALOG_VERSION,
      digest: this.digest,
      files: this.files,
      links: this.links,
      whiteouts: this.whiteouts,
      opaqueDirs: this.opaqueDirs,
      warnings: this.warnings,
      entries: this.entries,
      bytes: this.bytes,
    };
  }
}
