import { randomUUID } from 'node:crypto';
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { ImageSbom, SbomSubject } from '../component';
import { assertSpdxExpression } from './spdx-expression';
import { ociPurl, TOOL } from './subject';

const licenseFactory = new CDX.Contrib.License.Factories.LicenseFactory(assertSpdxExpression);

/** One licence may be an SPDX expression; several are listed one by one (the schema forbids mixing). */
function licensesOf(values: readonly string[]): CDX.Models.License[] {
  if (values.length === 1) return [licenseFactory.makeFromString(values[0] as string)];
  return values.map((v) => licenseFactory.makeDisjunctive(v));
}

export interface CycloneDxOptions {
  readonly timestamp?: Date;
  readonly serialNumber?: string;
}

/** A CycloneDX 1.6 model of one image's SBOM: `metadata.component` is the image, components are its packages. */
export function cycloneDxBom(subject: SbomSubject, image: ImageSbom, opts: CycloneDxOptions = {}): CDX.Models.Bom {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = opts.serialNumber ?? `urn:uuid:${randomUUID()}`;
  bom.metadata.timestamp = opts.timestamp ?? new Date();
  bom.metadata.tools.components.add(new CDX.Models.Component(CDX.Enums.ComponentType.Application, TOOL.name, { version: TOOL.version }));
  const main = new CDX.Models.Component(CDX.Enums.ComponentType.Container, subject.name, {
    bomRef: ociPurl(subject, image),
    version: image.manifestDigest,
    purl: ociPurl(subject, image) as never,
  });
  if (subject.digest !== image.manifestDigest) main.properties.add(new CDX.Models.Property('artifact-guard:index:digest', subject.digest));
  if (image.platform) main.properties.add(new CDX.Models.Property('artifact-guard:platform', image.platform));
  if (image.os) main.properties.add(new CDX.Models.Property('artifact-guard:os', `${image.os.id} ${image.os.versionId ?? ''}`.trim()));
  bom.metadata.component = main;
  for (const c of image.components) {
    const comp = new CDX.Models.Component(CDX.Enums.ComponentType.Library, c.name, {
      bomRef: c.bomRef,
      // A Go main module built as (devel) has no version: omitted rather than written empty.
      ...(c.version ? { version: c.version } : {}),
      purl: c.purl as never,
      ...(c.namespace ? { group: c.ecosystem === 'npm' ? `@${c.namespace}` : c.namespace } : {}),
    });
    for (const l of licensesOf(c.licenses)) comp.licenses.add(l);
    comp.properties.add(new CDX.Models.Property('artifact-guard:cataloger', c.ecosystem));
    comp.properties.add(new CDX.Models.Property('artifact-guard:layer:introduced', c.introducedBy));
    c.locations.forEach((loc, i) => {
      comp.properties.add(new CDX.Models.Property(`artifact-guard:location:${i}:path`, `/${loc.path}`));
      comp.properties.add(new CDX.Models.Property(`artifact-guard:location:${i}:layer`, loc.layer));
    });
    bom.components.add(comp);
    main.dependencies.add(comp.bomRef);
  }
  return bom;
}

const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));

export function cycloneDxJson(subject: SbomSubject, image: ImageSbom, opts: CycloneDxOptions = {}): string {
  return serializer.serialize(cycloneDxBom(subject, image, opts), { sortLists: true, space: 2 });
}

/** Validates a CycloneDX 1.6 JSON document against the official schema shipped with the library. */
export async function validateCycloneDx(json: string): Promise<string[]> {
  const err = await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(json);
  return err ? [JSON.stringify(err.details ?? err.message).slice(0, 2000)] : [];
}
