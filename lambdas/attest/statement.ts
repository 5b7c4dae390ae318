import { BadInputError } from '../core/errors';
import { assertDigest, digestHex } from '../oci/digest';
import type { JsonObject, JsonValue } from '../signing/strict-json';
import { isJsonObject, parseStrictJson } from '../signing/strict-json';
import { STATEMENT_TYPE_V01, STATEMENT_TYPE_V1 } from './predicate-types';

/** An in-toto ResourceDescriptor as a subject: matched by digest only (the name is informative). */
export interface Subject {
  readonly name?: string;
  readonly digest: Readonly<Record<string, string>>;
}

/** in-toto Statement v1 (in-toto/attestation spec/v1/statement.md). */
export interface Statement {
  readonly _type: string;
  readonly subject: readonly Subject[];
  readonly predicateType: string;
  readonly predicate: JsonObject;
}

/**
 * A statement about one manifest: `subject[0].name` the image name (`HOST/REPO`), `digest.sha256`
 * the manifest digest's hex without `sha256:`. Pass `name: undefined` for cosign's bundle-mode
 * shape (digest only).
 */
export function buildStatement(name: string | undefined, manifestDigest: string, predicateType: string, predicate: JsonObject): Statement {
  assertDigest(manifestDigest, 'subject digest');
  if (!manifestDigest.startsWith('sha256:')) throw new BadInputError(`attestations name sha256 digests; ${manifestDigest} is not one`);
  return {
    _type: STATEMENT_TYPE_V1,
    subject: [{ ...(name ? { name } : {}), digest: { sha256: digestHex(manifestDigest) } }],
    predicateType,
    predicate,
  };
}

/** The payload bytes: compact JSON, signed as they are and never re-serialised. */
export function statementBytes(s: Statement): Buffer {
  return Buffer.from(JSON.stringify(s), 'utf8');
}

export type StatementParseResult = { readonly ok: true; readonly statement: Statement } | { readonly ok: false; readonly reason: string };

function subjectOf(v: JsonValue, i: number): Subject | string {
  if (!isJsonObject(v)) return `subject[${i}] is not an object`;
  const digest = v.digest;
  if (!isJsonObject(digest) || Object.keys(digest).length === 0) return `subject[${i}] has no digest`;
  const out: Record<string, string> = {};
  for (const [alg, value] of Object.entries(digest)) {
    if (typeof value !== 'string') return `subject[${i}].digest.${alg} is not a string`;
    out[alg] = value;
  }
  if (v.name !== undefined && typeof v.name !== 'string') return `subject[${i}].name is not a string`;
  return { ...(typeof v.name === 'string' ? { name: v.name } : {}), digest: out };
}

/**
 * Parses a (signature-verified) payload as a statement with strict JSON (no duplicate keys, so
 * two verifiers cannot read two different subjects). Never throws.
 */
export function parseStatement(bytes: Buffer): StatementParseResult {
  const json = parseStrictJson(bytes);
  if (!json.ok) return { ok: false, reason: `statement is not strict JSON: ${json.reason}` };
  const doc = json.value;
  if (!isJsonObject(doc)) return { ok: false, reason: 'statement is not a JSON object' };
  if (doc._type !== STATEMENT_TYPE_V1 && doc._type !== STATEMENT_TYPE_V01) return { ok: false, reason: `statement _type ${JSON.stringify(doc._type)} is not ${STATEMENT_TYPE_V1}` };
  if (!Array.isArray(doc.subject) || doc.subject.length === 0) return { ok: false, reason: 'statement has no subject' };
  const subject: Subject[] = [];
  for (const [i, s] of (doc.subject as readonly JsonValue[]).entries()) {
    const parsed = subjectOf(s, i);
    if (typeof parsed === 'string') return { ok: false, reason: parsed };
    subject.push(parsed);
  }
  if (typeof doc.predicateType !== 'string' || !doc.predicateType) return { ok: false, reason: 'statement has no predicateType' };
  const predicate = doc.predicate ?? {};
  if (!isJsonObject(predicate)) return { ok: false, reason: 'statement predicate is not an object' };
  return { ok: true, statement: { _type: doc._type, subject, predicateType: doc.predicateType, predicate } };
}

/** cosign's IntotoSubjectClaimVerifier: some subject's `digest.sha256` is the manifest digest. */
export function subjectMatches(s: Statement, manifestDigest: string): boolean {
  if (!manifestDigest.startsWith('sha256:')) return false;
  const hex = digestHex(manifestDigest);
  return s.subject.some((sub) => sub.digest.sha256 === hex);
}

export function subjectDigests(s: Statement): string[] {
  return s.subject.map((sub) => (sub.digest.sha256 ? `sha256:${sub.digest.sha256}` : JSON.stringify(sub.digest)));
}
