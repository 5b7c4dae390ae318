import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UnavailableError } from '../../core/errors';
import type { BuildReport } from '../../ledger/build-report';
import { BUILD_EVENT_SOURCE, BUILD_RECORDED } from '../../core/bus-events';

/** Puts a `Build Recorded` event on the stack's custom bus, where a rule hands it to the build recorder. */
export class EventBridgeBuildPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(report: BuildReport): Promise<{ eventId: string }> {
    const res = await this.client.send(new PutEventsCommand({ Entries: [{ EventBusName: this.busName, Source: BUILD_EVENT_SOURCE, DetailType: BUILD_RECORDED, Detail: JSON.stringify(report) }] }));
    const entry = res.Entries?.[0];
    if (res.FailedEntryCount || !entry?.EventId) throw new UnavailableError(`EventBridge refused the build report on bus ${this.busName}: ${entry?.ErrorCode ?? 'no event id'}${entry?.ErrorMessage ? ` (${entry.ErrorMessage})` : ''}`);
    return { eventId: entry.EventId };
  }
}
