import { cycloneDxJson } from '../../../lambdas/sbom/writers/cyclonedx';
import { validateCycloneDx } from '../../../lambdas/sbom/writers/cyclonedx-validate';
import { spdxDocument } from '../../../lambdas/sbom/writers/spdx';
import { isSpdxExpression } from '../../../lambdas/sbom/writers/spdx-expression';
import { LICENSE_NAMES, spdxLicense } from '../../../lambdas/sbom/writers/spdx-license';
import { sbomTable } from '../../../lambdas/sbom/writers/table';
import type { Component, ImageSbom, SbomSubject } from '../../../lambdas/sbom/component';
import { validateSpdx23 } from '../../support/spdx-schema';

describe('licence text → SPDX', () => {
  it.each([
    // SPDX License List full names
    ['Apache License 2.0', 'Apache-2.0'],
    ['MIT License', 'MIT'],
    ['BSD 3-Clause "New" or "Revised" License', 'BSD-3-Clause'],
    ['GNU General Public License v2.0 or later', 'GPL-2.0-or-later'],
    ['GNU Lesser General Public License v2.1 only', 'LGPL-2.1-only'],
    ['Mozilla Public License 2.0', 'MPL-2.0'],
    ['ISC License', 'ISC'],
    ['The Unlicense', 'Unlicense'],
    // PyPI trove classifiers (last segment)
    ['GNU General Public License v2 or later (GPLv2+)', 'GPL-2.0-or-later'],
    ['GNU General Public License v3 (GPLv3)', 'GPL-3.0-only'],
    ['Mozilla Public License 2.0 (MPL 2.0)', 'MPL-2.0'],
    ['ISC License (ISCL)', 'ISC'],
    // Fedora legacy abbreviations
    ['GPLv2+', 'GPL-2.0-or-later'],
    ['GPLv3', 'GPL-3.0-only'],
    ['ASL 2.0', 'Apache-2.0'],
    ['LGPLv2.1+', 'LGPL-2.1-or-later'],
    // Debian copyright-format short names with "+"
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['LGPL-3+', 'LGPL-3.0-or-later'],
    ['Expat', 'MIT'],
    // Maven POM titles and common spellings
    ['The Apache Software License, Version 2.0', 'Apache-2.0'],
    ['Apache 2.0', 'Apache-2.0'],
    ['Eclipse Public License - v 1.0', 'EPL-1.0'],
    ['  mit   license ', 'MIT'],
    // Ids and operators in the wrong case
    ['mit', 'MIT'],
    ['apache-2.0 or mit', 'Apache-2.0 OR MIT'],
    ['BSD-3-clause', 'BSD-3-Clause'],
    ['(mit OR apache-2.0) and bsd-2-clause', '(MIT OR Apache-2.0) AND BSD-2-Clause'],
    ['gpl-2.0-or-later with classpath-exception-2.0', 'GPL-2.0-or-later WITH Classpath-exception-2.0'],
    // Each part named, joined the Fedora/Perl way
    ['ASL 2.0 and MIT', 'Apache-2.0 AND MIT'],
    ['GPLv2+ or Artistic License 2.0', 'GPL-2.0-or-later OR Artistic-2.0'],
    ['MIT License and apache-2.0 or mit', 'MIT AND Apache-2.0 OR MIT'],
  ])('%j → %s', (text, id) => {
    expect(spdxLicense(text)).toBe(id);
  });

  it.each([
    // Already SPDX: kept as written (deprecated ids too)
    'MIT',
    'Apache-2.0 OR MIT',
    'GPL-2.0+',
    'GPL-2.0',
    'LGPL-2.1+', // Debian's LGPL-2.1+ is also SPDX's (deprecated) LGPL-2.1+: the same meaning
    'LicenseRef-scancode-public-domain',
    'GPL-2.0-or-later WITH Classpath-exception-2.0',
  ])('%j is already an SPDX expression: unchanged', (text) => {
    expect(spdxLicense(text)).toBe(text);
  });

  it.each([
    'BSD License', // which BSD?
    'Apache Software License', // which version?
    'GNU General Public License (GPL)',
    'GPL-2', // from a /usr/share/common-licenses reference: "or later" unknown
    'LGPLv2+', // Fedora used it for 2.0+ and 2.1+ alike
    'GPL',
    'Public Domain',
    'UNLICENSED', // npm: proprietary, not the Unlicense
    'Proprietary',
    'MIT and BSD', // one part does not map: the whole text stays
    'GPLv2+ and (LGPLv2+ or MIT)',
    'See LICENSE.txt',
    'GPL-2+ with OpenSSL exception',
    '',
    'constructor', // an Object.prototype member, not a table entry
    '__proto__',
  ])('%j maps to no SPDX id (the text is kept)', (text) => {
    expect(spdxLicense(text)).toBeUndefined();
  });

  it('every name in the table maps to an SPDX id spdx-expression-parse accepts, and is keyed as looked up', () => {
    expect(Object.keys(LICENSE_NAMES).length).toBeGreaterThan(50);
    for (const [name, id] of Object.entries(LICENSE_NAMES)) {
      expect([name, isSpdxExpression(id) && !/\s/.test(id)]).toEqual([name, true]);
      expect(name).toBe(name.toLowerCase().replace(/\s+/g, ' ').trim());
    }
  });
});

describe('SBOM writers write SPDX ids where the text maps, and keep the text where it does not', () => {
  const subject: SbomSubject = { name: 'localhost/app', digest: `sha256:${'a'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', kind: 'image' };
  const component = (name: string, licenses: string[]): Component => ({
    bomRef: `pkg:npm/${name}@1.0.0`,
    purl: `pkg:npm/${name}@1.0.0`,
    ecosystem: 'npm',
    name,
    version: '1.0.0',
    licenses,
    locations: [{ path: `app/node_modules/${name}/package.json`, layer: `sha256:${'b'.repeat(64)}` }],
    introducedBy: `sha256:${'b'.repeat(64)}`,
  });
  const image: ImageSbom = {
    manifestDigest: subject.digest,
    manifestMediaType: subject.mediaType,
    components: [component('named', ['MIT License']), component('mixed', ['ASL 2.0', 'Proprietary']), component('expr', ['apache-2.0 or mit']), component('spdx', ['ISC'])],
    warnings: [],
    gaps: [],
    layers: [],
  };

  it('CycloneDX: an id or expression, the declared text as a property; unmapped text as a licence name', async () => {
    const json = cycloneDxJson(subject, image, { timestamp: new Date('2026-01-01T00:00:00Z') });
    expect(await validateCycloneDx(json)).toEqual([]);
    const byName = new Map((JSON.parse(json).components as { name: string; licenses: unknown[]; properties: { name: string; value: string }[] }[]).map((c) => [c.name, c]));
    const declared = (n: string) => byName.get(n)!.properties.filter((p) => p.name === 'artifact-guard:license:declared').map((p) => p.value);
    expect(byName.get('named')!.licenses).toEqual([{ license: { id: 'MIT' } }]);
    expect(declared('named')).toEqual(['MIT License']);
    // (the serializer sorts lists)
    expect(byName.get('mixed')!.licenses).toEqual([{ license: { name: 'Proprietary' } }, { license: { id: 'Apache-2.0' } }]);
    expect(declared('mixed')).toEqual(['ASL 2.0']);
    expect(byName.get('expr')!.licenses).toEqual([{ expression: 'Apache-2.0 OR MIT' }]);
    expect(byName.get('spdx')!.licenses).toEqual([{ license: { id: 'ISC' } }]);
    expect(declared('spdx')).toEqual([]);
  });

  it('SPDX 2.3: licenseDeclared with ids, LicenseRef only for unmapped text, the declared text in licenseComments', () => {
    const doc = spdxDocument(subject, image, { timestamp: new Date('2026-01-01T00:00:00Z'), namespaceId: 'x' });
    expect(validateSpdx23(doc)).toEqual([]);
    const pkgs = new Map((doc.packages as { name: string; licenseDeclared: string; licenseComments?: string }[]).map((p) => [p.name, p]));
    expect(pkgs.get('named')).toMatchObject({ licenseDeclared: 'MIT', licenseComments: 'Declared as "MIT License"; written as SPDX identifiers.' });
    expect(pkgs.get('mixed')).toMatchObject({ licenseDeclared: 'Apache-2.0 AND LicenseRef-Proprietary', licenseComments: 'Declared as "ASL 2.0"; written as SPDX identifiers.' });
    expect(pkgs.get('expr')!.licenseDeclared).toBe('Apache-2.0 OR MIT');
    expect(pkgs.get('spdx')).not.toHaveProperty('licenseComments');
    expect(doc.hasExtractedLicensingInfos).toEqual([{ licenseId: 'LicenseRef-Proprietary', name: 'Proprietary', extractedText: 'Proprietary' }]);
  });

  it('the sbom table shows the SPDX ids', () => {
    const text = sbomTable(subject, [image]);
    expect(text).toMatch(/^named\s+1\.0\.0\s+npm\s+MIT$/m);
    expect(text).toMatch(/^mixed\s+1\.0\.0\s+npm\s+Apache-2\.0, Proprietary$/m);
    expect(text).toMatch(/^expr\s+1\.0\.0\s+npm\s+Apache-2\.0 OR MIT$/m);
  });

  it('the sbom table fits 120 columns: long names end in …, long licence lists in +N', () => {
    const many = { ...image, components: [{ ...image.components[0]!, name: `a-very-long-package-name-${'x'.repeat(80)}`, licenses: ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC', 'GPL-2.0-only'] }] };
    const text = sbomTable(subject, [many]);
    const row = text.split('\n').find((l) => l.startsWith('a-very-long'));
    expect(row?.length).toBeLessThanOrEqual(120);
    expect(row).toMatch(/^a-very-long-package-name-x+…\s/);
    expect(row).toMatch(/MIT, Apache-2\.0, BSD-3-Clause \+2$|MIT, Apache-2\.0 \+3$/);
  });
});
