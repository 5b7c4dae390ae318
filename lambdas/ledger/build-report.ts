import { BadInputError } from '../core/errors';
import type { BuildRecord } from '../ports/ledger-store';

export { BUILD_EVENT_SOURCE, BUILD_RECORDED } from '../core/bus-events';

/** The `Build Recorded` event's detail: what CI says about one build (schemas/build-recorded.schema.json). */
export interface BuildReport {
  readonly status: 'succeeded' | 'failed';
  readonly commit: string;
  readonly source: string;
  readonly buildId: string;
  readonly pipeline: string;
  readonly author: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly digests: readonly string[];
  readonly repositories?: readonly string[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A report from the CLI's flags or an event, checked field by field: one clear error for the first problem. */
export function parseBuildReport(input: unknown, what = 'build report'): BuildReport {
  const o = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
  if (!o) throw new BadInputError(`${what}: not an object`);
  const text = (key: string, max = 1024): string => {
    const v = o[key];
    if (typeof v !== 'string' || v.trim() === '') throw new BadInputError(`${what}: ${key} is required`);
    if (v.length > max) throw new BadInputError(`${what}: ${key} is longer than ${max} characters`);
    return v;
  };
  const time = (key: string): string | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !ISO.test(v) || Number.isNaN(Date.parse(v))) throw new BadInputError(`${what}: ${key} must be an RFC 3339 time such as 2026-03-01T09:00:00Z (got ${JSON.stringify(v)})`);
    return new Date(v).toISOString();
  };
  const status = o.status;
  if (status !== 'succeeded' && status !== 'failed') throw new BadInputError(`${what}: status must be succeeded or failed (got ${JSON.stringify(status)})`);
  const digests = o.digests ?? [];
  if (!Array.isArray(digests) || !digests.every((d): d is string => typeof d === 'string' && DIGEST.test(d))) throw new BadInputError(`${what}: digests must be sha256:<64 hex> values`);
  if (digests.length > 100) throw new BadInputError(`${what}: at most 100 digests per build`);
  const repositories = o.repositories ?? [];
  if (!Array.isArray(repositories) || !repositories.every((r): r is string => typeof r === 'string')) throw new BadInputError(`${what}: repositories must be strings`);
  const startedAt = time('startedAt');
  const finishedAt = time('finishedAt');
  if (startedAt && finishedAt && startedAt > finishedAt) throw new BadInputError(`${what}: startedAt is after finishedAt`);
  return {
    status,
    commit: text('commit', 256),
    source: text('source'),
    buildId: text('buildId', 256),
    pipeline: text('pipeline', 256),
    author: text('author', 256),
    ...(startedAt ? { startedAt } : {}),
    ...(finishedAt ? { finishedAt } : {}),
    digests: [...new Set(digests)],
    ...(repositories.length ? { repositories: [...repositories] } : {}),
  };
}

export function buildRecordOf(report: BuildReport, reportedAt: string, reportedBy: string): BuildRecord {
  return { ...report, repositories: report.repositories ?? [], reportedAt, reportedBy };
}
