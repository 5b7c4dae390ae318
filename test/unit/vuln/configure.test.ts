import * as path from 'node:path';
import { BadInputError } from '../../../lambdas/core/errors';
import { configuredSource } from '../../../lambdas/vuln/sources/configure';
import { OfflineOsvSource } from '../../../lambdas/vuln/sources/offline-source';
import { OsvApiSource } from '../../../lambdas/vuln/sources/osv-api';

const RECORDS = path.join(__dirname, '..', '..', 'fixtures', 'osv', 'records');

describe('configuredSource: the one factory of vulnerability data (CLI, runner, Lambdas)', () => {
  it('prefers flags, then the environment; none configured is undefined, never an empty data set', async () => {
    expect(configuredSource({ osvDir: RECORDS }, {})).toBeInstanceOf(OfflineOsvSource);
    expect(configuredSource({ osvApi: true }, {})).toBeInstanceOf(OsvApiSource);
    expect(configuredSource({}, { ARTIFACT_GUARD_OSV_DIR: RECORDS })).toBeInstanceOf(OfflineOsvSource);
    expect(configuredSource({}, { ARTIFACT_GUARD_OSV_API: '1' })).toBeInstanceOf(OsvApiSource);
    expect(configuredSource({}, { ARTIFACT_GUARD_OSV_API: 'off' })).toBeUndefined();
    expect(configuredSource({}, {})).toBeUndefined();
    expect(() => configuredSource({ osvDir: RECORDS, osvApi: true }, {})).toThrow(BadInputError);
    expect((await (configuredSource({ osvDir: RECORDS }, {}) as OfflineOsvSource).describe()).source).toBe(`osv-dir:${RECORDS}`);
  });

  it('reads an S3 mirror only through the reader a Lambda gives it', () => {
    const mirror = OfflineOsvSource.fromRecords('mirror', []);
    const seen: string[] = [];
    expect(configuredSource({}, { ARTIFACT_GUARD_OSV_MIRROR: 's3://b/osv/all.zip' }, { mirror: (uri) => (seen.push(uri), mirror) })).toBe(mirror);
    expect(seen).toEqual(['s3://b/osv/all.zip']);
    expect(() => configuredSource({}, { ARTIFACT_GUARD_OSV_MIRROR: 's3://b/osv/all.zip' })).toThrow(/read in AWS only/);
  });
});
