import { sourceOf } from '../../../lambdas/workflow/steps/resolve';

/** An ECR push event as EventBridge delivers it (forwarded events keep the member's account and region). */
const pushEvent = (account: string, region: string) => ({
  version: '0',
  id: 'b2d0c1e4-0000-4000-8000-000000000001',
  'detail-type': 'ECR Image Action',
  source: 'aws.ecr',
  account,
  time: '2026-12-02T10:00:00Z',
  region,
  resources: [],
  detail: { result: 'SUCCESS', 'repository-name': 'team/app', 'image-digest': 'sha256:' + 'a'.repeat(64), 'action-type': 'PUSH', 'image-tag': '1.4.2' },
});

describe('sourceOf (Resolve) for push events of other accounts and regions', () => {
  it('builds the registry host from the event\'s own account and region, not the guard\'s', () => {
    const { source, tag, trigger } = sourceOf(pushEvent('222222222222', 'eu-central-1'), new Date());
    expect(source).toBe(`registry:222222222222.dkr.ecr.eu-central-1.amazonaws.com/team/app@sha256:${'a'.repeat(64)}`);
    expect(tag).toBe('1.4.2');
    expect(trigger).toEqual({ type: 'ecr-push', id: 'b2d0c1e4-0000-4000-8000-000000000001', time: '2026-12-02T10:00:00Z' });
  });

  it('uses the China partition\'s domain for a cn- region', () => {
    expect(sourceOf(pushEvent('333333333333', 'cn-north-1'), new Date()).source).toBe(`registry:333333333333.dkr.ecr.cn-north-1.amazonaws.com.cn/team/app@sha256:${'a'.repeat(64)}`);
  });

  it('refuses an event without account or region (one clear error)', () => {
    const { account: _a, ...noAccount } = pushEvent('222222222222', 'eu-central-1');
    expect(() => sourceOf(noAccount, new Date())).toThrow(/neither an ECR Image Action event/);
  });
});

describe('sourceOf for manual inputs', () => {
  it('reads `source` as the reference when the input is not an event', () => {
    expect(sourceOf({ source: 'registry:127.0.0.1:5000/app:v1', tag: 'v1', time: '2026-12-02T10:00:00Z' }, new Date())).toMatchObject({ source: 'registry:127.0.0.1:5000/app:v1', tag: 'v1', trigger: { type: 'manual' } });
  });
});
