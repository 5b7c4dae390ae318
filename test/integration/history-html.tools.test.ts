/**
 * `history REF -o html` in a real browser (issue 14 point 3): Debian's headless Chromium renders
 * the page the built CLI wrote from a ledger made the way users make it (record-build, process
 * with OSV data, gate decisions, a tag moved to another digest) plus the pusher the CloudTrail
 * path records. The screenshot is a drawn page, the DOM Chromium built holds the key facts where
 * a reader looks for them, and the page asked for nothing over the network.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ArtifactHistory } from '../../lambdas/ledger/history';
import { createPusherRecorder } from '../../lambdas/ledger/pusher';
import { openLocalLedger } from '../../lambdas/local/ledger';
import { requireChromium, runChromium } from '../support/chromium';
import { runCli } from '../support/cli';
import { defined } from '../support/defined';
import type { HtmlElement } from '../support/html-tree';
import { byId, elements, parseHtml, textOf } from '../support/html-tree';
import { pushTestImage } from '../support/images';
import type { Png } from '../support/png';
import { colourCounts, readPng } from '../support/png';
import { testRegistry, uniqueRepo } from '../support/registry-env';

const RECORDS = path.join(__dirname, '..', 'fixtures', 'osv', 'records');
const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/ci/gha-812';
const CHROMIUM_RUN = 150_000;

/** What the test recorded, to compare the page with. */
interface Recorded {
  readonly home: string;
  readonly repositoryName: string;
  readonly digest: string;
  readonly movedTo: string;
  readonly history: ArtifactHistory;
  readonly page: string;
}

let work: string;
let recorded: Recorded;

/** Builds the ledger with the CLI, as users do, and writes `history -o html` of the first image. */
async function recordHistory(): Promise<Recorded> {
  const { host } = testRegistry();
  const repo = uniqueRepo('history-html');
  const repositoryName = `${host}/${repo}`;
  const tagged = `${repositoryName}:1.0.0`;
  const home = path.join(work, 'home');
  const env = { ARTIFACT_GUARD_HOME: home, ARTIFACT_GUARD_CACHE_DIR: path.join(work, 'cache') };
  const cli = async (args: string[], code = 0) => expect({ args, code: (await runCli(args, env)).code }).toEqual({ args, code });
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(home, 'environments.yaml'), ['environments:', '  dev:', '    policy: { vulnerabilities: { failOn: critical } }', '  prod:', '    policy: { vulnerabilities: { failOn: high } }', ''].join('\n'));
  // OSV fixtures: lodash 4.17.4 has two HIGH, one MODERATE and one LOW advisory, minimist 1.2.0 one
  // MODERATE. Nothing critical: the workflow (threshold critical) signs it; the prod gate (high) denies it.
  const layer = [
    { path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.4' }) },
    { path: 'app/node_modules/minimist/package.json', content: JSON.stringify({ name: 'minimist', version: '1.2.0' }) },
  ];
  const image = await pushTestImage(repo, '1.0.0', { layers: [layer], labels: { 'org.opencontainers.image.revision': 'd3adb33f' } });
  const digest = image.manifest.descriptor.digest;
  await cli(['record-build', '--status', 'succeeded', '--commit', 'd3adb33f', '--source', 'https://git.example/shop/api', '--build-id', '812', '--pipeline', 'shop-api', '--author', 'ana <ana@example.com>', '--image', tagged, '-q']);
  await cli(['process', tagged, '--osv-dir', RECORDS, '--fail-on', 'critical', '-q']);
  await cli(['gate', tagged, '--env', 'dev', '-q']);
  await cli(['gate', tagged, '--env', 'prod', '-q'], 1);
  // The tag moved: another image pushed under it is a violation in the first one's tags timeline.
  const moved = await pushTestImage(repo, '1.0.0', { layers: [[{ path: 'app/other', content: 'other' }]] });
  await cli(['process', tagged, '--osv-dir', RECORDS, '-q']);
  // Who pushed comes from CloudTrail in AWS (no local source): the recorder its Lambda runs writes it to the same ledger.
  const local = await openLocalLedger(home, { quiet: true });
  try {
    await createPusherRecorder(local)({ repositoryName, digest, principal: PRINCIPAL, account: '123456789012', sourceIp: '203.0.113.7', time: new Date().toISOString(), eventId: 'ct-1' });
  } finally {
    await local.close();
  }
  const json = await runCli(['history', `${repositoryName}@${digest}`, '-o', 'json'], env);
  expect(json.code).toBe(0);
  const page = path.join(work, 'history.html');
  await cli(['history', `${repositoryName}@${digest}`, '-o', 'html', '--file', page]);
  return { home, repositoryName, digest, movedTo: moved.manifest.descriptor.digest, history: JSON.parse(json.stdout) as ArtifactHistory, page };
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-history-html-'));
  requireChromium();
  recorded = await recordHistory();
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const el = (root: HtmlElement, id: string): HtmlElement => defined(byId(root, id), `#${id} in the rendered DOM`);

async function screenshot(page: string): Promise<{ png: Png; pageRequests: readonly string[] }> {
  const file = path.join(work, `${path.basename(page)}.png`);
  const run = await runChromium(work, page, [`--screenshot=${file}`, '--window-size=1280,2000']);
  return { png: readPng(fs.readFileSync(file)), pageRequests: run.pageRequests };
}

describe('history -o html in headless Chromium', () => {
  it('the DOM Chromium built shows the digest, the provenance chain, findings by severity, the tags timeline and the trail', async () => {
    const { repositoryName, digest, movedTo, history, home } = recorded;
    const run = await runChromium(work, recorded.page, ['--dump-dom']);
    expect(run.pageRequests).toEqual([]);
    // The browser's serialization of its DOM (with the <tbody> it inserts), read by the strict reader.
    const dom = parseHtml(run.stdout);
    expect(textOf(el(dom, 'artifact'))).toBe(`${repositoryName}@${digest}`);
    expect(textOf(el(dom, 'summary'))).toMatch(/^image, first seen \S+ · processed$/);
    expect(elements(dom).find((e) => e.tag === 'meta' && e.attributes['http-equiv'] === 'Content-Security-Policy')?.attributes.content).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(elements(dom).filter((e) => e.attributes.src !== undefined || e.attributes.href !== undefined || e.tag === 'script')).toEqual([]);

    const links = elements(el(dom, 'chain')).filter((e) => e.attributes['data-step']);
    const pusher = defined(history.pushers[0], 'the recorded pusher');
    expect(links.map((l) => [l.attributes['data-step'], l.attributes['data-state'], textOf(l)])).toEqual([
      ['commit', 'ok', 'commitd3adb33f of https://git.example/shop/api'],
      ['build', 'ok', 'buildshop-api #812 succeeded by ana <ana@example.com>'],
      ['push', 'ok', `push${PRINCIPAL} at ${pusher.time} from 203.0.113.7`],
      ['sbom', 'ok', 'sbom2 components'],
      ['scan', 'ok', 'scanverdict pass'],
      ['signature', 'ok', `signaturesigned with ${path.join(home, 'dev-signing-key.pem')}`],
      ['decisions', 'bad', 'decisions1 allowed, 1 denied'],
    ]);

    const rows = elements(el(dom, 'findings')).filter((e) => e.attributes['data-severity']);
    expect(rows.map((r) => [r.attributes['data-severity'], textOf(r).replace(/^\D+/, '')])).toEqual([
      ['critical', '0'],
      ['high', '2'],
      ['medium', '2'],
      ['low', '1'],
      ['info', '0'],
      ['unknown', '0'],
    ]);

    const pushes = defined(history.tags[0], 'the tag').pushes;
    const tags = elements(el(dom, 'tags')).filter((e) => e.tag === 'li');
    expect(tags.map((t) => [t.attributes.class, textOf(t)])).toEqual([
      ['tag bound', `${defined(pushes[0]).time} 1.0.0 bound ${digest.slice(0, 19)}…`],
      ['tag violation', `${defined(pushes[1]).time} 1.0.0 violation ${movedTo.slice(0, 19)}…`],
    ]);

    const trail = elements(el(dom, 'trail')).filter((e) => e.tag === 'tr').slice(1).map((r) => elements(r).filter((c) => c.tag === 'td').slice(1).map(textOf));
    const me = `local:${os.userInfo().username}`;
    expect(trail).toHaveLength(6);
    expect(trail).toEqual(
      expect.arrayContaining([
        ['artifact-guard:workflow', 'process', 'success'],
        ['artifact-guard:record', 'record-push', 'success'],
        ['artifact-guard:ledger', 'link-build', 'success'],
        [me, 'gate', 'allowed'],
        [me, 'gate', 'denied'],
        [PRINCIPAL, 'push', 'success'],
      ]),
    );
  }, CHROMIUM_RUN);

  it('the screenshot is a drawn page: its background, the chain boxes and severity bars in proportion, unlike the same page with an empty body', async () => {
    const html = fs.readFileSync(recorded.page, 'utf8');
    const empty = html.replace(/<body>[\s\S]*<\/body>/, '<body></body>');
    expect(empty.length).toBeLessThan(html.length / 2);
    const control = path.join(work, 'empty-body.html');
    fs.writeFileSync(control, empty);

    const shot = await screenshot(recorded.page);
    const blank = await screenshot(control);
    expect(shot.pageRequests).toEqual([]);
    const { png } = shot;
    expect([png.width, png.height]).toEqual([1280, 2000]);
    const pixels = png.width * png.height;
    const colours = colourCounts(png);
    const count = (rgb: number) => colours.get(rgb) ?? 0;
    // The page's own background (#fafafa), and a meaningful share drawn on it.
    expect([...colours.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]).toBe(0xfafafa);
    expect((pixels - count(0xfafafa)) / pixels).toBeGreaterThan(0.03);
    // The same head and CSS with an empty body renders as bare background: the drawing is the body's.
    expect([...colourCounts(blank.png).entries()]).toEqual([[0xfafafa, pixels]]);
    let differing = 0;
    for (let i = 0; i < png.data.length; i += png.channels) if (png.data.compare(blank.png.data, i, i + png.channels, i, i + png.channels) !== 0) differing++;
    expect(differing).toBe(pixels - count(0xfafafa));
    // Six links drawn as ok (green fill and border), one as bad (red fill); the medium bar (2 findings) twice the low bar (1).
    expect(count(0xe8f5e9)).toBeGreaterThan(6 * 2000);
    expect(count(0x2e7d32)).toBeGreaterThan(6 * 200);
    expect(count(0xffebee)).toBeGreaterThan(2000);
    expect(count(0xf9a825)).toBeGreaterThan(1000);
    expect(count(0xef6c00) / count(0xf9a825)).toBeCloseTo(2, 1);
  }, CHROMIUM_RUN);

  it('the network check sees a request a page makes (so the empty lists above mean something)', async () => {
    const leaky = path.join(work, 'leaky.html');
    fs.writeFileSync(leaky, '<!doctype html><html><body><img src="http://evidence.example/pixel.png" alt=""></body></html>');
    expect((await runChromium(work, leaky, ['--dump-dom'])).pageRequests).toEqual(['http://evidence.example/pixel.png']);
  }, CHROMIUM_RUN);
});
