import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BadInputError } from '../../../lambdas/core/errors';
import { parseSource } from '../../../lambdas/oci/open-source';

describe('parseSource (Syft-style SOURCE)', () => {
  it.each([
    ['registry:127.0.0.1:5000/app:1.0', { scheme: 'registry', location: '127.0.0.1:5000/app:1.0' }],
    ['127.0.0.1:5000/app:1.0', { scheme: 'registry', location: '127.0.0.1:5000/app:1.0' }],
    ['alpine:3.19', { scheme: 'registry', location: 'alpine:3.19' }],
    ['oci-dir:/images/app:v2', { scheme: 'oci-dir', location: '/images/app', tag: 'v2' }],
    ['oci-archive:/images/app.tar', { scheme: 'oci-archive', location: '/images/app.tar' }],
    ['docker-archive:/images/app.tar:latest', { scheme: 'docker-archive', location: '/images/app.tar', tag: 'latest' }],
    ['dir:/srv/rootfs', { scheme: 'dir', location: '/srv/rootfs' }],
  ])('%s', (input, expected) => {
    expect(parseSource(input)).toEqual(expected);
  });

  it('keeps a colon that belongs to an existing path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag:colon-'));
    expect(parseSource(`oci-dir:${dir}`)).toEqual({ scheme: 'oci-dir', location: dir });
    fs.rmSync(dir, { recursive: true });
  });

  it.each(['nosuch:/x', 's3://bucket/key', 'oci-dir:', 'registry:', 'UPPER/Case:tag'])('rejects %j with one clear error', (input) => {
    expect(() => parseSource(input)).toThrow(BadInputError);
  });
});
