import { createHash } from 'node:crypto';
import type { BlobStore } from '../ports/blob-store';
import type { LayerCatalog } from './layer-catalog';
import { LAYER_CATALOG_VERSION } from './layer-catalog';

/** Catalogs of layers already read, by layer digest (layers are content-addressed: never stale). */
export interface LayerCache {
  get(digest: string): Promise<LayerCatalog | undefined>;
  put(catalog: LayerCatalog): Promise<void>;
}

/**
 * A layer cache in a BlobStore (a local directory, or the evidence bucket in AWS). The key
 * carries the catalog version and the cataloger set, so adding a cataloger re-reads layers.
 */
export class BlobLayerCache implements LayerCache {
  private readonly prefix: string;

  constructor(
    private readonly store: BlobStore,
    catalogerNames: readonly string[],
    prefix = 'layer-cache',
  ) {
    const set = createHash('sha256').update(catalogerNames.join(',')).digest('hex').slice(0, 12);
    this.prefix = `${prefix}/v${LAYER_CATALOG_VERSION}-${set}`;
  }

  private key(digest: string): string {
    const [alg, hex] = digest.split(':');
    return `${this.prefix}/${alg}/${hex}.json`;
  }

  async get(digest: string): Promise<LayerCatalog | undefined> {
    const bytes = await this.store.get(this.key(digest));
    if (!bytes) return undefined;
    try {
      const c = JSON.parse(bytes.toString('utf8')) as LayerCatalog;
      return c.version === LAYER_CATALOG_VERSION && c.digest === digest ? c : undefined;
    } catch {
      return undefined; // a damaged entry is a miss, never an error
    }
  }

  async put(catalog: LayerCatalog): Promise<void> {
    await this.store.put(this.key(catalog.digest), Buffer.from(JSON.stringify(catalog)), 'application/json');
  }
}
