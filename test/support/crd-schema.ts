import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import type { ErrorObject } from 'ajv';

/** Schemas vendored in test/fixtures/schemas (source, commit and licence in its README). */
export const SCHEMAS = path.join(__dirname, '..', 'fixtures', 'schemas');

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A CRD's openAPIV3Schema as a JSON Schema that rejects unknown fields, as the API server's
 * strict field validation does: every object with `properties` and no
 * `x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false`.
 */
export function strictCrdSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictCrdSchema);
  if (!isObject(schema)) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strictCrdSchema(s)]));
    else if (k.startsWith('x-kubernetes-')) continue;
    else out[k] = strictCrdSchema(v);
  }
  if (isObject(schema.properties) && schema['x-kubernetes-preserve-unknown-fields'] !== true && schema.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** Every object the API server accepts has apiVersion, kind and metadata (some CRDs leave them out of their schema). */
function withTypeMeta(schema: Schema): Schema {
  const properties = isObject(schema.properties) ? schema.properties : {};
  return { ...schema, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...properties } };
}

function describe(e: ErrorObject): string {
  const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : '';
  return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
}

/** A validator for one vendored schema file; `crd` applies strict field validation. */
export function schemaValidator(file: string, opts: { crd: boolean }): (doc: unknown) => string[] {
  const raw = JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8')) as unknown;
  // Kubernetes formats (int32, int-or-string…) are not JSON Schema formats: not checked here.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(opts.crd ? withTypeMeta(strictCrdSchema(raw) as Schema) : (raw as Schema));
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map(describe));
}
