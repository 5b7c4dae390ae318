import * as fs from 'node:fs';
import * as path from 'node:path';
import { ORAS_UNPACK_ANNOTATION, TITLE_ANNOTATION } from '../../lambdas/oci/artifact-media-types';
import { digestOf } from '../../lambdas/oci/digest';
import { MediaType } from '../../lambdas/oci/media-types';
import { openSource } from '../../lambdas/oci/open-source';
import type { ArtifactSource } from '../../lambdas/oci/source';
import type { ArtifactFile } from './artifacts';

export interface ArtifactLayout {
  readonly digest: string;
  readonly layers: readonly { readonly digest: string; readonly mediaType: string }[];
  open(): Promise<ArtifactSource>;
}

/**
 * Writes an OCI layout (tag `v1`) of one artifact manifest as `oras push` makes it: the empty
 * config (or `configMediaType` with `{}`), one layer per file, titled with its name. Files
 * without a title get none.
 */
export function writeArtifactLayout(dir: string, files: readonly (ArtifactFile | { readonly bytes: Buffer; readonly mediaType: string })[], opts: { artifactType?: string; configMediaType?: string } = {}): ArtifactLayout {
  const blob = (bytes: Buffer): string => {
    const digest = digestOf(bytes);
    fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
    return digest;
  };
  const config = Buffer.from('{}');
  const layers = files.map((f) => ({
    mediaType: f.mediaType ?? MediaType.ociLayerTar,
    digest: blob(f.bytes),
    size: f.bytes.length,
    ...('title' in f ? { annotations: { [TITLE_ANNOTATION]: f.title, ...(f.unpack ? { [ORAS_UNPACK_ANNOTATION]: 'true' } : {}) } } : {}),
  }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      ...(opts.artifactType ? { artifactType: opts.artifactType } : {}),
      config: { mediaType: opts.configMediaType ?? MediaType.ociEmpty, digest: blob(config), size: config.length },
      layers,
    }),
  );
  const digest = blob(manifest);
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.ociManifest, digest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] }));
  return { digest, layers, open: () => openSource({ scheme: 'oci-dir', location: dir, tag: 'v1' }) };
}
