import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The SARIF 2.1.0 JSON schema (OASIS, errata 01), vendored unmodified from oasis-tcs/sarif-spec
 * (see test/fixtures/schemas/README.md for source, commit and licence).
 */
export const SARIF_210_SCHEMA_PATH = path.join(__dirname, '..', 'fixtures', 'schemas', 'sarif-2.1.0.schema.json');

let cached: ValidateFunction | undefined;

/**
 * The schema declares JSON Schema draft-04, which Ajv 8 no longer ships. It uses no keyword
 * whose meaning changed after draft-04 (no boolean `exclusiveMinimum`/`exclusiveMaximum`; every
 * `$ref` is a local `#/definitions/…`), so Ajv's default draft-07 engine validates it the same
 * way once the draft-04 `$schema` and `id` are left out of the in-memory copy (the file itself
 * is untouched; sarif-schema.test.ts checks that premise).
 */
export function sarifSchemaForAjv(): Record<string, unknown> {
  const schema = JSON.parse(fs.readFileSync(SARIF_210_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const { $schema: _draft, id: _id, ...rest } = schema;
  return rest;
}

function validator(): ValidateFunction {
  if (!cached) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    cached = ajv.compile(sarifSchemaForAjv());
  }
  return cached;
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '/' : e.instancePath;
  let detail = '';
  if (e.keyword === 'additionalProperties') detail = ` (${String((e.params as { additionalProperty: string }).additionalProperty)})`;
  else if (e.keyword === 'enum') detail = ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')})`;
  return `${where}: ${e.message ?? e.keyword}${detail}`;
}

/** Validates `doc` against the SARIF 2.1.0 schema: an empty array means valid. */
export function validateSarif210(doc: unknown): string[] {
  const validate = validator();
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(describeError);
}
