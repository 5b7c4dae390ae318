import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { buildJar, buildWheel, URLLIB3_METADATA } from '../../../test/support/artifacts';
import { writeArtifactLayout } from '../../../test/support/artifact-layout';
import { buildElf } from '../../../test/support/elf-builder';
import { chartArchive } from '../../../test/support/helm-charts';
import { writeZip } from '../../../test/support/zip-writer';
import { BadInputError } from '../../core/errors';
import { HelmMediaType } from '../../oci/artifact-media-types';
import { buildLayerTar } from '../../oci/image-builder';
import type { FetchedManifest, ImageManifest } from '../../oci/manifest';
import { MediaType } from '../../oci/media-types';
import { parseNuspec } from '../catalogers/dotnet/nuspec';
import { parseGemMetadata } from '../catalogers/ruby/gem-archive';
import { isSdistMetadataPath } from '../catalogers/python/archives';
import type { ImageSbom } from '../component';
import { generateSbom } from '../generate';
import { artifactSbom, layerTitle } from './artifact-sbom';
import { isTarHead, sniffLayer } from './sniff';

const run = promisify(execFile);

/** Newtonsoft.Json 13.0.3's nuspec as published on nuget.org (dependency groups trimmed). */
const NEWTONSOFT_NUSPEC = `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata minClientVersion="2.12">
    <id>Newtonsoft.Json</id>
    <version>13.0.3</version>
    <title>Json.NET</title>
    <authors>James Newton-King</authors>
    <license type="expression">MIT</license>
    <licenseUrl>https://licenses.nuget.org/MIT</licenseUrl>
    <icon>packageIcon.png</icon>
    <readme>README.md</readme>
    <projectUrl>https://www.newtonsoft.com/json</projectUrl>
    <description>Json.NET is a popular high-performance JSON framework for .NET</description>
    <copyright>Copyright © James Newton-King 2008</copyright>
    <tags>json</tags>
    <repository type="git" url="https://github.com/JamesNK/Newtonsoft.Json" commit="0a2e291c0d9c0c7675d445703e51750363a549ef" />
    <dependencies>
      <group targetFramework=".NETFramework2.0" />
      <group targetFramework=".NETStandard1.0">
        <dependency id="Microsoft.CSharp" version="4.3.0" exclude="Build,Analyzers" />
        <dependency id="NETStandard.Library" version="1.6.1" exclude="Build,Analyzers" />
      </group>
    </dependencies>
  </metadata>
</package>
`;

let dir: string;
const files: Record<string, Buffer> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-artifact-'));
  const src = path.join(dir, 'src');
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    fs.writeFileSync(path.join(src, rel), text);
  };
  // A real sdist (setuptools), gem (gem build) and npm tarball (npm pack), all built offline.
  put('py/setup.cfg', '[metadata]\nname = acme-widgets\nversion = 1.2.3\ndescription = Widgets for the Acme web shop\nlicense = MIT\n\n[options]\npackages = acme_widgets\n');
  put('py/setup.py', 'from setuptools import setup\nsetup()\n');
  put('py/acme_widgets/__init__.py', '');
  put('rb/acme-widgets.gemspec', "Gem::Specification.new do |s|\n  s.name = 'acme-widgets'\n  s.version = '1.2.3'\n  s.summary = 'Widgets for the Acme web shop'\n  s.authors = ['Acme']\n  s.license = 'MIT'\n  s.files = ['lib/acme_widgets.rb']\nend\n");
  put('rb/lib/acme_widgets.rb', 'module AcmeWidgets; end\n');
  put('js/package.json', JSON.stringify({ name: '@acme/widgets', version: '1.2.3', license: 'MIT', main: 'index.js' }));
  put('js/index.js', 'module.exports = {};\n');
  const quiet = { env: { ...process.env, npm_config_cache: path.join(dir, 'npm-cache'), npm_config_offline: 'true', npm_config_update_notifier: 'false' } };
  await Promise.all([
    run('python3', ['setup.py', '-q', 'sdist', '--formats=gztar'], { cwd: path.join(src, 'py') }),
    run('gem', ['build', 'acme-widgets.gemspec'], { cwd: path.join(src, 'rb') }),
    run('npm', ['pack', '--ignore-scripts', '--silent'], { cwd: path.join(src, 'js'), ...quiet }),
  ]);
  files.sdist = fs.readFileSync(path.join(src, 'py', 'dist', fs.readdirSync(path.join(src, 'py', 'dist'))[0] as string));
  files.gem = fs.readFileSync(path.join(src, 'rb', 'acme-widgets-1.2.3.gem'));
  files.npm = fs.readFileSync(path.join(src, 'js', 'acme-widgets-1.2.3.tgz'));
  files.jar = await buildJar(dir, { group: 'org.apache.commons', artifact: 'commons-text', version: '1.10.0' });
  files.wheel = buildWheel('urllib3', '2.0.7', URLLIB3_METADATA);
  files.nupkg = writeZip([
    { name: '_rels/.rels', data: '<?xml version="1.0" encoding="utf-8"?><Relationships/>' },
    { name: 'Newtonsoft.Json.nuspec', data: NEWTONSOFT_NUSPEC },
    { name: 'lib/netstandard2.0/Newtonsoft.Json.dll', data: Buffer.from('MZ not really') },
  ]);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function sbomOf(layers: Parameters<typeof writeArtifactLayout>[1], opts: Parameters<typeof writeArtifactLayout>[2] = {}): Promise<ImageSbom> {
  const layout = writeArtifactLayout(path.join(dir, `layout-${++n}`), layers, opts);
  const source = await layout.open();
  try {
    const result = await generateSbom(source, 'localhost/x');
    expect(result.images).toHaveLength(1);
    return result.images[0] as ImageSbom;
  } finally {
    await source.close();
  }
}
const purls = (s: ImageSbom) => s.components.map((c) => c.purl);

describe('a single file per layer, read by its own format', () => {
  it.each([
    ['commons-text-1.10.0.jar', 'jar', ['pkg:maven/org.apache.commons/commons-text@1.10.0'], ['commons-text-1.10.0.jar']],
    ['urllib3-2.0.7-py3-none-any.whl', 'wheel', ['pkg:pypi/urllib3@2.0.7'], ['urllib3-2.0.7-py3-none-any.whl']],
    // setuptools writes PKG-INFO twice: at the root and in the egg-info.
    ['acme-widgets-1.2.3.tar.gz', 'sdist', ['pkg:pypi/acme-widgets@1.2.3'], ['acme-widgets-1.2.3.tar.gz!/acme-widgets-1.2.3/PKG-INFO', 'acme-widgets-1.2.3.tar.gz!/acme-widgets-1.2.3/acme_widgets.egg-info/PKG-INFO']],
    ['acme-widgets-1.2.3.tgz', 'npm', ['pkg:npm/%40acme/widgets@1.2.3'], ['acme-widgets-1.2.3.tgz!/package/package.json']],
    ['acme-widgets-1.2.3.gem', 'gem', ['pkg:gem/acme-widgets@1.2.3'], ['acme-widgets-1.2.3.gem!/metadata.gz']],
    ['Newtonsoft.Json.13.0.3.nupkg', 'nupkg', ['pkg:nuget/Newtonsoft.Json@13.0.3'], ['Newtonsoft.Json.13.0.3.nupkg']],
  ])('%s', async (title, key, expected, at) => {
    const s = await sbomOf([{ title, bytes: files[key] as Buffer }], { artifactType: 'application/vnd.acme.package.v1' });
    expect([s.kind, s.gaps]).toEqual(['artifact', []]);
    expect(purls(s)).toEqual(expected);
    expect(s.components[0]?.locations.map((l) => l.path).sort()).toEqual(at);
    expect(s.components[0]?.licenses).toEqual(key === 'jar' || key === 'wheel' ? expect.any(Array) : ['MIT']);
  });

  it('recognises a wheel, a nupkg and a jar by what they hold when the name says nothing', async () => {
    const s = await sbomOf([
      { title: 'a.bin', bytes: files.wheel as Buffer },
      { title: 'b.bin', bytes: files.nupkg as Buffer },
      { title: 'c.bin', bytes: files.jar as Buffer },
    ]);
    expect(purls(s)).toEqual(['pkg:maven/org.apache.commons/commons-text@1.10.0', 'pkg:nuget/Newtonsoft.Json@13.0.3', 'pkg:pypi/urllib3@2.0.7']);
  });

  it('lists unknown content, a zip of nothing known and an empty tar as files: never dropped', async () => {
    const emptyTar = Buffer.alloc(1024);
    const s = await sbomOf([{ title: 'model.onnx', bytes: Buffer.from('ONNX model bytes') }, { title: 'docs.zip', bytes: writeZip([{ name: 'readme.txt', data: 'hi' }]) }, { title: 'empty.tar', bytes: emptyTar }, { bytes: Buffer.from('untitled'), mediaType: 'application/octet-stream' }]);
    expect(s.gaps).toEqual([]);
    expect(s.components.map((c) => [c.name, c.componentType, c.properties?.['file:media-type']])).toEqual([
      [expect.stringMatching(/^blob-[0-9a-f]{12}$/), 'file', 'application/octet-stream'],
      ['docs.zip', 'file', MediaType.ociLayerTar],
      ['empty.tar', 'file', MediaType.ociLayerTar],
      ['model.onnx', 'file', MediaType.ociLayerTar],
    ]);
  });

  it('reads a tar layer as a file tree (ORAS directory pushes), and says what it could not read', async () => {
    const tree = zlib.gzipSync(
      await buildLayerTar([
        { path: 'site/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.21' }) },
        { path: '../../etc/passwd', content: 'root:x:0:0' },
      ]),
    );
    const s = await sbomOf([{ title: 'site', bytes: tree, mediaType: MediaType.ociLayerGzip }]);
    expect(purls(s)).toEqual(['pkg:npm/lodash@4.17.21']);
    expect(s.components[0]?.locations.map((l) => l.path)).toEqual(['site!/site/node_modules/lodash/package.json']);
    expect(s.gaps.map((g) => g.message)).toEqual([expect.stringMatching(/: site!\/\.\.\/\.\.\/etc\/passwd: tar entry escapes the image root; ignored \(packages may be missing\)$/)]);
    // A directory pushed by ORAS (its layer says it unpacks in place) keeps the paths of its tree.
    const dirPush = await sbomOf([{ bytes: tree, mediaType: MediaType.ociLayerGzip, title: 'site', unpack: true }]);
    expect(dirPush.components[0]?.locations.map((l) => l.path)).toEqual(['site/node_modules/lodash/package.json']);
  });

  it('a corrupt compressed tar is one clear error, as for an image layer', async () => {
    const tgz = await chartArchive({ 'a/b.txt': 'x'.repeat(100_000) });
    const broken = Buffer.concat([tgz.subarray(0, 2000), Buffer.alloc(2000, 7)]);
    const layout = writeArtifactLayout(path.join(dir, 'broken'), [{ title: 'x.tar.gz', bytes: broken }]);
    const source = await layout.open();
    try {
      await expect(generateSbom(source, 'localhost/x')).rejects.toThrow(BadInputError);
    } finally {
      await source.close();
    }
  });

  it('an encrypted layer is a gap; a chart manifest without a chart layer is a gap', async () => {
    const s = await sbomOf([{ title: 'a.jar', bytes: files.jar as Buffer }, { bytes: Buffer.from('sealed'), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip+encrypted' }]);
    expect(purls(s)).toEqual(['pkg:maven/org.apache.commons/commons-text@1.10.0']);
    expect(s.gaps.map((g) => g.kind)).toEqual(['layer-skipped']);
    const chart = await sbomOf([{ title: 'notes.txt', bytes: Buffer.from('hi') }], { configMediaType: HelmMediaType.config });
    expect(chart.kind).toBe('chart');
    expect(chart.gaps.map((g) => g.message)).toEqual([expect.stringContaining('has no chart archive layer')]);
  });

  it('reads a chart layer of a chart manifest (the legacy layer type too), and skips its provenance file', async () => {
    const tgz = await chartArchive({ 'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'c/values.yaml': 'image: nginx:1.25\n' });
    const layout = writeArtifactLayout(path.join(dir, 'chart'), [{ bytes: tgz, mediaType: HelmMediaType.chartContentLegacy }, { bytes: Buffer.from('-----BEGIN PGP SIGNED MESSAGE-----'), mediaType: HelmMediaType.provenance }], { configMediaType: HelmMediaType.config });
    const source = await layout.open();
    try {
      const m = (await source.resolve()) as FetchedManifest & { manifest: ImageManifest };
      const s = await artifactSbom(source, m, 'chart');
      expect(purls(s)).toEqual(['pkg:helm/c@0.1.0', 'pkg:oci/nginx?repository_url=docker.io%2Flibrary%2Fnginx&tag=1.25']);
      expect(s.layers.map((l) => l.status)).toEqual(['scanned', 'skipped']);
      expect(s.gaps).toEqual([]);
    } finally {
      await source.close();
    }
  });
});

describe('format details', () => {
  it('sniffs tar (plain, gzip, zstd-less), zip and executables from the first bytes', async () => {
    const tar = await buildLayerTar([{ path: 'a', content: 'b' }]);
    expect(isTarHead(tar)).toBe(true);
    expect(isTarHead(Buffer.alloc(1024))).toBe(true);
    expect(isTarHead(Buffer.alloc(512, 1))).toBe(false);
    expect(await sniffLayer(tar)).toEqual({ kind: 'tar', compression: 'none' });
    expect(await sniffLayer(zlib.gzipSync(tar))).toEqual({ kind: 'tar', compression: 'gzip' });
    expect(await sniffLayer(zlib.gzipSync(Buffer.from('text')))).toEqual({ kind: 'file' });
    expect(await sniffLayer(Buffer.from('not gzip \x1f'))).toEqual({ kind: 'file' });
    expect(await sniffLayer(files.jar as Buffer)).toEqual({ kind: 'zip' });
    expect(await sniffLayer(buildElf({ segments: [{ vaddr: 0x400000, data: Buffer.alloc(64), flags: 5 }] }))).toEqual({ kind: 'executable' });
  });

  it('gem metadata: the Ruby-tagged YAML as data; bombs and junk are warnings', () => {
    const spec = "--- !ruby/object:Gem::Specification\nname: rack\nversion: !ruby/object:Gem::Version\n  version: 3.0.8\nplatform: ruby\nlicenses:\n- MIT\n";
    expect(parseGemMetadata('metadata.gz', zlib.gzipSync(spec)).packages).toEqual([{ ecosystem: 'ruby', name: 'rack', version: '3.0.8', licenses: ['MIT'], metadata: { source: 'metadata.gz' } }]);
    expect(parseGemMetadata('metadata.gz', zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024, 32))).warnings[0]?.message).toMatch(/gem metadata not inflated/);
    expect(parseGemMetadata('metadata.gz', Buffer.from('junk')).warnings[0]?.message).toMatch(/gem metadata not inflated/);
  });

  it('nuspec: id, version, an SPDX licence expression; nothing else taken for them', () => {
    expect(parseNuspec('x.nuspec', Buffer.from(NEWTONSOFT_NUSPEC)).packages).toEqual([{ ecosystem: 'dotnet', name: 'Newtonsoft.Json', version: '13.0.3', licenses: ['MIT'], metadata: { source: 'nuspec' } }]);
    expect(parseNuspec('x.nuspec', Buffer.from('<package><metadata><dependency id="a" version="1"/></metadata></package>')).packages).toEqual([]);
  });

  it('titles: root-relative, never climbing out; a digest-based name when there is none', () => {
    expect(layerTitle({ mediaType: 'x', digest: `sha256:${'ab'.repeat(32)}`, size: 1, annotations: { 'org.opencontainers.image.title': '/opt/app/x.jar' } })).toBe('opt/app/x.jar');
    expect(layerTitle({ mediaType: 'x', digest: `sha256:${'ab'.repeat(32)}`, size: 1, annotations: { 'org.opencontainers.image.title': '../../x.jar' } })).toBe('blob-abababababab');
    expect(isSdistMetadataPath('acme-1.0/PKG-INFO')).toBe(true);
    expect(isSdistMetadataPath('acme-1.0/src/PKG-INFO')).toBe(false);
  });
});
