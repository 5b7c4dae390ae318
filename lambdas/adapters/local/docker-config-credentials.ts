import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BadInputError, UnavailableError } from '../../core/errors';
import type { RegistryCredentialProvider, RegistryCredentials } from '../../ports/registry-credentials';

/** The key docker uses for Docker Hub in `auths`, `credHelpers` and its credential helpers. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
/** What a helper prints (exit non-zero) when it holds nothing for the server: none, not an error. */
const NOT_FOUND = 'credentials not found in native keychain';
/** The username a helper answers with when the secret is an identity token. */
const IDENTITY_TOKEN_USER = '<token>';
const MAX_HELPER_OUTPUT = 1 << 20;
const HELPER_TIMEOUT_MS = 120_000;

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: unknown;
  credHelpers?: Record<string, unknown>;
}

export interface DockerConfigOptions {
  /** @default `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` */
  readonly file?: string;
  /** Environment of credential helpers (PATH finds them). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export function defaultDockerConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG ? path.join(env.DOCKER_CONFIG, 'config.json') : path.join(os.homedir(), '.docker', 'config.json');
}

/** docker's registry.ConvertToHostname: `https://host/v1/` → `host`. */
function hostnameOf(key: string): string {
  const bare = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  return bare.split('/')[0] ?? bare;
}

const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const sameRegistry = (a: string, b: string) => a === b || (HUB_HOSTS.has(a) && HUB_HOSTS.has(b));

/**
 * Credentials from docker's config file, looked up as docker looks them up: a `credHelpers`
 * entry for the host runs `docker-credential-<helper> get`; else `credsStore` runs its helper;
 * else `auths` (base64 `user:password` in `auth`, or `username`/`password`, or `identitytoken`),
 * as `docker login`, `skopeo login` and `podman login` write it. A source that has nothing for
 * the host falls through to the next one. The file is read when credentials are asked for.
 */
export class DockerConfigCredentials implements RegistryCredentialProvider {
  private readonly given: string | undefined;
  private readonly env: NodeJS.ProcessEnv;

  constructor(opts: DockerConfigOptions | string = {}) {
    const o = typeof opts === 'string' ? { file: opts } : opts;
    this.env = o.env ?? process.env;
    this.given = o.file;
  }

  /** Resolved on each lookup: DOCKER_CONFIG as it is when credentials are asked for. */
  private get file(): string {
    return this.given ?? defaultDockerConfigFile(this.env);
  }

  async credentialsFor(registry: string): Promise<RegistryCredentials | undefined> {
    const config = this.read();
    if (!config) return undefined;
    const key = registry === 'docker.io' ? DOCKER_HUB_KEY : registry;
    const helpers = config.credHelpers && typeof config.credHelpers === 'object' ? config.credHelpers : {};
    const helperKey = Object.keys(helpers).find((k) => k === key) ?? Object.keys(helpers).find((k) => sameRegistry(hostnameOf(k), registry));
    const helper = helperKey !== undefined ? helpers[helperKey] : undefined;
    if (typeof helper === 'string' && helper !== '') {
      const creds = await this.runHelper(helper, key, `credHelpers["${helperKey}"]`);
      if (creds) return creds;
    }
    if (typeof config.credsStore === 'string' && config.credsStore !== '') {
      const creds = await this.runHelper(config.credsStore, key, 'credsStore');
      if (creds) return creds;
    }
    return this.fromAuths(config.auths, registry);
  }

  private read(): DockerConfig | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new BadInputError(`cannot read docker config ${this.file}: ${code ?? (err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new BadInputError(`docker config ${this.file} is not valid JSON: ${(err as Error).message}`);
    }
    return parsed && typeof parsed === 'object' ? (parsed as DockerConfig) : undefined;
  }

  private fromAuths(auths: Record<string, AuthEntry> | undefined, registry: string): RegistryCredentials | undefined {
    if (!auths || typeof auths !== 'object') return undefined;
    const key = Object.keys(auths).find((k) => k === registry) ?? Object.keys(auths).find((k) => sameRegistry(hostnameOf(k), registry));
    const entry = key !== undefined ? auths[key] : undefined;
    if (!entry || typeof entry !== 'object') return undefined;
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    let username = str(entry.username);
    let password = str(entry.password);
    if (str(entry.auth)) {
      const decoded = Buffer.from(str(entry.auth), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        username = decoded.slice(0, colon);
        password = decoded.slice(colon + 1);
      }
    }
    const identityToken = str(entry.identitytoken);
    if (identityToken) return { username, password, identityToken };
    return username && password ? { username, password } : undefined;
  }

  /** `docker-credential-<name> get` with the server URL on stdin, as docker's client runs it. */
  private async runHelper(name: string, serverUrl: string, from: string): Promise<RegistryCredentials | undefined> {
    const program = `docker-credential-${name}`;
    const where = `${from} in ${this.file}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new BadInputError(`docker credential helper "${name}" (${where}) is not a helper name`);
    const { code, stdout, stderr, error } = await runProgram(program, ['get'], serverUrl, this.env);
    if (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') throw new UnavailableError(`docker credential helper ${program} (${where}) is not installed or not on PATH`);
      throw new UnavailableError(`docker credential helper ${program} (${where}) failed for ${serverUrl}: ${e.code ?? e.message}`);
    }
    const out = stdout.trim();
    if (code !== 0) {
      if (out === NOT_FOUND) return undefined;
      const detail = firstLine(out) || firstLine(stderr.trim()) || 'no output';
      throw new UnavailableError(`docker credential helper ${program} (${where}) failed for ${serverUrl} (exit ${code}): ${detail}`);
    }
    let body: { Username?: unknown; Secret?: unknown };
    try {
      body = JSON.parse(out) as typeof body;
    } catch {
      throw new UnavailableError(`docker credential helper ${program} (${where}) answered ${serverUrl} with something that is not JSON`);
    }
    const username = typeof body?.Username === 'string' ? body.Username : '';
    const secret = typeof body?.Secret === 'string' ? body.Secret : '';
    if (!secret) return undefined;
    if (username === IDENTITY_TOKEN_USER) return { username: '', password: '', identityToken: secret };
    return { username, password: secret };
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

interface ProgramResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: Error;
}

function runProgram(program: string, args: string[], input: string, env: NodeJS.ProcessEnv): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let failed: Error | undefined;
    const stop = (why: string) => {
      failed ??= new Error(why);
      child.kill();
    };
    const timer = setTimeout(() => stop(`no answer in ${HELPER_TIMEOUT_MS / 1000} s`), HELPER_TIMEOUT_MS);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_HELPER_OUTPUT) stop(`more than ${MAX_HELPER_OUTPUT} bytes of output`);
      else into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (e) => (failed ??= e));
    // A helper that exits without reading stdin makes the write fail with EPIPE: not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const error = failed ?? (signal ? new Error(`killed by ${signal}`) : undefined);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(error ? { error } : {}) });
    });
  });
}
