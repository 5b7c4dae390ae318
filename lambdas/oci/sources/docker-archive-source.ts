import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BadInputError, NotFoundError } from '../../core/errors';
import { DigestVerifier, digestOf, verifyBytes } from '../digest';
import type { Descriptor, FetchedManifest } from '../manifest';
import { parseManifest } from '../manifest';
import { MediaType } from '../media-types';
import type { ArtifactSource } from '../source';
import type { TarFileStore } from './file-store';
import { OciLayoutSource } from './oci-layout-source';

const MAX_CONFIG = 16 * 1024 * 1024;

interface SaveEntry {
  Config: string;
  RepoTags?: string[];
  Layers: string[];
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** One entry of `docker save`'s manifest.json, checked field by field. */
function saveEntry(e: unknown, what: string): SaveEntry {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new BadInputError(`${what} is not an object`);
  const { Config, RepoTags, Layers } = e as Record<string, unknown>;
  if (typeof Config !== 'string' || !isStrings(Layers)) throw new BadInputError(`${what}: malformed (Config, Layers)`);
  if (RepoTags !== undefined && RepoTags !== null && !isStrings(RepoTags)) throw new BadInputError(`${what}: RepoTags is not a list of strings`);
  return { Config, Layers, ...(RepoTags ? { RepoTags } : {}) };
}

async function sniff(files: TarFileStore, rel: string): Promise<string> {
  const stream = files.open(rel);
  for await (const chunk of stream) {
    stream.destroy();
    const b = chunk as Buffer;
    if (b[0] === 0x1f && b[1] === 0x8b) return MediaType.dockerLayerGzip;
    if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return MediaType.ociLayerZstd;
    return MediaType.dockerLayerTar;
  }
  return MediaType.dockerLayerTar;
}

async function hashFile(files: TarFileStore, rel: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of files.open(rel)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/**
 * `docker save` tarballs. Docker 25+ writes an OCI layout inside (read as such); older ones only
 * have manifest.json, from which we build a Docker v2 manifest whose digest is ours, not the
 * registry's (a saved image never kept its registry manifest).
 */
export class DockerArchiveSource implements ArtifactSource {
  readonly scheme = 'docker-archive' as const;
  private built?: FetchedManifest;
  private readonly pathByDigest = new Map<string, string>();

  private constructor(
    readonly display: string,
    private readonly files: TarFileStore,
    private readonly entry: SaveEntry,
    readonly tag: string | undefined,
  ) {}

  static async open(display: string, files: TarFileStore, wanted?: string): Promise<ArtifactSource> {
    if (files.exists('oci-layout') && files.exists('index.json')) {
      return OciLayoutSource.open('docker-archive', display, files, wanted);
    }
    if (!files.exists('manifest.json')) throw new BadInputError(`${display}: not a docker-archive (no manifest.json)`);
    let doc: unknown;
    try {
      doc = JSON.parse((await files.read('manifest.json', 4 * 1024 * 1024)).toString('utf8'));
    } catch {
      throw new BadInputError(`${display}: malformed manifest.json`);
    }
    if (!Array.isArray(doc) || doc.length === 0) throw new BadInputError(`${display}: manifest.json lists no image`);
    const entries = doc.map((e: unknown, i) => saveEntry(e, `${display}: manifest.json entry ${i}`));
    let entry = entries[0] as SaveEntry; // at least one, checked above
    if (wanted) {
      const found = entries.find((e) => (e.RepoTags ?? []).some((t) => t === wanted || t.endsWith(`:${wanted}`)));
      if (!found) throw new NotFoundError(`${display}: no image tagged "${wanted}"`);
      entry = found;
    } else if (entries.length > 1) {
      throw new BadInputError(`${display}: holds ${entries.length} images; name one with :TAG`);
    }
    const repoTag = entry.RepoTags?.[0];
    const tag = wanted ?? (repoTag && repoTag.lastIndexOf(':') > repoTag.lastIndexOf('/') ? repoTag.slice(repoTag.lastIndexOf(':') + 1) : undefined);
    return new DockerArchiveSource(display, files, entry, tag);
  }

  async resolve(): Promise<FetchedManifest> {
    if (this.built) return this.built;
    const configBytes = await this.files.read(this.entry.Config, MAX_CONFIG);
    const configDigest = digestOf(configBytes);
    this.pathByDigest.set(configDigest, this.entry.Config);
    const layers: Descriptor[] = [];
    for (const rel of this.entry.Layers) {
      const digest = rel.startsWith('blobs/sha256/') ? `sha256:${rel.slice('blobs/sha256/'.length)}` : await hashFile(this.files, rel);
      this.pathByDigest.set(digest, rel);
      layers.push({ mediaType: await sniff(this.files, rel), digest, size: this.files.size(rel) });
    }
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifest,
      config: { mediaType: MediaType.dockerConfig, digest: configDigest, size: configBytes.length },
      layers,
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const parsed = parseManifest(bytes, MediaType.dockerManifest);
    this.built = { bytes, digest: digestOf(bytes), mediaType: parsed.mediaType, manifest: parsed.manifest };
    return this.built;
  }

  async manifest(desc: Pick<Descriptor, 'digest'>): Promise<FetchedManifest> {
    const root = await this.resolve();
    if (desc.digest !== root.digest) throw new NotFoundError(`${this.display}: no manifest ${desc.digest}`);
    return root;
  }

  private pathOf(digest: string): string {
    const rel = this.pathByDigest.get(digest);
    if (!rel) throw new NotFoundError(`${this.display}: no blob ${digest}`);
    return rel;
  }

  async openBlob(desc: Pick<Descriptor, 'digest' | 'size'>): Promise<Readable> {
    await this.resolve();
    const verifier = new DigestVerifier(desc.digest, desc.size, `${this.display}: blob ${desc.digest}`);
    const stream = this.files.open(this.pathOf(desc.digest));
    stream.on('error', (err) => verifier.destroy(err));
    return stream.pipe(verifier);
  }

  async readBlob(desc: Pick<Descriptor, 'digest' | 'size'>, maxBytes: number): Promise<Buffer> {
    await this.resolve();
    const bytes = await this.files.read(this.pathOf(desc.digest), maxBytes);
    verifyBytes(bytes, desc.digest, `${this.display}: blob ${desc.digest}`);
    return bytes;
  }

  async hasBlob(desc: Pick<Descriptor, 'digest'>): Promise<boolean> {
    await this.resolve();
    return this.pathByDigest.has(desc.digest);
  }

  async close(): Promise<void> {}
}
