/**
 * Version ordering of one ecosystem. `compare` returns a negative number, zero or a positive
 * number like a sort comparator. Versions that the ecosystem's grammar rejects are not
 * guessed at: `parse` returns undefined and `compare` throws `UnorderableVersionError`.
 */
export interface VersionOrdering {
  /** OSV ecosystem names this ordering serves (`Debian`, `PyPI`, ...). */
  readonly name: string;
  isValid(version: string): boolean;
  compare(a: string, b: string): number;
}

export class UnorderableVersionError extends Error {
  constructor(
    readonly ordering: string,
    readonly version: string,
  ) {
    super(`${ordering}: cannot order version "${version}"`);
    this.name = 'UnorderableVersionError';
  }
}
