import { Annotations, Arn, ArnFormat, DefaultStackSynthesizer, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { App, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ECR_PULL_ACTIONS, ECR_PUSH_ACTIONS } from './organization-pushes';

/** Id of the synth-time warning for a repository whose policy the construct cannot change. */
export const MemberAccountWarning = { repositoryPolicy: '@artifact-guard:memberRepositoryPolicy' } as const;

export interface ArtifactGuardMemberAccountProps {
  /**
   * The default event bus of the central account, in the central region
   * (`arn:aws:events:REGION:ACCOUNT:event-bus/default`); its guard has `organizationId` set.
   */
  readonly centralEventBusArn: string;
  /**
   * The repositories whose pushes are forwarded and which the central guard may read and sign.
   * For an `ecr.Repository` of this stack the construct adds the statement that lets the central
   * account pull and push; for any other it cannot, and warns with the statement to add.
   * @default - the pushes of every repository of this account and region are forwarded (add the
   * statement to each repository's policy yourself)
   */
  readonly repositories?: ecr.IRepository[];
}

/**
 * The member-account half of a guard that serves an organisation: a rule on this account's
 * default bus forwards its ECR push events (`ECR Image Action` / PUSH / SUCCESS) to the central
 * account's default bus, with a role EventBridge assumes to put them there (and a dead-letter
 * queue), and the guarded repositories' policies let the central account pull and push, which
 * its guard's identity policies narrow (only the signing role pushes). No Lambda, no asset: the
 * stack synthesizes to a plain template a StackSet can deploy to every account of an OU.
 */
export class ArtifactGuardMemberAccount extends Construct {
  /** The account whose guard processes this account's pushes. */
  readonly centralAccountId: string;
  readonly forwardRule: events.Rule;
  /** The role EventBridge assumes to put events on the central bus (only there). */
  readonly forwardRole: iam.Role;
  /** Forwarded events that the central bus did not accept after retries. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ArtifactGuardMemberAccountProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.centralEventBusArn) && !/^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[\w.-]+$/.test(props.centralEventBusArn)) {
      throw new Error(`${this.node.path}: centralEventBusArn must be an event bus ARN (arn:aws:events:REGION:ACCOUNT:event-bus/default), got ${JSON.stringify(props.centralEventBusArn)}`);
    }
    const account = Arn.split(props.centralEventBusArn, ArnFormat.SLASH_RESOURCE_NAME).account;
    if (!account) throw new Error(`${this.node.path}: centralEventBusArn names no account`);
    this.centralAccountId = account;
    const centralBus = events.EventBus.fromEventBusArn(this, 'CentralBus', props.centralEventBusArn);
    this.forwardRole = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'Artifact Guard: EventBridge forwards this account\'s ECR push events to the central guard\'s bus',
    });
    centralBus.grantPutEventsTo(this.forwardRole);
    this.deadLetterQueue = new sqs.Queue(this, 'ForwardDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const names = props.repositories?.map((r) => r.repositoryName);
    this.forwardRule = new events.Rule(this, 'ForwardPushes', {
      description: 'ECR pushes of this account, forwarded to the central Artifact Guard',
      eventPattern: {
        source: ['aws.ecr'],
        detailType: ['ECR Image Action'],
        detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], ...(names?.length ? { 'repository-name': names } : {}) },
      },
      targets: [new targets.EventBus(centralBus, { role: this.forwardRole, deadLetterQueue: this.deadLetterQueue })],
    });
    for (const repository of props.repositories ?? []) this.admitCentralAccount(repository);
  }

  /** The statement each guarded repository's policy needs: the central account may pull and push. */
  repositoryStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'ArtifactGuardCentralAccount',
      principals: [new iam.AccountPrincipal(this.centralAccountId)],
      actions: [...ECR_PULL_ACTIONS, ...ECR_PUSH_ACTIONS],
    });
  }

  private admitCentralAccount(repository: ecr.IRepository): void {
    if (repository.addToResourcePolicy(this.repositoryStatement()).statementAdded) return;
    Annotations.of(this).addWarningV2(
      MemberAccountWarning.repositoryPolicy,
      `${repository.node.path} is not a repository of this stack, so the construct cannot change its policy: add to it ${JSON.stringify(Stack.of(this).resolve(this.repositoryStatement().toStatementJson()))} ` +
        `(aws ecr set-repository-policy, merged with its current policy), or the central guard cannot read its images.`,
    );
  }
}

export interface ArtifactGuardMemberAccountStackProps extends StackProps {
  readonly centralEventBusArn: string;
  /**
   * Names of existing repositories of the account whose pushes are forwarded (their policies
   * need the statement synth prints). @default - every repository's pushes
   */
  readonly repositoryNames?: string[];
}

/**
 * A thin, StackSet-ready stack around `ArtifactGuardMemberAccount`: no assets and no bootstrap
 * version rule, so its template deploys to accounts that were never `cdk bootstrap`ped. It owns
 * the cdk-nag acknowledgements of the member resources.
 */
export class ArtifactGuardMemberAccountStack extends Stack {
  readonly member: ArtifactGuardMemberAccount;

  constructor(scope: Construct, id: string, props: ArtifactGuardMemberAccountStackProps) {
    super(scope, id, { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }), ...props });
    const repositories = props.repositoryNames?.map((name, i) => ecr.Repository.fromRepositoryName(this, `Repository${i}`, name));
    this.member = new ArtifactGuardMemberAccount(this, 'Member', { centralEventBusArn: props.centralEventBusArn, ...(repositories ? { repositories } : {}) });
    Validations.of(this.member.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the forwarding rule target.' });
  }
}

/** The member app's context (`-c centralEventBusArn=ARN [-c repositories=a,b]`) as stack props. */
export function memberStackPropsFromContext(app: App): ArtifactGuardMemberAccountStackProps {
  const arn: unknown = app.node.tryGetContext('centralEventBusArn');
  if (typeof arn !== 'string' || !arn) throw new Error("context centralEventBusArn is required (the central account's default event bus ARN)");
  const names = String(app.node.tryGetContext('repositories') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { centralEventBusArn: arn, ...(names.length ? { repositoryNames: names } : {}) };
}
