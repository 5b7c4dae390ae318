import type { CatalogWarning, WarningImpact } from '../../cataloger';

/**
 * Decodes file bytes as UTF-8, replacing invalid sequences with U+FFFD (never throws), and drops
 * a leading byte-order mark. Package databases are UTF-8 in practice; Latin-1 bytes in old files
 * only cost the odd replacement character in free-text fields.
 */
export function decodeText(content: Buffer): string {
  const text = content.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Splits text into lines on `\n`, dropping one trailing `\r` per line (CRLF files). A lone `\r`
 * is kept as data. Linear in the input length.
 */
export function splitLines(text: string): string[] {
  return text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** True for an empty line or one made only of spaces and tabs. */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** Cuts a string to at most `max` UTF-16 units, marking the cut with an ellipsis. */
export function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, Math.max(0, max - 1))}…`;
}

/** Longest field value kept in package names, versions and licences; longer values are clipped. */
export const MAX_FIELD = 1024;

/** Longest free-text value kept in `metadata` (descriptions, maintainers, URLs). */
export const MAX_METADATA = 512;

/**
 * Collects warnings for one file, capped so that a hostile file cannot produce millions of them;
 * past the cap one summary warning says how many were dropped. `impact` defaults to `inventory`
 * (see {@link WarningImpact}); the summary is `metadata` only when every dropped warning was.
 */
export class WarningSink {
  private readonly items: CatalogWarning[] = [];
  private dropped = 0;
  private droppedInventory = false;

  constructor(
    private readonly path: string,
    private readonly max = 50,
  ) {}

  add(message: string, impact: WarningImpact = 'inventory'): void {
    if (this.items.length < this.max) this.items.push(warning(this.path, clip(message, 300), impact));
    else {
      this.dropped++;
      if (impact !== 'metadata') this.droppedInventory = true;
    }
  }

  list(): CatalogWarning[] {
    if (this.dropped === 0) return this.items.slice();
    return [...this.items, warning(this.path, `${this.dropped} further warnings suppressed`, this.droppedInventory ? 'inventory' : 'metadata')];
  }
}

/** A warning as stored: `impact` is written only when it is `metadata`, absent meaning `inventory`. */
export function warning(path: string, message: string, impact: WarningImpact = 'inventory'): CatalogWarning {
  return impact === 'metadata' ? { path, message, impact } : { path, message };
}

/** Parses a JSON document (UTF-8, BOM tolerated); a syntax error becomes a warning and `undefined`. */
export function parseJsonDocument(content: Buffer, warnings: WarningSink): unknown {
  try {
    return JSON.parse(decodeText(content));
  } catch (err) {
    warnings.add(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** A short, printable rendering of a line for warning messages. */
export function preview(line: string): string {
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(clip(line, 60).replace(/[\u0000-\u001f\u007f]/g, '?'));
}
