import * as CDX from '@cyclonedx/cyclonedx-library';

/** Validates a CycloneDX 1.6 JSON document against the official schema shipped with the library. */
export async function validateCycloneDx(json: string): Promise<string[]> {
  const err = await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(json);
  return err ? [JSON.stringify(err.details ?? err.message).slice(0, 2000)] : [];
}
