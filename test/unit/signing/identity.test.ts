import { matchRepository, normalizedName } from '../../../lambdas/signing/identity';

describe('docker reference normalisation (distribution/reference ParseNormalizedNamed)', () => {
  it.each([
    ['ubuntu', 'docker.io/library/ubuntu'],
    ['ubuntu:22.04', 'docker.io/library/ubuntu'],
    ['docker.io/ubuntu', 'docker.io/library/ubuntu'],
    ['index.docker.io/ubuntu', 'docker.io/library/ubuntu'],
    ['index.docker.io/library/ubuntu:22.04', 'docker.io/library/ubuntu'],
    ['library/ubuntu', 'docker.io/library/ubuntu'],
    ['team/app', 'docker.io/team/app'],
    ['localhost/app', 'localhost/app'],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b'],
    ['127.0.0.1:5000/app@sha256:' + 'a'.repeat(64), '127.0.0.1:5000/app'],
    ['192.168.64.2:5000/skopeo-signed:tag', '192.168.64.2:5000/skopeo-signed'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.0@sha256:' + 'b'.repeat(64), '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app'],
    ['[::1]:5000/app', '[::1]:5000/app'],
    ['Registry/app', 'Registry/app'],
  ])('%s → %s', (input, name) => {
    expect(normalizedName(input)).toEqual({ ok: true, name });
  });

  it.each([
    ['', 'not a valid docker reference'],
    ['a'.repeat(64), 'image ID'],
    ['example.com/App', 'must be lowercase'],
    ['example.com/app:', 'not a valid docker reference'],
    ['example.com/app@sha256:short', 'not a valid docker reference'],
    ['example.com//app', 'not a valid docker reference'],
    ['https://example.com/app', 'not a valid docker reference'],
    [`example.com/${'a'.repeat(260)}`, 'longer than 255'],
  ])('rejects %j', (input, reason) => {
    const r = normalizedName(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

describe('matchRepository', () => {
  const accepted = ['registry.example/team/app'];

  it('ignores tag and digest in the signed identity', () => {
    expect(matchRepository('registry.example/team/app:v1', accepted).ok).toBe(true);
    expect(matchRepository(`registry.example/team/app@sha256:${'c'.repeat(64)}`, accepted).ok).toBe(true);
  });

  it('denies another repository, another host, and an unparseable identity', () => {
    expect(matchRepository('registry.example/team/other', accepted)).toEqual({
      ok: false,
      reason: 'signed for repository registry.example/team/other, not registry.example/team/app',
    });
    expect(matchRepository('mirror.example/team/app', accepted).ok).toBe(false);
    expect(matchRepository('', accepted)).toMatchObject({ ok: false, reason: expect.stringContaining('signed identity ""') });
  });

  it('accepts any of several repositories (replicas)', () => {
    expect(matchRepository('mirror.example/team/app', [...accepted, 'mirror.example/team/app']).ok).toBe(true);
  });
});
