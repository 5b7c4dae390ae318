import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const DIR = path.join(__dirname, '..', '..', 'lambdas', 'core', 'schemas');

/** Every event schema of the custom bus, by detail-type (its `title`). */
export function eventSchemas(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  const out = new Map<string, ValidateFunction>();
  for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.schema.json'))) {
    const schema = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as { title: string };
    out.set(schema.title, ajv.compile(schema));
  }
  return out;
}

/** Throws with ajv's errors when `detail` does not match its detail-type's schema. */
export function expectValidEvent(schemas: Map<string, ValidateFunction>, detailType: string, detail: unknown): void {
  const validate = schemas.get(detailType);
  if (!validate) throw new Error(`no schema for detail-type ${detailType}`);
  if (!validate(detail)) throw new Error(`${detailType} does not match its schema: ${JSON.stringify(validate.errors)}\n${JSON.stringify(detail)}`);
}
