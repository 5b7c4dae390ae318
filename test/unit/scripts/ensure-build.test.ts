import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { staleness } from '../../../scripts/ensure-build';

describe('ensure-build: is dist/ older than what the build reads?', () => {
  let repo: string;
  let stamp: string;
  const T0 = new Date('2026-03-01T09:00:00Z');
  const BUILT = new Date('2026-03-01T10:00:00Z');
  const LATER = new Date('2026-03-01T11:00:00Z');

  const write = (rel: string, when = T0): void => {
    const file = path.join(repo, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, rel);
    fs.utimesSync(file, when, when);
  };
  const age = (rel: string, when: Date): void => fs.utimesSync(path.join(repo, rel), when, when);

  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-ensure-build-'));
    for (const f of ['lambdas/core/alerts.ts', 'lambdas/sbom/catalogers/npm/index.ts', 'lambdas/sbom/catalogers/npm/npm.test.ts', 'lambdas/sbom/catalogers/npm/fixtures/a.json', 'lib/stack.ts', 'bin/app.ts', 'scripts/demo.ts', 'types/x.d.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) write(f);
    for (const d of ['lambdas/core', 'lambdas/sbom/catalogers/npm/fixtures', 'lambdas/sbom/catalogers/npm', 'lambdas/sbom/catalogers', 'lambdas/sbom', 'lambdas', 'lib', 'bin', 'scripts', 'types']) age(d, T0);
    stamp = path.join(repo, 'dist', '.build-stamp');
    write('dist/.build-stamp', BUILT);
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('is current when every input is older than the last complete build', () => {
    expect(staleness(repo, stamp)).toBeUndefined();
  });

  it('is stale without a complete build', () => {
    fs.rmSync(stamp);
    expect(staleness(repo, stamp)).toBe('dist/ has no complete build');
  });

  it.each(['lambdas/core/alerts.ts', 'lib/stack.ts', 'bin/app.ts', 'scripts/demo.ts', 'types/x.d.ts', 'package-lock.json', 'package.json', 'tsconfig.build.json'])('is stale when %s changed since', (rel) => {
    age(rel, LATER);
    expect(staleness(repo, stamp)).toBe(`${rel} is newer than dist/`);
  });

  it('is stale when a source file was deleted since (its folder changed)', () => {
    fs.rmSync(path.join(repo, 'lambdas/core/alerts.ts'));
    age('lambdas/core', LATER);
    expect(staleness(repo, stamp)).toBe('lambdas/core is newer than dist/');
  });

  it('ignores tests and test fixtures, which the build does not read', () => {
    age('lambdas/sbom/catalogers/npm/npm.test.ts', LATER);
    age('lambdas/sbom/catalogers/npm/fixtures/a.json', LATER);
    age('lambdas/sbom/catalogers/npm/fixtures', LATER);
    expect(staleness(repo, stamp)).toBeUndefined();
  });
});
