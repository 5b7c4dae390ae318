import { BadInputError } from '../../core/errors';
import type { JsonObject } from '../../signing/strict-json';
import { isJsonObject, parseStrictJson } from '../../signing/strict-json';

/**
 * The CycloneDX predicate is the whole SBOM document (in-toto spec/predicates/cyclonedx.md).
 * The shape is checked here (bomFormat, specVersion, strict JSON); schema validation is the
 * SBOM writer's job (`validateCycloneDx`), which the tests run on attested SBOMs.
 */
export function cycloneDxPredicate(sbom: string | Buffer | JsonObject): JsonObject {
  let doc: unknown = sbom;
  if (typeof sbom === 'string' || Buffer.isBuffer(sbom)) {
    const parsed = parseStrictJson(sbom);
    if (!parsed.ok) throw new BadInputError(`CycloneDX SBOM is not JSON: ${parsed.reason}`);
    doc = parsed.value;
  }
  if (!isJsonObject(doc as JsonObject)) throw new BadInputError('CycloneDX SBOM is not a JSON object');
  const bom = doc as JsonObject;
  if (bom.bomFormat !== 'CycloneDX') throw new BadInputError(`not a CycloneDX SBOM (bomFormat ${JSON.stringify(bom.bomFormat)})`);
  if (typeof bom.specVersion !== 'string') throw new BadInputError('CycloneDX SBOM has no specVersion');
  // Strict JSON objects have a null prototype; the predicate is re-serialised, so copy plainly.
  return JSON.parse(JSON.stringify(bom)) as JsonObject;
}
