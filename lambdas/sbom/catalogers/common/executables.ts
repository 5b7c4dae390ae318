import type { CatalogedPackage, ContentMatcher, ParseResult } from '../../cataloger';
import type { Executable } from './binary';
import { EXECUTABLE_HEAD, executableFormat, isExecutableCandidate, parseExecutable } from './binary';
import { WarningSink } from './text';

/** Executables are read whole (their section tables sit at the end); bigger ones are skipped with a warning. */
export const MAX_EXECUTABLE_SIZE = 48 * 1024 * 1024;

/** Offers every ELF, Mach-O or PE executable to a binary cataloger (Go, Rust), whatever its path. */
export const EXECUTABLE_CONTENT: ContentMatcher = {
  candidate: isExecutableCandidate,
  headBytes: EXECUTABLE_HEAD,
  inspect: (head) => executableFormat(head) !== undefined,
};

/**
 * Runs `packagesOf` on each executable in a buffered file (a universal Mach-O holds several) and
 * keeps each name@version once. A file that is not an executable yields nothing, silently.
 */
export function catalogExecutables(path: string, content: Buffer, packagesOf: (x: Executable, warnings: WarningSink) => readonly CatalogedPackage[]): ParseResult {
  const exes = parseExecutable(content);
  if (typeof exes === 'string') return { packages: [], warnings: [] };
  const warnings = new WarningSink(path);
  const packages: CatalogedPackage[] = [];
  const seen = new Set<string>();
  for (const x of exes) {
    for (const p of packagesOf(x, warnings)) {
      const key = `${p.name}\u0000${p.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      packages.push(p);
    }
  }
  return { packages, warnings: warnings.list() };
}
