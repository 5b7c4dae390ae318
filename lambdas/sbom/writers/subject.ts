import { PackageURL } from 'packageurl-js';
import type { ImageSbom, SbomSubject } from '../component';

/** `pkg:oci/<name>@<digest>?repository_url=<host/repo>` for the image an SBOM describes (purl-spec oci type). */
export function ociPurl(subject: SbomSubject, image: ImageSbom): string {
  const name = subject.name.slice(subject.name.lastIndexOf('/') + 1).toLowerCase() || 'image';
  const qualifiers: Record<string, string> = {};
  if (subject.name.includes('/')) qualifiers.repository_url = subject.name;
  const arch = image.platform?.split('/')[1];
  if (arch) qualifiers.arch = arch;
  if (subject.tag) qualifiers.tag = subject.tag;
  return new PackageURL('oci', undefined, name, image.manifestDigest, qualifiers, undefined).toString();
}

export const TOOL = { vendor: 'Artifact Guard', name: 'artifact-guard', version: '0.1.0' } as const;
