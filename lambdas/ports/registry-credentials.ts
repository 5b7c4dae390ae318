/** Username/password for a registry (ECR: `AWS` and a 12-hour token). */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** Port: where registry credentials come from (ECR GetAuthorizationToken, docker config, none). */
export interface RegistryCredentialProvider {
  credentialsFor(registry: string): Promise<RegistryCredentials | undefined>;
}

export const anonymous: RegistryCredentialProvider = {
  credentialsFor: async () => undefined,
};
