import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../../lambdas/vuln/findings';
import { parseOsvJson } from '../../../lambdas/vuln/osv/parse';
import type { OsvAffected, OsvRecord } from '../../../lambdas/vuln/osv/types';
import { blocks, REPORT_FORMAT, summarize, verdictOf, type ScanReport } from '../../../lambdas/vuln/report';
import { parseScanSbom, type ScanSbom } from '../../../lambdas/vuln/sbom-input';
import { OfflineOsvSource } from '../../../lambdas/vuln/sources/offline-source';

export const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'osv', 'records');

export function fixtureRecord(id: string): OsvRecord {
  return parseOsvJson(fs.readFileSync(path.join(FIXTURES, `${id}.json`)));
}

/** Records we wrote in the shape of real ones (`fixtures/osv/ours`, see its README). */
export const OUR_FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'osv', 'ours');

export function ourRecord(id: string): OsvRecord {
  return parseOsvJson(fs.readFileSync(path.join(OUR_FIXTURES, `${id}.json`)));
}

export function fixtureSource(): OfflineOsvSource {
  return OfflineOsvSource.fromPath(FIXTURES);
}

/** A synthetic OSV record (ours, for rules the real data does not exercise). */
export function record(id: string, affected: OsvAffected[], extra: Partial<OsvRecord> = {}): OsvRecord {
  return { id, modified: '2024-01-01T00:00:00Z', affected, ...extra };
}

/** A CycloneDX 1.6 document whose components are the given purls (bom-ref = purl). */
export function cdxDocument(purls: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: {
      timestamp: '2026-01-01T00:00:00Z',
      component: { type: 'container', 'bom-ref': 'pkg:oci/app@sha256%3Aabc', name: 'app', version: 'sha256:abc', purl: 'pkg:oci/app@sha256%3Aabc' },
    },
    components: purls.map((p) => ({ type: 'library', 'bom-ref': p, name: decodeURIComponent(p.replace(/[?#].*$/, '').split('/').pop()?.split('@')[0] ?? p), purl: p })),
    ...extra,
  };
}

export function sbomOf(purls: readonly string[]): ScanSbom {
  return parseScanSbom(JSON.stringify(cdxDocument(purls)), 'test.cdx.json');
}

export { MemoryBlobStore } from '../../support/memory-blob-store';

/** A finding written by hand, for renderer tests (what the scan would produce for one component). */
export function finding(id: string, purl: string, over: Partial<Finding> = {}): Finding {
  const version = /@([^@?#/]+)(?:[?#]|$)/.exec(purl)?.[1] ?? '';
  const name = decodeURIComponent(purl.replace(/[?#].*$/, '').split('/').pop()?.split('@')[0] ?? purl);
  return {
    id,
    aliases: [],
    upstream: [],
    records: [id],
    component: { bomRef: purl, purl, name, version },
    package: { ecosystem: 'npm', name, version },
    severity: 'high',
    ratings: [],
    fixed: [],
    lastAffected: [],
    matchedBy: 'range',
    modified: '2024-01-01T00:00:00Z',
    suppressed: false,
    ...over,
  };
}

/** A scan report around hand-written findings (summary and verdict computed as the scan does). */
export function reportOf(findings: readonly Finding[], over: Partial<ScanReport> = {}): ScanReport {
  const threshold = over.threshold;
  const unknownSeverity = over.unknownSeverity ?? 'fail';
  const gaps = over.gaps ?? [];
  const summary = summarize(findings, { components: findings.length, notScanned: 0, unorderable: 0, gaps: gaps.length }, threshold, unknownSeverity);
  return {
    format: REPORT_FORMAT,
    generatedAt: '2026-06-01T00:00:00.000Z',
    subject: { name: 'registry.example/app', version: 'sha256:abc' },
    data: { source: 'osv-dir:/data/osv', recordCount: 10 },
    unknownSeverity,
    verdict: verdictOf(findings.filter((f) => blocks(f, threshold, unknownSeverity)).length, gaps.length),
    summary,
    findings,
    gaps,
    unorderable: [],
    notScanned: [],
    expiredRules: [],
    warnings: [],
    ...over,
  };
}
