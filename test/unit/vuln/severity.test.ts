import { cvss2Band, cvssBand, maxSeverity, ratingsFor, scoreCvss, severityWord } from '../../../lambdas/vuln/severity';
import { fixtureRecord, record } from './helpers';

describe('CVSS scoring (ae-cvss-calculator) against published examples', () => {
  // FIRST "CVSS v3.1 Examples" (CVE-2013-1937 phpMyAdmin XSS, CVE-2013-0375 MySQL,
  // CVE-2014-3566 POODLE, CVE-2012-1516 VMware guest-to-host, CVE-2014-0160 Heartbleed).
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'medium'],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4, 'medium'],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1, 'low'],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9, 'critical'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, 'high'],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'critical'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 'none'],
  ])('v3: %s = %d (%s)', (vector, score, severity) => {
    expect(scoreCvss(vector, 'X')).toEqual({ source: 'X', method: vector.startsWith('CVSS:3.0') ? 'CVSSv3' : 'CVSSv31', score, severity, vector });
  });

  // CVSS v2 guide §3.3 examples (CVE-2002-0392, CVE-2003-0818, CVE-2003-0062); NVD bands.
  it.each([
    ['AV:N/AC:L/Au:N/C:N/I:N/A:C', 7.8, 'high'],
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10, 'high'],
    ['AV:L/AC:H/Au:N/C:C/I:C/A:C', 6.2, 'medium'],
    ['(AV:N/AC:L/Au:N/C:P/I:P/A:P)', 7.5, 'high'],
  ])('v2: %s = %d (%s)', (vector, score, severity) => {
    expect(scoreCvss(vector, 'X')).toMatchObject({ method: 'CVSSv2', score, severity });
  });

  // FIRST's v4.0 calculator (cvss_score.js) values.
  it.each([
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'critical'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10, 'critical'],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5, 'high'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', 8.7, 'high'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0, 'none'],
  ])('v4: %s = %d (%s)', (vector, score, severity) => {
    expect(scoreCvss(vector, 'X')).toMatchObject({ method: 'CVSSv4', score, severity });
  });

  it('refuses incomplete, repeated-metric and unknown-value vectors (the calculator would score them 0)', () => {
    expect(scoreCvss('CVSS:3.1/AV:N/AC:L', 'X')).toBeUndefined();
    expect(scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L', 'X')).toBeUndefined();
    expect(scoreCvss('CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'X')).toBeUndefined();
    expect(scoreCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H', 'X')).toBeUndefined();
    expect(scoreCvss('garbage', 'X')).toBeUndefined();
  });

  it('a severity word is one of the table\'s, never an Object.prototype member', () => {
    expect(severityWord('MODERATE')).toBe('medium');
    for (const w of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect([w, severityWord(w)]).toEqual([w, undefined]);
  });

  it('bands', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(cvssBand)).toEqual(['none', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
    expect([0, 3.9, 4, 6.9, 7, 10].map(cvss2Band)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);
  });
});

describe('ratings of a record', () => {
  it('GitHub records: the vector and database_specific.severity (MODERATE → medium)', () => {
    const r = fixtureRecord('GHSA-p6mc-m468-83gw');
    const ratings = ratingsFor(r, r.affected ?? []);
    expect(ratings.map((x) => [x.method, x.severity])).toEqual([
      ['CVSSv31', 'high'],
      ['other', 'high'],
    ]);
  });

  it('records without a vector use their own severity words', () => {
    const axios = fixtureRecord('GHSA-8hc4-vh64-cxmj'); // severity [] and database_specific.severity HIGH
    expect(ratingsFor(axios, axios.affected ?? [])).toEqual([{ source: 'GHSA-8hc4-vh64-cxmj database_specific (severity)', method: 'other', severity: 'high' }]);
    const lower = fixtureRecord('GHSA-x5rq-j2xg-h7qm'); // "moderate", lower case
    expect(ratingsFor(lower, lower.affected ?? []).map((x) => x.severity)).toContain('medium');
  });

  it('RustSec: the vector in severity[] and again in affected[].database_specific.cvss counts once', () => {
    const r = fixtureRecord('RUSTSEC-2023-0056');
    expect(ratingsFor(r, r.affected ?? [])).toEqual([
      { source: 'RUSTSEC-2023-0056', method: 'CVSSv31', score: 2.5, severity: 'low', vector: 'CVSS:3.1/AV:L/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:L' },
    ]);
  });

  it('a v4 vector from a real record', () => {
    const r = fixtureRecord('RUSTSEC-2026-0223');
    expect(ratingsFor(r, r.affected ?? [])[0]).toMatchObject({ method: 'CVSSv4', severity: 'low' });
  });

  it('Debian DLA records carry no severity: unknown', () => {
    const r = fixtureRecord('DLA-3008-1');
    expect(ratingsFor(r, r.affected ?? [])).toEqual([]);
  });

  it('Ubuntu priorities, Debian urgencies and per-package severities', () => {
    const r = record(
      'UBUNTU-CVE-X',
      [{ package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'curl' }, severity: [{ type: 'Ubuntu', score: 'negligible' }], ecosystem_specific: { urgency: 'unimportant' } }],
    );
    expect(ratingsFor(r, r.affected ?? []).map((x) => x.severity)).toEqual(['info', 'info']);
    const deb = record('DEBIAN-CVE-X', [{ package: { ecosystem: 'Debian:12', name: 'curl' }, ecosystem_specific: { urgency: 'high' } }]);
    expect(ratingsFor(deb, deb.affected ?? []).map((x) => x.severity)).toEqual(['high']);
  });

  it('words and the highest-rating rule', () => {
    expect(['LOW', 'Moderate', 'HIGH', 'critical', 'negligible', 'not yet assigned', 'nonsense'].map(severityWord)).toEqual(['low', 'medium', 'high', 'critical', 'info', 'unknown', undefined]);
    expect(maxSeverity(['low', 'critical', 'medium'])).toBe('critical');
    expect(maxSeverity([])).toBe('unknown');
  });
});
