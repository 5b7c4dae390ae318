import type { App } from 'aws-cdk-lib';
import type { SeverityThreshold } from './artifact-guard';
import type { ArtifactGuardStackProps } from './artifact-guard-stack';

const SEVERITIES: readonly SeverityThreshold[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

/** Reads the documented context parameters (`cdk.json` or `-c key=value`) into stack props. */
export function stackPropsFromContext(app: App): ArtifactGuardStackProps {
  const get = (key: string): string | undefined => {
    const v: unknown = app.node.tryGetContext(key);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const repositories = get('repositories')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const severity = get('severityThreshold')?.toUpperCase();
  if (severity && !SEVERITIES.includes(severity as SeverityThreshold)) {
    throw new Error(`context severityThreshold must be one of ${SEVERITIES.join(', ')}, got "${severity}"`);
  }
  const signOnFindings = get('signOnFindings');
  if (signOnFindings && !['true', 'false'].includes(signOnFindings)) throw new Error('context signOnFindings must be true or false');
  const unknownSeverity = get('unknownSeverity')?.toUpperCase();
  if (unknownSeverity && unknownSeverity !== 'FAIL' && unknownSeverity !== 'WARN') throw new Error(`context unknownSeverity must be fail or warn, got "${unknownSeverity}"`);
  const signUninventoried = get('signUninventoriedArtifacts');
  if (signUninventoried && !['true', 'false'].includes(signUninventoried)) throw new Error('context signUninventoriedArtifacts must be true or false');
  const inspector = get('inspector');
  if (inspector && !['true', 'false'].includes(inspector)) throw new Error('context inspector must be true or false');
  const slackWorkspaceId = get('slackWorkspaceId');
  const slackChannelId = get('slackChannelId');
  if (!slackWorkspaceId !== !slackChannelId) throw new Error('context slackWorkspaceId and slackChannelId go together');
  const osvMirror = get('osvMirror');
  if (osvMirror && !/^s3:\/\/[^/]+\/.+/.test(osvMirror)) throw new Error('context osvMirror must be s3://BUCKET/KEY of an OSV zip');
  const organizationId = get('organizationId');
  if (organizationId && !/^o-[a-z0-9]{10,32}$/.test(organizationId)) throw new Error(`context organizationId must be an AWS Organizations id (o-…), got "${organizationId}"`);
  const memberRepositories = get('memberRepositories')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (memberRepositories?.length && !organizationId) throw new Error('context memberRepositories needs organizationId');
  const existingTrail = get('existingTrail');
  if (existingTrail && !['true', 'false'].includes(existingTrail)) throw new Error('context existingTrail must be true or false');
  const alarmBelow = get('buildSuccessAlarmBelow');
  if (alarmBelow && !(Number(alarmBelow) > 0 && Number(alarmBelow) <= 100)) throw new Error(`context buildSuccessAlarmBelow must be a percentage in (0, 100], got "${alarmBelow}"`);
  return {
    ...(inspector === 'true' ? { inspector: true } : {}),
    osvMirror,
    ...(organizationId ? { organizationId } : {}),
    ...(memberRepositories?.length ? { memberRepositoryNames: memberRepositories } : {}),
    existingTrail: existingTrail === 'true',
    ...(alarmBelow ? { buildSuccessAlarmBelow: Number(alarmBelow) } : {}),
    repositoryNames: repositories?.length ? repositories : undefined,
    alertEmail: get('alertEmail'),
    severityThreshold: severity as SeverityThreshold | undefined,
    signOnFindings: signOnFindings === 'true',
    unknownSeverity: unknownSeverity as 'FAIL' | 'WARN' | undefined,
    signUninventoriedArtifacts: signUninventoried === 'true',
    ...(slackWorkspaceId && slackChannelId ? { slack: { workspaceId: slackWorkspaceId, channelId: slackChannelId } } : {}),
  };
}
