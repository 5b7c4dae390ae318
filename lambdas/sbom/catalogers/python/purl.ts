import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage } from '../../cataloger';

/** PEP 503 normalised project name: lowercase, every run of `-`, `_`, `.` becomes one `-`. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** `pkg:pypi/<PEP 503 name>@<version>` (`PyYAML` → `pkg:pypi/pyyaml@6.0`). */
export function pythonPurl(pkg: CatalogedPackage): string {
  return new PackageURL('pypi', undefined, normalizePythonName(pkg.name), pkg.version, undefined, undefined).toString();
}
