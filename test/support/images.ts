import type { BuiltImage, ImageSpec } from '../../lambdas/oci/image-builder';
import { buildImage, pushImage } from '../../lambdas/oci/image-builder';
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
