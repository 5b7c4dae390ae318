import type { CloudTrailPutImageEvent } from '../ledger/pusher';
import { createPusherRecorder, pushRecordOf } from '../ledger/pusher';
import { aws, lambdaHandler } from './runtime';

const record = createPusherRecorder({ records: aws.records(), ledger: aws.ledger() });

/** ecr:PutImage from CloudTrail (via EventBridge): who pushed the digest. */
export const handler = lambdaHandler('pusher-recorder', async (event: CloudTrailPutImageEvent): Promise<{ outcome: string }> => ({ outcome: await record(pushRecordOf(event)) }));
