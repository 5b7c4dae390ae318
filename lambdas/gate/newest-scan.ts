/**
 * The gate's ledger check on an artifact's newest scan (a watch update, a re-evaluation or the
 * weekly re-scan), when there is one: its verdict must be `pass` (or `skipped`), its unsuppressed
 * findings must stay under the policy's `failOn`, and it must be younger than the `maxAge` the
 * policy sets for the vuln attestation. Signed attestations are still checked as before: this
 * can only deny more, never allow what they deny.
 */
import type { Policy } from '../attest/policy';
import { severityRank, type SeverityLevel } from '../attest/scan-report';
import type { ScanEntry } from '../ports/scan-history';

export function newestScanProblems(entry: ScanEntry, policy: Policy, now: Date, what: string): string[] {
  const problems: string[] = [];
  const when = `${entry.trigger} scan of ${entry.time}`;
  if (entry.verdict !== 'pass' && entry.verdict !== 'skipped') problems.push(`ledger: the newest scan of ${what} (${when}) has verdict ${entry.verdict}`);
  if (policy.failOn) {
    const limit = severityRank(policy.failOn);
    const unknownFails = (policy.unknownSeverity ?? 'fail') === 'fail';
    const over = Object.entries(entry.counts).filter(([sev, n]) => n > 0 && (severityRank(sev as SeverityLevel) >= limit || (sev === 'unknown' && unknownFails)));
    if (over.length) problems.push(`ledger: the newest scan of ${what} (${when}) has findings at or above ${policy.failOn}: ${over.map(([sev, n]) => `${n} ${sev}`).join(', ')}`);
  }
  const vuln = policy.attestations.find((a) => a.name === 'vuln' || a.predicateType === 'https://cosign.sigstore.dev/attestation/vuln/v1');
  if (vuln?.maxAgeMs !== undefined && now.getTime() - Date.parse(entry.time) > vuln.maxAgeMs) problems.push(`ledger: the newest scan of ${what} (${when}) is older than ${vuln.maxAge ?? `${vuln.maxAgeMs} ms`}`);
  return problems;
}
