import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { RefusedError, UnavailableError } from '../../core/errors';
import type { Alert, AlertSink } from '../../ports/alert-sink';
import { ALERT_SOURCE } from '../../core/alerts';
import { classifyAwsError, classifyingClient } from './aws-errors';

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;

export class EventBridgeAlertSink implements AlertSink {
  private readonly client: EventBridgeClient;

  constructor(
    client: EventBridgeClient,
    private readonly busName: string,
  ) {
    this.client = classifyingClient(client, 'EventBridge');
  }

  async publish(alerts: readonly Alert[]): Promise<void> {
    for (let i = 0; i < alerts.length; i += BATCH) {
      const batch = alerts.slice(i, i + BATCH);
      const res = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((a) => ({ EventBusName: this.busName, Source: ALERT_SOURCE, DetailType: a.type, Detail: JSON.stringify(a.detail) })),
        }),
      );
      if (res.FailedEntryCount) {
        const codes = (res.Entries ?? []).flatMap((e) => (e.ErrorCode ? [e.ErrorCode] : []));
        const message = `EventBridge refused ${res.FailedEntryCount} alert(s): ${codes.join(', ') || 'no error code'}`;
        // Entry errors are error codes (ThrottlingException, InternalFailure, AccessDeniedException…):
        // retried only when every one of them is transient.
        const transient = codes.length > 0 && codes.every((code) => classifyAwsError({ name: code, $fault: 'client' }) === 'transient');
        throw transient ? new UnavailableError(message) : new RefusedError(message);
      }
    }
  }
}
