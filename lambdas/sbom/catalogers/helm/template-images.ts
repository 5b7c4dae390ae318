import { splitLines } from '../common/text';
import type { ImageReference } from './image-reference';
import { parseImageReference } from './image-reference';
import { isObject, scalarText } from '../common/yaml';

/**
 * Render-free reading of `image:` lines in chart templates. Nothing is rendered: a line is taken
 * when its value is a literal, or when every `{{ … }}` in it is an expression this module can
 * evaluate against the default values (see {@link evaluateAction}). Anything else is reported as
 * unresolved, with the `.Values` paths the line mentions, so the caller can tell whether an image
 * found in the values stands for it.
 */

export interface TemplateContext {
  /** The chart's coalesced values (`.Values`). */
  readonly values: unknown;
  /** `.Chart.Name`, `.Chart.Version`, `.Chart.AppVersion`. */
  readonly chart: { readonly Name: string; readonly Version: string; readonly AppVersion?: string };
}

export interface TemplateImage {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly ref: ImageReference;
  /** `.Values` paths the line read (`image.repository`). */
  readonly read: readonly string[];
}

export interface UnresolvedImage {
  readonly file: string;
  readonly line: number;
  /** The value as written, clipped. */
  readonly value: string;
  /** Why it was not taken. */
  readonly reason: string;
  /** `.Values` paths it reads, directly or through the named templates it includes (`image` for `(dict "imageRoot" .Values.image)`). */
  readonly mentions: readonly string[];
}

export interface TemplateImagesResult {
  readonly images: readonly TemplateImage[];
  readonly unresolved: readonly UnresolvedImage[];
}

/** An `image:` key (a container's, in a list item or not), its value after the colon. */
const IMAGE_LINE = /^\s*(?:-\s+)?["']?image["']?\s*:(.*)$/;
const ACTION = /\{\{-?([\s\S]*?)-?\}\}/g;
const VALUES_PATH = /\$?\.Values((?:\.[A-Za-z_][\w-]*)+)/g;
const MAX_LINE = 2000;

class Unresolved extends Error {}

type Value = string | number | boolean | null | undefined | object;

interface Scope {
  readonly ctx: TemplateContext;
  readonly read: Set<string>;
}

/** Go template tokens of one action: strings, numbers, field chains, identifiers, pipes, parens. */
function tokenize(expr: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' && c === '"' ? 2 : 1;
      if (j >= expr.length) throw new Unresolved('unterminated string');
      tokens.push(expr.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '|' || c === '(' || c === ')') {
      tokens.push(c);
      i++;
      continue;
    }
    let j = i;
    while (j < expr.length && !/[\s|()"`]/.test(expr[j] as string)) j++;
    tokens.push(expr.slice(i, j));
    i = j;
  }
  return tokens;
}

function literal(token: string): { value: Value } | undefined {
  if (token.startsWith('"')) {
    try {
      return { value: JSON.parse(token) as string };
    } catch {
      throw new Unresolved('unreadable string');
    }
  }
  if (token.startsWith('`')) return { value: token.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(token)) return { value: Number(token) };
  if (token === 'true' || token === 'false') return { value: token === 'true' };
  if (token === 'nil') return { value: null };
  return undefined;
}

/** `.Values.a.b`, `$.Values.a.b`, `.Chart.AppVersion`: the value, recording `.Values` paths read. */
function field(token: string, scope: Scope): Value {
  const chain = token.startsWith('$.') ? token.slice(1) : token;
  if (!chain.startsWith('.')) throw new Unresolved(`unknown ${token}`);
  const parts = chain.slice(1).split('.');
  const head = parts.shift();
  if (head === 'Values') {
    if (parts.some((p) => !/^[A-Za-z_][\w-]*$/.test(p))) throw new Unresolved(`unsupported ${token}`);
    if (parts.length) scope.read.add(parts.join('.'));
    let v: unknown = scope.ctx.values;
    for (const p of parts) v = isObject(v) && Object.prototype.hasOwnProperty.call(v, p) ? v[p] : undefined;
    return v as Value;
  }
  if (head === 'Chart' && parts.length === 1) {
    const key = parts[0] as string;
    if (key === 'Name' || key === 'Version' || key === 'AppVersion') return scope.ctx.chart[key] ?? '';
  }
  // `.Release`, `.Capabilities`, a range's `.image`, variables: only rendering knows them.
  throw new Unresolved(`${token} depends on rendering`);
}

/** Sprig's notion of empty, which `default` replaces. */
function isEmpty(v: Value): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObject(v) && Object.keys(v).length === 0;
}

/** What Go's text/template prints for a value (Helm turns "<no value>" into nothing). */
function print(v: Value): string {
  if (v === undefined || v === null) return '';
  const s = scalarText(v);
  if (s !== undefined) return s;
  if (typeof v === 'boolean') return String(v);
  throw new Unresolved('prints a map or a list');
}

function printf(format: string, args: Value[]): string {
  let n = 0;
  const out = format.replace(/%[sdv%]/g, (m) => (m === '%%' ? '%' : print(args[n++])));
  if (n !== args.length) throw new Unresolved('printf arguments do not match its format');
  return out;
}

/** One command of a pipeline: a value, or a function applied to its arguments (and the piped value last). */
function command(tokens: string[], piped: { value: Value } | undefined, scope: Scope): Value {
  const [head, ...rest] = tokens;
  if (head === undefined) throw new Unresolved('empty command');
  const args = (): Value[] => [...rest.map((t) => operand(t, scope)), ...(piped ? [piped.value] : [])];
  switch (head) {
    case 'default': {
      const a = args();
      if (a.length !== 2) throw new Unresolved('default with other than two arguments');
      return isEmpty(a[1] as Value) ? (a[0] as Value) : (a[1] as Value);
    }
    case 'quote':
    case 'squote':
    case 'toString':
    case 'trim': {
      const a = args();
      if (a.length !== 1) throw new Unresolved(`${head} with other than one argument`);
      const s = print(a[0] as Value);
      return head === 'trim' ? s.trim() : s;
    }
    case 'printf': {
      const a = args();
      if (typeof a[0] !== 'string') throw new Unresolved('printf without a format string');
      return printf(a[0], a.slice(1));
    }
    default:
      if (rest.length || piped) throw new Unresolved(`function ${head} is not evaluated`);
      return operand(head, scope);
  }
}

function operand(token: string, scope: Scope): Value {
  const lit = literal(token);
  if (lit) return lit.value;
  if (token.startsWith('.') || token.startsWith('$.')) return field(token, scope);
  throw new Unresolved(`${token} is not evaluated`);
}

/**
 * Evaluates one action: a pipeline of commands over literals, `.Values…`, `.Chart.Name/Version/
 * AppVersion` and the functions `default`, `quote`, `squote`, `toString`, `trim`, `printf` (%s, %v,
 * %d). Parentheses, variables, `include`, `template`, `tpl`, conditions and loops are not: they
 * throw {@link Unresolved}.
 */
export function evaluateAction(expr: string, scope: Scope): string {
  // `{{-` and `-}}` trim markers (ACTION strips them; a caller may not).
  const body = expr.trim().replace(/^-\s+/, '').replace(/\s+-$/, '');
  if (body.startsWith('/*')) return '';
  const tokens = tokenize(body);
  if (tokens.includes('(') || tokens.includes(')')) throw new Unresolved('parentheses are not evaluated');
  const commands: string[][] = [[]];
  for (const t of tokens) {
    if (t === '|') commands.push([]);
    else (commands[commands.length - 1] as string[]).push(t);
  }
  let piped: { value: Value } | undefined;
  for (const c of commands) piped = { value: command(c, piped, scope) };
  return print(piped?.value);
}

/** The value of an `image:` line: unquoted (quotes inside `{{ }}` kept), trailing comment dropped. */
function imageValue(raw: string): string {
  const v = raw.trim();
  const quote = v[0] === '"' || v[0] === "'" ? v[0] : undefined;
  let i = quote ? 1 : 0;
  while (i < v.length) {
    if (v.startsWith('{{', i)) {
      const end = v.indexOf('}}', i + 2);
      if (end < 0) return v.slice(quote ? 1 : 0);
      i = end + 2;
      continue;
    }
    if (quote && v[i] === quote) return v.slice(1, i);
    if (!quote && v[i] === '#' && i > 0 && /\s/.test(v[i - 1] as string)) return v.slice(0, i).trim();
    i++;
  }
  return v.slice(quote ? 1 : 0).trim();
}

const DEFINE = /\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}/g;
const CALL = /\b(?:include|template)\s+"([^"]+)"/g;

/**
 * Named templates (`{{ define "x" }}`) of a chart tree, by name: Helm shares them between a
 * chart and its subcharts. A body runs to the next `define` (over-inclusive: it is only searched
 * for the `.Values` paths it reads).
 */
export function namedTemplates(templates: readonly { readonly text: string }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of templates) {
    const found = [...t.text.matchAll(DEFINE)];
    found.forEach((m, i) => {
      const end = found[i + 1]?.index ?? t.text.length;
      if (!out.has(m[1] as string)) out.set(m[1] as string, t.text.slice((m.index ?? 0) + m[0].length, end));
    });
  }
  return out;
}

/** `.Values` paths a value reads, directly or through the named templates it includes (followed to 20 templates). */
function mentions(value: string, helpers: ReadonlyMap<string, string>): string[] {
  const paths = new Set<string>();
  const seen = new Set<string>();
  const queue = [value];
  while (queue.length) {
    const text = queue.shift() as string;
    for (const m of text.matchAll(VALUES_PATH)) paths.add((m[1] as string).slice(1));
    for (const m of text.matchAll(CALL)) {
      const name = m[1] as string;
      const body = helpers.get(name);
      if (body === undefined || seen.has(name) || seen.size >= 20) continue;
      seen.add(name);
      queue.push(body);
    }
  }
  return [...paths];
}

/**
 * `image:` lines of the chart's templates (`templates/**` but NOTES.txt): literal references, and
 * templated ones whose expressions {@link evaluateAction} can evaluate. Lines inside `{{/* … *\/}}`
 * comments and other YAML shapes (a flow map, a block scalar, `--image=` arguments) are not found.
 */
export function findTemplateImages(templates: readonly { readonly file: string; readonly text: string }[], ctx: TemplateContext, helpers: ReadonlyMap<string, string> = new Map()): TemplateImagesResult {
  const images: TemplateImage[] = [];
  const unresolved: UnresolvedImage[] = [];
  for (const t of templates) {
    if (t.file.endsWith('NOTES.txt')) continue;
    let inComment = false;
    splitLines(t.text).forEach((line, i) => {
      if (inComment) {
        if (line.includes('*/')) inComment = false;
        return;
      }
      if (/\{\{-?\s*\/\*/.test(line) && !line.includes('*/')) {
        inComment = true;
        return;
      }
      const m = IMAGE_LINE.exec(line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line);
      if (!m) return;
      const value = imageValue(m[1] as string);
      if (!value) return;
      const where = { file: t.file, line: i + 1 };
      const scope: Scope = { ctx, read: new Set() };
      let text: string;
      try {
        text = value.replace(ACTION, (_all, expr: string) => evaluateAction(expr, scope));
      } catch (err) {
        if (!(err instanceof Unresolved)) throw err;
        unresolved.push({ ...where, value: value.slice(0, 200), reason: err.message, mentions: mentions(value, helpers) });
        return;
      }
      if (text.includes('{{')) {
        unresolved.push({ ...where, value: value.slice(0, 200), reason: 'an unterminated action', mentions: mentions(value, helpers) });
        return;
      }
      if (!text.trim()) return;
      const ref = parseImageReference(text);
      if (ref) images.push({ ...where, text: text.trim(), ref, read: [...scope.read] });
      else unresolved.push({ ...where, value: value.slice(0, 200), reason: `renders to ${JSON.stringify(text.slice(0, 200))}, not an image reference`, mentions: [] });
    });
  }
  return { images, unresolved };
}
