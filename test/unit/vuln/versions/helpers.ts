import fc from 'fast-check';
import { UnorderableVersionError, type VersionOrdering } from '../../../../lambdas/vuln/versions/ordering';

export const sign = (n: number): number => (n > 0 ? 1 : n < 0 ? -1 : 0);

export type Op = '<' | '=' | '>';
export type Row = readonly [string, Op, string];

const SIGN_OP: Record<number, Op> = { [-1]: '<', 0: '=', 1: '>' };

/** Parses "a < b" lines (blank lines and `#` comments ignored) into rows. */
export function rows(text: string): Row[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '')
    .map((l) => {
      const [a, op, b, extra] = l.split(/\s+/);
      if (a === undefined || b === undefined || extra !== undefined || !(op === '<' || op === '=' || op === '>')) throw new Error(`bad row: ${l}`);
      return [a, op, b] as const;
    });
}

/** Returns the rows the ordering gets wrong, rendered as "a <got> b (expected <op>)". */
export function mismatches(ordering: VersionOrdering, table: readonly Row[]): string[] {
  const bad: string[] = [];
  for (const [a, op, b] of table) {
    const got = SIGN_OP[sign(ordering.compare(a, b))];
    const back = SIGN_OP[-sign(ordering.compare(b, a))];
    if (got !== op || back !== op) bad.push(`${a} ${got}/${back} ${b} (expected ${op})`);
  }
  return bad;
}

/** Every element of `chain` must sort strictly before every later element. */
export function chainMismatches(ordering: VersionOrdering, chain: readonly string[]): string[] {
  const bad: string[] = [];
  for (const [i, a] of chain.entries()) {
    for (const b of chain.slice(i + 1)) {
      if (sign(ordering.compare(a, b)) !== -1) bad.push(`${a} !< ${b}`);
      if (sign(ordering.compare(b, a)) !== 1) bad.push(`${b} !> ${a}`);
    }
  }
  return bad;
}

export function expectUnorderable(ordering: VersionOrdering, version: string): void {
  expect({ version, valid: ordering.isValid(version) }).toEqual({ version, valid: false });
  expect(() => ordering.compare(version, '1')).toThrow(UnorderableVersionError);
  expect(() => ordering.compare('1', version)).toThrow(UnorderableVersionError);
}

/** Small deterministic PRNG (mulberry32) so generated oracle inputs are reproducible. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('pick: nothing to pick from');
  return item;
}

export interface PropertyOptions {
  numRuns?: number;
  /**
   * Versions for the transitivity property, when the reference implementation itself is only
   * transitive on part of its domain (Maven): defaults to `arb`.
   */
  transitiveArb?: fc.Arbitrary<string>;
}

/**
 * The four properties every ordering must have, over versions drawn from `arb` (a mix of valid
 * and invalid strings): reflexivity, antisymmetry, transitivity, and "invalid ⇒ compare throws".
 */
export function describeOrderingProperties(
  ordering: VersionOrdering,
  arb: fc.Arbitrary<string>,
  { numRuns = 2000, transitiveArb = arb }: PropertyOptions = {},
): void {
  const valid = arb.filter((v) => ordering.isValid(v));
  const transitiveValid = transitiveArb.filter((v) => ordering.isValid(v));
  const cmp = (a: string, b: string): number => sign(ordering.compare(a, b));

  describe(`${ordering.name} ordering properties`, () => {
    it('generates enough valid versions to be meaningful', () => {
      const sample = fc.sample(arb, { numRuns: 1000, seed: 7 });
      const ratio = sample.filter((v) => ordering.isValid(v)).length / sample.length;
      expect(ratio).toBeGreaterThan(0.5);
    });

    it('is reflexive: compare(a, a) === 0', () => {
      fc.assert(fc.property(valid, (a) => cmp(a, a) === 0), { numRuns });
    });

    it('is antisymmetric: sign(compare(a, b)) === -sign(compare(b, a))', () => {
      fc.assert(fc.property(valid, valid, (a, b) => cmp(a, b) === -cmp(b, a)), { numRuns });
    });

    it('is transitive on triples', () => {
      fc.assert(
        fc.property(transitiveValid, transitiveValid, transitiveValid, (a, b, c) => {
          // Check every arrangement so that whichever order the triple has is exercised.
          const perms: ReadonlyArray<readonly [string, string, string]> = [[a, b, c], [a, c, b], [b, a, c], [b, c, a], [c, a, b], [c, b, a]];
          return perms.every(([x, y, z]) => {
            const xy = cmp(x, y);
            const yz = cmp(y, z);
            if (xy > 0 || yz > 0) return true;
            const xz = cmp(x, z);
            if (xy === 0 && yz === 0) return xz === 0;
            return xz < 0;
          });
        }),
        { numRuns },
      );
    });

    it('throws UnorderableVersionError whenever isValid is false', () => {
      fc.assert(
        fc.property(arb, valid, (x, v) => {
          if (ordering.isValid(x)) return true;
          const throwsBoth = [() => ordering.compare(x, v), () => ordering.compare(v, x), () => ordering.compare(x, x)];
          return throwsBoth.every((f) => {
            try {
              f();
              return false;
            } catch (e) {
              return e instanceof UnorderableVersionError;
            }
          });
        }),
        { numRuns },
      );
    });
  });
}

/** Joins a generated sequence of pieces into one version-like string. */
export const joined = (pieces: fc.Arbitrary<string>, maxLength = 8): fc.Arbitrary<string> =>
  fc.array(pieces, { minLength: 1, maxLength }).map((parts) => parts.join(''));
