import type { ECRClient } from '@aws-sdk/client-ecr';
import { paginateDescribeImages } from '@aws-sdk/client-ecr';
import type { ImageLister, RegistryImage } from '../../ports/image-lister';

/** Tagged images of an ECR repository, DescribeImages page by page (1,000 per page). */
export class EcrImageLister implements ImageLister {
  constructor(
    private readonly client: ECRClient,
    /** `<account>.dkr.ecr.<region>.amazonaws.com`: repository names in the records start with it. */
    private readonly host: string,
  ) {}

  async *list(repository: string): AsyncIterable<RegistryImage> {
    for await (const page of paginateDescribeImages({ client: this.client, pageSize: 1000 }, { repositoryName: repository, filter: { tagStatus: 'TAGGED' } })) {
      for (const d of page.imageDetails ?? []) {
        if (d.imageDigest) yield { repositoryName: `${this.host}/${repository}`, digest: d.imageDigest, tags: d.imageTags ?? [] };
      }
    }
  }
}
