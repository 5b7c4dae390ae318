import { DEFAULT_AUDIT_DAYS } from '../core/audit';
import { BadInputError } from '../core/errors';
import { auditLines } from '../ledger/render-history';
import { parseTimePoint } from '../ledger/time-window';
import { openLedgerReader } from './ledger-wiring';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';

/** `audit`: the local audit trail by actor, action and time window, oldest first. */
export async function auditCommand(argv: string[]): Promise<CommandResult> {
  const { values } = parseCommand('audit', argv);
  const format = oneOf('audit', '-o', values.output, ['table', 'json'] as const, 'table');
  const now = new Date();
  const since = values.since === undefined ? undefined : parseTimePoint(values.since, now, 'audit: --since');
  const until = values.until === undefined ? undefined : parseTimePoint(values.until, now, 'audit: --until', true);
  if (since && until && since > until) throw new BadInputError(`audit: --since ${values.since} is after --until ${values.until}`);
  const limit = values.limit === undefined ? 1000 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new BadInputError(`audit: --limit must be a positive whole number (got "${values.limit}")`);
  const ledger = await openLedgerReader(values.table);
  try {
    const entries = await ledger.ledger.queryAudit({
      ...(values.actor !== undefined ? { actor: values.actor } : {}),
      ...(values.action !== undefined ? { action: values.action } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      limit,
    });
    if (format === 'json') return { exitCode: 0, stdout: `${JSON.stringify(entries, null, 2)}\n` };
    // A diagnostic, so on stderr: the window read when none was given.
    if (!since && values.actor === undefined) process.stderr.write(`audit: the last ${DEFAULT_AUDIT_DAYS} days (--since to go further back)\n`);
    return { exitCode: 0, stdout: entries.length ? `${auditLines(entries).join('\n')}\n` : '' };
  } finally {
    await ledger.close();
  }
}
