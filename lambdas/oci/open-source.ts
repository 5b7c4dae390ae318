import * as fs from 'node:fs';
import * as path from 'node:path';
import { closest } from '../core/closest';
import { BadInputError } from '../core/errors';
import type { Progress } from '../ports/progress';
import type { RegistryCredentialProvider } from '../ports/registry-credentials';
import { parseReference } from './reference';
import { RegistryClient } from './registry-client';
import type { ArtifactSource, SourceScheme } from './source';
import { DockerArchiveSource } from './sources/docker-archive-source';
import { DirFileStore, TarFileStore } from './sources/file-store';
import { OciLayoutSource } from './sources/oci-layout-source';
import { RegistrySource } from './sources/registry-source';

export interface SourceSpec {
  readonly scheme: SourceScheme;
  /** Registry reference, or a filesystem path. */
  readonly location: string;
  /** oci-dir / archives: the tag after the path, if any. */
  readonly tag?: string;
}

const SCHEMES: readonly SourceScheme[] = ['registry', 'oci-dir', 'oci-archive', 'docker-archive', 'dir'];

/** `PATH[:TAG]`, where PATH itself may contain ':' (prefer an existing path). */
function splitPathTag(rest: string): { location: string; tag?: string } {
  if (fs.existsSync(rest)) return { location: rest };
  const colon = rest.lastIndexOf(':');
  if (colon > 0 && !rest.slice(colon + 1).includes('/')) return { location: rest.slice(0, colon), tag: rest.slice(colon + 1) };
  return { location: rest };
}

function isReference(input: string): boolean {
  try {
    parseReference(input);
    return true;
  } catch {
    return false;
  }
}

/** What a path on disk most likely is, as a SOURCE (an OCI layout, a tar, a plain directory). */
function schemeForPath(p: string): string {
  try {
    const st = fs.statSync(p);
    if (st.isDirectory()) return fs.existsSync(path.join(p, 'oci-layout')) ? `oci-dir:${p}` : `dir:${p}`;
    return `oci-archive:${p}" or "docker-archive:${p}`;
  } catch {
    return `oci-dir:${p}`;
  }
}

function unknownScheme(scheme: string): BadInputError {
  const hint = closest(scheme, SCHEMES);
  return new BadInputError(`unknown source scheme "${scheme}:"${hint ? ` (did you mean "${hint}:"?)` : ''}; known: ${SCHEMES.map((s) => `${s}:`).join(', ')}`);
}

/** Parses a SOURCE as Syft does: `scheme:rest`; a bare reference means `registry:`. */
export function parseSource(input: string): SourceSpec {
  const m = /^([a-z][a-z-]*):(.*)$/s.exec(input);
  if (m && SCHEMES.includes(m[1] as SourceScheme)) {
    const scheme = m[1] as SourceScheme;
    const rest = m[2] as string;
    if (!rest) throw new BadInputError(`source "${input}" names no ${scheme === 'registry' ? 'reference' : 'path'}`);
    if (scheme === 'registry' || scheme === 'dir') return { scheme, location: rest };
    return { scheme, ...splitPathTag(rest) };
  }
  // `host:port/repo` and `image:tag` also contain ':'; a scheme-like prefix followed by a path
  // or anything that is not a valid reference is an unknown scheme, not a Docker Hub image.
  if (m && (m[2]?.startsWith('/') || !isReference(input))) throw unknownScheme(m[1] as string);
  // A bare path that exists here is almost surely not a Docker Hub image of the same name.
  if (fs.existsSync(input) && (input.includes('/') || input.startsWith('.') || !isReference(input) || fs.statSync(input).isDirectory())) {
    throw new BadInputError(`"${input}" is a path on this machine, not a registry reference: use "${schemeForPath(input)}" (or "registry:${input}" for the registry)`);
  }
  parseReference(input);
  return { scheme: 'registry', location: input };
}

export interface OpenSourceOptions {
  readonly credentials?: RegistryCredentialProvider;
  readonly insecure?: boolean;
  /** Where a registry client reports its requests (shown with `-v`). */
  readonly progress?: Progress;
}

export async function openSource(spec: SourceSpec, opts: OpenSourceOptions = {}): Promise<ArtifactSource> {
  const display = `${spec.scheme}:${spec.location}${spec.tag ? `:${spec.tag}` : ''}`;
  switch (spec.scheme) {
    case 'registry': {
      const ref = parseReference(spec.location);
      const client = new RegistryClient({ registry: ref.registry, credentials: opts.credentials, insecure: opts.insecure, ...(opts.progress ? { progress: opts.progress } : {}) });
      return new RegistrySource(ref, client);
    }
    case 'oci-dir': {
      if (!fs.existsSync(spec.location) || !fs.statSync(spec.location).isDirectory()) {
        throw new BadInputError(`${display}: no such directory`);
      }
      return OciLayoutSource.open('oci-dir', display, new DirFileStore(path.resolve(spec.location)), spec.tag);
    }
    case 'oci-archive':
      return OciLayoutSource.open('oci-archive', display, await TarFileStore.open(spec.location), spec.tag);
    case 'docker-archive':
      return DockerArchiveSource.open(display, await TarFileStore.open(spec.location), spec.tag);
    case 'dir':
      throw new BadInputError(`${display}: a directory is not an OCI artifact (use it with "sbom")`);
  }
}
