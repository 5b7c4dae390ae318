import type { ParseResult, SyncCataloger } from '../../cataloger';
import { readZipEntry } from '../common/zip';
import { parsePythonMetadata } from './parse-metadata';
import { pythonPurl } from './purl';

/** `<name>-<version>/PKG-INFO`: the core metadata at the root of a source distribution (`python -m build --sdist`). */
export function isSdistMetadataPath(path: string): boolean {
  const slash = path.indexOf('/');
  return slash > 0 && path.length === slash + 1 + 'PKG-INFO'.length && path.endsWith('/PKG-INFO');
}

/**
 * A Python source distribution as a file (a `.tar.gz` pushed as an OCI artifact): its root
 * `PKG-INFO`. Only offered the files of an artifact's tar layers (sbom/artifact/).
 */
export const pythonSdistCataloger: SyncCataloger = {
  name: 'python-sdist',
  maxFileSize: 4 * 1024 * 1024,
  wants: isSdistMetadataPath,
  parse: parsePythonMetadata,
  purl: pythonPurl,
};

/** `<name>-<version>.dist-info/METADATA` at the root of a wheel. */
const WHEEL_METADATA = /^[^/]+\.dist-info\/METADATA$/;

/** A wheel (`*.whl`, a zip): the package its `*.dist-info/METADATA` describes. Never throws. */
export async function parseWheel(path: string, content: Buffer): Promise<ParseResult> {
  const entry = await readZipEntry(content, (name) => WHEEL_METADATA.test(name));
  if (!entry) return { packages: [], warnings: [{ path, message: 'wheel without a *.dist-info/METADATA: its package is not in this SBOM' }] };
  if ('error' in entry) return { packages: [], warnings: [{ path, message: `wheel metadata not read: ${entry.error}` }] };
  return parsePythonMetadata(`${path}!/${entry.name}`, entry.data);
}
