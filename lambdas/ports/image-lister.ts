/** A manifest a registry holds under a repository, with the tags that name it. */
export interface RegistryImage {
  readonly repositoryName: string;
  readonly digest: string;
  readonly tags: readonly string[];
}

/** Port: every tagged manifest of a repository (ECR DescribeImages in AWS; the tags list locally). */
export interface ImageLister {
  list(repository: string): AsyncIterable<RegistryImage>;
}
