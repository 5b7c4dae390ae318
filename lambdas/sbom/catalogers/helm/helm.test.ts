import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { chartArchive, DIGESTS, redisChartFiles, WEBSHOP_PURLS, webshopChart } from '../../../../test/support/helm-charts';
import { CHART_LIMITS, isChartFileWanted } from './chart-archive';
import { formatImageReference, ociImagePurl, parseImageReference } from './image-reference';
import { helmCataloger } from './index';
import { coalesceValues, inventoryChartArchive } from './parse-chart';
import { evaluateAction, findTemplateImages } from './template-images';
import { findValueImages } from './values-images';
import { parseYamlLimited } from '../common/yaml';

const purls = async (tgz: Buffer, name = 'chart.tgz') => {
  const r = await helmCataloger.parse(name, tgz);
  return { purls: [...new Set(r.packages.map((p) => helmCataloger.purl(p, {})))].sort(), result: r };
};

describe('image references', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['bitnami/redis:7.0.5-debian-11-r7', 'docker.io/bitnami/redis:7.0.5-debian-11-r7'],
    ['index.docker.io/library/busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['localhost:5000/app/web:v1', 'localhost:5000/app/web:v1'],
    ['localhost/app', 'localhost/app'],
    [`ghcr.io/acme/api@${DIGESTS.api}`, `ghcr.io/acme/api@${DIGESTS.api}`],
    [`registry.k8s.io/ingress-nginx/controller:v1.9.4@${DIGESTS.api}`, `registry.k8s.io/ingress-nginx/controller:v1.9.4@${DIGESTS.api}`],
    ['[::1]:5000/x:1', '[::1]:5000/x:1'],
  ])('%s → %s', (text, normal) => {
    const ref = parseImageReference(text);
    expect(ref && formatImageReference(ref)).toBe(normal);
  });

  it.each(['', 'nginx:', 'Nginx:1', 'nginx:1.25 extra', '{{ .Values.image }}', 'a@sha256:abc', 'ghcr.io/', '-x/y', 'x:-bad', 'true:false:x'])('refuses %j', (text) => {
    expect(parseImageReference(text)).toBeUndefined();
  });

  it('writes oci purls with the digest as the only version, the tag kept as a qualifier', () => {
    expect(ociImagePurl(parseImageReference(`ghcr.io/acme/storefront:2.7.0@${DIGESTS.storefront}`)!)).toBe(`pkg:oci/storefront@${DIGESTS.storefront}?repository_url=ghcr.io%2Facme%2Fstorefront&tag=2.7.0`);
    expect(ociImagePurl(parseImageReference('busybox:1.36.1')!)).toBe('pkg:oci/busybox?repository_url=docker.io%2Flibrary%2Fbusybox&tag=1.36.1');
  });

  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      const ref = parseImageReference(s);
      if (ref) expect(parseImageReference(formatImageReference(ref))).toEqual(ref);
    }));
  });
});

describe('values', () => {
  it('finds the common shapes at any depth, and only them', () => {
    const values = {
      image: 'nginx:1.25',
      controller: { image: { registry: 'registry.k8s.io', image: 'ingress-nginx/controller', tag: 'v1.9.4', digest: DIGESTS.api } },
      app: { initImage: 'busybox', image: { repository: 'acme/app', tag: 1.1, pullPolicy: 'Always' } },
      sidecars: [{ name: 'log', image: { name: 'fluent/fluent-bit', tag: '2.2.0' } }],
      images: { cli: 'bitnami/kubectl:1.29', tools: { repository: 'acme/tools', tag: 'v3' } },
      disabled: { image: { repository: '', tag: '' } },
      pull: { imagePullPolicy: 'IfNotPresent', imagePullSecrets: [{ name: 'regcred' }], image: { pullPolicy: 'Always' } },
      other: { name: 'not-an-image', repository: 'https://github.com/acme/app' },
    };
    const r = findValueImages(values);
    expect(r.problems).toEqual([]);
    expect(r.images.map((i) => [i.keyPath, formatImageReference(i.ref)])).toEqual([
      ['app.image', 'docker.io/acme/app:1.1'],
      ['app.initImage', 'docker.io/library/busybox'],
      ['controller.image', `registry.k8s.io/ingress-nginx/controller:v1.9.4@${DIGESTS.api}`],
      ['image', 'docker.io/library/nginx:1.25'],
      ['images.cli', 'docker.io/bitnami/kubectl:1.29'],
      ['images.tools', 'docker.io/acme/tools:v3'],
      ['sidecars[0].image', 'docker.io/fluent/fluent-bit:2.2.0'],
    ]);
  });

  it('takes the chart appVersion for an empty tag, says so, and reports values that are no reference', () => {
    const r = findValueImages({ image: { repository: 'acme/app', tag: '' }, bad: { image: '{{ .Values.registry }}/x' } }, { appVersion: '3.1.0' });
    expect(r.images.map((i) => [formatImageReference(i.ref), i.tagFrom])).toEqual([['docker.io/acme/app:3.1.0', 'appVersion']]);
    expect(r.problems).toEqual(['bad.image: "{{ .Values.registry }}/x" is not an image reference Kubernetes can pull']);
  });

  it('coalesces a parent\'s values for a subchart as Helm does', () => {
    expect(coalesceValues({ image: { repository: 'bitnami/redis', tag: '7.0.5' }, auth: { enabled: true }, list: [1, 2] }, { image: { tag: '7.0.6' }, auth: null, list: [3] })).toEqual({
      image: { repository: 'bitnami/redis', tag: '7.0.6' },
      list: [3],
    });
    const polluted = coalesceValues({}, JSON.parse('{"__proto__": {"image": "x"}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(polluted)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).image).toBeUndefined();
  });
});

describe('templates', () => {
  const scope = (values: unknown) => ({ ctx: { values, chart: { Name: 'app', Version: '1.0.0', AppVersion: '2.0.0' } }, read: new Set<string>() });

  it.each([
    ['.Values.image.repository', 'acme/app'],
    ['- .Values.image.tag | default .Chart.AppVersion -', '2.0.0'],
    ['default "stable" .Values.image.tag', 'stable'],
    ['.Values.image.repository | quote', 'acme/app'],
    ['printf "%s:%s" .Values.image.repository .Chart.AppVersion', 'acme/app:2.0.0'],
    ['$.Values.port', '8080'],
    ['/* a comment */', ''],
  ])('evaluates {{%s}}', (expr, out) => {
    expect(evaluateAction(expr, scope({ image: { repository: 'acme/app', tag: '' }, port: 8080 }))).toBe(out);
  });

  it.each(['include "x.image" .', '.Release.Name', '(.Values.image).tag', '.image', 'tpl .Values.x .', 'default "a" .Values.x .Values.y'])('does not evaluate {{ %s }}', (expr) => {
    expect(() => evaluateAction(expr, scope({}))).toThrow();
  });

  it('reads image lines: literals, evaluated expressions, unresolved ones with what they mention', () => {
    const text = [
      'containers:',
      '  - name: a',
      '    image: "{{ .Values.a.repository }}:{{ .Values.a.tag | default .Chart.AppVersion }}"',
      '  - image: busybox:1.36.1 # literal',
      "  - image: '{{ include \"x.image\" (dict \"imageRoot\" .Values.b) }}'",
      '  - image: {{ .Values.missing }}',
      '{{/*',
      '  image: commented-out:1',
      '*/}}',
      '    image: {{ .Values.a.repository }}:',
    ].join('\n');
    const r = findTemplateImages([{ file: 'app/templates/x.yaml', text }], { values: { a: { repository: 'acme/a' } }, chart: { Name: 'app', Version: '1.0.0', AppVersion: '2.0.0' } });
    expect(r.images.map((i) => [i.line, formatImageReference(i.ref), i.read])).toEqual([
      [3, 'docker.io/acme/a:2.0.0', ['a.repository', 'a.tag']],
      [4, 'docker.io/library/busybox:1.36.1', []],
    ]);
    expect(r.unresolved.map((u) => [u.line, u.mentions])).toEqual([
      [5, ['b']],
      [10, []],
    ]);
  });
});

describe('the webshop chart', () => {
  let tgz: Buffer;
  beforeAll(async () => {
    tgz = await webshopChart();
  });

  it('lists the chart, its dependencies (archive, directory, nested) and the images it deploys, purl for purl', async () => {
    const { purls: found, result } = await purls(tgz, 'webshop-1.4.2.tgz');
    expect(result.warnings).toEqual([]);
    expect(found).toEqual(WEBSHOP_PURLS);
  });

  it('keeps where each one was found and what the gate needs', async () => {
    const inv = await inventoryChartArchive('webshop-1.4.2.tgz', tgz);
    const where = (purl: string) => [...inv.entries].filter(([, pkgs]) => pkgs.some((p) => helmCataloger.purl(p, {}) === purl)).map(([path]) => path);
    expect(where('pkg:helm/webshop@1.4.2')).toEqual(['webshop/Chart.yaml']);
    expect(where('pkg:helm/common@2.1.2?repository_url=https%3A%2F%2Fcharts.bitnami.com%2Fbitnami')).toEqual(['webshop/charts/redis-17.3.2.tgz!/redis/charts/common/Chart.yaml']);
    expect(where('pkg:oci/worker?repository_url=docker.io%2Facme%2Fworker&tag=2.7.0')).toEqual(['webshop/values.yaml#worker.image', 'webshop/templates/worker.yaml#L8']);
    expect(where('pkg:oci/redis?repository_url=docker.io%2Fbitnami%2Fredis&tag=7.0.5-debian-11-r25')).toEqual(['webshop/charts/redis-17.3.2.tgz!/redis/values.yaml#image']);
    expect(where('pkg:oci/busybox?repository_url=docker.io%2Flibrary%2Fbusybox&tag=1.36.1')).toEqual(['webshop/templates/migrate-job.yaml#L11']);
    const all = [...inv.entries.values()].flat();
    const root = all.find((p) => p.name === 'webshop');
    expect(root).toMatchObject({ version: '1.4.2', licenses: ['Apache-2.0'], componentType: 'application', properties: { 'helm:role': 'chart', 'helm:app-version': '2.7.0', 'helm:type': 'application' } });
    expect(all.find((p) => p.name === 'redis' && p.ecosystem === 'helm')?.properties).toEqual({
      'helm:role': 'dependency',
      'helm:app-version': '7.0.5',
      'helm:parent': 'webshop@1.4.2',
      'helm:version-constraint': '~17.3.0',
      'helm:condition': 'redis.enabled',
      'helm:repository': 'https://charts.bitnami.com/bitnami',
    });
    expect(all.find((p) => p.name === 'metrics')?.properties).toMatchObject({ 'helm:alias': 'exporter' });
    const images = all.filter((p) => p.ecosystem === 'oci');
    expect(Object.fromEntries(images.map((p) => [p.name, p.properties?.['image:pinned']]))).toEqual({
      'ghcr.io/acme/storefront': 'true',
      'ghcr.io/acme/api': 'true',
      'docker.io/acme/worker': 'false',
      'docker.io/bitnami/redis': 'false',
      'quay.io/prometheus/statsd-exporter': 'false',
      'docker.io/library/busybox': 'false',
    });
    expect(images.find((p) => p.name === 'quay.io/prometheus/statsd-exporter')?.properties?.['image:tag-from']).toBe('appVersion');
  });

  it('reads the redis chart alone: its own values, the helper that renders them, its library dependency', async () => {
    const { purls: found, result } = await purls(await chartArchive(redisChartFiles()));
    expect(result.warnings).toEqual([]);
    expect(found).toEqual(['pkg:helm/common@2.1.2?repository_url=https%3A%2F%2Fcharts.bitnami.com%2Fbitnami', 'pkg:helm/redis@17.3.2', 'pkg:oci/redis?repository_url=docker.io%2Fbitnami%2Fredis&tag=7.0.5-debian-11-r7']);
  });
});

describe('what is not found is said', () => {
  const chart = (extra: Record<string, string | Buffer>) => chartArchive({ 'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', ...extra });

  it('a template image only rendering could resolve is a warning naming the line', async () => {
    const { result } = await purls(await chart({ 'c/templates/d.yaml': 'spec:\n  containers:\n    - image: {{ template "c.image" . }}\n', 'c/templates/_h.tpl': '{{- define "c.image" -}}{{ .Release.Name }}-img{{- end -}}\n' }));
    expect(result.warnings).toEqual([{ path: 'c/templates/d.yaml', message: expect.stringMatching(/^line 3: image "\{\{ template \\"c.image\\" \. \}\}" cannot be resolved without rendering the chart .*not in this SBOM$/) }]);
  });

  it('a dependency declared but not vendored is listed from Chart.lock and warned about', async () => {
    const { purls: found, result } = await purls(await chart({
      'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n  - name: postgresql\n    version: 12.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n',
      'c/Chart.lock': 'dependencies:\n- name: postgresql\n  repository: oci://registry-1.docker.io/bitnamicharts\n  version: 12.12.10\n',
    }));
    expect(found).toEqual(['pkg:helm/c@0.1.0', 'pkg:helm/postgresql@12.12.10?repository_url=oci%3A%2F%2Fregistry-1.docker.io%2Fbitnamicharts']);
    expect(result.warnings.map((w) => w.message)).toEqual([expect.stringContaining('dependency postgresql 12.x.x is declared but not vendored under charts/')]);
  });

  it('reads Chart.yaml scalars as written (version 1.10 is not the float 1.1), values as Helm does', async () => {
    const { purls: found } = await purls(await chart({ 'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.10\nappVersion: 2.0\n', 'c/values.yaml': 'image:\n  repository: acme/app\n  tag: ""\nother:\n  image:\n    repository: acme/other\n    tag: 1.10\n' }));
    expect(found).toEqual(['pkg:helm/c@1.10', 'pkg:oci/app?repository_url=docker.io%2Facme%2Fapp&tag=2.0', 'pkg:oci/other?repository_url=docker.io%2Facme%2Fother&tag=1.1']);
  });

  it('Helm v1 charts: requirements.yaml and requirements.lock', async () => {
    const sub = await chartArchive({ 'mysql/Chart.yaml': 'apiVersion: v1\nname: mysql\nversion: 1.6.9\nappVersion: 5.7.30\n', 'mysql/values.yaml': 'image: "mysql"\nimageTag: "5.7.30"\n' });
    const { purls: found } = await purls(await chart({
      'c/Chart.yaml': 'apiVersion: v1\nname: c\nversion: 0.1.0\n',
      'c/requirements.yaml': 'dependencies:\n- name: mysql\n  version: 1.6.9\n  repository: https://charts.helm.sh/stable\n',
      'c/charts/mysql-1.6.9.tgz': sub,
    }));
    expect(found).toEqual(['pkg:helm/c@0.1.0', 'pkg:helm/mysql@1.6.9?repository_url=https%3A%2F%2Fcharts.helm.sh%2Fstable', 'pkg:oci/mysql?repository_url=docker.io%2Flibrary%2Fmysql']);
  });
});

describe('hostile charts', () => {
  it('a chart archive that is a gzip bomb stops at Helm\'s 100 MiB and is one warning', async () => {
    // 200 MiB of zeros as one tar entry, compressed to ~200 KB.
    const header = Buffer.alloc(512);
    header.write('c/values.yaml', 0);
    header.write('0000644\0', 100);
    header.write(`${(200 * 1024 * 1024).toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('0', 156);
    header.write('ustar\x0000', 257);
    header.write('        ', 148);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    const gz = zlib.gzipSync(Buffer.concat([header, Buffer.alloc(200 * 1024 * 1024)]), { level: 9 });
    expect(gz.length).toBeLessThan(400 * 1024);
    const started = Date.now();
    const { purls: found, result } = await purls(gz, 'bomb.tgz');
    expect(found).toEqual([]);
    expect(result.warnings).toEqual([{ path: 'bomb.tgz', message: `chart archive not read: bomb.tgz: expands beyond ${CHART_LIMITS.maxDecompressed} bytes (decompression limit)` }]);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('a values.yaml alias bomb (billion laughs) is a warning, the rest of the chart is read', async () => {
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');
    const started = Date.now();
    const { purls: found, result } = await purls(await chartArchive({ 'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'c/values.yaml': `${lol}\nimage: nginx:1.25\n` }));
    expect(found).toEqual(['pkg:helm/c@0.1.0']);
    expect(result.warnings).toEqual([{ path: 'c/values.yaml', message: 'not read: Excessive alias count indicates a resource exhaustion attack' }]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('deep nesting in YAML is a warning, not a stack overflow', () => {
    expect(parseYamlLimited(Buffer.from(`a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`))).toEqual({ error: expect.stringMatching(/nested more than 64|not valid YAML/) });
    let text = '';
    for (let i = 0; i < 2000; i++) text += `${' '.repeat(i)}k:\n`;
    expect(parseYamlLimited(Buffer.from(text))).toEqual({ error: 'indented more than 1024 columns' });
    text = '';
    for (let i = 0; i < 100; i++) text += `${' '.repeat(i)}k:\n`;
    expect(parseYamlLimited(Buffer.from(text))).toEqual({ error: 'nested more than 64 levels deep' });
  });

  it('an entry climbing out of the chart is ignored with a warning', async () => {
    const { purls: found, result } = await purls(await chartArchive({ 'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'c/../../../etc/cron.d/x': 'image: evil:1\n' }));
    expect(found).toEqual(['pkg:helm/c@0.1.0']);
    expect(result.warnings).toEqual([{ path: 'c', message: 'entry "c/../../../etc/cron.d/x" climbs out of the chart (Helm refuses such a chart); ignored' }]);
  });

  it('a nested subchart bomb, corrupt gzip and a non-chart are warnings', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(150 * 1024 * 1024), { level: 9 });
    const { purls: found, result } = await purls(await chartArchive({ 'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'c/charts/sub-1.0.0.tgz': bomb.subarray(0, Math.min(bomb.length, CHART_LIMITS.maxFile)) }));
    expect(found).toEqual(['pkg:helm/c@0.1.0']);
    expect(result.warnings.map((w) => [w.path, w.message.slice(0, 60)])).toEqual([['c/charts/sub-1.0.0.tgz', expect.stringMatching(/^subchart not read: /)]]);
    expect((await purls(Buffer.from('not gzip at all'))).result.warnings).toEqual([{ path: 'chart.tgz', message: expect.stringContaining('not a readable gzip archive') }]);
    expect((await purls(await chartArchive({ 'x/readme.txt': 'hi' }))).result.warnings).toEqual([{ path: 'x', message: 'no Chart.yaml: not a chart' }]);
  }, 30_000);

  it('never throws on arbitrary chart files', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('Chart.yaml', 'values.yaml', 'Chart.lock', 'templates/a.yaml', 'charts/x.tgz', 'charts/d/Chart.yaml'), fc.string({ maxLength: 200 })), async (files) => {
        const tgz = await chartArchive(Object.fromEntries(Object.entries(files).map(([k, v]) => [`c/${k}`, v])));
        const r = await helmCataloger.parse('c.tgz', tgz);
        for (const p of r.packages) expect(typeof helmCataloger.purl(p, {})).toBe('string');
      }),
      { numRuns: 60 },
    );
  });

  it('wants only chart metadata, values, templates and subcharts', () => {
    expect(['Chart.yaml', 'values.yaml', 'templates/x.yaml', 'charts/a.tgz', 'charts/a/values.yaml', 'charts/a/charts/b/templates/y.yaml'].every(isChartFileWanted)).toBe(true);
    expect(['README.md', 'crds/x.yaml', 'files/a.yaml', 'charts/a/README.md', 'charts/notes.txt', 'values.schema.json'].some(isChartFileWanted)).toBe(false);
  });
});
