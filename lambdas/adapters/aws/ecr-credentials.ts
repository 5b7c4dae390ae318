import type { ECRClient } from '@aws-sdk/client-ecr';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ecrRegistry } from '../../oci/registry-login';
import type { RegistryCredentialProvider, RegistryCredentials } from '../../ports/registry-credentials';
import { classifyingClient } from './aws-errors';

/** ECR's GetAuthorizationToken: base64 `AWS:<password>`, valid 12 hours; cached until near expiry. */
export class EcrCredentialProvider implements RegistryCredentialProvider {
  private cached?: { creds: RegistryCredentials; expiresAt: number };

  private readonly client: ECRClient;

  constructor(client: ECRClient) {
    this.client = classifyingClient(client, 'ECR');
  }

  async credentialsFor(registry: string): Promise<RegistryCredentials | undefined> {
    if (!ecrRegistry(registry)) return undefined;
    if (this.cached && this.cached.expiresAt > Date.now()) return this.cached.creds;
    const res = await this.client.send(new GetAuthorizationTokenCommand({}));
    const data = res.authorizationData?.[0];
    if (!data?.authorizationToken) return undefined;
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const creds = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    const expiresAt = (data.expiresAt?.getTime() ?? Date.now() + 3_600_000) - 300_000;
    this.cached = { creds, expiresAt };
    return creds;
  }
}

/**
 * ECR credentials for registries in any region: ECR tokens are regional, and a guard that serves
 * an organisation pulls from member accounts' registries in their own regions (the event's
 * `account`/`region` name the host). One provider, and one client, per region asked for; the
 * token of this account's principal opens another account's registry in that region when its
 * repository policy admits this account.
 */
export class RegionalEcrCredentials implements RegistryCredentialProvider {
  private readonly byRegion = new Map<string, EcrCredentialProvider>();

  constructor(private readonly clientFor: (region: string) => ECRClient) {}

  credentialsFor(registry: string): Promise<RegistryCredentials | undefined> {
    const ecr = ecrRegistry(registry);
    if (!ecr) return Promise.resolve(undefined);
    let provider = this.byRegion.get(ecr.region);
    if (!provider) {
      provider = new EcrCredentialProvider(this.clientFor(ecr.region));
      this.byRegion.set(ecr.region, provider);
    }
    return provider.credentialsFor(registry);
  }
}
