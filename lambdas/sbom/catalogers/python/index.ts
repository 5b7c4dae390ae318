import type { SyncCataloger, CatalogedPackage, ParseResult } from '../../cataloger';
import { parsePythonMetadata } from './parse-metadata';
import { pythonPurl } from './purl';

const DIST_INFO = '.dist-info';
const EGG_INFO = '.egg-info';

/** True when `dir` is `<something>.dist-info` / `<something>.egg-info` (a non-empty stem). */
const endsWithStem = (dir: string, suffix: string): boolean => dir.length > suffix.length && dir.endsWith(suffix);

/**
 * Installed Python distributions, at any depth: `<name>-<ver>.dist-info/METADATA` (wheels),
 * `<name>.egg-info/PKG-INFO` (setuptools eggs, Debian's python3-* packages) and the
 * single-file `<name>-<ver>-py3.11.egg-info` (distutils): the engine only calls `wants` for
 * regular files, so a path ending in `.egg-info` is the file form.
 */
export function isPythonMetadataPath(path: string): boolean {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  if (base === 'METADATA' || base === 'PKG-INFO') {
    if (slash <= 0) return false;
    const dir = path.slice(path.lastIndexOf('/', slash - 1) + 1, slash);
    return endsWithStem(dir, base === 'METADATA' ? DIST_INFO : EGG_INFO);
  }
  return endsWithStem(base, EGG_INFO);
}

/** Python packages from installed distributions' core metadata. */
export const pythonCataloger: SyncCataloger = {
  name: 'python',
  maxFileSize: 4 * 1024 * 1024,
  wants: isPythonMetadataPath,
  parse(path: string, content: Buffer): ParseResult {
    return parsePythonMetadata(path, content);
  },
  purl(pkg: CatalogedPackage): string {
    return pythonPurl(pkg);
  },
};
