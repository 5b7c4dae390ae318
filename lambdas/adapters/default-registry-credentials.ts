import { errorMessage, UnavailableError } from '../core/errors';
import { ecrRegistry, loginHint } from '../oci/registry-login';
import type { RegistryCredentialProvider, RegistryCredentials } from '../ports/registry-credentials';
import type { DockerConfigOptions } from './local/docker-config-credentials';
import { DockerConfigCredentials } from './local/docker-config-credentials';

/** An ECR credential provider for one region (the AWS SDK is loaded only when one is made). */
export type EcrProviderFactory = (region: string) => Promise<RegistryCredentialProvider>;

const sdkEcrProvider: EcrProviderFactory = async (region) => {
  const [{ ECRClient }, { EcrCredentialProvider }] = await Promise.all([import('@aws-sdk/client-ecr'), import('./aws/ecr-credentials')]);
  return new EcrCredentialProvider(new ECRClient({ region }));
};

/**
 * The registry credentials of every CLI command and the local runner, as other tools find
 * them: docker's config (`credHelpers` for the host, then `credsStore`, then `auths`), then,
 * for an ECR host that has none there, a token from `ecr:GetAuthorizationToken` in the host's
 * region with the AWS SDK's default credential chain (environment, profile, SSO, instance role).
 */
export class DefaultRegistryCredentials implements RegistryCredentialProvider {
  private readonly docker: RegistryCredentialProvider;
  private readonly ecrFactory: EcrProviderFactory;
  private readonly ecrByRegion = new Map<string, Promise<RegistryCredentialProvider>>();
  private readonly byRegistry = new Map<string, Promise<RegistryCredentials | undefined>>();

  constructor(opts: { readonly docker?: DockerConfigOptions; readonly ecr?: EcrProviderFactory } = {}) {
    this.docker = new DockerConfigCredentials(opts.docker ?? {});
    this.ecrFactory = opts.ecr ?? sdkEcrProvider;
  }

  /** Asked once per registry (a helper runs once, ECR is asked once); a failure is not kept. */
  credentialsFor(registry: string): Promise<RegistryCredentials | undefined> {
    let creds = this.byRegistry.get(registry);
    if (!creds) {
      creds = this.lookUp(registry);
      this.byRegistry.set(registry, creds);
      creds.catch(() => this.byRegistry.delete(registry));
    }
    return creds;
  }

  private async lookUp(registry: string): Promise<RegistryCredentials | undefined> {
    const fromDocker = await this.docker.credentialsFor(registry);
    if (fromDocker) return fromDocker;
    const ecr = ecrRegistry(registry);
    if (!ecr) return undefined;
    let provider = this.ecrByRegion.get(ecr.region);
    if (!provider) {
      provider = this.ecrFactory(ecr.region);
      this.ecrByRegion.set(ecr.region, provider);
    }
    try {
      return await (await provider).credentialsFor(registry);
    } catch (err) {
      throw new UnavailableError(
        `no credentials for ${registry}: none in the docker config, and ecr:GetAuthorizationToken with the AWS SDK's default credentials failed (${errorMessage(err)}); log in with: ${loginHint(registry)}`,
        { cause: err },
      );
    }
  }
}
