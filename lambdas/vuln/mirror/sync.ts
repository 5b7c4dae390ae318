/**
 * Keeps an OSV mirror (mirror-store.ts) up to date from osv.dev's export bucket, one ecosystem
 * at a time: the first sync takes `<ECOSYSTEM>/all.zip`; later syncs read
 * `<ECOSYSTEM>/modified_id.csv` and fetch only the records modified since the mirror's cursor
 * (`<ECOSYSTEM>/<ID>.json`). Every download is checked before use (the zip opens and holds
 * records, the listing parses, a record parses and has the id asked for); a download that
 * fails, is cut short or is corrupt is retried with backoff, and when retries run out that
 * ecosystem keeps its old mirror and the failure is reported. Nothing is half-applied.
 */
import { BadInputError, NotFoundError, UnavailableError, errorMessage } from '../../core/errors';
import type { HttpGet } from '../../ports/http-get';
import { parseOsvJson } from '../osv/parse';
import { latestById } from '../osv/record-index';
import type { OsvRecord } from '../osv/types';
import { loadOsvZip } from '../sources/osv-files';
import type { EcosystemMirror, MirrorManifest, OsvMirrorStore } from './mirror-store';
import { MIRROR_FORMAT } from './mirror-store';
import { changedSince, parseModifiedIds } from './modified-ids';

export const OSV_EXPORT_BASE = 'https://osv-vulnerabilities.storage.googleapis.com';

export interface SyncOptions {
  readonly http: HttpGet;
  readonly mirror: OsvMirrorStore;
  /** OSV export directory names (base ecosystems: `Debian`, `npm`, `PyPI`, `crates.io`…). */
  readonly ecosystems: readonly string[];
  readonly baseUrl?: string;
  readonly now: () => Date;
  /** Retries after the first attempt of each download. @default 3 */
  readonly retries?: number;
  /** @default 1000 ms, doubling */
  readonly backoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** More changed records than this in one listing: take all.zip again instead. @default 5000 */
  readonly maxIncremental?: number;
  /** More change files than this: the next sync takes all.zip again (keeps loading cheap). @default 168 */
  readonly maxChangeFiles?: number;
  readonly log?: (line: string) => void;
}

/** A record that is new or changed in this sync; `before` is the mirror's copy, if it had one. */
export interface RecordChange {
  readonly ecosystem: string;
  readonly before?: OsvRecord;
  readonly after: OsvRecord;
}

export interface EcosystemSync {
  readonly ecosystem: string;
  /** `full`: all.zip taken; `incremental`: from modified_id.csv; `failed`: the old mirror kept. */
  readonly mode: 'full' | 'incremental' | 'failed';
  /** True when the ecosystem had no mirror before (a baseline, not news). */
  readonly first: boolean;
  readonly changed: number;
  /** When the ecosystem was synced before this run (how stale scans found it). */
  readonly previousSyncedAt?: string;
  readonly error?: string;
}

export interface SyncResult {
  readonly ecosystems: readonly EcosystemSync[];
  /** Changed records of ecosystems that already had a mirror (the watch's input). */
  readonly changes: readonly RecordChange[];
  readonly manifest: MirrorManifest;
}

/** An answer retrying cannot change (404, 403): passed through the retry loop as it is. */
class Final {
  constructor(readonly error: Error) {}
}

/** A download that is not what was asked for (cut short, an error page): retried. */
class Corrupt extends Error {}

const stamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '-');

function newest(records: readonly OsvRecord[], start?: string): string | undefined {
  let best = start;
  for (const r of records) if (best === undefined || Date.parse(r.modified) > Date.parse(best)) best = r.modified;
  return best;
}

export async function syncMirror(opts: SyncOptions): Promise<SyncResult> {
  const base = (opts.baseUrl ?? OSV_EXPORT_BASE).replace(/\/+$/, '');
  const retries = Math.max(0, opts.retries ?? 3);
  const backoff = opts.backoffMs ?? 1000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxIncremental = opts.maxIncremental ?? 5000;
  const maxChangeFiles = opts.maxChangeFiles ?? 168;
  const log = opts.log ?? (() => undefined);
  const url = (eco: string, file: string): string => `${base}/${encodeURIComponent(eco)}/${file}`;

  /** GET, checked by `accept`; retried on network errors, 429/5xx and anything `accept` refuses. */
  async function download<T>(target: string, accept: (body: Buffer) => Promise<T> | T): Promise<T> {
    let problem = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1));
      try {
        const res = await opts.http.get(target);
        if (res.status === 404) throw new Final(new NotFoundError(`${target}: not found (404)`));
        if (res.status !== 200 && res.status !== 429 && res.status < 500) throw new Final(new BadInputError(`${target}: HTTP ${res.status}`));
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        return await accept(res.body);
      } catch (err) {
        if (err instanceof Final) throw err.error;
        problem = errorMessage(err);
        log(`osv-sync: ${target}: ${problem}${attempt < retries ? ', retrying' : ''}`);
      }
    }
    throw new UnavailableError(`${target}: ${problem} (after ${retries + 1} attempts)`);
  }

  const acceptZip = async (eco: string, body: Buffer): Promise<OsvRecord[]> => {
    const { records } = await loadOsvZip({ bytes: body, name: url(eco, 'all.zip') });
    if (records.length === 0) throw new Corrupt('the export holds no records');
    return records;
  };

  async function full(eco: string, old: EcosystemMirror | undefined, now: Date): Promise<{ state: EcosystemMirror; changes: RecordChange[] }> {
    let zip: Buffer = Buffer.alloc(0);
    const records = await download(url(eco, 'all.zip'), async (body) => {
      const r = await acceptZip(eco, body);
      zip = body;
      return r;
    });
    // Taken again over an existing mirror: what differs from the old copy is news.
    const before = old ? new Map((await opts.mirror.loadEcosystem(old)).records.map((r) => [r.id, r])) : undefined;
    const file = await opts.mirror.putFile(`${eco}/all-${stamp(now)}.zip`, zip, 'application/zip', records.length);
    const state: EcosystemMirror = { base: { ...file, takenAt: now.toISOString() }, changes: [], ...(newest(records) ? { cursor: newest(records) } : {}), syncedAt: now.toISOString() };
    if (!before) return { state, changes: [] };
    const changes = latestById(records)
      .filter((r) => before.get(r.id)?.modified !== r.modified)
      .map((r) => ({ ecosystem: eco, ...(before.has(r.id) ? { before: before.get(r.id) as OsvRecord } : {}), after: r }));
    return { state, changes };
  }

  async function incremental(eco: string, old: EcosystemMirror, now: Date): Promise<{ state: EcosystemMirror; changes: RecordChange[] } | 'too-many'> {
    const listing = await download(url(eco, 'modified_id.csv'), (body) => {
      try {
        return parseModifiedIds(body.toString('utf8'), 'the listing');
      } catch (err) {
        throw new Corrupt(errorMessage(err));
      }
    });
    const wanted = changedSince(listing, old.cursor);
    if (wanted.length > maxIncremental) return 'too-many';
    const ids = new Set(wanted.map((w) => w.id));
    const stored = ids.size ? await opts.mirror.recordsByIds(old, ids) : new Map<string, OsvRecord>();
    const fresh: OsvRecord[] = [];
    for (const w of wanted) {
      if (stored.get(w.id)?.modified === w.modified) continue;
      let record: OsvRecord;
      try {
        record = await download(url(eco, `${encodeURIComponent(w.id)}.json`), (body) => {
          let r: OsvRecord;
          try {
            r = parseOsvJson(body);
          } catch (err) {
            throw new Corrupt(errorMessage(err));
          }
          if (r.id !== w.id) throw new Corrupt(`holds record ${r.id}, not ${w.id}`);
          return r;
        });
      } catch (err) {
        // Listed but gone (deleted between listing and fetch): nothing to apply.
        if (err instanceof NotFoundError) {
          log(`osv-sync: ${eco}/${w.id} is listed but not found; skipped`);
          continue;
        }
        throw err;
      }
      if (stored.get(record.id)?.modified === record.modified) continue;
      fresh.push(record);
    }
    const changes = fresh.map((r) => ({ ecosystem: eco, ...(stored.has(r.id) ? { before: stored.get(r.id) as OsvRecord } : {}), after: r }));
    let files = old.changes;
    if (fresh.length) {
      const body = Buffer.from(fresh.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const file = await opts.mirror.putFile(`${eco}/changes-${stamp(now)}.jsonl`, body, 'application/x-ndjson', fresh.length);
      files = [...files, { ...file, syncedAt: now.toISOString() }];
    }
    const cursor = newest(fresh, old.cursor);
    return { state: { ...old, changes: files, ...(cursor ? { cursor } : {}), syncedAt: now.toISOString() }, changes };
  }

  const previous = await opts.mirror.manifest();
  const ecosystems: Record<string, EcosystemMirror> = { ...(previous?.ecosystems ?? {}) };
  const results: EcosystemSync[] = [];
  const changes: RecordChange[] = [];
  for (const eco of [...new Set(opts.ecosystems)].sort()) {
    const now = opts.now();
    const old = ecosystems[eco];
    try {
      let outcome: { state: EcosystemMirror; changes: RecordChange[] } | 'too-many' | undefined;
      let mode: EcosystemSync['mode'] = 'incremental';
      if (old && old.changes.length < maxChangeFiles) outcome = await incremental(eco, old, now);
      if (!outcome || outcome === 'too-many') {
        mode = 'full';
        outcome = await full(eco, old, now);
      }
      ecosystems[eco] = outcome.state;
      changes.push(...outcome.changes);
      results.push({ ecosystem: eco, mode, first: !old, changed: old ? outcome.changes.length : outcome.state.base.records, ...(old ? { previousSyncedAt: old.syncedAt } : {}) });
    } catch (err) {
      log(`osv-sync: ${eco}: ${errorMessage(err)}; the mirror keeps its previous data`);
      results.push({ ecosystem: eco, mode: 'failed', first: !old, changed: 0, error: errorMessage(err) });
    }
  }
  const manifest: MirrorManifest = { format: MIRROR_FORMAT, updatedAt: opts.now().toISOString(), ecosystems };
  // Written last: until now readers saw the previous mirror, whole.
  await opts.mirror.writeManifest(manifest);
  return { ecosystems: results, changes, manifest };
}
