import { ArtifactGuardError, BadInputError, UnavailableError } from '../../core/errors';
import { awsError, classifyAwsError } from './aws-errors';

/** KMS errors that mean the key reference or the key itself is wrong, not that KMS is unwell. */
const KEY_PROBLEMS = new Set(['NotFoundException', 'InvalidKeyUsageException', 'KMSInvalidStateException', 'DisabledException', 'InvalidArnException', 'ValidationException']);

/**
 * KMS errors through the one classifier (aws-errors.ts): throttling and KMS's own trouble are
 * retried; a wrong or disabled key is bad input (the CLI's `--key`, the stack's key ARN); other
 * refusals (AccessDenied) fail at once. An error from before the request (no region) is bad input.
 */
export function kmsError(err: unknown, action: string, keyId: string): unknown {
  const name = (err as { name?: string }).name ?? 'Error';
  const what = `KMS ${action} for ${keyId}`;
  if (classifyAwsError(err) === undefined && !(err instanceof ArtifactGuardError)) {
    const detail = (err as Error).message ?? String(err);
    if (/region is missing/i.test(detail)) return new BadInputError(`${what} failed: ${name}: ${detail} (set AWS_REGION, or name the key by its ARN)`, { cause: err });
    return new UnavailableError(`${what} failed: ${name}: ${detail}`, { cause: err });
  }
  return awsError(err, what, KEY_PROBLEMS.has(name) ? { permanent: (message, cause) => new BadInputError(message, { cause }) } : {});
}
