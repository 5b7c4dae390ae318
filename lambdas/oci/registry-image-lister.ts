import type { ImageLister, RegistryImage } from '../ports/image-lister';
import type { RegistryClient } from './registry-client';

/**
 * Every tagged manifest of a repository from the distribution API: the tags list (paginated),
 * each tag resolved to its digest, tags of one digest grouped (the local `backfill`).
 */
export class RegistryImageLister implements ImageLister {
  constructor(
    private readonly client: RegistryClient,
    private readonly host: string,
  ) {}

  async *list(repository: string): AsyncIterable<RegistryImage> {
    const byDigest = new Map<string, string[]>();
    for (const tag of (await this.client.listTags(repository)).sort()) {
      const head = await this.client.headManifest(repository, tag);
      // A tag deleted while listing is no longer an image to process.
      if (!head) continue;
      byDigest.set(head.digest, [...(byDigest.get(head.digest) ?? []), tag]);
    }
    for (const [digest, tags] of byDigest) yield { repositoryName: `${this.host}/${repository}`, digest, tags };
  }
}
