import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { phpCataloger } from './index';
import { parseComposerInstalled } from './parse-installed-json';

/*
 * The php cataloger on the installed.json Composer writes (Debian's composer, path repositories,
 * offline), with `composer show` as the oracle: an integration test (npm run test:integration
 * installs composer). Malformed and generated files are in php.test.ts.
 */

const run = promisify(execFile);

/** Local packages Composer installs from path repositories (no network): licences as SPDX ids, arrays, proprietary. */
const PACKAGES: Record<string, object> = {
  'acme-log': { name: 'acme/log', description: 'Logging', type: 'library', license: 'MIT', version: '1.4.2', autoload: { 'psr-4': { 'Acme\\Log\\': 'src/' } } },
  'acme-http': { name: 'acme/http-client', description: 'HTTP client', license: ['Apache-2.0', 'MIT'], version: 'v2.0.0-beta.3', require: { 'acme/log': '^1.4' }, homepage: 'https://acme.example/http' },
  legacy: { name: 'old-vendor/legacy_lib', license: 'proprietary', version: '0.9.1' },
  testkit: { name: 'acme/testkit', license: 'BSD-3-Clause', version: '3.1.0' },
};

const APP = {
  name: 'acme/app',
  require: { 'acme/http-client': '2.0.0-beta.3', 'old-vendor/legacy_lib': '*' },
  'require-dev': { 'acme/testkit': '^3.0' },
  'minimum-stability': 'beta',
  repositories: [{ 'packagist.org': false }, { type: 'path', url: '../pkgs/*', options: { symlink: false } }],
};

describe('installed.json written by Composer', () => {
  let dir: string;
  let installed: Buffer;
  let shown: { name: string; version: string }[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-composer-'));
    for (const [d, json] of Object.entries(PACKAGES)) {
      fs.mkdirSync(path.join(dir, 'pkgs', d, 'src'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'pkgs', d, 'composer.json'), JSON.stringify(json));
    }
    fs.mkdirSync(path.join(dir, 'app'));
    fs.writeFileSync(path.join(dir, 'app', 'composer.json'), JSON.stringify(APP));
    const env = { ...process.env, COMPOSER_HOME: path.join(dir, 'home'), COMPOSER_DISABLE_NETWORK: '1', COMPOSER_NO_INTERACTION: '1' };
    await run('composer', ['install', '--no-progress', '--no-interaction'], { cwd: path.join(dir, 'app'), env });
    installed = fs.readFileSync(path.join(dir, 'app', 'vendor', 'composer', 'installed.json'));
    // The oracle: what Composer itself says is installed.
    const { stdout } = await run('composer', ['show', '--format=json'], { cwd: path.join(dir, 'app'), env });
    shown = (JSON.parse(stdout) as { installed: { name: string; version: string }[] }).installed;
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds what composer show lists (Composer 2 format, oracle)', () => {
    const result = parseComposerInstalled('app/vendor/composer/installed.json', installed);
    expect(result.warnings).toEqual([]);
    expect(result.packages.map((p) => `${p.namespace}/${p.name}@${p.version}`).sort()).toEqual(shown.map((s) => `${s.name}@${s.version}`).sort());
    expect(shown).toHaveLength(4);
  });

  it('gives purls, licences and the dev mark', () => {
    const { packages } = parseComposerInstalled('app/vendor/composer/installed.json', installed);
    const by = new Map(packages.map((p) => [`${p.namespace}/${p.name}`, p]));
    expect(phpCataloger.purl(by.get('acme/http-client')!, {})).toBe('pkg:composer/acme/http-client@v2.0.0-beta.3');
    expect(by.get('acme/http-client')).toMatchObject({ licenses: ['Apache-2.0', 'MIT'], metadata: expect.objectContaining({ homepage: 'https://acme.example/http', description: 'HTTP client' }) });
    expect(by.get('old-vendor/legacy_lib')?.licenses).toEqual(['proprietary']);
    expect(by.get('acme/testkit')?.metadata?.dev).toBe('true');
    expect(by.get('acme/log')?.metadata?.dev).toBeUndefined();
  });

  it('reads the Composer 1 format (the same package objects as a bare array)', () => {
    const v2 = JSON.parse(installed.toString('utf8')) as { packages: unknown[] };
    const v1 = Buffer.from(JSON.stringify(v2.packages));
    const result = parseComposerInstalled('x/vendor/composer/installed.json', v1);
    expect(result.packages.map((p) => `${p.namespace}/${p.name}@${p.version}`).sort()).toEqual(shown.map((s) => `${s.name}@${s.version}`).sort());
    expect(result.packages.some((p) => p.metadata?.dev)).toBe(false);
  });
});
