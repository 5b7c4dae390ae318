/**
 * What a registry host is for logging in: an Amazon ECR private registry
 * (`<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`) or any other, and the one command
 * that logs a user in to it, for error messages.
 */

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The account and region of an ECR private registry host, or undefined for any other host. */
export function ecrRegistry(host: string): { readonly account: string; readonly region: string } | undefined {
  const m = ECR_HOST.exec(host);
  return m ? { account: m[1] as string, region: m[2] as string } : undefined;
}

/** `docker login HOST` (plain `docker login` for Docker Hub), or ECR's token pipe for ECR hosts. */
export function loginHint(registry: string): string {
  const ecr = ecrRegistry(registry);
  if (ecr) return `aws ecr get-login-password --region ${ecr.region} | docker login --username AWS --password-stdin ${registry}`;
  return registry === 'docker.io' ? 'docker login' : `docker login ${registry}`;
}
