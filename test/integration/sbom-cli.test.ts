import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildImage, buildIndex, pushImage, writeOciLayout } from '../../lambdas/oci/image-builder';
import type { LayerEntry } from '../../lambdas/oci/image-builder';
import { MediaType } from '../../lambdas/oci/media-types';
import { validateCycloneDx } from '../../lambdas/sbom/writers/cyclonedx-validate';
import { expectOneErrorLine, runCli } from '../support/cli';
import { writeImageLayout } from '../support/image-layout';
import { registrySource } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';
import { validateSpdx23 } from '../support/spdx-schema';
import { flipBits } from '../support/bytes';

let work: string;
let env: Record<string, string>;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-sbomcli-'));
  env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const base: LayerEntry[] = [
  { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
  { path: 'usr/lib/os-release', content: 'PRETTY_NAME="Alpine Linux v3.19"\nID=alpine\nVERSION_ID=3.19.1\n' },
  {
    path: 'lib/apk/db/installed',
    content: 'C:Q1abc=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nL:MIT\no:musl\n\nC:Q1def=\nP:zlib\nV:1.3.1-r0\nA:x86_64\nL:Zlib\no:zlib\n\n',
  },
];
const app: LayerEntry[] = [
  { path: 'app/package.json', content: '{"name":"my-app","version":"9.9.9"}' },
  { path: 'app/node_modules/@scope/util/package.json', content: '{"name":"@scope/util","version":"2.0.0","license":"Apache-2.0 OR MIT"}' },
  { path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21","license":"MIT"}' },
];

function layout(name: string, layers: LayerEntry[][]) {
  return buildImage({ layers }).then((image) => {
    const dir = path.join(work, name);
    writeOciLayout(dir, [image], { tag: 'v1', root: image.manifest });
    return { dir, image };
  });
}

describe('artifact-guard sbom', () => {
  it('writes a schema-valid CycloneDX 1.6 document describing the image and its packages', async () => {
    const { dir, image } = await layout('alpine-app', [base, app]);
    const res = await runCli(['sbom', `oci-dir:${dir}:v1`], env);
    expect(res.code).toBe(0);
    expect(await validateCycloneDx(res.stdout)).toEqual([]);
    const bom = JSON.parse(res.stdout);
    expect(bom.specVersion).toBe('1.6');
    expect(bom.metadata.component).toMatchObject({ type: 'container', version: image.manifest.descriptor.digest });
    const purls = bom.components.map((c: { purl: string }) => c.purl).sort();
    expect(purls).toEqual([
      'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1',
      'pkg:apk/alpine/zlib@1.3.1-r0?arch=x86_64&distro=alpine-3.19.1',
      'pkg:npm/%40scope/util@2.0.0',
      'pkg:npm/lodash@4.17.21',
    ]);
    const util = bom.components.find((c: { name: string }) => c.name === 'util');
    expect(util.licenses).toEqual([{ expression: 'Apache-2.0 OR MIT' }]);
    const props = Object.fromEntries(util.properties.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(props['artifact-guard:location:0:path']).toBe('/app/node_modules/@scope/util/package.json');
    expect(props['artifact-guard:layer:introduced']).toBe(image.layers[1]!.descriptor.digest);
  });

  it('writes SPDX 2.3 that validates against the SPDX JSON schema, and a table', async () => {
    const { dir } = await layout('alpine-app', [base, app]);
    const spdx = await runCli(['sbom', `oci-dir:${dir}`, '-o', 'spdx-json'], env);
    expect(spdx.code).toBe(0);
    const doc = JSON.parse(spdx.stdout);
    expect(validateSpdx23(doc)).toEqual([]);
    expect(doc.packages).toHaveLength(5);
    expect(doc.relationships.filter((r: { relationshipType: string }) => r.relationshipType === 'CONTAINS')).toHaveLength(4);
    const table = await runCli(['sbom', `oci-dir:${dir}`, '-o', 'table'], env);
    expect(table.stdout).toMatch(/^musl\s+1\.2\.4_git20230717-r4\s+apk\s+MIT$/m);
    expect(table.stdout).toContain('4 component(s)');
  });

  it('catalogs a plain directory (dir:) and writes --file', async () => {
    const root = path.join(work, 'rootfs');
    for (const e of app) {
      fs.mkdirSync(path.dirname(path.join(root, e.path)), { recursive: true });
      fs.writeFileSync(path.join(root, e.path), e.content as string);
    }
    const out = path.join(work, 'dir.cdx.json');
    const res = await runCli(['sbom', `dir:${root}`, '--file', out], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    const bom = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(bom.components.map((c: { name: string }) => c.name).sort()).toEqual(['lodash', 'util']);
  });

  it('gives one SBOM per platform of a multi-arch index in the registry', async () => {
    const repo = uniqueRepo('sbom');
    const amd = await buildImage({ layers: [base], architecture: 'amd64' });
    const arm = await buildImage({ layers: [[...base.slice(0, 2), { path: 'lib/apk/db/installed', content: 'P:busybox\nV:1.36.1-r15\nA:aarch64\n\n' }]], architecture: 'arm64' });
    const writer = registrySource(repo).writer;
    await pushImage(writer, amd, undefined);
    await pushImage(writer, arm, undefined);
    await writer.putManifest('multi', buildIndex([{ image: amd, architecture: 'amd64' }, { image: arm, architecture: 'arm64' }]).bytes, MediaType.ociIndex);
    const out = path.join(work, 'multi.json');
    const res = await runCli(['sbom', `${testRegistry().host}/${repo}:multi`, '--file', out], env);
    expect(res.code).toBe(0);
    const amdBom = JSON.parse(fs.readFileSync(path.join(work, 'multi.linux-amd64.json'), 'utf8'));
    const armBom = JSON.parse(fs.readFileSync(path.join(work, 'multi.linux-arm64.json'), 'utf8'));
    expect(amdBom.metadata.component.version).toBe(amd.manifest.descriptor.digest);
    expect(armBom.components.map((c: { name: string }) => c.name)).toEqual(['busybox']);
    const one = await runCli(['sbom', `${testRegistry().host}/${repo}:multi`, '--platform', 'linux/arm64', '-o', 'table'], env);
    expect(one.stdout).toContain('busybox');
    expect(one.stdout).not.toContain('musl');
  });

  it('reuses cached layers: a warm run and an image sharing its base only read new layers, with identical output', async () => {
    const { dir } = await layout('cached', [base, app]);
    const cold = await runCli(['sbom', `oci-dir:${dir}`, '-o', 'table'], env);
    expect(cold.stderr.match(/reading layer/g)).toHaveLength(2);
    const warm = await runCli(['sbom', `oci-dir:${dir}`, '-o', 'table'], env);
    expect(warm.stderr).not.toMatch(/reading layer/);
    expect(warm.stdout).toBe(cold.stdout);
    const { dir: dir2 } = await layout('cached2', [base, [...app, { path: 'app/node_modules/left-pad/package.json', content: '{"name":"left-pad","version":"1.3.0"}' }]]);
    const next = await runCli(['sbom', `oci-dir:${dir2}`, '-o', 'table'], env);
    expect(next.stderr.match(/reading layer/g)).toHaveLength(1);
    const fresh = await runCli(['sbom', `oci-dir:${dir2}`, '-o', 'table'], { ...env, ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'empty-cache') });
    expect(fresh.stderr.match(/reading layer/g)).toHaveLength(2);
    expect(next.stdout.replace(/^\S+@sha256:\S+/m, '')).toBe(fresh.stdout.replace(/^\S+@sha256:\S+/m, ''));
  });

  it('says what it did not inventory: stderr lines (even with -q), the documents, after the table; exit code 0', async () => {
    const dir = path.join(work, 'gaps');
    const padded = Buffer.concat([Buffer.from('{"name":"lodash","version":"4.17.20",'), Buffer.alloc(1024 * 1024, 0x20), Buffer.from('"x":1}')]);
    const gappy = await writeImageLayout(dir, [base, { mediaType: 'application/x-foo', bytes: Buffer.from('hidden') }, [{ path: 'app/node_modules/lodash/package.json', content: padded }]]);
    const [, foo, npm] = gappy.layers.map((l) => l.digest);
    const gapLines = [
      `warning: incomplete inventory: layer ${foo} has media type application/x-foo, not a filesystem layer: its content was not inventoried`,
      `warning: incomplete inventory: layer ${npm}: app/node_modules/lodash/package.json was not inventoried (${padded.length} bytes, more than the 1048576 read for npm)`,
    ];
    const res = await runCli(['sbom', `oci-dir:${dir}`, '-q'], env);
    expect(res.code).toBe(0);
    expect(res.stderr.split('\n').filter((l) => l.startsWith('warning: incomplete inventory:'))).toEqual(gapLines);
    expect(await validateCycloneDx(res.stdout)).toEqual([]);
    const bom = JSON.parse(res.stdout);
    expect(bom.compositions).toEqual([{ aggregate: 'incomplete', assemblies: [bom.metadata.component['bom-ref']] }]);
    expect(bom.metadata.properties.filter((p: { name: string }) => p.name === 'artifact-guard:gap')).toHaveLength(2);
    const spdx = await runCli(['sbom', `oci-dir:${dir}`, '-o', 'spdx-json'], env);
    const doc = JSON.parse(spdx.stdout);
    expect(validateSpdx23(doc)).toEqual([]);
    expect(doc.comment).toContain(`layer ${foo} has media type application/x-foo`);
    const table = await runCli(['sbom', `oci-dir:${dir}`, '-o', 'table'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`2 component(s)\nincomplete inventory: this SBOM does not cover\n  layer ${foo} has media type`);
    const complete = await runCli(['sbom', `oci-dir:${(await layout('complete', [base])).dir}`], env);
    expect(complete.stderr).not.toMatch(/incomplete inventory/);
    expect(JSON.parse(complete.stdout).compositions[0].aggregate).toBe('complete');
  });

  it('refuses a tampered layer-cache entry: one warning, the layer read again, the same SBOM', async () => {
    const { dir, image } = await layout('tamper-cache', [base, app]);
    const cold = await runCli(['sbom', `oci-dir:${dir}`, '-o', 'table'], env);
    const key = path.join(env.ARTIFACT_GUARD_HOME!, 'cache-mac.key');
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    const baseDigest = image.layers[0]!.descriptor.digest;
    const entry = (fs.readdirSync(env.ARTIFACT_GUARD_CACHE_DIR!, { recursive: true }) as string[]).find((f) => f.endsWith(`${baseDigest.slice(7)}.catalog`));
    const file = path.join(env.ARTIFACT_GUARD_CACHE_DIR!, entry!);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"name":"musl"', '"name":"muzl"'));
    const warm = await runCli(['sbom', `oci-dir:${dir}`, '-o', 'table', '-q'], env);
    expect(warm.stderr).toBe(`warning: layer cache entry for ${baseDigest} refused (MAC does not match); reading the layer again\n`);
    expect(warm.stdout).toBe(cold.stdout);
    const again = await runCli(['sbom', `oci-dir:${dir}`, '-o', 'table'], env);
    expect(again.stderr).not.toMatch(/reading layer|refused/);
  });

  it('fails with one clear line on a layer whose bytes do not match its digest', async () => {
    const { dir, image } = await layout('tampered', [base]);
    const blob = path.join(dir, 'blobs', 'sha256', image.layers[0]!.descriptor.digest.slice(7));
    const bytes = fs.readFileSync(blob);
    flipBits(bytes, -5, 0x01);
    fs.writeFileSync(blob, bytes);
    const res = await runCli(['sbom', `oci-dir:${dir}`], env);
    expect(res.code).toBe(2);
    expect(expectOneErrorLine(res)).toMatch(/does not match|corrupt or truncated/);
  });
});
