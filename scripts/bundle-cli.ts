/**
 * Build step: each CLI command (lambdas/cli/<name>-command.ts) becomes one bundled file,
 * dist/cli/<name>.js, which the `artifact-guard` launcher loads on demand. Node resolves and reads
 * ~100 separate modules for `sbom` in ~110 ms; one bundled file loads in ~55 ms, and every SBOM run
 * pays that once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { BUILD_STAMP } from './ensure-build';

const REPO = path.resolve(__dirname, '..');

const COMMAND = /^(.+)-command\.ts$/;
const entryPoints = Object.fromEntries(
  fs
    .readdirSync(path.join(REPO, 'lambdas', 'cli'))
    .map((f) => COMMAND.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] as string, `lambdas/cli/${m[0]}`]),
);

buildSync({
  absWorkingDir: REPO,
  entryPoints,
  outdir: 'dist/cli',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // The AWS SDK loads only when a command talks to AWS (KMS keys, the OSV mirror); dynalite (the
  // local DynamoDB of `process`) has a native LevelDB binding; the CycloneDX library's XML plugins
  // are optional requires (we write JSON) and are not installed.
  external: ['@aws-sdk/*', 'dynalite', 'xmlbuilder2', 'libxmljs2'],
});

// The build's last step: dist/ is now complete (scripts/ensure-build.ts compares sources with this).
fs.writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
