import type { SyncCataloger } from '../../cataloger';
import { parsePackageJson } from './parse-package-json';
import { npmPurl } from './purl';

/**
 * A published npm package as a file (`npm pack`'s tarball, pushed as an OCI artifact): its
 * manifest is `package/package.json` at the archive root. Only offered the files of an
 * artifact's tar layers (sbom/artifact/), never an image's.
 */
export const npmTarballCataloger: SyncCataloger = {
  name: 'npm-tarball',
  maxFileSize: 1024 * 1024,
  wants: (path) => path === 'package/package.json',
  parse: parsePackageJson,
  purl: npmPurl,
};
