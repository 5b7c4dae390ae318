/**
 * How the CLI shows the domain's progress events (lambdas/ports/progress.ts) on stderr:
 *
 * - on a terminal, one line rewritten in place (`\r`, erase to the end) for the stage under way:
 *   units done/total, bytes, rate and ETA; a finished stage leaves its final line and a newline;
 * - anywhere else (CI logs, files, pipes), one line per stage and one per logged item (the lines
 *   `sbom` has always printed), nothing that needs a cursor;
 * - nothing at all with `-q` (warnings are not progress: they always show);
 * - with `-v` (`--debug`), also every HTTP request and each stage's timing.
 */
import { BadInputError } from '../core/errors';
import type { Progress, ProgressEvent, StageStarted } from '../ports/progress';

/** The stream progress is written to: process.stderr, or a fake one in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** A Progress that also prints the command's own lines (warnings) without tearing its display. */
export interface ProgressDisplay extends Progress {
  /** One line (a warning) printed above whatever is being drawn. */
  print(line: string): void;
  /** Stops drawing: an unfinished stage keeps its last line, ended with a newline. */
  end(): void;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i] as string}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

interface StageState {
  readonly started: StageStarted;
  readonly at: number;
  done: number;
  bytes: number;
}

function sizeText(s: StageStarted): string {
  const parts = [s.total !== undefined ? `${s.total} ${s.unit ?? 'items'}` : undefined, s.totalBytes !== undefined ? formatBytes(s.totalBytes) : undefined].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** `3/5 layers, 12.0 MB/40.0 MB` */
function countText(st: StageState): string {
  const s = st.started;
  const parts: string[] = [];
  if (s.total !== undefined) parts.push(`${st.done}/${s.total} ${s.unit ?? 'items'}`);
  else if (st.done > 0) parts.push(`${st.done} ${s.unit ?? 'items'}`);
  if (s.totalBytes !== undefined) parts.push(`${formatBytes(st.bytes)}/${formatBytes(s.totalBytes)}`);
  else if (st.bytes > 0) parts.push(formatBytes(st.bytes));
  return parts.join(', ');
}

function requestLine(e: Extract<ProgressEvent, { kind: 'request' }>): string {
  return `${e.service}: ${e.method} ${e.url} ${e.status} ${Math.round(e.ms)} ms`;
}

/** Line mode: what a log should keep. */
export class LineProgress implements ProgressDisplay {
  private readonly stages = new Map<number, StageState>();

  constructor(
    private readonly out: ProgressStream,
    private readonly verbose = false,
    private readonly now: () => number = Date.now,
  ) {}

  emit(e: ProgressEvent): void {
    switch (e.kind) {
      case 'started': {
        this.stages.set(e.id, { started: e, at: this.now(), done: 0, bytes: 0 });
        if (!e.minor || this.verbose) this.line(`${e.stage}: ${e.what}${sizeText(e)}`);
        return;
      }
      case 'advanced': {
        const st = this.stages.get(e.id);
        if (!st) return;
        st.done += e.done ?? 0;
        st.bytes += e.bytes ?? 0;
        if (e.note && (!st.started.minor || this.verbose)) this.line(`${st.started.stage}: ${e.note}`);
        return;
      }
      case 'finished': {
        const st = this.stages.get(e.id);
        this.stages.delete(e.id);
        if (!st || !this.verbose) return;
        const counts = countText(st);
        this.line(`${st.started.stage}: ${e.summary ?? 'done'}${counts ? `: ${counts}` : ''} in ${formatDuration(this.now() - st.at)}`);
        return;
      }
      case 'request':
        if (this.verbose) this.line(requestLine(e));
        return;
    }
  }

  print(line: string): void {
    this.line(line);
  }

  end(): void {
    this.stages.clear();
  }

  private line(text: string): void {
    this.out.write(`${text}\n`);
  }
}

/** Terminal mode: one line kept up to date in place. */
export class TtyProgress implements ProgressDisplay {
  private readonly stages = new Map<number, StageState>();
  /** Something is drawn on the current line (no newline after it yet). */
  private drawn = false;
  private lastDraw = 0;

  constructor(
    private readonly out: ProgressStream,
    private readonly verbose = false,
    private readonly now: () => number = Date.now,
    /** Redraws at most this often (ms); starts and finishes always draw. */
    private readonly interval = 100,
  ) {}

  emit(e: ProgressEvent): void {
    switch (e.kind) {
      case 'started':
        this.stages.set(e.id, { started: e, at: this.now(), done: 0, bytes: 0 });
        this.draw(true);
        return;
      case 'advanced': {
        const st = this.stages.get(e.id);
        if (!st) return;
        st.done += e.done ?? 0;
        st.bytes += e.bytes ?? 0;
        if (e.note && this.verbose) this.print(`${st.started.stage}: ${e.note}`);
        else this.draw(false);
        return;
      }
      case 'finished': {
        const st = this.stages.get(e.id);
        if (!st) return;
        this.stages.delete(e.id);
        const counts = countText(st);
        const tail = `: ${e.summary ?? 'done'}${counts ? `, ${counts}` : ''} in ${formatDuration(this.now() - st.at)}`;
        this.out.write(`\r${this.fitted(st.started.stage, st.started.what, tail)}\x1b[K\n`);
        this.drawn = false;
        this.draw(true);
        return;
      }
      case 'request':
        if (this.verbose) this.print(requestLine(e));
        return;
    }
  }

  print(line: string): void {
    this.out.write(`${this.drawn ? '\r\x1b[K' : ''}${line}\n`);
    this.drawn = false;
    this.draw(true);
  }

  end(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
    this.stages.clear();
  }

  /** The stage started last among those still running. */
  private current(): StageState | undefined {
    let last: StageState | undefined;
    for (const st of this.stages.values()) last = st;
    return last;
  }

  private draw(force: boolean): void {
    const st = this.current();
    if (!st) return;
    const t = this.now();
    if (!force && t - this.lastDraw < this.interval) return;
    this.lastDraw = t;
    this.out.write(`\r${this.fitted(st.started.stage, st.started.what, this.status(st, t))}\x1b[K`);
    this.drawn = true;
  }

  /** ` 2/5 layers, 12.0 MB/40.0 MB, 6.1 MB/s, ETA 5 s` (after the stage and what it does). */
  private status(st: StageState, t: number): string {
    const s = st.started;
    const parts = [countText(st)];
    const elapsed = t - st.at;
    if (elapsed >= 500) {
      if (st.bytes > 0) parts.push(`${formatBytes((st.bytes * 1000) / elapsed)}/s`);
      else if (st.done > 0) parts.push(`${((st.done * 1000) / elapsed).toFixed(1)} ${s.unit ?? 'items'}/s`);
      const eta = s.totalBytes && st.bytes > 0 ? (elapsed * (s.totalBytes - st.bytes)) / st.bytes : s.total && st.done > 0 ? (elapsed * (s.total - st.done)) / st.done : undefined;
      if (eta !== undefined && eta >= 0) parts.push(`ETA ${formatDuration(eta)}`);
    }
    const detail = parts.filter((p) => p.length > 0).join(', ');
    return detail ? ` ${detail}` : '';
  }

  /**
   * `stage: what tail` on one terminal line, so that `\r` returns to its start: digests are
   * shortened (`sha256:0123456789ab…`), and when it is still too wide `what` gives way first:
   * the counts, rate and ETA at the end are what the line is for.
   */
  private fitted(stage: string, what: string, tail: string): string {
    const short = what.replace(/\b(sha256:[0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');
    const text = `${stage}: ${short}${tail}`;
    const width = this.out.columns;
    if (!width || width < 2 || text.length <= width - 1) return text;
    const room = width - 1 - `${stage}: `.length - tail.length;
    if (room >= 2) return `${stage}: ${short.slice(0, room - 1)}…${tail}`;
    return `${text.slice(0, width - 2)}…`;
  }
}

/**
 * The display a command's `-q` / `-v` / `--debug` flags ask for, on `stream` (default stderr):
 * `-q` shows no progress (warnings printed through `print` still show); `-v` adds requests and
 * timings. A terminal gets the updating line, anything else line mode.
 */
export function progressDisplay(flags: { quiet?: boolean; verbose?: boolean; debug?: boolean }, stream: ProgressStream = process.stderr): ProgressDisplay {
  const verbose = !!(flags.verbose || flags.debug);
  if (flags.quiet && verbose) throw new BadInputError('-q and -v are opposites: give one');
  if (flags.quiet) return { emit: () => undefined, print: (line) => void stream.write(`${line}\n`), end: () => undefined };
  return stream.isTTY ? new TtyProgress(stream, verbose) : new LineProgress(stream, verbose);
}
