/**
 * The chart gate (issue 17, point 2): a Helm chart is allowed in an environment only when its own
 * evidence passes and every image it deploys by digest passes there too; an image named by tag is
 * denied, or reported when the environment's policy says `charts: { imagesByTag: warn }`. Real
 * images and a real chart in the local registry, processed and gated by the built CLI.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';
import { pushHelmChart } from '../support/artifacts';
import { chartArchive } from '../support/helm-charts';
import { pushTestImage, registrySource } from '../support/images';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const host = testRegistry().host;
const RECORDS = path.join(__dirname, '..', 'fixtures', 'osv', 'records');
const lodash = (version: string) => [[{ path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version }) }]];

let work: string;
let env: Record<string, string>;
const repos = { clean: uniqueRepo('chart-img-clean'), high: uniqueRepo('chart-img-high'), stray: uniqueRepo('chart-img-stray'), charts: uniqueRepo('chart-gate') };
const digests: Record<'clean' | 'high' | 'stray', string> = { clean: '', high: '', stray: '' };

const chartMeta = (name: string, extra = '') => `apiVersion: v2\nname: ${name}\nversion: 1.0.0\nappVersion: "1.0"\n${extra}`;

/** Pushes a chart (values naming `images`) and runs the workflow on it; returns its reference by digest. */
async function processedChart(name: string, values: string, chartExtra = ''): Promise<string> {
  const tgz = await chartArchive({ [`${name}/Chart.yaml`]: chartMeta(name, chartExtra), [`${name}/values.yaml`]: values, [`${name}/templates/deployment.yaml`]: 'kind: Deployment\n' });
  const pushed = await pushHelmChart(registrySource(repos.charts).writer, { name, version: '1.0.0', appVersion: '1.0' }, tgz);
  const out = await runCli(['process', `${host}/${repos.charts}@${pushed.digest}`, '--osv-dir', RECORDS, '-q'], env);
  if (out.code !== 0) throw new Error(`process failed: ${out.stderr}`);
  return `${host}/${repos.charts}@${pushed.digest}`;
}

const gate = async (ref: string, environment: string) => {
  const out = await runCli(['gate', ref, '--env', environment, '-o', 'json', '-q'], env);
  return { code: out.code, stderr: out.stderr, decision: out.stdout ? (JSON.parse(out.stdout) as { allowed: boolean; reasons: string[]; warnings?: string[]; images?: { reference: string; allowed: boolean; digest?: string; reasons: string[] }[] }) : undefined };
};

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-chart-gate-'));
  env = { ARTIFACT_GUARD_HOME: path.join(work, 'home'), ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
  fs.mkdirSync(env.ARTIFACT_GUARD_HOME as string, { recursive: true });
  fs.writeFileSync(
    path.join(env.ARTIFACT_GUARD_HOME as string, 'environments.yaml'),
    [
      'environments:',
      '  dev:',
      '    policy: { attestations: [vuln], vulnerabilities: { failOn: critical }, charts: { imagesByTag: warn } }',
      '  prod:',
      '    policy: { attestations: [slsaprovenance1, vuln], vulnerabilities: { failOn: high } }',
      '',
    ].join('\n'),
  );
  // lodash 4.17.21: no finding; 4.17.15: GHSA-p6mc-m468-83gw (HIGH), signed under a critical threshold.
  for (const [key, version] of [['clean', '4.17.21'], ['high', '4.17.15'], ['stray', '4.17.21']] as const) {
    const image = await pushTestImage(repos[key], 'v1', { layers: lodash(version) });
    digests[key] = image.manifest.descriptor.digest;
  }
  for (const key of ['clean', 'high'] as const) {
    const out = await runCli(['process', `${host}/${repos[key]}:v1`, '--osv-dir', RECORDS, '--fail-on', 'critical', '-q'], env);
    expect(out.code).toBe(0);
  }
}, 240_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('gate on a Helm chart: the images it deploys decide with it', () => {
  it('two images by digest and one by tag: allowed with a warning in dev, denied in prod for the HIGH image and the tag', async () => {
    const chart = await processedChart(
      'shop',
      [
        `frontend:\n  image: ${host}/${repos.clean}@${digests.clean}`,
        `worker:\n  image:\n    registry: ${host}\n    repository: ${repos.high}\n    digest: ${digests.high}`,
        `sidecar:\n  image: ${host}/${repos.clean}:v1`,
        '',
      ].join('\n'),
    );
    const dev = await gate(chart, 'dev');
    expect(dev.code).toBe(0);
    expect(dev.decision?.allowed).toBe(true);
    expect(dev.decision?.images?.map((i) => [i.reference, i.allowed]).sort()).toEqual(
      [
        [`${host}/${repos.clean}:v1`, true],
        [`${host}/${repos.clean}@${digests.clean}`, true],
        [`${host}/${repos.high}@${digests.high}`, true],
      ].sort(),
    );
    expect(dev.decision?.warnings).toEqual([expect.stringMatching(new RegExp(`chart image ${host}/${repos.clean}:v1: named by tag, not digest \\(shop/values.yaml#sidecar.image\\)`))]);

    const prod = await gate(chart, 'prod');
    expect(prod.code).toBe(1);
    expect(prod.decision?.allowed).toBe(false);
    expect(prod.decision?.images?.filter((i) => !i.allowed).map((i) => i.reference).sort()).toEqual([`${host}/${repos.clean}:v1`, `${host}/${repos.high}@${digests.high}`].sort());
    expect(prod.stderr).toMatch(new RegExp(`chart image ${host}/${repos.high}@${digests.high}: vulnerabilities: 1 unsuppressed finding at or above high .*GHSA-p6mc-m468-83gw`));
    expect(prod.stderr).toMatch(/named by tag, not digest .*pin it by digest, or let the policy warn: charts.imagesByTag: warn/);
    // The chart's own evidence is fine: the images alone deny it.
    expect(prod.decision?.reasons.every((r) => r.startsWith('chart image '))).toBe(true);
  });

  it('an image the workflow never processed (signed or not) denies the chart it is in', async () => {
    const chart = await processedChart('stray', `app:\n  image: ${host}/${repos.stray}@${digests.stray}\n`);
    const dev = await gate(chart, 'dev');
    expect(dev.code).toBe(1);
    expect(dev.stderr).toMatch(new RegExp(`chart image ${host}/${repos.stray}@${digests.stray}: .*(no acceptable signature|was not processed by Artifact Guard)`));
  });

  it('a chart whose images cannot all be determined (a dependency that is not vendored) is denied', async () => {
    const chart = await processedChart('partial', `app:\n  image: ${host}/${repos.clean}@${digests.clean}\n`, 'dependencies:\n  - name: redis\n    version: 17.3.2\n    repository: https://charts.bitnami.com/bitnami\n').catch((err: Error) => err);
    // The workflow itself already refuses to sign it (the SBOM has a gap), so the gate denies it twice over.
    if (chart instanceof Error) throw chart;
    const dev = await gate(chart, 'dev');
    expect(dev.code).toBe(1);
    expect(dev.stderr).toMatch(/chart: what it deploys cannot be fully determined: .*dependency redis 17.3.2 is declared but not vendored/);
  });
});
