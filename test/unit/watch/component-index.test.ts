import { environmentsFrom } from '../../../lambdas/gate/environments';
import { findArtifacts } from '../../../lambdas/workflow/find-artifacts';
import { parseVersionRange } from '../../../lambdas/vuln/version-range';
import { digestOf, processArtifact, REPO, stores, type Stores } from './stored-artifacts';

const AT = new Date('2026-12-01T09:00:00Z');
const LAYER = `sha256:${'1f'.repeat(32)}`;
const libssl = (v: string) => `pkg:deb/debian/libssl3@${v}?arch=amd64&distro=debian-12&upstream=openssl`;

describe('component index', () => {
  let s: Stores;
  beforeEach(async () => {
    s = await stores();
    await processArtifact(s, { digest: digestOf(1), tag: 'v1', components: [{ purl: libssl('3.0.11-1~deb12u2'), layer: LAYER }, { purl: 'pkg:npm/lodash@4.17.4' }], source: undefined, at: AT });
    await processArtifact(s, { digest: digestOf(2), tag: 'v2', components: [{ purl: libssl('3.0.15-1~deb12u1') }, { purl: 'pkg:npm/express@4.19.2' }], source: undefined, at: AT });
    await processArtifact(s, { digest: digestOf(3), components: [{ purl: 'pkg:pypi/urllib3@1.26.5' }], source: undefined, at: AT });
  });
  afterEach(() => s.dynamo.close());

  it('answers "which artifacts contain P" with repository, digest, tags, environments and layer', async () => {
    const environments = environmentsFrom({ environments: { prod: { policy: {}, repositories: [REPO] }, dev: { policy: {}, repositories: ['registry.example/other'] } } });
    const { artifacts } = await findArtifacts({ index: s.index, records: s.records, environments }, { package: 'pkg:deb/debian/openssl' });
    expect(artifacts.map((a) => [a.digest, a.tags, a.environments])).toEqual([
      [digestOf(1), ['v1'], ['prod']],
      [digestOf(2), ['v2'], ['prod']],
    ]);
    // Found through its source package; the layer that brought it in is kept.
    expect(artifacts[0]?.components).toEqual([{ purl: libssl('3.0.11-1~deb12u2'), version: '3.0.11-1~deb12u2', via: 'source', manifestDigest: digestOf(1), layer: LAYER }]);
    // A signature pushed for the artifact is in its trail, but its evidence tag is not one of the artifact's tags.
    await s.records.appendEvent(REPO, digestOf(1), { id: 'sig-push', time: AT.toISOString(), type: 'EvidenceRecorded', detail: { tag: `${digestOf(1).replace(':', '-')}.sig` } });
    expect((await findArtifacts({ index: s.index, records: s.records }, { package: 'pkg:deb/debian/openssl' })).artifacts[0]?.tags).toEqual(['v1']);
    // And by its own (binary) name.
    expect((await findArtifacts({ index: s.index, records: s.records }, { package: 'libssl3', ecosystem: 'Debian' })).artifacts).toHaveLength(2);
  });

  it('filters by version range with the ecosystem ordering (dpkg: ~ sorts before anything)', async () => {
    const { artifacts } = await findArtifacts({ index: s.index, records: s.records }, { package: 'pkg:deb/debian/openssl', version: parseVersionRange('<3.0.15-1~deb12u1') });
    expect(artifacts.map((a) => a.digest)).toEqual([digestOf(1)]);
    const npm = await findArtifacts({ index: s.index, records: s.records }, { package: 'lodash', version: parseVersionRange('>=4.17.0,<4.17.11') });
    expect(npm.artifacts.map((a) => a.digest)).toEqual([digestOf(1)]);
    expect((await findArtifacts({ index: s.index, records: s.records }, { package: 'pkg:npm/lodash@4.17.5' })).artifacts).toEqual([]);
  });

  it('lists the ecosystems the mirror must hold, and nothing for a package no artifact has', async () => {
    expect((await s.index.ecosystems()).sort()).toEqual(['Debian', 'PyPI', 'npm']);
    expect((await findArtifacts({ index: s.index, records: s.records }, { package: 'left-pad' })).artifacts).toEqual([]);
    expect(() => parseVersionRange('~>1.2')).toThrow(/not OP VERSION/);
  });

  it('marks an artifact whose scan was incomplete as pending under its ecosystems', async () => {
    // No data was configured: every scan above was incomplete.
    expect((await s.index.pending('npm')).map((p) => p.digest).sort()).toEqual([digestOf(1), digestOf(2)]);
    expect((await s.index.pending('PyPI')).map((p) => p.digest)).toEqual([digestOf(3)]);
  });
});
