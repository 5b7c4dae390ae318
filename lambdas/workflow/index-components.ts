/**
 * What the component index receives for a processed artifact: every component of each of its
 * CycloneDX SBOMs (read back from the evidence store and checked), placed as the scan places it
 * (purlTarget: ecosystem, OSV name, version) and indexed under that name and, for Debian and
 * Alpine packages whose source package differs, under the binary name too. Components that have
 * no OSV ecosystem (files, charts) are not indexed: no advisory can name them.
 */
import type { ArtifactRef, ComponentIndex, IndexedComponent } from '../ports/component-index';
import type { BlobStore } from '../ports/blob-store';
import { readVerified } from '../ports/write-once';
import { walkComponents } from '../vuln/sbom-input';
import { ecosystemBase, normalizeName } from '../vuln/osv/ecosystems';
import { purlTarget } from '../vuln/osv/purl-target';
import { fastParsePurl } from '../vuln/osv/purl-parse';
import type { SbomSummary } from './state';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function property(c: Obj, name: string): string | undefined {
  const props = Array.isArray(c.properties) ? c.properties : [];
  const p = props.find((x): x is Obj => isObject(x) && x.name === name && typeof x.value === 'string');
  return p?.value as string | undefined;
}

export interface IndexTarget extends ArtifactRef {
  readonly tag?: string;
}

/** The index entries of one CycloneDX document. */
export function componentsOf(doc: Obj, origin: string, where: IndexTarget & { manifestDigest: string; platform?: string }, now: string): IndexedComponent[] {
  const out = new Map<string, IndexedComponent>();
  walkComponents(doc, origin, (c) => {
    const purl = typeof c.purl === 'string' ? c.purl : undefined;
    if (!purl) return;
    const r = purlTarget(purl, typeof c.version === 'string' ? c.version : undefined);
    if ('unsupported' in r) return;
    const layer = property(c, 'artifact-guard:layer:introduced');
    const common = {
      ecosystem: r.target.ecosystem,
      purl,
      version: r.target.version,
      ...(layer ? { layer } : {}),
      repository: where.repository,
      digest: where.digest,
      manifestDigest: where.manifestDigest,
      ...(where.platform ? { platform: where.platform } : {}),
      ...(where.tag ? { tag: where.tag } : {}),
      indexedAt: now,
    };
    const own = fastParsePurl(purl)?.name;
    const binary = own ? normalizeName(r.target.ecosystem, own) : undefined;
    const os = /^pkg:(deb|apk|rpm)\//.test(purl);
    out.set(`${r.target.name}\u0000${purl}`, { ...common, name: r.target.name, via: os && binary !== r.target.name ? 'source' : 'package' });
    if (os && binary && binary !== r.target.name) out.set(`${binary}\u0000${purl}`, { ...common, name: binary, via: 'package' });
  });
  return [...out.values()];
}

/**
 * Indexes an artifact's SBOMs; when the scan was `incomplete`, also marks it pending under each
 * of its ecosystems, so that the OSV watch re-evaluates it once data for them arrives.
 */
export async function indexArtifact(
  deps: { readonly index: ComponentIndex; readonly evidence: BlobStore },
  target: IndexTarget,
  sbom: SbomSummary,
  scanVerdict: string | undefined,
  now: string,
): Promise<{ components: number; ecosystems: string[] }> {
  const all: IndexedComponent[] = [];
  for (const d of sbom.documents) {
    const body = await readVerified(deps.evidence, d.cyclonedx);
    const doc = JSON.parse(body.toString('utf8')) as Obj;
    all.push(...componentsOf(doc, d.cyclonedx.key, { ...target, manifestDigest: d.manifestDigest, ...(d.platform ? { platform: d.platform } : {}) }, now));
  }
  await deps.index.add(all);
  const ecosystems = [...new Set(all.map((c) => ecosystemBase(c.ecosystem)))].sort();
  if (scanVerdict === 'incomplete') for (const e of ecosystems) await deps.index.markPending(e, target, now);
  return { components: all.length, ecosystems };
}
