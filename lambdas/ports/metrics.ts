/** Port: counters for the KPIs (CloudWatch EMF via Powertools in AWS; kept in memory locally). */
export interface MetricsSink {
  /** With `dimensions`, a data point of its own with those dimensions added (e.g. `pipeline`). */
  count(name: string, value?: number, dimensions?: Readonly<Record<string, string>>): void;
}

export class InMemoryMetrics implements MetricsSink {
  readonly counts = new Map<string, number>();
  /** Data points with extra dimensions, in order. */
  readonly dimensioned: { readonly name: string; readonly value: number; readonly dimensions: Readonly<Record<string, string>> }[] = [];
  count(name: string, value = 1, dimensions?: Readonly<Record<string, string>>): void {
    if (dimensions) this.dimensioned.push({ name, value, dimensions: { ...dimensions } });
    else this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
}
