import { Stack } from 'aws-cdk-lib';
import { ArtifactGuard } from '../../../lib/artifact-guard';
import { offlineApp } from '../../../lib/synth-offline';
import { MetricName } from '../../../lambdas/core/metric-names';
import type * as Runtime from '../../../lambdas/handlers/runtime';

type Emf = { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;

/** Runs one handler of lambdas/handlers/runtime.ts with `env` and returns the EMF lines it printed. */
async function emfOf(env: Record<string, string>): Promise<Emf[]> {
  const saved = { ...process.env };
  delete process.env.GUARD_ID;
  // Powertools' dev mode logs through the (jest-captured) console instead of stdout.
  Object.assign(process.env, { POWERTOOLS_DEV: '' }, env);
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    let runtime: typeof Runtime | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      runtime = require('../../../lambdas/handlers/runtime') as typeof Runtime;
    });
    await runtime!.lambdaHandler('probe', async () => runtime!.aws.metrics.count(MetricName.artifactsProcessed))({});
  } finally {
    write.mockRestore();
    process.env = saved;
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Emf);
}

describe('the guard dimension', () => {
  it('is what the Lambdas emit (GUARD_ID as a Powertools default dimension) and what the metric methods read', async () => {
    const guard = new ArtifactGuard(new Stack(offlineApp(), 'S'), 'Guard', { guardId: 'prod-guard' });
    const [emf] = await emfOf({ GUARD_ID: guard.guardId });
    expect(emf).toBeDefined();
    const [directive] = emf!._aws.CloudWatchMetrics;
    const metric = guard.metricArtifactsProcessed();
    expect(directive?.Namespace).toBe(metric.namespace);
    expect(directive?.Metrics.map((m) => m.Name)).toEqual([metric.metricName]);
    expect(directive?.Dimensions).toEqual([Object.keys(metric.dimensions!)]);
    for (const [name, value] of Object.entries(metric.dimensions!)) expect(emf![name]).toBe(value);
  });

  it('is absent when GUARD_ID is not set (the local runner, tests)', async () => {
    const [emf] = await emfOf({});
    expect(emf?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
  });
});
