import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage } from '../../cataloger';

/** `pkg:nuget/<Name>@<Version>` (names keep their case, as Syft writes them). */
export function nugetPurl(pkg: CatalogedPackage): string {
  return new PackageURL('nuget', undefined, pkg.name, pkg.version || undefined, undefined, undefined).toString();
}
