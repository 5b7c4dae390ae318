/**
 * The generated containers-policy.json (issue 15 point 3) as containers/image reads it: skopeo
 * (Debian's build, whose sigstore verification is patched out and says so) loads the policy,
 * finds the signatures of a promoted image under it, and rejects an unsigned image of the same
 * repository; a policy with a wrong field is refused when loaded.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { pushTestImage } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const host = testRegistry().host;
const RECORDS = path.join(__dirname, '..', 'fixtures', 'osv', 'records');
let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-skopeo-'))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function skopeoCopy(policy: string, registriesD: string, ref: string): string {
  const r = spawnSync('skopeo', ['--policy', policy, '--registries.d', registriesD, 'copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `dir:${path.join(work, `copy-${Math.random().toString(36).slice(2)}`)}`], { encoding: 'utf8' });
  return `${r.status}:${r.stderr}`;
}

it('skopeo loads the policy, finds the promoted image\'s signatures and refuses an unsigned image of the repository', async () => {
  const [src, prod] = [uniqueRepo('cp-src'), uniqueRepo('cp-prod')];
  const home = path.join(work, 'home');
  const env = { ARTIFACT_GUARD_HOME: home, ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(home, 'environments.yaml'), `environments:\n  prod:\n    policy: { attestations: [vuln] }\n    repositories: [${host}/${prod}]\n`);
  await pushTestImage(src, '1', { layers: [[{ path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.21' }) }]] });
  expect((await runCli(['process', `${host}/${src}:1`, '--osv-dir', RECORDS, '-q'], env)).code).toBe(0);
  expect((await runCli(['promote', `${host}/${src}:1`, '--to', `${host}/${prod}`, '--env', 'prod', '-q'], env)).code).toBe(0);
  await pushTestImage(prod, 'unsigned', { layers: [[{ path: 'x', content: 'not promoted' }]] });

  const generated = await runCli(['policy', 'containers-policy', '--env', 'prod'], env);
  expect(generated.code).toBe(0);
  const policy = path.join(work, 'policy.json');
  fs.writeFileSync(policy, generated.stdout);
  const registriesD = path.join(work, 'registries.d');
  fs.mkdirSync(registriesD);
  fs.writeFileSync(path.join(registriesD, 'artifact-guard.yaml'), generated.stderr.slice(generated.stderr.indexOf('docker:')));

  // Both signatures (the source's and the promotion's) reach the sigstore check, which this build disables.
  const promoted = skopeoCopy(policy, registriesD, `${host}/${prod}:1`);
  expect(promoted).toMatch(/^0:|None of the signatures were accepted, reasons: Debian-local change: sigstore disabled; Debian-local change: sigstore disabled\\?"/);
  expect(skopeoCopy(policy, registriesD, `${host}/${prod}:unsigned`)).toMatch(/A signature was required, but no signature exists/);
  const bad = path.join(work, 'bad.json');
  fs.writeFileSync(bad, generated.stdout.replace('matchRepository', 'matchRepositry'));
  expect(skopeoCopy(bad, registriesD, `${host}/${prod}:1`)).toMatch(/invalid policy .*Unknown policy reference match type \\?"matchRepositry/);
});
