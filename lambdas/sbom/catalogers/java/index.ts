import type { AsyncCataloger } from '../../cataloger';
import { parseJavaArchive } from './parse-archive';
import { mavenPurl } from './purl';

const EXT3 = ['jar', 'war', 'ear', 'jpi', 'hpi', 'par', 'sar', 'nar', 'kar', 'JAR', 'WAR', 'EAR'];

/** A Java archive by its extension; case-insensitive for the common three. No allocation. */
export function isJavaArchivePath(path: string): boolean {
  const n = path.length;
  if (n > 4 && path.charCodeAt(n - 4) === 46 /* . */) {
    for (const ext of EXT3) if (path.endsWith(ext)) return n > 4 && path.charCodeAt(n - 5) !== 47 /* / */;
    return false;
  }
  return n > 5 && path.charCodeAt(n - 5) === 46 && path.endsWith('lpkg') && path.charCodeAt(n - 6) !== 47;
}

/** Java archives anywhere in the image, by extension (jar, war, ear, jpi, hpi, par, sar, nar, kar, lpkg). */
export const javaCataloger: AsyncCataloger = {
  name: 'java',
  // The central directory sits at the end: the archive is buffered whole, up to 48 MiB (buffer-budget.ts).
  maxFileSize: 48 * 1024 * 1024,
  wants: isJavaArchivePath,
  parse: parseJavaArchive,
  purl: mavenPurl,
};
