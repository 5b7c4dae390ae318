import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DefaultRegistryCredentials } from '../../../lambdas/adapters/default-registry-credentials';
import { DockerConfigCredentials } from '../../../lambdas/adapters/local/docker-config-credentials';
import { BadInputError, UnavailableError } from '../../../lambdas/core/errors';
import type { RegistryCredentialProvider } from '../../../lambdas/ports/registry-credentials';
import { basicAuth, writeCredentialHelper, writeDockerConfig } from '../../support/credential-helper';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-docker-config-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let n = 0;

/** A fresh DOCKER_CONFIG directory whose bin/ holds fake helpers and is first on PATH. */
function setup(config: unknown) {
  n += 1;
  const dir = path.join(work, `c${n}`);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const file = writeDockerConfig(dir, config);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  return { dir, bin, file, env, provider: new DockerConfigCredentials({ file, env }) };
}

describe('DockerConfigCredentials: auths', () => {
  it('reads auth (base64 user:password), username/password and identitytoken, by host or URL key', async () => {
    const { provider } = setup({
      auths: {
        'registry.example.com': { auth: basicAuth('ci', 'pa:ss') },
        'https://other.example.com/v1/': { username: 'u', password: 'p' },
        'https://index.docker.io/v1/': { auth: basicAuth('hubuser', 'hubpass') },
        'token.example.com': { auth: basicAuth('someone', ''), identitytoken: 'refresh-me' },
        'empty.example.com': {},
      },
    });
    expect(await provider.credentialsFor('registry.example.com')).toEqual({ username: 'ci', password: 'pa:ss' });
    expect(await provider.credentialsFor('other.example.com')).toEqual({ username: 'u', password: 'p' });
    expect(await provider.credentialsFor('docker.io')).toEqual({ username: 'hubuser', password: 'hubpass' });
    expect(await provider.credentialsFor('token.example.com')).toEqual({ username: 'someone', password: '', identityToken: 'refresh-me' });
    expect(await provider.credentialsFor('empty.example.com')).toBeUndefined();
    expect(await provider.credentialsFor('unknown.example.com')).toBeUndefined();
  });

  it('no file is no credentials; a malformed one is one clear error naming it', async () => {
    expect(await new DockerConfigCredentials({ file: path.join(work, 'none', 'config.json') }).credentialsFor('x.io')).toBeUndefined();
    const { provider, file } = setup('{"auths": {');
    await expect(provider.credentialsFor('x.io')).rejects.toThrow(BadInputError);
    await expect(provider.credentialsFor('x.io')).rejects.toThrow(`docker config ${file} is not valid JSON`);
  });

  it('defaults to $DOCKER_CONFIG/config.json', async () => {
    const { dir } = setup({ auths: { 'env.example.com': { auth: basicAuth('a', 'b') } } });
    expect(await new DockerConfigCredentials({ env: { DOCKER_CONFIG: dir } }).credentialsFor('env.example.com')).toEqual({ username: 'a', password: 'b' });
  });
});

describe('DockerConfigCredentials: credential helpers', () => {
  it('credHelpers for the host, then credsStore, then auths; each helper gets the server URL alone on stdin', async () => {
    const { bin, provider } = setup({
      credHelpers: { 'registry.example.com': 'per-host' },
      credsStore: 'store',
      auths: { 'registry.example.com': { auth: basicAuth('from', 'auths') }, 'only-auths.example.com': { auth: basicAuth('from', 'auths') } },
    });
    const perHost = writeCredentialHelper(bin, 'per-host', { username: 'helper-user', secret: 'helper-secret' });
    const store = writeCredentialHelper(bin, 'store', 'not-found');
    expect(await provider.credentialsFor('registry.example.com')).toEqual({ username: 'helper-user', password: 'helper-secret' });
    expect(perHost.calls()).toEqual(['registry.example.com']);
    expect(store.calls()).toEqual([]);
    // credsStore has nothing for this host: auths answers.
    expect(await provider.credentialsFor('only-auths.example.com')).toEqual({ username: 'from', password: 'auths' });
    expect(store.calls()).toEqual(['only-auths.example.com']);
    expect(perHost.calls()).toHaveLength(1);
  });

  it('asks for Docker Hub as docker does (https://index.docker.io/v1/); <token> means an identity token', async () => {
    const { bin, provider } = setup({ credsStore: 'desktop' });
    const desktop = writeCredentialHelper(bin, 'desktop', { username: '<token>', secret: 'oauth-refresh-token' });
    expect(await provider.credentialsFor('docker.io')).toEqual({ username: '', password: '', identityToken: 'oauth-refresh-token' });
    expect(desktop.calls()).toEqual(['https://index.docker.io/v1/']);
  });

  it('"credentials not found" is none; any other failure is one error naming the helper', async () => {
    const { bin, provider, file } = setup({
      credHelpers: { 'none.example.com': 'empty', 'broken.example.com': 'broken', 'gone.example.com': 'gone', 'garbled.example.com': 'garbled' },
    });
    writeCredentialHelper(bin, 'empty', 'not-found');
    writeCredentialHelper(bin, 'broken', { fail: 'error getting credentials - err: exit status 1, out: `GDBus.Error: the keyring is locked`', exitCode: 3 });
    writeCredentialHelper(bin, 'garbled', { raw: 'Username: x' });
    expect(await provider.credentialsFor('none.example.com')).toBeUndefined();
    await expect(provider.credentialsFor('broken.example.com')).rejects.toThrow(
      new UnavailableError(
        `docker credential helper docker-credential-broken (credHelpers["broken.example.com"] in ${file}) failed for broken.example.com (exit 3): error getting credentials - err: exit status 1, out: \`GDBus.Error: the keyring is locked\``,
      ),
    );
    await expect(provider.credentialsFor('gone.example.com')).rejects.toThrow(
      `docker credential helper docker-credential-gone (credHelpers["gone.example.com"] in ${file}) is not installed or not on PATH`,
    );
    await expect(provider.credentialsFor('garbled.example.com')).rejects.toThrow(/docker-credential-garbled .* answered garbled\.example\.com with something that is not JSON/);
    const { provider: odd } = setup({ credsStore: '../../bin/sh' });
    await expect(odd.credentialsFor('x.io')).rejects.toThrow('docker credential helper "../../bin/sh" (credsStore in');
  });
});

describe('DefaultRegistryCredentials', () => {
  const ecrHost = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

  function withEcr(config: unknown, answer: RegistryCredentialProvider['credentialsFor']) {
    const { file, env, bin } = setup(config);
    const regions: string[] = [];
    const provider = new DefaultRegistryCredentials({
      docker: { file, env },
      ecr: async (region) => {
        regions.push(region);
        return { credentialsFor: answer };
      },
    });
    return { provider, regions, bin };
  }

  it('asks ECR (in the host\'s region) only for ECR hosts the docker config has nothing for', async () => {
    const { provider, regions } = withEcr({ auths: { 'ghcr.io': { auth: basicAuth('gh', 'pat') } } }, async () => ({ username: 'AWS', password: 'ecr-token' }));
    expect(await provider.credentialsFor('ghcr.io')).toEqual({ username: 'gh', password: 'pat' });
    expect(await provider.credentialsFor('quay.io')).toBeUndefined();
    expect(regions).toEqual([]);
    expect(await provider.credentialsFor(ecrHost)).toEqual({ username: 'AWS', password: 'ecr-token' });
    expect(await provider.credentialsFor('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toEqual({ username: 'AWS', password: 'ecr-token' });
    expect(regions).toEqual(['eu-west-1', 'cn-north-1']);
  });

  it('a docker credential for an ECR host wins (docker-credential-ecr-login, docker login); a helper runs once per registry', async () => {
    const { provider, regions, bin } = withEcr({ credHelpers: { [ecrHost]: 'ecr-login' } }, async () => ({ username: 'AWS', password: 'sdk' }));
    const helper = writeCredentialHelper(bin, 'ecr-login', { username: 'AWS', secret: 'from-helper' });
    expect(await provider.credentialsFor(ecrHost)).toEqual({ username: 'AWS', password: 'from-helper' });
    expect(await provider.credentialsFor(ecrHost)).toEqual({ username: 'AWS', password: 'from-helper' });
    expect(helper.calls()).toEqual([ecrHost]);
    expect(regions).toEqual([]);
  });

  it('no AWS credentials for an ECR host: one error with how to log in', async () => {
    const { provider } = withEcr({}, async () => {
      throw new Error('Could not load credentials from any providers');
    });
    const failure = provider.credentialsFor(ecrHost);
    await expect(failure).rejects.toThrow(UnavailableError);
    await expect(failure).rejects.toThrow(
      `no credentials for ${ecrHost}: none in the docker config, and ecr:GetAuthorizationToken with the AWS SDK's default credentials failed (Could not load credentials from any providers); log in with: aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin ${ecrHost}`,
    );
  });
});
