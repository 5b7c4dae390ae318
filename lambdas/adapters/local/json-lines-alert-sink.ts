import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Alert, AlertSink } from '../../ports/alert-sink';
import { ALERT_SOURCE } from '../../core/alerts';

/** Local alerts: one EventBridge-shaped JSON object per line in a file, and a line on stderr. */
export class JsonLinesAlertSink implements AlertSink {
  constructor(
    readonly file: string,
    private readonly echo: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  async publish(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const time = new Date().toISOString();
    const lines = alerts.map((a) => JSON.stringify({ source: ALERT_SOURCE, 'detail-type': a.type, time, detail: a.detail }));
    fs.appendFileSync(this.file, lines.map((l) => `${l}\n`).join(''));
    for (const a of alerts) this.echo(`alert: ${a.type}: ${a.detail.summary}`);
  }
}
