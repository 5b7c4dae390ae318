import { preview, type WarningSink } from '../common/text';

/** A module line of Go build info (`mod`, `dep`), with its `=>` replacement if any. */
export interface GoModule {
  readonly path: string;
  readonly version: string;
  readonly sum: string;
  readonly replace?: GoModule;
}

export interface GoModInfo {
  /** The main package path (`path` line). */
  readonly path?: string;
  readonly main?: GoModule;
  readonly deps: readonly GoModule[];
  /** `build` settings in order (`-ldflags`, `GOOS`, `vcs.revision`, ...). */
  readonly settings: ReadonlyMap<string, string>;
}

/**
 * Decodes a Go-quoted string (`"..."` with Go escapes, or a raw `` `...` ``) at the start of
 * `text`; returns the value and the length consumed, or undefined when it is not one.
 */
export function unquoteGoPrefix(text: string): [value: string, length: number] | undefined {
  const q = text[0];
  if (q === '`') {
    const end = text.indexOf('`', 1);
    return end < 0 ? undefined : [text.slice(1, end), end + 1];
  }
  if (q !== '"') return undefined;
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') return [out, i + 1];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = text[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (e === undefined) return undefined;
    if (simple[e] !== undefined) out += simple[e];
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = text.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) return undefined;
      const code = parseInt(hex, 16);
      if (e === 'x') out += String.fromCharCode(code);
      else if (code <= 0x10ffff) out += String.fromCodePoint(code);
      else return undefined;
      i += n;
    } else if (e >= '0' && e <= '7') {
      const oct = text.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(parseInt(oct, 8) & 0xff);
      i += 2;
    } else return undefined;
  }
  return undefined;
}

function moduleLine(cols: string[]): GoModule | undefined {
  const [path, version, sum = '', ...more] = cols;
  if (path === undefined || version === undefined || more.length > 0) return undefined;
  return { path, version, sum };
}

/**
 * Parses the module information text of Go build info (runtime/debug.ParseBuildInfo's format:
 * `path`, `mod`, `dep`, `=>` and `build` lines, tab-separated). Unlike Go's parser it goes on
 * after a malformed line, skipping it with a warning. Linear in the input.
 */
export function parseModInfo(text: string, warnings: WarningSink): GoModInfo {
  let path: string | undefined;
  let main: GoModule | undefined;
  const deps: GoModule[] = [];
  const settings = new Map<string, string>();
  // The module an `=>` line replaces: 'main', a dep index, or none.
  let last: 'main' | number | undefined;
  // The text ends with a newline; a last line without one is ignored, as Go does.
  const lines = text.split('\n').slice(0, -1);
  for (const [i, line] of lines.entries()) {
    const tab = line.indexOf('\t');
    const word = tab < 0 ? line : line.slice(0, tab);
    const rest = tab < 0 ? '' : line.slice(tab + 1);
    if (tab < 0) {
      if (line) warnings.add(`Go build info line ${i + 1} not understood: ${preview(line)}`);
      continue;
    }
    switch (word) {
      case 'path':
        path = rest;
        break;
      case 'mod':
      case 'dep': {
        const m = moduleLine(rest.split('\t'));
        if (!m || !m.path) {
          warnings.add(`Go build info line ${i + 1}: expected "${word} PATH VERSION [SUM]": ${preview(line)}`);
          last = undefined;
          break;
        }
        if (word === 'mod') {
          main = m;
          last = 'main';
        } else {
          deps.push(m);
          last = deps.length - 1;
        }
        break;
      }
      case '=>': {
        const [rpath, rversion, rsum, ...more] = rest.split('\t');
        if (rpath === undefined || rversion === undefined || rsum === undefined || more.length > 0 || last === undefined) {
          warnings.add(`Go build info line ${i + 1}: ${last === undefined ? 'replacement with no module before it' : 'expected "=> PATH VERSION SUM"'}: ${preview(line)}`);
          last = undefined;
          break;
        }
        const replace: GoModule = { path: rpath, version: rversion, sum: rsum };
        const dep = typeof last === 'number' ? deps[last] : undefined;
        if (last === 'main' && main) main = { ...main, replace };
        else if (typeof last === 'number' && dep) deps[last] = { ...dep, replace };
        last = undefined;
        break;
      }
      case 'build': {
        let key: string;
        let raw: string;
        if (rest.startsWith('"') || rest.startsWith('`')) {
          const q = unquoteGoPrefix(rest);
          if (!q || rest[q[1]] !== '=') {
            warnings.add(`Go build info line ${i + 1}: bad quoted build key: ${preview(line)}`);
            break;
          }
          key = q[0];
          raw = rest.slice(q[1] + 1);
        } else {
          const eq = rest.indexOf('=');
          if (eq <= 0) {
            warnings.add(`Go build info line ${i + 1}: build line without KEY=VALUE: ${preview(line)}`);
            break;
          }
          key = rest.slice(0, eq);
          raw = rest.slice(eq + 1);
        }
        let value = raw;
        if (raw.startsWith('"') || raw.startsWith('`')) {
          const q = unquoteGoPrefix(raw);
          if (!q || q[1] !== raw.length) {
            warnings.add(`Go build info line ${i + 1}: bad quoted build value: ${preview(line)}`);
            break;
          }
          value = q[0];
        }
        settings.set(key, value);
        break;
      }
      default:
        // Unknown line kinds (future Go versions) are skipped silently, as Go does.
        break;
    }
  }
  return { ...(path !== undefined ? { path } : {}), ...(main ? { main } : {}), deps, settings };
}
