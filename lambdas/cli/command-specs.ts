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
    ],
    notes: [
      SOURCE_HELP,
      'Exit 0: no unsuppressed finding at or above --fail-on; 1: one is, or (with --fail-on) the scan is incomplete; 2: an error.',
      '--severity and --only-fixed filter what the table and SARIF show; they never change the verdict or the exit code (unlike Trivy, whose --severity also limits --exit-code): --fail-on alone is the gate. json and cyclonedx-json always list every finding.',
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
