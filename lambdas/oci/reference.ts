import { BadInputError } from '../core/errors';
import { isDigest } from './digest';

/** A registry reference `HOST/REPO[:TAG][@DIGEST]`, normalised as Docker does. */
export interface ImageReference {
  /** Registry host as written (`127.0.0.1:5000`, `123.dkr.ecr.us-east-1.amazonaws.com`, `docker.io`). */
  readonly registry: string;
  /** Repository path (`team/app`; Docker Hub official images get `library/`). */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DOCKER_HUB = 'docker.io';
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const HOST_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::[0-9]{1,5})?$/;

function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

export function parseReference(input: string): ImageReference {
  const raw = input.startsWith('registry:') ? input.slice('registry:'.length) : input;
  if (!raw || /\s/.test(raw)) throw new BadInputError(`invalid reference "${input}"`);
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw new BadInputError(`invalid digest in reference "${input}"`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG_RE.test(tag)) throw new BadInputError(`invalid tag "${tag}" in reference "${input}"`);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && looksLikeHost(parts[0] as string)) {
    registry = parts.shift() as string;
    // `host[:port]` (a typo'd scheme such as `regsitry:host/…` is not a host).
    if (!HOST_RE.test(registry)) throw new BadInputError(`invalid registry host "${registry}" in reference "${input}" (HOST[:PORT])`);
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  let repository = parts.join('/');
  if (registry === DOCKER_HUB && parts.length === 1) repository = `library/${repository}`;
  if (!REPOSITORY_RE.test(repository)) throw new BadInputError(`invalid repository "${repository}" in reference "${input}"`);
  return { registry, repository, tag, digest };
}

/** `HOST/REPO`: the identity cosign writes into `docker-reference` and that `matchRepository` compares. */
export function repositoryName(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Host to talk HTTP to: Docker Hub's API host differs from its name. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** Loopback registries are reached over plain HTTP; anything else needs TLS unless `--insecure`. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.split(':')[0];
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host ?? '');
}
