/**
 * A small purl parser for the scan's hot path (one call per SBOM component; packageurl-js
 * validates and normalises every type and costs about ten times more). It follows the purl
 * spec's parsing steps (how-to-parse.md): split off `#subpath`, then `?qualifiers` (keys
 * lowercased, values percent-decoded), the `pkg:` scheme, the type (lowercased), `@version`
 * (only after the last `/`, so `pkg:npm/@babel/core` has no version), the name and the
 * namespace segments, each percent-decoded. It does not apply per-type name normalisation
 * (npm and PyPI lowercasing): the matcher normalises names per ecosystem itself. Anything it
 * cannot read is undefined, and callers fall back to packageurl-js.
 */
export interface ParsedPurl {
  readonly type: string;
  readonly namespace?: string;
  readonly name: string;
  readonly version?: string;
  readonly qualifiers: Readonly<Record<string, string>>;
}

const TYPE = /^[a-z][a-z0-9.+-]*$/;

export function fastParsePurl(purl: string): ParsedPurl | undefined {
  if (!purl.startsWith('pkg:')) return undefined;
  try {
    let rest = purl.slice(4);
    const hash = rest.indexOf('#');
    if (hash >= 0) rest = rest.slice(0, hash);
    const qualifiers: Record<string, string> = {};
    const q = rest.indexOf('?');
    if (q >= 0) {
      for (const pair of rest.slice(q + 1).split('&')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) return undefined;
        const value = decodeURIComponent(pair.slice(eq + 1));
        if (value !== '') qualifiers[pair.slice(0, eq).toLowerCase()] = value;
      }
      rest = rest.slice(0, q);
    }
    rest = rest.replace(/^\/+/, '').replace(/\/+$/, '');
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    const type = rest.slice(0, slash).toLowerCase();
    if (!TYPE.test(type)) return undefined;
    rest = rest.slice(slash + 1);
    const lastSlash = rest.lastIndexOf('/');
    const at = rest.lastIndexOf('@');
    let version: string | undefined;
    if (at > lastSlash) {
      version = decodeURIComponent(rest.slice(at + 1));
      rest = rest.slice(0, at);
    }
    const name = decodeURIComponent(rest.slice(lastSlash + 1));
    if (!name) return undefined;
    const segments = lastSlash >= 0 ? rest.slice(0, lastSlash).split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s)) : [];
    return { type, name, qualifiers, ...(segments.length ? { namespace: segments.join('/') } : {}), ...(version ? { version } : {}) };
  } catch {
    return undefined; // malformed percent-encoding
  }
}
