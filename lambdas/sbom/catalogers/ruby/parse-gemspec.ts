import type { CatalogedPackage, ParseResult } from '../../cataloger';
import { clip, decodeText, MAX_FIELD, MAX_METADATA, preview, WarningSink } from '../common/text';

/**
 * Installed gem specifications (`specifications/<name>-<version>[-<platform>].gemspec`, written
 * by RubyGems as Ruby code) read without evaluating them: only assignments of literal values
 * (`s.name = "rake".freeze`, `spec.licenses = ["MIT"]`, `Gem::Version.new("1.0")`) are
 * understood; anything else is ignored (a name or version that is not a literal is reported).
 * The `# stub: <name> <version> <platform> <paths>` line RubyGems writes first is the fallback.
 * Linear in the input: one pass per line, no backtracking regexes on file content.
 */

type Value = string | Value[];

const MAX_ITEMS = 1000;
const MAX_DEPTH = 4;

class Expr {
  pos: number;
  constructor(
    private readonly s: string,
    start: number,
  ) {
    this.pos = start;
  }

  private ws(newlines: boolean): void {
    for (;;) {
      const c = this.s[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.pos++;
      else if (newlines && c === '#') {
        const nl = this.s.indexOf('\n', this.pos);
        this.pos = nl < 0 ? this.s.length : nl;
      } else return;
    }
  }

  /** A literal value at the cursor, or undefined when the expression is anything else. */
  value(depth = 0): Value | undefined {
    this.ws(depth > 0);
    const c = this.s[this.pos];
    let v: Value | undefined;
    if (c === '"') v = this.quoted('"', true);
    else if (c === "'") v = this.quoted("'", false);
    else if (c === '%') v = this.percent();
    else if (c === '[') v = depth < MAX_DEPTH ? this.array(depth) : undefined;
    else if (this.s.startsWith('Gem::Version.new(', this.pos)) {
      this.pos += 'Gem::Version.new('.length;
      v = this.value(depth + 1);
      this.ws(true);
      if (typeof v !== 'string' || this.s[this.pos] !== ')') return undefined;
      this.pos++;
    } else return undefined;
    if (v === undefined) return undefined;
    // `.freeze`, `.dup`, `.to_s` leave a string literal as it is.
    for (;;) {
      const m = /^\.(freeze|dup|to_s)\b/.exec(this.s.slice(this.pos, this.pos + 8));
      if (!m) break;
      this.pos += m[0].length;
    }
    return v;
  }

  private array(depth: number): Value[] | undefined {
    this.pos++;
    const out: Value[] = [];
    for (;;) {
      this.ws(true);
      if (this.s[this.pos] === ']') {
        this.pos++;
        return out;
      }
      if (out.length >= MAX_ITEMS) return undefined;
      const v = this.value(depth + 1);
      if (v === undefined) return undefined;
      out.push(v);
      this.ws(true);
      if (this.s[this.pos] === ',') this.pos++;
      else if (this.s[this.pos] !== ']') return undefined;
    }
  }

  private quoted(q: string, escapes: boolean): string | undefined {
    let out = '';
    for (let i = this.pos + 1; i < this.s.length; i++) {
      const c = this.s.charAt(i);
      if (c === q) {
        this.pos = i + 1;
        return out;
      }
      if (c === '#' && escapes && this.s[i + 1] === '{') return undefined; // interpolation: not a literal
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[++i];
      if (e === undefined) return undefined;
      if (!escapes) out += e === q || e === '\\' ? e : `\\${e}`;
      else if (e === 'n') out += '\n';
      else if (e === 't') out += '\t';
      else if (e === 'u' && this.s[i + 1] === '{') {
        const end = this.s.indexOf('}', i);
        if (end < 0 || end - i > 40) return undefined;
        for (const h of this.s.slice(i + 2, end).trim().split(/\s+/)) {
          const cp = parseInt(h, 16);
          if (!/^[0-9a-fA-F]{1,6}$/.test(h) || cp > 0x10ffff) return undefined;
          out += String.fromCodePoint(cp);
        }
        i = end;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.s.slice(i + 1, i + 5))) {
        out += String.fromCharCode(parseInt(this.s.slice(i + 1, i + 5), 16));
        i += 4;
      } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(this.s.slice(i + 1, i + 3))) {
        out += String.fromCharCode(parseInt(this.s.slice(i + 1, i + 3), 16));
        i += 2;
      } else out += e;
    }
    return undefined;
  }

  /** `%q<…>`, `%Q{…}`, `%(…)`, `%w[a b]`: RubyGems writes `%q<name>` for dependencies. */
  private percent(): Value | undefined {
    let i = this.pos + 1;
    let kind = 'Q';
    const k = this.s[i];
    if (k === 'q' || k === 'Q' || k === 'w' || k === 'W') {
      kind = k;
      i++;
    }
    const open = this.s.charAt(i); // '' past the end: refused below
    const close = ({ '<': '>', '{': '}', '(': ')', '[': ']' } as Record<string, string>)[open] ?? open;
    if (!open || /[\w\s]/.test(open)) return undefined;
    let depth = 0;
    let out = '';
    for (let j = i + 1; j < this.s.length; j++) {
      const c = this.s.charAt(j);
      if (c === '\\' && j + 1 < this.s.length) {
        out += this.s.charAt(++j);
        continue;
      }
      if (c === open && open !== close) depth++;
      else if (c === close) {
        if (depth === 0) {
          this.pos = j + 1;
          return kind === 'w' || kind === 'W' ? out.split(/\s+/).filter(Boolean) : out;
        }
        depth--;
      }
      if (kind === 'Q' && c === '#' && this.s[j + 1] === '{') return undefined;
      out += c;
    }
    return undefined;
  }
}

const ATTRIBUTES = new Set(['name', 'version', 'license', 'licenses', 'homepage', 'summary', 'authors', 'author', 'platform']);

function strings(v: Value | undefined): string[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  return v.flatMap((x) => (typeof x === 'string' ? [x] : []));
}

/** `rake-13.0.6.gemspec` → rake / 13.0.6 (platform suffixes make this ambiguous: last resort only). */
function fromFileName(path: string): { name: string; version: string } | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1, -'.gemspec'.length);
  const [, name, version] = /^(.+)-(\d[0-9A-Za-z.]*)$/.exec(base) ?? [];
  return name !== undefined && version !== undefined ? { name, version } : undefined;
}

export function parseGemspec(path: string, content: Buffer): ParseResult {
  const warnings = new WarningSink(path);
  const text = decodeText(content);
  const found = new Map<string, Value>();
  const unreadable = new Set<string>();
  let stub: string[] | undefined;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const nl = text.indexOf('\n', lineStart);
    const end = nl < 0 ? text.length : nl;
    let i = lineStart;
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text.startsWith('# stub: ', i) && !stub) stub = text.slice(i + 8, end).trim().split(/\s+/);
    // `<receiver>.<attribute> = <value>`: receiver and attribute are identifiers.
    const head = /^[a-z_][a-z0-9_]{0,30}\.([a-z_]{1,20})\s*=(?!=)/.exec(text.slice(i, Math.min(end, i + 60)));
    const attr = head?.[1];
    if (head && attr !== undefined && ATTRIBUTES.has(attr) && !found.has(attr)) {
      const expr = new Expr(text, i + head[0].length);
      const v = expr.value();
      if (v === undefined) unreadable.add(attr);
      else {
        found.set(attr, v);
        // An array may span lines: continue after it.
        if (expr.pos > end) {
          const next = text.indexOf('\n', expr.pos);
          lineStart = next < 0 ? text.length + 1 : next + 1;
          continue;
        }
      }
    }
    lineStart = end + 1;
  }
  const literal = (attr: string): string | undefined => {
    const v = found.get(attr);
    return typeof v === 'string' ? v.trim() : undefined;
  };
  const [stubName, stubVersion, stubPlatform] = stub ?? [];
  const stubFields = stubName !== undefined && stubVersion !== undefined ? { name: stubName, version: stubVersion, platform: stubPlatform } : undefined;
  const fallback = stubFields ?? fromFileName(path);
  const name = literal('name') || fallback?.name;
  const version = literal('version') || fallback?.version;
  for (const attr of ['name', 'version'] as const) {
    if (unreadable.has(attr) && !literal(attr)) warnings.add(`gemspec ${attr} is not a literal value (gemspecs are never evaluated)${fallback ? `; using ${fallback[attr]} from the ${stubFields ? 'stub line' : 'file name'}` : ''}`);
  }
  if (!name || !version) {
    warnings.add('gemspec without a readable name and version; skipped');
    return { packages: [], warnings: warnings.list() };
  }
  const licenses = [...strings(found.get('licenses')), ...strings(found.get('license'))].map((l) => clip(l.trim(), MAX_FIELD)).filter(Boolean);
  const metadata: Record<string, string> = {};
  const homepage = literal('homepage');
  if (homepage) metadata.homepage = clip(homepage, MAX_METADATA);
  const summary = literal('summary');
  if (summary) metadata.summary = clip(summary, MAX_METADATA);
  const authors = strings(found.get('authors') ?? found.get('author'));
  if (authors.length) metadata.authors = clip(authors.join(', '), MAX_METADATA);
  const platform = literal('platform') ?? stubFields?.platform;
  if (platform && platform !== 'ruby') metadata.platform = clip(platform, MAX_FIELD);
  if (path.includes('/specifications/default/')) metadata.defaultGem = 'true';
  if (!/^[0-9A-Za-z._-]+$/.test(version)) warnings.add(`gem version ${preview(version)} is not a RubyGems version`);
  const pkg: CatalogedPackage = { ecosystem: 'ruby', name: clip(name, MAX_FIELD), version: clip(version, MAX_FIELD), licenses: [...new Set(licenses)], ...(Object.keys(metadata).length ? { metadata } : {}) };
  return { packages: [pkg], warnings: warnings.list() };
}
