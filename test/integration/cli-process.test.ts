import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { digestOf } from '../../lambdas/oci/digest';
import { buildImage, writeOciLayout } from '../../lambdas/oci/image-builder';
import { MediaType } from '../../lambdas/oci/media-types';
import { expectOneErrorLine, runCli } from '../support/cli';
import { pushTestImage } from '../support/images';
import { freePort } from '../support/registry';
import { testRegistry, uniqueRepo } from '../support/registry-env';

let work: string;
let env: Record<string, string>;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cli-'));
  env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

async function layout(name: string) {
  const image = await buildImage({ layers: [[{ path: 'etc/hello', content: name }]], labels: { 'org.opencontainers.image.revision': 'cafe' } });
  const dir = path.join(work, name);
  writeOciLayout(dir, [image], { tag: 'v1', root: image.manifest });
  return { dir, image };
}

describe('artifact-guard process', () => {
  it('runs the workflow on a registry image and prints a summary with the digest (exit 0)', async () => {
    const repo = uniqueRepo('cli');
    const image = await pushTestImage(repo, '1.0', { layers: [[{ path: 'x', content: 'x' }]] });
    const res = await runCli(['process', `registry:${testRegistry().host}/${repo}:1.0`], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`${testRegistry().host}/${repo}@${image.manifest.descriptor.digest}`);
    expect(res.stdout).toMatch(/kind\s+image, tag 1\.0/);
    expect(res.stderr).not.toMatch(/Warning/);
    expect(fs.readFileSync(path.join(env.ARTIFACT_GUARD_HOME!, 'alerts.jsonl'), 'utf8')).toContain('Artifact Processed');
  });

  it('reads oci-dir, oci-archive and docker-archive sources', async () => {
    const { dir, image } = await layout('img');
    const digest = image.manifest.descriptor.digest;
    const fromDir = await runCli(['process', `oci-dir:${dir}:v1`, '-o', 'json'], env);
    expect(fromDir.code).toBe(0);
    expect(JSON.parse(fromDir.stdout).artifact.digest).toBe(digest);

    const archive = path.join(work, 'img.tar');
    execFileSync('tar', ['-C', dir, '-cf', archive, '.']);
    const fromArchive = await runCli(['process', `oci-archive:${archive}`, '-o', 'json'], env);
    expect(fromArchive.code).toBe(0);
    expect(JSON.parse(fromArchive.stdout).artifact).toMatchObject({ digest, tag: 'v1' });

    // A legacy `docker save` tarball: manifest.json, config and layer files.
    const save = path.join(work, 'save');
    fs.mkdirSync(path.join(save, 'layer1'), { recursive: true });
    fs.writeFileSync(path.join(save, 'config.json'), image.config.bytes);
    fs.writeFileSync(path.join(save, 'layer1', 'layer.tar'), image.layers[0]!.bytes);
    fs.writeFileSync(path.join(save, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: ['demo/app:2.0'], Layers: ['layer1/layer.tar'] }]));
    const dockerTar = path.join(work, 'docker.tar');
    execFileSync('tar', ['-C', save, '-cf', dockerTar, 'manifest.json', 'config.json', 'layer1/layer.tar']);
    const fromDocker = await runCli(['process', `docker-archive:${dockerTar}`, '-o', 'json'], env);
    expect(fromDocker.code).toBe(0);
    const art = JSON.parse(fromDocker.stdout).artifact;
    expect(art).toMatchObject({ kind: 'image', tag: '2.0', mediaType: MediaType.dockerManifest });
    expect(art.provenance.revision).toBe('cafe');
  });

  it('never loads aws-cdk-lib', async () => {
    const { dir } = await layout('nocdk');
    const probe = path.join(work, 'probe.js');
    fs.writeFileSync(probe, "const M=require('module');const o=M._load;M._load=function(r,...a){if(/aws-cdk-lib|cdk-nag/.test(r))process.stderr.write('LOADED '+r+'\\n');return o.call(this,r,...a)};");
    const res = await runCli(['process', `oci-dir:${dir}`], env, ['-r', probe]);
    expect(res.code).toBe(0);
    expect(res.stderr).not.toContain('LOADED');
  });

  it.each([
    [['process', 'nosuch:/x'], /unknown source scheme "nosuch:"/],
    [['process'], /process: missing SOURCE/],
    [['process', 'oci-dir:/does/not/exist'], /no such file or directory/],
    [['process', '--bogus', 'x'], /process: unknown option --bogus \(usage: artifact-guard process SOURCE/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('rejects bad input %j with one clear line and exit 2', async (args, pattern) => {
    const res = await runCli(args as string[], env);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toMatch(pattern);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails with exit 2 and one line on an unreachable registry and on a malformed manifest', async () => {
    const port = await freePort();
    const dead = await runCli(['process', `127.0.0.1:${port}/app:1`], env);
    expect(dead.code).toBe(2);
    expect(expectOneErrorLine(dead)).toMatch(new RegExp(`registry 127\\.0\\.0\\.1:${port} unreachable: ECONNREFUSED`));

    const { dir } = await layout('broken');
    const bad = Buffer.from('{"schemaVersion": 2, "layers": [');
    const badDigest = digestOf(bad);
    fs.writeFileSync(path.join(dir, 'blobs', 'sha256', badDigest.slice(7)), bad);
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.ociManifest, digest: badDigest, size: bad.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] }));
    const res = await runCli(['process', `oci-dir:${dir}:v1`], env);
    expect(res.code).toBe(2);
    expect(expectOneErrorLine(res)).toMatch(/malformed manifest JSON/);
  });
});
