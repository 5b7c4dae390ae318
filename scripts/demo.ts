/**
 * `npm run demo`: builds a small OCI image on disk from the files in demo/ (no network, no
 * Docker) and runs the whole workflow on it with the installed CLI and embedded stores.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildImage, entriesFromDirectory, writeOciLayout } from '../lambdas/oci/image-builder';
import { REPO_ROOT } from './repo-root';

const repo = REPO_ROOT;
const cli = path.join(repo, 'dist', 'bin', 'artifact-guard.js');

async function main(): Promise<number> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-guard-demo-'));
  const layout = path.join(work, 'demo-app');
  const image = await buildImage({
    layers: [entriesFromDirectory(path.join(repo, 'demo', 'base')), entriesFromDirectory(path.join(repo, 'demo', 'app'))],
    labels: {
      'org.opencontainers.image.title': 'artifact-guard-demo',
      'org.opencontainers.image.source': 'https://github.com/example/artifact-guard-demo',
      'org.opencontainers.image.revision': 'd3m0c0ffee',
      'dev.artifact-guard.build.id': 'demo-1',
      'dev.artifact-guard.build.pipeline': 'npm run demo',
    },
    cmd: ['node', '/app/index.js'],
  });
  writeOciLayout(layout, [image], { tag: '1.0.0', root: image.manifest });
  const home = path.join(work, 'home');
  process.stderr.write(`demo: built ${layout} (OCI layout, tag 1.0.0, ${image.layers.length} layers, manifest ${image.manifest.descriptor.digest})\n`);
  process.stderr.write(`demo: local stores under ${home}\n\n`);
  const env = { ...process.env, ARTIFACT_GUARD_HOME: home, ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
  // Offline OSV records bundled with the demo (demo/osv/README.md): they cover npm and PyPI, not
  // the Debian 12 packages of the base layer. The verdict is therefore `incomplete` and nothing is
  // signed, even with --sign-on-findings (which accepts known findings, never a gap in coverage).
  const osv = path.join(repo, 'demo', 'osv');
  process.stderr.write(`demo: scanning with the OSV records in ${osv} (npm and PyPI only: the image's Debian 12 packages are a coverage gap)\n\n`);
  const res = spawnSync(process.execPath, [cli, 'process', `oci-dir:${layout}:1.0.0`, '--osv-dir', osv], { stdio: 'inherit', env });
  return res.status ?? 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo: ${(err as Error).message}\n`);
    process.exit(2);
  },
);
