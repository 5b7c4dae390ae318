import { Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { SeverityThreshold } from './artifact-guard';
import { ArtifactGuard } from './artifact-guard';

export interface ArtifactGuardStackProps extends StackProps {
  /** Names of existing repositories to guard. @default - one repository is created */
  readonly repositoryNames?: string[];
  /** @default - no e-mail subscription */
  readonly alertEmail?: string;
  /** @default 'HIGH' */
  readonly severityThreshold?: SeverityThreshold;
  /** @default false */
  readonly signOnFindings?: boolean;
  /** @default 'FAIL' */
  readonly unknownSeverity?: 'FAIL' | 'WARN';
  /** @default false */
  readonly signUninventoriedArtifacts?: boolean;
  /** @default - the OSV.dev API */
  readonly osvMirror?: string;
}

/** A thin stack around the reusable `ArtifactGuard` construct. */
export class ArtifactGuardStack extends Stack {
  readonly guard: ArtifactGuard;

  constructor(scope: Construct, id: string, props: ArtifactGuardStackProps = {}) {
    super(scope, id, props);
    const repositories = props.repositoryNames?.map((name, i) => ecr.Repository.fromRepositoryName(this, `Guarded${i}`, name));
    this.guard = new ArtifactGuard(this, 'ArtifactGuard', {
      repositories,
      alertEmail: props.alertEmail,
      severityThreshold: props.severityThreshold,
      signOnFindings: props.signOnFindings,
      unknownSeverity: props.unknownSeverity,
      signUninventoriedArtifacts: props.signUninventoriedArtifacts,
      osvMirror: props.osvMirror,
    });
    new CfnOutput(this, 'SigningKeyAlias', { value: this.guard.signingKeyAlias.aliasName, description: 'cosign verify --key awskms:///<this>' });
    new CfnOutput(this, 'RepositoryUris', { value: this.guard.repositories.map((r) => r.repositoryUri).join(',') });
    new CfnOutput(this, 'VerifyGateFunction', { value: this.guard.verifyGate.function.functionName, description: 'aws lambda invoke --function-name <this> --payload \'{"reference":"HOST/REPO:TAG"}\' out.json' });
    new CfnOutput(this, 'EvidenceBucket', { value: this.guard.evidenceBucket.bucketName });
    new CfnOutput(this, 'RecordsTable', { value: this.guard.table.tableName });
    new CfnOutput(this, 'AlertTopic', { value: this.guard.alertTopic.topicArn });
  }
}
