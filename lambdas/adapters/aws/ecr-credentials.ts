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
