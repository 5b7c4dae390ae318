/**
 * Amazon Inspector as a second opinion: the findings `inspector2:ListFindings` holds for each
 * manifest the scan judges, filtered by `ecrImageHash` (and repository name), every page, mapped
 * by the domain (vuln/imports/inspector.ts). The client is a small interface with the request and
 * response shapes AWS documents, so the adapter is tested with a double and the default client
 * (inspector2-client.ts) can be swapped for `@aws-sdk/client-inspector2`'s `ListFindingsCommand`.
 */
import { ArtifactGuardError, UnavailableError } from '../../core/errors';
import type { OpinionReport } from '../../vuln/imports/imported-report';
import { parseInspectorFindings } from '../../vuln/imports/inspector';
import type { OpinionRequest, OpinionSource } from '../../vuln/imports/opinion-source';

interface StringFilter {
  readonly comparison: 'EQUALS';
  readonly value: string;
}

/** `ListFindings` request (Amazon Inspector API Reference), the fields used. */
export interface ListFindingsInput {
  readonly filterCriteria: {
    readonly ecrImageHash: readonly StringFilter[];
    readonly ecrImageRepositoryName?: readonly StringFilter[];
    readonly findingType: readonly StringFilter[];
  };
  readonly maxResults?: number;
  readonly nextToken?: string;
}

export interface ListFindingsOutput {
  readonly findings?: readonly unknown[];
  readonly nextToken?: string;
}

export interface Inspector2Client {
  listFindings(input: ListFindingsInput): Promise<ListFindingsOutput>;
}

/** Pages per image: 100 findings each; an image with more than 5,000 findings is refused rather than cut. */
const MAX_PAGES = 50;

/** `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app` → `team/app`, as Inspector names ECR repositories. */
export function ecrRepositoryName(repositoryName: string): string {
  const m = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/(.+)$/.exec(repositoryName);
  return m?.[1] ?? repositoryName;
}

export class InspectorOpinionSource implements OpinionSource {
  readonly name = 'amazon-inspector';

  constructor(private readonly client: Inspector2Client) {}

  async opinionsFor(request: OpinionRequest): Promise<readonly OpinionReport[]> {
    const repository = ecrRepositoryName(request.repositoryName);
    const out: OpinionReport[] = [];
    for (const digest of request.manifests) {
      const findings = await this.findingsFor(digest, repository);
      out.push(parseInspectorFindings(findings, `inspector2:ListFindings ecrImageHash=${digest}`, { imageDigest: digest, repositoryName: repository }));
    }
    return out;
  }

  private async findingsFor(digest: string, repository: string): Promise<unknown[]> {
    const findings: unknown[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const input: ListFindingsInput = {
        filterCriteria: {
          ecrImageHash: [{ comparison: 'EQUALS', value: digest }],
          ecrImageRepositoryName: [{ comparison: 'EQUALS', value: repository }],
          findingType: [{ comparison: 'EQUALS', value: 'PACKAGE_VULNERABILITY' }],
        },
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      };
      let res: ListFindingsOutput;
      try {
        res = await this.client.listFindings(input);
      } catch (err) {
        if (err instanceof ArtifactGuardError) throw err;
        // Throttling, 5xx, an expired token: retried by the state machine, then a failure alert.
        throw new UnavailableError(`inspector2:ListFindings for ${digest} failed: ${(err as Error).message}`, { cause: err });
      }
      findings.push(...(res.findings ?? []));
      nextToken = res.nextToken;
      if (!nextToken) return findings;
    }
    throw new UnavailableError(`inspector2:ListFindings for ${digest}: more than ${MAX_PAGES} pages of findings; refusing a partial answer`);
  }
}
