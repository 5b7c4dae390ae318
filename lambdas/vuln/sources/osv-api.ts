/**
 * VulnerabilitySource over the OSV.dev API (google/osv.dev docs/api):
 *  1. `POST /v1/querybatch` with at most 1,000 queries per request; the response lists ids
 *     only, per query and in input order, and a query with more results than fit carries a
 *     `next_page_token`: only those queries are sent again, with their tokens, until none is left;
 *  2. `GET /v1/vulns/{id}` for every distinct id, a few at a time, to get the full records
 *     (the scanner evaluates ranges itself, with exact orderings).
 * `recordsById` uses the same GET for the ids of vulnerabilities whose records carry no
 * severity (another record of the same vulnerability, such as the CVE's own, may rate it).
 * Network errors, timeouts, 429 and 5xx are retried with exponential backoff; when retries
 * run out the scan fails with an `UnavailableError` (never an empty, "clean" result).
 */
import { BadInputError, UnavailableError } from '../../core/errors';
import type { Progress } from '../../ports/progress';
import { observedFetch, startStage } from '../../ports/progress';
import type { DataCoverage, DataDescription, PackageQuery, VulnerabilitySource } from '../vulnerability-source';
import { osvApiCoverage } from '../osv/coverage';
import { MalformedRecordError, parseOsvRecord } from '../osv/parse';
import type { OsvRecord } from '../osv/types';

export const DEFAULT_OSV_API = 'https://api.osv.dev';
/** The server's `maxBatchQueries`; more is refused with "too many queries". */
export const MAX_BATCH_QUERIES = 1000;

export interface OsvApiOptions {
  readonly baseUrl?: string;
  /** Queries per querybatch request (1 … 1,000). */
  readonly batchSize?: number;
  /** Parallel `GET /v1/vulns/{id}` requests. */
  readonly concurrency?: number;
  /** Retries after the first attempt of each request. */
  readonly retries?: number;
  /** First backoff delay; doubles on every retry. */
  readonly backoffMs?: number;
  /** Per-request timeout (the server gives a batch up to 35 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (line: string) => void;
  /** Stages (packages queried, records fetched) and every request, for the CLI's progress display. */
  readonly progress?: Progress;
}

interface BatchResult {
  readonly vulns: readonly { readonly id: string; readonly modified?: string }[];
  readonly next_page_token?: string;
}

/** Pages followed per query: osv.dev pages by the thousand, so more is a server going round in circles. */
const MAX_PAGES = 100;

/**
 * One querybatch result, checked: a result the client cannot read would otherwise count as "no
 * vulnerabilities". `vulns` is absent when there are none (osv.dev leaves it out).
 */
function batchResult(raw: unknown, what: string): BatchResult {
  const bad = (why: string): never => {
    throw new UnavailableError(`${what}: ${why}`);
  };
  if (!isObject(raw)) return bad('the result is not an object');
  const list = raw.vulns ?? [];
  if (!Array.isArray(list)) return bad('vulns is not a list');
  const vulns = list.map((v: unknown, i) => {
    if (!isObject(v) || typeof v.id !== 'string' || v.id === '') return bad(`vulns[${i}] has no id`);
    if (v.modified !== undefined && typeof v.modified !== 'string') return bad(`vulns[${i}].modified is not a string`);
    return { id: v.id, ...(typeof v.modified === 'string' ? { modified: v.modified } : {}) };
  });
  const token = raw.next_page_token;
  if (token !== undefined && token !== null && typeof token !== 'string') return bad('next_page_token is not a string');
  return { vulns, ...(token ? { next_page_token: token } : {}) };
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class OsvApiSource implements VulnerabilitySource {
  private readonly baseUrl: string;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly cache = new Map<string, OsvRecord>();
  private last: { count: number; newest?: string; warnings: string[]; skipped: string[] } = { count: 0, warnings: [], skipped: [] };

  constructor(private readonly opts: OsvApiOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? DEFAULT_OSV_API).replace(/\/+$/, '');
    this.batchSize = Math.min(Math.max(1, opts.batchSize ?? MAX_BATCH_QUERIES), MAX_BATCH_QUERIES);
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
    this.retries = Math.max(0, opts.retries ?? 4);
    this.backoffMs = opts.backoffMs ?? 500;
    this.timeoutMs = opts.timeoutMs ?? 40_000;
    this.fetchFn = opts.progress ? observedFetch(opts.fetch ?? fetch, opts.progress, 'osv-api') : (opts.fetch ?? fetch);
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** One HTTP exchange with retries; returns the parsed JSON body, or undefined on 404. */
  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    let problem = '';
    let retryAfterMs: number | undefined;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      // Exponential backoff, or the server's Retry-After when it asks for longer.
      if (attempt > 0) await this.sleep(Math.max(this.backoffMs * 2 ** (attempt - 1), retryAfterMs ?? 0));
      try {
        return await this.exchange(method, url, body);
      } catch (err) {
        if (!(err instanceof RetryableError)) throw err;
        problem = err.message;
        retryAfterMs = err.retryAfterMs;
        this.opts.log?.(`osv-api: ${method} ${path}: ${problem}${attempt < this.retries ? ', retrying' : ''}`);
      }
    }
    throw new UnavailableError(`OSV API ${this.baseUrl} unavailable: ${method} ${path}: ${problem} (${this.retries + 1} attempts)`);
  }

  private async exchange(method: 'GET' | 'POST', url: string, body?: unknown): Promise<unknown> {
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(url, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new RetryableError(`timed out after ${this.timeoutMs} ms`);
      throw new RetryableError(`network error (${e.cause?.code ?? e.message})`);
    }
    if (res.status === 404 && method === 'GET') return undefined;
    if (res.status === 429 || res.status >= 500) {
      const after = Number(res.headers.get('retry-after'));
      throw new RetryableError(`HTTP ${res.status}`, Number.isFinite(after) && after > 0 && after <= 60 ? after * 1000 : undefined);
    }
    if (res.status < 200 || res.status > 299) {
      throw new BadInputError(`OSV API ${url} refused the request: HTTP ${res.status} ${text.slice(0, 200).replace(/\s+/g, ' ')}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new RetryableError('response is not JSON');
    }
  }

  /** Ids of every record affecting the queries, following page tokens. */
  private async queryIds(queries: readonly PackageQuery[]): Promise<Map<string, string | undefined>> {
    const ids = new Map<string, string | undefined>();
    let pending = queries.map((q) => ({ q, token: undefined as string | undefined, page: 1 }));
    const one = queries.length === 1;
    const stage = startStage(this.opts.progress, 'osv-api', `querying ${this.baseUrl} for ${queries.length} package${one ? '' : 's'}`, { unit: one ? 'query' : 'queries', total: queries.length });
    while (pending.length) {
      const next: typeof pending = [];
      for (let i = 0; i < pending.length; i += this.batchSize) {
        const chunk = pending.slice(i, i + this.batchSize);
        const body = {
          queries: chunk.map(({ q, token }) => ({
            package: { name: q.name, ecosystem: q.ecosystem },
            ...(q.version !== undefined ? { version: q.version } : {}),
            ...(token ? { page_token: token } : {}),
          })),
        };
        const res = await this.request('POST', '/v1/querybatch', body);
        const results = isObject(res) ? res.results : undefined;
        if (!Array.isArray(results) || results.length !== chunk.length) {
          throw new UnavailableError(`OSV API ${this.baseUrl}: querybatch answered ${Array.isArray(results) ? results.length : 'no'} results for ${chunk.length} queries`);
        }
        results.forEach((raw: unknown, j) => {
          const { q, token, page } = chunk[j] as (typeof chunk)[number]; // results.length === chunk.length, checked above
          const what = `OSV API ${this.baseUrl}: querybatch result for ${q.ecosystem}/${q.name}`;
          const r = batchResult(raw, what);
          for (const v of r.vulns) ids.set(v.id, v.modified);
          if (!r.next_page_token) return;
          if (r.next_page_token === token || page >= MAX_PAGES) throw new UnavailableError(`${what}: still paging after ${page} page(s); the answer is not trusted`);
          next.push({ q, token: r.next_page_token, page: page + 1 });
        });
        stage.advance({ done: chunk.filter((c) => c.token === undefined).length });
      }
      pending = next;
    }
    stage.finish(`${ids.size} vulnerabilities listed`);
    return ids;
  }

  /**
   * `GET /v1/vulns/{id}` for each id, `concurrency` at a time. A malformed record is skipped
   * with a warning; so is a 404 when `listed` (querybatch named the id, so it should exist).
   * Parsed records are cached.
   */
  private async fetchRecords(ids: readonly string[], warnings: string[], listed: boolean): Promise<Map<string, OsvRecord>> {
    const found = new Map<string, OsvRecord>();
    let next = 0;
    const stage = ids.length ? startStage(this.opts.progress, 'osv-api', `fetching ${ids.length} record${ids.length === 1 ? '' : 's'}${listed ? '' : ' by alias'}`, { unit: ids.length === 1 ? 'record' : 'records', total: ids.length }) : undefined;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        const raw = await this.request('GET', `/v1/vulns/${encodeURIComponent(id)}`);
        stage?.advance({ done: 1 });
        if (raw === undefined) {
          if (listed) warnings.push(`OSV record ${id} listed by querybatch but not found (404); skipped`);
          continue;
        }
        try {
          const record = parseOsvRecord(raw);
          this.cache.set(id, record);
          found.set(id, record);
        } catch (err) {
          if (!(err instanceof MalformedRecordError)) throw err;
          warnings.push(`skipped OSV record ${id} from the API: ${err.message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ids.length) }, worker));
    stage?.finish();
    return found;
  }

  async recordsFor(packages: readonly PackageQuery[]): Promise<readonly OsvRecord[]> {
    const unique = new Map<string, PackageQuery>();
    for (const p of packages) unique.set(`${p.ecosystem}\u0000${p.name}\u0000${p.version ?? ''}`, p);
    const ids = await this.queryIds([...unique.values()]);
    const warnings: string[] = [];
    // A cached record is reused only when the batch reports the same modified time.
    const wanted = [...ids].filter(([id, modified]) => !(this.cache.has(id) && modified !== undefined && this.cache.get(id)?.modified === modified)).map(([id]) => id);
    await this.fetchRecords(wanted, warnings, true);
    const records = [...ids.keys()].map((id) => this.cache.get(id)).filter((r): r is OsvRecord => r !== undefined);
    let newest: string | undefined;
    for (const r of records) if (newest === undefined || Date.parse(r.modified) > Date.parse(newest)) newest = r.modified;
    // Listed for these packages and not usable: a gap for the scan (fetched by alias, only a warning).
    this.last = { count: records.length, ...(newest ? { newest } : {}), warnings, skipped: [...warnings] };
    return records;
  }

  /**
   * The records with these ids, each fetched as `GET /v1/vulns/{id}` (a 404 means OSV.dev has
   * no record under that id: not an error, most aliases are not records of their own). The
   * scanner asks for a finding's id and aliases, so what comes back is every record published
   * under one of them. Always fetched fresh: nothing says whether a cached copy is current.
   * Warnings join those of the last `recordsFor`.
   */
  async recordsById(ids: readonly string[]): Promise<readonly OsvRecord[]> {
    const warnings: string[] = [];
    const found = await this.fetchRecords([...new Set(ids)], warnings, false);
    this.last = { ...this.last, warnings: [...this.last.warnings, ...warnings] };
    return [...found.values()];
  }

  async coverage(): Promise<DataCoverage> {
    return osvApiCoverage;
  }

  async describe(): Promise<DataDescription> {
    return {
      source: `osv-api:${this.baseUrl}`,
      recordCount: this.last.count,
      ...(this.last.newest ? { newestModified: this.last.newest } : {}),
      warnings: this.last.warnings,
      ...(this.last.skipped.length ? { skipped: this.last.skipped } : {}),
    };
  }
}
