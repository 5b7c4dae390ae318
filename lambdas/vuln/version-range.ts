/**
 * `find --version RANGE`: comma-separated constraints, each `OP VERSION` with OP one of
 * `<`, `<=`, `>`, `>=`, `=`, `!=` (a bare version means `=`), all of which must hold; versions are
 * compared with the package's ecosystem ordering (dpkg for Debian, PEP 440 for PyPI…). A version
 * the ordering cannot read never satisfies a range: it is reported as unorderable instead.
 */
import { BadInputError } from '../core/errors';
import { orderingFor } from './versions';

type Op = '<' | '<=' | '>' | '>=' | '=' | '!=';
interface Constraint {
  readonly op: Op;
  readonly version: string;
}

export interface VersionRange {
  readonly text: string;
  /** true / false, or `unorderable` when the ecosystem has no ordering or the version is outside it. */
  test(ecosystem: string, version: string): boolean | 'unorderable';
}

export function parseVersionRange(text: string): VersionRange {
  const constraints: Constraint[] = text.split(',').map((part) => {
    const m = /^\s*(<=|>=|!=|==|<|>|=)?\s*([^\s<>=!,]+)\s*$/.exec(part);
    if (!m) throw new BadInputError(`--version ${JSON.stringify(text)}: "${part.trim()}" is not OP VERSION (OP: < <= > >= = !=)`);
    const op = (m[1] === '==' ? '=' : (m[1] ?? '=')) as Op;
    return { op, version: m[2] as string };
  });
  return {
    text,
    test(ecosystem, version) {
      const ordering = orderingFor(ecosystem);
      if (!ordering || !ordering.isValid(version) || constraints.some((c) => !ordering.isValid(c.version))) {
        // Exact equality needs no ordering.
        if (constraints.every((c) => c.op === '=' || c.op === '!=')) return constraints.every((c) => (c.op === '=') === (c.version === version));
        return 'unorderable';
      }
      return constraints.every((c) => {
        const d = ordering.compare(version, c.version);
        switch (c.op) {
          case '<':
            return d < 0;
          case '<=':
            return d <= 0;
          case '>':
            return d > 0;
          case '>=':
            return d >= 0;
          case '=':
            return d === 0;
          case '!=':
            return d !== 0;
        }
      });
    },
  };
}
