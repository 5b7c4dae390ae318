/**
 * What the human-facing renderers (table, SARIF) say about a finding, and how text is fitted
 * to a width: the package name as its ecosystem writes it (decoded from the purl), the other ids
 * of a vulnerability with the CVE first, and cells cut with `…` or `+N` rather than wrapped.
 * Widths count code points: ids, versions and package names are ASCII in practice.
 */
import type { Finding } from './findings';
import { fastParsePurl } from './osv/purl-parse';
import { parsePurl } from './osv/purl-target';

/** Purl types whose namespace is the distribution (`pkg:deb/debian/openssl`), not part of the name. */
const DISTRO_TYPES = new Set(['deb', 'apk', 'rpm', 'alpm', 'qpkg', 'alpine', 'oci', 'docker']);

/**
 * The package name as people write it, from the purl (percent-decoded): `@babel/core` (npm),
 * `org.apache.logging.log4j:log4j-core` (Maven), `github.com/gin-gonic/gin` (Go), `openssl`
 * (distribution packages). The component's SBOM name when it has no readable purl.
 */
export function packageName(component: Finding['component']): string {
  const p = component.purl ? (fastParsePurl(component.purl) ?? parsePurl(component.purl)) : undefined;
  if (!p) return component.name;
  const ns = p.namespace ?? undefined;
  if (!ns || DISTRO_TYPES.has(p.type)) return p.name;
  return p.type === 'maven' ? `${ns}:${p.name}` : `${ns}/${p.name}`;
}

/**
 * The installed version: the component's own; a Debian binary built from another source version
 * (a binNMU, or a binary with its own numbering) also shows the source version compared.
 */
export function installedVersion(f: Finding): string {
  const own = f.component.version;
  return own && own !== f.package.version ? `${own} (source ${f.package.version})` : f.package.version;
}

const idRank = (id: string): number => (id.startsWith('CVE-') ? 0 : id.startsWith('GHSA-') ? 1 : 2);

/**
 * The finding's other ids, CVEs first, then GitHub advisories, then the rest (each sorted),
 * followed by the upstream ids a distribution advisory fixes (`DLA-3008-1` → `CVE-2022-1292`).
 */
export function otherIds(f: Finding): string[] {
  const ranked = (ids: readonly string[]): string[] => [...ids].sort((a, b) => idRank(a) - idRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const aliases = ranked(f.aliases.filter((a) => a !== f.id));
  const seen = new Set([f.id, ...aliases]);
  return [...aliases, ...ranked(f.upstream.filter((u) => !seen.has(u)))];
}
