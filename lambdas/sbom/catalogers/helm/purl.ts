import { PackageURL } from 'packageurl-js';
import type { CatalogedPackage } from '../../cataloger';
import { ociImagePurl } from './image-reference';
import { purlRepository } from './parse-chart';

/**
 * `pkg:helm/<name>@<version>?repository_url=<repository>`. The purl spec has no `helm` type yet:
 * this is the form of its pending proposal (package-url/purl-spec#236: the repository, an
 * `https://` chart repository or an `oci://` registry path, as `repository_url`) and what
 * CycloneDX's cdxgen writes for charts (`pkg:helm/<name>@<version>`); Syft has no chart
 * cataloger. A dependency without a version (declared, not vendored, not locked) has none.
 */
export function helmPurl(pkg: CatalogedPackage): string {
  const repository = purlRepository(pkg.metadata?.repository);
  return new PackageURL('helm', undefined, pkg.name, pkg.version || undefined, repository ? { repository_url: repository } : undefined, undefined).toString();
}

/** Purls of what the chart cataloger reports: charts (`helm`) and the images they deploy (`oci`). */
export function chartPurl(pkg: CatalogedPackage): string {
  if (pkg.ecosystem !== 'oci') return helmPurl(pkg);
  const m = pkg.metadata ?? {};
  return ociImagePurl({ registry: m.registry ?? '', repository: m.repository ?? pkg.name, ...(m.tag ? { tag: m.tag } : {}), ...(m.digest ? { digest: m.digest } : {}) });
}
