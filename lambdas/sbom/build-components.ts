import type { OsRelease } from './os-release';
import type { Component } from './component';
import type { MergedFilesystem } from './overlay';
import { packageKey, resolveInRoot } from './overlay';
import type { Cataloger, PurlContext } from './cataloger';

const OS_RELEASE_ORDER = ['etc/os-release', 'usr/lib/os-release'];

/** OS identity from `etc/os-release` (followed through links inside the root), else `usr/lib/os-release`. */
export function osIdentity(fsView: MergedFilesystem): OsRelease | undefined {
  for (const p of OS_RELEASE_ORDER) {
    const resolved = resolveInRoot(fsView, p);
    const os = resolved !== undefined ? fsView.files.get(resolved)?.value.osRelease : undefined;
    if (os) return os;
  }
  return undefined;
}

/**
 * Turns the merged filesystem into components: purls with the image's OS context, identical
 * purls merged (all their paths kept), licences from metadata or, failing that, from licence
 * facts of the same ecosystem and package name (Debian copyright files).
 */
export function buildComponents(fsView: MergedFilesystem, layerDigests: readonly string[], catalogers: readonly Cataloger[], os: OsRelease | undefined): Component[] {
  const byName = new Map(catalogers.map((c) => [c.name, c]));
  const ctx: PurlContext = os ? { os: { id: os.id, versionId: os.versionId, versionCodename: os.versionCodename } } : {};
  const facts = new Map<string, Set<string>>();
  for (const { value } of fsView.files.values()) {
    for (const f of value.licenseFacts ?? []) {
      const key = `${value.cataloger}\u0000${f.packageName}`;
      const set = facts.get(key) ?? new Set<string>();
      f.licenses.forEach((l) => set.add(l));
      facts.set(key, set);
    }
  }
  const out = new Map<string, { c: Component; introduced: number }>();
  const paths = [...fsView.files.keys()].sort();
  for (const p of paths) {
    const placed = fsView.files.get(p)!;
    const owner = byName.get(placed.value.cataloger);
    if (!owner) continue;
    for (const pkg of placed.value.packages) {
      // A file read by content may hold packages of several catalogers (see ContentMatcher).
      const cataloger = byName.get(pkg.ecosystem) ?? owner;
      const purl = cataloger.purl(pkg, ctx);
      const introduced = fsView.introducedAt.get(p)?.get(packageKey(pkg)) ?? placed.layer;
      // Layer indexes are positions in the list mergeLayers was given, the one layerDigests names.
      const location = { path: p, layer: layerDigests[placed.layer] as string };
      const existing = out.get(purl);
      if (existing) {
        const merged = new Set([...existing.c.licenses, ...pkg.licenses]);
        const first = Math.min(existing.introduced, introduced);
        // Facts from the first location win; a later one only adds what the first did not say.
        const properties = pkg.properties ? { ...pkg.properties, ...existing.c.properties } : existing.c.properties;
        out.set(purl, {
          introduced: first,
          c: { ...existing.c, licenses: [...merged], locations: [...existing.c.locations, location], introducedBy: layerDigests[first] as string, ...(properties ? { properties } : {}) },
        });
        continue;
      }
      const licenses = pkg.licenses.length ? [...pkg.licenses] : [...(facts.get(`${cataloger.name}\u0000${pkg.name}`) ?? [])];
      out.set(purl, {
        introduced,
        c: {
          bomRef: purl,
          purl,
          ecosystem: pkg.ecosystem,
          name: pkg.name,
          ...(pkg.namespace ? { namespace: pkg.namespace } : {}),
          version: pkg.version,
          ...(pkg.arch ? { arch: pkg.arch } : {}),
          licenses,
          locations: [location],
          introducedBy: layerDigests[introduced] as string,
          ...(pkg.metadata ? { metadata: pkg.metadata } : {}),
          ...(pkg.componentType ? { componentType: pkg.componentType } : {}),
          ...(pkg.hashes ? { hashes: pkg.hashes } : {}),
          ...(pkg.properties ? { properties: pkg.properties } : {}),
        },
      });
    }
  }
  return [...out.values()].map((v) => v.c).sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0));
}
