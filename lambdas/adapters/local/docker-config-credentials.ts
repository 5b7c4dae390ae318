import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RegistryCredentialProvider, RegistryCredentials } from '../../ports/registry-credentials';

/**
 * Credentials from `~/.docker/config.json` (`auths.<host>.auth`, base64 user:password), as
 * `docker login` / `skopeo login` write them. Credential helpers are not run.
 */
export class DockerConfigCredentials implements RegistryCredentialProvider {
  constructor(private readonly file = process.env.DOCKER_CONFIG ? path.join(process.env.DOCKER_CONFIG, 'config.json') : path.join(os.homedir(), '.docker', 'config.json')) {}

  async credentialsFor(registry: string): Promise<RegistryCredentials | undefined> {
    let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
    try {
      config = JSON.parse(fs.readFileSync(this.file, 'utf8')) as typeof config;
    } catch {
      return undefined;
    }
    const entry = config.auths?.[registry] ?? config.auths?.[`https://${registry}`] ?? config.auths?.[`http://${registry}`];
    if (!entry) return undefined;
    if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    if (!entry.auth) return undefined;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
  }
}
