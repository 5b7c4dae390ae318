/**
 * Credentials for a registry: username/password (ECR: `AWS` and a 12-hour token), or an
 * identity token (docker's `IdentityToken`: an OAuth2 refresh token the registry's token server
 * exchanges for access tokens; username and password are then empty).
 */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
  readonly identityToken?: string;
}

/** Port: where registry credentials come from (ECR GetAuthorizationToken, docker config, none). */
export interface RegistryCredentialProvider {
  credentialsFor(registry: string): Promise<RegistryCredentials | undefined>;
}

export const anonymous: RegistryCredentialProvider = {
  credentialsFor: async () => undefined,
};
