import type { BuiltBlob, BuiltImage, ImageSpec } from '../../lambdas/oci/image-builder';
import { buildImage, buildIndex, pushImage } from '../../lambdas/oci/image-builder';
import { MediaType } from '../../lambdas/oci/media-types';
import type { ArtifactWriter } from '../../lambdas/oci/source';
import { parseReference } from '../../lambdas/oci/reference';
import { RegistryClient } from '../../lambdas/oci/registry-client';
import { RegistrySource } from '../../lambdas/oci/sources/registry-source';
import { testRegistry } from './registry-env';

export function registrySource(repo: string, tag?: string): RegistrySource {
  const ref = parseReference(`${testRegistry().host}/${repo}${tag ? `:${tag}` : ''}`);
  return new RegistrySource(ref, new RegistryClient({ registry: ref.registry }));
}

/** Builds an image and pushes it to the test registry under `repo:tag`. */
export async function pushTestImage(repo: string, tag: string | undefined, spec: ImageSpec): Promise<BuiltImage> {
  const image = await buildImage(spec);
  await pushImage(registrySource(repo).writer, image, tag);
  return image;
}

/** Pushes an amd64 and an arm64 image and a multi-arch index of the two under `tag`. */
export async function pushTwoPlatformIndex(writer: ArtifactWriter, tag: string): Promise<{ amd: BuiltImage; arm: BuiltImage; index: BuiltBlob }> {
  const amd = await buildImage({ layers: [[{ path: 'arch', content: 'amd64' }]], architecture: 'amd64' });
  const arm = await buildImage({ layers: [[{ path: 'arch', content: 'arm64' }]], architecture: 'arm64' });
  await pushImage(writer, amd, undefined);
  await pushImage(writer, arm, undefined);
  const index = buildIndex([
    { image: amd, architecture: 'amd64' },
    { image: arm, architecture: 'arm64' },
  ]);
  await writer.putManifest(tag, index.bytes, MediaType.ociIndex);
  return { amd, arm, index };
}
