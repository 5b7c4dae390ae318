import { parseAllDocuments } from 'yaml';
import { decodeText } from './text';

/**
 * Bounds for YAML from untrusted packages (a chart's Chart.yaml, Chart.lock and values.yaml, a
 * gem's metadata): a hostile file must not make the parser expand aliases without end (billion
 * laughs), nest without end, or hold more than Helm itself would load.
 */
export const YAML_LIMITS = {
  /** Helm's own MaxDecompressedFileSize: it refuses to load a bigger chart file. */
  maxBytes: 5 * 1024 * 1024,
  /** Alias expansions `yaml` allows before it calls the document a resource exhaustion attack. */
  maxAliasCount: 100,
  /** Mappings and sequences nested in one another. */
  maxDepth: 64,
  /** Mapping entries and sequence items in all, once aliases are expanded. */
  maxNodes: 500_000,
};

export type YamlResult = { readonly value: unknown } | { readonly error: string };

/**
 * A cheap look before parsing: `yaml` composes nested collections recursively, so thousands of
 * levels (by indentation or by flow brackets) exhaust the stack before any limit applies. Brackets
 * inside strings count too: the bound is loose (no real chart file comes near it).
 */
function nestingProblem(text: string): string | undefined {
  let depth = 0;
  let indent = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart && c === 32) {
      if (++indent > 1024) return 'indented more than 1024 columns';
      continue;
    }
    lineStart = false;
    if (c === 91 || c === 123) {
      if (++depth > 256) return `nested more than ${YAML_LIMITS.maxDepth} levels deep`;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

/** Depth and size of a parsed value, walked without recursion; a problem, or undefined. */
function shapeProblem(value: unknown): string | undefined {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  let nodes = 0;
  while (stack.length) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= YAML_LIMITS.maxDepth) return `nested more than ${YAML_LIMITS.maxDepth} levels deep`;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    nodes += children.length;
    if (nodes > YAML_LIMITS.maxNodes) return `more than ${YAML_LIMITS.maxNodes} entries`;
    for (const c of children) stack.push({ v: c, depth: depth + 1 });
  }
  return undefined;
}

/**
 * Parses the first YAML document of a file as Helm (go-yaml) and RubyGems (Psych) read it: YAML
 * 1.1 scalars, `<<` merge keys, later duplicate keys winning, application tags such as
 * `!ruby/object:Gem::Specification` ignored. Within {@link YAML_LIMITS}. Never throws: a syntax
 * error, an alias bomb or an over-deep document is an `error`.
 */
export function parseYamlLimited(content: Buffer, opts: { readonly strings?: boolean } = {}): YamlResult {
  if (content.length > YAML_LIMITS.maxBytes) return { error: `${content.length} bytes, more than the ${YAML_LIMITS.maxBytes} Helm loads` };
  const text = decodeText(content);
  const tooDeep = nestingProblem(text);
  if (tooDeep) return { error: tooDeep };
  try {
    // `strings`: every scalar as written (`version: 1.10` stays "1.10"), as go-yaml fills the string
    // fields of Helm's Chart metadata; without it, as Helm's values (an untyped map) see them.
    const docs = parseAllDocuments(text, { version: '1.1', merge: true, uniqueKeys: false, prettyErrors: false, ...(opts.strings ? { schema: 'failsafe' as const } : {}) });
    const doc = Array.isArray(docs) ? docs[0] : undefined;
    if (!doc) return { value: undefined };
    const error = doc.errors[0];
    if (error) return { error: `not valid YAML: ${error.message.split('\n')[0] ?? error.code}` };
    const value: unknown = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    const problem = shapeProblem(value);
    return problem ? { error: problem } : { value };
  } catch (err) {
    // yaml throws a ReferenceError on excessive aliases ("resource exhaustion attack").
    return { error: `not read: ${(err as Error).message}` };
  }
}

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A scalar as Helm's template engine prints it (`tag: 1.10` is the float 1.1 there too). */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}
