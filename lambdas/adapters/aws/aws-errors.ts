import { ArtifactGuardError, RefusedError, UnavailableError } from '../../core/errors';

/**
 * Every AWS SDK v3 error is classified here, once: transient trouble (throttling, a 5xx, the
 * network) becomes `UnavailableError`, which the state machine retries with backoff; anything
 * retrying cannot fix (access denied, a disabled key, a missing resource, an invalid request)
 * becomes `RefusedError`, which fails the run at once with its alert.
 */
export type AwsErrorClass = 'transient' | 'permanent';

/** Error names (`name`, the service's error code) that mean "slow down" or "try again". */
const TRANSIENT_NAMES: ReadonlySet<string> = new Set([
  // throttling, as the SDK's retry strategy lists it, and each service's own spelling
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
  'TransactionConflictException',
  'KMSThrottlingException',
  // the service itself is unwell
  'InternalError',
  'InternalErrorException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'InternalException',
  'ServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'DependencyTimeoutException',
  // timeouts and conflicts that clear by themselves
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'OperationAborted',
  'ConditionalRequestConflict',
]);

/** Names that look like 4xx trouble but are permanent whatever the status says. */
const PERMANENT_NAMES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationErrorException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'CredentialsProviderError',
  'ValidationException',
  'ValidationError',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ResourceNotFoundException',
  'NotFoundException',
  'NoSuchBucket',
  'RepositoryNotFoundException',
  'DisabledException',
  'InvalidKeyUsageException',
  'KMSInvalidStateException',
  'KMSDisabledException',
  'KMSAccessDeniedException',
  'KMSNotFoundException',
  'InvalidArnException',
  'IncorrectKeyException',
]);

/** Node's socket errors (`code`): the connection failed or dropped before AWS answered. */
const NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/**
 * transient or permanent for an error the SDK (or the network under it) raised; undefined for
 * anything else (the product's own errors, bugs), which callers leave as they are.
 */
export function classifyAwsError(err: unknown): AwsErrorClass | undefined {
  if (typeof err !== 'object' || err === null || err instanceof ArtifactGuardError) return undefined;
  const e = err as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  if (PERMANENT_NAMES.has(name)) return 'permanent';
  if (TRANSIENT_NAMES.has(name) || e.$retryable !== undefined) return 'transient';
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'transient';
  if (status !== undefined && (status >= 500 || status === 429)) return 'transient';
  if (e.$fault === 'server') return 'transient';
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) return 'permanent';
  return undefined;
}

export interface AwsErrorOptions {
  /** Makes the error for a permanent failure. @default RefusedError */
  readonly permanent?: (message: string, cause: unknown) => Error;
}

/** The error to throw for `err`, raised while `action` (e.g. "KMS Sign for alias/x") ran. */
export function awsError(err: unknown, action: string, opts: AwsErrorOptions = {}): unknown {
  const kind = classifyAwsError(err);
  if (kind === undefined) return err;
  const e = err as { name?: unknown; message?: unknown };
  const message = `${action} failed: ${typeof e.name === 'string' ? e.name : 'Error'}: ${typeof e.message === 'string' && e.message ? e.message.split('\n')[0] : 'no message'}`;
  if (kind === 'transient') return new UnavailableError(message, { cause: err });
  return opts.permanent ? opts.permanent(message, err) : new RefusedError(`${message} (not retried: fix the permission or configuration)`, { cause: err });
}

interface SendingClient {
  send(...args: never[]): Promise<unknown>;
}

/**
 * The same client, with every error of `send` classified (`awsError`), except those whose name
 * is in `expected`: outcomes the adapter handles itself (a conditional write that found the key,
 * a missing object). The action named in messages is `<service> <operation>`.
 */
export function classifyingClient<C extends SendingClient>(client: C, service: string, expected: readonly string[] = []): C {
  const classifiedSend = async (...args: unknown[]): Promise<unknown> => {
    try {
      // Looked up at each call, so a test double installed on the client's class still answers.
      return await (client.send as (...a: unknown[]) => Promise<unknown>).apply(client, args);
    } catch (err) {
      if (expected.includes(String((err as { name?: unknown }).name))) throw err;
      throw awsError(err, `${service} ${operationOf(args[0])}`);
    }
  };
  return new Proxy(client, { get: (target, prop, receiver) => (prop === 'send' ? classifiedSend : Reflect.get(target, prop, receiver) as unknown) });
}

/** `PutItemCommand` → `PutItem`. */
function operationOf(command: unknown): string {
  const name = (command as { constructor?: { name?: unknown } } | undefined)?.constructor?.name;
  return typeof name === 'string' ? name.replace(/Command$/, '') : 'request';
}
