import { isBlank, preview, type WarningSink } from './text';

/** One field of a deb822 stanza: the text after `Name:` (trimmed) and its continuation lines. */
export interface Deb822Field {
  /** Field name as written (`Package`, `Installed-Size`). */
  readonly name: string;
  /** First-line value, trimmed (may be empty, e.g. `Conffiles:` or `Description` synopsis-less). */
  readonly value: string;
  /** Continuation lines with their leading whitespace removed and ` .` kept as `.`. */
  readonly continuation: string[];
}

export interface Deb822Stanza {
  /** 1-based line where the stanza starts (for warnings). */
  readonly line: number;
  /** Fields by lower-cased name. deb822 field names are case-insensitive; the first occurrence wins. */
  readonly fields: ReadonlyMap<string, Deb822Field>;
}

/**
 * Splits deb822 text (dpkg status, DEP-5 copyright) into stanzas. Stanzas are separated by
 * empty or whitespace-only lines; lines starting with a space or tab continue the previous
 * field; lines starting with `#` are comments. Malformed lines, stray continuations and
 * duplicate fields are skipped with a warning. Linear in the number of lines; never throws.
 */
export function parseDeb822(lines: readonly string[], warnings: WarningSink): Deb822Stanza[] {
  const stanzas: Deb822Stanza[] = [];
  let fields = new Map<string, Deb822Field>();
  let start = 0;
  // Continuations go to the current field, or are dropped (null) after a skipped field line.
  let current: Deb822Field | null | undefined;

  const finish = (): void => {
    if (fields.size > 0) stanzas.push({ line: start, fields });
    fields = new Map();
    current = undefined;
  };

  for (const [i, line] of lines.entries()) {
    if (isBlank(line)) {
      finish();
      continue;
    }
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      if (current) current.continuation.push(line.trim());
      else if (current === undefined) {
        warnings.add(`line ${i + 1}: continuation line without a field: ${preview(line)}`);
        current = null;
      }
      continue;
    }
    if (first === 35 /* # */) continue;
    if (fields.size === 0) start = i + 1;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (name === '' || /[\s]/.test(name)) {
      warnings.add(`line ${i + 1}: not a "Field: value" line: ${preview(line)}`);
      current = null;
      continue;
    }
    const key = name.toLowerCase();
    if (fields.has(key)) {
      warnings.add(`line ${i + 1}: duplicate field ${preview(name)} ignored`);
      current = null;
      continue;
    }
    current = { name, value: line.slice(colon + 1).trim(), continuation: [] };
    fields.set(key, current);
  }
  finish();
  return stanzas;
}

/** The trimmed first-line value of a field, or undefined when absent or empty. */
export function fieldValue(stanza: Deb822Stanza, name: string): string | undefined {
  const value = stanza.fields.get(name)?.value;
  return value ? value : undefined;
}
