import * as fs from 'node:fs';
import * as path from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { DefaultRegistryCredentials } from '../../lambdas/adapters/default-registry-credentials';
import { UnavailableError } from '../../lambdas/core/errors';
import { RegistryClient } from '../../lambdas/oci/registry-client';
import type { AuthProxy } from '../support/auth-proxy';
import { startAuthProxy } from '../support/auth-proxy';
import { expectOneErrorLine, runCli } from '../support/cli';
import { basicAuth, writeCredentialHelper, writeDockerConfig } from '../support/credential-helper';
import { pushTestImage } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';
import { p256Key, tempDir, writeKey } from '../unit/signing/helpers';

/**
 * Registry credentials as other tools find them, against the test registry behind an auth
 * proxy: Basic auth (htpasswd style, as ECR and many private registries answer) or the token
 * protocol. The CLI runs with DOCKER_CONFIG pointing at a config the test writes and PATH
 * starting with a folder of fake `docker-credential-*` helpers.
 */
const reg = testRegistry();
const work = tempDir('creds');
const key = writeKey(work, 'signer', p256Key());
let basic: AuthProxy;
let digest: string;
const repo = uniqueRepo('creds');

beforeAll(async () => {
  const image = await pushTestImage(repo, 'v1', { layers: [[{ path: 'etc/creds', content: repo }]] });
  digest = image.manifest.descriptor.digest;
  basic = await startAuthProxy({ upstream: reg.host, username: 'ci', password: 's3cret', scheme: 'basic' });
});
afterAll(async () => {
  await basic.close();
  fs.rmSync(work, { recursive: true, force: true });
});

let n = 0;
/** A DOCKER_CONFIG folder with this config and a bin/ folder for helpers; the CLI's env for it. */
function dockerConfig(config: unknown) {
  n += 1;
  const dir = path.join(work, `docker-${n}`);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const file = writeDockerConfig(dir, config);
  return { dir, bin, file, env: { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH ?? ''}` } };
}

describe('artifact-guard reads registry credentials as docker does (Basic auth registry)', () => {
  it('(a) auths: sign pushes its signature with the stored user and password', async () => {
    const { env } = dockerConfig({ auths: { [basic.host]: { auth: basicAuth('ci', 's3cret') } } });
    const res = await runCli(['sign', `${basic.host}/${repo}:v1`, '--key', key.priv], env);
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
    expect(res.stdout).toContain(digest);
  });

  it('(b) credHelpers for the host beats credsStore, which beats auths; both run `get` with the host on stdin', async () => {
    const { env, bin } = dockerConfig({
      credHelpers: { [basic.host]: 'team' },
      credsStore: 'desktop',
      auths: { [basic.host]: { auth: basicAuth('ci', 'stale') } },
    });
    const team = writeCredentialHelper(bin, 'team', { username: 'ci', secret: 's3cret' });
    const desktop = writeCredentialHelper(bin, 'desktop', { username: 'ci', secret: 'wrong' });
    const res = await runCli(['sign', `${basic.host}/${repo}:v1`, '--key', key.priv], env);
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
    expect(team.calls()).toEqual([basic.host]);
    expect(desktop.calls()).toEqual([]);

    // credsStore alone (auths has only the empty entry docker login leaves with a store).
    const store = dockerConfig({ credsStore: 'desktop', auths: { [basic.host]: {} } });
    const onlyStore = writeCredentialHelper(store.bin, 'desktop', { username: 'ci', secret: 's3cret' });
    const viaStore = await runCli(['sign', `${basic.host}/${repo}:v1`, '--key', key.priv], store.env);
    expect({ code: viaStore.code, stderr: viaStore.stderr }).toEqual({ code: 0, stderr: '' });
    expect(onlyStore.calls()).toEqual([basic.host]);
  });

  it('(c) a helper with no credentials: the 401 is one line that says how to log in', async () => {
    const { env, bin } = dockerConfig({ credsStore: 'secretservice' });
    writeCredentialHelper(bin, 'secretservice', 'not-found');
    const res = await runCli(['sign', `${basic.host}/${repo}:v1`, '--key', key.priv], env);
    expect(res.code).toBe(2);
    expect(expectOneErrorLine(res)).toMatch(new RegExp(`HTTP 401.*: not authorized \\(no credentials found\\); log in with: docker login ${basic.host.replace(/\./g, '\\.')}$`));

    // Stored credentials that the registry refuses say so, with the same hint.
    const stale = dockerConfig({ auths: { [basic.host]: { auth: basicAuth('ci', 'expired') } } });
    const refused = await runCli(['sbom', `${basic.host}/${repo}:v1`, '-o', 'table'], { ...stale.env, ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') });
    expect(refused.code).toBe(2);
    expect(expectOneErrorLine(refused)).toContain(`not authorized (the credentials were refused); log in with: docker login ${basic.host}`);
  });

  it('a helper that fails for another reason is one error naming it', async () => {
    const { env, bin } = dockerConfig({ credHelpers: { [basic.host]: 'pass' } });
    writeCredentialHelper(bin, 'pass', { fail: 'gpg: decryption failed: No secret key', exitCode: 2 });
    const res = await runCli(['sign', `${basic.host}/${repo}:v1`, '--key', key.priv], env);
    expect(res.code).toBe(2);
    expect(expectOneErrorLine(res)).toContain(`docker credential helper docker-credential-pass (credHelpers["${basic.host}"] in ${path.join(env.DOCKER_CONFIG, 'config.json')}) failed for ${basic.host} (exit 2): gpg: decryption failed: No secret key`);
    const missing = dockerConfig({ credsStore: 'osxkeychain' });
    const gone = await runCli(['sign', `${basic.host}/${repo}:v1`, '--key', key.priv], missing.env);
    expect(expectOneErrorLine(gone)).toContain('docker credential helper docker-credential-osxkeychain (credsStore in');
    expect(expectOneErrorLine(gone)).toContain('is not installed or not on PATH');
  });
});

describe('identity tokens (helper Username "<token>") on a token-auth registry', () => {
  it('are exchanged at the token server with an OAuth2 refresh_token grant', async () => {
    const proxy = await startAuthProxy({ upstream: reg.host, username: 'ci', password: 's3cret', identityToken: 'refresh-abc' });
    try {
      const { file, bin } = dockerConfig({ credHelpers: { [proxy.host]: 'sso' } });
      writeCredentialHelper(bin, 'sso', { username: '<token>', secret: 'refresh-abc' });
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
      const client = new RegistryClient({ registry: proxy.host, credentials: new DefaultRegistryCredentials({ docker: { file, env } }) });
      expect((await client.getManifest(repo, 'v1')).digest).toBe(digest);
      expect(proxy.tokenRequests).toEqual([expect.stringMatching(/^POST \/token .*grant_type=refresh_token&refresh_token=refresh-abc/)]);
      expect(proxy.tokenRequests[0]).toContain(`scope=repository%3A${repo}%3Apull`);
      expect(proxy.tokenRequests[0]).toContain('service=test-registry');

      // Anonymous on a token-auth registry: the token server's 401 carries the hint too.
      const anonymous = new RegistryClient({ registry: proxy.host, credentials: new DefaultRegistryCredentials({ docker: { file: path.join(work, 'nothing.json') } }) });
      await expect(anonymous.getManifest(repo, 'v1')).rejects.toThrow(`wants credentials for ${proxy.host}: HTTP 401: not authorized; log in with: docker login ${proxy.host}`);
    } finally {
      await proxy.close();
    }
  });
});

describe('(d) ECR hosts without a docker credential: ecr:GetAuthorizationToken (AWS SDK, mocked)', () => {
  const ecrHost = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
  let ecrProxy: AuthProxy;
  beforeAll(async () => {
    // ECR answers Basic challenges and takes AWS / the token's password.
    ecrProxy = await startAuthProxy({ upstream: reg.host, username: 'AWS', password: 'ecr-password-from-token', scheme: 'basic' });
  });
  afterAll(() => ecrProxy.close());

  /** The ECR host's HTTPS URLs, sent to the local proxy instead. */
  const toProxy: typeof fetch = (input, init) => fetch(String(input).replace(`https://${ecrHost}`, `http://${ecrProxy.host}`), init);

  it('uses the token from GetAuthorizationToken in the host\'s region, once, and the SDK only for ECR', async () => {
    const ecr = mockClient(ECRClient);
    try {
      // The response as the ECR API reference documents it: base64 "AWS:<password>", expiry, endpoint.
      ecr.on(GetAuthorizationTokenCommand).resolves({
        authorizationData: [
          { authorizationToken: Buffer.from('AWS:ecr-password-from-token').toString('base64'), expiresAt: new Date(Date.now() + 12 * 3600_000), proxyEndpoint: `https://${ecrHost}` },
        ],
      });
      const { file } = dockerConfig({ auths: { 'ghcr.io': { auth: basicAuth('someone', 'else') } } });
      const credentials = new DefaultRegistryCredentials({ docker: { file } });
      const client = new RegistryClient({ registry: ecrHost, credentials, fetch: toProxy });
      expect((await client.getManifest(repo, 'v1')).digest).toBe(digest);
      expect((await client.getManifest(repo, digest)).digest).toBe(digest);
      const calls = ecr.commandCalls(GetAuthorizationTokenCommand);
      expect(calls).toHaveLength(1);
      expect(await (calls[0]!.thisValue as ECRClient).config.region()).toBe('eu-west-1');
      // A non-ECR host never reaches the SDK.
      expect(await credentials.credentialsFor(basic.host)).toBeUndefined();
      expect(ecr.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
    } finally {
      ecr.restore();
    }
  });

  it('a token the registry refuses, or no AWS credentials: one line with the ECR login command', async () => {
    const hint = `log in with: aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin ${ecrHost}`;
    const ecr = mockClient(ECRClient);
    try {
      const { file } = dockerConfig({});
      ecr.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: Buffer.from('AWS:expired').toString('base64'), expiresAt: new Date(Date.now() + 3600_000) }] });
      const refused = new RegistryClient({ registry: ecrHost, credentials: new DefaultRegistryCredentials({ docker: { file } }), fetch: toProxy });
      await expect(refused.getManifest(repo, 'v1')).rejects.toThrow(`HTTP 401: not authorized (the credentials were refused); ${hint}`);

      ecr.reset();
      ecr.on(GetAuthorizationTokenCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
      const noAws = new RegistryClient({ registry: ecrHost, credentials: new DefaultRegistryCredentials({ docker: { file } }), fetch: toProxy });
      const failure = noAws.getManifest(repo, 'v1');
      await expect(failure).rejects.toThrow(UnavailableError);
      // The SDK's error as the AWS error classifier words it, then how to log in.
      await expect(failure).rejects.toThrow(/ecr:GetAuthorizationToken with the AWS SDK's default credentials failed \(.*Could not load credentials from any providers.*\); log in with: /);
      await expect(failure).rejects.toThrow(hint);
    } finally {
      ecr.restore();
    }
  });
});
