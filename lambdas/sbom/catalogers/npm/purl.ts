import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage } from '../../cataloger';

/**
 * `pkg:npm/%40scope/name@version` or `pkg:npm/name@version`. The scope is stored without `@`;
 * packageurl-js adds the percent-encoding and lowercases the name, as the npm purl type says.
 */
export function npmPurl(pkg: CatalogedPackage): string {
  const namespace = pkg.namespace ? `@${pkg.namespace}` : undefined;
  return new PackageURL('npm', namespace, pkg.name, pkg.version, undefined, undefined).toString();
}
