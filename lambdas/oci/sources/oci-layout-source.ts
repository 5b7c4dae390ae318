import type { Readable } from 'node:stream';
import { BadInputError, NotFoundError } from '../../core/errors';
import { localRepositoryName } from '../local-name';
import { DigestVerifier, digestOf, verifyBytes } from '../digest';
import type { Descriptor, FetchedManifest } from '../manifest';
import { MAX_MANIFEST_BYTES, parseDescriptor, parseManifest } from '../manifest';
import { MediaType } from '../media-types';
import type { ArtifactSource, ArtifactWriter, SourceScheme } from '../source';
import type { FileStore } from './file-store';
import { DirFileStore } from './file-store';

export const REF_NAME = 'org.opencontainers.image.ref.name';

export function blobPath(digest: string): string {
  const [alg, hex] = digest.split(':');
  return `blobs/${alg}/${hex}`;
}

interface LayoutIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** An OCI image layout (image-spec image-layout.md), in a directory or an (uncompressed) tar. */
export class OciLayoutSource implements ArtifactSource {
  readonly writer?: ArtifactWriter;
  private index!: LayoutIndex;

  private constructor(
    readonly scheme: SourceScheme,
    readonly display: string,
    private readonly files: FileStore,
    private readonly requestedTag: string | undefined,
    private resolvedTag: string | undefined,
  ) {
    if (files instanceof DirFileStore) this.writer = this.makeWriter(files);
  }

  get tag(): string | undefined {
    return this.resolvedTag;
  }

  static async open(scheme: SourceScheme, display: string, files: FileStore, tag?: string): Promise<OciLayoutSource> {
    const src = new OciLayoutSource(scheme, display, files, tag, tag);
    await src.load();
    return src;
  }

  private async load(): Promise<void> {
    if (!this.files.exists('oci-layout')) throw new BadInputError(`${this.display}: not an OCI image layout (no oci-layout file)`);
    let layout: unknown;
    try {
      layout = JSON.parse((await this.files.read('oci-layout', 64 * 1024)).toString('utf8'));
    } catch {
      throw new BadInputError(`${this.display}: malformed oci-layout file`);
    }
    if ((layout as { imageLayoutVersion?: unknown })?.imageLayoutVersion !== '1.0.0') {
      throw new BadInputError(`${this.display}: unsupported imageLayoutVersion`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse((await this.files.read('index.json', MAX_MANIFEST_BYTES)).toString('utf8'));
    } catch (err) {
      if (err instanceof NotFoundError) throw new BadInputError(`${this.display}: no index.json`);
      throw new BadInputError(`${this.display}: malformed index.json`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadInputError(`${this.display}: index.json is not a JSON object`);
    if (!('manifests' in raw) || !Array.isArray(raw.manifests)) throw new BadInputError(`${this.display}: index.json has no manifests array`);
    const manifests = raw.manifests.map((m, i) => parseDescriptor(m, `index.json manifests[${i}]`));
    this.index = { ...raw, schemaVersion: 2, manifests } as LayoutIndex; // manifests checked; other fields kept as written
  }

  private tagOf(desc: Descriptor): string | undefined {
    const name = desc.annotations?.[REF_NAME];
    if (!name) return undefined;
    // Some tools write a full reference; the tag is what follows the last ':' after the last '/'.
    const slash = name.lastIndexOf('/');
    const colon = name.lastIndexOf(':');
    return colon > slash ? name.slice(colon + 1) : name;
  }

  private findTagged(tag: string): Descriptor | undefined {
    return this.index.manifests.find((d) => d.annotations?.[REF_NAME] === tag || this.tagOf(d) === tag);
  }

  async resolve(): Promise<FetchedManifest> {
    let desc: Descriptor | undefined;
    if (this.requestedTag) {
      desc = this.findTagged(this.requestedTag);
      if (!desc) throw new NotFoundError(`${this.display}: no manifest tagged "${this.requestedTag}"`);
    } else {
      const candidates = this.index.manifests.filter((d) => !this.tagOf(d)?.startsWith('sha256-'));
      if (candidates.length !== 1) {
        const tags = candidates.map((d) => this.tagOf(d)).filter(Boolean);
        throw new BadInputError(`${this.display}: holds ${candidates.length} manifests; name one with :TAG (tags: ${tags.join(', ') || 'none'})`);
      }
      desc = candidates[0] as Descriptor;
      this.resolvedTag = this.tagOf(desc);
    }
    return this.manifest(desc);
  }

  async manifest(desc: Pick<Descriptor, 'digest' | 'mediaType'>): Promise<FetchedManifest> {
    const bytes = await this.files.read(blobPath(desc.digest), MAX_MANIFEST_BYTES).catch((err: unknown) => {
      if (err instanceof NotFoundError) throw new NotFoundError(`${this.display}: manifest ${desc.digest} missing from blobs/`);
      throw err;
    });
    verifyBytes(bytes, desc.digest, `${this.display}: manifest ${desc.digest}`);
    const { manifest, mediaType } = parseManifest(bytes, desc.mediaType);
    return { bytes, digest: desc.digest, mediaType, manifest };
  }

  async openBlob(desc: Pick<Descriptor, 'digest' | 'size'>): Promise<Readable> {
    const rel = blobPath(desc.digest);
    if (!this.files.exists(rel)) throw new NotFoundError(`${this.display}: blob ${desc.digest} missing`);
    const verifier = new DigestVerifier(desc.digest, desc.size, `${this.display}: blob ${desc.digest}`);
    const stream = this.files.open(rel);
    stream.on('error', (err) => verifier.destroy(err));
    return stream.pipe(verifier);
  }

  async readBlob(desc: Pick<Descriptor, 'digest' | 'size'>, maxBytes: number): Promise<Buffer> {
    if (desc.size > maxBytes) throw new BadInputError(`${this.display}: blob ${desc.digest} is ${desc.size} bytes, more than ${maxBytes}`);
    const bytes = await this.files.read(blobPath(desc.digest), maxBytes);
    verifyBytes(bytes, desc.digest, `${this.display}: blob ${desc.digest}`);
    return bytes;
  }

  async hasBlob(desc: Pick<Descriptor, 'digest'>): Promise<boolean> {
    return this.files.exists(blobPath(desc.digest));
  }

  async close(): Promise<void> {}

  private makeWriter(files: DirFileStore): ArtifactWriter {
    return {
      // Layouts have no registry: name them like a local image so payload references stay valid.
      repositoryName: localRepositoryName(files.root),
      manifestByTag: async (tag) => {
        const desc = this.findTagged(tag);
        return desc ? this.manifest(desc) : undefined;
      },
      pushBlob: async (bytes) => {
        const digest = digestOf(bytes);
        if (!files.exists(blobPath(digest))) files.write(blobPath(digest), bytes);
        return { digest, size: bytes.length };
      },
      putManifest: async (tag, bytes, mediaType) => {
        const digest = digestOf(bytes);
        files.write(blobPath(digest), bytes);
        const desc: Descriptor = { mediaType, digest, size: bytes.length, annotations: { [REF_NAME]: tag } };
        this.index.manifests = this.index.manifests.filter((d) => d.annotations?.[REF_NAME] !== tag).concat(desc);
        files.write('index.json', Buffer.from(JSON.stringify({ ...this.index, mediaType: this.index.mediaType ?? MediaType.ociIndex })));
        return digest;
      },
    };
  }
}
