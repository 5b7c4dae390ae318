/**
 * Port: progress of long work (layers read, OSV records loaded, evidence pushed) and, for `-v`,
 * the HTTP requests made. The domain emits events and never writes to a terminal itself; the CLI
 * renders them (lambdas/cli/progress-render.ts): one updating line on a terminal, one line per
 * stage otherwise, nothing with `-q`. Events carry no secrets: request URLs are redacted
 * (`redactUrl`) before they are emitted, and headers are never part of an event.
 */

/** A stage began: `total` units (`unit`: layers, records, manifests) and/or `totalBytes` to go. */
export interface StageStarted {
  readonly kind: 'started';
  readonly id: number;
  /** Short name of the part of the program (`sbom`, `osv`, `sign`): the prefix of its lines. */
  readonly stage: string;
  /** What is being done, for people (`cataloging sha256:… (linux/amd64)`). */
  readonly what: string;
  readonly unit?: string;
  readonly total?: number;
  readonly totalBytes?: number;
  /**
   * Not worth a line of its own in a log (line mode shows it only with `-v`): work whose
   * command prints its own summary, such as evidence pushes. A terminal still shows it.
   */
  readonly minor?: boolean;
}

/** Work done since the last event (`done` units, `bytes`), and/or one line worth logging. */
export interface StageAdvanced {
  readonly kind: 'advanced';
  readonly id: number;
  readonly done?: number;
  readonly bytes?: number;
  /** One line for a log (`reading layer sha256:… (1.2 MB, gzip)`). */
  readonly note?: string;
}

export interface StageFinished {
  readonly kind: 'finished';
  readonly id: number;
  /** The outcome in a few words (`42 components`). */
  readonly summary?: string;
}

/** One HTTP exchange (shown with `-v`): the URL without credentials or signed query values. */
export interface RequestMade {
  readonly kind: 'request';
  /** Which client made it (`registry`, `osv-api`). */
  readonly service: string;
  readonly method: string;
  readonly url: string;
  /** The HTTP status, or why there was none (`TimeoutError`, `ECONNREFUSED`). */
  readonly status: number | string;
  readonly ms: number;
}

export type ProgressEvent = StageStarted | StageAdvanced | StageFinished | RequestMade;

export interface Progress {
  emit(event: ProgressEvent): void;
}

/** A stage as the domain drives it. */
export interface Stage {
  advance(update: { readonly done?: number; readonly bytes?: number; readonly note?: string }): void;
  finish(summary?: string): void;
}

const idle: Stage = { advance: () => undefined, finish: () => undefined };
let nextId = 1;

/** Starts a stage on `progress` (nothing happens without one). Finishing twice is harmless. */
export function startStage(progress: Progress | undefined, stage: string, what: string, opts: Omit<StageStarted, 'kind' | 'id' | 'stage' | 'what'> = {}): Stage {
  if (!progress) return idle;
  const id = nextId++;
  let open = true;
  progress.emit({ kind: 'started', id, stage, what, ...opts });
  return {
    advance: (u) => {
      if (open) progress.emit({ kind: 'advanced', id, ...u });
    },
    finish: (summary) => {
      if (!open) return;
      open = false;
      progress.emit({ kind: 'finished', id, ...(summary ? { summary } : {}) });
    },
  };
}

/** Query parameters whose values are safe to show (registry token scopes, pagination). */
const SHOWN_QUERY = new Set(['scope', 'service', 'n', 'last', 'digest', 'artifacttype', 'mount', 'from']);

/**
 * A URL as it may be shown: no user or password, and the value of every query parameter not
 * known to be harmless replaced (pre-signed S3 redirects carry signatures and session tokens in
 * the query; upload locations carry opaque state).
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw.replace(/\?.*$/s, '?REDACTED');
  }
  const query = url.search
    .slice(1)
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq === -1 ? p : p.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return SHOWN_QUERY.has(decoded.toLowerCase()) ? p : `${name}=REDACTED`;
    });
  return `${url.protocol}//${url.host}${url.pathname}${query.length ? `?${query.join('&')}` : ''}`;
}

/** Why a fetch failed, in one word (`ECONNREFUSED`, `TimeoutError`). */
function failure(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } };
  return e.cause?.code ?? e.name ?? 'error';
}

/**
 * `fetch` that reports each exchange (method, redacted URL, status, time to the response
 * headers) as a `request` event. Only what is listed above leaves: never headers or bodies.
 */
export function observedFetch(fetchImpl: typeof fetch, progress: Progress, service: string): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const started = Date.now();
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const url = redactUrl(input instanceof Request ? input.url : String(input));
    try {
      const res = await fetchImpl(input, init);
      progress.emit({ kind: 'request', service, method, url, status: res.status, ms: Date.now() - started });
      return res;
    } catch (err) {
      progress.emit({ kind: 'request', service, method, url, status: failure(err), ms: Date.now() - started });
      throw err;
    }
  };
}
