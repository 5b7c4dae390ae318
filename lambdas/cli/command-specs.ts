/**
 * Every command's flags, declared once: the parser reads the types (`node:util` parseArgs), help
 * reads the rest. parseArgs is Node's own: no start-up cost and nothing to bundle into each
 * command (a library such as commander or yargs adds 10-40 ms of module loading to every run of
 * a command that is otherwise one bundled file). This module is data only: the launcher prints
 * help from it without loading any command.
 */

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's placeholder in help (`FILE`, `SEVERITY`). */
  readonly value?: string;
  readonly help: string;
}

export interface CommandSpec {
  /** One line for `artifact-guard --help`. */
  readonly summary: string;
  /** The positional arguments as shown in the usage line, with how many are allowed. */
  readonly positionals: { readonly names: string; readonly min: number; readonly max: number };
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
  /** Paragraphs after the flags (exit codes, formats). */
  readonly notes?: readonly string[];
}

const INSECURE = { type: 'boolean', help: 'allow plain HTTP to a registry that is not on loopback' } as const satisfies OptionSpec;
const QUIET = { type: 'boolean', short: 'q', help: 'no progress lines on stderr (warnings still show)' } as const satisfies OptionSpec;
const VERBOSE = { type: 'boolean', short: 'v', help: 'also each HTTP request (method, URL without credentials, status, time) and stage timings' } as const satisfies OptionSpec;
const DEBUG = { type: 'boolean', help: 'the same as -v' } as const satisfies OptionSpec;
const TEXT_OR_JSON = { type: 'string', short: 'o', value: 'FORMAT', help: 'text (default) or json' } as const satisfies OptionSpec;
const OSV_DIR = { type: 'string', value: 'DIR|ZIP', help: 'OSV records: a directory of *.json or an OSV all.zip export' } as const satisfies OptionSpec;
const OSV_API = { type: 'boolean', help: 'query the OSV.dev API (or ARTIFACT_GUARD_OSV_API_URL)' } as const satisfies OptionSpec;
const FAIL_ON = { type: 'string', value: 'SEVERITY', help: 'critical, high, medium, low, info or unknown: exit 1 at or above it, or when the scan is incomplete' } as const satisfies OptionSpec;
const UNKNOWN_SEVERITY = { type: 'string', value: 'fail|warn', help: 'findings no record gives a severity: fail (default) counts them at the threshold' } as const satisfies OptionSpec;

export const SOURCE_HELP =
  'SOURCE: registry:HOST/REPO[:TAG|@DIGEST] (the default scheme), oci-dir:PATH[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:TAG], dir:PATH';
export const REF_HELP = 'REF: registry:HOST/REPO[:TAG|@DIGEST] (the scheme is optional) or oci-dir:PATH[:TAG]';

export const COMMANDS = {
  sbom: {
    summary: 'software bill of materials of an image (one per platform of an index)',
    positionals: { names: 'SOURCE', min: 1, max: 1 },
    options: {
      output: { type: 'string', short: 'o', value: 'FORMAT', help: 'cyclonedx-json (default), spdx-json or table' },
      file: { type: 'string', value: 'OUT', help: 'write the document to OUT (several platforms: OUT.<os>-<arch>.<ext>)' },
      platform: { type: 'string', value: 'OS/ARCH', help: 'only this platform of an index (or check a single image is it)' },
      insecure: INSECURE,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: ['artifact-guard sbom registry:ghcr.io/org/app:1.4 -o spdx-json --file app.spdx.json', 'artifact-guard sbom oci-dir:./build/app:1.4 -o table'],
    notes: [SOURCE_HELP, 'Gaps in the inventory (a layer not read, a file over a cap) are printed on stderr and recorded in the SBOM; the exit code stays 0.'],
  },
  scan: {
    summary: 'match components against OSV vulnerability data',
    positionals: { names: 'SOURCE | --sbom FILE', min: 0, max: 1 },
    options: {
      sbom: { type: 'string', value: 'FILE', help: 'scan this CycloneDX JSON SBOM instead of a SOURCE' },
      'osv-dir': OSV_DIR,
      'osv-api': OSV_API,
      'fail-on': FAIL_ON,
      'unknown-severity': UNKNOWN_SEVERITY,
      output: { type: 'string', short: 'o', multiple: true, value: 'FORMAT[=FILE]', help: 'table (default), json, sarif or cyclonedx-json; FORMAT=FILE writes it to FILE (repeatable, at most one to stdout)' },
      file: { type: 'string', value: 'OUT', help: 'write the one -o FORMAT to OUT (several platforms: OUT.<os>-<arch>.<ext>)' },
      severity: { type: 'string', multiple: true, value: 'LIST', help: 'show only these severities in the table and SARIF (critical,high,medium,low,info,none,unknown)' },
      'only-fixed': { type: 'boolean', help: 'show only findings that have a fixed version, in the table and SARIF' },
      ignore: { type: 'string', value: 'FILE', help: 'suppression rules (YAML or JSON: id, package, reason, expires)' },
      vex: { type: 'string', multiple: true, value: 'FILE', help: 'OpenVEX or CycloneDX VEX document (repeatable)' },
      also: { type: 'string', multiple: true, value: 'FILE', help: "a second opinion to merge: Trivy JSON, Grype JSON, Clair v4 report, CycloneDX vulnerabilities/VEX, Inspector ListFindings (repeatable; must name the image's digest)" },
      sources: { type: 'string', value: 'all|ours', help: 'whose findings count toward the verdict: all (default) or ours (second opinions listed only)' },
      platform: { type: 'string', value: 'OS/ARCH', help: 'only this platform of an index' },
      insecure: INSECURE,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: [
      'artifact-guard scan registry:ghcr.io/org/app:1.4 --osv-api --fail-on high',
      'artifact-guard scan oci-dir:./app --osv-dir all.zip -o table -o json=report.json -o sarif=report.sarif',
      'artifact-guard sbom oci-dir:./app > app.cdx.json && artifact-guard scan --sbom app.cdx.json --osv-dir all.zip --severity critical,high --only-fixed',
      'artifact-guard scan localhost:5000/app@sha256:… --osv-api --also trivy.json --also grype.json --fail-on high -o json',
    ],
    notes: [
      SOURCE_HELP,
      'Exit 0: no unsuppressed finding at or above --fail-on; 1: one is, or (with --fail-on) the scan is incomplete; 2: an error.',
      '--severity and --only-fixed filter what the table and SARIF show; they never change the verdict or the exit code (unlike Trivy, whose --severity also limits --exit-code): --fail-on alone is the gate. json and cyclonedx-json always list every finding.',
      "--also: a report whose digests do not include the image's (or that names none) is refused (exit 2). Its findings are merged with ours by component and vulnerability id or alias; the severity used is the highest any source gives; a source ruling a finding out (VEX, vendor status) is listed as a disagreement and the finding still counts (give the statement as --vex to accept it).",
    ],
  },
  sign: {
    summary: "sign REF's digest (and every platform of an index) in cosign's format",
    positionals: { names: 'REF', min: 1, max: 1 },
    options: {
      key: { type: 'string', value: 'KEY', help: 'PEM private key file, cosign.key (password from COSIGN_PASSWORD or a prompt), or awskms:///alias/NAME (…/KEY-ID, …/arn:aws:kms:…)' },
      identity: { type: 'string', value: 'HOST/REPO', help: "sign for this repository (the payload's docker-reference) instead of REF's: where the image will be pushed" },
      insecure: INSECURE,
      output: TEXT_OR_JSON,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: ['artifact-guard sign 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4 --key awskms:///alias/artifact-guard-signing', 'artifact-guard sign localhost:5000/app:1.4 --key signing.pem'],
    notes: [REF_HELP],
  },
  attest: {
    summary: "in-toto attestation (DSSE) for REF's digest: .att tag, Sigstore bundle and OCI referrer",
    positionals: { names: 'REF', min: 1, max: 1 },
    options: {
      key: { type: 'string', value: 'KEY', help: 'PEM private key file or awskms:///alias/NAME' },
      type: { type: 'string', value: 'TYPE', help: 'slsaprovenance1, cyclonedx, vuln or a predicate type URI' },
      predicate: { type: 'string', value: 'FILE', help: 'the predicate document (a scan report for vuln, an SBOM for cyclonedx)' },
      'bundle-dir': { type: 'string', value: 'DIR', help: 'where Sigstore bundles are kept (default: the local evidence folder)' },
      'no-replace': { type: 'boolean', help: "keep this key's older attestation of the same type" },
      'rekor-url': { type: 'string', value: 'URL', help: 'also upload to this Rekor log (off by default)' },
      insecure: INSECURE,
      output: TEXT_OR_JSON,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: ['artifact-guard attest localhost:5000/app:1.4 --key signing.pem --type vuln --predicate report.json'],
    notes: [REF_HELP],
  },
  verify: {
    summary: "check REF's signature (and, with --policy, its attestations) against public keys",
    positionals: { names: 'REF', min: 1, max: 1 },
    options: {
      key: { type: 'string', multiple: true, value: 'PUBKEY', help: 'PEM public key file or awskms:///alias/NAME (repeatable: key rollover)' },
      identity: { type: 'string', multiple: true, value: 'HOST/REPO', help: "accept signatures made for this repository instead of REF's own (repeatable)" },
      policy: { type: 'string', value: 'FILE', help: 'also require the attestations and rules of this policy (YAML or JSON)' },
      insecure: INSECURE,
      output: TEXT_OR_JSON,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: ['artifact-guard verify 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4 --key artifact-guard.pub --policy prod.yaml'],
    notes: [REF_HELP, 'Exit 0: allowed; 1: denied (reasons on stderr); 2: an error.'],
  },
  process: {
    summary: 'run the whole workflow locally on embedded stores (SBOM, scan, attest, sign, record, alert)',
    positionals: { names: 'SOURCE', min: 1, max: 1 },
    options: {
      'osv-dir': OSV_DIR,
      'osv-api': OSV_API,
      'fail-on': { type: 'string', value: 'SEVERITY', help: 'threshold of the verdict (default high); with it, a failing or incomplete verdict exits 1' },
      'unknown-severity': UNKNOWN_SEVERITY,
      key: { type: 'string', value: 'KEY', help: 'sign with this key instead of the development key' },
      'sign-on-findings': { type: 'boolean', help: 'sign even when findings reach the threshold (never when the scan is incomplete)' },
      'sign-uninventoried': { type: 'boolean', help: 'sign artifacts with no container filesystem (Helm charts, other OCI artifacts)' },
      'tag-pattern': { type: 'string', multiple: true, value: 'REGEX|default', help: 'apply a tag policy: allowed tags (whole-tag regular expressions; default = semver, sha-<hex>, build-<id>); others are a Policy Violation (tag-policy)' },
      insecure: INSECURE,
      output: TEXT_OR_JSON,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: ['artifact-guard process oci-archive:./app.tar --osv-dir all.zip', 'artifact-guard process localhost:5000/app:1.4 --osv-api --fail-on high'],
    notes: [
      SOURCE_HELP,
      'Exit 0: the workflow ran to the end (with --fail-on: and the verdict passed, or was skipped by --sign-uninventoried); 1: with --fail-on, the verdict is fail or incomplete; 2: an error (a workflow that fails also records a Workflow Failed alert).',
      'Local state lives under ARTIFACT_GUARD_HOME (default ~/.config/artifact-guard).',
    ],
  },
  tree: {
    summary: "what is attached to REF's digest (and each platform's): signatures, attestations, referrers",
    positionals: { names: 'REF', min: 1, max: 1 },
    options: {
      key: { type: 'string', multiple: true, value: 'PUBKEY', help: 'name what verifies with this public key (PEM file or awskms:///alias/NAME; repeatable); nothing is hidden' },
      output: TEXT_OR_JSON,
      insecure: INSECURE,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: ['artifact-guard tree localhost:5000/app:1.4', 'artifact-guard tree 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4 --key artifact-guard.pub -o json'],
    notes: [
      REF_HELP,
      'Lists, for the digest and each platform manifest of an index: signatures (sha256-<hex>.sig layers: the key hint when one verifies with a --key, else the layer digest; the identity each claims), attestations by predicate type (.att layers and Sigstore bundle referrers), other referrers by artifactType, and the referrers fallback index (sha256-<hex>).',
      'Without --key nothing is verified: identities and types are what the storage claims. Exit 0 whatever is (or is not) attached.',
    ],
  },
  download: {
    summary: 'write out evidence attached to REF: its CycloneDX SBOM, an attestation, its scan report',
    positionals: { names: 'sbom|attestation|scan REF', min: 2, max: 2 },
    options: {
      type: { type: 'string', value: 'TYPE', help: 'attestation: slsaprovenance1, cyclonedx, vuln or a predicate type URI (needed when REF has several types)' },
      platform: { type: 'string', value: 'OS/ARCH', help: "this platform manifest's evidence (of an index; for a single image, checks it is that platform)" },
      file: { type: 'string', value: 'OUT', help: 'write to OUT instead of stdout' },
      key: { type: 'string', multiple: true, value: 'PUBKEY', help: 'only evidence whose signature verifies with this public key (PEM file or awskms:///alias/NAME; repeatable)' },
      output: { type: 'string', short: 'o', value: 'FORMAT', help: 'attestation: envelope (default: the DSSE envelope JSON) or statement (the in-toto statement)' },
      insecure: INSECURE,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: [
      'artifact-guard download sbom localhost:5000/app:1.4 --platform linux/arm64 --key artifact-guard.pub --file app.cdx.json',
      'artifact-guard download attestation localhost:5000/app:1.4 --type slsaprovenance1 -o statement --key artifact-guard.pub',
      'artifact-guard download scan localhost:5000/app:1.4 --key artifact-guard.pub > report.json',
    ],
    notes: [
      REF_HELP,
      'sbom: the CycloneDX document of the newest cyclonedx attestation; scan: the scan report (scanner.result) of the newest vuln attestation; attestation: the newest attestation of --type. Newest by the time the statement records, the later stored breaking ties; .att layers and bundle referrers are both read.',
      'With --key only evidence that verifies with one of the keys is used. Without --key the content is NOT verified (anyone who can push to the repository can attach it): a warning says so on stderr.',
      'Exit 0: written; 2: nothing of that kind for the digest (one line naming what there is), or an error.',
    ],
  },
  gate: {
    summary: 'may REF run in environment E? the deploy gate, locally: the ledger, the signature and the environment policy',
    positionals: { names: 'REF', min: 1, max: 1 },
    options: {
      env: { type: 'string', value: 'ENV', help: 'the environment whose policy and repositories apply' },
      environments: { type: 'string', value: 'FILE', help: 'environments document (default: $ARTIFACT_GUARD_HOME/environments.yaml)' },
      key: { type: 'string', multiple: true, value: 'PUBKEY', help: 'public key(s) the signatures must verify with (default: the local development key)' },
      policy: { type: 'string', value: 'FILE', help: 'requirements to add to the environment policy (never to remove)' },
      identity: { type: 'string', multiple: true, value: 'HOST/REPO', help: "accept signatures made for this repository instead of REF's own" },
      insecure: INSECURE,
      output: TEXT_OR_JSON,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: ['artifact-guard gate localhost:5000/app@sha256:… --env prod', 'artifact-guard gate 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4 --env staging --key awskms:///alias/artifact-guard-signing'],
    notes: [REF_HELP, 'Exit 0: allowed; 1: denied (reasons on stderr); 2: an error. Every decision is recorded in the artifact\'s audit trail.'],
  },
  redrive: {
    summary: 'recover failed workflow executions of the deployed stack (redrive, or restart with the same input)',
    positionals: { names: '', min: 0, max: 0 },
    options: {
      since: { type: 'string', value: 'T', help: 'executions started at or after T: an ISO 8601 time or an age such as 6h, 2d (default 14d, the redrive window)' },
      'state-machine': { type: 'string', value: 'ARN', help: 'the workflow (default: $ARTIFACT_GUARD_STATE_MACHINE_ARN; the stack output StateMachineArn)' },
      'dry-run': { type: 'boolean', help: 'print what would be done, do nothing' },
      output: TEXT_OR_JSON,
    },
    examples: [
      'artifact-guard redrive --state-machine arn:aws:states:eu-west-1:123456789012:stateMachine:Workflow1A2B3C --since 24h --dry-run',
      'ARTIFACT_GUARD_STATE_MACHINE_ARN=arn:aws:states:… artifact-guard redrive -o json',
    ],
    notes: [
      'Works on the deployed stack only (Step Functions keeps the execution history, with the AWS SDK\'s default credentials: states:ListExecutions, DescribeExecution, GetExecutionHistory, RedriveExecution, StartExecution). Local `process` runs keep no executions: run `artifact-guard process SOURCE` again instead.',
      'Every execution that FAILED, TIMED_OUT or was ABORTED since T: one stopped in a task is redriven (it continues from that task); one that failed through the workflow\'s failure path (the step\'s error caught and alerted) is restarted with the same input as <name>.rerun<N> (a redrive would only fail again). Fix the cause first (the alert and the execution say what it is).',
      'One line per execution on stdout. Exit 0: all done (or nothing to do); 2: any could not be redriven or restarted, or an error.',
    ],
  },
  'import-findings': {
    summary: "record another scanner's report for REF's digest (Trivy, Grype, Clair, CycloneDX VEX, Inspector) as evidence in the local ledger",
    positionals: { names: 'REF FILE', min: 2, max: 2 },
    options: {
      output: TEXT_OR_JSON,
      insecure: INSECURE,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: ['artifact-guard import-findings localhost:5000/app@sha256:… trivy.json   (trivy image localhost:5000/app@sha256:… --format json > trivy.json)', 'artifact-guard import-findings oci-dir:./app grype.json -o json'],
    notes: [
      REF_HELP,
      'FILE: Trivy JSON (trivy image --format json), Grype JSON (grype -o json), a Clair v4 vulnerability report, a CycloneDX document with vulnerabilities[] (VDR or VEX), or Amazon Inspector ListFindings output.',
      "The report must name REF's digest (or, for an index, the digest of the platform manifest it scanned): a report for another digest, or naming none, is refused. It is stored write-once under the local evidence folder and recorded in the local ledger (kind opinion#TOOL#HASH) with an audit event; importing the same bytes again records nothing new.",
      'Exit 0: recorded (or already recorded); 2: refused, malformed, or REF unreachable.',
    ],
  },
  policy: {
    summary: "an admission policy for environment E and the stack's key: Kyverno, sigstore policy-controller or containers-policy.json",
    positionals: { names: 'kyverno|policy-controller|containers-policy', min: 1, max: 1 },
    options: {
      env: { type: 'string', value: 'ENV', help: 'the environment whose policy (required attestations, rules) the document enforces' },
      environments: { type: 'string', value: 'FILE', help: 'environments document (default: $ARTIFACT_GUARD_HOME/environments.yaml)' },
      key: { type: 'string', value: 'PUBKEY', help: "the stack's public key: PEM file or awskms:///alias/NAME (default: the local development key)" },
      image: { type: 'string', multiple: true, value: 'HOST/REPO', help: "repositories the policy governs (default: the environment's repositories)" },
      output: { type: 'string', short: 'o', value: 'FORMAT', help: 'yaml (default for kyverno and policy-controller) or json (default for containers-policy)' },
    },
    examples: [
      'artifact-guard policy kyverno --env prod --key awskms:///alias/artifact-guard-signing | kubectl apply -f -',
      'artifact-guard policy policy-controller --env staging --key artifact-guard.pub --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app',
      'artifact-guard policy containers-policy --env prod > /etc/containers/policy.json',
    ],
    notes: [
      'kyverno: a ClusterPolicy (verifyImages: the signature and each attestation the policy requires, with conditions for failOn, provenance and maxAge). policy-controller: a ClusterImagePolicy (a key authority, attestations with Rego policies). containers-policy: policy.json for podman, skopeo and CRI-O (sigstoreSigned, matchRepository; signatures only), and on stderr the registries.d entry it needs.',
      'Exit 0: printed; 2: an error (unknown environment, no repositories, bad key).',
    ],
  },
  promote: {
    summary: 'copy REF by digest into REPO (manifests, blobs, signatures, attestations, referrers) when the gate allows it in environment E',
    positionals: { names: 'REF', min: 1, max: 1 },
    options: {
      to: { type: 'string', value: 'HOST/REPO[:TAG]', help: 'the target repository (one of the environment\'s), and the tag to set once everything is copied (default: REF\'s tag)' },
      env: { type: 'string', value: 'ENV', help: 'the environment whose gate must pass' },
      environments: { type: 'string', value: 'FILE', help: 'environments document (default: $ARTIFACT_GUARD_HOME/environments.yaml)' },
      key: { type: 'string', multiple: true, value: 'PUBKEY', help: 'public key(s) the signatures must verify with (default: the local development key)' },
      'sign-key': { type: 'string', value: 'KEY', help: 'sign the copy for the target repository with this key (default: the local development key)' },
      insecure: INSECURE,
      output: TEXT_OR_JSON,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: ['artifact-guard promote localhost:5000/app:1.4 --to localhost:5000/app-prod --env prod', 'artifact-guard promote 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:… --to 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-prod:1.4 --env prod --key awskms:///alias/artifact-guard-signing'],
    notes: [
      REF_HELP,
      'Refused (exit 1, a Policy Violation alert with reason promotion-refused) unless the gate allows REF in ENV. Blobs are mounted from the source repository where the registry allows it, else streamed; the tag is set last, so a half-copied artifact is never tagged; running it again resumes and copies only what is missing.',
      'Exit 0: promoted (or already there); 1: refused; 2: an error. Every promotion and refusal is in the audit trail (action promote).',
    ],
  },
  'record-build': {
    summary: 'record a CI build (success or failure) as provenance: locally, or as a Build Recorded event on the stack bus',
    positionals: { names: '', min: 0, max: 0 },
    options: {
      status: { type: 'string', value: 'succeeded|failed', help: 'how the build ended (required)' },
      commit: { type: 'string', value: 'SHA', help: 'the commit it built (required)' },
      source: { type: 'string', value: 'URL', help: 'the source repository (required)' },
      'build-id': { type: 'string', value: 'ID', help: "the CI system's id of this build run (required; one record per pipeline and id)" },
      pipeline: { type: 'string', value: 'NAME', help: 'the pipeline or workflow (required; the build success rate is per pipeline)' },
      author: { type: 'string', value: 'WHO', help: 'who triggered the build (required)' },
      digest: { type: 'string', multiple: true, value: 'sha256:…', help: 'a digest the build produced (repeatable)' },
      image: { type: 'string', multiple: true, value: 'REF', help: 'an image the build pushed: HOST/REPO@DIGEST, or HOST/REPO:TAG resolved at the registry (repeatable)' },
      'started-at': { type: 'string', value: 'TIME', help: 'when the build started (RFC 3339)' },
      'finished-at': { type: 'string', value: 'TIME', help: 'when it ended (RFC 3339)' },
      bus: { type: 'string', value: 'NAME', help: "put a Build Recorded event on this EventBridge bus (the stack's AlertBusName output) instead of the local ledger" },
      insecure: INSECURE,
      output: TEXT_OR_JSON,
      quiet: QUIET,
    },
    examples: [
      'artifact-guard record-build --status succeeded --commit "$GITHUB_SHA" --source "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY" --build-id "$GITHUB_RUN_ID" --pipeline "$GITHUB_WORKFLOW" --author "$GITHUB_ACTOR" --image "$IMAGE@$DIGEST" --bus "$AG_BUS"',
      'artifact-guard record-build --status failed --commit 0a1b2c3 --source https://git.example/app --build-id 812 --pipeline app-release --author ana',
    ],
    notes: [
      'A build and an image join by digest whichever is recorded first. Image labels (org.opencontainers.image.revision, .source, dev.artifact-guard.build.id, .pipeline) that disagree with the build are kept, flagged, and alerted as a Policy Violation (reason provenance-mismatch).',
      'With --bus the AWS SDK default credentials need events:PutEvents on the bus (ArtifactGuard.grantRecordBuild).',
      'Exit 0: recorded or sent (a repeated report is "already recorded"); 2: bad input, an unreachable registry or bus.',
    ],
  },
  backfill: {
    summary: "process every tagged digest of a registry repository that the local ledger has no completed record of",
    positionals: { names: 'registry:HOST/REPO', min: 1, max: 1 },
    options: {
      'osv-dir': OSV_DIR,
      'osv-api': OSV_API,
      key: { type: 'string', value: 'KEY', help: 'sign with this key instead of the development key' },
      concurrency: { type: 'string', value: 'N', help: 'digests processed at once, 1 to 16 (default 2)' },
      insecure: INSECURE,
      output: TEXT_OR_JSON,
      quiet: QUIET,
      verbose: VERBOSE,
      debug: DEBUG,
    },
    examples: ['artifact-guard backfill registry:localhost:5000/app --osv-dir all.zip', 'artifact-guard backfill registry:ghcr.io/org/app --osv-api --concurrency 4 -o json'],
    notes: [
      'Reads the tags list (paginated), groups tags by digest, skips digests already processed and sha256-* evidence tags, and runs the whole workflow (as process) for the rest. Safe to run again and beside pushes: a digest processed twice has one record set.',
      'Exit 0: every run ended; 2: a run could not run (listed on stderr), or an error.',
    ],
  },
  history: {
    summary: "what the local ledger holds about REF: provenance chain, tags, build, pusher, evidence, gate decisions, audit trail",
    positionals: { names: 'REF', min: 1, max: 1 },
    options: {
      output: { type: 'string', short: 'o', value: 'FORMAT', help: 'table (default), json, or html (one self-contained page, no network)' },
      file: { type: 'string', value: 'OUT', help: 'write the document to OUT instead of stdout' },
      table: { type: 'string', value: 'NAME', help: "read the stack's records table (its RecordsTable output) with the AWS default credentials instead of the local ledger" },
    },
    examples: ['artifact-guard history localhost:5000/app:1.4', 'artifact-guard history localhost:5000/app@sha256:… -o html --file app.html'],
    notes: [
      'REF: HOST/REPO@sha256:… or HOST/REPO:TAG (the tag is looked up in the ledger, as first bound; no registry is asked).',
      'Exit 0: printed; 2: REF is not in the ledger, or an error.',
    ],
  },
  audit: {
    summary: 'the local audit trail: who did what to which artifact, when, with what outcome',
    positionals: { names: '', min: 0, max: 0 },
    options: {
      actor: { type: 'string', value: 'A', help: 'only entries by this actor (a principal ARN, local:<user>, ci:<pipeline>, artifact-guard:<role>)' },
      action: { type: 'string', value: 'X', help: 'only this action (record-push, process, tag-claim, tag-policy, gate, promote, record-build, push, link-build, provenance-check, …)' },
      since: { type: 'string', value: 'T', help: 'from this time: ISO date or date-time, or a duration before now (24h, 7d); default: 30 days ago (all time with --actor)' },
      until: { type: 'string', value: 'T', help: 'up to this time, inclusive (a date means its end); default: now' },
      limit: { type: 'string', value: 'N', help: 'at most N entries, oldest first (default 1000)' },
      output: { type: 'string', short: 'o', value: 'FORMAT', help: 'table (default) or json' },
      table: { type: 'string', value: 'NAME', help: "read the stack's records table (its RecordsTable output) with the AWS default credentials instead of the local ledger" },
    },
    examples: ['artifact-guard audit --actor local:alice --since 7d', 'artifact-guard audit --action gate --since 2026-03-01 --until 2026-03-31 -o json', 'artifact-guard audit --table ArtifactGuard-Records1234 --actor arn:aws:iam::123456789012:role/deployer --since 7d'],
    notes: ['Entries come from the audit index (by day, and by actor): no query reads the whole table.', 'Exit 0: printed (nothing printed when no entry matches); 2: an error.'],
  },
  watch: {
    summary: 'sync the local OSV mirror and match changed records against the artifacts processed here (the scheduled OsvWatch, locally)',
    positionals: { names: '', min: 0, max: 0 },
    options: {
      ecosystem: { type: 'string', multiple: true, value: 'ECOSYSTEM', help: 'also mirror this OSV ecosystem (Debian, npm, PyPI…); default: those of the processed artifacts' },
      'osv-base-url': { type: 'string', value: 'URL', help: 'the OSV export bucket (default https://osv-vulnerabilities.storage.googleapis.com, or ARTIFACT_GUARD_OSV_EXPORT_URL)' },
      'sync-only': { type: 'boolean', help: 'only sync the mirror; match nothing' },
      rescan: { type: 'boolean', help: 'then re-scan every stored SBOM (the weekly FullRescan state machine, run locally)' },
      threshold: { type: 'string', value: 'SEVERITY', help: 'critical, high (default), medium or low: new findings at or above it alert' },
      'unknown-severity': UNKNOWN_SEVERITY,
      'max-age': { type: 'string', value: 'HOURS', help: 'mirror data older than this is not trusted by scans (default 48)' },
      environments: { type: 'string', value: 'FILE', help: 'environments document naming where artifacts run (default: $ARTIFACT_GUARD_HOME/environments.yaml when present)' },
      output: TEXT_OR_JSON,
      quiet: QUIET,
    },
    examples: ['artifact-guard watch', 'artifact-guard watch --ecosystem Debian --ecosystem npm --sync-only', 'artifact-guard watch --rescan -o json'],
    notes: [
      'The mirror is kept in $ARTIFACT_GUARD_HOME/osv-mirror (all.zip per ecosystem first, then modified_id.csv increments); scan and process read it with --osv-dir $ARTIFACT_GUARD_HOME/osv-mirror.',
      'Exit 0: done (alerts are printed on stderr and appended to alerts.jsonl); 2: an ecosystem could not be synced (its previous data is kept) or another error.',
    ],
  },
  find: {
    summary: 'which stored artifacts contain a package: repository, digest, tags, environments and the layer that brought it in',
    positionals: { names: 'PURL-OR-NAME', min: 1, max: 1 },
    options: {
      ecosystem: { type: 'string', value: 'ECOSYSTEM', help: 'for a bare name: the OSV ecosystem (npm, PyPI, Debian, Alpine…); default every ecosystem indexed' },
      version: { type: 'string', value: 'RANGE', help: "only versions in RANGE: constraints such as '>=1.2,<1.4.3' or '=3.0.2' (the ecosystem's ordering)" },
      environments: { type: 'string', value: 'FILE', help: 'environments document (default: $ARTIFACT_GUARD_HOME/environments.yaml when present)' },
      table: { type: 'string', value: 'NAME', help: "the stack's DynamoDB records table (AWS credentials as the AWS CLI finds them); default: the local ledger" },
      region: { type: 'string', value: 'REGION', help: 'AWS region of --table (default: the SDK default)' },
      output: { type: 'string', short: 'o', value: 'FORMAT', help: 'table (default) or json' },
    },
    examples: [
      "artifact-guard find pkg:deb/debian/openssl --version '<3.0.15-1~deb12u1'",
      'artifact-guard find lodash --ecosystem npm -o json',
      'artifact-guard find pkg:pypi/urllib3@1.26.5 --table ArtifactGuardStack-RecordsTable… --region eu-west-1',
    ],
    notes: [
      'Debian and Alpine packages are found by their binary name and by their source package (what advisories name): pkg:deb/debian/openssl finds libssl3 too.',
      'A purl with a version and no --version lists that version only. Exit 0 whether or not anything is found (nothing found: a line on stderr); 2 on an error.',
    ],
  },
} as const satisfies Readonly<Record<string, CommandSpec>>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

/** `artifact-guard sbom SOURCE [-o FORMAT] [--file OUT] …` */
export function usageLine(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  const flags = Object.entries(spec.options).map(([flag, o]) => {
    const f = o.short ? `-${o.short}|--${flag}` : `--${flag}`;
    return `[${f}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}${o.multiple ? ' ...' : ''}]`;
  });
  return ['artifact-guard', name, spec.positionals.names, ...flags].filter((part) => part !== '').join(' ');
}

/** The full help of one command: usage, every flag, notes and examples. */
export function commandHelp(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  const rows = Object.entries(spec.options).map(([flag, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${flag}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`, o.help] as const);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return [
    `${spec.summary}`,
    '',
    `usage: ${usageLine(name)}`,
    '',
    'options:',
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`),
    `  ${'-h, --help'.padEnd(width)}this help`,
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
    '',
    'examples:',
    ...spec.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}

/** `artifact-guard --help`: every command with its summary. */
export function overallHelp(): string {
  const names = Object.keys(COMMANDS) as CommandName[];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [
    'artifact-guard: SBOMs, vulnerability scans, cosign signatures and attestations for OCI artifacts',
    '',
    'usage: artifact-guard <command> [options]',
    '',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(width)}${COMMANDS[n].summary}`),
    '',
    "Run 'artifact-guard help <command>' or 'artifact-guard <command> --help' for a command's flags and examples.",
    "'artifact-guard --version' prints the version.",
    '',
  ].join('\n');
}
