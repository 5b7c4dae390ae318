import { alpineRelease, debianRelease, purlTarget, recordPurlPackage, ubuntuRelease } from '../../../lambdas/vuln/osv/purl-target';
import { referenceReason } from '../../../lambdas/vuln/osv/artifact-references';
import { ecosystemKey, lookupKeys, normalizeName, packageKey } from '../../../lambdas/vuln/osv/ecosystems';

const target = (purl: string, fallback?: string) => {
  const r = purlTarget(purl, fallback);
  if ('unsupported' in r) throw new Error(r.unsupported);
  return r.target;
};
const unsupported = (purl: string): string => {
  const r = purlTarget(purl);
  if (!('unsupported' in r)) throw new Error(`expected unsupported, got ${JSON.stringify(r.target)}`);
  return r.unsupported;
};

describe('purl → OSV package', () => {
  it('Debian: release from distro (number or codename), source package from upstream', () => {
    expect(target('pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl')).toEqual({ ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u2' });
    expect(target('pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=bookworm')).toEqual({ ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u2' });
    expect(target('pkg:deb/debian/openssl@1.1.0l-1~deb9u5?distro=debian-stretch').ecosystem).toBe('Debian:9');
    expect(target('pkg:deb/debian/zlib1g@1.2.13.dfsg-1?distro=debian-12.5&upstream=zlib').ecosystem).toBe('Debian:12');
  });

  it('Debian: the source version of a binNMU is what advisories compare', () => {
    // Syft writes upstream=SRC@SRCVERSION (percent-encoded @) when the versions differ.
    expect(target('pkg:deb/debian/bash@5.2.15-2%2Bb8?arch=amd64&distro=debian-12&upstream=bash%405.2.15-2')).toEqual({ ecosystem: 'Debian:12', name: 'bash', version: '5.2.15-2' });
  });

  it('Debian: epochs survive percent-encoding', () => {
    expect(target('pkg:deb/debian/attr@1%3A2.4.47-2%2Bb1?arch=amd64&distro=debian-12').version).toBe('1:2.4.47-2+b1');
    expect(target('pkg:deb/debian/attr@1:2.4.47-2+b1?arch=amd64&distro=debian-12').version).toBe('1:2.4.47-2+b1');
  });

  it('Debian without a known release is not scanned (and says why)', () => {
    expect(unsupported('pkg:deb/debian/openssl@3.0.11-1?arch=amd64')).toMatch(/unknown debian release/);
    expect(unsupported('pkg:deb/debian/openssl@3.0.11-1?distro=debian')).toMatch(/unknown debian release/);
  });

  it('Ubuntu: release, LTS suffix, codenames', () => {
    expect(target('pkg:deb/ubuntu/libc6@2.35-0ubuntu3.6?distro=ubuntu-22.04&upstream=glibc')).toEqual({ ecosystem: 'Ubuntu:22.04:LTS', name: 'glibc', version: '2.35-0ubuntu3.6' });
    expect(target('pkg:deb/ubuntu/curl@8.2.1-1ubuntu3?distro=ubuntu-23.10').ecosystem).toBe('Ubuntu:23.10');
    expect(target('pkg:deb/ubuntu/curl@8.5.0-2ubuntu10?distro=noble').ecosystem).toBe('Ubuntu:24.04:LTS');
  });

  it('Alpine: release branch from distro, origin package from upstream', () => {
    expect(target('pkg:apk/alpine/musl-utils@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1&upstream=musl')).toEqual({ ecosystem: 'Alpine:v3.19', name: 'musl', version: '1.2.4_git20230717-r4' });
    expect(target('pkg:apk/alpine/zlib@1.3.1-r0?arch=x86_64&distro=alpine-3.20.0_alpha20240329').ecosystem).toBe('Alpine:v3.20');
    expect(unsupported('pkg:apk/alpine/zlib@1.3.1-r0?arch=x86_64')).toMatch(/unknown Alpine release/);
    expect(target('pkg:apk/wolfi/openssl@3.2.1-r0?arch=x86_64').ecosystem).toBe('Wolfi');
  });

  it('rpm: AlmaLinux and Rocky with epoch and source rpm', () => {
    expect(target('pkg:rpm/almalinux/openssl-libs@3.0.7-25.el9_3?arch=x86_64&distro=almalinux-9.3&epoch=1&upstream=openssl-3.0.7-25.el9_3.src.rpm')).toEqual({ ecosystem: 'AlmaLinux:9', name: 'openssl', version: '1:3.0.7-25.el9_3' });
    expect(unsupported('pkg:rpm/redhat/openssl@3.0.7-25.el9?distro=rhel-9.3')).toMatch(/rpm packages of "redhat"/);
  });

  it('language ecosystems', () => {
    expect(target('pkg:npm/%40babel/core@7.0.0')).toEqual({ ecosystem: 'npm', name: '@babel/core', version: '7.0.0' });
    expect(target('pkg:pypi/Django_package@1.11.1.dev1')).toEqual({ ecosystem: 'PyPI', name: 'django-package', version: '1.11.1.dev1' });
    expect(target('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1')).toEqual({ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' });
    expect(target('pkg:golang/github.com/gorilla/websocket@v1.5.0')).toEqual({ ecosystem: 'Go', name: 'github.com/gorilla/websocket', version: '1.5.0' });
    expect(target('pkg:golang/stdlib@go1.21.3')).toEqual({ ecosystem: 'Go', name: 'stdlib', version: '1.21.3' });
    expect(target('pkg:golang/stdlib@go1.20')).toEqual({ ecosystem: 'Go', name: 'stdlib', version: '1.20.0' });
    expect(target('pkg:golang/stdlib@go1.22rc1').version).toBe('1.22.0-rc.1');
    // The go command is module `toolchain` in the Go vulnerability database, not `stdlib`.
    expect(target('pkg:golang/toolchain@go1.20.4')).toEqual({ ecosystem: 'Go', name: 'toolchain', version: '1.20.4' });
    expect(target('pkg:cargo/wasmtime@1.0.1').ecosystem).toBe('crates.io');
    expect(target('pkg:gem/nokogiri@1.15.0').ecosystem).toBe('RubyGems');
    expect(target('pkg:nuget/Newtonsoft.Json@13.0.1')).toEqual({ ecosystem: 'NuGet', name: 'Newtonsoft.Json', version: '13.0.1' });
    expect(target('pkg:composer/symfony/http-kernel@6.0.0').name).toBe('symfony/http-kernel');
    expect(target('pkg:npm/lodash', '4.17.21').version).toBe('4.17.21');
  });

  it('purls that name no OSV package', () => {
    expect(unsupported('pkg:generic/openssl@1.1.1')).toMatch(/no OSV ecosystem/);
    expect(unsupported('pkg:oci/app@sha256%3Aabc')).toMatch(/no OSV ecosystem/);
    expect(unsupported('not a purl')).toMatch(/unparsable purl/);
  });

  it('types and qualifiers named like Object.prototype members are unknown, not matched (and not references)', () => {
    expect(unsupported('pkg:constructor/x@1')).toBe('purl type "constructor" has no OSV ecosystem');
    expect(referenceReason('pkg:constructor/x@1')).toBeUndefined();
    expect(unsupported('pkg:deb/debian/x@1?distro=constructor')).toBe('unknown debian release (distro qualifier "constructor")');
    expect(unsupported('pkg:rpm/constructor/x@1?distro=constructor-9')).toMatch(/^rpm packages of "constructor" are not matched/);
    expect(recordPurlPackage('pkg:constructor/x@1')).toBeUndefined();
  });

  it('a purl without a version is placed with version "" (the matcher decides whether that matters)', () => {
    expect(target('pkg:npm/lodash')).toEqual({ ecosystem: 'npm', name: 'lodash', version: '' });
    // A Go main module built from a working tree: our SBOMs omit the version, Syft writes (devel).
    expect(target('pkg:golang/example.com/app')).toEqual({ ecosystem: 'Go', name: 'example.com/app', version: '' });
    expect(target('pkg:golang/example.com/app@(devel)').version).toBe('');
  });

  it('release helpers', () => {
    expect(debianRelease('debian-10')).toBe('10');
    expect(debianRelease('wheezy')).toBe('7');
    expect(debianRelease('debian-3.1')).toBe('3.1');
    expect(debianRelease('sid')).toBe('sid');
    expect(debianRelease('nonsense')).toBeUndefined();
    expect(ubuntuRelease('ubuntu-20.04')).toBe('20.04');
    expect(alpineRelease('alpine-3.19.1')).toBe('v3.19');
    expect(alpineRelease('3.18')).toBe('v3.18');
  });
});

describe('ecosystem keys and names', () => {
  it('keeps release scopes, drops Ubuntu LTS markers and repository URLs', () => {
    expect(ecosystemKey('Debian:12')).toBe('Debian:12');
    expect(ecosystemKey('Ubuntu:22.04:LTS')).toBe('Ubuntu:22.04');
    expect(ecosystemKey('Maven:https://maven.google.com')).toBe('Maven');
    expect(ecosystemKey('Packagist:https://packages.drupal.org/8')).toBe('Packagist');
  });

  it('normalises names as each ecosystem compares them', () => {
    expect(normalizeName('PyPI', 'Oslo.Concurrency__x')).toBe('oslo-concurrency-x');
    expect(normalizeName('npm', 'Axios')).toBe('axios');
    expect(normalizeName('Maven', 'Org.Foo:Bar')).toBe('Org.Foo:Bar');
    expect(packageKey('PyPI', 'Jinja2')).toBe(packageKey('PyPI', 'jinja2'));
  });

  it('looks Debian and Ubuntu packages up under the unscoped ecosystem too', () => {
    expect(lookupKeys('Debian:12', 'openssl')).toEqual([packageKey('Debian:12', 'openssl'), packageKey('Debian', 'openssl')]);
    expect(lookupKeys('Alpine:v3.19', 'musl')).toEqual([packageKey('Alpine:v3.19', 'musl')]);
  });
});
