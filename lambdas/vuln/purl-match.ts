/**
 * Whether a purl written in an ignore rule or a VEX statement names a component's purl.
 * Both are parsed (so `%40`/`@`, `%3A`/`:` and case rules of the purl spec do not matter);
 * the pattern's version, when present, must equal the component's, and every qualifier the
 * pattern carries must be present with the same value. A pattern without version matches all
 * versions: `pkg:deb/debian/openssl` covers every openssl build of the image.
 */
import { parsePurl } from './osv/purl-target';

export function purlMatches(pattern: string, candidate: string | undefined): boolean {
  if (!candidate) return false;
  const p = parsePurl(pattern);
  const c = parsePurl(candidate);
  if (!p || !c) return pattern === candidate;
  if (p.type !== c.type || (p.namespace ?? '') !== (c.namespace ?? '') || p.name !== c.name) return false;
  if (p.version && p.version !== c.version) return false;
  for (const [k, v] of Object.entries(p.qualifiers ?? {})) if (c.qualifiers?.[k] !== v) return false;
  return true;
}
