import * as fs from 'node:fs';
import { BadInputError } from '../core/errors';
import { historyHtml } from '../ledger/history-html';
import { isEmptyHistory, loadHistory, resolveInLedger } from '../ledger/history';
import { historyText } from '../ledger/render-history';
import { openLedgerReader } from './ledger-wiring';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';

/**
 * `history REF`: what the local ledger holds about one artifact (provenance chain, tags and their
 * pushes, build, pusher, evidence, gate decisions, the audit trail), as text, JSON or one HTML page.
 */
export async function historyCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('history', argv);
  const format = oneOf('history', '-o', values.output, ['table', 'json', 'html'] as const, 'table');
  const ledger = await openLedgerReader(values.table);
  try {
    const { repositoryName, digest } = await resolveInLedger(ledger, positionals[0] as string);
    const history = await loadHistory(ledger, repositoryName, digest);
    if (isEmptyHistory(history)) throw new BadInputError(`history: ${repositoryName}@${digest} is not in the ledger`);
    const doc = format === 'json' ? `${JSON.stringify(history, null, 2)}\n` : format === 'html' ? historyHtml(history, new Date().toISOString()) : historyText(history);
    if (values.file) {
      fs.writeFileSync(values.file, doc);
      return { exitCode: 0 };
    }
    return { exitCode: 0, stdout: doc };
  } finally {
    await ledger.close();
  }
}
