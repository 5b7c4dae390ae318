/**
 * The weekly full re-scan, locally: the FullRescan state machine's own definition (generated from
 * the synthesized template, lambdas/workflow/watch/rescan.asl.json) run by aws-local-stepfunctions,
 * its RescanBatch task mapped to the code the Rescan Lambda runs.
 *
 * aws-local-stepfunctions interprets Map states inline only: it has no ItemReader (the S3
 * listing), no ItemBatcher and no DISTRIBUTED mode. The runner therefore does those parts itself,
 * with the definition's own settings: it lists the local evidence folder (what ListObjectsV2 lists
 * under `evidence/` in the bucket), cuts the keys into batches of the definition's
 * MaxItemsPerBatch, and runs the Map over them inline with the definition's MaxConcurrency.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import './with-resolvers';
import { StateMachine } from 'aws-local-stepfunctions';
import definition from '../workflow/watch/rescan.asl.json';
import type { RescanBatchInput, RescanBatchResult } from '../workflow/watch/rescan-batch';

interface MapState {
  Type: 'Map';
  ItemReader?: unknown;
  ItemBatcher?: { MaxItemsPerBatch?: number };
  ToleratedFailurePercentage?: number;
  ItemsPath?: string;
  ResultPath?: string | null;
  MaxConcurrency?: number;
  ItemProcessor: { ProcessorConfig?: { Mode?: string; ExecutionType?: string }; StartAt: string; States: Record<string, unknown> };
}

/** The definition with its Distributed Map turned into the inline Map the interpreter runs. */
export function inlineDefinition(): { definition: Record<string, unknown>; mapState: string; taskState: string; batchSize: number } {
  // The Map, and the states its Catch leads to (alert, fail), which the interpreter runs as they are.
  const def = structuredClone(definition) as { StartAt: string; States: Record<string, MapState | { Type: string }> };
  const isMap = (entry: [string, MapState | { Type: string }]): entry is [string, MapState] => entry[1].Type === 'Map';
  const [mapState, map] = Object.entries(def.States).find(isMap) ?? [];
  if (!mapState || !map) throw new Error('the re-scan definition has no Map state');
  const batchSize = map.ItemBatcher?.MaxItemsPerBatch ?? 1;
  delete map.ItemReader;
  delete map.ItemBatcher;
  delete map.ToleratedFailurePercentage;
  map.ItemProcessor.ProcessorConfig = { Mode: 'INLINE' };
  map.ItemsPath = '$.batches';
  map.ResultPath = '$.results';
  return { definition: def, mapState, taskState: map.ItemProcessor.StartAt, batchSize };
}

/** Every key under `evidence/` of a local evidence folder (the local "bucket"), sorted as S3 lists them. */
export async function listEvidence(home: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push(path.relative(home, full).split(path.sep).join('/'));
    }
  };
  await walk(path.join(home, 'evidence'));
  return out.sort();
}

export async function runRescan(keys: readonly string[], batch: (input: RescanBatchInput) => Promise<RescanBatchResult>): Promise<RescanBatchResult[]> {
  const { definition: def, taskState, batchSize } = inlineDefinition();
  const batches: RescanBatchInput[] = [];
  for (let i = 0; i < keys.length; i += batchSize) batches.push({ Items: keys.slice(i, i + batchSize).map((Key) => ({ Key })) });
  const machine = new StateMachine(def as unknown as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { checkArn: false } });
  const execution = machine.run({ batches } as unknown as Parameters<typeof machine.run>[0], {
    overrides: { taskResourceLocalHandlers: { [taskState]: (input: unknown) => batch(input as RescanBatchInput) as Promise<never> }, retryIntervalOverrides: { [taskState]: 0 } },
  });
  const output = (await execution.result) as { results?: RescanBatchResult[] };
  return output.results ?? [];
}
