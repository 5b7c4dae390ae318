/**
 * Which of our SBOM components a second opinion's finding is about. By purl first, compared as
 * the purl spec says they are equal (type, namespace and name case-folded where the spec makes
 * them case-insensitive, PyPI's `_` as `-`, percent-decoding, a Go `v` prefix), ignoring
 * qualifiers: Trivy writes `distro=3.19.1` where we write `distro=alpine-3.19.1`, and an image
 * holds one build of a package at one version. Without a purl (Clair, Inspector), by name and
 * version within the ecosystem the report implies (any OS package type when it does not say).
 * A CycloneDX bom-ref equal to one of ours
 * matches that component.
 */
import type { ComponentRef } from '../findings';
import { fastParsePurl } from '../osv/purl-parse';
import { parsePurl } from '../osv/purl-target';
import type { OpinionPackage } from './imported-report';

/** Types whose namespace and name the purl spec makes case-insensitive. */
const FOLD_NAME = new Set(['deb', 'apk', 'npm', 'pypi', 'composer', 'github', 'bitbucket', 'hex', 'alpm', 'cocoapods']);
const FOLD_NAMESPACE = new Set([...FOLD_NAME, 'rpm']);
const OS_TYPES = new Set(['deb', 'apk', 'rpm']);

interface Key {
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
  readonly version: string;
}

function normalVersion(type: string, version: string): string {
  return type === 'golang' ? version.replace(/^v(?=\d)/, '') : version;
}

function normalName(type: string, name: string): string {
  const folded = FOLD_NAME.has(type) ? name.toLowerCase() : name;
  return type === 'pypi' ? folded.replace(/[_.]+/g, '-') : folded;
}

export function purlKey(purl: string | undefined, fallbackVersion = ''): Key | undefined {
  if (!purl) return undefined;
  const p = fastParsePurl(purl) ?? parsePurl(purl);
  if (!p) return undefined;
  const type = p.type.toLowerCase();
  const namespace = p.namespace ?? '';
  return {
    type,
    namespace: FOLD_NAMESPACE.has(type) ? namespace.toLowerCase() : namespace,
    name: normalName(type, p.name),
    version: normalVersion(type, p.version || fallbackVersion),
  };
}

const sameKey = (a: Key, b: Key): boolean => a.type === b.type && a.namespace === b.namespace && a.name === b.name && a.version === b.version;

/** Names a report may write for the component: `name`, `ns/name`, `ns:name` (Maven). */
function namesOf(k: Key): string[] {
  const names = [k.name];
  if (k.namespace) names.push(normalName(k.type, `${k.namespace}/${k.name}`), normalName(k.type, `${k.namespace}:${k.name}`));
  return names;
}

export class ComponentIndex {
  private readonly keyed: { component: ComponentRef; key: Key }[] = [];
  private readonly byRef = new Map<string, ComponentRef>();

  constructor(components: readonly ComponentRef[]) {
    for (const component of components) {
      this.byRef.set(component.bomRef, component);
      const key = purlKey(component.purl, component.version);
      if (key) this.keyed.push({ component, key });
    }
  }

  /** Our components the package is; empty when the SBOM has none such. */
  componentsFor(pkg: OpinionPackage): ComponentRef[] {
    const byRef = pkg.ref ? this.byRef.get(pkg.ref) : undefined;
    if (byRef) return [byRef];
    const wanted = purlKey(pkg.purl, pkg.version);
    if (wanted) {
      const found = this.keyed.filter((k) => sameKey(k.key, wanted)).map((k) => k.component);
      if (found.length) return found;
    }
    return this.keyed
      .filter(({ key }) => {
        if (pkg.type ? key.type !== pkg.type : !OS_TYPES.has(key.type)) return false;
        if (key.version !== normalVersion(key.type, pkg.version)) return false;
        const name = normalName(key.type, pkg.name);
        return namesOf(key).includes(name);
      })
      .map((k) => k.component);
  }
}
