/**
 * The audit trail's entry, general enough for every writer: the workflow's steps, the evidence
 * check, the deploy gate, build and push recorders, promotion. Each entry says who acted (a
 * principal, or `artifact-guard:<role>`), what they did, to what, when, and how it ended.
 */
export interface AuditEntry {
  readonly id: string;
  readonly time: string;
  /** A principal ARN, `local:<user>`, `ci:<pipeline>`, or `artifact-guard:<role>` for the guard itself. */
  readonly actor: string;
  /** Lower-case verb: push, process, tag-claim, gate, promote, record-build, … */
  readonly action: string;
  /** `HOST/REPO@sha256:…` for an artifact, `build:<pipeline>#<id>` for a build. */
  readonly target: string;
  /** success, failure, allowed, denied, violation. */
  readonly outcome: string;
  /** The trail event's type as the writer named it (`ArtifactPushed`, `GateDecision`, …). */
  readonly type: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** What a writer may say explicitly about an event; the rest is derived from its type. */
export interface AuditFields {
  readonly actor?: string;
  readonly action?: string;
  readonly outcome?: string;
}

/** The guard's own steps as actors. */
export const guardActor = (role: string): string => `artifact-guard:${role}`;

const KNOWN: Readonly<Record<string, { action: string; actor: string; outcome: string }>> = {
  ArtifactPushed: { action: 'record-push', actor: guardActor('record'), outcome: 'success' },
  ArtifactPushedAgain: { action: 'record-push', actor: guardActor('record'), outcome: 'success' },
  ArtifactProcessed: { action: 'process', actor: guardActor('workflow'), outcome: 'success' },
  TagImmutabilityViolation: { action: 'tag-claim', actor: guardActor('record'), outcome: 'violation' },
  TagPolicyViolation: { action: 'tag-policy', actor: guardActor('record'), outcome: 'violation' },
  EvidencePushed: { action: 'evidence-push', actor: guardActor('evidence-check'), outcome: 'success' },
  PolicyViolation: { action: 'policy-check', actor: guardActor('evidence-check'), outcome: 'violation' },
  ProvenanceMismatch: { action: 'provenance-check', actor: guardActor('ledger'), outcome: 'violation' },
  BuildLinked: { action: 'link-build', actor: guardActor('ledger'), outcome: 'success' },
  GateDecision: { action: 'gate', actor: 'unknown', outcome: 'denied' },
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `PromotionRequested` → `promotion-requested`. */
const kebab = (type: string): string =>
  type
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();

function derivedOutcome(type: string, detail: Readonly<Record<string, unknown>>, fallback: string | undefined): string {
  if (typeof detail.allowed === 'boolean') return detail.allowed ? 'allowed' : 'denied';
  const given = str(detail.outcome) ?? str(detail.status);
  if (given) return given;
  if (/Violation|Mismatch$/.test(type)) return 'violation';
  if (/Failed$|Failure$/.test(type)) return 'failure';
  return fallback ?? 'success';
}

/**
 * The audit entry of a trail event: explicit fields win; otherwise what the type says (known
 * types), the detail's `caller`/`actor` and `allowed`/`outcome`, and for an unknown type its
 * name in kebab case, so that entries written by code that predates this model still answer
 * "who did what, to what, when, with what outcome".
 */
export function auditEntryOf(target: string, event: { readonly id: string; readonly time: string; readonly type: string; readonly detail: Readonly<Record<string, unknown>> } & AuditFields): AuditEntry {
  const known = KNOWN[event.type];
  const actor = event.actor ?? str(event.detail.caller) ?? str(event.detail.actor) ?? (known && known.actor !== 'unknown' ? known.actor : undefined) ?? guardActor('unknown');
  return {
    id: event.id,
    time: event.time,
    actor,
    action: event.action ?? known?.action ?? kebab(event.type),
    target,
    outcome: event.outcome ?? derivedOutcome(event.type, event.detail, known?.outcome),
    type: event.type,
    detail: event.detail,
  };
}

/** An audit query: all given filters apply; the window is [since, until] inclusive. */
export interface AuditQuery {
  readonly actor?: string;
  readonly action?: string;
  readonly target?: string;
  readonly since?: string;
  readonly until?: string;
  /** @default 1000 */
  readonly limit?: number;
}

/** The window `audit` reads when no `--since` is given and no actor narrows it. */
export const DEFAULT_AUDIT_DAYS = 30;
