/**
 * VEX documents: OpenVEX (v0.0.x and v0.2.x) and CycloneDX (vulnerabilities[].analysis), read
 * into statements. `not_affected` and `fixed` (CycloneDX: not_affected, false_positive,
 * resolved, resolved_with_pedigree) suppress; `affected`, `under_investigation`, `exploitable`
 * and `in_triage` do not. Statements keep their time so that the latest one can decide.
 */
import { BadInputError } from '../core/errors';

export interface VexStatement {
  /** The vulnerability's name and its aliases. */
  readonly ids: readonly string[];
  /** Package purls or bom-refs the statement covers (OpenVEX subcomponents, CycloneDX affects refs). */
  readonly components: readonly string[];
  /**
   * Product identifiers without subcomponents: a product naming the image covers all of it, one
   * naming a package covers that package. A statement with neither covers nothing.
   */
  readonly products: readonly string[];
  readonly status: string;
  readonly suppresses: boolean;
  readonly reason: string;
  /** Epoch ms; later statements supersede earlier ones. */
  readonly time: number;
  readonly order: number;
  readonly origin: string;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

const OPENVEX_SUPPRESSING = new Set(['not_affected', 'fixed']);
const CDX_STATES: Readonly<Record<string, { status: string; suppresses: boolean }>> = {
  not_affected: { status: 'not_affected', suppresses: true },
  false_positive: { status: 'not_affected', suppresses: true },
  resolved: { status: 'fixed', suppresses: true },
  resolved_with_pedigree: { status: 'fixed', suppresses: true },
  exploitable: { status: 'affected', suppresses: false },
  in_triage: { status: 'under_investigation', suppresses: false },
};

/** An OpenVEX product/subcomponent: a string IRI or `{ "@id", identifiers: { purl } }`. */
function componentIds(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!isObject(v)) return [];
  const ids = [str(v['@id'])];
  if (isObject(v.identifiers)) ids.push(str(v.identifiers.purl));
  return ids.filter((x): x is string => !!x);
}

function openVexStatements(doc: Obj, file: string): VexStatement[] {
  const docTime = Date.parse(str(doc.timestamp) ?? '') || 0;
  if (!Array.isArray(doc.statements)) throw new BadInputError(`${file}: OpenVEX document without statements`);
  return doc.statements.map((s: unknown, i) => {
    const where = `${file}#${i + 1}`;
    if (!isObject(s)) throw new BadInputError(`${where}: statement is not an object`);
    const v = s.vulnerability;
    const ids = typeof v === 'string' ? [v] : isObject(v) ? [str(v.name), str(v['@id']), ...(Array.isArray(v.aliases) ? v.aliases.map(str) : [])] : [];
    const vulnIds = ids.filter((x): x is string => !!x);
    const status = str(s.status);
    if (!vulnIds.length || !status) throw new BadInputError(`${where}: statement needs a vulnerability and a status`);
    const products: string[] = [];
    const components: string[] = (Array.isArray(s.subcomponents) ? s.subcomponents : []).flatMap(componentIds);
    for (const p of Array.isArray(s.products) ? s.products : []) {
      const subs = isObject(p) && Array.isArray(p.subcomponents) ? p.subcomponents.flatMap(componentIds) : [];
      if (subs.length) components.push(...subs);
      else products.push(...componentIds(p));
    }
    const reason = [str(s.justification), str(s.impact_statement), str(s.status_notes), str(s.action_statement)].filter(Boolean).join(': ') || status;
    return {
      ids: vulnIds,
      components,
      products,
      status,
      suppresses: OPENVEX_SUPPRESSING.has(status),
      reason,
      time: Date.parse(str(s.timestamp) ?? '') || docTime,
      order: i,
      origin: where,
    };
  });
}

/** A CycloneDX ref: a plain bom-ref, or a BOM-Link `urn:cdx:<serial>/<version>#<bom-ref>`. */
export function refTarget(ref: string): string {
  const target = /^urn:cdx:[^#]*#(.+)$/.exec(ref)?.[1];
  if (target === undefined) return ref;
  try {
    return decodeURIComponent(target);
  } catch {
    return target;
  }
}

function cycloneDxStatements(doc: Obj, file: string): VexStatement[] {
  if (!Array.isArray(doc.vulnerabilities)) throw new BadInputError(`${file}: CycloneDX VEX without vulnerabilities[]`);
  // Refs point at bom-refs; a VEX BOM that lists its own components lets us resolve them to purls.
  const purlOf = new Map<string, string>();
  for (const c of Array.isArray(doc.components) ? doc.components : []) {
    if (isObject(c) && str(c['bom-ref']) && str(c.purl)) purlOf.set(str(c['bom-ref']) as string, str(c.purl) as string);
  }
  const docTime = Date.parse(str(isObject(doc.metadata) ? doc.metadata.timestamp : undefined) ?? '') || 0;
  return doc.vulnerabilities.flatMap((v: unknown, i) => {
    const where = `${file}#${i + 1}`;
    if (!isObject(v)) throw new BadInputError(`${where}: vulnerability is not an object`);
    const analysis = isObject(v.analysis) ? v.analysis : undefined;
    const state = str(analysis?.state);
    if (!state) return []; // a VDR entry without analysis says nothing about exploitability
    const mapped = CDX_STATES[state];
    if (!mapped) throw new BadInputError(`${where}: unknown analysis.state "${state}"`);
    const id = str(v.id);
    if (!id) throw new BadInputError(`${where}: vulnerability without id`);
    const aliases = (Array.isArray(v.references) ? v.references : []).map((r) => (isObject(r) ? str(r.id) : undefined)).filter((x): x is string => !!x);
    const components = (Array.isArray(v.affects) ? v.affects : []).flatMap((a) => {
      const ref = isObject(a) ? str(a.ref) : undefined;
      if (!ref) return [];
      const target = refTarget(ref);
      return purlOf.has(target) ? [target, purlOf.get(target) as string] : [target];
    });
    if (!components.length) throw new BadInputError(`${where}: vulnerability ${id} has no affects[].ref`);
    const reason = [str(analysis?.justification), str(analysis?.detail)].filter(Boolean).join(': ') || state;
    const time = Date.parse(str(analysis?.lastUpdated) ?? str(v.updated) ?? '') || docTime;
    return [{ ids: [id, ...aliases], components, products: [], status: mapped.status, suppresses: mapped.suppresses, reason, time, order: i, origin: where }];
  });
}

export function parseVexDocument(text: string, file: string): VexStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BadInputError(`${file}: VEX document is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isObject(doc)) throw new BadInputError(`${file}: VEX document is not a JSON object`);
  const context = str(doc['@context']) ?? '';
  if (context.startsWith('https://openvex.dev/ns')) return openVexStatements(doc, file);
  if (doc.bomFormat === 'CycloneDX') return cycloneDxStatements(doc, file);
  throw new BadInputError(`${file}: neither OpenVEX (@context https://openvex.dev/ns/…) nor CycloneDX VEX`);
}
