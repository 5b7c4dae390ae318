import { policyFrom } from '../../../lambdas/attest/policy';
import { newestScanProblems } from '../../../lambdas/gate/newest-scan';
import type { ScanEntry } from '../../../lambdas/ports/scan-history';

const entry = (over: Partial<ScanEntry> = {}): ScanEntry => ({
  time: '2026-12-01T10:00:00.000Z',
  id: 'e1',
  trigger: 'watch',
  verdict: 'pass',
  threshold: 'high',
  counts: { none: 0, unknown: 0, info: 0, low: 1, medium: 0, high: 0, critical: 0 },
  atOrAboveThreshold: 0,
  gapsTotal: 0,
  added: [],
  cleared: [],
  report: { key: 'k', location: 'mem://k', sha256: 'x' },
  data: { source: 'osv-mirror:mem://mirror.json' },
  ...over,
});
const NOW = new Date('2026-12-02T10:00:00.000Z');

describe("the gate's ledger check on the newest scan", () => {
  it('passes a newest scan that passes, within failOn and maxAge', () => {
    expect(newestScanProblems(entry(), policyFrom({ attestations: [{ type: 'vuln', maxAge: '7d' }], vulnerabilities: { failOn: 'high' } }), NOW, 'app@sha256:1')).toEqual([]);
  });

  it('denies on a finding the watch added after the push: verdict and max severity of the newest scan', () => {
    const p = newestScanProblems(entry({ verdict: 'fail', counts: { high: 2, low: 1 } }), policyFrom({ vulnerabilities: { failOn: 'high' } }), NOW, 'app@sha256:1');
    expect(p).toEqual([
      'ledger: the newest scan of app@sha256:1 (watch scan of 2026-12-01T10:00:00.000Z) has verdict fail',
      'ledger: the newest scan of app@sha256:1 (watch scan of 2026-12-01T10:00:00.000Z) has findings at or above high: 2 high',
    ]);
    // Unknown severity counts under failOn unless the policy says warn.
    expect(newestScanProblems(entry({ counts: { unknown: 1 } }), policyFrom({ vulnerabilities: { failOn: 'critical' } }), NOW, 'x')).toHaveLength(1);
    expect(newestScanProblems(entry({ counts: { unknown: 1 } }), policyFrom({ vulnerabilities: { failOn: 'critical', unknownSeverity: 'warn' } }), NOW, 'x')).toEqual([]);
  });

  it('denies a newest scan older than the vuln maxAge', () => {
    expect(newestScanProblems(entry(), policyFrom({ attestations: [{ type: 'vuln', maxAge: '12h' }] }), NOW, 'x')).toEqual(['ledger: the newest scan of x (watch scan of 2026-12-01T10:00:00.000Z) is older than 12h']);
  });
});
