/** The custom resource that publishes the admission policies (issue 15 point 3): KMS public key in, documents to S3, an answer to CloudFormation. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeKms, KEY_ARN } from '../../support/fake-kms';

const s3 = mockClient(S3Client);
s3.on(PutObjectCommand).resolves({});
let kms: FakeKms;
let server: http.Server;
let responses: { body: Record<string, unknown> }[];
let url: string;

beforeAll(async () => {
  kms = new FakeKms();
  process.env.SIGNING_KEY_ARN = KEY_ARN;
  process.env.EVIDENCE_BUCKET = 'evidence-bucket';
  process.env.GUARDED_REPOSITORIES = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/app';
  process.env.GATE_ENVIRONMENTS = JSON.stringify({ environments: { dev: { policy: {} }, prod: { policy: { vulnerabilities: { failOn: 'high' } }, repositories: ['111111111111.dkr.ecr.eu-west-1.amazonaws.com/app-prod'] } } });
  responses = [];
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      responses.push({ body: JSON.parse(text) as Record<string, unknown> });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
});
afterAll(async () => {
  s3.restore();
  await kms.close();
  await new Promise((resolve) => server.close(resolve));
});

const event = (type: 'Create' | 'Update' | 'Delete') => ({ RequestType: type, ResponseURL: url, StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/S/1', RequestId: 'r-1', LogicalResourceId: 'AdmissionPoliciesDocuments' });

describe('admission policies custom resource', () => {
  it('writes every environment\'s documents for the KMS public key and answers SUCCESS', async () => {
    const { handler } = await import('../../../lambdas/handlers/admission-policies');
    await handler(event('Create'));
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key).sort()).toEqual(
      ['kyverno.json', 'policy-controller.json', 'policy.json', 'registries.d.yaml'].flatMap((f) => [`admission/dev/${f}`, `admission/prod/${f}`]).sort(),
    );
    expect(puts.every((p) => p.Bucket === 'evidence-bucket')).toBe(true);
    const kyverno = JSON.parse(String(puts.find((p) => p.Key === 'admission/prod/kyverno.json')?.Body)) as { spec: { rules: { verifyImages: { attestors: { entries: { keys: { publicKeys: string } }[] }[]; imageReferences: string[] }[] }[] } };
    const vi = kyverno.spec.rules[0]?.verifyImages[0];
    expect(vi?.attestors[0]?.entries[0]?.keys.publicKeys).toBe(kms.key.publicPem.trim());
    expect(vi?.imageReferences).toEqual(['111111111111.dkr.ecr.eu-west-1.amazonaws.com/app-prod:*', '111111111111.dkr.ecr.eu-west-1.amazonaws.com/app-prod@*']);
    expect(String(puts.find((p) => p.Key === 'admission/dev/policy.json')?.Body)).toContain('111111111111.dkr.ecr.eu-west-1.amazonaws.com/app"');
    expect(responses.at(-1)?.body).toMatchObject({ Status: 'SUCCESS', RequestId: 'r-1', LogicalResourceId: 'AdmissionPoliciesDocuments', Data: { Prefix: 's3://evidence-bucket/admission/' } });
  });

  it('answers FAILED with the reason when a document cannot be written, and SUCCESS on Delete without writing', async () => {
    const { handler } = await import('../../../lambdas/handlers/admission-policies');
    s3.reset();
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await handler(event('Update'));
    expect(responses.at(-1)?.body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('Access Denied') });
    s3.reset();
    await handler(event('Delete'));
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(responses.at(-1)?.body).toMatchObject({ Status: 'SUCCESS' });
  });
});
