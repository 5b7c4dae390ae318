import * as fs from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { ArtifactGuardAttributes, ArtifactGuardProps, IArtifactGuard } from '../../../lib/artifact-guard';
import { AlertType, ArtifactGuard, ArtifactGuardWarning } from '../../../lib/artifact-guard';
import { offlineApp, synthTemplate } from '../../../lib/synth-offline';
import { METRICS_NAMESPACE, MetricName } from '../../../lambdas/core/metric-names';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

const ARN = {
  key: 'arn:aws:kms:eu-west-1:111111111111:key/0b1c2d3e-0000-4000-8000-000000000001',
  topic: 'arn:aws:sns:eu-west-1:111111111111:security-alerts',
};

function guardIn(props: ArtifactGuardProps = {}, setup?: (stack: Stack) => Partial<ArtifactGuardProps>) {
  const stack = new Stack(offlineApp(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const guard = new ArtifactGuard(stack, 'Guard', { ...props, ...setup?.(stack) });
  return { stack, guard };
}

const templateOf = (stack: Stack) => {
  const template = Template.fromStack(stack);
  const resources = (template.toJSON() as { Resources: Resources }).Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  return { template, resources, ofType };
};

const envOf = (fn: { Properties?: Record<string, unknown> }) => (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
const statementsOf = (policies: [string, { Properties?: Record<string, unknown> }][]) =>
  policies.flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
const actionsOf = (statements: { Action?: unknown }[]) => statements.flatMap((s) => [s.Action ?? []].flat() as string[]);
const signingKeys = (ofType: (t: string) => [string, { Properties?: Record<string, unknown> }][]) => ofType('AWS::KMS::Key').filter(([, k]) => k.Properties?.KeySpec === 'ECC_NIST_P256');

describe('ArtifactGuard construct', () => {
  describe('two guards in one stack', () => {
    const stack = new Stack(offlineApp(), 'Two');
    const first = new ArtifactGuard(stack, 'First');
    const second = new ArtifactGuard(stack, 'Second', { signingKeyAlias: 'team-b-signing', guardId: 'team-b' });
    const { resources, ofType } = templateOf(stack);

    it('synthesize with their own aliases, retained like their keys', () => {
      const aliases = ofType('AWS::KMS::Alias');
      expect(aliases.map(([, a]) => a.Properties?.AliasName).sort()).toEqual(['alias/artifact-guard-signing', 'alias/team-b-signing']);
      for (const [, alias] of aliases) {
        expect(alias.DeletionPolicy).toBe('Retain');
        expect(alias.UpdateReplacePolicy).toBe('Retain');
      }
      expect(stack.resolve(first.signingKeyAliasName)).toBe('alias/artifact-guard-signing');
      expect(stack.resolve(second.signingKeyAliasName)).toBe('alias/team-b-signing');
      expect(signingKeys(ofType)).toHaveLength(2);
    });

    it('give no two resources the same literal physical name', () => {
      // MetricName (an alarm's) names a metric, not a resource.
      const isName = (k: string) => /Name$/.test(k) && k !== 'DisplayName' && k !== 'MetricName';
      const names = Object.values(resources).flatMap((r) => Object.entries(r.Properties ?? {}).filter(([k, v]) => isName(k) && typeof v === 'string').map(([k, v]) => `${r.Type}.${k}=${String(v)}`));
      expect(new Set(names).size).toBe(names.length);
    });

    it('tag each guard\'s Lambdas and metrics with its own guard dimension', () => {
      expect(first.guardId).toBe(first.node.addr);
      expect(second.guardId).toBe('team-b');
      const fns = ofType('AWS::Lambda::Function');
      // Ten each (the workflow's seven steps, gate, evidence check, mailer), the ledger's three (build and pusher recorders, reconciler), the vulnerability watch's two (OsvWatch, Rescan).
      expect(fns).toHaveLength(30);
      for (const guard of [first, second]) {
        const own = fns.filter(([id]) => id.startsWith(guard.node.id));
        expect(own).toHaveLength(15);
        for (const [, fn] of own) expect(envOf(fn).GUARD_ID).toBe(guard.guardId);
        expect(guard.metricArtifactsProcessed().dimensions).toEqual({ service: 'artifact-guard', guard: guard.guardId });
      }
      const bodies = ofType('AWS::CloudWatch::Dashboard').map(([, d]) => JSON.stringify(d.Properties?.DashboardBody));
      expect(bodies.filter((b) => b.includes(`\\"guard\\",\\"team-b\\"`))).toHaveLength(1);
      expect(bodies.filter((b) => b.includes(`\\"guard\\",\\"${first.guardId}\\"`))).toHaveLength(1);
    });
  });

  it('refuses a guardId that cannot be a CloudWatch dimension value', () => {
    expect(() => guardIn({ guardId: ' ' })).toThrow(/guardId must be/);
    expect(() => guardIn({ guardId: 'prod-\u00e9' })).toThrow(/guardId must be/);
    expect(guardIn({ guardId: 'team a/prod' }).guard.guardId).toBe('team a/prod');
  });

  it('is exported by ArtifactGuardStack as the attributes fromArtifactGuardAttributes takes', () => {
    const outputs = synthTemplate().toJSON().Outputs as Record<string, { Value: unknown }>;
    const join = (outputs.GuardAttributes!.Value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const text = join[1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(join[0]);
    const attrs = JSON.parse(text) as Record<string, unknown>;
    const expected: Record<keyof ArtifactGuardAttributes, true> = {
      guardId: true, signingKeyArn: true, signingKeyAliasName: true, tableName: true, evidenceBucketName: true,
      alertBusArn: true, alertTopicArn: true, repositoryNames: true, gateFunctionArn: true, stateMachineArn: true,
    };
    expect(Object.keys(attrs).sort()).toEqual(Object.keys(expected).sort());
    expect(attrs.signingKeyAliasName).toBe('alias/artifact-guard-signing');
  });

  it('uses the alias name it is given', () => {
    const { stack } = guardIn({ signingKeyAlias: 'release-signing' });
    Template.fromStack(stack).hasResource('AWS::KMS::Alias', { Properties: { AliasName: 'alias/release-signing' }, DeletionPolicy: 'Retain' });
  });

  describe('existing resources', () => {
    it('signs with an imported key: no key of its own, the alias and grants on the given one, and a warning about the key policy', () => {
      const { stack, guard } = guardIn({}, (s) => ({ signingKey: kms.Key.fromKeyArn(s, 'Key', ARN.key) }));
      const { template, ofType } = templateOf(stack);
      expect(signingKeys(ofType)).toHaveLength(0);
      expect(guard.signingKey.keyArn).toBe(ARN.key);
      template.hasResource('AWS::KMS::Alias', { Properties: { AliasName: 'alias/artifact-guard-signing', TargetKeyId: ARN.key }, DeletionPolicy: 'Retain' });
      expect(envOf(ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('GuardSignStep'))![1]).SIGNING_KEY_ARN).toBe(ARN.key);
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Sign', 'kms:GetPublicKey'], Resource: ARN.key })]) },
      });
      Annotations.fromStack(stack).hasWarning('/S/Guard', Match.stringLikeRegexp(`DenySignExceptSigningStep.*kms:Sign.*S/Guard/SigningRole.*${ArtifactGuardWarning.signingKeyPolicy}`));
    });

    it('adds the deny-sign statement to a key of the same stack, without a warning', () => {
      const { stack } = guardIn({}, (s) => ({ signingKey: new kms.Key(s, 'NextKey', { keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY }) }));
      const { ofType } = templateOf(stack);
      const keys = signingKeys(ofType);
      expect(keys.map(([id]) => id)).toEqual([expect.stringMatching(/^NextKey/)]);
      const statements = (keys[0]![1].Properties?.KeyPolicy as { Statement: { Sid?: string }[] }).Statement;
      expect(statements.find((s) => s.Sid === 'DenySignExceptSigningStep')).toMatchObject({ Effect: 'Deny', Action: 'kms:Sign' });
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(ArtifactGuardWarning.signingKeyPolicy))).toEqual([]);
    });

    it('alerts through an existing topic: no topic or topic key of its own, the mailer publishes to it, and a warning about its key', () => {
      const { stack, guard } = guardIn({ alertEmail: 'sec@example.com' }, (s) => ({ alertTopic: sns.Topic.fromTopicArn(s, 'Topic', ARN.topic) }));
      const { template, ofType } = templateOf(stack);
      // Only the alert events topic (JSON for machines) and its key are the construct's own.
      expect(ofType('AWS::SNS::Topic').map(([id]) => id)).toEqual([expect.stringMatching(/AlertEventsTopic/)]);
      expect(ofType('AWS::KMS::Key')).toHaveLength(3); // the signing key, the layer-cache MAC key, the alert events topic key
      expect(guard.alertTopic.topicArn).toBe(ARN.topic);
      const mailer = ofType('AWS::Lambda::Function').find(([id]) => id.includes('AlertMailer'));
      expect(envOf(mailer![1]).ALERT_TOPIC_ARN).toBe(ARN.topic);
      template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: ARN.topic, Protocol: 'email' });
      Annotations.fromStack(stack).hasWarning('/S/Guard', Match.stringLikeRegexp(`AlertMailer role kms:GenerateDataKey.*${ArtifactGuardWarning.alertTopicKey}`));
    });

    it('keeps evidence in an imported bucket: no bucket of its own, and warnings about Object Lock and the write-once statement', () => {
      const { stack } = guardIn({}, (s) => ({ evidenceBucket: s3.Bucket.fromBucketName(s, 'Bucket', 'existing-evidence') }));
      const { ofType } = templateOf(stack);
      // The only bucket (and bucket policy) is the CloudTrail trail's, for pusher identity.
      expect(ofType('AWS::S3::Bucket').map(([id]) => id)).toEqual([expect.stringMatching(/TrailLogs/)]);
      expect(ofType('AWS::S3::BucketPolicy').map(([id]) => id)).toEqual([expect.stringMatching(/TrailLogs/)]);
      for (const [, fn] of ofType('AWS::Lambda::Function')) expect(envOf(fn).EVIDENCE_BUCKET).toBe('existing-evidence');
      const writers = statementsOf(ofType('AWS::IAM::Policy')).filter((s) => actionsOf([s]).includes('s3:PutObjectRetention'));
      // scan, sbom, sign, and the vulnerability watch's two (later scan reports).
      expect(writers).toHaveLength(5);
      for (const w of writers) expect(JSON.stringify(w.Resource)).toContain(':s3:::existing-evidence/evidence/*');
      const warnings = Annotations.fromStack(stack);
      warnings.hasWarning('/S/Guard', Match.stringLikeRegexp(`EvidenceIsWriteOnce.*${ArtifactGuardWarning.evidenceWriteOnce}`));
      warnings.hasWarning('/S/Guard', Match.stringLikeRegexp(`Object Lock.*${ArtifactGuardWarning.evidenceObjectLock}`));
    });

    it('adds the write-once statement to a bucket of the same stack and warns only when it has no Object Lock', () => {
      for (const objectLockEnabled of [false, true]) {
        const { stack } = guardIn({}, (s) => ({ evidenceBucket: new s3.Bucket(s, 'Mine', { objectLockEnabled, enforceSSL: true }) }));
        const { ofType } = templateOf(stack);
        expect(ofType('AWS::S3::Bucket').map(([id]) => id)).toEqual([expect.stringMatching(/^Mine/), expect.stringMatching(/TrailLogs/)]);
        const statements = statementsOf(ofType('AWS::S3::BucketPolicy'));
        expect(statements.find((s) => s.Sid === 'EvidenceIsWriteOnce')).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject', Condition: { Null: { 's3:if-none-match': 'true' } } });
        const warnings = Annotations.fromStack(stack);
        expect(warnings.findWarning('*', Match.stringLikeRegexp(ArtifactGuardWarning.evidenceWriteOnce))).toEqual([]);
        expect(warnings.findWarning('*', Match.stringLikeRegexp(ArtifactGuardWarning.evidenceObjectLock))).toHaveLength(objectLockEnabled ? 0 : 1);
      }
    });

    it('records in an existing table: no table of its own, the steps\' grants on the given one', () => {
      const { stack } = guardIn({}, (s) => ({ table: dynamodb.Table.fromTableName(s, 'Table', 'existing-records') }));
      const { template, ofType } = templateOf(stack);
      template.resourceCountIs('AWS::DynamoDB::Table', 0);
      for (const [, fn] of ofType('AWS::Lambda::Function')) expect(envOf(fn).TABLE_NAME).toBe('existing-records');
      const tableStatements = statementsOf(ofType('AWS::IAM::Policy')).filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));
      expect(tableStatements.length).toBeGreaterThan(0);
      for (const s of tableStatements) expect(JSON.stringify(s.Resource)).toContain(':table/existing-records');
    });
  });

  describe('metrics', () => {
    const { guard } = guardIn({ guardId: 'prod' });

    it('has one metric… method per metric name, each with the service and guard dimensions', () => {
      for (const name of Object.values(MetricName)) {
        const method = (guard as unknown as Record<string, (props?: cloudwatch.MetricOptions) => cloudwatch.Metric>)[`metric${name}`];
        expect(typeof method).toBe('function');
        const metric = method!.call(guard);
        expect(metric).toMatchObject({ namespace: METRICS_NAMESPACE, metricName: name, dimensions: { service: 'artifact-guard', guard: 'prod' }, statistic: 'Sum' });
      }
      expect(guard.metric('Custom', { statistic: 'Maximum' })).toMatchObject({ metricName: 'Custom', statistic: 'Maximum', dimensions: { guard: 'prod' } });
    });

    it('has the build success rate and SBOM coverage expressions, the latter on the guard\'s own metrics', () => {
      const coverage = guard.metricSbomCoverage();
      expect(coverage.expression).toBe('100 * withSbom / MAX([guarded, 1])');
      for (const m of Object.values(coverage.usingMetrics)) expect((m as cloudwatch.Metric).dimensions).toEqual({ service: 'artifact-guard', guard: 'prod' });
      const rate = guard.metricBuildSuccessRate();
      // Succeeded / all CI builds recorded (issue 14): the average of BuildSuccess (1 or 0 per build).
      expect(Object.values(rate.usingMetrics).map((m) => [(m as cloudwatch.Metric).metricName, (m as cloudwatch.Metric).statistic])).toEqual([['BuildSuccess', 'Average']]);
    });
  });

  describe('grants', () => {
    const { stack, guard } = guardIn({});
    const verifier = new iam.Role(stack, 'Verifier', { assumedBy: new iam.AccountRootPrincipal() });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const deployer = new iam.Role(stack, 'Deployer', { assumedBy: new iam.AccountRootPrincipal() });
    const grants = { verify: guard.grantVerify(verifier), read: guard.grantReadEvidence(reader), gate: guard.grantInvokeGate(deployer) };
    const { ofType } = templateOf(stack);
    const policyOf = (role: iam.Role) => {
      const id = stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId) as string;
      return statementsOf(ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: id }])));
    };
    const grantActions = (g: iam.Grant) => actionsOf(g.principalStatements.map((s) => s.toStatementJson() as { Action?: unknown }));

    it('grantVerify returns one grant with the public key, pull on every repository and reading the records', () => {
      expect(grants.verify.success).toBe(true);
      const actions = grantActions(grants.verify);
      for (const a of ['kms:GetPublicKey', 'kms:DescribeKey', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:GetAuthorizationToken', 'dynamodb:GetItem', 'dynamodb:Query']) expect(actions).toContain(a);
      expect(actions).not.toContain('kms:Sign');
      expect(new Set(actions)).toEqual(new Set(actionsOf(policyOf(verifier))));
    });

    it('grantReadEvidence returns one grant with the records and the evidence bucket', () => {
      const actions = grantActions(grants.read);
      for (const a of ['dynamodb:GetItem', 's3:GetObject*', 's3:List*']) expect(actions).toContain(a);
      expect(new Set(actions)).toEqual(new Set(actionsOf(policyOf(reader))));
    });

    it('grantInvokeGate grants invoking the gate and its IAM-authenticated Function URL', () => {
      expect(grantActions(grants.gate)).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunction']);
      // The URL needs both (AWS's dual authorisation for function URLs): InvokeFunctionUrl, and InvokeFunction via the URL.
      expect(new Set(actionsOf(policyOf(deployer)))).toEqual(new Set(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']));
      expect(JSON.stringify(policyOf(deployer))).toContain(stack.getLogicalId(guard.verifyGate.function.node.defaultChild as CfnElement));
    });
  });

  describe('onAlert', () => {
    it('makes a rule on the alert bus for every alert type by default, with the given target', () => {
      const { stack, guard } = guardIn({});
      const queue = new sqs.Queue(stack, 'Inbox');
      const rule = guard.onAlert('AllAlerts', { target: new targets.SqsQueue(queue), description: 'everything' });
      expect(rule.node.scope).toBe(guard);
      Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: Match.stringLikeRegexp('^GuardAlertBus') },
        Description: 'everything',
        EventPattern: { source: ['artifact-guard'], 'detail-type': Object.values(AlertType) },
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Inbox'), 'Arn'] } })],
      });
    });

    it('matches only the types it is given', () => {
      const { stack, guard } = guardIn({});
      const topic = new sns.Topic(stack, 'Pager');
      guard.onAlert('Pages', { types: [AlertType.signatureFailed, AlertType.policyViolation], target: new targets.SnsTopic(topic) });
      Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['artifact-guard'], 'detail-type': ['Signature Verification Failed', 'Policy Violation'] },
        Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Pager') } })],
      });
      expect(() => guard.onAlert('None', { types: [], target: new targets.SnsTopic(topic) })).toThrow(/at least one alert type/);
    });
  });

  describe('fromArtifactGuardAttributes', () => {
    const attrs: ArtifactGuardAttributes = {
      guardId: 'shared-guard',
      signingKeyArn: ARN.key,
      signingKeyAliasName: 'alias/artifact-guard-signing',
      tableName: 'guard-records',
      evidenceBucketName: 'guard-evidence',
      alertBusArn: 'arn:aws:events:eu-west-1:111111111111:event-bus/guard-alerts',
      alertTopicArn: ARN.topic,
      repositoryNames: ['team/api', 'team/web'],
      gateFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:guard-gate',
      stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:guard-workflow',
    };
    const stack = new Stack(offlineApp(), 'Consumer', { env: { account: '111111111111', region: 'eu-west-1' } });
    const guard: IArtifactGuard = ArtifactGuard.fromArtifactGuardAttributes(stack, 'Guard', attrs);
    const ci = new iam.Role(stack, 'Ci', { assumedBy: new iam.AccountRootPrincipal() });
    const verify = guard.grantVerify(ci);
    const read = guard.grantReadEvidence(ci);
    const gate = guard.grantInvokeGate(ci);
    guard.onAlert('ToQueue', { target: new targets.SqsQueue(new sqs.Queue(stack, 'Q')) });
    const { template, resources, ofType } = templateOf(stack);

    it('creates no guard resource, only the consumer\'s', () => {
      expect([...new Set(Object.values(resources).map((r) => r.Type))].sort()).toEqual([
        'AWS::Events::Rule',
        'AWS::IAM::Policy',
        'AWS::IAM::Role',
        'AWS::SQS::Queue',
        'AWS::SQS::QueuePolicy',
      ]);
      expect(guard.signingKeyAliasName).toBe('alias/artifact-guard-signing');
    });

    it('grants on the imported key, repositories, table, bucket and gate', () => {
      for (const g of [verify, read, gate]) expect(g.success).toBe(true);
      const statements = JSON.stringify(statementsOf(ofType('AWS::IAM::Policy')));
      for (const s of [ARN.key, ':repository/team/api', ':repository/team/web', ':table/guard-records', ':table/guard-records/index/*', 'guard-evidence/*', attrs.gateFunctionArn]) expect(statements).toContain(s);
      const actions = grantActions([verify, read, gate]);
      for (const a of ['kms:GetPublicKey', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'dynamodb:Query', 's3:GetObject*', 'lambda:InvokeFunction']) expect(actions).toContain(a);
    });

    it('has metrics with its guard dimension and the workflow\'s metrics', () => {
      expect(guard.metricPolicyViolations().dimensions).toEqual({ service: 'artifact-guard', guard: 'shared-guard' });
      const builds = guard.metricBuildSuccessRate().usingMetrics.builds as cloudwatch.Metric;
      expect(builds.dimensions).toEqual({ service: 'artifact-guard', guard: 'shared-guard' });
    });

    it('puts onAlert rules on the imported bus', () => {
      template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'guard-alerts', EventPattern: { source: ['artifact-guard'], 'detail-type': Object.values(AlertType) } });
    });

    function grantActions(gs: iam.Grant[]): string[] {
      return actionsOf(gs.flatMap((g) => g.principalStatements.map((s) => s.toStatementJson() as { Action?: unknown })));
    }
  });

  it('acknowledges no cdk-nag finding itself: in a bare stack AwsSolutions fails (ArtifactGuardStack acknowledges them)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir: fs.mkdtempSync('/tmp/ag-cdk-') });
    new ArtifactGuard(new Stack(app, 'Bare'), 'Guard');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-(IAM5|L1|SQS3|DDB3)/);
  });
});
