/** The dpkg ordering's test data: dpkg's own examples, and generators of version strings. */
import { pick, rows } from './helpers';

// dpkg scripts/t/Dpkg_Version.t __DATA__ (a b expected), rewritten as "a op b".
export const DPKG_VERSION_T = rows(`
  1.0-1 < 2.0-2
  2.2~rc-4 < 2.2-1
  2.2-1 > 2.2~rc-4
  1.0000-1 = 1.0-1
  1 = 0:1
  0 = 0:0-0
  2:2.5 > 1:7.5
  1:0foo > 0foo
  0:0foo = 0foo
  0foo = 0foo
  0foo > 0fo
  0foo~1 < 0foo
  0foo~foo+Bar < 0foo~foo+bar
  0foo~~ < 0foo~
  1~ < 1
  12345+that-really-is-some-ver-0 < 12345+that-really-is-some-ver-10
  0foo-0 < 0foo-01
  0foo.bar > 0foobar
  0foo.bar > 0foo1bar
  0foo.bar > 0foo0bar
  0foo1bar-1 < 0foobar-1
  0foo2.0 > 0foo2
  0foo2.0.0 < 0foo2.10.0
  0foo2.0 < 0foo2.0.0
  0foo2.0 < 0foo2.10
  0foo2.1 < 0foo2.10
  1.09 = 1.9
  1.0.8+nmu1 > 1.0.8
  3.11 > 3.10+nmu1
  0.9j-20080306-4 > 0.9i-20070324-2
  1.2.0~b7-1 > 1.2.0~b6-1
  1.011-1 > 1.06-2
  0.0.9+dfsg1-1 > 0.0.8+dfsg1-3
  4.6.99+svn6582-1 > 4.6.99+svn6496-1
  53 > 52
  0.9.9~pre122-1 > 0.9.9~pre111-1
  2:2.3.2-2+lenny2 > 2:2.3.2-2
  1:3.8.1-1 > 3.8.GA-1
  1.0.1+gpl-1 > 1.0.1-2
  1a < 1000a
`);

export const UPSTREAM_START = ['0', '1', '2', '9', '10', '01', '00', '1.0', '2.30'];
export const UPSTREAM_PIECES = [
  '.', '.', '+', '~', '~~', '-', ':', 'a', 'b', 'z', 'A', 'Z', 'rc', 'dfsg', 'GA',
  '0', '1', '9', '10', '01', '00', '000', '12345678901234567890',
];
export const REVISION_PIECES = ['0', '1', '2', '10', '01', 'a', 'b', 'B', '.', '+', '~', 'deb12u', 'ubuntu', 'build'];
export const EPOCHS = ['', '', '', '', '0:', '1:', '2:', '00:', '10:'];
export const NOISE = ['_', '@', ' ', '!', '', ':', '-', 'é'];

/** A dpkg-like version, sometimes with a stray character. */
export function genVersion(rand: () => number): string {
  const epoch = pick(rand, EPOCHS);
  let upstream = pick(rand, UPSTREAM_START);
  for (let n = Math.floor(rand() * 6); n > 0; n--) upstream += pick(rand, UPSTREAM_PIECES);
  let revision = '';
  if (rand() < 0.5) {
    revision = '-';
    for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) revision += pick(rand, REVISION_PIECES);
  }
  let v = epoch + upstream + revision;
  // Some strings get a stray character so the validity rules are exercised too.
  if (rand() < 0.08) {
    const at = Math.floor(rand() * (v.length + 1));
    v = v.slice(0, at) + pick(rand, NOISE) + v.slice(at);
  }
  return v;
}

/** A small edit of `v`, so that pairs share prefixes and often tie. */
export function nearby(rand: () => number, v: string): string {
  switch (Math.floor(rand() * 9)) {
    case 0:
      return `${v}~`;
    case 1:
      return `${v}.0`;
    case 2:
      return v.replace(/[0-9]+/, (d) => `0${d}`);
    case 3:
      return v.replace(/[a-z]/, (c) => c.toUpperCase());
    case 4:
      return v.includes(':') ? v.replace(/^[0-9]+:/, '') : `0:${v}`;
    case 5:
      return `${v}${v.includes('-') ? '+b1' : '-0'}`;
    case 6:
      return v.replace('.', '+');
    case 7:
      return v.replace(/[0-9](?=[^0-9]*$)/, (d) => String((Number(d) + 1) % 10));
    default:
      return v;
  }
}
