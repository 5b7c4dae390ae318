import { PackageURL } from 'packageurl-js';
import { BadInputError } from '../../../core/errors';
import type { ImageReference } from '../../../oci/reference';
import { formatReference, parseReference } from '../../../oci/reference';

export type { ImageReference };

/** distribution/reference's bound on `[registry/]path`. */
const MAX_NAME = 255;

/**
 * A reference as Kubernetes hands it to the runtime, parsed by the registry client's own parser
 * (no registry means Docker Hub, one component lives under `library/`); undefined when it is not
 * one (a template expression, spaces, an upper-case path, an empty tag such as `nginx:`).
 */
export function parseImageReference(text: string): ImageReference | undefined {
  const value = text.trim();
  // `registry:` is the CLI's scheme, not part of an image name.
  if (!value || value.length > 1024 || value.startsWith('registry:')) return undefined;
  const name = value.split('@')[0]?.replace(/:[^/:]*$/, '') ?? '';
  if (name.length > MAX_NAME) return undefined;
  try {
    const { registry, repository, tag, digest } = parseReference(value);
    return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
  } catch (err) {
    if (err instanceof BadInputError) return undefined;
    throw err;
  }
}

/** `registry/repository[:tag][@digest]`, the normalised form. */
export const formatImageReference = formatReference;

/**
 * `pkg:oci/<name>@<digest>?repository_url=<registry>/<repository>&tag=<tag>` (purl-spec `oci`
 * type: the name is the repository's last component, lowercased; the version is the digest and
 * only the digest). An image referenced by tag alone has no version: its purl keeps the tag.
 */
export function ociImagePurl(ref: ImageReference): string {
  const name = (ref.repository.slice(ref.repository.lastIndexOf('/') + 1) || ref.repository).toLowerCase();
  const qualifiers: Record<string, string> = { repository_url: `${ref.registry}/${ref.repository}` };
  if (ref.tag) qualifiers.tag = ref.tag;
  return new PackageURL('oci', undefined, name, ref.digest, qualifiers, undefined).toString();
}
