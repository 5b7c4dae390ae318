import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import { BadInputError } from '../core/errors';
import { digestOf } from './digest';
import type { Descriptor } from './manifest';
import { MediaType } from './media-types';
import type { ArtifactWriter } from './source';
import { blobPath, REF_NAME } from './sources/oci-layout-source';

/** One entry of a layer to build. Paths are image-root-relative. */
export interface LayerEntry {
  readonly path: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link';
  readonly content?: Buffer | string;
  readonly linkname?: string;
  readonly mode?: number;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export interface BuiltBlob {
  readonly descriptor: Descriptor;
  readonly bytes: Buffer;
}

export interface BuiltImage {
  readonly manifest: BuiltBlob;
  readonly config: BuiltBlob;
  readonly layers: readonly BuiltBlob[];
}

const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');

/** A tar layer in memory (small images: tests and the demo; big ones are streamed by the bench). */
export async function buildLayerTar(entries: readonly LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const content = e.content === undefined ? Buffer.alloc(0) : Buffer.from(e.content);
    const header: Partial<tar.Header> & { name: string } = { name: e.path, type, mtime: FIXED_MTIME, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: 0, gid: 0 };
    if (type === 'symlink' || type === 'link') header.linkname = e.linkname ?? '';
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, content, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function compress(bytes: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return zlib.gzipSync(bytes);
  if (compression === 'zstd') {
    // Node 20 has no zstd encoder; the zstd CLI is only needed to build zstd test images.
    const out = spawnSync('zstd', ['-q', '-c', '-3'], { input: bytes, maxBuffer: 1 << 30 });
    if (out.status !== 0) throw new BadInputError(`zstd compression failed: ${out.stderr?.toString() || 'zstd not installed (apt-get install zstd)'}`);
    return out.stdout;
  }
  return bytes;
}

const LAYER_TYPE: Record<Compression, string> = {
  gzip: MediaType.ociLayerGzip,
  zstd: MediaType.ociLayerZstd,
  none: MediaType.ociLayerTar,
};

function blob(mediaType: string, bytes: Buffer): BuiltBlob {
  return { descriptor: { mediaType, digest: digestOf(bytes), size: bytes.length }, bytes };
}

export interface ImageSpec {
  readonly layers: readonly (readonly LayerEntry[])[];
  readonly compression?: Compression;
  readonly labels?: Readonly<Record<string, string>>;
  readonly architecture?: string;
  readonly os?: string;
  readonly cmd?: readonly string[];
}

/** Builds an OCI image (manifest, config, layers) with deterministic bytes. */
export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const compression = spec.compression ?? 'gzip';
  const layers: BuiltBlob[] = [];
  const diffIds: string[] = [];
  for (const entries of spec.layers) {
    const tarBytes = await buildLayerTar(entries);
    diffIds.push(digestOf(tarBytes));
    layers.push(blob(LAYER_TYPE[compression], compress(tarBytes, compression)));
  }
  const config = blob(
    MediaType.ociConfig,
    Buffer.from(
      JSON.stringify({
        created: FIXED_MTIME.toISOString(),
        architecture: spec.architecture ?? 'amd64',
        os: spec.os ?? 'linux',
        config: { Labels: spec.labels ?? {}, Cmd: spec.cmd ?? ['/bin/sh'] },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: spec.layers.map(() => ({ created: FIXED_MTIME.toISOString(), created_by: 'artifact-guard image-builder' })),
      }),
    ),
  );
  const manifest = blob(
    MediaType.ociManifest,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: config.descriptor,
        layers: layers.map((l) => l.descriptor),
      }),
    ),
  );
  return { manifest, config, layers };
}

/** An OCI index over platform images (multi-arch). */
export function buildIndex(images: readonly { image: BuiltImage; architecture: string; os?: string }[]): BuiltBlob {
  return blob(
    MediaType.ociIndex,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: images.map(({ image, architecture, os }) => ({
          ...image.manifest.descriptor,
          platform: { architecture, os: os ?? 'linux' },
        })),
      }),
    ),
  );
}

/** Writes images (and optionally an index over them) as an OCI image layout directory. */
export function writeOciLayout(dir: string, images: readonly BuiltImage[], tagged: { tag: string; root: BuiltBlob }): void {
  fs.mkdirSync(dir, { recursive: true });
  const put = (b: BuiltBlob): void => {
    const p = path.join(dir, blobPath(b.descriptor.digest));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, b.bytes);
  };
  for (const img of images) [img.config, ...img.layers, img.manifest].forEach(put);
  put(tagged.root);
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [{ ...tagged.root.descriptor, annotations: { [REF_NAME]: tagged.tag } }],
    }),
  );
}

/** Pushes an image's blobs then its manifest under `tag` (or by digest when tag is undefined). */
export async function pushImage(writer: ArtifactWriter, image: BuiltImage, tag: string | undefined): Promise<string> {
  for (const b of [image.config, ...image.layers]) await writer.pushBlob(b.bytes);
  return writer.putManifest(tag ?? image.manifest.descriptor.digest, image.manifest.bytes, MediaType.ociManifest);
}

/** Layer entries for every file, directory and symlink under `dir`, in a stable order. */
export function entriesFromDirectory(dir: string): LayerEntry[] {
  const out: LayerEntry[] = [];
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const childRel = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, childRel);
      const st = fs.lstatSync(full);
      if (st.isSymbolicLink()) out.push({ path: childRel, type: 'symlink', linkname: fs.readlinkSync(full) });
      else if (st.isDirectory()) {
        out.push({ path: `${childRel}/`, type: 'directory' });
        walk(childRel);
      } else if (st.isFile()) out.push({ path: childRel, content: fs.readFileSync(full), mode: st.mode & 0o777 });
    }
  };
  walk('');
  return out;
}
