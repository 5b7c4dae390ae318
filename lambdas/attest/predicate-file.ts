import { BadInputError } from '../core/errors';
import type { JsonObject } from '../signing/strict-json';
import { isJsonObject, parseStrictJson } from '../signing/strict-json';
import { cycloneDxPredicate } from './predicates/cyclonedx';
import { vulnPredicate } from './predicates/vuln';
import { PREDICATE_TYPES } from './predicate-types';

/**
 * `attest --predicate FILE`: the predicate document for `--type`, as cosign takes it, with
 * a check that it has the shape verifiers expect:
 * - `slsaprovenance1`: a SLSA v1 predicate (buildDefinition.buildType, externalParameters,
 *   runDetails.builder.id);
 * - `cyclonedx`: the CycloneDX SBOM JSON (`sbom -o cyclonedx-json`);
 * - `vuln`: either a complete cosign vuln predicate (`scanner.result` and `metadata`), or a
 *   scan report (`scan -o json`), which becomes `scanner.result`, scan times taken from the
 *   report's `startedOn` / `finishedOn` (else its `generatedAt`, else the attestation time);
 * - a predicateType URI: any JSON object, as it is.
 */
export function predicateFromFile(predicateType: string, bytes: Buffer, file: string, now: Date): JsonObject {
  const parsed = parseStrictJson(bytes);
  if (!parsed.ok) throw new BadInputError(`${file} is not JSON: ${parsed.reason}`);
  const doc = parsed.value;
  if (!isJsonObject(doc)) throw new BadInputError(`${file}: a predicate must be a JSON object`);
  const plain = JSON.parse(JSON.stringify(doc)) as JsonObject;
  switch (predicateType) {
    case PREDICATE_TYPES.cyclonedx:
      return cycloneDxPredicate(plain);
    case PREDICATE_TYPES.slsaprovenance1: {
      const def = plain.buildDefinition;
      const run = plain.runDetails;
      const ok =
        isJsonObject(def) && typeof def.buildType === 'string' && isJsonObject(def.externalParameters) && isJsonObject(run) && isJsonObject(run.builder) && typeof run.builder.id === 'string';
      if (!ok) throw new BadInputError(`${file} is not a SLSA provenance v1 predicate (needs buildDefinition.buildType, buildDefinition.externalParameters, runDetails.builder.id)`);
      return plain;
    }
    case PREDICATE_TYPES.vuln: {
      if (isJsonObject(plain.scanner) && 'result' in plain.scanner && isJsonObject(plain.metadata)) return plain;
      const at = (k: string) => (typeof plain[k] === 'string' && !Number.isNaN(Date.parse(plain[k] as string)) ? (plain[k] as string) : undefined);
      const time = (k: string) => at(k) ?? at('generatedAt') ?? now.toISOString();
      return vulnPredicate({ report: plain, scanStartedOn: time('startedOn'), scanFinishedOn: time('finishedOn') });
    }
    default:
      return plain;
  }
}
