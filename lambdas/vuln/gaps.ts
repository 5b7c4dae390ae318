/**
 * The scan's gaps: what it could not check, grouped so that a report of a thousand-package
 * image stays readable (one gap per ecosystem the data lacks, one per reason a component
 * cannot be placed, one per component whose version could not be compared with its records).
 */
import type { DataCoverage } from './vulnerability-source';
import type { ComponentRef } from './findings';
import type { NotScanned, ScanGap, UnorderableComponent } from './report';
import { ecosystemBase } from './osv/ecosystems';

export const MAX_EXAMPLES = 5;
/** Unorderable components listed one gap each; the rest are counted in one more gap. */
export const MAX_UNORDERABLE_GAPS = 50;
/** Covered ecosystems named in a not-covered message (an osv.dev export has hundreds of releases). */
const MAX_NAMED_ECOSYSTEMS = 12;

const label = (c: ComponentRef): string => c.purl ?? c.name;
const examples = (cs: readonly ComponentRef[]): string[] => cs.slice(0, MAX_EXAMPLES).map(label);
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function coveredText(coverage: DataCoverage, ecosystem: string): string {
  const why = coverage.explain?.(ecosystem);
  if (why) return why;
  const all = coverage.ecosystems;
  if (!all) return `the source serves no ${ecosystemBase(ecosystem)} ecosystem`;
  if (!all.length) return 'it covers no ecosystem';
  const named = all.slice(0, MAX_NAMED_ECOSYSTEMS).join(', ');
  return `it covers ${named}${all.length > MAX_NAMED_ECOSYSTEMS ? ` and ${all.length - MAX_NAMED_ECOSYSTEMS} more` : ''}`;
}

/** One gap per ecosystem the data does not cover, with the components placed in it. */
export function notCoveredGaps(byEcosystem: ReadonlyMap<string, readonly ComponentRef[]>, coverage: DataCoverage, dataSource: string): ScanGap[] {
  return [...byEcosystem].map(([ecosystem, components]) => ({
    kind: 'not-covered',
    message: `${plural(components.length, `${ecosystem} component was`, `${ecosystem} components were`)} not scanned: the data (${dataSource}) has no ${ecosystem} records (${coveredText(coverage, ecosystem)})`,
    ecosystem,
    components: components.length,
    examples: examples(components),
  }));
}

/**
 * One gap per component that records name but that could not be evaluated against them
 * (its version, or a record's, outside the ordering; no version; no ordering for the
 * ecosystem). Components no record names are not gaps: nothing could have applied.
 */
export function unorderableGaps(unorderable: readonly UnorderableComponent[]): ScanGap[] {
  const withRecords = unorderable.filter((u) => u.records.length > 0);
  const gaps: ScanGap[] = withRecords.slice(0, MAX_UNORDERABLE_GAPS).map((u) => {
    const ids = u.records.slice(0, MAX_EXAMPLES).map((r) => r.id);
    const more = u.records.length > ids.length ? `, … ${u.records.length - ids.length} more` : '';
    return {
      kind: 'unorderable',
      message: `${label(u.component)}: ${plural(u.records.length, 'record', 'records')} naming ${u.package.name} could not be evaluated: ${(u.records[0] as { reason: string }).reason} (${ids.join(', ')}${more})`,
      ecosystem: u.package.ecosystem,
      components: 1,
      examples: [label(u.component)],
    };
  });
  const rest = withRecords.slice(MAX_UNORDERABLE_GAPS);
  if (rest.length) {
    gaps.push({
      kind: 'unorderable',
      message: `${plural(rest.length, 'more component', 'more components')} could not be evaluated against the records naming them (listed under unorderable)`,
      components: rest.length,
      examples: examples(rest.map((u) => u.component)),
    });
  }
  return gaps;
}

/** One gap per reason components could not be placed in any OSV ecosystem. */
export function notMatchableGaps(notMatchable: readonly NotScanned[]): ScanGap[] {
  const byReason = new Map<string, ComponentRef[]>();
  for (const n of notMatchable) {
    const list = byReason.get(n.reason);
    if (list) list.push(n.component);
    else byReason.set(n.reason, [n.component]);
  }
  return [...byReason].map(([reason, components]) => ({
    kind: 'not-matchable',
    message: `${plural(components.length, 'component', 'components')} cannot be matched against OSV data: ${reason}`,
    components: components.length,
    examples: examples(components),
  }));
}

/**
 * One gap for the records the data holds but could not use (malformed, or listed by the API and
 * then missing): any of them may name a scanned component, so the scan cannot call it clean.
 */
export function skippedRecordGaps(skipped: readonly string[], dataSource: string): ScanGap[] {
  if (!skipped.length) return [];
  const shown = skipped.slice(0, MAX_EXAMPLES).join('; ');
  const more = skipped.length > MAX_EXAMPLES ? `; … ${skipped.length - MAX_EXAMPLES} more` : '';
  return [
    {
      kind: 'not-covered',
      message: `${plural(skipped.length, 'OSV record', 'OSV records')} of the data (${dataSource}) could not be used, so what ${skipped.length === 1 ? 'it describes' : 'they describe'} was not checked: ${shown}${more}`,
    },
  ];
}

/** Gaps the SBOM's builder reported (skipped layers, capped package databases), as given. */
export function inventoryGaps(messages: readonly string[]): ScanGap[] {
  return messages.map((message) => ({ kind: 'inventory', message }));
}
