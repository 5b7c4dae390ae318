import { decodeText } from '../common/text';
import type { ChartBudget, ChartFiles } from './chart-archive';
import { CHART_LIMITS, readChartArchive } from './chart-archive';
import type { Json } from '../common/yaml';
import { isObject, parseYamlLimited, scalarText } from '../common/yaml';

/** A dependency as Chart.yaml (apiVersion v2) or requirements.yaml (v1) declares it. */
export interface DeclaredDependency {
  readonly name: string;
  /** A version or a SemVer range (`~1.2.0`, `12.x.x`). */
  readonly version?: string;
  readonly repository?: string;
  readonly alias?: string;
  readonly condition?: string;
}

/** A dependency as Chart.lock (v2) or requirements.lock (v1) pins it. */
export interface LockedDependency {
  readonly name: string;
  readonly version?: string;
  readonly repository?: string;
}

/** One chart of the tree: the chart pushed, or a subchart vendored under its `charts/`. */
export interface ChartNode {
  /** Where its files are, for locations: `mychart`, `mychart/charts/redis-17.3.2.tgz!/redis`, `mychart/charts/db`. */
  readonly path: string;
  readonly name: string;
  readonly version: string;
  readonly appVersion?: string;
  readonly apiVersion?: string;
  readonly type?: string;
  readonly description?: string;
  readonly license?: string;
  readonly dependencies: readonly DeclaredDependency[];
  readonly locked: readonly LockedDependency[];
  readonly values: Json;
  readonly templates: readonly { readonly file: string; readonly text: string }[];
  readonly subcharts: readonly ChartNode[];
}

/** A problem found while loading the tree: where (a chart file) and what. */
export interface ChartProblem {
  readonly path: string;
  readonly message: string;
}

const str = (v: unknown): string | undefined => {
  const s = scalarText(v)?.trim();
  return s ? s : undefined;
};

/** Chart.yaml, Chart.lock and requirements.* are read with their scalars as written (Helm's typed metadata); values.yaml as Helm's untyped values. */
function yamlOf(files: ReadonlyMap<string, Buffer>, name: string, where: string, problems: ChartProblem[]): unknown {
  const bytes = files.get(name);
  if (!bytes) return undefined;
  const r = parseYamlLimited(bytes, { strings: name !== 'values.yaml' });
  if ('error' in r) {
    problems.push({ path: `${where}/${name}`, message: r.error });
    return undefined;
  }
  return r.value;
}

function dependencyList(v: unknown, where: string, problems: ChartProblem[]): DeclaredDependency[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problems.push({ path: where, message: 'dependencies is not a list' });
    return [];
  }
  const out: DeclaredDependency[] = [];
  v.forEach((d: unknown, i) => {
    const name = isObject(d) ? str(d.name) : undefined;
    if (!isObject(d) || !name) {
      problems.push({ path: where, message: `dependencies[${i}] has no name` });
      return;
    }
    const [version, repository, alias, condition] = [str(d.version), str(d.repository), str(d.alias), str(d.condition)];
    out.push({ name, ...(version ? { version } : {}), ...(repository ? { repository } : {}), ...(alias ? { alias } : {}), ...(condition ? { condition } : {}) });
  });
  return out;
}

/** Subchart sources under `charts/`: archives (`charts/x.tgz`) and directories (`charts/x/…`), as Helm's loader groups them. */
function subchartSources(files: ReadonlyMap<string, Buffer>): { archives: [string, Buffer][]; dirs: Map<string, Map<string, Buffer>> } {
  const archives: [string, Buffer][] = [];
  const dirs = new Map<string, Map<string, Buffer>>();
  for (const [p, bytes] of files) {
    if (!p.startsWith('charts/')) continue;
    const rest = p.slice('charts/'.length);
    // Helm skips names starting with `.` or `_` under charts/.
    if (rest.startsWith('.') || rest.startsWith('_')) continue;
    const slash = rest.indexOf('/');
    if (slash < 0) {
      if (rest.endsWith('.tgz')) archives.push([rest, bytes]);
      continue;
    }
    const dir = rest.slice(0, slash);
    let m = dirs.get(dir);
    if (!m) dirs.set(dir, (m = new Map()));
    m.set(rest.slice(slash + 1), bytes);
  }
  archives.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { archives, dirs: new Map([...dirs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) };
}

/**
 * Builds the chart tree from a chart's files (see chart-archive.ts), subcharts included: archives
 * are read with the same budget, directories in place, down to {@link CHART_LIMITS}.maxDepth.
 * Undefined when the files are no chart (no Chart.yaml with a name and a version); every problem
 * is pushed to `problems` (a subchart that cannot be read is left out, and said so).
 */
export async function loadChart(files: ReadonlyMap<string, Buffer>, path: string, budget: ChartBudget, problems: ChartProblem[], depth = 0): Promise<ChartNode | undefined> {
  const meta = yamlOf(files, 'Chart.yaml', path, problems);
  if (!files.has('Chart.yaml')) {
    problems.push({ path, message: 'no Chart.yaml: not a chart' });
    return undefined;
  }
  const name = isObject(meta) ? str(meta.name) : undefined;
  const version = isObject(meta) ? str(meta.version) : undefined;
  if (!isObject(meta) || !name || !version) {
    if (isObject(meta)) problems.push({ path: `${path}/Chart.yaml`, message: 'no name or no version: not a chart Helm can load' });
    return undefined;
  }
  const apiVersion = str(meta.apiVersion);
  const requirements = apiVersion === 'v1' || files.has('requirements.yaml') ? yamlOf(files, 'requirements.yaml', path, problems) : undefined;
  const declared = [
    ...dependencyList(meta.dependencies, `${path}/Chart.yaml`, problems),
    ...(isObject(requirements) ? dependencyList(requirements.dependencies, `${path}/requirements.yaml`, problems) : []),
  ];
  const lock = yamlOf(files, 'Chart.lock', path, problems) ?? yamlOf(files, 'requirements.lock', path, problems);
  const locked = isObject(lock) && Array.isArray(lock.dependencies)
    ? lock.dependencies.filter(isObject).flatMap((d) => {
        const n = str(d.name);
        if (!n) return [];
        const version = str(d.version);
        const repository = str(d.repository);
        return [{ name: n, ...(version ? { version } : {}), ...(repository ? { repository } : {}) }];
      })
    : [];
  const values = yamlOf(files, 'values.yaml', path, problems);
  if (values !== undefined && values !== null && !isObject(values)) problems.push({ path: `${path}/values.yaml`, message: 'not a mapping' });
  const templates = [...files]
    .filter(([p]) => p.startsWith('templates/'))
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([p, bytes]) => ({ file: `${path}/${p}`, text: decodeText(bytes) }));
  const annotations = isObject(meta.annotations) ? meta.annotations : {};

  const subcharts: ChartNode[] = [];
  const { archives, dirs } = subchartSources(files);
  if ((archives.length || dirs.size) && depth + 1 > CHART_LIMITS.maxDepth) {
    problems.push({ path: `${path}/charts`, message: `subcharts nested more than ${CHART_LIMITS.maxDepth} deep are not read` });
  } else {
    for (const [file, tgz] of archives) {
      const where = `${path}/charts/${file}`;
      const nested = await readChartArchive(tgz, where, budget);
      if ('error' in nested) {
        problems.push({ path: where, message: `subchart not read: ${nested.error}` });
        continue;
      }
      const sub = await loadNested(nested, `${where}!/${nested.root}`, budget, problems, depth);
      if (sub) subcharts.push(sub);
    }
    for (const [dir, sub] of dirs) {
      const node = await loadChart(sub, `${path}/charts/${dir}`, budget, problems, depth + 1);
      if (node) subcharts.push(node);
    }
  }
  const appVersion = str(meta.appVersion);
  const type = str(meta.type);
  const description = str(meta.description);
  const license = str(annotations['artifacthub.io/license']);
  return {
    path,
    name,
    version,
    ...(appVersion ? { appVersion } : {}),
    ...(apiVersion ? { apiVersion } : {}),
    ...(type ? { type } : {}),
    ...(description ? { description } : {}),
    ...(license ? { license } : {}),
    dependencies: declared,
    locked,
    values: isObject(values) ? values : {},
    templates,
    subcharts,
  };
}

async function loadNested(nested: ChartFiles, path: string, budget: ChartBudget, problems: ChartProblem[], depth: number): Promise<ChartNode | undefined> {
  for (const p of nested.problems) problems.push({ path, message: p });
  return loadChart(nested.files, path, budget, problems, depth + 1);
}
