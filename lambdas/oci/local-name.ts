import * as path from 'node:path';

/**
 * The repository name of an artifact on disk (an OCI layout, an archive): `localhost/` and its
 * absolute path, each segment made a valid reference component. Keyed by where it is, not by the
 * path typed, so `oci-dir:./app` run from two folders are two artifacts, and one run from two
 * folders is one.
 */
export function localRepositoryName(location: string): string {
  const segments = path
    .resolve(location)
    .split(path.sep)
    .map((s) => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/[^a-z0-9]+$/, ''))
    .filter(Boolean);
  return `localhost/${segments.join('/') || 'image'}`;
}
