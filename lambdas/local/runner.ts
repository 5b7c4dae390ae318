import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import definition from '../workflow/state-machine.asl.json';
import { DynamoDbRecordStore } from '../adapters/aws/dynamodb-record-store';
import { DefaultRegistryCredentials } from '../adapters/default-registry-credentials';
import { FsBlobStore } from '../adapters/local/fs-blob-store';
import { HmacFileKey } from '../adapters/local/hmac-file-key';
import { JsonLinesAlertSink } from '../adapters/local/json-lines-alert-sink';
import { openSource } from '../oci/open-source';
import type { Progress } from '../ports/progress';
import type { BlobStore } from '../ports/blob-store';
import { InMemoryMetrics } from '../ports/metrics';
import type { RecordStore } from '../ports/record-store';
import type { WorkflowInput } from '../workflow/state';
import type { StepEnvironment } from '../workflow/step-factories';
import { STEP_FACTORIES } from '../workflow/step-factories';
import { stepOfState } from '../workflow/step-registry';
import type { VulnerabilitySource } from '../vuln/vulnerability-source';
import type { Severity } from '../vuln/severity';
import { PemFileSigner } from '../adapters/local/pem-file-signer';
import type { KeyedSigner } from '../ports/signer';
import { ensureDevKey } from './dev-key';
import { catalogers } from '../sbom/catalogers';
import type { LayerCache } from '../sbom/layers/cache';
import { BlobLayerCache } from '../sbom/layers/cache';
import type { LocalDynamo } from './dynalite-server';
import { startLocalDynamo } from './dynalite-server';
import { cacheDir, localPaths } from './paths';

// aws-local-stepfunctions targets Node 22 (Promise.withResolvers); Node 20 needs this polyfill.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** The steps' environment on local stores, plus what only local runs have. */
export interface LocalEnvironment extends StepEnvironment {
  readonly records: RecordStore;
  readonly evidence: BlobStore;
  readonly alerts: JsonLinesAlertSink;
  readonly metrics: InMemoryMetrics;
  readonly layerCache: LayerCache;
  readonly signer: KeyedSigner;
  /** Set when the development key signs (path printed by `process`). */
  readonly devKey?: { readonly privateKeyFile: string; readonly publicKeyFile: string; readonly created: boolean };
  readonly insecure: boolean;
  close(): Promise<void>;
}

/** Embedded stores for local runs: dynalite on disk under the local home, a folder, a JSONL file. */
export interface LocalOptions {
  readonly home?: string;
  readonly cacheDir?: string;
  readonly inMemory?: boolean;
  readonly insecure?: boolean;
  readonly quiet?: boolean;
  /** A signer (e.g. from `--key`); default: the development key under the local home. */
  readonly signer?: KeyedSigner;
  readonly signOnFindings?: boolean;
  /** @default false */
  readonly acceptUninventoried?: boolean;
  /** OSV data; undefined means none is configured (the scan is then `incomplete`). */
  readonly vulnerabilities?: VulnerabilitySource;
  /** @default 'high' */
  readonly threshold?: Severity;
  /** @default 'fail' */
  readonly unknownSeverity?: 'fail' | 'warn';
  /** Where registry clients report their requests (`process -v`). */
  readonly progress?: Progress;
  /** How long the processing lease lasts. @default PROCESSING_LEASE_SECONDS */
  readonly leaseSeconds?: number;
}

export async function openLocalEnvironment(opts: LocalOptions = {}): Promise<LocalEnvironment> {
  const paths = localPaths(opts.home);
  fs.mkdirSync(paths.home, { recursive: true });
  let signer = opts.signer;
  let devKey: LocalEnvironment['devKey'];
  if (!signer) {
    const key = ensureDevKey(paths.signingKey);
    devKey = { privateKeyFile: key.privateKeyFile, publicKeyFile: key.publicKeyFile, created: key.created };
    signer = PemFileSigner.fromFile(key.privateKeyFile);
  }
  let dynamo: LocalDynamo;
  try {
    dynamo = await startLocalDynamo(opts.inMemory ? {} : { path: paths.records });
  } catch (err) {
    const msg = (err as Error).message;
    if (/lock/i.test(msg)) throw new Error(`the local records store ${paths.records} is in use by another artifact-guard process`);
    throw err;
  }
  // One provider for every step: an ECR token or a helper's answer is fetched once per run.
  const credentials = new DefaultRegistryCredentials();
  return {
    records: new DynamoDbRecordStore(dynamo.client, dynamo.tableName),
    // The local 'bucket' is the home folder: keys start with evidence/ as in S3.
    evidence: new FsBlobStore(paths.home),
    alerts: new JsonLinesAlertSink(paths.alerts, opts.quiet ? () => undefined : undefined),
    metrics: new InMemoryMetrics(),
    signer,
    ...(devKey ? { devKey } : {}),
    signOnFindings: opts.signOnFindings ?? false,
    acceptUninventoried: opts.acceptUninventoried ?? false,
    vulnerabilities: opts.vulnerabilities,
    threshold: opts.threshold ?? 'high',
    unknownSeverity: opts.unknownSeverity ?? 'fail',
    layerCache: new BlobLayerCache(new FsBlobStore(opts.cacheDir ?? cacheDir()), catalogers.map((c) => c.name), new HmacFileKey(paths.cacheMacKey), {
      // Always shown (even quiet): someone may have written the cache. The layer is read again.
      onRejected: (digest, reason) => process.stderr.write(`warning: layer cache entry for ${digest} refused (${reason}); reading the layer again\n`),
    }),
    insecure: opts.insecure ?? false,
    openSource: (spec) => openSource(spec, { credentials, insecure: opts.insecure ?? false, ...(opts.progress ? { progress: opts.progress } : {}) }),
    now: () => new Date(),
    ...(opts.progress ? { progress: opts.progress } : {}),
    ...(opts.leaseSeconds !== undefined ? { leaseSeconds: opts.leaseSeconds } : {}),
    close: () => dynamo.close(),
  };
}

export type RunOutcome =
  | { readonly status: 'SUCCEEDED'; readonly output: Record<string, unknown> }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: string };

type Handler = (input: never) => Promise<unknown>;

/**
 * Runs the stack's own state machine definition (generated at build time from the synthesized
 * template) with aws-local-stepfunctions; each task state calls the step the Lambda runs.
 * `executionId` runs again as that execution (as a Step Functions redrive keeps its ARN, and
 * with it the processing lease); by default each run is a new execution.
 */
export async function runWorkflow(input: WorkflowInput, env: StepEnvironment, opts: { readonly executionId?: string } = {}): Promise<RunOutcome> {
  const states = (definition as { States: Record<string, { Type: string }> }).States;
  const taskNames = Object.entries(states)
    .filter(([, s]) => s.Type === 'Task')
    .map(([name]) => name);
  // Each task state runs the code its Lambda runs, built by the same factory.
  const steps = new Map<string, Handler>();
  for (const name of taskNames) {
    const step = stepOfState(name);
    if (!step) throw new Error(`local runner has no step for task state ${name}`);
    steps.set(name, STEP_FACTORIES[step](env) as Handler);
  }

  const machine = new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { checkArn: false } });
  const execution = machine.run(input as Parameters<typeof machine.run>[0], {
    // What `$$.Execution.Id` reads locally (an ARN in AWS).
    context: { Execution: { Id: opts.executionId ?? `local:${randomUUID()}`, StartTime: new Date().toISOString() } },
    overrides: {
      taskResourceLocalHandlers: Object.fromEntries(taskNames.map((n) => [n, (payload: unknown) => (steps.get(n) as (i: unknown) => Promise<never>)(payload)])),
      // Retries back off in seconds in AWS; locally they run at once.
      retryIntervalOverrides: Object.fromEntries(taskNames.map((n) => [n, 0])),
    },
  });
  try {
    const output = (await execution.result) as Record<string, unknown>;
    return { status: 'SUCCEEDED', output };
  } catch (err) {
    if (err instanceof ExecutionError) {
      const caught = (err as unknown as { cause?: { name?: string; message?: string } }).cause;
      return { status: 'FAILED', error: caught?.name ?? 'Error', cause: caught?.message ?? err.message };
    }
    throw err;
  }
}
