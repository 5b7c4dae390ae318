import { createHash } from 'node:crypto';
import type { BlobStore } from '../../ports/blob-store';
import type { MacKey } from '../../ports/mac-key';
import type { LayerCatalog } from './catalog';
import { LAYER_CATALOG_VERSION } from './catalog';

/** Catalogs of layers already read, by layer digest (layers are content-addressed: never stale). */
export interface LayerCache {
  get(digest: string): Promise<LayerCatalog | undefined>;
  put(catalog: LayerCatalog): Promise<void>;
}

/** A cache that holds nothing: every layer is read. */
export const NO_LAYER_CACHE: LayerCache = {
  get: () => Promise.resolve(undefined),
  put: () => Promise.resolve(),
};

export interface BlobLayerCacheOptions {
  /** @default 'layer-cache' */
  readonly prefix?: string;
  /**
   * Called when an entry is refused (no MAC, a wrong MAC, a MAC that could not be checked):
   * the layer is read again. Someone may have written the cache: log or alert it.
   */
  readonly onRejected?: (digest: string, reason: string) => void;
}

/** First line of an entry: this tag, a space, the MAC (hex); the catalog JSON follows. */
const HEADER_TAG = 'artifact-guard-layer-cache/1';
const HEADER = /^artifact-guard-layer-cache\/1 ([0-9a-f]{16,256})$/;
const MAX_HEADER = HEADER_TAG.length + 1 + 256;

/**
 * A layer cache in a BlobStore (a local directory, or the evidence bucket in AWS). The key
 * carries the catalog version and the cataloger set, so adding a cataloger re-reads layers.
 *
 * Whoever can write the store could otherwise make a vulnerable layer look clean, so every entry
 * carries a MAC (see {@link MacKey}) over its key and its JSON: the key binds the entry to its
 * layer, catalog version and cataloger set (an entry moved from an older set, which found fewer
 * packages, fails). An entry without a valid MAC is a miss, reported through `onRejected`.
 */
export class BlobLayerCache implements LayerCache {
  private readonly prefix: string;
  private readonly onRejected: (digest: string, reason: string) => void;

  constructor(
    private readonly store: BlobStore,
    catalogerNames: readonly string[],
    private readonly macKey: MacKey,
    options: BlobLayerCacheOptions = {},
  ) {
    const set = createHash('sha256').update(catalogerNames.join(',')).digest('hex').slice(0, 12);
    this.prefix = `${options.prefix ?? 'layer-cache'}/v${LAYER_CATALOG_VERSION}-${set}`;
    this.onRejected = options.onRejected ?? (() => undefined);
  }

  private key(digest: string): string {
    const [alg, hex] = digest.split(':');
    return `${this.prefix}/${alg}/${hex}.catalog`;
  }

  /** What the MAC covers: the key, a newline, the catalog JSON. */
  private static signed(key: string, json: Buffer): Buffer {
    return Buffer.concat([Buffer.from(`${key}\n`), json]);
  }

  async get(digest: string): Promise<LayerCatalog | undefined> {
    const key = this.key(digest);
    const bytes = await this.store.get(key);
    if (!bytes) return undefined;
    const reject = (reason: string): undefined => {
      this.onRejected(digest, reason);
      return undefined;
    };
    const nl = bytes.subarray(0, MAX_HEADER + 1).indexOf(0x0a);
    const mac = nl < 0 ? undefined : HEADER.exec(bytes.subarray(0, nl).toString('latin1'))?.[1];
    if (mac === undefined) return reject('entry has no MAC');
    const json = bytes.subarray(nl + 1);
    let valid: boolean;
    try {
      valid = await this.macKey.verify(BlobLayerCache.signed(key, json), mac);
    } catch (err) {
      // The key could not be used (KMS unreachable, key file unreadable): read the layer instead.
      return reject(`MAC not checked: ${(err as Error).message}`);
    }
    if (!valid) return reject('MAC does not match');
    try {
      const c = JSON.parse(json.toString('utf8')) as LayerCatalog;
      return c.version === LAYER_CATALOG_VERSION && c.digest === digest ? c : reject('authenticated entry of another version or layer');
    } catch {
      return reject('authenticated entry is not valid JSON');
    }
  }

  async put(catalog: LayerCatalog): Promise<void> {
    const key = this.key(catalog.digest);
    const json = Buffer.from(JSON.stringify(catalog));
    const mac = await this.macKey.mac(BlobLayerCache.signed(key, json));
    await this.store.put(key, Buffer.concat([Buffer.from(`${HEADER_TAG} ${mac}\n`), json]), 'application/octet-stream');
  }
}
