import type { Provenance } from '../../core/artifact';
import type { JsonObject } from '../../signing/strict-json';
import { TOOL } from '../../sbom/writers/subject';
import type { Trigger } from '../../core/artifact';

/**
 * SLSA Provenance v1 predicate (slsa-framework/slsa spec/build-provenance.md) from what the
 * workflow recorded about a push. Artifact Guard does not run the build: it records the build
 * facts the CI labelled the image with (`org.opencontainers.image.*`, `dev.artifact-guard.build.*`)
 * and signs them, so the predicate says exactly that:
 *
 * - `buildType` is {@link BUILD_TYPE}: "a container image pushed to a registry by a CI pipeline,
 *   its parameters read from the image's labels by Artifact Guard".
 * - `externalParameters`: `source.repository` / `source.revision` (labels `…image.source` /
 *   `…image.revision`), `buildId`, `pipeline`, and `version` / `author` when labelled.
 * - `runDetails.builder.id`: the pipeline label when it is an absolute URI (a CI builder such as
 *   `https://github.com/org/app/.github/workflows/build.yml` or a CodePipeline ARN), else
 *   {@link UNIDENTIFIED_BUILDER}; a caller may name the builder explicitly (`builderId`).
 * - `runDetails.metadata`: `invocationId` the build id, `finishedOn` the image's `created`
 *   label, `startedOn` only when given (nothing records it today).
 * - `internalParameters.attestor`: who recorded the labels (the deploying account's Artifact
 *   Guard, or `local`) and the trigger that started the workflow.
 */
export const BUILD_TYPE = 'https://artifact-guard.dev/slsa/container-push/v1';
export const UNIDENTIFIED_BUILDER = 'https://artifact-guard.dev/slsa/builders/unidentified-ci';

export interface ProvenanceInput {
  /** `HOST/REPO` of the artifact. */
  readonly repositoryName: string;
  readonly digest: string;
  readonly tag?: string;
  readonly provenance: Provenance;
  readonly trigger?: Trigger;
  /** Overrides the builder derived from the pipeline label. */
  readonly builderId?: string;
  /** Who recorded the labels, e.g. `arn:aws:states:…` or `aws://123456789012/eu-west-1`; default `local`. */
  readonly attestor?: string;
  readonly startedOn?: string;
  readonly finishedOn?: string;
}

const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:[^\s]+$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const GIT_COMMIT = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/** RFC 3339 timestamps only: a free-form `created` label would make the predicate invalid. */
function timestamp(value: string | undefined): string | undefined {
  if (!value || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) return undefined;
  return value;
}

function defined(entries: Record<string, string | JsonObject | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, string | JsonObject] => e[1] !== undefined && e[1] !== ''));
}

export function builderIdFor(p: Provenance, explicit?: string): string {
  if (explicit) return explicit;
  return p.pipeline && ABSOLUTE_URI.test(p.pipeline) ? p.pipeline : UNIDENTIFIED_BUILDER;
}

export function slsaProvenancePredicate(input: ProvenanceInput): JsonObject {
  const p = input.provenance;
  const source = defined({ repository: p.source, revision: p.revision });
  const externalParameters = defined({
    ...(Object.keys(source).length ? { source } : {}),
    buildId: p.buildId,
    pipeline: p.pipeline,
    version: p.version,
    author: p.author,
  });
  const resolvedDependencies =
    p.source && p.revision
      ? [{ uri: p.source.startsWith('git+') ? p.source : `git+${p.source}`, ...(GIT_COMMIT.test(p.revision) ? { digest: { gitCommit: p.revision } } : { annotations: { revision: p.revision } }) }]
      : [];
  const attestor = defined({
    id: input.attestor ?? 'local',
    ...(input.trigger ? { trigger: defined({ type: input.trigger.type, id: input.trigger.id, time: input.trigger.time }) } : {}),
  });
  const metadata = defined({
    invocationId: p.buildId,
    startedOn: timestamp(input.startedOn),
    finishedOn: timestamp(input.finishedOn ?? p.created),
  });
  return {
    buildDefinition: {
      buildType: BUILD_TYPE,
      externalParameters,
      internalParameters: defined({ attestor, image: defined({ name: input.repositoryName, digest: input.digest, tag: input.tag }) }),
      resolvedDependencies,
    },
    runDetails: {
      builder: { id: builderIdFor(p, input.builderId), version: { [TOOL.name]: TOOL.version } },
      metadata,
    },
  };
}
