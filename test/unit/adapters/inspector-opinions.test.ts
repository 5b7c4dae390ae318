import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { UnavailableError } from '../../../lambdas/core/errors';
import { httpInspector2Client } from '../../../lambdas/adapters/aws/inspector2-client';
import { ecrRepositoryName, InspectorOpinionSource, type Inspector2Client, type ListFindingsInput } from '../../../lambdas/adapters/aws/inspector-opinions';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'second-opinions', 'inspector-findings.json');
const A = 'sha256:f2a61ba65c935c5868393b3ed04e77361ceb199befab765a91a4a7d4456da6d2';
const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app';
const findings = (): unknown[] => (JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as { findings: unknown[] }).findings;

/** A double of the ListFindings API: filters the fixture findings by image hash, pages of one. */
function fakeInspector(all: unknown[]): Inspector2Client & { calls: ListFindingsInput[] } {
  const calls: ListFindingsInput[] = [];
  return {
    calls,
    listFindings(input) {
      calls.push(input);
      const hash = input.filterCriteria.ecrImageHash[0]?.value;
      const matching = all.filter((f) => JSON.stringify(f).includes(`"imageHash":"${hash}"`));
      const start = Number(input.nextToken ?? 0);
      const next = start + 1 < matching.length ? String(start + 1) : undefined;
      return Promise.resolve({ findings: matching.slice(start, start + 1), ...(next ? { nextToken: next } : {}) });
    },
  };
}

describe('InspectorOpinionSource', () => {
  it('asks ListFindings by image hash, repository and type, reads every page, and maps the findings', async () => {
    const client = fakeInspector(findings());
    const [report] = await new InspectorOpinionSource(client).opinionsFor({ repositoryName: REPO, digest: A, manifests: [A] });
    expect(client.calls).toHaveLength(2);
    expect(client.calls[0]).toEqual({
      filterCriteria: {
        ecrImageHash: [{ comparison: 'EQUALS', value: A }],
        ecrImageRepositoryName: [{ comparison: 'EQUALS', value: 'app' }],
        findingType: [{ comparison: 'EQUALS', value: 'PACKAGE_VULNERABILITY' }],
      },
      maxResults: 100,
    });
    expect(client.calls[1]?.nextToken).toBe('1');
    expect(report?.subject.digests).toEqual([A]);
    // The CLOSED finding of the second page is left out.
    expect(report?.findings.map((f) => f.id)).toEqual(['CVE-2021-23337']);
  });

  it('reports an image without findings as a source with no findings and no scan time', async () => {
    const other = 'sha256:' + 'e'.repeat(64);
    const [report] = await new InspectorOpinionSource(fakeInspector(findings())).opinionsFor({ repositoryName: REPO, digest: other, manifests: [other] });
    expect(report).toMatchObject({ findings: [], subject: { digests: [other] } });
    expect(report?.scannedAt).toBeUndefined();
  });

  it('turns API trouble into UnavailableError (retried by the state machine), never into "no findings"', async () => {
    const failing: Inspector2Client = { listFindings: () => Promise.reject(new Error('ThrottlingException: Rate exceeded')) };
    await expect(new InspectorOpinionSource(failing).opinionsFor({ repositoryName: REPO, digest: A, manifests: [A] })).rejects.toThrow(UnavailableError);
    const endless: Inspector2Client = { listFindings: () => Promise.resolve({ findings: [], nextToken: 'again' }) };
    await expect(new InspectorOpinionSource(endless).opinionsFor({ repositoryName: REPO, digest: A, manifests: [A] })).rejects.toThrow(/more than 50 pages/);
  });

  it('names ECR repositories as Inspector does', () => {
    expect(ecrRepositoryName('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app')).toBe('team/app');
    expect(ecrRepositoryName('localhost:5000/app')).toBe('localhost:5000/app');
  });
});

describe('httpInspector2Client', () => {
  let server: http.Server;
  let seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[];
  let reply: (res: http.ServerResponse) => void;
  beforeEach(async () => {
    seen = [];
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        reply(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const client = () =>
    httpInspector2Client({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } });

  it('POSTs the request as JSON to /findings/list, signed with SigV4 for inspector2', async () => {
    reply = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ findings: findings().slice(0, 1) }));
    const input: ListFindingsInput = { filterCriteria: { ecrImageHash: [{ comparison: 'EQUALS', value: A }], findingType: [{ comparison: 'EQUALS', value: 'PACKAGE_VULNERABILITY' }] }, maxResults: 100 };
    const out = await client().listFindings(input);
    expect(out.findings).toHaveLength(1);
    const [req] = seen;
    expect(req).toMatchObject({ method: 'POST', url: '/findings/list' });
    expect(JSON.parse(req?.body ?? '')).toEqual(input);
    expect(req?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/inspector2\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
    expect(req?.headers['x-amz-content-sha256'] ?? req?.headers['x-amz-date']).toBeDefined();
  });

  it('turns an error response into UnavailableError with the service error type and message', async () => {
    reply = (res) => res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/' }).end(JSON.stringify({ message: 'User is not authorized to perform: inspector2:ListFindings' }));
    await expect(client().listFindings({ filterCriteria: { ecrImageHash: [], findingType: [] } })).rejects.toThrow(/inspector2:ListFindings: AccessDeniedException: User is not authorized/);
  });
});
