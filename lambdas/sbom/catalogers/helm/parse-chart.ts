import type { CatalogedPackage, CatalogWarning } from '../../cataloger';
import { clip, MAX_FIELD, MAX_METADATA, warning } from '../common/text';
import { newChartBudget, readChartArchive } from './chart-archive';
import type { ChartNode, ChartProblem, DeclaredDependency } from './chart-tree';
import { loadChart } from './chart-tree';
import type { ImageReference } from './image-reference';
import { formatImageReference } from './image-reference';
import { findTemplateImages, namedTemplates } from './template-images';
import { findValueImages } from './values-images';
import type { Json } from '../common/yaml';
import { isObject } from '../common/yaml';

/**
 * What a chart archive yields: packages by where they were found (`mychart/Chart.yaml`,
 * `mychart/values.yaml#frontend.image`, `mychart/templates/job.yaml#L12`,
 * `mychart/charts/redis-17.3.2.tgz!/redis/Chart.yaml`), and every problem as a warning
 * (impact `inventory`: each may hide a chart or an image).
 */
export interface ChartInventory {
  readonly entries: ReadonlyMap<string, readonly CatalogedPackage[]>;
  readonly warnings: readonly CatalogWarning[];
}

/** Own, enumerable, never the prototype: values keys are data (`__proto__` included). */
function setKey(obj: Json, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Helm's coalescing of a subchart's defaults with what its parent sets for it: maps merge key by
 * key, the parent's scalars and lists win, a `null` from the parent removes the key. Values are
 * at most 64 deep (common/yaml.ts), so the recursion is bounded.
 */
export function coalesceValues(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isObject(over) || !isObject(base)) return over;
  const out: Json = {};
  for (const [k, v] of Object.entries(base)) setKey(out, k, v);
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else setKey(out, k, isObject(v) && isObject(out[k]) ? coalesceValues(out[k], v) : v);
  }
  return out;
}

/** `https://`, `http://` and `oci://` repositories go into purls; aliases (`@stable`, `alias:x`) and `file://` paths do not. */
export function purlRepository(repository: string | undefined): string | undefined {
  if (!repository || !/^(https?|oci):\/\//i.test(repository)) return undefined;
  return repository.replace(/\/+$/, '');
}

function chartPackage(node: ChartNode, role: 'chart' | 'dependency', extra: { decl?: DeclaredDependency; repository?: string; lockedVersion?: string; parent?: ChartNode }): CatalogedPackage {
  const properties: Record<string, string> = { 'helm:role': role };
  if (node.appVersion) properties['helm:app-version'] = clip(node.appVersion, MAX_FIELD);
  if (node.type) properties['helm:type'] = clip(node.type, 64);
  if (extra.parent) properties['helm:parent'] = clip(`${extra.parent.name}@${extra.parent.version}`, MAX_FIELD);
  if (extra.decl?.version) properties['helm:version-constraint'] = clip(extra.decl.version, MAX_FIELD);
  if (extra.lockedVersion && extra.lockedVersion !== node.version) properties['helm:locked-version'] = clip(extra.lockedVersion, MAX_FIELD);
  if (extra.decl?.alias) properties['helm:alias'] = clip(extra.decl.alias, MAX_FIELD);
  if (extra.decl?.condition) properties['helm:condition'] = clip(extra.decl.condition, MAX_FIELD);
  if (extra.repository) properties['helm:repository'] = clip(extra.repository, MAX_METADATA);
  return {
    ecosystem: 'helm',
    name: clip(node.name, MAX_FIELD),
    version: clip(node.version, MAX_FIELD),
    licenses: node.license ? [clip(node.license, MAX_FIELD)] : [],
    componentType: 'application',
    metadata: { ...(extra.repository ? { repository: clip(extra.repository, MAX_METADATA) } : {}), ...(node.description ? { description: clip(node.description, MAX_METADATA) } : {}) },
    properties,
  };
}

function imagePackage(ref: ImageReference, text: string, tagFrom: string | undefined): CatalogedPackage {
  return {
    ecosystem: 'oci',
    name: `${ref.registry}/${ref.repository}`,
    version: ref.digest ?? ref.tag ?? '',
    licenses: [],
    componentType: 'container',
    metadata: { registry: ref.registry, repository: ref.repository, ...(ref.tag ? { tag: ref.tag } : {}), ...(ref.digest ? { digest: ref.digest } : {}) },
    properties: {
      'image:reference': clip(text, MAX_METADATA),
      // A tag can be moved to other content: the gate decides what an unpinned image may do.
      'image:pinned': ref.digest ? 'true' : 'false',
      ...(tagFrom ? { 'image:tag-from': tagFrom } : {}),
    },
  };
}

/** Does the values image at `spec` stand for what a template line reads at `path` (or hands to a helper)? */
const related = (spec: string, path: string): boolean => spec === path || path.startsWith(`${spec}.`) || spec.startsWith(`${path}.`);

/**
 * The inventory of a chart archive (tar+gzip), render-free: the chart (name, version, appVersion
 * from Chart.yaml), each dependency (declared in Chart.yaml or requirements.yaml, pinned in
 * Chart.lock, vendored under `charts/` as an archive or a directory, recursively) and the
 * container images the chart deploys with its default values: images in each chart's values
 * (coalesced as Helm does: a parent's values for a subchart override the subchart's defaults)
 * and `image:` lines of the templates (see values-images.ts and template-images.ts). Never throws.
 */
export async function inventoryChartArchive(archivePath: string, tgz: Buffer): Promise<ChartInventory> {
  const entries = new Map<string, CatalogedPackage[]>();
  const warnings: CatalogWarning[] = [];
  const warn = (path: string, message: string): void => {
    if (warnings.length < 200) warnings.push(warning(path, clip(message, 400)));
  };
  const put = (path: string, pkg: CatalogedPackage): void => {
    const list = entries.get(path);
    if (list) list.push(pkg);
    else entries.set(path, [pkg]);
  };
  const budget = newChartBudget();
  const archive = await readChartArchive(tgz, archivePath, budget);
  if ('error' in archive) {
    warn(archivePath, `chart archive not read: ${archive.error}`);
    return { entries, warnings };
  }
  const problems: ChartProblem[] = archive.problems.map((message) => ({ path: archive.root, message }));
  const root = await loadChart(archive.files, archive.root, budget, problems);
  for (const p of problems) warn(p.path, p.message);
  if (!root) {
    if (!problems.length) warn(archivePath, 'not a Helm chart');
    return { entries, warnings };
  }
  put(`${root.path}/Chart.yaml`, chartPackage(root, 'chart', {}));
  const all: ChartNode['templates'][number][] = [];
  const gather = (n: ChartNode): void => {
    all.push(...n.templates);
    n.subcharts.forEach(gather);
  };
  gather(root);
  const helpers = namedTemplates(all);

  const visit = (node: ChartNode, values: Json): void => {
    // Which subchart each dependency is, and under which key of these values its own values sit.
    const instances: { sub: ChartNode; key: string; decl?: DeclaredDependency }[] = [];
    const claimed = new Set<ChartNode>();
    for (const decl of node.dependencies) {
      const sub = node.subcharts.find((s) => s.name === decl.name);
      const locked = node.locked.find((l) => l.name === decl.name);
      if (!sub) {
        const repository = decl.repository ?? locked?.repository;
        warn(`${node.path}/Chart.yaml`, `dependency ${decl.name}${decl.version ? ` ${decl.version}` : ''} is declared but not vendored under charts/: helm install refuses the chart until it is (helm dependency build); what it would deploy is not in this SBOM`);
        put(`${node.path}/Chart.yaml#dependencies.${decl.name}`, {
          ecosystem: 'helm',
          name: clip(decl.name, MAX_FIELD),
          version: locked?.version ? clip(locked.version, MAX_FIELD) : '',
          licenses: [],
          componentType: 'application',
          metadata: repository ? { repository: clip(repository, MAX_METADATA) } : {},
          properties: { 'helm:role': 'dependency', 'helm:vendored': 'false', 'helm:parent': clip(`${node.name}@${node.version}`, MAX_FIELD), ...(decl.version ? { 'helm:version-constraint': clip(decl.version, MAX_FIELD) } : {}) },
        });
        continue;
      }
      claimed.add(sub);
      instances.push({ sub, key: decl.alias ?? decl.name, decl });
    }
    // Vendored without a declaration: Helm loads every chart under charts/ all the same.
    for (const sub of node.subcharts) if (!claimed.has(sub)) instances.push({ sub, key: sub.name });

    const found = findValueImages(values, { ...(node.appVersion ? { appVersion: node.appVersion } : {}), skipKeys: new Set(instances.map((i) => i.key)) });
    for (const p of found.problems) warn(`${node.path}/values.yaml`, `image value not understood: ${p}`);
    const fromTemplates = findTemplateImages(node.templates, { values, chart: { Name: node.name, Version: node.version, ...(node.appVersion ? { AppVersion: node.appVersion } : {}) } }, helpers);
    // A values image that resolved template lines read is deployed as they render it: it is
    // listed from the values too only when they render it as the values compose it.
    for (const s of found.images) {
      const readers = fromTemplates.images.filter((t) => t.read.some((r) => r === s.keyPath || r.startsWith(`${s.keyPath}.`)));
      if (readers.length === 0 || readers.some((t) => formatImageReference(t.ref) === formatImageReference(s.ref))) put(`${node.path}/values.yaml#${s.keyPath}`, imagePackage(s.ref, s.text, s.tagFrom));
    }
    for (const t of fromTemplates.images) put(`${t.file}#L${t.line}`, imagePackage(t.ref, t.text, undefined));
    for (const u of fromTemplates.unresolved) {
      // A helper handed a values image (Bitnami's `common.images.image`…) renders that image: it is listed from the values.
      if (u.mentions.some((m) => found.images.some((s) => related(s.keyPath, m)))) continue;
      warn(`${u.file}`, `line ${u.line}: image ${JSON.stringify(u.value)} cannot be resolved without rendering the chart (${u.reason}): the image it deploys is not in this SBOM`);
    }

    for (const { sub, key, decl } of instances) {
      const locked = node.locked.find((l) => l.name === sub.name);
      const repository = decl?.repository ?? locked?.repository;
      put(`${sub.path}/Chart.yaml`, chartPackage(sub, 'dependency', { parent: node, ...(decl ? { decl } : {}), ...(repository ? { repository } : {}), ...(locked?.version ? { lockedVersion: locked.version } : {}) }));
      const own = isObject(values[key]) ? (values[key] as Json) : {};
      const globals = coalesceValues(isObject(sub.values.global) ? sub.values.global : {}, isObject(values.global) ? values.global : undefined);
      const merged = coalesceValues(sub.values, own) as Json;
      setKey(merged, 'global', globals);
      visit(sub, merged);
    }
  };
  visit(root, root.values);
  return { entries, warnings };
}
