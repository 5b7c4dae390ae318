import { createHash } from 'node:crypto';
import { BadInputError } from '../core/errors';
import type { LedgerStore, PushRecord } from '../ports/ledger-store';
import type { RecordStore, WriteOutcome } from '../ports/record-store';

/** `AWS API Call via CloudTrail` for ecr:PutImage, as EventBridge delivers it (fields from CloudTrail's record format). */
export interface CloudTrailPutImageEvent {
  readonly id?: string;
  readonly account?: string;
  readonly region?: string;
  readonly detail?: {
    readonly eventID?: string;
    readonly eventTime?: string;
    readonly eventName?: string;
    readonly eventSource?: string;
    readonly awsRegion?: string;
    readonly errorCode?: string;
    readonly sourceIPAddress?: string;
    readonly userAgent?: string;
    readonly userIdentity?: { readonly type?: string; readonly arn?: string; readonly accountId?: string; readonly principalId?: string; readonly invokedBy?: string };
    readonly requestParameters?: { readonly repositoryName?: string; readonly registryId?: string; readonly imageTag?: string } | null;
    readonly responseElements?: { readonly image?: { readonly repositoryName?: string; readonly registryId?: string; readonly imageId?: { readonly imageDigest?: string; readonly imageTag?: string } } } | null;
  };
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The registry host of an account's ECR in a region (China regions end in .com.cn). */
export function ecrHost(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** Who pushed what, from one PutImage record; a failed call or one without a digest is refused. */
export function pushRecordOf(event: CloudTrailPutImageEvent): PushRecord {
  const d = event.detail;
  if (!d || d.eventName !== 'PutImage' || d.eventSource !== 'ecr.amazonaws.com') throw new BadInputError('not a CloudTrail ecr:PutImage event');
  if (d.errorCode) throw new BadInputError(`PutImage failed (${d.errorCode}): nothing was pushed`);
  const image = d.responseElements?.image;
  const digest = image?.imageId?.imageDigest;
  const repository = image?.repositoryName ?? d.requestParameters?.repositoryName;
  const registry = image?.registryId ?? d.requestParameters?.registryId ?? d.userIdentity?.accountId ?? event.account;
  const region = d.awsRegion ?? event.region;
  if (!digest || !DIGEST.test(digest) || !repository || !registry || !region || !d.eventID || !d.eventTime) throw new BadInputError('PutImage event without repository, digest, region, eventID or eventTime');
  const identity = d.userIdentity ?? {};
  const principal = identity.arn ?? (identity.invokedBy ? `service:${identity.invokedBy}` : identity.principalId ? `principal:${identity.principalId}` : 'unknown');
  const tag = image?.imageId?.imageTag ?? d.requestParameters?.imageTag;
  return {
    repositoryName: `${ecrHost(registry, region)}/${repository}`,
    digest,
    ...(tag ? { tag } : {}),
    principal,
    account: identity.accountId ?? event.account ?? registry,
    ...(d.sourceIPAddress ? { sourceIp: d.sourceIPAddress } : {}),
    ...(d.userAgent ? { userAgent: d.userAgent.slice(0, 256) } : {}),
    time: new Date(d.eventTime).toISOString(),
    eventId: d.eventID,
  };
}

/**
 * Records the pusher of a digest: by digest in the ledger and as a `push` entry (actor: the
 * principal) in the artifact's trail. Keyed by CloudTrail's eventID, so any number of deliveries,
 * before or after ECR's push event, write it once.
 */
export function createPusherRecorder(deps: { readonly records: RecordStore; readonly ledger: LedgerStore }) {
  return async (push: PushRecord): Promise<WriteOutcome> => {
    const id = createHash('sha256').update(`pusher\n${push.eventId}`).digest('hex').slice(0, 24);
    await deps.records.appendEvent(push.repositoryName, push.digest, {
      id,
      time: push.time,
      type: 'ArtifactPushedBy',
      actor: push.principal,
      action: 'push',
      outcome: 'success',
      detail: { tag: push.tag ?? null, account: push.account, sourceIp: push.sourceIp ?? null, userAgent: push.userAgent ?? null, cloudTrailEventId: push.eventId },
    });
    return deps.ledger.putPusher(push);
  };
}
