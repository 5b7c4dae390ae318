import { digestOf } from '../../lambdas/oci/digest';
import type { BuiltBlob, LayerEntry } from '../../lambdas/oci/image-builder';
import { buildImage, writeOciLayout } from '../../lambdas/oci/image-builder';
import type { Descriptor } from '../../lambdas/oci/manifest';
import { MediaType } from '../../lambdas/oci/media-types';
import { openSource } from '../../lambdas/oci/open-source';
import type { ArtifactSource } from '../../lambdas/oci/source';

/** A filesystem layer (its entries), or a blob of any media type (not a filesystem layer, say). */
export type TestLayer = readonly LayerEntry[] | { readonly mediaType: string; readonly bytes: Buffer };

export interface TestLayout {
  readonly dir: string;
  readonly manifest: BuiltBlob;
  /** Descriptors in manifest order. */
  readonly layers: readonly Descriptor[];
  open(): Promise<ArtifactSource>;
}

/**
 * Writes to `dir` an OCI layout (tag `v1`) of an image with these layers, in this order:
 * filesystem layers are built by the image builder (gzip), other blobs go into the manifest as
 * they are (a layer of a media type nothing reads, say).
 */
export async function writeImageLayout(dir: string, layers: readonly TestLayer[]): Promise<TestLayout> {
  const fsLayers = layers.filter((l): l is readonly LayerEntry[] => Array.isArray(l));
  const built = await buildImage({ layers: fsLayers });
  let next = 0;
  const blobs: BuiltBlob[] = layers.map((l) => {
    if (Array.isArray(l)) return built.layers[next++] as BuiltBlob;
    const { mediaType, bytes } = l as { mediaType: string; bytes: Buffer };
    return { descriptor: { mediaType, digest: digestOf(bytes), size: bytes.length }, bytes };
  });
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: built.config.descriptor, layers: blobs.map((b) => b.descriptor) }));
  const manifest: BuiltBlob = { descriptor: { mediaType: MediaType.ociManifest, digest: digestOf(body), size: body.length }, bytes: body };
  writeOciLayout(dir, [{ manifest, config: built.config, layers: blobs }], { tag: 'v1', root: manifest });
  return { dir, manifest, layers: blobs.map((b) => b.descriptor), open: () => openSource({ scheme: 'oci-dir', location: dir, tag: 'v1' }) };
}

export const ALPINE_RELEASE: LayerEntry = { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' };
