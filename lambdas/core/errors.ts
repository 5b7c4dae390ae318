/**
 * Errors the product raises on purpose. Their message is one line a user can act on; the CLI
 * prints it as is (exit 2) and the workflow turns it into an alert. Anything else is a bug.
 */
export class ArtifactGuardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The input itself is wrong: a malformed manifest, an unknown scheme, a bad key. */
export class BadInputError extends ArtifactGuardError {}

/** Content does not match the digest that names it. */
export class DigestMismatchError extends ArtifactGuardError {}

/** A registry, key service or data source could not be reached or refused us. */
export class UnavailableError extends ArtifactGuardError {}

/** The thing asked for does not exist (404 from a registry, missing file). */
export class NotFoundError extends ArtifactGuardError {}

/** A size, ratio or count limit that protects memory and time was exceeded. */
export class LimitExceededError extends ArtifactGuardError {}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}

/**
 * What was read is not what was recorded: a tag that moved between steps, an evidence object
 * changed after it was written. Never retried; the run fails and alerts.
 */
export class IntegrityError extends ArtifactGuardError {}

/**
 * A service refused the request for a reason that retrying does not change: access denied, a
 * disabled or wrong key, a missing table or bucket, an invalid request. Never retried: the run
 * fails at once and alerts; fix the permission or configuration, then redrive.
 */
export class RefusedError extends ArtifactGuardError {}
