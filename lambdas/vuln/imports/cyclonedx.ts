/**
 * A CycloneDX document with `vulnerabilities[]` (a VDR from a scanner, or a VEX): each
 * vulnerability's `affects[].ref` names a component of the document by bom-ref (or a BOM-Link
 * `urn:cdx:…#ref`, resolved as vex.ts does), `ratings[].severity` rate it, `references[].id` are
 * its aliases, and `analysis.state` says whether it applies: `not_affected` / `false_positive`
 * rule it out, `resolved` / `resolved_with_pedigree` say it was remediated, `in_triage` is under
 * investigation; `exploitable` or no analysis means affected. The image is
 * `metadata.component` (its purl, version or bom-ref carries the digest).
 */
import { BadInputError } from '../../core/errors';
import { maxSeverity, severityWord, type Severity } from '../severity';
import { refTarget } from '../vex';
import type { OpinionFinding, OpinionPackage, OpinionReport, OpinionStatus, VendorSeverity } from './imported-report';
import { digestIn, isObject, list, looksLikeId, object, required, str, type Obj } from './json-input';

const STATES: Readonly<Record<string, OpinionStatus>> = {
  not_affected: 'not_affected', false_positive: 'not_affected', resolved: 'resolved', resolved_with_pedigree: 'resolved', exploitable: 'affected', in_triage: 'under_investigation',
};

/** bom-ref → the package it names, nested components included. */
function componentsByRef(doc: Obj, origin: string): Map<string, OpinionPackage> {
  const out = new Map<string, OpinionPackage>();
  const walk = (v: unknown, where: string): void => {
    list(v, origin, where).forEach((c, i) => {
      if (!isObject(c)) throw new BadInputError(`${origin}: ${where}[${i}] is not an object`);
      const ref = str(c['bom-ref']);
      const name = str(c.name);
      const purl = str(c.purl);
      if (ref && name) out.set(ref, { name: str(c.group) ? `${str(c.group)}/${name}` : name, version: str(c.version) ?? '', ...(purl ? { purl } : {}) });
      walk(c.components, `${where}[${i}].components`);
    });
  };
  walk(doc.components, 'components');
  return out;
}

function packageFor(ref: string, byRef: ReadonlyMap<string, OpinionPackage>): OpinionPackage {
  const target = refTarget(ref);
  const known = byRef.get(target);
  if (known) return { ...known, ref: target };
  // Tools that write no components use the purl as the ref.
  const version = /@([^@?#/]+)(?:[?#]|$)/.exec(target)?.[1];
  return { name: target, version: version ? decodeURIComponent(version) : '', ref: target, ...(target.startsWith('pkg:') ? { purl: target } : {}) };
}

function toolOf(metadata: Obj | undefined): OpinionReport['tool'] {
  const tools = metadata?.tools;
  const first = (Array.isArray(tools) ? tools : isObject(tools) ? [...(Array.isArray(tools.components) ? tools.components : []), ...(Array.isArray(tools.services) ? tools.services : [])] : []).find(isObject);
  const name = str(first?.name) ?? 'cyclonedx';
  const version = str(first?.version);
  return { name: name.toLowerCase(), ...(version ? { version } : {}) };
}

function subjectDigests(component: Obj | undefined): string[] {
  if (!component) return [];
  const decode = (v: unknown): string | undefined => {
    const s = str(v);
    try {
      return s ? decodeURIComponent(s) : undefined;
    } catch {
      return s;
    }
  };
  return [digestIn(decode(component.purl)), digestIn(component.version), digestIn(decode(component['bom-ref']))].filter((d): d is string => !!d);
}

export function isCycloneDxVulnerabilities(doc: Obj): boolean {
  return doc.bomFormat === 'CycloneDX' && Array.isArray(doc.vulnerabilities);
}

export function parseCycloneDxVulnerabilities(doc: Obj, origin: string): OpinionReport {
  const byRef = componentsByRef(doc, origin);
  const metadata = isObject(doc.metadata) ? doc.metadata : undefined;
  const subject = isObject(metadata?.component) ? metadata.component : undefined;
  const findings: OpinionFinding[] = list(doc.vulnerabilities, origin, 'vulnerabilities').flatMap((v, i) => {
    const where = `vulnerabilities[${i}]`;
    const o = object(v, origin, where);
    const id = required(o.id, origin, `${where}.id`);
    const analysis = isObject(o.analysis) ? o.analysis : undefined;
    const state = str(analysis?.state);
    const status = state ? STATES[state] : 'affected';
    if (!status) throw new BadInputError(`${origin}: ${where}: unknown analysis.state "${state}"`);
    const ratings = list(o.ratings, origin, `${where}.ratings`).filter(isObject);
    const vendorSeverities: VendorSeverity[] = ratings.flatMap((r) => {
      const severity = severityWord(str(r.severity) ?? '');
      return severity ? [{ source: (isObject(r.source) ? str(r.source.name) : undefined) ?? str(r.method) ?? 'cyclonedx', severity }] : [];
    });
    const severity: Severity = vendorSeverities.length ? maxSeverity(vendorSeverities.map((s) => s.severity)) : 'unknown';
    const aliases = list(o.references, origin, `${where}.references`).map((r) => (isObject(r) ? str(r.id) : undefined)).filter((r): r is string => !!r && r !== id && looksLikeId(r));
    const affects = list(o.affects, origin, `${where}.affects`);
    if (!affects.length) throw new BadInputError(`${origin}: ${where}: vulnerability ${id} has no affects[].ref`);
    const detail = state ? [state, str(analysis?.justification), str(analysis?.detail)].filter(Boolean).join(': ') : undefined;
    return affects.map((a, j) => {
      const ref = required(isObject(a) ? a.ref : undefined, origin, `${where}.affects[${j}].ref`);
      const fixed = (isObject(a) ? list(a.versions, origin, `${where}.affects[${j}].versions`) : []).filter(isObject).filter((x) => x.status === 'unaffected').map((x) => str(x.version)).filter((x): x is string => !!x);
      return { id, aliases, package: packageFor(ref, byRef), severity, vendorSeverities, fixed, status, ...(detail ? { statusDetail: detail } : {}) };
    });
  });
  const timestamp = str(metadata?.timestamp);
  const name = str(subject?.name);
  return {
    format: 'cyclonedx',
    tool: toolOf(metadata),
    ...(timestamp ? { scannedAt: timestamp } : {}),
    subject: { digests: [...new Set(subjectDigests(subject))], ...(name ? { name } : {}) },
    findings,
    origin,
  };
}
