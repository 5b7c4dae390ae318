/** Admission policies from an environment's policy (issue 15 point 3), validated against the published schemas. */
import { admissionPolicy, ADMISSION_FORMATS, containersRegistriesD, kyvernoPolicy, policyControllerPolicy, containersPolicy } from '../../../lambdas/gate/admission-policies';
import { environmentsFrom } from '../../../lambdas/gate/environments';
import { schemaValidator } from '../../support/crd-schema';
import { p256Key } from '../../support/test-keys';

const kyverno = schemaValidator('kyverno.io_clusterpolicies.v1.json', { crd: true });
const cip = schemaValidator('policy.sigstore.dev_clusterimagepolicies.v1beta1.json', { crd: true });
const containers = schemaValidator('containers-policy.schema.json', { crd: false });
const VALIDATORS = { kyverno, 'policy-controller': cip, 'containers-policy': containers } as const;

const envs = environmentsFrom({
  environments: {
    dev: { policy: {} },
    prod: {
      policy: {
        maxAge: '7d',
        attestations: ['cyclonedx', { type: 'vuln', maxAge: '1d' }],
        vulnerabilities: { failOn: 'high' },
        provenance: { sourceRepositories: ['https://github.com/org/app'], builders: ['https://github.com/org/app/.github/workflows/release.yml'] },
      },
      repositories: ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-prod'],
    },
  },
});
const key = p256Key();
const input = (name: 'dev' | 'prod') => ({ environment: envs.get(name) as NonNullable<ReturnType<typeof envs.get>>, publicKeyPem: key.publicPem, repositories: ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-prod', '127.0.0.1:5000/team/app'] });

describe('admission policies', () => {
  it.each(ADMISSION_FORMATS.flatMap((f) => (['dev', 'prod'] as const).map((e) => [f, e] as const)))('%s for %s is valid against its published schema', (format, env) => {
    expect(VALIDATORS[format](admissionPolicy(format, input(env)))).toEqual([]);
  });

  it('the validators catch what the API server or containers/image would refuse', () => {
    const k = kyvernoPolicy(input('prod')) as { spec: Record<string, unknown> };
    expect(kyverno({ ...k, spec: { ...k.spec, validationFailureActionn: 'Enforce' } })).toEqual([expect.stringContaining('validationFailureActionn')]);
    const c = policyControllerPolicy(input('prod')) as { spec: { authorities: Record<string, unknown>[] } };
    expect(cip({ ...c, spec: { ...c.spec, authorities: [{ ...c.spec.authorities[0], key: { pem: 'x' } }] } }).join('\n')).toContain('pem');
    const p = containersPolicy(input('dev')) as { transports: { docker: Record<string, Record<string, unknown>[]> } };
    const [repo, reqs] = Object.entries(p.transports.docker)[0] as [string, Record<string, unknown>[]];
    expect(containers({ ...p, transports: { docker: { [repo]: [{ ...reqs[0], keyPath: '/k.pub' }] } } })).not.toEqual([]);
  });

  it('Kyverno: the stack key for the signature and every attestation, with conditions from the policy', () => {
    const doc = kyvernoPolicy(input('prod')) as { metadata: { name: string }; spec: { rules: { verifyImages: Record<string, unknown>[] }[] } };
    expect(doc.metadata.name).toBe('artifact-guard-prod');
    const vi = doc.spec.rules[0]?.verifyImages[0] as { imageReferences: string[]; attestors: { entries: { keys: { publicKeys: string } }[] }[]; attestations: { type: string; conditions?: { all: { key: string; operator: string; value: unknown }[] }[] }[] };
    expect(vi.imageReferences).toContain('127.0.0.1:5000/team/app@*');
    expect(vi.attestors[0]?.entries[0]?.keys.publicKeys).toBe(key.publicPem.trim());
    expect(vi.attestations.map((a) => a.type).sort()).toEqual(['https://cosign.sigstore.dev/attestation/vuln/v1', 'https://cyclonedx.org/bom', 'https://slsa.dev/provenance/v1']);
    const vuln = vi.attestations.find((a) => a.type.includes('vuln'))?.conditions?.[0]?.all ?? [];
    expect(vuln.find((c) => c.key.includes('findings'))).toMatchObject({ operator: 'Equals', value: 0 });
    expect(vuln.find((c) => c.key.includes('findings'))?.key).toContain("contains(['unknown', 'high', 'critical'], severity)");
    expect(vuln.find((c) => c.key.includes('time_since'))).toMatchObject({ operator: 'LessThanOrEquals', value: '24h0m0s' });
    const slsa = vi.attestations.find((a) => a.type.includes('slsa'))?.conditions?.[0]?.all ?? [];
    expect(slsa.find((c) => c.key.includes('source.repository'))?.value).toEqual(['https://github.com/org/app', 'git+https://github.com/org/app']);
    expect(slsa.find((c) => c.key.includes('builder.id'))?.value).toEqual(['https://github.com/org/app/.github/workflows/release.yml']);
    expect(slsa.find((c) => c.key.includes('time_since'))?.value).toBe('168h0m0s');
    // An environment asking for the signature only: no attestation block.
    const dev = kyvernoPolicy(input('dev')) as { spec: { rules: { verifyImages: Record<string, unknown>[] }[] } };
    expect(dev.spec.rules[0]?.verifyImages[0]).not.toHaveProperty('attestations');
  });

  it('policy-controller: key authority, attestations by predicate type, Rego from the policy', () => {
    const doc = policyControllerPolicy(input('prod')) as { spec: { images: { glob: string }[]; authorities: { key: { data: string }; attestations: { predicateType: string; policy?: { type: string; data: string } }[] }[] } };
    expect(doc.spec.images).toContainEqual({ glob: '127.0.0.1:5000/team/app:**' });
    const auth = doc.spec.authorities[0];
    expect(auth?.key.data).toBe(key.publicPem.trim());
    const vuln = auth?.attestations.find((a) => a.predicateType.includes('vuln'));
    expect(vuln?.policy?.type).toBe('rego');
    expect(vuln?.policy?.data).toContain('lower(f.severity) in {"unknown", "high", "critical"}');
    expect(vuln?.policy?.data).toContain(`time.now_ns() - ${86_400_000 * 1_000_000}`);
    expect(auth?.attestations.find((a) => a.predicateType.includes('slsa'))?.policy?.data).toContain('"git+https://github.com/org/app"');
    // cyclonedx has no rule of its own, only the policy's maxAge.
    expect(auth?.attestations.find((a) => a.predicateType.includes('cyclonedx'))?.policy?.data).toMatch(/isCompliant if \{\n\ttime.parse_rfc3339_ns\(input.predicate.metadata.timestamp\) >= time.now_ns\(\) - 604800000000000\n\}/);
  });

  it('containers-policy: sigstoreSigned with the key inline, matchRepository, per repository; registries.d turns attachments on', () => {
    const doc = containersPolicy(input('dev')) as { default: unknown; transports: { docker: Record<string, { keyData: string; signedIdentity: unknown }[]> } };
    expect(doc.default).toEqual([{ type: 'reject' }]);
    const req = doc.transports.docker['127.0.0.1:5000/team/app']?.[0];
    expect(Buffer.from(req?.keyData ?? '', 'base64').toString()).toBe(`${key.publicPem.trim()}\n`);
    expect(req?.signedIdentity).toEqual({ type: 'matchRepository' });
    expect(containersRegistriesD(['127.0.0.1:5000/team/app', '127.0.0.1:5000/other'])).toBe('docker:\n  127.0.0.1:5000:\n    use-sigstore-attachments: true\n');
  });
});
