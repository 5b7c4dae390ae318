import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditEntry, AuditQuery } from '../../core/audit';
import { DEFAULT_AUDIT_DAYS } from '../../core/audit';
import { actorKey, artifactKey, auditDayKey, buildKey, digestKey, RecordsTable, tagKey } from '../../core/records-table';
import type { BuildRecord, Flag, LedgerStore, PushRecord, TagPush } from '../../ports/ledger-store';
import type { ArtifactRecord, WriteOutcome } from '../../ports/record-store';
import type { Item } from './dynamo-table';
import { DynamoTable } from './dynamo-table';

const { partitionKey: PK, sortKey: SK, actorIndex, digestIndex } = RecordsTable;
const DAY_MS = 86_400_000;
/** Past every character an ISO time and an id use: the inclusive end of a sort-key range. */
const END = '\uffff';

/** The audit index item of an entry: its day's partition, and the actor index's keys. */
export function auditIndexItem(entry: AuditEntry): Item {
  const sortKey = `${entry.time}#${entry.id}#${entry.target}`;
  return { [PK]: auditDayKey(entry.time), [SK]: sortKey, [actorIndex.partitionKey]: actorKey(entry.actor), [actorIndex.sortKey]: sortKey, entry };
}

/** The UTC days a window covers, first to last. */
function daysOf(since: string, until: string): string[] {
  const days: string[] = [];
  const last = Date.parse(until.slice(0, 10));
  for (let t = Date.parse(since.slice(0, 10)); t <= last; t += DAY_MS) days.push(new Date(t).toISOString());
  return days;
}

/** LedgerStore on the records table (DynamoDB in AWS, dynalite locally). */
export class DynamoDbLedgerStore implements LedgerStore {
  private readonly table: DynamoTable;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new DynamoTable(client, tableName);
  }

  async putBuild(build: BuildRecord): Promise<WriteOutcome> {
    const key = buildKey(build.pipeline, build.buildId);
    const outcome = await this.table.putOnce({ [PK]: key, [SK]: 'BUILD', build });
    // Per digest even when the build existed: a retry after a partial write completes it.
    for (const digest of build.digests) await this.table.putOnce({ [PK]: digestKey(digest), [SK]: key, build });
    return outcome;
  }

  async getBuild(pipeline: string, buildId: string): Promise<BuildRecord | undefined> {
    return (await this.table.get(buildKey(pipeline, buildId), 'BUILD'))?.build as BuildRecord | undefined;
  }

  async buildsOf(digest: string): Promise<BuildRecord[]> {
    return (await this.table.query({ partition: digestKey(digest), prefix: 'BUILD#' })).map((i) => i.build as BuildRecord);
  }

  putPusher(push: PushRecord): Promise<WriteOutcome> {
    return this.table.putOnce({ [PK]: digestKey(push.digest), [SK]: `PUSHER#${push.time}#${push.eventId}`, push });
  }

  async pushersOf(digest: string): Promise<PushRecord[]> {
    return (await this.table.query({ partition: digestKey(digest), prefix: 'PUSHER#' })).map((i) => i.push as PushRecord);
  }

  async artifactsWithDigest(digest: string): Promise<ArtifactRecord[]> {
    return (await this.table.query({ index: digestIndex, partition: digestKey(digest) })).map((i) => i.record as ArtifactRecord);
  }

  raiseFlag(repositoryName: string, digest: string, flag: Flag): Promise<WriteOutcome> {
    return this.table.putOnce({ [PK]: artifactKey(repositoryName, digest), [SK]: `FLAG#${flag.kind}#${flag.key}`, flag });
  }

  async flagsOf(repositoryName: string, digest: string): Promise<Flag[]> {
    return (await this.table.query({ partition: artifactKey(repositoryName, digest), prefix: 'FLAG#' })).map((i) => i.flag as Flag);
  }

  recordTagPush(push: TagPush): Promise<WriteOutcome> {
    return this.table.putOnce({ [PK]: tagKey(push.repositoryName, push.tag), [SK]: `PUSH#${push.time}#${push.digest}`, push });
  }

  async tagHistory(repositoryName: string, tag: string): Promise<TagPush[]> {
    return (await this.table.query({ partition: tagKey(repositoryName, tag), prefix: 'PUSH#' })).map((i) => i.push as TagPush);
  }

  async tagBinding(repositoryName: string, tag: string): Promise<string | undefined> {
    const item = await this.table.get(tagKey(repositoryName, tag), 'TAG');
    return typeof item?.digest === 'string' ? item.digest : undefined;
  }

  appendAudit(entry: AuditEntry): Promise<WriteOutcome> {
    return this.table.putOnce(auditIndexItem(entry));
  }

  async queryAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const limit = q.limit ?? 1000;
    const until = q.until ?? new Date().toISOString();
    let items: Item[];
    if (q.actor !== undefined) {
      items = await this.table.query({ index: actorIndex, partition: actorKey(q.actor), between: [q.since ?? '0000', `${until}${END}`] });
    } else {
      const since = q.since ?? new Date(Date.parse(until) - DEFAULT_AUDIT_DAYS * DAY_MS).toISOString();
      items = [];
      for (const day of daysOf(since, until)) {
        items.push(...(await this.table.query({ partition: auditDayKey(day), between: [since, `${until}${END}`] })));
        if (!q.action && !q.target && items.length >= limit) break;
      }
    }
    return items
      .map((i) => i.entry as AuditEntry)
      .filter((e) => (q.action === undefined || e.action === q.action) && (q.target === undefined || e.target === q.target))
      .slice(0, limit);
  }
}
