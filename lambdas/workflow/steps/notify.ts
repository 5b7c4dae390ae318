import type { Alert, AlertSink } from '../../ports/alert-sink';
import type { MetricsSink } from '../../ports/metrics';
import type { RecordStore } from '../../ports/record-store';
import type { WorkflowState } from '../state';
import { MetricName } from '../../core/metric-names';
import { AlertType } from '../../core/alerts';

export interface NotifyDeps {
  readonly alerts: AlertSink;
  readonly metrics: MetricsSink;
  /** Where PROCESSED is written and the processing lease released, once the alerts are out. */
  readonly records: Pick<RecordStore, 'markProcessed' | 'releaseLease'>;
  readonly now: () => Date;
}

/** Step Functions puts a Lambda error's JSON in Cause; keep its message, never its stack trace. */
export function failureMessage(error: WorkflowState['error']): string {
  const cause = error?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.split('\n')[0] as string;
  } catch {
    // plain text cause
  }
  return (cause.split('\n')[0] || error?.Error || 'unknown error').slice(0, 1000);
}

function describeEvent(state: WorkflowState): string | undefined {
  const d = state.detail;
  return d?.['repository-name'] ? `${d['repository-name']}${d['image-tag'] ? `:${d['image-tag']}` : ''}@${d['image-digest'] ?? '?'}` : undefined;
}

/** What the state says people should know, as alerts. */
export function alertsFor(state: WorkflowState): Alert[] {
  const a = state.artifact;
  const ref = a ? `${a.repositoryName}@${a.digest}` : 'unknown artifact';
  // What every alert of an execution carries, so that its message can name and link it.
  const common = { ...(state.execution ? { execution: state.execution.id } : {}), ...(a?.tag ? { tag: a.tag } : {}) };
  if (state.error) {
    return [
      {
        type: AlertType.workflowFailed,
        detail: {
          summary: `processing ${a ? ref : (state.source ?? describeEvent(state) ?? 'a pushed artifact')} failed: ${failureMessage(state.error)}`,
          error: state.error.Error ?? 'Error',
          artifact: a ?? null,
          source: state.source ?? null,
          ...(a ? { repository: a.repositoryName, digest: a.digest } : {}),
          ...common,
        },
      },
    ];
  }
  const alerts: Alert[] = [];
  if (a.evidence) {
    const pv = state.record?.policyViolation;
    if (pv) {
      const what = `${a.tag ? `tag ${a.repositoryName}:${a.tag}` : ref} (${a.evidence.claim}${a.evidence.subject ? ` about ${a.evidence.subject}` : ''})`;
      alerts.push({
        type: AlertType.policyViolation,
        detail: { summary: `${what} is not what it claims: ${pv.reason}`, reason: 'evidence-mismatch', repository: a.repositoryName, digest: a.digest, tag: a.tag ?? null, claim: a.evidence.claim, subject: a.evidence.subject ?? null, explanation: pv.reason, ...common },
      });
    }
    return alerts;
  }
  const v = state.record?.tagViolation;
  if (v) {
    alerts.push({
      type: AlertType.tagViolation,
      detail: { summary: `tag ${a.repositoryName}:${v.tag} moved from ${v.boundDigest} to ${a.digest}`, repository: a.repositoryName, boundDigest: v.boundDigest, pushedDigest: a.digest, ...common, tag: v.tag },
    });
  }
  const scan = state.scan;
  if (scan?.verdict === 'fail') {
    const list = scan.findingsAboveThreshold.slice(0, 5).map((f) => `${f.id} (${f.severity}, ${f.package}${f.fixed.length ? `, fixed in ${f.fixed.join(', ')}` : ''})`);
    alerts.push({
      type: AlertType.vulnerabilities,
      detail: {
        summary: `${scan.findingsAboveThresholdTotal} finding(s) at or above ${scan.threshold} in ${ref}: ${list.join('; ')}${scan.findingsAboveThresholdTotal > list.length ? '; …' : ''}`,
        repository: a.repositoryName,
        digest: a.digest,
        threshold: scan.threshold,
        counts: scan.counts,
        findings: scan.findingsAboveThreshold,
        findingsTotal: scan.findingsAboveThresholdTotal,
        reports: scan.reports.map((r) => r.location),
        ...common,
      },
    });
  }
  if (scan?.verdict === 'incomplete' || (scan?.verdict === 'fail' && scan.gapsTotal > 0)) {
    // Also beside a failing verdict: fixing those findings would still not make this signable.
    const shown = scan.gaps.slice(0, 5);
    alerts.push({
      type: AlertType.scanIncomplete,
      detail: {
        summary: `${ref} was not fully inventoried and scanned, so it is not signed: ${shown.join('; ')}${scan.gapsTotal > shown.length ? `; … ${scan.gapsTotal - shown.length} more` : ''}`,
        repository: a.repositoryName,
        digest: a.digest,
        reason: scan.reason ?? null,
        gaps: scan.gaps,
        gapsTotal: scan.gapsTotal,
        reports: scan.reports.map((r) => r.location),
        ...common,
      },
    });
  }
  if (!a.duplicate) {
    alerts.push({
      type: AlertType.processed,
      detail: { summary: `${a.kind} ${ref}${a.tag ? ` (tag ${a.tag})` : ''} processed`, repository: a.repositoryName, digest: a.digest, kind: a.kind, tag: a.tag ?? null, ...common },
    });
  }
  return alerts;
}

/**
 * Notify: publish the alerts of a finished (or failed) execution. For an artifact this execution
 * processed, PROCESSED is the last write, after the alerts: a crash anywhere before it leaves the
 * digest unprocessed, and the run that takes over redoes every (idempotent) step, alerts
 * included (at least once, never lost). Then the processing lease is released (a failed run's
 * too, so that the event can be retried at once).
 */
export function createNotifyStep(deps: NotifyDeps) {
  return async (state: WorkflowState): Promise<{ published: string[] }> => {
    const alerts = alertsFor(state);
    await deps.alerts.publish(alerts);
    if (state.error) deps.metrics.count(MetricName.workflowFailures);
    const a = state.artifact as WorkflowState['artifact'] | undefined;
    const ours = a !== undefined && !a.evidence && !a.duplicate;
    if (ours && !state.error && (await deps.records.markProcessed(a.repositoryName, a.digest, deps.now().toISOString())) === 'created') {
      deps.metrics.count(MetricName.artifactsProcessed);
    }
    if (ours && state.execution) await deps.records.releaseLease(a.repositoryName, a.digest, state.execution.id);
    return { published: alerts.map((x) => x.type) };
  };
}
