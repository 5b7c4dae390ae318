/**
 * Helm charts and other OCI artifacts (issue 17): built here from real package metadata, pushed
 * to the real local registry with the media types `helm push` and `oras push` use, then
 * inventoried (purl for purl), scanned, signed by the local workflow, and verified (`verify`,
 * `verify --policy`) by the built CLI as a deployer would.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { LocalEnvironment } from '../../lambdas/local/runner';
import { openLocalEnvironment, runWorkflow } from '../../lambdas/local/runner';
import { MediaType } from '../../lambdas/oci/media-types';
import type { ArtifactWriter } from '../../lambdas/oci/source';
import type { SbomResult } from '../../lambdas/sbom/component';
import { generateSbom } from '../../lambdas/sbom/generate';
import { cycloneDxJson } from '../../lambdas/sbom/writers/cyclonedx';
import { validateCycloneDx } from '../../lambdas/sbom/writers/cyclonedx-validate';
import { spdxJson } from '../../lambdas/sbom/writers/spdx';
import { OfflineOsvSource } from '../../lambdas/vuln/sources/offline-source';
import type { OsvRecord } from '../../lambdas/vuln/osv/types';
import type { ResolvedArtifact, ScanSummary, SbomSummary, SigningSummary } from '../../lambdas/workflow/state';
import type { PushedManifest } from '../support/artifacts';
import { buildJar, buildWheel, pushHelmChart, pushOrasArtifact, URLLIB3_METADATA } from '../support/artifacts';
import { runCli } from '../support/cli';
import { validateSpdx23 } from '../support/spdx-schema';
import type { GoBuild } from '../support/go-binaries';
import { buildGoProgram, goAvailable } from '../support/go-binaries';
import { chartArchive, WEBSHOP_PURLS, webshopChart } from '../support/helm-charts';
import { registrySource } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const host = testRegistry().host;
/** Records naming what the artifact holds (log4j-core, urllib3) and a Go one: the data covers Maven, PyPI and Go. */
const RECORDS = ['GHSA-3pxv-7cmr-fjr4', 'PYSEC-2023-192', 'PYSEC-2023-212', 'GO-2024-2955'];
const BUNDLE_TYPE = 'application/vnd.acme.service-bundle.v1';

const fixtureRecord = (id: string): OsvRecord => JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/osv/records', `${id}.json`), 'utf8')) as OsvRecord;
const purlsOf = (r: SbomResult) => r.images.flatMap((i) => i.components.map((c) => c.purl)).sort();

let work: string;
let go: GoBuild;
let goVersion: string;
let files: { jar: Buffer; binary: Buffer; wheel: Buffer; vulnerableWheel: Buffer; chart: Buffer };
const repos = { chart: uniqueRepo('charts'), bundle: uniqueRepo('bundle'), hostile: uniqueRepo('hostile') };
let pushed: { chart: PushedManifest; bundle: PushedManifest };

beforeAll(async () => {
  if (!goAvailable()) throw new Error('these tests build a Go program: install go');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-charts-'));
  go = await buildGoProgram([{ goos: 'linux', goarch: 'amd64' }]);
  const binary = fs.readFileSync(go.binaries.get('linux/amd64') as string);
  goVersion = /go(\d+\.\d+(\.\d+)?)/.exec(go.versionM(go.binaries.get('linux/amd64') as string))?.[1] as string;
  files = {
    jar: await buildJar(work, { group: 'org.apache.logging.log4j', artifact: 'log4j-core', version: '2.25.4' }),
    binary,
    wheel: buildWheel('urllib3', '2.0.7', URLLIB3_METADATA),
    // CVE-2023-43804 (PYSEC-2023-192, CVSS 8.1): fixed in 2.0.6.
    vulnerableWheel: buildWheel('urllib3', '2.0.5', URLLIB3_METADATA.replace('Version: 2.0.7', 'Version: 2.0.5')),
    chart: await webshopChart(),
  };
  pushed = {
    chart: await pushHelmChart(registrySource(repos.chart).writer, { name: 'webshop', version: '1.4.2', appVersion: '2.7.0', description: 'A web shop' }, files.chart),
    bundle: await pushOrasArtifact(registrySource(repos.bundle).writer, 'v1', BUNDLE_TYPE, [
      { title: 'log4j-core-2.25.4.jar', bytes: files.jar, mediaType: 'application/java-archive' },
      { title: 'bin/app-linux-amd64', bytes: binary },
      { title: 'urllib3-2.0.7-py3-none-any.whl', bytes: files.wheel },
    ]),
  };
}, 240_000);
afterAll(() => {
  go?.cleanup();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const ARTIFACT_PURLS = () =>
  [
    'pkg:golang/example.com/alpha@v1.2.3',
    'pkg:golang/example.com/app',
    'pkg:golang/example.com/beta@v0.0.0-20240102030405-abcdefabcdef',
    'pkg:golang/example.com/delta/v3@v3.1.0',
    'pkg:golang/example.com/gamma@v2.0.0+incompatible',
    'pkg:golang/example.com/local',
    'pkg:golang/example.com/new@v1.1.0',
    `pkg:golang/stdlib@${goVersion}`,
    'pkg:maven/org.apache.logging.log4j/log4j-core@2.25.4',
    'pkg:pypi/urllib3@2.0.7',
  ].sort();

describe('SBOM of a Helm chart and of an ORAS artifact', () => {
  it('a chart: the chart, its dependencies and the images it deploys, purl for purl, in valid CycloneDX and SPDX', async () => {
    const source = registrySource(repos.chart, '1.4.2');
    const result = await generateSbom(source, `${host}/${repos.chart}`);
    expect(result.subject).toMatchObject({ kind: 'helm-chart', digest: pushed.chart.digest });
    expect(result.uninventoried).toEqual([]);
    expect(result.images.map((i) => [i.kind, i.manifestDigest, i.gaps])).toEqual([['chart', pushed.chart.digest, []]]);
    expect(purlsOf(result)).toEqual(WEBSHOP_PURLS);

    const image = result.images[0]!;
    const json = cycloneDxJson(result.subject, image);
    expect(await validateCycloneDx(json)).toEqual([]);
    const bom = JSON.parse(json) as { metadata: { component: { type: string; purl: string } }; components: { type: string; name: string; purl: string; properties: { name: string; value: string }[] }[]; compositions: { aggregate: string }[] };
    expect(bom.metadata.component.type).toBe('application');
    expect(bom.metadata.component.purl).toMatch(new RegExp(`^pkg:oci/${repos.chart}@${pushed.chart.digest}\\?repository_url=.*&tag=1\\.4\\.2$`));
    expect(bom.compositions[0]?.aggregate).toBe('complete');
    const prop = (name: string, key: string) => bom.components.find((c) => c.name === name)?.properties.find((p) => p.name === `artifact-guard:${key}`)?.value;
    expect(bom.components.find((c) => c.name === 'docker.io/library/busybox')?.type).toBe('container');
    expect(prop('docker.io/library/busybox', 'image:pinned')).toBe('false');
    expect(prop('ghcr.io/acme/api', 'image:pinned')).toBe('true');
    expect(prop('webshop', 'helm:app-version')).toBe('2.7.0');
    expect(bom.components.find((c) => c.name === 'redis' && c.type === 'application')?.properties.filter((p) => p.name.startsWith('artifact-guard:location'))).toEqual([
      { name: 'artifact-guard:location:0:layer', value: pushed.chart.layers[0]!.digest },
      { name: 'artifact-guard:location:0:path', value: '/webshop/charts/redis-17.3.2.tgz!/redis/Chart.yaml' },
    ]);
    const spdx = JSON.parse(spdxJson(result.subject, image)) as { packages: { primaryPackagePurpose?: string }[] };
    expect(validateSpdx23(spdx)).toEqual([]);
    expect(spdx.packages.map((p) => p.primaryPackagePurpose)).toEqual(['APPLICATION', ...Array(4).fill('APPLICATION'), ...Array(6).fill('CONTAINER')]);
  });

  it('an ORAS artifact: a jar, a Go executable and a wheel, each by its own format, purl for purl', async () => {
    const result = await generateSbom(registrySource(repos.bundle, 'v1'), `${host}/${repos.bundle}`);
    expect(result.subject.kind).toBe('artifact');
    expect(result.images.map((i) => [i.kind, i.gaps])).toEqual([['artifact', []]]);
    expect(purlsOf(result)).toEqual(ARTIFACT_PURLS());
    const image = result.images[0]!;
    expect(image.components.find((c) => c.ecosystem === 'pypi' || c.name === 'urllib3')?.locations).toEqual([{ path: 'urllib3-2.0.7-py3-none-any.whl', layer: pushed.bundle.layers[2]!.digest }]);
    expect(image.components.find((c) => c.name === 'log4j-core')?.locations).toEqual([{ path: 'log4j-core-2.25.4.jar', layer: pushed.bundle.layers[0]!.digest }]);
    expect(await validateCycloneDx(cycloneDxJson(result.subject, image))).toEqual([]);
    expect(validateSpdx23(JSON.parse(spdxJson(result.subject, image)))).toEqual([]);
  });

  it('unknown content is a file component with its SHA-256; a tar is a file tree; nothing is dropped', async () => {
    const repo = uniqueRepo('files');
    const tree = await chartArchive({ 'site/node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: '4.17.21', license: 'MIT' }) });
    const plain = zlib.gzipSync(Buffer.from('just some gzip, no tar'));
    const a = await pushOrasArtifact(registrySource(repo).writer, 'v1', 'application/vnd.acme.firmware.v1', [
      { title: 'firmware.bin', bytes: Buffer.from('\x7fNOT-ELF firmware image') },
      { title: 'site.tar.gz', bytes: tree, mediaType: MediaType.ociLayerGzip },
      { title: 'notes.txt.gz', bytes: plain },
    ]);
    const result = await generateSbom(registrySource(repo, 'v1'), `${host}/${repo}`);
    const image = result.images[0]!;
    expect(image.gaps).toEqual([]);
    expect(image.components.map((c) => [c.purl, c.componentType ?? 'library', c.hashes])).toEqual(
      [
        [`pkg:generic/firmware.bin?checksum=sha256%3A${a.layers[0]!.digest.slice(7)}`, 'file', [{ alg: 'SHA-256', content: a.layers[0]!.digest.slice(7) }]],
        [`pkg:generic/notes.txt.gz?checksum=sha256%3A${a.layers[2]!.digest.slice(7)}`, 'file', [{ alg: 'SHA-256', content: a.layers[2]!.digest.slice(7) }]],
        ['pkg:npm/lodash@4.17.21', 'library', undefined],
      ].sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1)),
    );
    const json = cycloneDxJson(result.subject, image);
    expect(await validateCycloneDx(json)).toEqual([]);
    const bom = JSON.parse(json) as { components: { type: string; hashes?: { alg: string; content: string }[] }[] };
    expect(bom.components.filter((c) => c.type === 'file').map((c) => c.hashes?.[0]?.alg)).toEqual(['SHA-256', 'SHA-256']);
    const spdx = JSON.parse(spdxJson(result.subject, image)) as { packages: { checksums?: { algorithm: string }[] }[] };
    expect(validateSpdx23(spdx)).toEqual([]);
    expect(spdx.packages.filter((p) => p.checksums).length).toBe(3);
  });
});

describe('process, sign and verify', () => {
  let env: LocalEnvironment;
  let home: string;
  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-charts-home-'));
    env = await openLocalEnvironment({ home, cacheDir: path.join(home, 'cache'), inMemory: true, quiet: true, vulnerabilities: OfflineOsvSource.fromRecords('chart and bundle advisories', RECORDS.map(fixtureRecord)), threshold: 'high' });
  });
  afterAll(async () => {
    await env?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  const run = async (source: string) => {
    const out = await runWorkflow({ source }, env);
    if (out.status !== 'SUCCEEDED') throw new Error(`workflow failed: ${out.error}: ${out.cause}`);
    return { artifact: out.output.artifact as ResolvedArtifact, sbom: out.output.sbom as SbomSummary, scan: out.output.scan as ScanSummary, signing: out.output.signing as SigningSummary };
  };
  const signed = async (writer: ArtifactWriter, digest: string) => !!(await writer.manifestByTag(`${digest.replace(':', '-')}.sig`));
  const policyFile = () => {
    const file = path.join(home, 'policy.yaml');
    fs.writeFileSync(file, 'version: 1\nattestations: [slsaprovenance1, cyclonedx, vuln]\nvulnerabilities:\n  failOn: high\n');
    return file;
  };

  it.each([
    ['chart', () => `${repos.chart}:1.4.2`, () => pushed.chart.digest, 'helm-chart'],
    ['artifact', () => `${repos.bundle}:v1`, () => pushed.bundle.digest, 'artifact'],
  ])('a %s whose scan passes is signed and attested; verify and verify --policy accept it', async (role, ref, digest, kind) => {
    const out = await run(`registry:${host}/${ref()}`);
    expect(out.artifact).toMatchObject({ kind, digest: digest() });
    expect(out.artifact.targets.map((t) => t.role)).toEqual([role]);
    expect(out.sbom.uninventoried).toEqual([]);
    expect(out.sbom.documents.map((d) => [d.manifestDigest, d.gaps])).toEqual([[digest(), 0]]);
    expect(out.scan).toMatchObject({ verdict: 'pass', gapsTotal: 0 });
    expect(out.signing).toMatchObject({ signed: true });
    expect(out.signing.attestations.map((a) => a.type).sort()).toEqual(['cosign-sign', 'cyclonedx', 'slsaprovenance1', 'vuln']);
    expect(await signed(registrySource(ref().split(':')[0] as string).writer, digest())).toBe(true);

    const pub = env.devKey!.publicKeyFile;
    const verify = await runCli(['verify', `${host}/${ref()}`, '--key', pub]);
    expect([verify.code, verify.stderr]).toEqual([0, expect.any(String)]);
    const policy = await runCli(['verify', `${host}/${ref()}`, '--key', pub, '--policy', policyFile()]);
    expect(policy.code).toBe(0);
    expect(policy.stdout).toContain(`allowed ${host}/${ref().split(':')[0]}@${digest()} by policy`);
  });

  it('an artifact holding a wheel the data knows to be vulnerable fails the scan, is not signed, and verify denies it', async () => {
    const repo = uniqueRepo('bundle-vuln');
    const a = await pushOrasArtifact(registrySource(repo).writer, 'v1', BUNDLE_TYPE, [{ title: 'log4j-core-2.25.4.jar', bytes: files.jar }, { title: 'urllib3-2.0.5-py3-none-any.whl', bytes: files.vulnerableWheel }]);
    const out = await run(`registry:${host}/${repo}:v1`);
    expect(out.scan).toMatchObject({ verdict: 'fail', gapsTotal: 0, findingsAboveThreshold: [expect.objectContaining({ severity: 'high', package: 'pkg:pypi/urllib3@2.0.5' })] });
    expect(out.signing.signed).toBe(false);
    expect(await signed(registrySource(repo).writer, a.digest)).toBe(false);
    expect((await runCli(['verify', `${host}/${repo}:v1`, '--key', env.devKey!.publicKeyFile])).code).toBe(1);
  });

  describe('hostile charts: one recorded gap each, never a crash or a hang, never signed', () => {
    const meta = 'apiVersion: v2\nname: evil\nversion: 0.0.1\n';
    /** A tar holding one 200 MiB file of zeros, gzipped to a few hundred KB. */
    const bomb = (): Buffer => {
      const header = Buffer.alloc(512);
      header.write('evil/values.yaml', 0);
      header.write('0000644\0', 100);
      header.write(`${(200 * 1024 * 1024).toString(8).padStart(11, '0')}\0`, 124);
      header.write('00000000000\0', 136);
      header.write('0', 156);
      header.write('ustar\x0000', 257);
      header.write('        ', 148);
      let sum = 0;
      for (const b of header) sum += b;
      header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
      return zlib.gzipSync(Buffer.concat([header, Buffer.alloc(200 * 1024 * 1024)]), { level: 9 });
    };
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');

    it.each([
      ['a chart archive that is a gzip bomb', async () => bomb(), /chart archive not read: .*expands beyond 104857600 bytes \(decompression limit\)/],
      ['a values.yaml alias bomb (billion laughs)', () => chartArchive({ 'evil/Chart.yaml': meta, 'evil/values.yaml': laughs }), /evil\/values\.yaml: not read: Excessive alias count/],
      ['a tar entry climbing out of the chart', () => chartArchive({ 'evil/Chart.yaml': meta, 'evil/../../../../etc/cron.d/evil': '* * * * * root sh\n' }), /entry "evil\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/cron\.d\/evil" climbs out of the chart/],
    ])('%s', async (_name, build, gap) => {
      const tgz = await build();
      const started = Date.now();
      const p = await pushHelmChart(registrySource(repos.hostile).writer, { name: 'evil', version: `0.0.${Math.floor(Math.random() * 1e9)}` }, tgz);
      const out = await run(`registry:${host}/${repos.hostile}@${p.digest}`);
      expect(out.scan.verdict).toBe('incomplete');
      expect(out.scan.gaps.join('\n')).toMatch(gap);
      expect(out.signing.signed).toBe(false);
      expect(await signed(registrySource(repos.hostile).writer, p.digest)).toBe(false);
      expect(Date.now() - started).toBeLessThan(30_000);
    }, 60_000);
  });
});
