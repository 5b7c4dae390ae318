/** The first five minutes with the CLI (issue 18, points 1, 2 and 9): help, version, clear errors, local state. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMANDS, type CommandName } from '../../lambdas/cli/command-specs';
import { buildImage, writeOciLayout } from '../../lambdas/oci/image-builder';
import { expectOneErrorLine, runCli } from '../support/cli';

let work: string;
let env: Record<string, string>;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-ux-'));
  env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

async function layout(dir: string, architecture = 'amd64'): Promise<string> {
  const image = await buildImage({ layers: [[{ path: 'etc/hello', content: dir }]], architecture });
  writeOciLayout(dir, [image], { tag: 'v1', root: image.manifest });
  return image.manifest.descriptor.digest;
}

describe('help and version', () => {
  it('--help lists every command; --version prints the package version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version}\n` });
  });

  it.each(Object.keys(COMMANDS) as CommandName[])('%s: help CMD, CMD --help and CMD -h print every flag and an example (exit 0)', async (name) => {
    const outputs = await Promise.all([runCli(['help', name]), runCli([name, '--help']), runCli([name, 'whatever', '-h'])]);
    for (const res of outputs) {
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`usage: artifact-guard ${name} `);
      for (const flag of Object.keys(COMMANDS[name].options)) expect(res.stdout).toContain(`--${flag}`);
      expect(res.stdout).toMatch(/examples:\n {2}artifact-guard /);
    }
    expect(outputs[1]?.stdout).toBe(outputs[0]?.stdout);
  });

  it('an unknown flag names the flag and the usage line, exit 2, no parser internals', async () => {
    const res = await runCli(['sbom', 'oci-dir:/x', '--bogus'], env);
    expect(res.code).toBe(2);
    const line = expectOneErrorLine(res);
    expect(line).toMatch(/^artifact-guard: sbom: unknown option --bogus \(usage: artifact-guard sbom SOURCE \[-o\|--output FORMAT\]/);
    expect(res.stderr).not.toMatch(/ERR_PARSE_ARGS|To specify a positional/);
    const missing = await runCli(['sign', 'localhost:5000/x:1', '--key'], env);
    expect(expectOneErrorLine(missing)).toMatch(/sign: option --key needs a value/);
    const typo = await runCli(['scna'], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "scna" (did you mean "scan"?)');
  });
});

describe('clear source errors', () => {
  it('an unknown scheme suggests the closest known one', async () => {
    const res = await runCli(['sbom', 'ocidir:./build/app'], env);
    expect(res.code).toBe(2);
    expect(expectOneErrorLine(res)).toContain('unknown source scheme "ocidir:" (did you mean "oci-dir:"?); known: registry:, oci-dir:, oci-archive:, docker-archive:, dir:');
    const reg = await runCli(['sbom', 'regsitry:localhost:5000/app:1'], env);
    expect(expectOneErrorLine(reg)).toContain('did you mean "registry:"?');
    expect(reg.stderr).not.toMatch(/Invalid URL/);
  });

  it('a bare path that exists here is suggested as the scheme it is, not looked up on docker.io', async () => {
    const dir = path.join(work, 'app');
    await layout(dir);
    const res = await runCli(['sbom', 'app'], env, [], work);
    expect(res.code).toBe(2);
    expect(expectOneErrorLine(res)).toContain('"app" is a path on this machine, not a registry reference: use "oci-dir:app"');
    fs.writeFileSync(path.join(work, 'image.tar'), 'not really');
    const tar = await runCli(['sbom', './image.tar'], env, [], work);
    expect(expectOneErrorLine(tar)).toContain('use "oci-archive:./image.tar" or "docker-archive:./image.tar"');
  });

  it('--platform on a single-platform image matches its config (and names what it is when it does not)', async () => {
    const dir = path.join(work, 'arm');
    await layout(dir, 'arm64');
    const ok = await runCli(['sbom', `oci-dir:${dir}:v1`, '--platform', 'linux/arm64', '-q'], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).bomFormat).toBe('CycloneDX');
    const wrong = await runCli(['sbom', `oci-dir:${dir}:v1`, '--platform', 'linux/amd64', '-q'], env);
    expect(wrong.code).toBe(2);
    expect(expectOneErrorLine(wrong)).toMatch(/no platform "linux\/amd64" in .* \(the image is: linux\/arm64\)/);
  });
});

describe('local state does not depend on the current directory', () => {
  it('an oci-dir artifact is keyed by its absolute path, whichever folder the command runs in', async () => {
    const dir = path.join(work, 'proj', 'app');
    const digest = await layout(dir);
    const fromProj = await runCli(['process', 'oci-dir:app:v1', '-o', 'json'], env, [], path.join(work, 'proj'));
    const fromRoot = await runCli(['process', 'oci-dir:proj/app:v1', '-o', 'json'], env, [], work);
    for (const res of [fromProj, fromRoot]) expect(res.code).toBe(0);
    const a = JSON.parse(fromProj.stdout).artifact;
    const b = JSON.parse(fromRoot.stdout).artifact;
    expect(a.repositoryName).toBe(b.repositoryName);
    expect(a.repositoryName).toMatch(new RegExp(`^localhost/.*/proj/app$`));
    expect(a.source).toBe(`oci-dir:${dir}:v1`);
    expect(b.duplicate).toBe(true);
    expect(a.digest).toBe(digest);
  });

  it('process dir: is a usage error: nothing recorded, no key generated', async () => {
    const res = await runCli(['process', `dir:${work}`], env);
    expect(res.code).toBe(2);
    expect(expectOneErrorLine(res)).toContain('is a directory, not an OCI artifact');
    expect(fs.existsSync(path.join(work, 'home', 'alerts.jsonl'))).toBe(false);
    expect(fs.existsSync(path.join(work, 'home', 'dev-signing-key.pem'))).toBe(false);
  });
});
