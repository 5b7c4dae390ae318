import { predicateFromFile } from '../../../lambdas/attest/predicate-file';
import { predicateTypeFor, PREDICATE_TYPES } from '../../../lambdas/attest/predicate-types';
import { cycloneDxPredicate } from '../../../lambdas/attest/predicates/cyclonedx';
import { BUILD_TYPE, slsaProvenancePredicate, UNIDENTIFIED_BUILDER } from '../../../lambdas/attest/predicates/slsa-provenance';
import { vulnPredicate } from '../../../lambdas/attest/predicates/vuln';
import { buildStatement, parseStatement, statementBytes, subjectMatches } from '../../../lambdas/attest/statement';
import type { ResolvedArtifact } from '../../../lambdas/workflow/state';

const DIGEST = `sha256:${'9f'.repeat(32)}`;

const artifact: ResolvedArtifact = {
  source: 'registry:123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2.3',
  repositoryName: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app',
  digest: DIGEST,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  kind: 'image',
  tag: '1.2.3',
  platforms: [],
  targets: [{ digest: DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1024, role: 'image' }],
  provenance: {
    revision: '0123456789abcdef0123456789abcdef01234567',
    source: 'https://github.com/example/app',
    created: '2026-05-04T03:02:01Z',
    version: '1.2.3',
    buildId: 'build-77',
    pipeline: 'https://github.com/example/app/.github/workflows/release.yml',
    author: 'dev@example.com',
  },
  trigger: { type: 'ecr-push', id: 'evt-1', time: '2026-05-04T03:03:00Z' },
  duplicate: false,
};

describe('in-toto statements', () => {
  it('name the image and its digest without the sha256: prefix', () => {
    const s = buildStatement(artifact.repositoryName, DIGEST, PREDICATE_TYPES.vuln, {});
    expect(s).toEqual({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: artifact.repositoryName, digest: { sha256: '9f'.repeat(32) } }], predicateType: PREDICATE_TYPES.vuln, predicate: {} });
    const back = parseStatement(statementBytes(s));
    expect(back.ok && back.statement).toEqual(s);
    expect(back.ok && subjectMatches(back.statement, DIGEST)).toBe(true);
    expect(back.ok && subjectMatches(back.statement, `sha256:${'00'.repeat(32)}`)).toBe(false);
    expect(() => buildStatement('x', `sha512:${'a'.repeat(128)}`, 'p', {})).toThrow(/sha256/);
  });

  it('parsing is strict: duplicate keys, a missing subject digest or another _type are refused', () => {
    const bad = [
      '{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"a"}}],"predicateType":"p","predicateType":"q"}',
      '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x"}],"predicateType":"p"}',
      '{"_type":"https://example.com/Statement","subject":[{"digest":{"sha256":"a"}}],"predicateType":"p"}',
      '{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}',
    ];
    for (const b of bad) expect(parseStatement(Buffer.from(b)).ok).toBe(false);
  });
});

describe('SLSA provenance v1 from the recorded provenance', () => {
  it('maps labels to buildDefinition and runDetails', () => {
    const p = slsaProvenancePredicate({ ...artifact, attestor: 'aws://123456789012/eu-west-1' });
    expect(p).toEqual({
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: {
          source: { repository: 'https://github.com/example/app', revision: '0123456789abcdef0123456789abcdef01234567' },
          buildId: 'build-77',
          pipeline: 'https://github.com/example/app/.github/workflows/release.yml',
          version: '1.2.3',
          author: 'dev@example.com',
        },
        internalParameters: {
          attestor: { id: 'aws://123456789012/eu-west-1', trigger: { type: 'ecr-push', id: 'evt-1', time: '2026-05-04T03:03:00Z' } },
          image: { name: artifact.repositoryName, digest: DIGEST, tag: '1.2.3' },
        },
        resolvedDependencies: [{ uri: 'git+https://github.com/example/app', digest: { gitCommit: '0123456789abcdef0123456789abcdef01234567' } }],
      },
      runDetails: {
        builder: { id: 'https://github.com/example/app/.github/workflows/release.yml', version: { 'artifact-guard': '0.1.0' } },
        metadata: { invocationId: 'build-77', finishedOn: '2026-05-04T03:02:01Z' },
      },
    });
  });

  it('without labels: the required fields are still there, the builder is unidentified, bad times are left out', () => {
    const p = slsaProvenancePredicate({ repositoryName: 'r', digest: DIGEST, provenance: { created: 'yesterday', pipeline: 'nightly job' }, startedOn: '2026-01-01T00:00:00Z' });
    expect(p.buildDefinition).toMatchObject({ buildType: BUILD_TYPE, externalParameters: { pipeline: 'nightly job' }, resolvedDependencies: [] });
    expect(p.runDetails).toEqual({ builder: { id: UNIDENTIFIED_BUILDER, version: { 'artifact-guard': '0.1.0' } }, metadata: { startedOn: '2026-01-01T00:00:00Z' } });
    expect(slsaProvenancePredicate({ repositoryName: 'r', digest: DIGEST, provenance: {}, builderId: 'https://ci.example.com' }).runDetails).toMatchObject({ builder: { id: 'https://ci.example.com' } });
  });
});

describe('cosign vuln predicate', () => {
  it('has cosign\'s literal keys and carries the report as scanner.result', () => {
    const report = { format: 'artifact-guard/scan-report@1', findings: [] };
    expect(vulnPredicate({ report, scanStartedOn: 'a', scanFinishedOn: 'b', eventId: 'evt-1', db: { uri: 'https://api.osv.dev', version: 'v' } })).toEqual({
      invocation: { parameters: [], uri: '', event_id: 'evt-1', 'builder.id': 'pkg:npm/artifact-guard@0.1.0' },
      // scanner.sources: every scanner the result rests on (here our own scan alone).
      scanner: { uri: 'pkg:npm/artifact-guard@0.1.0', version: '0.1.0', db: { uri: 'https://api.osv.dev', version: 'v' }, sources: [{ name: 'artifact-guard' }], result: report },
      metadata: { scanStartedOn: 'a', scanFinishedOn: 'b' },
    });
  });
});

describe('predicate files (attest --predicate)', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it('checks each type\'s shape', () => {
    expect(() => predicateFromFile(PREDICATE_TYPES.cyclonedx, Buffer.from('{"bomFormat":"SPDX"}'), 'f', now)).toThrow(/not a CycloneDX SBOM/);
    expect(() => predicateFromFile(PREDICATE_TYPES.slsaprovenance1, Buffer.from('{"buildType":"x"}'), 'f', now)).toThrow(/not a SLSA provenance v1 predicate/);
    expect(() => predicateFromFile(PREDICATE_TYPES.vuln, Buffer.from('[1]'), 'f', now)).toThrow(/JSON object/);
    expect(() => predicateFromFile(PREDICATE_TYPES.vuln, Buffer.from('{"a":1,"a":2}'), 'f', now)).toThrow(/duplicate key/);
  });

  it('wraps a scan report into the vuln predicate, keeps a complete predicate as it is', () => {
    const wrapped = predicateFromFile(PREDICATE_TYPES.vuln, Buffer.from('{"generatedAt":"2026-05-01T00:00:00Z","findings":[]}'), 'f', now);
    expect(wrapped).toMatchObject({ scanner: { result: { findings: [] } }, metadata: { scanStartedOn: '2026-05-01T00:00:00Z', scanFinishedOn: '2026-05-01T00:00:00Z' } });
    const complete = vulnPredicate({ report: {}, scanStartedOn: 'x', scanFinishedOn: 'y' });
    expect(predicateFromFile(PREDICATE_TYPES.vuln, Buffer.from(JSON.stringify(complete)), 'f', now)).toEqual(complete);
    expect(cycloneDxPredicate('{"bomFormat":"CycloneDX","specVersion":"1.6"}')).toEqual({ bomFormat: 'CycloneDX', specVersion: '1.6' });
  });

  it('type names map to cosign\'s predicate URIs; a URI is taken as it is', () => {
    expect(['slsaprovenance1', 'cyclonedx', 'vuln'].map((t) => predicateTypeFor(t))).toEqual(['https://slsa.dev/provenance/v1', 'https://cyclonedx.org/bom', 'https://cosign.sigstore.dev/attestation/vuln/v1']);
    expect(predicateTypeFor('https://example.com/p')).toBe('https://example.com/p');
    expect(() => predicateTypeFor('spdx')).toThrow(/--type must be one of/);
  });
});
