import type { AlertTypeName } from '../core/alerts';

/** An alert as published on the bus: `detail.summary` is the line people read. */
export interface Alert {
  readonly type: AlertTypeName;
  readonly detail: Readonly<Record<string, unknown>> & { readonly summary: string };
}

/** Port: where alerts go (EventBridge in AWS; a JSON-lines file and the console locally). */
export interface AlertSink {
  publish(alerts: readonly Alert[]): Promise<void>;
}
