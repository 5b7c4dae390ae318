import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage } from '../../cataloger';

/** `pkg:gem/<name>@<version>`, as Syft writes it (the platform stays in metadata, not in a qualifier). */
export function gemPurl(pkg: CatalogedPackage): string {
  return new PackageURL('gem', undefined, pkg.name, pkg.version || undefined, undefined, undefined).toString();
}
