import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbComponentIndex } from '../adapters/aws/dynamodb-component-index';
import { DynamoDbRecordStore } from '../adapters/aws/dynamodb-record-store';
import { loadEnvironments } from '../gate/environments';
import { startLocalDynamo } from '../local/dynalite-server';
import { localPaths } from '../local/paths';
import { fitList, truncate } from '../core/text-cells';
import * as fs from 'node:fs';
import type { FoundArtifact } from '../workflow/find-artifacts';
import { findArtifacts } from '../workflow/find-artifacts';
import { parseVersionRange } from '../vuln/version-range';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';

function table(artifacts: readonly FoundArtifact[]): string {
  const rows = artifacts.flatMap((a) =>
    a.components.map((c) => [truncate(a.repository, 34), `${a.digest.slice(0, 19)}`, fitList(a.tags, 14) || '-', fitList(a.environments, 12) || '-', truncate(`${c.purl}${c.platform ? ` (${c.platform})` : ''}`, 44), c.layer ? c.layer.slice(0, 19) : '-']),
  );
  const head = ['REPOSITORY', 'DIGEST', 'TAGS', 'ENVIRONMENTS', 'PACKAGE', 'LAYER'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

/**
 * `find PURL-OR-NAME [--ecosystem E] [--version RANGE]`: which stored artifacts contain a
 * package, from the component index: the local ledger, or with `--table` the stack's table.
 */
export async function findCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('find', argv);
  const format = oneOf('find', '-o', values.output, ['table', 'json'] as const, 'table');
  const version = values.version ? parseVersionRange(values.version) : undefined;
  const envFile = values.environments ?? localPaths().environments;
  const environments = values.environments || fs.existsSync(envFile) ? loadEnvironments(envFile) : undefined;
  let close = async (): Promise<void> => undefined;
  let client: DynamoDBClient;
  let tableName: string;
  if (values.table) {
    client = new DynamoDBClient(values.region ? { region: values.region } : {});
    tableName = values.table;
  } else {
    const local = await startLocalDynamo({ path: localPaths().records });
    client = local.client;
    tableName = local.tableName;
    close = () => local.close();
  }
  try {
    const found = await findArtifacts(
      { index: new DynamoDbComponentIndex(client, tableName), records: new DynamoDbRecordStore(client, tableName), ...(environments ? { environments } : {}) },
      { package: positionals[0] as string, ...(values.ecosystem ? { ecosystem: values.ecosystem } : {}), ...(version ? { version } : {}) },
    );
    for (const p of found.unorderable) process.stderr.write(`warning: ${p}: its version cannot be compared with --version ${values.version ?? ''}; not listed\n`);
    const stdout = format === 'json' ? `${JSON.stringify(found.artifacts, null, 2)}\n` : found.artifacts.length ? table(found.artifacts) : '';
    if (!found.artifacts.length && format === 'table') process.stderr.write(`no stored artifact contains ${positionals[0] as string}${values.version ? ` ${values.version}` : ''}\n`);
    return { exitCode: 0, stdout };
  } finally {
    await close();
  }
}
