/**
 * The value a test expects to be there, or a failure that says what was missing: narrows
 * `T | undefined` (an array element, a regex group) where a test relies on it existing.
 */
export function defined<T>(value: T | undefined, what = 'value'): T {
  if (value === undefined) throw new Error(`expected ${what} to be defined`);
  return value;
}
