import { kmsClientConfig } from '../../../lambdas/adapters/aws/kms-signer';
import { parseKeyRef } from '../../../lambdas/signing/key-ref';

const UUID = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('--key references (cosign / sigstore awskms forms)', () => {
  it.each([
    ['awskms:///alias/artifact-guard-signing', { keyId: 'alias/artifact-guard-signing' }],
    [`awskms:///${UUID}`, { keyId: UUID }],
    [`awskms:///mrk-${UUID.replace(/-/g, '')}`, { keyId: `mrk-${UUID.replace(/-/g, '')}` }],
    [`awskms:///arn:aws:kms:us-east-2:111122223333:key/${UUID}`, { keyId: `arn:aws:kms:us-east-2:111122223333:key/${UUID}`, region: 'us-east-2' }],
    ['awskms:///arn:aws:kms:eu-west-1:111122223333:alias/signing', { keyId: 'arn:aws:kms:eu-west-1:111122223333:alias/signing', region: 'eu-west-1' }],
    ['awskms://localhost:4566/alias/x', { keyId: 'alias/x', endpoint: 'localhost:4566' }],
  ])('%s', (ref, expected) => {
    expect(parseKeyRef(ref)).toEqual({ kind: 'awskms', ...expected });
  });

  it('treats anything else without a scheme as a file path', () => {
    expect(parseKeyRef('./cosign.key')).toEqual({ kind: 'file', path: './cosign.key' });
    expect(parseKeyRef('/etc/pki/kms.pub')).toEqual({ kind: 'file', path: '/etc/pki/kms.pub' });
  });

  it.each(['awskms://alias/x', 'awskms:///', 'awskms:///not-a-key', 'awskms:///arn:aws:kms:us-east-1:1:key/x', 'gcpkms://projects/p/keys/k', 'hashivault://k', ''])(
    'rejects %j with one clear error',
    (ref) => {
      expect(() => parseKeyRef(ref)).toThrow(/key reference|--key needs a value/);
    },
  );

  it('configures the KMS client: endpoint over HTTPS, region from the environment, else from the ARN', () => {
    const arn = parseKeyRef(`awskms:///arn:aws:kms:us-east-2:111122223333:key/${UUID}`);
    const local = parseKeyRef('awskms://localhost:4566/alias/x');
    if (arn.kind !== 'awskms' || local.kind !== 'awskms') throw new Error('not kms');
    expect(kmsClientConfig(arn, {})).toEqual({ region: 'us-east-2' });
    expect(kmsClientConfig(arn, { AWS_REGION: 'eu-central-1' })).toEqual({ region: 'eu-central-1' });
    expect(kmsClientConfig(local, {})).toEqual({ endpoint: 'https://localhost:4566' });
  });
});
