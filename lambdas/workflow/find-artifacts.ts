/**
 * "Which stored artifacts contain package P?" (`artifact-guard find`): one index query per
 * (ecosystem, name), grouped by artifact, with the tags it was pushed with (its audit trail) and
 * the environments whose repositories hold it.
 */
import { BadInputError } from '../core/errors';
import type { Environments } from '../gate/environments';
import { isEvidenceTag } from '../oci/classify';
import type { ComponentIndex, IndexedComponent } from '../ports/component-index';
import type { RecordStore } from '../ports/record-store';
import { normalizedName } from '../signing/identity';
import { ecosystemBase, normalizeName } from '../vuln/osv/ecosystems';
import { purlTarget } from '../vuln/osv/purl-target';
import { fastParsePurl } from '../vuln/osv/purl-parse';
import type { VersionRange } from '../vuln/version-range';
import { ownEntry } from '../core/own-entry';

export interface FoundArtifact {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly environments: readonly string[];
  /** Each matching component: where it is and which layer brought it in. */
  readonly components: readonly {
    readonly purl: string;
    readonly version: string;
    readonly via: IndexedComponent['via'];
    readonly manifestDigest: string;
    readonly platform?: string;
    readonly layer?: string;
  }[];
}

export interface FindQuery {
  /** A purl (`pkg:deb/debian/openssl`, version optional) or a bare package name. */
  readonly package: string;
  /** For a bare name: the ecosystem (`npm`, `Debian`…); default every ecosystem the index holds. */
  readonly ecosystem?: string;
  readonly version?: VersionRange;
}

/** Tags an artifact was pushed with, from its audit trail (its `.sig`/`.att` evidence tags are not its tags). */
export async function tagsOf(records: RecordStore, repository: string, digest: string): Promise<string[]> {
  const events = await records.listEvents(repository, digest);
  return [...new Set(events.map((e) => e.detail.tag).filter((t): t is string => typeof t === 'string' && t !== '' && !isEvidenceTag(t)))].sort();
}

/** Environments whose repositories include the artifact's (an environment without a list takes any guarded repository). */
export function environmentsOf(environments: Environments | undefined, repository: string): string[] {
  if (!environments) return [];
  const own = normalizedName(repository);
  return [...environments.values()].filter((e) => !e.repositories || (own.ok && e.repositories.includes(own.name))).map((e) => e.name);
}

const DISTRO_ECOSYSTEM: Readonly<Record<string, string>> = { 'deb/debian': 'Debian', 'deb/ubuntu': 'Ubuntu', 'apk/alpine': 'Alpine', 'apk/wolfi': 'Wolfi', 'apk/chainguard': 'Chainguard' };

async function lookups(index: ComponentIndex, q: FindQuery): Promise<{ ecosystem: string; name: string }[]> {
  if (q.package.startsWith('pkg:')) {
    const p = fastParsePurl(q.package);
    // A distribution purl without its release (pkg:deb/debian/openssl) still names one index key.
    const unscoped = p ? ownEntry(DISTRO_ECOSYSTEM, `${p.type}/${(p.namespace ?? '').toLowerCase()}`) : undefined;
    const r = unscoped && p ? { target: { ecosystem: unscoped, name: (p.qualifiers.upstream ?? p.name).replace(/[@ ].*$/, '') } } : purlTarget(q.package);
    if ('unsupported' in r) throw new BadInputError(`find: ${q.package}: ${r.unsupported}`);
    const own = p?.name;
    const base = ecosystemBase(r.target.ecosystem);
    const names = new Set([r.target.name, ...(own ? [normalizeName(base, own)] : [])]);
    return [...names].map((name) => ({ ecosystem: base, name }));
  }
  const ecosystems = q.ecosystem ? [q.ecosystem] : await index.ecosystems();
  return ecosystems.map((e) => ({ ecosystem: ecosystemBase(e), name: normalizeName(e, q.package) }));
}

export async function findArtifacts(deps: { readonly index: ComponentIndex; readonly records: RecordStore; readonly environments?: Environments }, q: FindQuery): Promise<{ artifacts: FoundArtifact[]; unorderable: string[] }> {
  const hits: IndexedComponent[] = [];
  for (const l of await lookups(deps.index, q)) hits.push(...(await deps.index.find(l.ecosystem, l.name)));
  // A purl with a version and no --version asks for that version.
  const wanted = q.package.startsWith('pkg:') ? fastParsePurl(q.package)?.version : undefined;
  const unorderable = new Set<string>();
  const kept = hits.filter((c) => {
    if (wanted !== undefined && !q.version) return c.version === wanted || c.purl.includes(`@${wanted}`);
    if (!q.version) return true;
    const t = q.version.test(c.ecosystem, c.version);
    if (t === 'unorderable') unorderable.add(c.purl);
    return t === true;
  });
  const byArtifact = new Map<string, IndexedComponent[]>();
  for (const c of kept) {
    const key = `${c.repository}@${c.digest}`;
    const list = byArtifact.get(key);
    if (list) list.push(c);
    else byArtifact.set(key, [c]);
  }
  const artifacts: FoundArtifact[] = [];
  for (const list of byArtifact.values()) {
    const first = list[0] as IndexedComponent;
    const tags = new Set([...(await tagsOf(deps.records, first.repository, first.digest)), ...list.map((c) => c.tag).filter((t): t is string => !!t)]);
    const components = [...new Map(list.map((c) => [`${c.manifestDigest}\u0000${c.purl}`, c])).values()].map((c) => ({
      purl: c.purl,
      version: c.version,
      via: c.via,
      manifestDigest: c.manifestDigest,
      ...(c.platform ? { platform: c.platform } : {}),
      ...(c.layer ? { layer: c.layer } : {}),
    }));
    artifacts.push({ repository: first.repository, digest: first.digest, tags: [...tags].sort(), environments: environmentsOf(deps.environments, first.repository), components });
  }
  artifacts.sort((a, b) => a.repository.localeCompare(b.repository) || a.digest.localeCompare(b.digest));
  return { artifacts, unorderable: [...unorderable].sort() };
}
