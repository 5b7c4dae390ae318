/**
 * `-o cyclonedx-json`: the input SBOM, unchanged (components, bom-refs, purls), plus
 * `vulnerabilities[]` (CycloneDX 1.6 §vulnerabilities): one entry per vulnerability id and
 * suppression state, `affects[].ref` = the affected components' own bom-refs (plain refs, not
 * BOM-Links, because they point into this same document), every other id in `references[]`,
 * ratings from CVSS and the databases, fixed versions as `unaffected` versions and in the
 * recommendation, and suppressions as `analysis`. The data the scan used, the verdict and what
 * the scan could not check (one `artifact-guard:scan:gap` per gap) are BOM-level `properties`
 * (`artifact-guard:scan:*`): a consumer of this document alone must not mistake an incomplete
 * scan for a clean one.
 */
import type { Finding } from './findings';
import type { ScanReport } from './report';
import type { Rating } from './severity';
import { dedupeRatings } from './severity';
import { generatedRef, walkComponents } from './sbom-input';

type Obj = Record<string, unknown>;

const osvUrl = (id: string): string => `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;

/** RFC 3339 date-time, or undefined (some records write `2014-01-18 17:55:00`). */
function dateTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

function rating(r: Rating): Obj {
  return {
    source: { name: r.source },
    ...(r.score !== undefined ? { score: r.score } : {}),
    severity: r.severity,
    method: r.method,
    ...(r.vector ? { vector: r.vector } : {}),
  };
}

function analysis(f: Finding): Obj | undefined {
  const s = f.suppression;
  if (!s) return undefined;
  const detail = `suppressed by ${s.by === 'vex' ? 'VEX statement' : s.by === 'sources' ? 'policy' : 'ignore rule'} ${s.rule}: ${s.reason}${s.expires ? ` (until ${s.expires})` : ''}`;
  if (s.by === 'vex') return { state: s.status === 'fixed' ? 'resolved' : 'not_affected', detail };
  // An accepted risk has no CycloneDX state; the detail says what was decided and why.
  return { detail };
}

function vulnerability(group: readonly Finding[], ref: string): Obj {
  const first = group[0] as Finding;
  const others = new Set<string>();
  for (const f of group) for (const id of [...f.records, ...f.aliases, ...f.upstream]) if (id !== first.id) others.add(id);
  const ratings = dedupeRatings(group.flatMap((f) => f.ratings));
  const recommendation = group
    .filter((f) => f.fixed.length)
    .map((f) => `Upgrade ${f.package.name} (${f.component.name} ${f.package.version}) to ${f.fixed.join(' or ')}`);
  const published = dateTime(first.published);
  const updated = dateTime(group.map((f) => f.modified).sort().pop());
  const a = analysis(first);
  return {
    'bom-ref': ref,
    id: first.id,
    source: { name: 'OSV', url: osvUrl(first.id) },
    ...(others.size ? { references: [...others].sort().map((id) => ({ id, source: { name: 'OSV', url: osvUrl(id) } })) } : {}),
    ...(ratings.length ? { ratings: ratings.map(rating) } : { ratings: [{ severity: 'unknown', method: 'other' }] }),
    ...(first.summary ? { description: first.summary } : {}),
    ...(recommendation.length ? { recommendation: [...new Set(recommendation)].join('; ') } : {}),
    ...(published ? { published } : {}),
    ...(updated ? { updated } : {}),
    ...(a ? { analysis: a } : {}),
    affects: group.map((f) => ({
      ref: f.component.bomRef,
      versions: [
        { version: f.package.version, status: 'affected' },
        ...f.fixed.filter((v) => v !== f.package.version).map((version) => ({ version, status: 'unaffected' })),
      ],
    })),
    properties: [
      { name: 'artifact-guard:osv:records', value: [...new Set(group.flatMap((f) => f.records))].sort().join(' ') },
      ...(first.suppression ? [{ name: 'artifact-guard:suppressed', value: `${first.suppression.by} ${first.suppression.rule}` }] : []),
      // Second opinions: who reported it (or ruled it out), at what severity.
      ...(first.sources ? [{ name: 'artifact-guard:sources', value: [...new Set(group.flatMap((f) => (f.sources ?? []).map((x) => `${x.name}:${x.status === 'affected' ? x.severity : x.status}`)))].join(' ') }] : []),
    ],
  };
}

export function scanCycloneDx(report: ScanReport, sbomDocument: Readonly<Obj>): string {
  const doc = structuredClone(sbomDocument) as Obj;
  walkComponents(doc, 'sbom', (c, _where, index) => {
    if (c['bom-ref'] === undefined) c['bom-ref'] = generatedRef(index);
  });
  // Packages only a second opinion reported (not in the SBOM): listed, so every affects[].ref resolves.
  const known = new Set<string>();
  walkComponents(doc, 'sbom', (c) => known.add(String(c['bom-ref'])));
  const added = new Map<string, Obj>();
  for (const f of report.findings) {
    const c = f.component;
    if (known.has(c.bomRef) || added.has(c.bomRef)) continue;
    const reporters = (f.sources ?? []).map((x) => x.name).join(' ');
    added.set(c.bomRef, { type: 'library', 'bom-ref': c.bomRef, name: c.name, ...(c.version ? { version: c.version } : {}), ...(c.purl ? { purl: c.purl } : {}), properties: [{ name: 'artifact-guard:reported-by', value: reporters || 'second opinion' }] });
  }
  if (added.size) doc.components = [...(Array.isArray(doc.components) ? doc.components : []), ...added.values()];
  // One entry per id and suppression state: CycloneDX's analysis belongs to the entry.
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = `${f.id}\u0000${f.suppression ? `${f.suppression.by}|${f.suppression.rule}` : ''}`;
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  const used = new Set<string>();
  doc.vulnerabilities = [...groups.values()].map((group) => {
    const base = `vulnerability:${(group[0] as Finding).id}`;
    let ref = base;
    for (let n = 2; used.has(ref); n++) ref = `${base}:${n}`;
    used.add(ref);
    return vulnerability(group, ref);
  });
  // Every report names its data, this one included (BOM-level properties, CycloneDX 1.5+).
  const d = report.data;
  const props = Array.isArray(doc.properties) ? (doc.properties as Obj[]).filter((p) => !String(p.name).startsWith('artifact-guard:scan:')) : [];
  doc.properties = [
    ...props,
    { name: 'artifact-guard:scan:data-source', value: d.source },
    { name: 'artifact-guard:scan:record-count', value: String(d.recordCount) },
    ...(d.newestModified ? [{ name: 'artifact-guard:scan:newest-modified', value: d.newestModified }] : []),
    { name: 'artifact-guard:scan:generated-at', value: report.generatedAt },
    { name: 'artifact-guard:scan:verdict', value: report.verdict },
    ...report.gaps.map((g) => ({ name: 'artifact-guard:scan:gap', value: `${g.kind}: ${g.message}` })),
    ...(report.sources ?? []).map((x) => ({ name: 'artifact-guard:scan:source', value: `${x.name}${x.version ? ` ${x.version}` : ''}${x.scannedAt ? ` scanned ${x.scannedAt}` : ''}${x.database?.updated ? ` data ${x.database.updated}` : ''}` })),
  ];
  return `${JSON.stringify(doc, null, 2)}\n`;
}
