import { validateSpdx23 } from '../support/spdx-schema';
import { defined } from '../support/defined';

function minimalDocument(): Record<string, unknown> {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'example',
    documentNamespace: 'https://example.com/spdx/example-0b7c6f0e',
    creationInfo: {
      created: '2026-01-01T00:00:00Z',
      creators: ['Tool: x-1'],
    },
    packages: [
      {
        SPDXID: 'SPDXRef-Package-example',
        name: 'example',
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
      },
    ],
    relationships: [
      {
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'DESCRIBES',
        relatedSpdxElement: 'SPDXRef-Package-example',
      },
    ],
  };
}

describe('validateSpdx23 (SPDX 2.3 JSON schema)', () => {
  it('accepts a minimal valid document', () => {
    expect(validateSpdx23(minimalDocument())).toEqual([]);
  });

  it('rejects a document without creationInfo', () => {
    const doc = minimalDocument();
    delete doc.creationInfo;
    const errors = validateSpdx23(doc);
    expect(errors).toContain("/: must have required property 'creationInfo'");
  });

  it('rejects a package SPDXID with a space in it', () => {
    const doc = minimalDocument();
    defined((doc.packages as Record<string, unknown>[])[0]).SPDXID = 'SPDXRef-has space';
    const errors = validateSpdx23(doc);
    expect(errors).toContain('/packages/0/SPDXID: must match pattern "^SPDXRef-[a-zA-Z0-9.-]+$"');
  });

  it('rejects a created timestamp not in YYYY-MM-DDThh:mm:ssZ form', () => {
    const doc = minimalDocument();
    (doc.creationInfo as Record<string, unknown>).created = '2026-01-01 00:00:00+01:00';
    const errors = validateSpdx23(doc);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\/creationInfo\/created: must match pattern /);
  });
});
