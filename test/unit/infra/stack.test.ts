import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import aslValidator from 'asl-validator';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ArtifactGuardStack } from '../../../lib/artifact-guard-stack';
import { stackPropsFromContext } from '../../../lib/context';
import { definitionFromTemplate } from '../../../lib/template-definition';
import { offlineApp, synthTemplate } from '../../../lib/synth-offline';
import { RecordsTable } from '../../../lambdas/core/records-table';
import { TaskState } from '../../../lambdas/workflow/step-registry';

const template = synthTemplate({ alertEmail: 'sec@example.com' });
const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }> };
const resources = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
const definition = definitionFromTemplate(json) as { States: Record<string, { Type: string; Retry?: unknown[]; Catch?: { Next: string; ErrorEquals: string[] }[] }> };

describe('ArtifactGuard stack', () => {
  it('creates one guarded repository with immutable tags except the sha256-* evidence tags', () => {
    template.resourceCountIs('AWS::ECR::Repository', 1);
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'sha256-*' }],
    });
  });

  it('imports repositories named in context instead of creating one', () => {
    const app = offlineApp({ repositories: 'team/api, team/web' });
    const stack = new ArtifactGuardStack(app, 'S', stackPropsFromContext(app));
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ECR::Repository', 0);
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: Match.objectLike({ 'repository-name': ['team/api', 'team/web'] }) }) });
  });

  it('has an ECC P-256 signing key with an alias whose policy denies kms:Sign to everyone but the signing role', () => {
    const keys = resources('AWS::KMS::Key').filter(([, k]) => k.Properties?.KeySpec === 'ECC_NIST_P256');
    expect(keys).toHaveLength(1);
    const [keyId, key] = keys[0]!;
    expect(key.Properties?.KeyUsage).toBe('SIGN_VERIFY');
    expect(key.DeletionPolicy).toBe('Retain');
    // The alias is retained with the key: a rollover to a new alias leaves the old one naming the old key.
    template.hasResource('AWS::KMS::Alias', { Properties: { AliasName: 'alias/artifact-guard-signing', TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const statements = (key.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    const deny = statements.find((s) => s.Effect === 'Deny');
    expect(deny).toMatchObject({ Action: 'kms:Sign', Principal: { AWS: '*' } });
    const signingRole = resources('AWS::IAM::Role').find(([, r]) => String(r.Properties?.Description).includes('only principal allowed kms:Sign'));
    expect(signingRole).toBeDefined();
    expect(deny?.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [signingRole![0], 'Arn'] } } });
    // Only the signing role's policy grants kms:Sign (and the key policy denies everyone else).
    const signers = resources('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties).includes('"kms:Sign"'));
    expect(signers.map(([, p]) => (p.Properties as { Roles: { Ref: string }[] }).Roles)).toEqual([[{ Ref: signingRole![0] }]]);
    const fn = resources('AWS::Lambda::Function').find(([, f]) => JSON.stringify(f.Properties).includes(signingRole![0]));
    expect((fn?.[1].Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables.SIGNING_KEY_ARN).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  it('splits signing (issue 13 point 5): the key holder has no registry access and writes nothing; the function that pushes holds no key', () => {
    const stack = new ArtifactGuardStack(offlineApp(), 'Split');
    const t = Template.fromStack(stack);
    const actionsOf = (role: iam.IRole) => {
      const roleId = stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId) as string;
      const statements = Object.values(t.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"Ref":"${roleId}"`))
        .flatMap((p) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement);
      return statements.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
    };
    const signer = actionsOf(stack.guard.steps.sign.role);
    expect(stack.guard.steps.sign.role).toBe(stack.guard.signingRole);
    expect(signer).toEqual(expect.arrayContaining(['kms:Sign', 'kms:GetPublicKey', 's3:GetObject']));
    // Nothing but the key, reading evidence, its logs and X-Ray.
    expect(signer.filter((a) => !['kms:Sign', 'kms:GetPublicKey', 's3:GetObject', 'logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'].includes(a))).toEqual([]);
    const attach = actionsOf(stack.guard.steps.attach.role);
    expect(attach).toEqual(expect.arrayContaining(['ecr:PutImage', 's3:PutObject']));
    expect(attach.filter((a) => a.startsWith('kms:'))).toEqual([]);
    // The state machine runs Sign before Attach, and Attach is the only task that follows Sign.
    const definition = JSON.stringify(Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0]?.Properties.DefinitionString);
    expect(definition).toMatch(/\\"Sign\\":\{[^}]*\\"Next\\":\\"Attach\\"/);
  });

  it('points the scan step at an S3 OSV mirror named in context, with read access to that object only', () => {
    const app = offlineApp({ osvMirror: 's3://osv-mirror-bucket/osv/all.zip' });
    const t = Template.fromStack(new ArtifactGuardStack(app, 'M', stackPropsFromContext(app)));
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ARTIFACT_GUARD_OSV_MIRROR: 's3://osv-mirror-bucket/osv/all.zip' }) } });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::osv-mirror-bucket/osv/all.zip']] } })]) },
    });
    expect(() => stackPropsFromContext(offlineApp({ osvMirror: 'https://x' }))).toThrow(/osvMirror must be s3/);
  });

  it('has a deploy gate that may read the public key and pull, but never sign, and grantInvokeGate', () => {
    const stack = new ArtifactGuardStack(offlineApp(), 'G');
    const deployer = new iam.Role(stack, 'Deployer', { assumedBy: new iam.AccountRootPrincipal() });
    stack.guard.grantInvokeGate(deployer);
    const t = Template.fromStack(stack);
    const gateRole = stack.resolve((stack.guard.verifyGate.role.node.defaultChild as iam.CfnRole).logicalId) as string;
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes(`"Ref":"${gateRole}"`));
    const text = JSON.stringify(policies);
    expect(text).toContain('kms:GetPublicKey');
    expect(text).toContain('ecr:BatchGetImage');
    expect(text).not.toContain('"kms:Sign"');
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Deployer') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction', Effect: 'Allow' })]) },
    });
  });

  it('lets a verifier read the public key through grantVerify', () => {
    const stack = new ArtifactGuardStack(offlineApp(), 'S');
    const verifier = new iam.Role(stack, 'Verifier', { assumedBy: new iam.AccountRootPrincipal() });
    stack.guard.grantVerify(verifier);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Verifier') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:GetPublicKey', 'kms:DescribeKey'], Effect: 'Allow' })]) },
    });
  });

  it('keeps records in an on-demand, PITR, encrypted, deletion-protected table that is retained', () => {
    const [[, table]] = resources('AWS::DynamoDB::Table') as unknown as [[string, { Properties: Record<string, unknown>; DeletionPolicy?: string }]];
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
      KeySchema: [
        { AttributeName: RecordsTable.partitionKey, KeyType: 'HASH' },
        { AttributeName: RecordsTable.sortKey, KeyType: 'RANGE' },
      ],
    });
    expect(table.DeletionPolicy).toBe('Retain');
    expect((table.Properties.GlobalSecondaryIndexes as { IndexName: string }[])[0]?.IndexName).toBe(RecordsTable.digestIndex.name);
  });

  it('stores evidence in a private, TLS-only, versioned, encrypted bucket that is retained', () => {
    const buckets = resources('AWS::S3::Bucket');
    for (const [, b] of buckets) {
      expect(b.Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [expect.objectContaining({ ServerSideEncryptionByDefault: expect.anything() })] },
      });
      expect(b.DeletionPolicy).toBe('Retain');
    }
    const policies = resources('AWS::S3::BucketPolicy');
    expect(policies.length).toBe(buckets.length);
    for (const [, p] of policies) expect(JSON.stringify(p.Properties)).toContain('"aws:SecureTransport":"false"');
  });

  it('keeps evidence write-once: Object Lock on the bucket, a policy denying unconditional writes, writers that set retention', () => {
    const evidence = resources('AWS::S3::Bucket').filter(([, b]) => (b.Properties?.ObjectLockEnabled as boolean | undefined) === true);
    expect(evidence).toHaveLength(1);
    const [bucketId] = evidence[0]!;
    const policy = resources('AWS::S3::BucketPolicy').find(([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: bucketId }))![1];
    const statements = (policy.Properties?.PolicyDocument as { Statement: { Sid?: string; Effect: string; Action: string; Condition?: unknown; Resource: unknown }[] }).Statement;
    const writeOnce = statements.find((st) => st.Sid === 'EvidenceIsWriteOnce');
    expect(writeOnce).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject', Condition: { Null: { 's3:if-none-match': 'true' } } });
    expect(JSON.stringify(writeOnce?.Resource)).toContain('/evidence/*');
    for (const [, fn] of resources('AWS::Lambda::Function')) {
      const vars = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      if ('EVIDENCE_BUCKET' in vars) expect(vars.EVIDENCE_LOCK_DAYS).toBe('365');
    }
    const writers = resources('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties).includes('s3:PutObjectRetention'));
    // scan, sbom, sign; the vulnerability watch and the weekly re-scan (later scan reports).
    expect(writers.length).toBe(5);
  });

  it('runs a Standard JSONPath state machine with tracing, where every task retries and failures reach the alert step', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    const sm = resources('AWS::StepFunctions::StateMachine')[0]![1];
    expect(sm.Properties?.QueryLanguage).toBeUndefined();
    expect(JSON.stringify(definition)).not.toContain('JSONata');
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(4);
    for (const [name, state] of tasks) {
      expect(state.Retry?.length).toBeGreaterThan(0);
      if (name === TaskState.notifyFailure) continue;
      expect(state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: TaskState.notifyFailure })]);
    }
    expect(definition.States[TaskState.notifyFailure]).toMatchObject({ Next: 'Failed' });
  });

  it('has a valid ASL definition (asl-validator)', () => {
    // asl-validator annotates the object it checks (QueryLanguage): give it a copy.
    const result = aslValidator(structuredClone(definition));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('ships the local runner the exact definition of the synthesized template', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../lambdas/workflow/state-machine.asl.json'), 'utf8')) as unknown;
    expect(committed).toEqual(definition);
  });

  it('starts the workflow on successful ECR pushes except sha256-* evidence tags, which go to the evidence check', () => {
    const detail = (tag: unknown) => ({ 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': Match.anyValue(), 'image-tag': tag });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecr'], 'detail-type': ['ECR Image Action'], detail: detail([{ 'anything-but': { prefix: 'sha256-' } }]) },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('Workflow') }, DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecr'], 'detail-type': ['ECR Image Action'], detail: detail([{ prefix: 'sha256-' }]) },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('EvidenceCheck'), 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
    // Failures after the Lambda's own retries land in the same dead-letter queue.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: Match.anyValue() } } });
  });

  it('routes alerts from a custom bus to the alert mailer, the only publisher to an encrypted SNS topic, with e-mail', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const [topicId, topic] = (resources('AWS::SNS::Topic') as unknown as [string, { Properties: { KmsMasterKeyId: { 'Fn::GetAtt': [string, string] } } }][]).find(([id]) => /AlertTopic/.test(id))!;
    const topicKeyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    const topicKey = json.Resources[topicKeyId]!;
    expect(topicKey.Properties?.EnableKeyRotation).toBe(true);
    const stmts = (topicKey.Properties?.KeyPolicy as { Statement: { Principal?: { Service?: string }; Action: string[] }[] }).Statement;
    // EventBridge no longer publishes to the topic itself: only CloudWatch (the guard's own alarms) may use the key.
    expect(stmts.filter((s) => s.Principal?.Service).map((s) => s.Principal?.Service)).toEqual(['cloudwatch.amazonaws.com']);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('AlertBus') },
      EventPattern: { source: ['artifact-guard'], 'detail-type': Match.arrayWith(['Tag Immutability Violation', 'Policy Violation', 'Workflow Failed']) },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlertMailerFunction'), 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
    // The topic's only policy is the TLS-only deny: no service may publish to it.
    for (const [, policy] of resources('AWS::SNS::TopicPolicy')) expect(JSON.stringify(policy.Properties)).not.toContain('events.amazonaws.com');
    const mailer = resources('AWS::IAM::Policy').find(([id]) => id.includes('AlertMailer'))![1];
    const publish = (mailer.Properties?.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement.find((s) => s.Action === 'sns:Publish');
    expect(publish?.Resource).toEqual({ Ref: topicId });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'sec@example.com' });
  });

  it('delivers every alert event as JSON to a second encrypted topic, through a role only this account\'s EventBridge assumes', () => {
    const [eventsTopicId, eventsTopic] = resources('AWS::SNS::Topic').find(([id]) => /AlertEventsTopic/.test(id))!;
    expect(JSON.stringify(eventsTopic.Properties?.KmsMasterKeyId)).toContain('AlertEventsTopicKey');
    const [roleId, role] = resources('AWS::IAM::Role').find(([id]) => /AlertEventsPublisher/.test(id))!;
    expect(role.Properties?.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('AlertBus') },
      EventPattern: { source: ['artifact-guard'] },
      Targets: [Match.objectLike({ Arn: { Ref: eventsTopicId }, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
    const policy = resources('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties?.Roles).includes(roleId))![1];
    const actions = (policy.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap((st) => st.Action);
    expect(actions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*', 'sns:Publish']);
  });

  it('has a dashboard with build success rate, SBOM coverage and signature verification failures', () => {
    const [[, dash]] = resources('AWS::CloudWatch::Dashboard') as unknown as [[string, { Properties: { DashboardBody: unknown } }]];
    const body = JSON.stringify(dash.Properties.DashboardBody);
    for (const title of ['Build success rate (%)', 'SBOM coverage (%)', 'Signature verification failures', 'Tag immutability violations']) expect(body).toContain(title);
    for (const metric of ['BuildSuccess', 'GuardedArtifactsWithSbom', 'GuardedArtifacts', 'SignatureVerificationFailures']) expect(body).toContain(metric);
  });

  it('adds no e-mail subscription without alertEmail', () => {
    synthTemplate().resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('runs every step on Node.js 22 / arm64 with X-Ray and logs with retention', () => {
    const fns = resources('AWS::Lambda::Function');
    expect(fns.length).toBeGreaterThanOrEqual(3);
    for (const [, f] of fns) {
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    }
    for (const [, lg] of resources('AWS::Logs::LogGroup')) expect(lg.Properties?.RetentionInDays).toBe(30);
    // One per Lambda, the workflow's and the weekly re-scan's.
    expect(resources('AWS::Logs::LogGroup').length).toBe(fns.length + 2);
  });

  it('passes cdk-nag AwsSolutions with every finding acknowledged (and bundles the Lambda code for real)', () => {
    const app = new App({ outdir: fs.mkdtempSync('/tmp/ag-cdk-') });
    new ArtifactGuardStack(app, 'Nagged', { alertEmail: 'sec@example.com' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth(); // throws ValidationFailed on any unacknowledged finding
    const asset = fs.readdirSync(assembly.directory).filter((f) => f.startsWith('asset.'));
    expect(asset.length).toBeGreaterThanOrEqual(3);
    expect(fs.readFileSync(path.join(assembly.directory, asset[0]!, 'index.js'), 'utf8').length).toBeGreaterThan(1000);
  });

  it('has cdk-nag active: an unacknowledged finding fails synth (control)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir: fs.mkdtempSync('/tmp/ag-cdk-') });
    const stack = new ArtifactGuardStack(app, 'Control');
    new iam.Role(stack, 'Wide', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/Validation failed|ValidationFailed|AwsSolutions/);
  });
});

describe('vulnerability watch resources', () => {
  const policyOf = (fragment: string) => resources('AWS::IAM::Policy').filter(([id]) => id.includes(fragment)).map(([, p]) => JSON.stringify(p.Properties));

  it('runs the OSV watch hourly from a rule, with read/write to the mirror prefix only and no wider table access than it uses', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)', State: 'ENABLED' });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', MemorySize: 3008, Environment: { Variables: Match.objectLike({ OSV_MIRROR_PREFIX: 'osv-mirror/', OSV_MIRROR_MAX_AGE_HOURS: '48' }) } });
    const [watch] = policyOf('OsvWatchRole');
    expect(watch).toContain('/osv-mirror/*');
    expect(watch).toContain('dynamodb:Query');
    expect(watch).not.toContain('dynamodb:Scan');
    expect(watch).not.toContain('dynamodb:DeleteItem');
    expect(watch).not.toContain('s3:DeleteObject');
  });

  it('re-scans every stored SBOM weekly: a Distributed Map over the evidence listing, batched, with bounded concurrency', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 ? * SUN *)' });
    const rescan = definitionFromTemplate(json, 'FullRescan') as { States: Record<string, Record<string, unknown>> };
    expect(rescan.States.EverySbom).toMatchObject({
      Type: 'Map',
      ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Prefix: 'evidence/' } },
      ItemBatcher: { MaxItemsPerBatch: 200 },
      MaxConcurrency: 10,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
    });
    const committed = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../lambdas/workflow/watch/rescan.asl.json'), 'utf8')) as unknown;
    expect(committed).toEqual(rescan);
    expect(aslValidator(structuredClone(rescan)).errors).toEqual([]);
  });

  it('indexes components in the Record step: batch writes to the table, reads of the SBOMs', () => {
    const [record] = policyOf('RecordStepRole');
    expect(record).toContain('dynamodb:BatchWriteItem');
    expect(record).toContain('/evidence/*');
  });
});
