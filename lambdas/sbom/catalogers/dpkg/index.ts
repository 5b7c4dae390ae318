import type { SyncCataloger, CatalogedPackage, ParseResult, PurlContext } from '../../cataloger';
import { warning } from '../common/text';
import { copyrightPackageName, parseCopyright } from './parse-copyright';
import { parseDpkgStatus } from './parse-status';
import { dpkgPurl } from './purl';

const STATUS = 'var/lib/dpkg/status';
/**
 * Largest copyright file parsed. `maxFileSize` is per cataloger (sized for the status file), so
 * `parse` enforces this smaller limit itself.
 */
export const MAX_COPYRIGHT_SIZE = 1024 * 1024;
const STATUS_D = 'var/lib/dpkg/status.d/';

/**
 * `var/lib/dpkg/status.d/<name>` (distroless): one more path segment, not a dotfile, not the
 * `<name>.md5sums` file list that sits beside each stanza file.
 */
function isStatusDFile(path: string): boolean {
  if (!path.startsWith(STATUS_D)) return false;
  const rest = path.slice(STATUS_D.length);
  return rest.length > 0 && !rest.includes('/') && rest.charCodeAt(0) !== 46 /* . */ && !rest.endsWith('.md5sums');
}

/**
 * Debian packages: the dpkg database (`var/lib/dpkg/status`, distroless `var/lib/dpkg/status.d/*`)
 * and the licences of `usr/share/doc/<package>/copyright`, returned as `licenseFacts`.
 */
export const dpkgCataloger: SyncCataloger = {
  name: 'dpkg',
  // status can be tens of MB on big images; stanza files and copyright files are far smaller.
  maxFileSize: 48 * 1024 * 1024,
  wants(path: string): boolean {
    if (path === STATUS) return true;
    if (path.startsWith('var/lib/dpkg/')) return isStatusDFile(path);
    return path.endsWith('/copyright') && copyrightPackageName(path) !== undefined;
  },
  parse(path: string, content: Buffer): ParseResult {
    if (copyrightPackageName(path) !== undefined) {
      if (content.length > MAX_COPYRIGHT_SIZE) {
        // A copyright file only carries licences of a package the status file lists.
        return { packages: [], warnings: [warning(path, `copyright file larger than ${MAX_COPYRIGHT_SIZE} bytes skipped`, 'metadata')] };
      }
      return parseCopyright(path, content);
    }
    return parseDpkgStatus(path, content, { statusOptional: isStatusDFile(path) });
  },
  purl(pkg: CatalogedPackage, ctx: PurlContext): string {
    return dpkgPurl(pkg, ctx);
  },
};
