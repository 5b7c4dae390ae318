import { randomUUID } from 'node:crypto';
import type { ComponentType } from '../cataloger';
import type { ImageSbom, SbomKind, SbomSubject } from '../component';
import { declaredLicenseTexts, spdxLicense } from './spdx-license';
import { ociPurl, TOOL } from './subject';

function spdxTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** SPDX 2.3 `primaryPackagePurpose` of the described manifest and of non-library components. */
const SUBJECT_PURPOSE: Readonly<Record<SbomKind, string>> = { image: 'CONTAINER', chart: 'APPLICATION', artifact: 'FILE', directory: 'CONTAINER' };
const COMPONENT_PURPOSE: Readonly<Record<ComponentType, string | undefined>> = { library: undefined, application: 'APPLICATION', container: 'CONTAINER', file: 'FILE' };

interface Extracted {
  licenseId: string;
  name: string;
  extractedText: string;
}

/**
 * SPDX 2.3 has no completeness field: an incomplete inventory says so in the document comment,
 * one gap a line (already capped). Undefined when the inventory is complete.
 */
function incompleteComment(image: ImageSbom): string | undefined {
  if (!image.gaps.length) return undefined;
  return ['INCOMPLETE INVENTORY: packages may be missing from this document. Not inventoried:', ...image.gaps.map((g) => `- ${g.message}`)].join('\n');
}

/** Where a declared licence text was written as its SPDX id, the text as declared (SPDX 2.3 §7.16 licenseComments). */
function licenseComments(values: readonly string[]): { licenseComments?: string } {
  const texts = declaredLicenseTexts(values);
  return texts.length ? { licenseComments: `Declared as ${texts.map((t) => JSON.stringify(t)).join(', ')}; written as SPDX identifiers.` } : {};
}

/**
 * An SPDX 2.3 JSON document for one image: a CONTAINER package the document DESCRIBES, which
 * CONTAINS one package per component. Licence text that names an SPDX licence is written as its
 * id (spdx-license.ts); other text becomes a `LicenseRef-…` entry in `hasExtractedLicensingInfos`.
 */
export function spdxDocument(subject: SbomSubject, image: ImageSbom, opts: { timestamp?: Date; namespaceId?: string } = {}): Record<string, unknown> {
  const extracted = new Map<string, Extracted>();
  const licenseExpr = (values: readonly string[]): string => {
    if (values.length === 0) return 'NOASSERTION';
    const parts = values.map((v) => {
      const spdx = spdxLicense(v);
      if (spdx) return values.length > 1 && /\s(AND|OR|WITH)\s/i.test(spdx) ? `(${spdx})` : spdx;
      const id = `LicenseRef-${v.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown'}`;
      extracted.set(id, { licenseId: id, name: v, extractedText: v });
      return id;
    });
    return parts.join(' AND ');
  };
  const imageId = 'SPDXRef-Image';
  const packages: Record<string, unknown>[] = [
    {
      SPDXID: imageId,
      name: subject.name,
      versionInfo: image.manifestDigest,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: SUBJECT_PURPOSE[image.kind ?? 'image'],
      checksums: [{ algorithm: 'SHA256', checksumValue: image.manifestDigest.slice('sha256:'.length) }],
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: ociPurl(subject, image) }],
    },
  ];
  const relationships: Record<string, string>[] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId }];
  image.components.forEach((c, i) => {
    const id = `SPDXRef-Package-${c.ecosystem.replace(/[^A-Za-z0-9.-]/g, '-')}-${i + 1}`;
    const purpose = COMPONENT_PURPOSE[c.componentType ?? 'library'];
    packages.push({
      SPDXID: id,
      name: c.namespace && c.ecosystem === 'npm' ? `@${c.namespace}/${c.name}` : c.name,
      ...(c.version ? { versionInfo: c.version } : {}),
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: licenseExpr(c.licenses),
      ...licenseComments(c.licenses),
      copyrightText: 'NOASSERTION',
      ...(purpose ? { primaryPackagePurpose: purpose } : {}),
      ...(c.hashes?.length ? { checksums: c.hashes.map((h) => ({ algorithm: h.alg.replace('-', ''), checksumValue: h.content })) } : {}),
      sourceInfo: `cataloged from ${c.locations.map((l) => `/${l.path}`).join(', ')}`,
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: c.purl }],
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  });
  const safeName = subject.name.replace(/[^A-Za-z0-9._/-]+/g, '-');
  const comment = incompleteComment(image);
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${subject.name}@${image.manifestDigest}`,
    documentNamespace: `https://artifact-guard.dev/spdx/${safeName}/${image.manifestDigest.replace(':', '-')}/${opts.namespaceId ?? randomUUID()}`,
    creationInfo: { created: spdxTimestamp(opts.timestamp ?? new Date()), creators: [`Tool: ${TOOL.name}-${TOOL.version}`, `Organization: ${TOOL.vendor}`] },
    ...(comment ? { comment } : {}),
    packages,
    relationships,
    ...(extracted.size ? { hasExtractedLicensingInfos: [...extracted.values()] } : {}),
  };
}

export function spdxJson(subject: SbomSubject, image: ImageSbom, opts: { timestamp?: Date; namespaceId?: string } = {}): string {
  return JSON.stringify(spdxDocument(subject, image, opts), null, 2);
}
