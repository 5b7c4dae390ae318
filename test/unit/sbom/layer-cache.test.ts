import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HmacFileKey } from '../../../lambdas/adapters/local/hmac-file-key';
import type { Descriptor } from '../../../lambdas/oci/manifest';
import type { MacKey } from '../../../lambdas/ports/mac-key';
import { catalogers } from '../../../lambdas/sbom/catalogers';
import { generateSbom } from '../../../lambdas/sbom/generate';
import { BlobLayerCache } from '../../../lambdas/sbom/layers/cache';
import { LAYER_CATALOG_VERSION } from '../../../lambdas/sbom/layers/catalog';
import type { TestLayer } from '../../support/image-layout';
import type { BlobStore } from '../../../lambdas/ports/blob-store';
import { MemoryBlobStore } from '../../support/memory-blob-store';
import { ALPINE_RELEASE, writeImageLayout } from '../../support/image-layout';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
/** An OCI layout of these layers in a temporary folder removed after the tests. */
function imageLayout(layers: readonly TestLayer[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-gaps-'));
  made.push(dir);
  return writeImageLayout(dir, layers);
}


const names = catalogers.map((c) => c.name);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cache-key-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const key = new HmacFileKey(path.join(dir, 'cache-mac.key'));

/** Base layer with OS packages and a licence-only warning (its `metadata` impact must survive the cache); app layer with a corrupt package.json (an `inventory` warning). */
const layers = [
  [
    ALPINE_RELEASE,
    { path: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.4-r4\nA:x86_64\nL:MIT\n\n' },
    { path: 'tmp/.wh.' },
  ],
  [{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21"}' }, { path: 'app/node_modules/broken/package.json', content: '{' }],
];

/** Runs the SBOM, recording which layers were read (not taken from the cache). */
async function run(cache: BlobLayerCache | undefined, set = catalogers) {
  const layout = await imageLayout(layers);
  const source = await layout.open();
  const read: string[] = [];
  const openBlob = source.openBlob.bind(source);
  source.openBlob = (d: Pick<Descriptor, 'digest' | 'size'>) => {
    read.push(d.digest);
    return openBlob(d);
  };
  const result = await generateSbom(source, 'localhost/cache', { catalogers: set, ...(cache ? { cache } : {}) });
  return { sbom: result.images[0]!, read: read.sort(), layers: layout.layers.map((l) => l.digest) };
}

function cacheWith(store: BlobStore, mac: MacKey = key) {
  const rejected: [string, string][] = [];
  return { cache: new BlobLayerCache(store, names, mac, { onRejected: (d, r) => rejected.push([d, r]) }), rejected };
}

/** The one stored entry of a layer. */
function entryOf(store: MemoryBlobStore, digest: string): [string, Buffer] {
  const found = [...store.blobs].find(([k]) => k.endsWith(`/${digest.replace(':', '/')}.catalog`));
  if (!found) throw new Error(`no entry for ${digest}`);
  return found;
}

/** The entry as an attacker would rewrite it: same header, a catalog that lost its OS packages. */
function withoutApkDatabase(entry: Buffer): Buffer {
  const nl = entry.indexOf(0x0a);
  const catalog = JSON.parse(entry.subarray(nl + 1).toString('utf8')) as { files: Record<string, unknown> };
  expect(catalog.files['lib/apk/db/installed']).toBeDefined();
  delete catalog.files['lib/apk/db/installed'];
  return Buffer.concat([entry.subarray(0, nl + 1), Buffer.from(JSON.stringify(catalog))]);
}

const setPrefix = (set: readonly string[]) => `layer-cache/v${LAYER_CATALOG_VERSION}-${createHash('sha256').update(set.join(',')).digest('hex').slice(0, 12)}`;

describe('BlobLayerCache with a MAC', () => {
  it('a warm run reads nothing and equals a cold run, warning impacts included', async () => {
    const cold = await run(undefined);
    const store = new MemoryBlobStore();
    const { cache, rejected } = cacheWith(store);
    const first = await run(cache);
    expect(first.read).toEqual([...first.layers].sort());
    const warm = await run(cache);
    expect(warm.read).toEqual([]);
    expect(warm.sbom).toEqual({ ...cold.sbom, layers: cold.sbom.layers.map((l) => ({ ...l, status: 'cached' })) });
    expect(warm.sbom.warnings.find((w) => w.message.startsWith('invalid whiteout'))?.impact).toBe('metadata');
    expect(warm.sbom.gaps).toHaveLength(1);
    expect(rejected).toEqual([]);
    const [, bytes] = entryOf(store, first.layers[0]!);
    expect(bytes.toString('utf8')).toMatch(/^artifact-guard-layer-cache\/1 [0-9a-f]{64}\n\{"version":3,/);
  });

  it.each([
    ['a tampered body', (b: Buffer) => Buffer.from(b.toString('utf8').replace('"name":"musl"', '"name":"muzl"')), 'MAC does not match'],
    ['a body without the apk database (valid JSON, MAC kept)', withoutApkDatabase, 'MAC does not match'],
    ['a tampered MAC', (b: Buffer) => Buffer.from(b.toString('latin1').replace(/^(\S+ )([0-9a-f])/, (_, h: string, c: string) => `${h}${c === '0' ? '1' : '0'}`), 'latin1'), 'MAC does not match'],
    ['no MAC (an entry as v2 wrote them)', (b: Buffer) => b.subarray(b.indexOf(0x0a) + 1), 'entry has no MAC'],
  ])('%s: the layer is read again, the SBOM equals a cold run, onRejected names the layer', async (_what, tamper, reason) => {
    const cold = await run(undefined);
    const store = new MemoryBlobStore();
    const { cache, rejected } = cacheWith(store);
    await run(cache);
    const base = cold.layers[0]!;
    const [k, bytes] = entryOf(store, base);
    const changed = tamper(bytes);
    expect(changed.equals(bytes)).toBe(false);
    store.blobs.set(k, changed);

    const again = await run(cache);
    expect(again.read).toEqual([base]);
    expect(again.sbom.components).toEqual(cold.sbom.components);
    expect(again.sbom.gaps).toEqual(cold.sbom.gaps);
    expect(again.sbom.warnings).toEqual(cold.sbom.warnings);
    expect(rejected).toEqual([[base, reason]]);
    // The re-read layer was written back with a good MAC.
    expect((await run(cache)).read).toEqual([]);
  });

  it('refuses entries moved from another cataloger set (one that found fewer packages)', async () => {
    const store = new MemoryBlobStore();
    const set = catalogers.filter((c) => c.name !== 'apk');
    const fewer = set.map((c) => c.name);
    const old = await run(new BlobLayerCache(store, fewer, key), set);
    expect(old.sbom.components.map((c) => c.name)).not.toContain('musl');
    for (const [k, v] of [...store.blobs]) store.blobs.set(k.replace(setPrefix(fewer), setPrefix(names)), v);
    const { cache, rejected } = cacheWith(store);
    const again = await run(cache);
    expect(again.read).toEqual([...again.layers].sort());
    expect(again.sbom.components.map((c) => c.name)).toContain('musl');
    expect(rejected.sort()).toEqual(again.layers.map((d) => [d, 'MAC does not match']).sort());
  });

  it('a MAC key that fails is a miss reported through onRejected, never a failed SBOM', async () => {
    const store = new MemoryBlobStore();
    await run(cacheWith(store).cache);
    const broken: MacKey = { mac: (b) => key.mac(b), verify: () => Promise.reject(new Error('KMS VerifyMac failed: ThrottlingException')) };
    const { cache, rejected } = cacheWith(store, broken);
    const again = await run(cache);
    expect(again.read).toEqual([...again.layers].sort());
    expect(rejected).toHaveLength(2);
    expect(rejected[0]![1]).toBe('MAC not checked: KMS VerifyMac failed: ThrottlingException');
  });

  it('entries written with another key are refused', async () => {
    const store = new MemoryBlobStore();
    await run(cacheWith(store, new HmacFileKey(path.join(dir, 'other.key'))).cache);
    const { cache, rejected } = cacheWith(store);
    const again = await run(cache);
    expect(again.read).toHaveLength(2);
    expect(rejected.map(([, r]) => r)).toEqual(['MAC does not match', 'MAC does not match']);
  });
});
