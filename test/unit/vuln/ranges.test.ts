import fc from 'fast-check';
import { inRange, remedies, sortedEvents } from '../../../lambdas/vuln/osv/ranges';
import type { OsvEvent, OsvRange } from '../../../lambdas/vuln/osv/types';
import { defineOrdering } from '../../../lambdas/vuln/versions/internal';
import { UnorderableVersionError } from '../../../lambdas/vuln/versions/ordering';
import { semverOrdering } from '../../../lambdas/vuln/versions/semver';
import { dpkgOrdering } from '../../../lambdas/vuln/versions/dpkg';
import { fixtureRecord } from './helpers';

const range = (...events: OsvEvent[]): OsvRange => ({ type: 'SEMVER', events });
const affected = (r: OsvRange, v: string): boolean => inRange(r, v, semverOrdering);

describe('OSV range evaluation (schema §Evaluation)', () => {
  it('introduced "0" with fixed: everything below the fix', () => {
    const r = range({ introduced: '0' }, { fixed: '1.0.2' });
    expect(affected(r, '0.0.1')).toBe(true);
    expect(affected(r, '1.0.1')).toBe(true);
    expect(affected(r, '1.0.2-rc.1')).toBe(true);
    expect(affected(r, '1.0.2')).toBe(false);
    expect(affected(r, '2.0.0')).toBe(false);
  });

  it('introduced "0" alone: every version, including ones the ordering puts below "0"', () => {
    const r = range({ introduced: '0' });
    for (const v of ['0.0.0-alpha', '0.0.0-0', '1.0.0', '99.0.0']) expect(affected(r, v)).toBe(true);
    // dpkg sorts "0~" below "0": "introduced 0" must still cover it.
    expect(inRange({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-1' }] }, '0~', dpkgOrdering)).toBe(true);
  });

  it('introduced is inclusive, fixed is exclusive', () => {
    const r = range({ introduced: '1.0.0' }, { fixed: '2.0.0' });
    expect(affected(r, '0.9.9')).toBe(false);
    expect(affected(r, '1.0.0-rc.1')).toBe(false);
    expect(affected(r, '1.0.0')).toBe(true);
    expect(affected(r, '1.9.9')).toBe(true);
    expect(affected(r, '2.0.0')).toBe(false);
  });

  it('last_affected is inclusive', () => {
    const r = range({ introduced: '0' }, { last_affected: '2.1.214' });
    expect(affected(r, '2.1.214')).toBe(true);
    expect(affected(r, '2.1.215')).toBe(false);
    expect(affected(r, '2.1.214-rc.1')).toBe(true);
  });

  it('several introduced/fixed pairs (the schema\'s multiple-range example)', () => {
    const r = range({ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' });
    const got = ['0.5.0', '1.0.0', '1.0.1', '1.0.2', '2.0.0', '3.0.0', '3.2.4', '3.2.5', '4.0.0'].filter((v) => affected(r, v));
    expect(got).toEqual(['1.0.0', '1.0.1', '3.0.0', '3.2.4']);
  });

  it('events are sorted before evaluation (records need not list them in order)', () => {
    const r = range({ fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' });
    expect(['0.5.0', '1.0.1', '2.0.0', '3.1.0', '3.2.5'].map((v) => affected(r, v))).toEqual([false, true, false, true, false]);
  });

  it('an open-ended re-introduction after a fix', () => {
    const r = range({ introduced: '0' }, { fixed: '1.0.0' }, { introduced: '2.0.0' });
    expect(['0.1.0', '1.0.0', '1.5.0', '2.0.0', '9.9.9'].map((v) => affected(r, v))).toEqual([true, false, false, true, true]);
  });

  it('limit: versions at or above every limit are outside the range', () => {
    const r = range({ introduced: '1.0.0' }, { limit: '1.5.0' });
    expect(affected(r, '1.4.9')).toBe(true);
    expect(affected(r, '1.5.0')).toBe(false);
    expect(affected(r, '2.0.0')).toBe(false);
  });

  it('several limits: below any one of them is enough', () => {
    const r = range({ introduced: '1.0.0' }, { limit: '1.5.0' }, { limit: '3.0.0' });
    expect(affected(r, '2.0.0')).toBe(true);
    expect(affected(r, '3.0.0')).toBe(false);
  });

  it('a limit containing "*" is infinity', () => {
    const r = range({ introduced: '1.0.0' }, { limit: '*' });
    expect(affected(r, '999.0.0')).toBe(true);
    expect(affected(r, '0.1.0')).toBe(false);
  });

  it('limit and fixed together: both must let the version through', () => {
    const r = range({ introduced: '1.0.0' }, { fixed: '1.2.0' }, { limit: '1.1.0' });
    expect(affected(r, '1.0.5')).toBe(true);
    expect(affected(r, '1.1.5')).toBe(false);
  });

  it('ties keep the record\'s order (introduced then fixed at one version: an empty range)', () => {
    expect(affected(range({ introduced: '1.0.0' }, { fixed: '1.0.0' }), '1.0.0')).toBe(false);
    expect(affected(range({ introduced: '0' }, { fixed: '1.0.0' }, { introduced: '1.0.0' }), '1.0.0')).toBe(true);
  });

  it('an invalid component version throws UnorderableVersionError, even against introduced "0" alone', () => {
    expect(() => affected(range({ introduced: '0' }), 'not-a-version')).toThrow(UnorderableVersionError);
    expect(() => affected(range({ introduced: '0' }, { fixed: '1.0.0' }), '1.0')).not.toThrow(); // OSV short form is valid
  });

  it('an invalid record version throws UnorderableVersionError naming that version', () => {
    try {
      affected(range({ introduced: '0' }, { fixed: 'garbage!' }), '1.0.0');
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(UnorderableVersionError);
      expect((err as UnorderableVersionError).version).toBe('garbage!');
    }
  });

  it('sorts each range once (memoised per range object)', () => {
    const r = range({ fixed: '2.0.0' }, { introduced: '1.0.0' });
    expect(sortedEvents(r, semverOrdering)).toBe(sortedEvents(r, semverOrdering));
    expect(sortedEvents(r, semverOrdering)).toEqual([{ introduced: '1.0.0' }, { fixed: '2.0.0' }]);
  });

  it('remedies: the lowest fix above the version, per range', () => {
    const r = range({ introduced: '0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' });
    expect(remedies(r, '3.1.0', semverOrdering)).toEqual({ fixed: ['3.2.5'], lastAffected: [] });
    expect(remedies(r, '0.1.0', semverOrdering)).toEqual({ fixed: ['1.0.2'], lastAffected: [] });
    expect(remedies(range({ introduced: '0' }, { last_affected: '2.0.0' }), '2.0.0', semverOrdering)).toEqual({ fixed: [], lastAffected: ['2.0.0'] });
    // An unorderable component version: every fix is reported (which branch applies is unknown).
    expect(remedies(r, 'garbage', semverOrdering).fixed).toEqual(['1.0.2', '3.2.5']);
  });
});

/**
 * Property: over a totally ordered universe of versions, evaluation agrees with a brute-force
 * model that walks the sorted list: a version is affected when the latest event at or below it
 * (in sorted order, ties in record order) opened the range, or it equals a last_affected, and it
 * is below a limit when limits exist.
 */
describe('range evaluation agrees with a brute-force model (fast-check)', () => {
  // Versions are "v<n>" with n in 0..19; the ordering is numeric; "0" is introduced-zero only.
  const universe = Array.from({ length: 20 }, (_, i) => `v${i}`);
  const num = (v: string): number => Number(v.slice(1));
  const toy = defineOrdering('toy', (v) => (/^v[0-9]+$/.test(v) ? { n: num(v) } : undefined), (a, b) => a.n - b.n);

  type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
  const eventArb = fc.record({ kind: fc.constantFrom<Kind>('introduced', 'fixed', 'last_affected', 'limit'), at: fc.integer({ min: -1, max: 19 }) });

  function build(raw: { kind: Kind; at: number }[]): OsvEvent[] {
    // Schema constraints: at least one introduced; fixed and last_affected not mixed.
    const useLast = raw.some((e) => e.kind === 'last_affected');
    const events = raw
      .filter((e) => !(useLast && e.kind === 'fixed'))
      .map((e): OsvEvent => {
        if (e.kind === 'introduced') return { introduced: e.at < 0 ? '0' : `v${e.at}` };
        const v = `v${Math.max(0, e.at)}`;
        return e.kind === 'fixed' ? { fixed: v } : e.kind === 'last_affected' ? { last_affected: v } : { limit: e.at < 0 ? '*' : v };
      });
    return events.some((e) => 'introduced' in e) ? events : [{ introduced: '0' }, ...events];
  }

  /** The model: positions on the number line, no orderings, no sorting library. */
  function model(events: OsvEvent[], v: string): boolean {
    const x = num(v);
    const limits = events.filter((e): e is { limit: string } => 'limit' in e);
    if (limits.length && !limits.some((l) => l.limit === '*' || x < num(l.limit))) return false;
    const pos = (e: OsvEvent): number => {
      if ('introduced' in e) return e.introduced === '0' ? -Infinity : num(e.introduced);
      if ('limit' in e) return e.limit === '*' ? Infinity : num(e.limit);
      return num('fixed' in e ? e.fixed : e.last_affected);
    };
    // Walk positions in increasing order; at equal positions keep record order.
    const order = events.map((e, i) => ({ e, i })).sort((a, b) => pos(a.e) - pos(b.e) || a.i - b.i);
    let state = false;
    for (const { e } of order) {
      if ('introduced' in e && pos(e) <= x) state = true;
      else if ('fixed' in e && pos(e) <= x) state = false;
      else if ('last_affected' in e && pos(e) < x) state = false;
    }
    return state;
  }

  it('for every version of the universe', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 8 }), (raw) => {
        const events = build(raw);
        const r: OsvRange = { type: 'ECOSYSTEM', events };
        for (const v of universe) if (inRange(r, v, toy) !== model(events, v)) return false;
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('with well-formed alternating ranges, the affected set is the union of [introduced, fixed) intervals', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 19 }), { minLength: 1, maxLength: 8 }), fc.boolean(), (points, shuffle) => {
        const sorted = [...points].sort((a, b) => a - b);
        const events: OsvEvent[] = sorted.map((p, i) => (i % 2 === 0 ? { introduced: `v${p}` } : { fixed: `v${p}` }));
        const r: OsvRange = { type: 'ECOSYSTEM', events: shuffle ? [...events].reverse() : events };
        return universe.every((v) => {
          const x = num(v);
          let inside = false;
          for (let i = 0; i < sorted.length; i += 2) if (x >= (sorted[i] as number) && (i + 1 >= sorted.length || x < (sorted[i + 1] as number))) inside = true;
          return inRange(r, v, toy) === inside;
        });
      }),
      { numRuns: 1000 },
    );
  });
});

/**
 * The same property with a real ordering: the 19 Debian versions DLA-3008-1 lists for openssl
 * (tildes, plus signs, `+riscv64`), sorted by dpkg; events and the tested version are drawn
 * from that list, and the model only looks at positions in it.
 */
describe('range evaluation over real Debian versions agrees with positions in the dpkg-sorted list', () => {
  const versions = [...(fixtureRecord('DLA-3008-1').affected?.[0]?.versions ?? [])].sort((a, b) => dpkgOrdering.compare(a, b));
  const pos = new Map(versions.map((v, i) => [v, i]));

  it('has 19 distinct versions to work with', () => {
    expect(versions).toHaveLength(19);
    for (let i = 1; i < versions.length; i++) expect(dpkgOrdering.compare(versions[i - 1] as string, versions[i] as string)).toBeLessThan(0);
  });

  it('introduced/fixed pairs in any order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: versions.length - 1 }), { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), (idx, zero, shuffle) => {
        const sorted = [...idx].sort((a, b) => a - b);
        const events: OsvEvent[] = sorted.map((p, i) => (i % 2 === 0 ? { introduced: versions[p] as string } : { fixed: versions[p] as string }));
        if (zero) events[0] = { introduced: '0' };
        const r: OsvRange = { type: 'ECOSYSTEM', events: shuffle ? [...events].reverse() : events };
        return versions.every((v) => {
          const x = pos.get(v) as number;
          let inside = false;
          for (let i = 0; i < sorted.length; i += 2) {
            const lo = i === 0 && zero ? -1 : (sorted[i] as number);
            const hi = i + 1 < sorted.length ? (sorted[i + 1] as number) : Infinity;
            if (x >= lo && x < hi) inside = true;
          }
          return inRange(r, v, dpkgOrdering) === inside;
        });
      }),
      { numRuns: 500 },
    );
  });
});
