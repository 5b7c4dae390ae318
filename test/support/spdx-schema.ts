import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The SPDX 2.3 JSON schema, vendored unmodified from spdx/spdx-spec
 * (see test/fixtures/schemas/README.md for source, commit and licence).
 */
export const SPDX_23_SCHEMA_PATH = path.join(__dirname, '..', 'fixtures', 'schemas', 'spdx-2.3.schema.json');

let cached: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!cached) {
    const schema = JSON.parse(fs.readFileSync(SPDX_23_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
    // The schema declares draft 2019-09, hence Ajv2019. strict: false keeps a vendored schema
    // from failing to compile over keywords Ajv does not know; validation itself is unchanged.
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv);
    cached = ajv.compile(schema);
  }
  return cached;
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '/' : e.instancePath;
  let detail = '';
  if (e.keyword === 'additionalProperties') {
    detail = ` (${String((e.params as { additionalProperty: string }).additionalProperty)})`;
  } else if (e.keyword === 'enum') {
    detail = ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')})`;
  }
  return `${where}: ${e.message ?? e.keyword}${detail}`;
}

/** Validates `doc` against the SPDX 2.3 JSON schema: an empty array means valid. */
export function validateSpdx23(doc: unknown): string[] {
  const validate = validator();
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(describeError);
}
