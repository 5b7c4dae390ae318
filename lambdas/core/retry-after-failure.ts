/**
 * `make()` once, its result kept for the life of the process; a failed attempt is not kept, so the
 * next call tries again (a cached rejected promise would turn one throttle into a broken container).
 * Concurrent callers share the attempt in flight.
 */
export function cachedUntilFailure<T>(make: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    if (!cached) {
      const attempt = make();
      cached = attempt;
      attempt.catch(() => {
        if (cached === attempt) cached = undefined;
      });
    }
    return cached;
  };
}
