import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage } from '../../cataloger';

/** `pkg:maven/<groupId>/<artifactId>@<version>`; without a namespace when the group is unknown (manifest-only archives). */
export function mavenPurl(pkg: CatalogedPackage): string {
  return new PackageURL('maven', pkg.namespace || undefined, pkg.name, pkg.version || undefined, undefined, undefined).toString();
}
