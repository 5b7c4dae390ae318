import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UnavailableError } from '../../core/errors';
import type { Alert, AlertSink } from '../../ports/alert-sink';
import { ALERT_SOURCE } from '../../core/alerts';

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;

export class EventBridgeAlertSink implements AlertSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(alerts: readonly Alert[]): Promise<void> {
    for (let i = 0; i < alerts.length; i += BATCH) {
      const batch = alerts.slice(i, i + BATCH);
      const res = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((a) => ({ EventBusName: this.busName, Source: ALERT_SOURCE, DetailType: a.type, Detail: JSON.stringify(a.detail) })),
        }),
      );
      if (res.FailedEntryCount) {
        const codes = (res.Entries ?? []).map((e) => e.ErrorCode).filter(Boolean);
        throw new UnavailableError(`EventBridge refused ${res.FailedEntryCount} alert(s): ${codes.join(', ')}`);
      }
    }
  }
}
