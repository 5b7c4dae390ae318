import { closest, editDistance } from '../../../lambdas/core/closest';

describe('closest (did-you-mean hints)', () => {
  it.each([
    ['scan', 'scna', 1],
    ['oci-dir', 'ocidir', 1],
    ['registry', 'regsitry', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('editDistance(%s, %s) = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('suggests a near candidate and nothing for a far one', () => {
    expect(closest('ocidir', ['registry', 'oci-dir', 'oci-archive'])).toBe('oci-dir');
    expect(closest('scna', ['sbom', 'scan', 'sign'])).toBe('scan');
    expect(closest('deploy', ['sbom', 'scan', 'sign'])).toBeUndefined();
  });
});
