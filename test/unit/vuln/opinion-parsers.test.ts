import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError } from '../../../lambdas/core/errors';
import { parseOpinion } from '../../../lambdas/vuln/imports/parse';
import { ComponentIndex, purlKey } from '../../../lambdas/vuln/imports/match';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'second-opinions');
const read = (name: string): string => fs.readFileSync(path.join(DIR, name), 'utf8');
const A = 'sha256:f2a61ba65c935c5868393b3ed04e77361ceb199befab765a91a4a7d4456da6d2';
const CONFIG = 'sha256:20548860eea3e0e8de95bca449544c4e8ad253aea21b205a362192e1d8b1999a';

function refused(text: string, pattern: RegExp): void {
  expect(() => parseOpinion(text, 'r.json')).toThrow(BadInputError);
  expect(() => parseOpinion(text, 'r.json')).toThrow(pattern);
}

describe('Trivy JSON', () => {
  const r = parseOpinion(read('trivy.json'), 'trivy.json');
  it('reads the tool, the image digests and platform, and each vulnerability', () => {
    expect(r.format).toBe('trivy-json');
    expect(r.tool.name).toBe('trivy');
    expect(r.scannedAt).toBe('2026-11-30T10:05:12.457662Z');
    expect(r.subject.digests).toEqual([A, CONFIG]);
    expect(r.subject.platform).toBe('linux/amd64');
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    const lodash = r.findings.find((f) => f.id === 'CVE-2021-23337');
    expect(lodash).toMatchObject({ package: { name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20', type: 'npm' }, severity: 'high', fixed: ['4.17.21'], status: 'affected', statusDetail: 'fixed' });
    expect(lodash?.vendorSeverities).toEqual([
      { source: 'ghsa', severity: 'high' },
      { source: 'nvd', severity: 'high' },
      { source: 'redhat', severity: 'medium' },
    ]);
    // "1.2.3, 0.2.1": Trivy joins several fixed versions with commas.
    expect(r.findings.find((f) => f.id === 'CVE-2020-7598')?.fixed).toEqual(['1.2.3', '0.2.1']);
  });
  it('reads not_affected as ruling out, and refuses other schema versions and malformed entries', () => {
    const doc = JSON.parse(read('trivy.json'));
    doc.Results[0].Vulnerabilities[0].Status = 'not_affected';
    expect(parseOpinion(JSON.stringify(doc), 't').findings[0]?.status).toBe('not_affected');
    refused(JSON.stringify({ ...doc, SchemaVersion: 1 }), /SchemaVersion 1 is not supported/);
    const noName = JSON.parse(read('trivy.json'));
    delete noName.Results[0].Vulnerabilities[1].PkgName;
    refused(JSON.stringify(noName), /Results\[0\]\.Vulnerabilities\[1\]\.PkgName is missing/);
    refused(JSON.stringify({ ...doc, Results: { x: 1 } }), /Results is not a list/);
  });
  it('a Type or Severity named like an Object.prototype member reads as unknown, not as a function', () => {
    const doc = JSON.parse(read('trivy.json'));
    doc.Results[0].Type = 'constructor';
    doc.Results[0].Vulnerabilities[0].Severity = 'constructor';
    const f = parseOpinion(JSON.stringify(doc), 't').findings[0];
    expect(f?.package.type).toBeUndefined();
    expect(f?.severity).toBe('unknown');
  });
});

describe('Grype JSON', () => {
  const r = parseOpinion(read('grype.json'), 'grype.json');
  it('reads the match, its related CVE as an alias, the fix and the database build time', () => {
    expect(r).toMatchObject({ format: 'grype-json', tool: { name: 'grype', version: '0.84.0' }, database: { updated: '2026-11-29T01:31:42Z', version: 'schema v6.0.2' }, scannedAt: '2026-11-30T10:07:44.120811Z' });
    expect(r.subject.digests).toEqual([A, CONFIG]);
    expect(r.subject.platform).toBe('linux/amd64');
    expect(r.findings).toEqual([
      expect.objectContaining({ id: 'GHSA-vh95-rmgr-6w4m', aliases: ['CVE-2020-7598'], severity: 'high', fixed: ['1.2.3'], status: 'affected', package: expect.objectContaining({ name: 'minimist', version: '1.2.0', purl: 'pkg:npm/minimist@1.2.0', type: 'npm' }) }),
    ]);
  });
  it('reads an ignored match with a VEX status as ruling out, and one ignored by configuration as affected', () => {
    const doc = JSON.parse(read('grype.json'));
    const match = doc.matches[0];
    doc.matches = [];
    doc.ignoredMatches = [
      { ...match, appliedIgnoreRules: [{ vulnerability: 'GHSA-vh95-rmgr-6w4m', 'vex-status': 'not_affected', 'vex-justification': 'vulnerable_code_not_in_execute_path' }] },
      { ...match, appliedIgnoreRules: [{ vulnerability: 'GHSA-vh95-rmgr-6w4m', 'fix-state': 'fixed' }] },
    ];
    const [vex, config] = parseOpinion(JSON.stringify(doc), 'g').findings;
    expect(vex?.status).toBe('not_affected');
    expect(vex?.statusDetail).toMatch(/vulnerable_code_not_in_execute_path/);
    expect(config?.status).toBe('affected');
  });
  it('refuses a document that is not grype, and a match without an artifact', () => {
    const doc = JSON.parse(read('grype.json'));
    refused(JSON.stringify({ ...doc, descriptor: { name: 'syft' } }), /descriptor.name is "syft", not grype/);
    delete doc.matches[0].artifact;
    refused(JSON.stringify(doc), /matches\[0\]\.artifact is not an object/);
  });
});

describe('Clair v4 vulnerability report', () => {
  const r = parseOpinion(read('clair.json'), 'clair.json');
  it('reads each package vulnerability, the ecosystem from the distribution, advisory names with their CVEs', () => {
    expect(r.format).toBe('clair-v4');
    expect(r.subject.digests).toEqual(['sha256:832b06ea5b8432bd2ef4e04d512ba1286aed4fe70660b92af0e245796fd1ed2b']);
    expect(r.findings).toHaveLength(3);
    const dsa = r.findings.find((f) => f.id === 'DSA-5417-1');
    expect(dsa).toMatchObject({ aliases: ['CVE-2023-0464', 'CVE-2023-0465'], severity: 'high', fixed: ['3.0.9-1'], package: { name: 'libssl3', version: '3.0.11-1~deb12u1', type: 'deb', source: 'openssl' } });
    const zlib = r.findings.find((f) => f.id === 'CVE-2023-45853');
    expect(zlib).toMatchObject({ severity: 'critical', fixed: [], vendorSeverities: [{ source: 'debian/updater/bookworm', severity: 'critical' }] });
  });
  it('refuses a package_vulnerabilities entry naming a vulnerability the report lacks', () => {
    const doc = JSON.parse(read('clair.json'));
    doc.package_vulnerabilities['57'] = ['999'];
    refused(JSON.stringify(doc), /vulnerabilities\.999 \(named by package_vulnerabilities\.57\) is not an object/);
    refused(JSON.stringify({ ...doc, manifest_hash: 'abc' }), /manifest_hash "abc" is not a sha256 digest/);
  });
});

describe('CycloneDX vulnerabilities / VEX', () => {
  const r = parseOpinion(read('vex.cdx.json'), 'vex.cdx.json');
  it('resolves affects refs to components and reads analysis states', () => {
    expect(r).toMatchObject({ format: 'cyclonedx', tool: { name: 'vexctl-like review', version: '1' }, subject: { digests: [A] } });
    expect(r.findings).toEqual([
      expect.objectContaining({ id: 'CVE-2020-7598', aliases: ['GHSA-vh95-rmgr-6w4m'], status: 'not_affected', severity: 'medium', package: expect.objectContaining({ purl: 'pkg:npm/minimist@1.2.0', ref: 'minimist' }) }),
    ]);
    expect(r.findings[0]?.statusDetail).toBe('not_affected: code_not_reachable: minimist only parses our own fixed argv');
  });
  it('refuses an unknown state, a vulnerability without affects, and an SBOM without vulnerabilities', () => {
    const doc = JSON.parse(read('vex.cdx.json'));
    doc.vulnerabilities[0].analysis.state = 'maybe';
    refused(JSON.stringify(doc), /unknown analysis.state "maybe"/);
    doc.vulnerabilities[0].analysis.state = 'exploitable';
    doc.vulnerabilities[0].affects = [];
    refused(JSON.stringify(doc), /has no affects\[\]\.ref/);
    refused(read('app.cdx.json'), /an SBOM is not a second opinion/);
  });
});

describe('Amazon Inspector findings', () => {
  const r = parseOpinion(read('inspector-findings.json'), 'inspector.json');
  it('reads active findings for the image hash and leaves CLOSED ones out', () => {
    expect(r).toMatchObject({ format: 'amazon-inspector', tool: { name: 'amazon-inspector' }, scannedAt: '2026-11-30T09:40:02.000Z', subject: { digests: [A] } });
    expect(r.findings).toEqual([
      expect.objectContaining({ id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'], severity: 'high', fixed: ['4.17.21'], package: { name: 'lodash', version: '4.17.20', type: 'npm' }, vendorSeverities: [{ source: 'NVD', severity: 'high' }] }),
    ]);
  });
  it('joins epoch, version and release of OS packages, and refuses findings for several images', () => {
    const doc = JSON.parse(read('inspector-findings.json'));
    doc.findings[0].packageVulnerabilityDetails.vulnerablePackages = [{ name: 'openssl', version: '3.0.11', release: '1~deb12u2', epoch: 1, packageManager: 'OS' }];
    expect(parseOpinion(JSON.stringify(doc), 'i').findings[0]?.package).toEqual({ name: 'openssl', version: '1:3.0.11-1~deb12u2' });
    doc.findings[1].status = 'ACTIVE';
    doc.findings[1].resources[0].details.awsEcrContainerImage.imageHash = 'sha256:f41408bf6c34db52ab1cbcc6c22f7b1eaae411f854541400fb0aa6833d20507e';
    refused(JSON.stringify(doc), /several images/);
  });
});

describe('unrecognised input', () => {
  it('is one clear error naming the formats read', () => {
    refused('not json', /the report is not JSON/);
    refused('[1]', /not a JSON object/);
    refused('{"hello":1}', /not a report this reads \(Trivy JSON/);
  });
});

describe('matching to our components', () => {
  const components = [
    { bomRef: 'a', purl: 'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1', name: 'busybox', version: '1.36.1-r15' },
    { bomRef: 'b', purl: 'pkg:pypi/Jinja2@3.1.2', name: 'Jinja2', version: '3.1.2' },
    { bomRef: 'c', purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl', name: 'libssl3', version: '3.0.11-1~deb12u1' },
    { bomRef: 'd', purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-core@2.20.1', name: 'com.fasterxml.jackson.core/jackson-core', version: '2.20.1' },
  ];
  const index = new ComponentIndex(components);
  it('compares purls as the spec says: qualifiers ignored, case and PyPI separators folded', () => {
    expect(index.componentsFor({ name: 'busybox', version: '1.36.1-r15', purl: 'pkg:apk/alpine/busybox@1.36.1-r15?arch=aarch64&distro=3.19.1' }).map((c) => c.bomRef)).toEqual(['a']);
    expect(index.componentsFor({ name: 'jinja2', version: '3.1.2', purl: 'pkg:pypi/jinja2@3.1.2' }).map((c) => c.bomRef)).toEqual(['b']);
    expect(purlKey('pkg:pypi/Foo_Bar@1')).toEqual(purlKey('pkg:pypi/foo-bar@1'));
    expect(index.componentsFor({ name: 'busybox', version: '1.36.1-r16', purl: 'pkg:apk/alpine/busybox@1.36.1-r16' })).toEqual([]);
  });
  it('falls back to name, version and ecosystem without a purl (any OS type when the report does not say)', () => {
    expect(index.componentsFor({ name: 'libssl3', version: '3.0.11-1~deb12u1', type: 'deb' }).map((c) => c.bomRef)).toEqual(['c']);
    expect(index.componentsFor({ name: 'libssl3', version: '3.0.11-1~deb12u1' }).map((c) => c.bomRef)).toEqual(['c']);
    expect(index.componentsFor({ name: 'libssl3', version: '3.0.11-1~deb12u1', type: 'npm' })).toEqual([]);
    expect(index.componentsFor({ name: 'com.fasterxml.jackson.core:jackson-core', version: '2.20.1', type: 'maven' }).map((c) => c.bomRef)).toEqual(['d']);
  });
});

describe('our own report read back as a second opinion', () => {
  it('is never named as our scan', () => {
    const doc = JSON.parse(read('vex.cdx.json'));
    doc.metadata.tools = { components: [{ type: 'application', name: 'artifact-guard', version: '0.1.0' }] };
    expect(parseOpinion(JSON.stringify(doc), 'ours.cdx.json').tool).toEqual({ name: 'artifact-guard-report', version: '0.1.0' });
  });
});
