/** `policy kyverno|policy-controller|containers-policy --env E` (issue 15 point 3): documents for the key given, valid against the published schemas. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { schemaValidator } from '../support/crd-schema';
import { expectOneErrorLine, runCli } from '../support/cli';
import { p256Key } from '../support/test-keys';

let work: string;
let env: Record<string, string>;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-policy-'));
  env = { ARTIFACT_GUARD_HOME: path.join(work, 'home') };
  fs.mkdirSync(env.ARTIFACT_GUARD_HOME as string);
  fs.writeFileSync(
    path.join(env.ARTIFACT_GUARD_HOME as string, 'environments.yaml'),
    'environments:\n  dev:\n    policy: {}\n  prod:\n    policy: { maxAge: 7d, vulnerabilities: { failOn: high } }\n    repositories: [123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-prod]\n',
  );
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

describe('policy --env', () => {
  it('prints each format for the given public key (PEM file), valid against its schema', async () => {
    const key = p256Key();
    const pub = path.join(work, 'stack.pub');
    fs.writeFileSync(pub, key.publicPem);
    const kyverno = await runCli(['policy', 'kyverno', '--env', 'prod', '--key', pub], env);
    expect(kyverno.code).toBe(0);
    const k = parse(kyverno.stdout) as { spec: { rules: { verifyImages: { attestors: { entries: { keys: { publicKeys: string } }[] }[]; attestations: { type: string }[] }[] }[] } };
    expect(schemaValidator('kyverno.io_clusterpolicies.v1.json', { crd: true })(k)).toEqual([]);
    expect(k.spec.rules[0]?.verifyImages[0]?.attestors[0]?.entries[0]?.keys.publicKeys).toBe(key.publicPem.trim());
    expect(k.spec.rules[0]?.verifyImages[0]?.attestations.map((a) => a.type)).toEqual(['https://cosign.sigstore.dev/attestation/vuln/v1']);

    const cip = await runCli(['policy', 'policy-controller', '--env', 'prod', '--key', pub, '-o', 'json'], env);
    expect(cip.code).toBe(0);
    expect(schemaValidator('policy.sigstore.dev_clusterimagepolicies.v1beta1.json', { crd: true })(JSON.parse(cip.stdout))).toEqual([]);

    const containers = await runCli(['policy', 'containers-policy', '--env', 'dev', '--key', pub, '--image', '127.0.0.1:5000/app'], env);
    expect(containers.code).toBe(0);
    const c = JSON.parse(containers.stdout) as { transports: { docker: Record<string, { keyData: string }[]> } };
    expect(schemaValidator('containers-policy.schema.json', { crd: false })(c)).toEqual([]);
    expect(Buffer.from(c.transports.docker['127.0.0.1:5000/app']?.[0]?.keyData ?? '', 'base64').toString()).toBe(`${key.publicPem.trim()}\n`);
    expect(containers.stderr).toContain('use-sigstore-attachments: true');
  });

  it('defaults to the local development key; bad input is one error line, exit 2', async () => {
    const noKey = await runCli(['policy', 'kyverno', '--env', 'prod'], env);
    expect(noKey.code).toBe(2);
    expect(expectOneErrorLine(noKey)).toContain('no local development key');
    const key = p256Key();
    fs.writeFileSync(path.join(env.ARTIFACT_GUARD_HOME as string, 'dev-signing-key.pub'), key.publicPem);
    expect((await runCli(['policy', 'kyverno', '--env', 'prod'], env)).stdout).toContain(key.publicPem.trim().split('\n')[1]);
    for (const [args, message] of [
      [['policy', 'kyverno', '--env', 'qa'], 'unknown environment "qa"'],
      [['policy', 'opa', '--env', 'prod'], 'FORMAT must be one of kyverno, policy-controller, containers-policy'],
      [['policy', 'kyverno', '--env', 'dev'], 'environment dev names no repositories'],
      [['policy', 'kyverno'], '--env ENV is required'],
    ] as const) {
      const r = await runCli([...args], env);
      expect(r.code).toBe(2);
      expect(expectOneErrorLine(r)).toContain(message);
    }
  });
});
