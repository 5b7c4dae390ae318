import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { awsError } from '../adapters/aws/aws-errors';
import { DynamoDbRecordStore } from '../adapters/aws/dynamodb-record-store';
import { RegionalEcrCredentials } from '../adapters/aws/ecr-credentials';
import { recordSdkCalls, registryRequestRecorder } from '../adapters/aws/sdk-call-recorder';
import { DynamoDbLedgerStore } from '../adapters/aws/dynamodb-ledger-store';
import { tagPolicyFromEnvironment } from '../ledger/tag-policy';
import { DynamoDbComponentIndex } from '../adapters/aws/dynamodb-component-index';
import { DynamoDbScanHistory } from '../adapters/aws/dynamodb-scan-history';
import { EventBridgeAlertSink } from '../adapters/aws/eventbridge-alert-sink';
import { S3BlobStore } from '../adapters/aws/s3-blob-store';
import { ArtifactGuardError, errorMessage } from '../core/errors';
import type { SourceSpec } from '../oci/open-source';
import { openSource } from '../oci/open-source';
import { RegistryClient } from '../oci/registry-client';
import type { ArtifactSource } from '../oci/source';
import type { MetricsSink } from '../ports/metrics';
import { METRICS_NAMESPACE } from '../core/metric-names';
import { severityWord } from '../vuln/severity';
import type { StepEnvironment } from '../workflow/step-factories';
import { lazyEnvironment } from '../workflow/step-factories';

/** Lambda wiring: the ports of the domain bound to AWS adapters, configured from the environment. */
function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

export const logger = new Logger({ serviceName: 'artifact-guard' });
// GUARD_ID (set by the construct for each of its Lambdas) is the `guard` dimension of every metric,
// so that two guards in one account keep their metrics apart.
const guardId = process.env.GUARD_ID;
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'artifact-guard', ...(guardId ? { defaultDimensions: { guard: guardId } } : {}) });

const metricsSink: MetricsSink = {
  count: (name, value = 1, dimensions) => {
    if (!dimensions) return metrics.addMetric(name, MetricUnit.Count, value);
    // Other dimensions than the invocation's: a metric of its own, flushed at once.
    const single = metrics.singleMetric();
    single.addDimensions({ ...dimensions });
    single.addMetric(name, MetricUnit.Count, value);
  },
};

// One per container: ECR tokens (valid 12 hours) are reused across invocations, per region.
let ecrCredentials: RegionalEcrCredentials | undefined;
function regionalEcrCredentials(): RegionalEcrCredentials {
  ecrCredentials ??= new RegionalEcrCredentials((region) => recordSdkCalls(new ECRClient({ region })));
  return ecrCredentials;
}
function openEcrSource(spec: SourceSpec): Promise<ArtifactSource> {
  const credentials = regionalEcrCredentials();
  // Local runs of the bundles record registry requests with the ECR actions they need (never set in AWS).
  const recorder = registryRequestRecorder();
  return openSource(spec, { credentials, ...(recorder ? { progress: recorder } : {}) });
}

function ecrRegistryClient(host: string): RegistryClient {
  return new RegistryClient({ registry: host, credentials: regionalEcrCredentials() });
}

export const aws = {
  records: () => new DynamoDbRecordStore(recordSdkCalls(new DynamoDBClient({})), env('TABLE_NAME')),
  ledger: () => new DynamoDbLedgerStore(recordSdkCalls(new DynamoDBClient({})), env('TABLE_NAME')),
  componentIndex: () => new DynamoDbComponentIndex(recordSdkCalls(new DynamoDBClient({})), env('TABLE_NAME')),
  scans: () => new DynamoDbScanHistory(recordSdkCalls(new DynamoDBClient({})), env('TABLE_NAME')),
  alerts: () => new EventBridgeAlertSink(recordSdkCalls(new EventBridgeClient({})), env('ALERT_BUS_NAME')),
  // Evidence written once is also locked (Object Lock, governance mode) for EVIDENCE_LOCK_DAYS.
  evidence: () => new S3BlobStore(recordSdkCalls(new S3Client({})), env('EVIDENCE_BUCKET'), { lockDays: Number(process.env.EVIDENCE_LOCK_DAYS) || undefined }),
  openSource: openEcrSource,
  /** A registry client with ECR credentials (promotion copies between repositories with it). */
  registryClient: ecrRegistryClient,
  metrics: metricsSink,
  now: () => new Date(),
};

type Builders = { readonly [K in keyof StepEnvironment]: () => StepEnvironment[K] };

/** A member a handler did not wire: reading it is a bug in that handler, said plainly. */
const notWired = (what: string) => (): never => {
  throw new Error(`${what} is not wired into this Lambda (${process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown function'})`);
};

/**
 * The steps' environment in AWS, configured from the Lambda's environment variables. Members are
 * built on first use; a handler adds the heavy ones its step needs (the KMS signer, the layer
 * cache's MAC key, the vulnerability data), so no Lambda loads another step's clients.
 */
export function awsEnvironment(extra: Partial<Builders> = {}): StepEnvironment {
  return lazyEnvironment<StepEnvironment>({
    openSource: () => openEcrSource,
    records: aws.records,
    ledger: aws.ledger,
    tagPolicy: () => tagPolicyFromEnvironment(process.env.TAG_POLICY),
    componentIndex: aws.componentIndex,
    evidence: aws.evidence,
    layerCache: notWired('the layer cache'),
    vulnerabilities: notWired('vulnerability data'),
    threshold: () => severityWord(process.env.SEVERITY_THRESHOLD ?? 'high') ?? 'high',
    unknownSeverity: () => (process.env.UNKNOWN_SEVERITY?.toLowerCase() === 'warn' ? 'warn' : 'fail'),
    acceptUninventoried: () => process.env.ACCEPT_UNINVENTORIED === 'true',
    signer: notWired('the signer'),
    signOnFindings: () => process.env.SIGN_ON_FINDINGS === 'true',
    // The function holding the key; the Attach function is told its name (both build the same statements).
    attestor: () => `https://artifact-guard.dev/aws/${process.env.AWS_REGION ?? 'unknown-region'}/${process.env.ATTESTOR_FUNCTION ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'sign'}`,
    alerts: aws.alerts,
    metrics: () => metricsSink,
    now: () => aws.now,
    ...extra,
  });
}

/**
 * Wraps a step as a Lambda handler: structured logs without payloads (no secrets in logs),
 * metrics flushed per invocation, and errors rethrown with their name so that the state
 * machine's Retry (UnavailableError) and Catch see the right type.
 */
export function lambdaHandler<I, O>(stepName: string, step: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input: I) => {
    logger.info('step started', { step: stepName });
    try {
      const out = await step(input);
      logger.info('step finished', { step: stepName });
      return out;
    } catch (caught) {
      // An AWS error no adapter classified (a client made elsewhere) is classified here, so that
      // the state machine retries throttling and 5xx and fails fast on the rest.
      const err = awsError(caught, `step ${stepName}`);
      if (err instanceof ArtifactGuardError) logger.warn('step failed', { step: stepName, error: err.name, message: errorMessage(err) });
      else logger.error('step crashed', { step: stepName, error: err as Error });
      throw err;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
