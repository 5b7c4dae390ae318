import type { SyncCataloger, CatalogedPackage, ParseResult, PurlContext } from '../../cataloger';
import { parseApkInstalled } from './parse-installed';
import { apkPurl } from './purl';

/**
 * The apk database. `lib/apk/db/installed` on Alpine, Wolfi and Chainguard images;
 * `usr/lib/apk/db/installed` where the database moved under `/usr` (merged-usr layouts keep a
 * `lib/apk` symlink, which tar stores as a link, not as a second file).
 */
const INSTALLED = ['lib/apk/db/installed', 'usr/lib/apk/db/installed'];

/** Alpine-family packages from apk's installed database. */
export const apkCataloger: SyncCataloger = {
  name: 'apk',
  // A few MB on large images; generous headroom.
  maxFileSize: 48 * 1024 * 1024,
  wants(path: string): boolean {
    return path.endsWith('/apk/db/installed') && INSTALLED.includes(path);
  },
  parse(path: string, content: Buffer): ParseResult {
    return parseApkInstalled(path, content);
  },
  purl(pkg: CatalogedPackage, ctx: PurlContext): string {
    return apkPurl(pkg, ctx);
  },
};
