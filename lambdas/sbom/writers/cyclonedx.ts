import { randomUUID } from 'node:crypto';
import type * as CDX from '@cyclonedx/cyclonedx-library';
import type { ComponentType } from '../cataloger';
import type { ImageSbom, SbomKind, SbomSubject } from '../component';
import { assertSpdxExpression } from './spdx-expression';
import { declaredLicenseTexts, spdxLicense } from './spdx-license';
import { ociPurl, TOOL } from './subject';

// The library's root entry point also loads its schema validators and every contrib module
// (~110 ms at start-up, on the critical path of a one-layer SBOM); these entry points are ~35 ms.
/* eslint-disable @typescript-eslint/no-require-imports */
const Models = require('@cyclonedx/cyclonedx-library/Models') as typeof CDX.Models;
const Enums = require('@cyclonedx/cyclonedx-library/Enums') as typeof CDX.Enums;
const Serialize = require('@cyclonedx/cyclonedx-library/Serialize') as typeof CDX.Serialize;
const Spec = require('@cyclonedx/cyclonedx-library/Spec') as typeof CDX.Spec;
const License = require('@cyclonedx/cyclonedx-library/Contrib/License') as typeof CDX.Contrib.License;
/* eslint-enable @typescript-eslint/no-require-imports */

const licenseFactory = new License.Factories.LicenseFactory(assertSpdxExpression);

/**
 * One licence may be an SPDX expression; several are listed one by one (the schema forbids
 * mixing). Text that names an SPDX licence is written as its id or expression (spdx-license.ts);
 * other text stays a licence `name`.
 */
function licensesOf(values: readonly string[]): CDX.Models.License[] {
  const spdx = values.map((v) => spdxLicense(v) ?? v);
  if (spdx.length === 1) return [licenseFactory.makeFromString(spdx[0] as string)];
  return spdx.map((v) => licenseFactory.makeDisjunctive(v));
}

/** The described manifest's type: an image is a container, a Helm chart an application, another artifact a file bundle. */
const SUBJECT_TYPE: Readonly<Record<SbomKind, CDX.Enums.ComponentType>> = {
  image: Enums.ComponentType.Container,
  chart: Enums.ComponentType.Application,
  artifact: Enums.ComponentType.File,
  directory: Enums.ComponentType.Container,
};

const COMPONENT_TYPE: Readonly<Record<ComponentType, CDX.Enums.ComponentType>> = {
  library: Enums.ComponentType.Library,
  application: Enums.ComponentType.Application,
  container: Enums.ComponentType.Container,
  file: Enums.ComponentType.File,
};

export interface CycloneDxOptions {
  readonly timestamp?: Date;
  readonly serialNumber?: string;
}

/** A CycloneDX 1.6 model of one image's SBOM: `metadata.component` is the image, components are its packages. */
export function cycloneDxBom(subject: SbomSubject, image: ImageSbom, opts: CycloneDxOptions = {}): CDX.Models.Bom {
  const bom = new Models.Bom();
  bom.serialNumber = opts.serialNumber ?? `urn:uuid:${randomUUID()}`;
  bom.metadata.timestamp = opts.timestamp ?? new Date();
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, TOOL.name, { version: TOOL.version }));
  const main = new Models.Component(SUBJECT_TYPE[image.kind ?? 'image'], subject.name, {
    bomRef: ociPurl(subject, image),
    version: image.manifestDigest,
    // The library types purl as its PackageURL class; it serializes the string we built as written.
    purl: ociPurl(subject, image) as never,
  });
  if (subject.digest !== image.manifestDigest) main.properties.add(new Models.Property('artifact-guard:index:digest', subject.digest));
  if (image.platform) main.properties.add(new Models.Property('artifact-guard:platform', image.platform));
  if (image.os) main.properties.add(new Models.Property('artifact-guard:os', `${image.os.id} ${image.os.versionId ?? ''}`.trim()));
  bom.metadata.component = main;
  // Gaps are already capped (100 and a count): one property each, in order of the list.
  for (const g of image.gaps) bom.metadata.properties.add(new Models.Property('artifact-guard:gap', g.message));
  for (const c of image.components) {
    const comp = new Models.Component(COMPONENT_TYPE[c.componentType ?? 'library'], c.name, {
      bomRef: c.bomRef,
      // A Go main module built as (devel) has no version: omitted rather than written empty.
      ...(c.version ? { version: c.version } : {}),
      purl: c.purl as never,
      ...(c.namespace ? { group: c.ecosystem === 'npm' ? `@${c.namespace}` : c.namespace } : {}),
    });
    for (const l of licensesOf(c.licenses)) comp.licenses.add(l);
    for (const text of declaredLicenseTexts(c.licenses)) comp.properties.add(new Models.Property('artifact-guard:license:declared', text));
    for (const h of c.hashes ?? []) comp.hashes.set(h.alg === 'SHA-512' ? Enums.HashAlgorithm['SHA-512'] : Enums.HashAlgorithm['SHA-256'], h.content);
    comp.properties.add(new Models.Property('artifact-guard:cataloger', c.ecosystem));
    for (const [k, v] of Object.entries(c.properties ?? {})) comp.properties.add(new Models.Property(`artifact-guard:${k}`, v));
    comp.properties.add(new Models.Property('artifact-guard:layer:introduced', c.introducedBy));
    c.locations.forEach((loc, i) => {
      comp.properties.add(new Models.Property(`artifact-guard:location:${i}:path`, `/${loc.path}`));
      comp.properties.add(new Models.Property(`artifact-guard:location:${i}:layer`, loc.layer));
    });
    bom.components.add(comp);
    main.dependencies.add(comp.bomRef);
  }
  return bom;
}

const normalizers = new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6);

/** CycloneDX 1.6 `compositions` (the library's models have none). */
interface Composition {
  readonly aggregate: 'complete' | 'incomplete';
  readonly assemblies: readonly string[];
}

/**
 * The library's JSON serializer, plus one composition saying whether the image (the metadata
 * component) is inventoried completely. It is added to the normalized object, after the
 * library has made bom-refs unique and before it is stringified.
 */
class SerializerWithComposition extends Serialize.JsonSerializer {
  constructor(private readonly aggregate: Composition['aggregate']) {
    super(normalizers);
  }

  protected override _normalize(bom: CDX.Models.Bom, options?: CDX.Serialize.Types.NormalizerOptions): CDX.Serialize.JSON.Types.Normalized.Bom {
    const normalized = super._normalize(bom, options);
    const ref = normalized.metadata?.component?.['bom-ref'];
    if (!ref) return normalized;
    const compositions: Composition[] = [{ aggregate: this.aggregate, assemblies: [ref] }];
    return Object.assign(normalized, { compositions });
  }
}

export function cycloneDxJson(subject: SbomSubject, image: ImageSbom, opts: CycloneDxOptions = {}): string {
  const serializer = new SerializerWithComposition(image.gaps.length ? 'incomplete' : 'complete');
  return serializer.serialize(cycloneDxBom(subject, image, opts), { sortLists: true, space: 2 });
}
