import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { OS_RELEASE_PATHS, parseOsRelease, parseOsReleaseFields, unquoteShellValue } from './index';

const fixture = (name: string): Buffer => fs.readFileSync(path.join(__dirname, 'fixtures', name));

describe('parseOsRelease', () => {
  it('reads Debian 12', () => {
    expect(parseOsRelease(fixture('debian-12'))).toEqual({
      id: 'debian',
      versionId: '12',
      versionCodename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
  });

  it('reads Alpine 3.19 (unquoted values, no codename)', () => {
    expect(parseOsRelease(fixture('alpine-3.19'))).toEqual({ id: 'alpine', versionId: '3.19.1', prettyName: 'Alpine Linux v3.19' });
  });

  it('reads Ubuntu 22.04', () => {
    expect(parseOsRelease(fixture('ubuntu-22.04'))).toEqual({
      id: 'ubuntu',
      versionId: '22.04',
      versionCodename: 'jammy',
      prettyName: 'Ubuntu 22.04.4 LTS',
    });
  });

  it('reads distroless (quoted ID) and Debian sid (no VERSION_ID)', () => {
    expect(parseOsRelease(Buffer.from('PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\n'))).toEqual({
      id: 'debian',
      versionId: '12',
      prettyName: 'Distroless',
    });
    expect(parseOsRelease(Buffer.from('PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=trixie\nID=debian\n'))).toEqual({
      id: 'debian',
      versionCodename: 'trixie',
      prettyName: 'Debian GNU/Linux trixie/sid',
    });
  });

  it('handles comments, CRLF, a BOM, single quotes, escapes, blank lines and re-assignment', () => {
    const text = '\ufeff# comment\r\n\r\n  ID=Wolfi  # trailing comment\r\nID=\'wolfi\'\r\nPRETTY_NAME="Say \\"hi\\" \\$HOME \\\\ \\n"\r\nVERSION_ID=20230201\r\n';
    expect(parseOsRelease(Buffer.from(text))).toEqual({ id: 'wolfi', versionId: '20230201', prettyName: 'Say "hi" $HOME \\ \\n' });
  });

  it('lower-cases ID', () => {
    expect(parseOsRelease(Buffer.from('ID=Ubuntu\n'))?.id).toBe('ubuntu');
  });

  it.each([
    ['empty', ''],
    ['no ID', 'NAME="Linux"\nVERSION_ID=1\n'],
    ['empty ID', 'ID=""\n'],
    ['garbage', '\u0000\u00ff=\n=\n==\n'],
    ['JSON', '{"ID": "debian"}'],
  ])('%s → undefined', (_label, text) => {
    expect(parseOsRelease(Buffer.from(text))).toBeUndefined();
  });

  it.each([
    ['debian', 'debian'],
    ['"a b"', 'a b'],
    ["'a \\ b'", 'a \\ b'],
    ['a\\ b', 'a b'],
    ['"a"\'b\'c', 'abc'],
    ['"unterminated', 'unterminated'],
    ['"x\\', 'x\\'],
    ['x\\', 'x'],
    ['', ''],
  ])('unquote %j → %j', (raw, expected) => {
    expect(unquoteShellValue(raw)).toBe(expected);
  });

  it('ignores invalid keys', () => {
    expect([...parseOsReleaseFields(Buffer.from('1X=a\nX Y=b\nexport ID=c\nOK=d\n')).keys()]).toEqual(['OK']);
  });

  it('lists both locations, etc first', () => {
    expect(OS_RELEASE_PATHS).toEqual(['etc/os-release', 'usr/lib/os-release']);
  });

  it('stays linear on huge lines', () => {
    const started = Date.now();
    parseOsRelease(Buffer.from(`ID="${'\\"'.repeat(2_000_000)}`));
    parseOsRelease(Buffer.from('='.repeat(8_000_000)));
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('os-release properties', () => {
  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const result = parseOsRelease(Buffer.from(bytes));
        if (result) expect(result.id).toBe(result.id.trim().toLowerCase());
      }),
    );
  });

  /** Quotes a value the way a generator of os-release files would. */
  const quote = (value: string, style: number): string => {
    if (style === 0 && /^[A-Za-z0-9._-]+$/.test(value)) return value;
    if (style === 1 && !value.includes("'")) return `'${value}'`;
    return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
  };

  it('round-trips generated files', () => {
    const text = fc.stringMatching(/^[ -~]{1,30}$/).filter((s) => s.trim() === s && s !== '');
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/),
        fc.option(fc.stringMatching(/^[0-9]{1,4}(\.[0-9]{1,3}){0,2}$/), { nil: undefined }),
        fc.option(fc.stringMatching(/^[a-z]{3,12}$/), { nil: undefined }),
        fc.option(text, { nil: undefined }),
        fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 }), fc.nat({ max: 2 }), fc.nat({ max: 2 })),
        fc.boolean(),
        (id, versionId, versionCodename, prettyName, styles, crlf) => {
          const lines = [
            '# generated',
            `NAME=${quote('Some Linux', styles[0])}`,
            `ID=${quote(id, styles[1])}`,
            ...(versionId ? [`VERSION_ID=${quote(versionId, styles[2])}`] : []),
            ...(versionCodename ? [`VERSION_CODENAME=${versionCodename}`] : []),
            ...(prettyName ? [`PRETTY_NAME=${quote(prettyName, styles[3])}`] : []),
          ];
          const parsed = parseOsRelease(Buffer.from(lines.join(crlf ? '\r\n' : '\n')));
          expect(parsed).toEqual({
            id,
            ...(versionId ? { versionId } : {}),
            ...(versionCodename ? { versionCodename } : {}),
            ...(prettyName ? { prettyName } : {}),
          });
        },
      ),
    );
  });
});
