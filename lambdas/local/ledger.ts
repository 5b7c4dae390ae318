import * as os from 'node:os';
import { DynamoDbRecordStore } from '../adapters/aws/dynamodb-record-store';
import { DynamoDbLedgerStore } from '../adapters/aws/dynamodb-ledger-store';
import type { LedgerStore } from '../ports/ledger-store';
import { DynamoDbScanHistory } from '../adapters/aws/dynamodb-scan-history';
import type { ScanHistory } from '../ports/scan-history';
import { JsonLinesAlertSink } from '../adapters/local/json-lines-alert-sink';
import type { RecordStore } from '../ports/record-store';
import { startLocalDynamo } from './dynalite-server';
import { localPaths } from './paths';

/** The local records and alerts alone (no key is made, no cache opened): what `gate` and `promote` read and write. */
export interface LocalLedger {
  readonly records: RecordStore;
  /** Builds, pushers, tag history, flags and the audit index, on the same store. */
  readonly ledger: LedgerStore;
  readonly alerts: JsonLinesAlertSink;
  /** Scans after the first (the vulnerability watch): the gate judges the newest. */
  readonly scans: ScanHistory;
  /** Who acts, as the audit trail names them locally. */
  readonly caller: string;
  close(): Promise<void>;
}

export async function openLocalLedger(home?: string, opts: { quiet?: boolean } = {}): Promise<LocalLedger> {
  const paths = localPaths(home);
  let dynamo;
  try {
    dynamo = await startLocalDynamo({ path: paths.records });
  } catch (err) {
    if (/lock/i.test((err as Error).message)) throw new Error(`the local records store ${paths.records} is in use by another artifact-guard process`);
    throw err;
  }
  return {
    records: new DynamoDbRecordStore(dynamo.client, dynamo.tableName),
    ledger: new DynamoDbLedgerStore(dynamo.client, dynamo.tableName),
    scans: new DynamoDbScanHistory(dynamo.client, dynamo.tableName),
    alerts: new JsonLinesAlertSink(paths.alerts, opts.quiet ? () => undefined : undefined),
    caller: `local:${os.userInfo().username}`,
    close: () => dynamo.close(),
  };
}
