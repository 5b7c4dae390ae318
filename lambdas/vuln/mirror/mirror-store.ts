/**
 * The layout of an OSV mirror in a BlobStore (the evidence bucket under `osv-mirror/`, or a
 * local directory), shared by the sync that writes it and the scans that read it:
 *
 *   mirror.json                         the manifest: per ecosystem its files, cursor, freshness
 *   <ECOSYSTEM>/all-<stamp>.zip         the osv.dev `all.zip` export as downloaded (the base)
 *   <ECOSYSTEM>/changes-<stamp>.jsonl   records changed since (one OSV record per line)
 *
 * Files are never rewritten: a sync writes new ones, then replaces the manifest, so a reader
 * sees the old mirror or the new one, never a mix, and a failed sync leaves the old one whole.
 * Each file's SHA-256 is in the manifest and checked when read.
 */
import { createHash } from 'node:crypto';
import { BadInputError, IntegrityError, NotFoundError } from '../../core/errors';
import type { BlobStore } from '../../ports/blob-store';
import { parseOsvJson } from '../osv/parse';
import { latestById } from '../osv/record-index';
import type { OsvRecord } from '../osv/types';
import { loadOsvZip } from '../sources/osv-files';

export const MIRROR_MANIFEST = 'mirror.json';
export const MIRROR_FORMAT = 'artifact-guard/osv-mirror/v1';

export interface MirrorFile {
  readonly key: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly records: number;
}

export interface EcosystemMirror {
  /** The export the ecosystem was last taken whole from. */
  readonly base: MirrorFile & { readonly takenAt: string };
  /** Incremental syncs since, oldest first. */
  readonly changes: readonly (MirrorFile & { readonly syncedAt: string })[];
  /** The newest `modified` time the mirror holds for the ecosystem. */
  readonly cursor?: string;
  /** The last sync that completed for this ecosystem: how fresh the data is. */
  readonly syncedAt: string;
}

export interface MirrorManifest {
  readonly format: typeof MIRROR_FORMAT;
  readonly updatedAt: string;
  readonly ecosystems: Readonly<Record<string, EcosystemMirror>>;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** What is wrong with one file entry of the manifest (`base`, `changes[i]`), if anything. */
function fileProblem(f: unknown, time: 'takenAt' | 'syncedAt'): string | undefined {
  if (!isObject(f)) return 'is not an object';
  if (typeof f.key !== 'string' || f.key === '') return 'has no key';
  if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) return 'has no sha256';
  if (!isCount(f.bytes) || !isCount(f.records)) return 'needs non-negative integer bytes and records';
  if (typeof f[time] !== 'string') return `has no ${time}`;
  return undefined;
}

/** What is wrong with one ecosystem's entry of the manifest, if anything. */
function ecosystemProblem(state: unknown): string | undefined {
  if (!isObject(state)) return 'is not an object';
  if (typeof state.syncedAt !== 'string') return 'has no syncedAt';
  if (state.cursor !== undefined && typeof state.cursor !== 'string') return 'cursor is not a string';
  const base = fileProblem(state.base, 'takenAt');
  if (base) return `base ${base}`;
  if (!Array.isArray(state.changes)) return 'changes is not a list';
  for (const [i, c] of state.changes.entries()) {
    const problem = fileProblem(c, 'syncedAt');
    if (problem) return `changes[${i}] ${problem}`;
  }
  return undefined;
}

/** Records of a changes file: one JSON record per line. */
export function parseChanges(bytes: Buffer, origin: string): OsvRecord[] {
  return bytes
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return parseOsvJson(l);
      } catch (err) {
        throw new IntegrityError(`${origin}: line ${i + 1} is not an OSV record (${(err as Error).message})`);
      }
    });
}

export class OsvMirrorStore {
  constructor(
    readonly store: BlobStore,
    /** Key prefix of the mirror (`osv-mirror/` in the bucket; empty for a directory of its own). */
    readonly prefix = '',
  ) {}

  key(relative: string): string {
    return `${this.prefix}${relative}`;
  }

  /** Where the mirror is, for reports (`s3://bucket/osv-mirror/mirror.json`, a file path). */
  get location(): string {
    return this.store.location(this.key(MIRROR_MANIFEST));
  }

  /** The manifest, or undefined when nothing was synced yet. A manifest we cannot read is an error. */
  async manifest(): Promise<MirrorManifest | undefined> {
    const bytes = await this.store.get(this.key(MIRROR_MANIFEST));
    if (!bytes) return undefined;
    let doc: unknown;
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new IntegrityError(`${this.location} is not JSON`);
    }
    if (!isObject(doc) || doc.format !== MIRROR_FORMAT || !isObject(doc.ecosystems)) throw new IntegrityError(`${this.location} is not an OSV mirror manifest (${MIRROR_FORMAT})`);
    for (const [eco, state] of Object.entries(doc.ecosystems)) {
      const problem = ecosystemProblem(state);
      if (problem) throw new IntegrityError(`${this.location}: ecosystems.${eco} ${problem}`);
    }
    // Checked above: the format, and every field of each ecosystem that scans and syncs read.
    return doc as unknown as MirrorManifest;
  }

  async writeManifest(manifest: MirrorManifest): Promise<void> {
    await this.store.put(this.key(MIRROR_MANIFEST), Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`), 'application/json');
  }

  /**
   * Writes a new mirror file. The content's hash is part of its name (`all-<stamp>-<sha>.zip`), so
   * a file the current manifest names is never replaced, even by two syncs in the same instant.
   */
  async putFile(relative: string, body: Buffer, contentType: string, records: number): Promise<MirrorFile> {
    const hash = sha256(body);
    const dot = relative.indexOf('.', relative.lastIndexOf('/'));
    const key = this.key(`${relative.slice(0, dot)}-${hash.slice(0, 16)}${relative.slice(dot)}`);
    await this.store.put(key, body, contentType);
    return { key, sha256: hash, bytes: body.length, records };
  }

  async readFile(file: MirrorFile): Promise<Buffer> {
    const body = await this.store.get(file.key);
    if (!body) throw new NotFoundError(`OSV mirror file ${this.store.location(file.key)} is missing`);
    if (sha256(body) !== file.sha256) throw new IntegrityError(`OSV mirror file ${this.store.location(file.key)} does not match its manifest (sha256)`);
    return body;
  }

  /** Every record of an ecosystem as the mirror holds it: the base with each change applied. */
  async loadEcosystem(state: EcosystemMirror): Promise<{ records: OsvRecord[]; warnings: string[] }> {
    const base = await loadOsvZip({ bytes: await this.readFile(state.base), name: this.store.location(state.base.key) });
    const changed: OsvRecord[] = [];
    for (const c of state.changes) changed.push(...parseChanges(await this.readFile(c), this.store.location(c.key)));
    return { records: latestById([...base.records, ...changed]), warnings: base.warnings };
  }

  /** The stored copies of some records (newest change first, then the base), by id. */
  async recordsByIds(state: EcosystemMirror, ids: ReadonlySet<string>): Promise<Map<string, OsvRecord>> {
    const found = new Map<string, OsvRecord>();
    for (const c of [...state.changes].reverse()) {
      for (const r of parseChanges(await this.readFile(c), this.store.location(c.key))) if (ids.has(r.id) && !found.has(r.id)) found.set(r.id, r);
    }
    const rest = new Set([...ids].filter((id) => !found.has(id)));
    if (rest.size) {
      const base = await loadOsvZip({ bytes: await this.readFile(state.base), name: this.store.location(state.base.key) }, undefined, (name) => rest.has(name.replace(/^.*\//, '').replace(/\.json$/, '')));
      for (const r of base.records) if (rest.has(r.id)) found.set(r.id, r);
    }
    return found;
  }
}

/** A directory or bucket prefix given as the mirror root must hold a manifest: say so plainly. */
export async function requireManifest(mirror: OsvMirrorStore): Promise<MirrorManifest> {
  const m = await mirror.manifest();
  if (!m) throw new BadInputError(`no OSV mirror at ${mirror.location} (run artifact-guard osv-sync first)`);
  return m;
}
