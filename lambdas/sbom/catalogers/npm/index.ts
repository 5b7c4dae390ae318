import type { SyncCataloger, CatalogedPackage, ParseResult } from '../../cataloger';
import { parsePackageJson } from './parse-package-json';
import { npmPurl } from './purl';

const SUFFIX = '/package.json';

/** A directory name npm could have installed a package under (not `.bin`, `.pnpm`, `_x`, `@scope`). */
function isPackageDir(name: string): boolean {
  const c = name.charCodeAt(0);
  return name.length > 0 && c !== 46 /* . */ && c !== 95 /* _ */ && c !== 64 /* @ */;
}

/**
 * True for the manifest of an installed package: `…node_modules/<name>/package.json` or
 * `…node_modules/@<scope>/<name>/package.json`, at any depth. Nested `node_modules` copies
 * (`a/node_modules/b/node_modules/c`) and pnpm's `.pnpm/<id>/node_modules/<name>` are separate
 * installs and wanted; so is a package under another package's test fixtures
 * (`node_modules/x/test/fixtures/node_modules/y`), which is indistinguishable from a real install
 * and resolvable by `require` from there. Not wanted: project manifests (`app/package.json`),
 * manifests inside a package (`node_modules/x/lib/package.json`), lockfiles and
 * `node_modules/.package-lock.json`.
 */
export function isInstalledPackageJson(path: string): boolean {
  if (!path.endsWith(SUFFIX) || !path.includes('node_modules/')) return false;
  // From the end: `package.json`, its directory, the directory's parent and grandparent.
  const [, dir, parent, grandparent] = path.split('/').reverse();
  if (dir === undefined || parent === undefined) return false;
  if (parent === 'node_modules') return isPackageDir(dir);
  return grandparent === 'node_modules' && parent.length > 1 && parent.startsWith('@') && isPackageDir(dir);
}

/** npm packages installed under `node_modules`, one component per `package.json`. */
export const npmCataloger: SyncCataloger = {
  name: 'npm',
  maxFileSize: 1024 * 1024,
  wants: isInstalledPackageJson,
  parse(path: string, content: Buffer): ParseResult {
    return parsePackageJson(path, content);
  },
  purl(pkg: CatalogedPackage): string {
    return npmPurl(pkg);
  },
};
