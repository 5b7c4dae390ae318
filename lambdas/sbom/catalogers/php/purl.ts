import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage } from '../../cataloger';

/** `pkg:composer/<vendor>/<name>@<version>` (packageurl-js lowercases vendor and name, per the composer type). */
export function composerPurl(pkg: CatalogedPackage): string {
  return new PackageURL('composer', pkg.namespace || undefined, pkg.name, pkg.version || undefined, undefined, undefined).toString();
}
