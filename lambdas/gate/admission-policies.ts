/**
 * Admission policies generated from an environment's policy, for the clusters and hosts that run
 * its images: a Kyverno `ClusterPolicy` (verifyImages with attestation conditions), a sigstore
 * policy-controller `ClusterImagePolicy` (Rego over each attestation) and a containers-policy.json
 * (podman, skopeo, CRI-O: signatures only, containers/image reads no attestations).
 *
 * Pure: the CLI (`policy --env`) and the CDK app (stack outputs) build the same documents. The
 * admission controllers compare what the gate normalises (source repositories) literally, so
 * each listed source is also accepted with `git+`; severities are the scan report's lowercase words.
 */
import type { Policy, RequiredAttestation } from '../attest/policy';
import { SEVERITY_ORDER } from '../attest/scan-report';
import type { Environment } from './environments';

export const ADMISSION_FORMATS = ['kyverno', 'policy-controller', 'containers-policy'] as const;
export type AdmissionFormat = (typeof ADMISSION_FORMATS)[number];

export interface AdmissionInput {
  readonly environment: Environment;
  /** The stack's public key, PEM (SubjectPublicKeyInfo). */
  readonly publicKeyPem: string;
  /** Repositories (`HOST/REPO`) whose images the policy governs. */
  readonly repositories: readonly string[];
}

type Doc = Record<string, unknown>;

const VULN = 'https://cosign.sigstore.dev/attestation/vuln/v1';
const SLSA = 'https://slsa.dev/provenance/v1';
const CYCLONEDX = 'https://cyclonedx.org/bom';

/** Where each known predicate records when it was made (what `maxAge` measures). */
const DATED_AT: Readonly<Record<string, { jmes: string; rego: string }>> = {
  [VULN]: { jmes: 'metadata.scanFinishedOn', rego: 'input.predicate.metadata.scanFinishedOn' },
  [SLSA]: { jmes: 'runDetails.metadata.finishedOn', rego: 'input.predicate.runDetails.metadata.finishedOn' },
  [CYCLONEDX]: { jmes: 'metadata.timestamp', rego: 'input.predicate.metadata.timestamp' },
};

export const policyName = (env: Environment): string => `artifact-guard-${env.name}`;

/** The severities at or above `failOn` (with `unknown` when unknown severities fail). */
function blockingSeverities(policy: Policy): string[] {
  if (!policy.failOn) return [];
  const rank = SEVERITY_ORDER.indexOf(policy.failOn);
  const at = SEVERITY_ORDER.filter((s, i) => i >= rank && s !== 'none');
  return policy.unknownSeverity === 'warn' || at.includes('unknown') ? at : ['unknown', ...at];
}

const withGitPrefix = (list: readonly string[]): string[] => [...new Set(list.flatMap((s) => (s.startsWith('git+') ? [s, s.slice(4)] : [s, `git+${s}`])))];

/** Go duration (Kyverno compares `time_since` results with it). */
const goDuration = (ms: number): string => `${Math.floor(ms / 3_600_000)}h${Math.floor((ms % 3_600_000) / 60_000)}m${Math.floor((ms % 60_000) / 1000)}s`;

/** Required attestations, with the ones the rules imply (as policy.ts adds them). */
function attestationsOf(policy: Policy): readonly RequiredAttestation[] {
  return policy.attestations;
}

// ---- Kyverno ----

function kyvernoConditions(policy: Policy, a: RequiredAttestation): Doc[] {
  const all: Doc[] = [];
  if (a.predicateType === VULN && policy.failOn) {
    all.push({ key: '{{ scanner.result.verdict }}', operator: 'AnyIn', value: ['pass', 'fail'], message: 'the scan had no verified data or was incomplete' });
    const sev = blockingSeverities(policy).map((s) => `'${s}'`).join(', ');
    all.push({
      key: `{{ length(scanner.result.findings[?suppressed != \`true\` && contains([${sev}], severity)] || \`[]\`) }}`,
      operator: 'Equals',
      value: 0,
      message: `unsuppressed findings at or above ${policy.failOn}`,
    });
  }
  if (a.predicateType === SLSA && policy.sourceRepositories) {
    all.push({ key: '{{ buildDefinition.externalParameters.source.repository }}', operator: 'AnyIn', value: withGitPrefix(policy.sourceRepositories), message: 'built from a source repository the policy does not allow' });
  }
  if (a.predicateType === SLSA && policy.builders) {
    all.push({ key: '{{ runDetails.builder.id }}', operator: 'AnyIn', value: [...policy.builders], message: 'built by a builder the policy does not allow' });
  }
  const dated = DATED_AT[a.predicateType];
  if (a.maxAgeMs !== undefined && dated) {
    all.push({ key: `{{ time_since('', '{{ ${dated.jmes} }}', '') }}`, operator: 'LessThanOrEquals', value: goDuration(a.maxAgeMs), message: `older than ${a.maxAge ?? goDuration(a.maxAgeMs)}` });
  }
  return all.length ? [{ all }] : [];
}

export function kyvernoPolicy(input: AdmissionInput): Doc {
  const { environment: env } = input;
  const attestors = [{ count: 1, entries: [{ keys: { publicKeys: input.publicKeyPem.trim(), signatureAlgorithm: 'sha256', rekor: { ignoreTlog: true }, ctlog: { ignoreSCT: true } } }] }];
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: {
      name: policyName(env),
      annotations: { 'policies.kyverno.io/title': `Artifact Guard: images allowed in ${env.name}`, 'policies.kyverno.io/description': `Generated by artifact-guard policy kyverno --env ${env.name}: the stack's signature and the attestations the ${env.name} policy requires.` },
    },
    spec: {
      background: false,
      webhookConfiguration: { failurePolicy: 'Fail', timeoutSeconds: 30 },
      rules: [
        {
          name: 'artifact-guard-signature-and-attestations',
          match: { any: [{ resources: { kinds: ['Pod'] } }] },
          verifyImages: [
            {
              imageReferences: input.repositories.flatMap((r) => [`${r}:*`, `${r}@*`]),
              failureAction: 'Enforce',
              mutateDigest: true,
              verifyDigest: true,
              required: true,
              attestors,
              ...(attestationsOf(env.policy).length
                ? {
                    attestations: attestationsOf(env.policy).map((a) => ({
                      type: a.predicateType,
                      attestors,
                      ...(kyvernoConditions(env.policy, a).length ? { conditions: kyvernoConditions(env.policy, a) } : {}),
                    })),
                  }
                : {}),
            },
          ],
        },
      ],
    },
  };
}

// ---- sigstore policy-controller ----

const regoSet = (values: readonly string[]): string => `{${values.map((v) => JSON.stringify(v)).join(', ')}}`;

function regoPolicy(policy: Policy, a: RequiredAttestation): string | undefined {
  const rules: string[] = [];
  if (a.predicateType === VULN && policy.failOn) {
    rules.push('input.predicate.scanner.result.verdict in {"pass", "fail"}');
    rules.push(`count([f | some f in input.predicate.scanner.result.findings; not f.suppressed; lower(f.severity) in ${regoSet(blockingSeverities(policy))}]) == 0`);
  }
  if (a.predicateType === SLSA && policy.sourceRepositories) rules.push(`input.predicate.buildDefinition.externalParameters.source.repository in ${regoSet(withGitPrefix(policy.sourceRepositories))}`);
  if (a.predicateType === SLSA && policy.builders) rules.push(`input.predicate.runDetails.builder.id in ${regoSet(policy.builders)}`);
  const dated = DATED_AT[a.predicateType];
  if (a.maxAgeMs !== undefined && dated) rules.push(`time.parse_rfc3339_ns(${dated.rego}) >= time.now_ns() - ${a.maxAgeMs * 1_000_000}`);
  if (rules.length === 0) return undefined;
  return ['package sigstore', '', 'import rego.v1', '', 'default isCompliant := false', '', 'isCompliant if {', ...rules.map((r) => `\t${r}`), '}', ''].join('\n');
}

export function policyControllerPolicy(input: AdmissionInput): Doc {
  const { environment: env } = input;
  const attestations = attestationsOf(env.policy).map((a) => {
    const data = regoPolicy(env.policy, a);
    return { name: a.name.replace(/[^a-z0-9-]/gi, '-').toLowerCase(), predicateType: a.predicateType, ...(data ? { policy: { type: 'rego', data } } : {}) };
  });
  return {
    apiVersion: 'policy.sigstore.dev/v1beta1',
    kind: 'ClusterImagePolicy',
    metadata: { name: policyName(env) },
    spec: {
      images: input.repositories.flatMap((r) => [{ glob: `${r}:**` }, { glob: `${r}@**` }]),
      mode: 'enforce',
      authorities: [
        {
          name: 'artifact-guard',
          key: { data: input.publicKeyPem.trim(), hashAlgorithm: 'sha256' },
          ...(attestations.length ? { attestations } : {}),
        },
      ],
    },
  };
}

// ---- containers/image (podman, skopeo, CRI-O) ----

/**
 * policy.json: images of the environment's repositories must carry a signature by the stack's key
 * naming their repository (matchRepository: our signatures name the bare repository); everything
 * else keeps the host's default, which the operator merges in (the document says reject).
 */
export function containersPolicy(input: AdmissionInput): Doc {
  const requirement = [{ type: 'sigstoreSigned', keyData: Buffer.from(`${input.publicKeyPem.trim()}\n`).toString('base64'), signedIdentity: { type: 'matchRepository' } }];
  return {
    default: [{ type: 'reject' }],
    transports: { docker: Object.fromEntries(input.repositories.map((r) => [r, requirement])) },
  };
}

/** What containers/image also needs: read `.sig` attachments from these registries. */
export function containersRegistriesD(repositories: readonly string[]): string {
  const hosts = [...new Set(repositories.map((r) => r.split('/')[0] ?? r))];
  return ['docker:', ...hosts.flatMap((h) => [`  ${h}:`, '    use-sigstore-attachments: true'])].join('\n') + '\n';
}

export function admissionPolicy(format: AdmissionFormat, input: AdmissionInput): Doc {
  switch (format) {
    case 'kyverno':
      return kyvernoPolicy(input);
    case 'policy-controller':
      return policyControllerPolicy(input);
    case 'containers-policy':
      return containersPolicy(input);
  }
}

/** One generated document as the stack publishes it (evidence bucket, `admission/<env>/…`). */
export interface AdmissionDocument {
  readonly key: string;
  readonly body: string;
  readonly contentType: string;
}

/**
 * Every environment's three documents for the stack's key: each governs the environment's
 * repositories, or `defaultRepositories` (the guarded ones) for an environment that names none.
 */
export function admissionDocuments(envs: Iterable<Environment>, publicKeyPem: string, defaultRepositories: readonly string[]): AdmissionDocument[] {
  const out: AdmissionDocument[] = [];
  for (const environment of envs) {
    const repositories = environment.repositories ?? defaultRepositories;
    if (repositories.length === 0) continue;
    for (const format of ADMISSION_FORMATS) {
      const doc = admissionPolicy(format, { environment, publicKeyPem, repositories });
      // JSON is YAML: kubectl apply -f takes either.
      out.push({ key: `admission/${environment.name}/${format === 'containers-policy' ? 'policy.json' : `${format}.json`}`, body: `${JSON.stringify(doc, null, 2)}\n`, contentType: 'application/json' });
    }
    out.push({ key: `admission/${environment.name}/registries.d.yaml`, body: containersRegistriesD(repositories), contentType: 'application/yaml' });
  }
  return out;
}
