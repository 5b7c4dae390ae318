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

  describe('--fail-on: exit 1 when the verdict fails or is incomplete, 0 when the workflow ran to the end and passed', () => {
    const RECORDS = path.join(__dirname, '..', 'fixtures', 'osv', 'records');
    // musl 1.2.4_git20230717-r4 is affected by ALPINE-CVE-2025-26519 (high), fixed in -r5.
    async function alpine(name: string, muslRelease: string) {
      const apk = `C:Q1abc=\nP:musl\nV:1.2.4_git20230717-${muslRelease}\nA:x86_64\nL:MIT\no:musl\n\n`;
      const image = await buildImage({ layers: [[{ path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' }, { path: 'lib/apk/db/installed', content: apk }]] });
      const dir = path.join(work, name);
      writeOciLayout(dir, [image], { tag: 'v1', root: image.manifest });
      return `oci-dir:${dir}:v1`;
    }
    // A fresh home per run: a digest processed before only gets tag bookkeeping.
    const run = (args: string[], home: string, extra: Record<string, string | undefined> = {}) =>
      runCli(['process', ...args], { ...env, ARTIFACT_GUARD_HOME: path.join(work, home), ARTIFACT_GUARD_OSV_DIR: undefined, ARTIFACT_GUARD_OSV_API: undefined, ARTIFACT_GUARD_OSV_API_URL: undefined, ...extra });

    it('fail: a finding at the threshold', async () => {
      const src = await alpine('vulnerable', 'r4');
      const res = await run([src, '--osv-dir', RECORDS, '--fail-on', 'high'], 'h1');
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/scan\s+FAIL at threshold high/);
      expect(res.stderr).toContain('artifact-guard: process: the verdict is fail');
      // Without --fail-on nobody asked for a gate: the same verdict is reported, exit 0.
      const report = await run([src, '--osv-dir', RECORDS], 'h2');
      expect([report.code, /scan\s+FAIL at threshold high/.test(report.stdout)]).toEqual([0, true]);
    });

    it('incomplete: no vulnerability data to scan against', async () => {
      const res = await run([await alpine('nodata', 'r5'), '--fail-on', 'critical'], 'h3');
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/scan\s+INCOMPLETE at threshold critical: no vulnerability data source is configured/);
      expect(res.stderr).toContain('artifact-guard: process: the verdict is incomplete');
    });

    it('pass: every component scanned, nothing at the threshold', async () => {
      const res = await run([await alpine('fixed', 'r5'), '--osv-dir', RECORDS, '--fail-on', 'high'], 'h4');
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/scan\s+PASS at threshold high/);
      expect(res.stderr).not.toContain('the verdict is');
    });
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
