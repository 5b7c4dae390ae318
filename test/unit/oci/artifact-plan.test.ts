import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LimitExceededError } from '../../../lambdas/core/errors';
import { MAX_INDEX_DEPTH, memberTargets, planArtifact, signableTargets } from '../../../lambdas/oci/artifact-plan';
import { MediaType } from '../../../lambdas/oci/media-types';
import { openSource } from '../../../lambdas/oci/open-source';

/** A real OCI layout on disk whose manifests the tests write by hand. */
class Layout {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-plan-'));

  blob(bytes: Buffer, mediaType: string): { mediaType: string; digest: string; size: number } {
    const hex = createHash('sha256').update(bytes).digest('hex');
    fs.mkdirSync(path.join(this.dir, 'blobs', 'sha256'), { recursive: true });
    fs.writeFileSync(path.join(this.dir, 'blobs', 'sha256', hex), bytes);
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
  }

  json(doc: object, mediaType: string) {
    return this.blob(Buffer.from(JSON.stringify(doc)), mediaType);
  }

  image(arch: string, configType: string = MediaType.ociConfig, layers: { mediaType: string }[] = [{ mediaType: MediaType.ociLayerGzip }]) {
    const config = this.json({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }, configType);
    const ls = layers.map((l, i) => this.blob(Buffer.from(`${arch}-${i}`), l.mediaType));
    return this.json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: ls }, MediaType.ociManifest);
  }

  index(manifests: object[]) {
    return this.json({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }, MediaType.ociIndex);
  }

  async plan(root: { mediaType: string; digest: string; size: number }) {
    fs.writeFileSync(path.join(this.dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    fs.writeFileSync(path.join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...root, annotations: { 'org.opencontainers.image.ref.name': 'x' } }] }));
    const source = await openSource({ scheme: 'oci-dir', location: this.dir, tag: 'x' });
    try {
      return await planArtifact(source);
    } finally {
      await source.close();
    }
  }
}

const linux = (arch: string) => ({ os: 'linux', architecture: arch });
const ATTESTATION = 'vnd.docker.reference.type';

let l: Layout;
beforeEach(() => {
  l = new Layout();
});
afterEach(() => fs.rmSync(l.dir, { recursive: true, force: true }));

describe('planArtifact', () => {
  it('plans a single image as one image target', async () => {
    const img = l.image('amd64');
    const plan = await l.plan(img);
    expect(plan.targets).toEqual([{ digest: img.digest, mediaType: MediaType.ociManifest, size: img.size, role: 'image' }]);
    expect(plan.kind).toBe('image');
  });

  it('lists platforms before their index, nested indexes walked, each manifest once', async () => {
    const amd = l.image('amd64');
    const arm = l.image('arm64');
    const inner = l.index([{ ...arm, platform: linux('arm64') }, { ...amd, platform: linux('amd64') }]);
    const root = l.index([{ ...amd, platform: linux('amd64') }, inner]);
    const plan = await l.plan(root);
    expect(plan.targets.map((t) => [t.role, t.digest, t.platform])).toEqual([
      ['image', amd.digest, 'linux/amd64'],
      ['image', arm.digest, 'linux/arm64'],
      ['index', inner.digest, undefined],
      ['index', root.digest, undefined],
    ]);
    expect(memberTargets(plan).map((t) => t.digest)).toEqual([amd.digest, arm.digest]);
  });

  it('recognises a genuine BuildKit attestation manifest and nothing that only claims to be one', async () => {
    const amd = l.image('amd64');
    const statement = l.blob(Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}'), MediaType.inTotoJson);
    const cfg = l.json({}, MediaType.ociConfig);
    const att = l.json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: cfg, layers: [statement] }, MediaType.ociManifest);
    const unknown = { os: 'unknown', architecture: 'unknown' };
    const genuine = { ...att, platform: unknown, annotations: { [ATTESTATION]: 'attestation-manifest', 'vnd.docker.reference.digest': amd.digest } };
    const plan = await l.plan(l.index([{ ...amd, platform: linux('amd64') }, genuine]));
    expect(plan.targets.map((t) => t.role)).toEqual(['image', 'attestation', 'index']);
    expect(plan.targets[1]?.note).toBe(amd.digest);
    expect(signableTargets(plan.targets).map((t) => t.role)).toEqual(['image', 'index']);

    // Each condition broken in turn: the manifest is treated as what it is.
    const fake = l.image('arm64');
    const claims: object[] = [
      { ...fake, platform: unknown, annotations: { [ATTESTATION]: 'attestation-manifest', 'vnd.docker.reference.digest': amd.digest } }, // filesystem layers
      { ...att, platform: linux('arm64'), annotations: { [ATTESTATION]: 'attestation-manifest', 'vnd.docker.reference.digest': amd.digest } }, // a real platform
      { ...att, platform: unknown, annotations: { [ATTESTATION]: 'attestation-manifest', 'vnd.docker.reference.digest': `sha256:${'0'.repeat(64)}` } }, // points at no sibling
    ];
    for (const claim of claims) {
      const m = new Layout();
      try {
        for (const f of fs.readdirSync(path.join(l.dir, 'blobs', 'sha256'))) {
          fs.mkdirSync(path.join(m.dir, 'blobs', 'sha256'), { recursive: true });
          fs.copyFileSync(path.join(l.dir, 'blobs', 'sha256', f), path.join(m.dir, 'blobs', 'sha256', f));
        }
        const p = await m.plan(m.index([{ ...amd, platform: linux('amd64') }, claim]));
        expect(p.targets[1]?.role).not.toBe('attestation');
      } finally {
        fs.rmSync(m.dir, { recursive: true, force: true });
      }
    }
  });

  it('plans Helm charts and other artifacts as inventoried roles, encrypted content as uninventoried', async () => {
    const chart = l.image('x', MediaType.helmConfig, [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip' }]);
    expect((await l.plan(chart)).targets).toEqual([{ digest: chart.digest, mediaType: MediaType.ociManifest, size: chart.size, role: 'chart' }]);
    const odd = l.image('arm64', 'application/vnd.example.config+json');
    const plan = await l.plan(l.index([{ ...odd, platform: linux('arm64') }]));
    expect(plan.targets[0]).toEqual({ digest: odd.digest, mediaType: MediaType.ociManifest, size: odd.size, platform: 'linux/arm64', role: 'artifact' });
    expect(memberTargets(plan).map((t) => t.digest)).toEqual([odd.digest]);
    const sealed = l.image('amd64', 'application/vnd.example.config+json', [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip+encrypted' }]);
    expect((await l.plan(sealed)).targets).toEqual([{ digest: sealed.digest, mediaType: MediaType.ociManifest, size: sealed.size, role: 'uninventoried', note: 'every layer is encrypted (ocicrypt): its content cannot be read' }]);
  });

  it('takes artifactType for a Helm chart only when the config is not an image config', async () => {
    const declared = l.json({ schemaVersion: 2, mediaType: MediaType.ociManifest, artifactType: MediaType.helmConfig, config: l.json({}, MediaType.ociEmpty), layers: [] }, MediaType.ociManifest);
    expect((await l.plan(declared)).targets[0]?.role).toBe('chart');
    const image = l.json({ schemaVersion: 2, mediaType: MediaType.ociManifest, artifactType: MediaType.helmConfig, config: l.json({ rootfs: { type: 'layers', diff_ids: [] } }, MediaType.ociConfig), layers: [] }, MediaType.ociManifest);
    expect((await l.plan(image)).targets[0]?.role).toBe('image');
  });

  it('refuses indexes nested deeper than the limit', async () => {
    let inner = l.index([{ ...l.image('amd64'), platform: linux('amd64') }]);
    for (let i = 0; i < MAX_INDEX_DEPTH; i++) inner = l.index([inner]);
    await expect(l.plan(inner)).rejects.toThrow(LimitExceededError);
  });
});
