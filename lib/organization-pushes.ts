import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** What a role needs to read an image (ECR's pull actions, as `Repository.grantPull`). */
export const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
/** What the signing step adds to write `.sig`/`.att` manifests and their blobs. */
export const ECR_PUSH_ACTIONS = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

export interface OrganizationPushesProps {
  /** The AWS Organizations id (`o-…`) whose member accounts forward their ECR push events. */
  readonly organizationId: string;
  /** Member repositories to process. @default - every repository whose pushes a member forwards */
  readonly repositoryNames?: string[];
  readonly stateMachine: sfn.IStateMachine;
  readonly evidenceCheck: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  /** Roles that read member images (resolve, SBOM, evidence check, gate). */
  readonly pullRoles: iam.IRole[];
  /** Roles that also write evidence into member repositories (the signing step). */
  readonly pushRoles: iam.IRole[];
}

/**
 * Pushes from the member accounts of an organisation, forwarded by `ArtifactGuardMemberAccount`:
 * the default event bus accepts them from principals of the organisation only
 * (`aws:PrincipalOrgID`); two rules match them (pushes and `sha256-*` evidence pushes, as the
 * guard's own rules do, but for events of other accounts); the workflow roles may pull from
 * (and the signing role push to) repositories owned by accounts of the organisation
 * (`aws:ResourceOrgID`): the member's repository policy is the other half of that grant.
 */
export class OrganizationPushes extends Construct {
  /** The statement on the default bus that lets the organisation's accounts put events. */
  readonly busPolicy: events.CfnEventBusPolicy;
  readonly pushRule: events.Rule;
  readonly evidencePushRule: events.Rule;

  constructor(scope: Construct, id: string, props: OrganizationPushesProps) {
    super(scope, id);
    if (!ORGANIZATION_ID.test(props.organizationId)) throw new Error(`${this.node.path}: organizationId must look like o-a1b2c3d4e5, got ${JSON.stringify(props.organizationId)}`);
    this.busPolicy = new events.CfnEventBusPolicy(this, 'BusPolicy', {
      eventBusName: 'default',
      // Unique per guard (several guards in one account each add their own statement).
      statementId: `ArtifactGuardOrg${this.node.addr}`.slice(0, 64),
      statement: {
        Sid: `ArtifactGuardOrg${this.node.addr}`.slice(0, 64),
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      },
    });
    const pushOf = (imageTag: string[]) => ({
      source: ['aws.ecr'],
      detailType: ['ECR Image Action'],
      // Events of this account are the guard's own rules' (no event runs twice).
      account: events.Match.anythingBut(Aws.ACCOUNT_ID),
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], ...(props.repositoryNames?.length ? { 'repository-name': props.repositoryNames } : {}), 'image-tag': imageTag },
    });
    const dlq = props.deadLetterQueue;
    this.pushRule = new events.Rule(this, 'OnMemberPush', {
      description: 'Pushes forwarded by member accounts of the organisation, except sha256-* evidence tags',
      eventPattern: pushOf(events.Match.anythingButPrefix('sha256-')),
      targets: [new targets.SfnStateMachine(props.stateMachine, { deadLetterQueue: dlq, retryAttempts: 3 })],
    });
    this.evidencePushRule = new events.Rule(this, 'OnMemberEvidencePush', {
      description: 'Pushes to sha256-* evidence tags forwarded by member accounts, for the evidence check',
      eventPattern: pushOf(events.Match.prefix('sha256-')),
      targets: [new targets.LambdaFunction(props.evidenceCheck, { deadLetterQueue: dlq, retryAttempts: 3 })],
    });
    const memberRepositories = `arn:${Aws.PARTITION}:ecr:*:*:repository/*`;
    const inOrganization = { StringEquals: { 'aws:ResourceOrgID': props.organizationId } };
    for (const role of props.pullRoles) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'PullOrganizationRepositories', actions: ECR_PULL_ACTIONS, resources: [memberRepositories], conditions: inOrganization }));
    }
    for (const role of props.pushRoles) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'PullPushOrganizationRepositories', actions: [...ECR_PULL_ACTIONS, ...ECR_PUSH_ACTIONS], resources: [memberRepositories], conditions: inOrganization }),
      );
    }
  }
}
