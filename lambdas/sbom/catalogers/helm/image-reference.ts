import { PackageURL } from 'packageurl-js';

/**
 * A container image reference as Kubernetes hands it to the runtime (distribution/reference
 * grammar), normalised as the runtime resolves it: no registry means Docker Hub, and a Docker Hub
 * name of one component lives under `library/` (`nginx:1.25` → `docker.io/library/nginx:1.25`).
 */
export interface ImageReference {
  readonly registry: string;
  /** The repository path inside the registry (`library/nginx`, `bitnami/redis`). */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DOCKER_HUB = 'docker.io';
const MAX_NAME = 255;
/** One path component: lowercase alphanumerics separated by `.`, `_`, `__` or dashes. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
/** A registry host: DNS labels or an IPv6 literal, optionally a port. */
const DOMAIN = /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/**
 * Parses `[registry/]path[:tag][@digest]`; undefined when it is not a valid reference (a template
 * expression, spaces, upper-case path, an empty tag such as `nginx:`). Digests are limited to the
 * algorithms registries use (sha256, sha512).
 */
export function parseImageReference(text: string): ImageReference | undefined {
  const value = text.trim();
  if (!value || value.length > 1024 || /\s/.test(value)) return undefined;
  let rest = value;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if (!rest || rest.length > MAX_NAME) return undefined;
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0] as string;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!DOMAIN.test(first)) return undefined;
    registry = first === 'index.docker.io' ? DOCKER_HUB : first;
    parts.shift();
  }
  if (parts.length === 0 || !parts.every((p) => COMPONENT.test(p))) return undefined;
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  return { registry, repository: parts.join('/'), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `registry/repository[:tag][@digest]`, the normalised form. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

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
