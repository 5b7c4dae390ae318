import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage } from '../../cataloger';

/** `pkg:cargo/<name>@<version>` (Syft's form; crate names are case-sensitive and kept as written). */
export function cargoPurl(pkg: CatalogedPackage): string {
  return new PackageURL('cargo', undefined, pkg.name, pkg.version || undefined, undefined, undefined).toString();
}
