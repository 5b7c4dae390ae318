import { BadInputError } from '../core/errors';

const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time as a user writes it: an ISO 8601 date or date-time (a date alone is its UTC
 * midnight, or the last millisecond of that day for an end), or a duration before now (`90m`, `24h`, `7d`).
 */
export function parseTimePoint(value: string, now: Date, what: string, end = false): string {
  const rel = /^(\d+)([smhdw])$/.exec(value.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * (UNITS[rel[2] as string] as number)).toISOString();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const t = Date.parse(`${value}T00:00:00.000Z`);
    if (!Number.isNaN(t)) return new Date(end ? t + 86_400_000 - 1 : t).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  throw new BadInputError(`${what}: "${value}" is not a time (an ISO date such as 2026-03-01 or 2026-03-01T09:00:00Z, or a duration before now such as 24h or 7d)`);
}
