import fc from 'fast-check';
import { PackageURL } from 'packageurl-js';
import { fastParsePurl } from '../../../lambdas/vuln/osv/purl-parse';

/** packageurl-js's reading, in the same shape (the reference the fast parser must agree with). */
function reference(purl: string) {
  const p = PackageURL.fromString(purl);
  return {
    type: p.type,
    name: p.name,
    qualifiers: Object.fromEntries(Object.entries(p.qualifiers ?? {})),
    ...(p.namespace ? { namespace: p.namespace } : {}),
    ...(p.version ? { version: p.version } : {}),
  };
}

describe('fast purl parser', () => {
  it.each([
    'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
    'pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2',
    'pkg:deb/debian/attr@1%3A2.4.47-2%2Bb1?arch=amd64',
    'pkg:deb/debian/attr@1:2.4.47-2+b1?arch=amd64&distro=bookworm',
    'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1',
    'pkg:npm/%40angular/animation@12.3.1',
    'pkg:npm/lodash@4.17.21',
    'pkg:golang/github.com/gorilla/websocket@v1.5.0#sub/pkg',
    'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar',
    'pkg:oci/debian@sha256%3A244fd47e07d10?arch=amd64&repository_url=docker.io%2Flibrary%2Fdebian&tag=latest',
    'pkg:generic/openssl@1.1.10g',
    'pkg:rpm/almalinux/openssl-libs@3.0.7-25.el9_3?arch=x86_64&epoch=1&upstream=openssl-3.0.7-25.el9_3.src.rpm',
  ])('agrees with packageurl-js on %s', (purl) => {
    expect(fastParsePurl(purl)).toEqual(reference(purl));
  });

  it('reads an npm scope written with a bare @ and no version', () => {
    expect(fastParsePurl('pkg:npm/@babel/core')).toEqual({ type: 'npm', namespace: '@babel', name: 'core', qualifiers: {} });
  });

  it('refuses what is not a purl (callers fall back to packageurl-js, which explains why)', () => {
    for (const bad of ['', 'npm/lodash@1', 'pkg:', 'pkg:npm', 'pkg:npm/', 'pkg:npm/x@%E0%A4%A', 'pkg:npm/x?novalue', 'pkg:1bad/x']) expect(fastParsePurl(bad)).toBeUndefined();
  });

  it('agrees with packageurl-js on generated purls (fast-check)', () => {
    const segment = fc.string({ unit: fc.constantFrom(...'abcXYZ019.-_~+:@%/ é#?&='.split('')), minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 3 }),
        segment,
        fc.option(segment, { nil: undefined }),
        fc.dictionary(fc.constantFrom('arch', 'distro', 'upstream', 'epoch'), segment, { maxKeys: 3 }),
        (namespace, name, version, qualifiers) => {
          // The generic type applies no per-type normalisation in either parser.
          const ns = namespace.filter((s) => s.trim() !== '' && s !== '.' && s !== '..');
          let purl: string;
          try {
            purl = new PackageURL('generic', ns.length ? ns.join('/') : undefined, name, version, qualifiers, undefined).toString();
          } catch {
            return true; // not a valid purl to begin with
          }
          let expected;
          try {
            expected = reference(purl);
          } catch {
            return true;
          }
          expect(fastParsePurl(purl)).toEqual(expected);
          return true;
        },
      ),
      { numRuns: 1000 },
    );
  });
});
