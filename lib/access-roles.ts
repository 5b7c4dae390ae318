import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Pull, as `IRepository.grantPull` (without its GetAuthorizationToken, granted once per role). */
const PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
/** What `docker push` needs besides pull. */
export const PUSH = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];

export interface AccessRolesProps {
  /** Who may assume the roles (each role's trust policy). */
  readonly assumedBy: iam.IPrincipal;
  /** Repositories CI pushes to (guarded, outside every gated environment). */
  readonly sourceRepositories: readonly ecr.IRepository[];
  /** Repositories of gated environments (only the promotion Lambda pushes there). */
  readonly environmentRepositories: readonly ecr.IRepository[];
  readonly signingKey: kms.IKey;
  readonly table: dynamodb.ITable;
  readonly evidenceBucket: s3.IBucket;
  readonly gate: lambda.IFunction;
  readonly promote?: lambda.IFunction;
}

/**
 * The people-and-pipeline roles of a guard, least privilege, one job each:
 *
 * - **pusher** (CI pipelines): pull and push to the source repositories; no signing, no promotion,
 *   no evidence, nothing in the environments' repositories;
 * - **promoter** (release managers, a CD pipeline's promote stage): invoke the Promote Lambda (which
 *   asks the gate) and the gate; pull; never pushes itself;
 * - **deployer** (CodePipeline, GitHub Actions, an admission controller): invoke the gate, pull, read
 *   the public key;
 * - **auditor** (security, compliance): read the ledger, the evidence and the public key; no write.
 */
export class AccessRoles extends Construct {
  readonly pusher: iam.Role;
  readonly promoter: iam.Role;
  readonly deployer: iam.Role;
  readonly auditor: iam.Role;

  constructor(scope: Construct, id: string, props: AccessRolesProps) {
    super(scope, id);
    const role = (name: string, description: string) => new iam.Role(this, name, { assumedBy: props.assumedBy, description });
    const ecrToken = (r: iam.IRole) => iam.Grant.addToPrincipal({ grantee: r, actions: ['ecr:GetAuthorizationToken'], resourceArns: ['*'] });
    const repoActions = (r: iam.IRole, repos: readonly ecr.IRepository[], actions: string[]) => {
      if (repos.length) iam.Grant.addToPrincipal({ grantee: r, actions, resourceArns: repos.map((x) => x.repositoryArn) });
    };
    const publicKey = (r: iam.IRole) => iam.Grant.addToPrincipal({ grantee: r, actions: ['kms:GetPublicKey', 'kms:DescribeKey'], resourceArns: [props.signingKey.keyArn] });
    const invokeGate = (r: iam.IRole) => props.gate.grantInvoke(r).combine(props.gate.grantInvokeUrl(r));

    this.pusher = role('Pusher', 'Artifact Guard pusher: CI pipelines push to the source repositories (no signing, promotion or evidence)');
    ecrToken(this.pusher);
    repoActions(this.pusher, props.sourceRepositories, [...PULL, ...PUSH]);

    this.promoter = role('Promoter', 'Artifact Guard promoter: promotes through the Promote Lambda, which asks the gate; never pushes itself');
    ecrToken(this.promoter);
    repoActions(this.promoter, [...props.sourceRepositories, ...props.environmentRepositories], PULL);
    invokeGate(this.promoter);
    if (props.promote) props.promote.grantInvoke(this.promoter).combine(props.promote.grantInvokeUrl(this.promoter));

    this.deployer = role('Deployer', 'Artifact Guard deployer: asks the gate, pulls, reads the public key (CodePipeline, GitHub Actions, admission controllers)');
    ecrToken(this.deployer);
    repoActions(this.deployer, props.environmentRepositories.length ? props.environmentRepositories : props.sourceRepositories, PULL);
    publicKey(this.deployer);
    invokeGate(this.deployer);

    this.auditor = role('Auditor', 'Artifact Guard auditor: reads the ledger, the evidence and the public key; writes nothing');
    props.table.grantReadData(this.auditor);
    props.evidenceBucket.grantRead(this.auditor);
    publicKey(this.auditor);
  }
}
