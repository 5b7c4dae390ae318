/**
 * Reads the CycloneDX JSON SBOM a scan starts from (ours, or any tool's): the components with
 * their bom-refs and purls, nested components included, and the document itself so that the
 * `cyclonedx-json` output can return it unchanged plus `vulnerabilities[]`. A document that is
 * not a CycloneDX BOM, or whose components are malformed, is a bad input: scanning half of it
 * would report "fewer vulnerabilities" instead of an error.
 */
import { BadInputError } from '../core/errors';
import type { ComponentRef } from './findings';

export interface ScanSbom {
  /** The parsed document, untouched (the CycloneDX output adds to a copy). */
  readonly document: Readonly<Record<string, unknown>>;
  readonly components: readonly ComponentRef[];
  /** `metadata.component`: the image the SBOM describes, when it says. */
  readonly subject: { readonly name?: string; readonly version?: string; readonly purl?: string; readonly bomRef?: string };
  readonly serialNumber?: string;
  /**
   * What the SBOM itself says it is missing: its CycloneDX `compositions` mark the described
   * component's inventory other than `complete` (Artifact Guard's SBOMs list each gap as an
   * `artifact-guard:gap` metadata property). Empty when it says nothing (other tools' SBOMs).
   */
  readonly declaredGaps: readonly string[];
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Components without a bom-ref (the schema makes it optional) get one in our outputs only, so
 * that findings and `affects[].ref` can point at them; existing bom-refs are never changed.
 */
export const generatedRef = (index: number): string => `artifact-guard:component:${index + 1}`;

/**
 * How deep `components` may nest. Tools nest a handful of levels (modules in an application);
 * thousands are a hostile document, which would otherwise exhaust the stack.
 */
export const MAX_COMPONENT_NESTING = 256;

/** Visits `components[]` depth-first (nested `components` included), in document order. */
export function walkComponents(doc: Obj, origin: string, visit: (component: Obj, where: string, index: number) => void): void {
  let index = 0;
  const walk = (list: unknown, path: string, depth: number): void => {
    if (list === undefined) return;
    if (!Array.isArray(list)) throw new BadInputError(`${origin}: ${path} is not a list`);
    if (list.length && depth > MAX_COMPONENT_NESTING) throw new BadInputError(`${origin}: components nested deeper than ${MAX_COMPONENT_NESTING} levels`);
    list.forEach((c: unknown, i) => {
      const where = `${path}[${i}]`;
      if (!isObject(c)) throw new BadInputError(`${origin}: ${where} is not an object`);
      visit(c, where, index++);
      walk(c.components, `${where}.components`, depth + 1);
    });
  };
  walk(doc.components, 'components', 1);
}

export function parseScanSbom(text: string, origin: string): ScanSbom {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BadInputError(`${origin}: SBOM is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isObject(doc)) throw new BadInputError(`${origin}: SBOM is not a JSON object`);
  if (doc.bomFormat !== 'CycloneDX') {
    const hint = typeof doc.spdxVersion === 'string' ? ' (this is SPDX; scan reads CycloneDX JSON: artifact-guard sbom -o cyclonedx-json)' : '';
    throw new BadInputError(`${origin}: not a CycloneDX JSON SBOM${hint}`);
  }
  const components: ComponentRef[] = [];
  const refs = new Set<string>();
  walkComponents(doc, origin, (c, where, index) => {
    if (typeof c.name !== 'string' || !c.name) throw new BadInputError(`${origin}: ${where} has no name`);
    for (const key of ['bom-ref', 'purl', 'version', 'group'] as const) {
      if (c[key] !== undefined && typeof c[key] !== 'string') throw new BadInputError(`${origin}: ${where}.${key} is not a string`);
    }
    const bomRef = typeof c['bom-ref'] === 'string' ? c['bom-ref'] : undefined;
    if (bomRef !== undefined) {
      if (refs.has(bomRef)) throw new BadInputError(`${origin}: bom-ref "${bomRef}" is used twice`);
      refs.add(bomRef);
    }
    components.push({
      bomRef: bomRef ?? generatedRef(index),
      name: typeof c.group === 'string' && c.group ? `${c.group}/${c.name}` : c.name,
      ...(typeof c.purl === 'string' && c.purl ? { purl: c.purl } : {}),
      ...(typeof c.version === 'string' ? { version: c.version } : {}),
    });
  });
  const meta = isObject(doc.metadata) && isObject(doc.metadata.component) ? doc.metadata.component : undefined;
  const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const declaredGaps = declaredInventoryGaps(doc, s(meta?.['bom-ref']));
  return {
    document: doc,
    components,
    subject: { name: s(meta?.name), version: s(meta?.version), purl: s(meta?.purl), bomRef: s(meta?.['bom-ref']) },
    ...(typeof doc.serialNumber === 'string' ? { serialNumber: doc.serialNumber } : {}),
    declaredGaps,
  };
}

/** The gaps an SBOM declares for the component it describes (see `ScanSbom.declaredGaps`). */
function declaredInventoryGaps(doc: Obj, mainRef: string | undefined): string[] {
  if (!mainRef || !Array.isArray(doc.compositions)) return [];
  const mine = doc.compositions.filter((c): c is Obj => isObject(c) && Array.isArray(c.assemblies) && c.assemblies.includes(mainRef));
  const partial = mine.find((c) => c.aggregate !== 'complete');
  if (!partial) return [];
  const props = isObject(doc.metadata) && Array.isArray(doc.metadata.properties) ? doc.metadata.properties : [];
  const listed = props.flatMap((p: unknown) => (isObject(p) && p.name === 'artifact-guard:gap' && typeof p.value === 'string' ? [p.value] : []));
  return listed.length ? listed : [`the SBOM declares the inventory of ${mainRef} ${typeof partial.aggregate === 'string' ? partial.aggregate : 'not complete'}`];
}
