import { warning } from '../catalogers/common/text';
import { OS_RELEASE_PATHS, parseOsRelease } from '../os-release';
import { fileTooLarge } from '../inventory-gaps';
import type { FileResult, LayerCatalog, LinkRecord } from './catalog';
import { LAYER_CATALOG_VERSION } from './catalog';
import type { Cataloger, CatalogedPackage, CatalogWarning, LicenseFact, ParseResult, WarningImpact } from '../cataloger';

const OS_RELEASE = new Set<string>(OS_RELEASE_PATHS);
const OS_RELEASE_MAX = 64 * 1024;
/** Bounds what a hostile layer can make us remember. */
const MAX_LINKS = 1_000_000;
const MAX_WARNINGS = 200;
const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export type Reader = Cataloger | 'os-release';

/** A file some catalogers may want once they have seen its first `head` bytes (see `ContentMatcher`). */
export interface ContentCandidate {
  readonly catalogers: readonly Cataloger[];
  readonly head: number;
}

export function isCandidate(who: Reader | ContentCandidate): who is ContentCandidate {
  return typeof who === 'object' && 'head' in who;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof value === 'object' && value !== null && typeof (value as Promise<T>).then === 'function';
}

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
  /** Catalogers that also recognise files by content. */
  private readonly matchers: readonly Cataloger[];
  entries = 0;
  bytes = 0;

  constructor(
    private readonly digest: string,
    private readonly catalogers: readonly Cataloger[],
  ) {
    this.matchers = catalogers.filter((c) => c.content !== undefined);
  }

  /**
   * Records a warning. The collector's own (a file over a cap, a parser that failed, too many
   * links, ...) are `inventory`; so is the summary past the cap, whatever was dropped.
   */
  warn(path: string, message: string, impact: WarningImpact = 'inventory'): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(warning(path, message, impact));
    else if (this.warnings.length === MAX_WARNINGS) this.warnings.push({ path: '', message: 'more warnings in this layer were dropped' });
  }

  /** Handles whiteout markers; true when `path` was one (and must not be treated as a file). */
  whiteout(path: string): boolean {
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (!base.startsWith(WHITEOUT)) return false;
    const dir = path.slice(0, path.length - base.length).replace(/\/$/, '');
    if (base === OPAQUE) this.opaqueDirs.push(dir);
    else if (base.length > WHITEOUT.length) this.whiteouts.push(dir ? `${dir}/${base.slice(WHITEOUT.length)}` : base.slice(WHITEOUT.length));
    // A bare `.wh.` names nothing to delete and is no file a cataloger reads: nothing is hidden.
    else this.warn(path, 'invalid whiteout ".wh." ignored', 'metadata');
    return true;
  }

  link(path: string, type: LinkRecord['type'], target: string): void {
    if (this.linkCount < MAX_LINKS) this.links[path] = { type, target };
    else if (this.linkCount === MAX_LINKS) this.warn(path, `more than ${MAX_LINKS} links in one layer; the rest are not followed`);
    this.linkCount += 1;
  }

  /**
   * Who reads this regular file: a reader, a content candidate to sniff (see {@link inspect}), or
   * undefined (the common case: keep it cheap). `mode` holds the permission bits (0 if unknown).
   */
  reader(path: string, size: number, mode = 0): Reader | ContentCandidate | undefined {
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
    if (!who) return this.matchers.length ? this.candidate(path, mode) : undefined;
    const max = who === 'os-release' ? OS_RELEASE_MAX : who.maxFileSize;
    if (size > max) {
      this.warn(path, fileTooLarge(size, max, who === 'os-release' ? 'os-release' : who.name));
      return undefined;
    }
    return who;
  }

  private candidate(path: string, mode: number): ContentCandidate | undefined {
    let found: Cataloger[] | undefined;
    let head = 0;
    for (const c of this.matchers) {
      const m = c.content!;
      if (m.candidate(path, mode)) {
        (found ??= []).push(c);
        head = Math.max(head, m.headBytes);
      }
    }
    return found ? { catalogers: found, head } : undefined;
  }

  /**
   * The catalogers of a content candidate that accept it after seeing its first bytes and can
   * read a file of this size; undefined when none (skips are warned about here).
   */
  inspect(path: string, candidate: ContentCandidate, head: Buffer, size: number): readonly Cataloger[] | undefined {
    let accepted: Cataloger[] | undefined;
    for (const c of candidate.catalogers) {
      const verdict = c.content!.inspect(head.subarray(0, Math.min(head.length, c.content!.headBytes)), path, size);
      if (typeof verdict === 'string') this.warn(path, verdict);
      else if (verdict) {
        if (size > c.maxFileSize) this.warn(path, fileTooLarge(size, c.maxFileSize, c.name));
        else (accepted ??= []).push(c);
      }
    }
    return accepted;
  }

  /**
   * Parses a buffered file with its reader (or the catalogers that accepted it by content) and
   * records the result. Returns a promise only when a parser is asynchronous.
   */
  file(path: string, who: Reader | readonly Cataloger[], content: Buffer): void | Promise<void> {
    if (who === 'os-release') {
      const os = parseOsRelease(content);
      if (os) this.files[path] = { cataloger: 'os-release', packages: [], osRelease: os };
      // `inventory`: without the OS identity, OS packages' purls lose their distro and may not match.
      else this.warn(path, 'os-release without ID; ignored');
      return;
    }
    const list: readonly Cataloger[] = Array.isArray(who) ? who : [who as Cataloger];
    const results: { name: string; result: ParseResult }[] = [];
    const run = (i: number): void | Promise<void> => {
      for (; i < list.length; i++) {
        const c = list[i] as Cataloger;
        let out: ParseResult | Promise<ParseResult>;
        try {
          out = c.parse(path, content);
        } catch (err) {
          this.warn(path, `${c.name} parser failed: ${(err as Error).message}`);
          continue;
        }
        if (isPromise(out)) {
          const next = i + 1;
          return out.then(
            (result) => {
              results.push({ name: c.name, result });
              return run(next);
            },
            (err: unknown) => {
              this.warn(path, `${c.name} parser failed: ${(err as Error)?.message ?? String(err)}`);
              return run(next);
            },
          );
        }
        results.push({ name: c.name, result: out });
      }
      this.record(path, results);
    };
    return run(0);
  }

  /** One path's results: packages of every cataloger that parsed it, under the first one that found any. */
  private record(path: string, results: readonly { name: string; result: ParseResult }[]): void {
    const packages: CatalogedPackage[] = [];
    const licenseFacts: LicenseFact[] = [];
    let owner: string | undefined;
    for (const { name, result } of results) {
      if ((result.packages.length || result.licenseFacts?.length) && owner === undefined) owner = name;
      packages.push(...result.packages);
      if (result.licenseFacts) licenseFacts.push(...result.licenseFacts);
      for (const w of result.warnings) this.warn(w.path, w.message, w.impact);
    }
    if (owner !== undefined) this.files[path] = { cataloger: owner, packages, ...(licenseFacts.length ? { licenseFacts } : {}) };
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
