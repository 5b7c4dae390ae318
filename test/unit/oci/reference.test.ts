import fc from 'fast-check';
import { BadInputError } from '../../../lambdas/core/errors';
import { formatReference, isLoopbackRegistry, parseReference, repositoryName } from '../../../lambdas/oci/reference';

describe('parseReference', () => {
  it.each([
    ['alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['alpine:3.19', { registry: 'docker.io', repository: 'library/alpine', tag: '3.19' }],
    ['index.docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['registry-1.docker.io/team/app:1', { registry: 'docker.io', repository: 'team/app', tag: '1' }],
    ['127.0.0.1:5000/a/b:v1', { registry: '127.0.0.1:5000', repository: 'a/b', tag: 'v1' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['registry:123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:' + 'a'.repeat(64), { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', repository: 'app', digest: `sha256:${'a'.repeat(64)}` }],
  ])('%s', (input, expected) => {
    expect(parseReference(input)).toEqual(expect.objectContaining(expected));
  });

  it.each(['', 'UPPER/case', 'app:bad tag', 'app@sha256:short', 'a//b'])('rejects %j', (input) => {
    expect(() => parseReference(input)).toThrow(BadInputError);
  });

  it('round-trips formatted references (property)', () => {
    const comp = fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)?$/);
    fc.assert(
      fc.property(fc.constantFrom('127.0.0.1:5000', 'example.com', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'), fc.array(comp, { minLength: 1, maxLength: 3 }), fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,20}$/), { nil: undefined }), (registry, parts, tag) => {
        const ref = { registry, repository: parts.join('/'), ...(tag ? { tag } : {}) };
        expect(parseReference(formatReference(ref))).toEqual(ref);
        expect(repositoryName(ref)).toBe(`${registry}/${parts.join('/')}`);
      }),
    );
  });

  it('treats only loopback hosts as plain-HTTP registries', () => {
    expect(['127.0.0.1:5000', 'localhost:80', '[::1]:5000'].map(isLoopbackRegistry)).toEqual([true, true, true]);
    expect(['example.com', '10.0.0.1:5000', 'localhost.example.com'].map(isLoopbackRegistry)).toEqual([false, false, false]);
  });
});
