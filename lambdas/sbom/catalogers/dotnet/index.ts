import type { SyncCataloger } from '../../cataloger';
import { parseDepsJson } from './parse-deps-json';
import { nugetPurl } from './purl';

const SUFFIX = '.deps.json';

/** `<anything>.deps.json`, wherever the application is published. */
export function isDepsJson(path: string): boolean {
  if (!path.endsWith(SUFFIX)) return false;
  const slash = path.lastIndexOf('/');
  return path.length - slash - 1 > SUFFIX.length;
}

/** .NET applications' NuGet dependencies from their deps.json manifests. */
export const dotnetCataloger: SyncCataloger = {
  name: 'dotnet',
  maxFileSize: 16 * 1024 * 1024,
  wants: isDepsJson,
  parse: parseDepsJson,
  purl: nugetPurl,
};
