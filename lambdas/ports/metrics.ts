/** Port: counters for the KPIs (CloudWatch EMF via Powertools in AWS; kept in memory locally). */
export interface MetricsSink {
  count(name: string, value?: number): void;
}

export class InMemoryMetrics implements MetricsSink {
  readonly counts = new Map<string, number>();
  count(name: string, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
}
