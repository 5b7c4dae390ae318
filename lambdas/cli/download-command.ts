import * as fs from 'node:fs';
import type { FoundAttestation, FoundAttestations } from '../attest/attachments';
import { findAttestations, newestAttestation } from '../attest/attachments';
import { statementTime } from '../attest/policy-rules';
import { PREDICATE_TYPES, predicateTypeFor, typeNameOf } from '../attest/predicate-types';
import { BadInputError } from '../core/errors';
import type { ArtifactTarget } from '../oci/artifact-plan';
import { planArtifact } from '../oci/artifact-plan';
import type { FetchedManifest } from '../oci/manifest';
import type { ArtifactSource } from '../oci/source';
import type { JsonValue } from '../signing/strict-json';
import { isJsonObject } from '../signing/strict-json';
import type { VerificationKey } from '../signing/verifier';
import { startStage } from '../ports/progress';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';
import type { ProgressDisplay } from './progress-render';
import { progressDisplay } from './progress-render';
import { declaredPlatform, parseImageConfig } from '../oci/image-config';
import { openSigningSource, verificationKeysFor } from './signing-wiring';

const KINDS = ['sbom', 'attestation', 'scan'] as const;
type Kind = (typeof KINDS)[number];

/** What each kind reads, for messages. */
const KIND_TYPE: Readonly<Record<Exclude<Kind, 'attestation'>, string>> = { sbom: PREDICATE_TYPES.cyclonedx, scan: PREDICATE_TYPES.vuln };

interface Scope {
  readonly digest: string;
  readonly platform?: string;
  /** `host/repo@sha256:…` or `… (linux/arm64)` */
  readonly label: string;
}

const samePlatform = (have: string | undefined, wanted: string): boolean => !!have && (have === wanted || have.endsWith(`/${wanted}`) || have.startsWith(`${wanted}/`));

/** The platform a single image's config declares (`os/architecture[/variant]`). */
async function configPlatform(source: ArtifactSource, m: FetchedManifest): Promise<string | undefined> {
  if (m.manifest.kind !== 'manifest') return undefined;
  return declaredPlatform(parseImageConfig(await source.readBlob(m.manifest.config, 8 * 1024 * 1024), m.manifest.config.digest));
}

/** REF's digest, or with `--platform` the matching platform manifest of an index (a single image must be that platform). */
async function scopeOf(source: ArtifactSource, repository: string, platform: string | undefined): Promise<{ scope: Scope; members: readonly ArtifactTarget[] }> {
  const plan = await planArtifact(source);
  const root = plan.root.digest;
  const members = plan.targets.filter((t) => t.digest !== root && (t.role === 'image' || t.role === 'uninventoried'));
  if (!platform) return { scope: { digest: root, label: `${repository}@${root}` }, members };
  if (plan.root.manifest.kind === 'index') {
    const hits = members.filter((t) => samePlatform(t.platform, platform));
    const have = members.map((t) => t.platform ?? t.digest).join(', ') || 'none';
    if (hits.length === 0) throw new BadInputError(`download: no platform "${platform}" in ${repository}@${root} (have: ${have})`);
    if (hits.length > 1) throw new BadInputError(`download: --platform ${platform} matches ${hits.map((t) => t.platform).join(', ')} in ${repository}@${root}: name one exactly`);
    const hit = hits[0] as ArtifactTarget;
    return { scope: { digest: hit.digest, ...(hit.platform ? { platform: hit.platform } : {}), label: `${repository}@${hit.digest} (${hit.platform ?? platform})` }, members: [] };
  }
  const own = await configPlatform(source, plan.root);
  if (!own || !samePlatform(own, platform)) throw new BadInputError(`download: no platform "${platform}" in ${repository}@${root} (the image is: ${own ?? 'unknown'})`);
  return { scope: { digest: root, platform: own, label: `${repository}@${root} (${own})` }, members: [] };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The document written for `kind` from the chosen attestation. */
function documentOf(kind: Kind, a: FoundAttestation, output: 'envelope' | 'statement'): string {
  if (kind === 'sbom') return json(a.statement.predicate);
  if (kind === 'scan') {
    const scanner = a.statement.predicate.scanner;
    const result: JsonValue | undefined = isJsonObject(scanner) ? scanner.result : undefined;
    if (result === undefined || result === null) throw new BadInputError(`download: the vuln attestation ${a.origin} holds no scan report (predicate.scanner.result)`);
    return json(result);
  }
  const bytes = output === 'statement' ? a.payload : a.envelope;
  const text = bytes.toString('utf8');
  return text.endsWith('\n') ? text : `${text}\n`;
}

function keyNames(keys: readonly VerificationKey[]): string {
  return keys.map((k) => k.name).join(', ');
}

/** Why nothing was found, in one line: what was refused (first reason) and what else is stored. */
function nothingLine(what: string, wanted: string | undefined, scope: Scope, keys: readonly VerificationKey[], res: FoundAttestations, extra = ''): string {
  const verifying = keys.length ? ` verifying with ${keyNames(keys)}` : '';
  const first = res.refused[0];
  const refused = first ? `; ${res.refused.length} not usable (${first.origin}: ${first.reason}${res.refused.length > 1 ? '; …' : ''})` : '';
  const other = res.types.filter((t) => t !== wanted);
  const others = other.length ? `; other types: ${other.map(typeNameOf).join(', ')}` : '';
  return `download: no ${what}${verifying} for ${scope.label}${refused}${others}${extra}`;
}

async function chosen(
  kind: Kind,
  wanted: string | undefined,
  source: ArtifactSource,
  scope: Scope,
  members: readonly ArtifactTarget[],
  keys: readonly VerificationKey[],
): Promise<{ ok: true; attestation: FoundAttestation } | { ok: false; error: string }> {
  const what = wanted ? `${typeNameOf(wanted)} attestation` : 'attestation';
  const res = await findAttestations(source, scope.digest, wanted, keys);
  if (kind === 'attestation' && wanted === undefined) {
    const types = [...new Set(res.found.map((a) => a.statement.predicateType))];
    if (types.length > 1) return { ok: false, error: `download: ${scope.label} has attestations of ${types.length} types (${types.map(typeNameOf).join(', ')}): choose one with --type` };
  }
  const newest = newestAttestation(res.found);
  if (newest) return { ok: true, attestation: newest };
  // An index often has none itself: the workflow attests each platform's SBOM and scan.
  const withIt: string[] = [];
  for (const m of members) if ((await findAttestations(source, m.digest, wanted, keys)).found.length) withIt.push(m.platform ?? m.digest);
  const hint = withIt.length ? `; its platform manifests have one: ${withIt.join(', ')} (choose with --platform)` : '';
  return { ok: false, error: nothingLine(what, wanted, scope, keys, res, hint) };
}

/**
 * `download sbom|attestation|scan REF [--type T] [--platform P] [--file OUT] [--key PUBKEY…]`:
 * the SBOM, attestation or scan report attached to REF, written out. Exit 2 (one line) when
 * there is nothing of that kind.
 */
export async function downloadCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('download', argv);
  const kind = oneOf('download', 'the first argument', positionals[0], KINDS, 'sbom');
  const ref = positionals[1] as string;
  if (kind !== 'attestation' && values.type !== undefined) throw new BadInputError(`download: --type applies to "download attestation" (${kind} always reads the ${typeNameOf(KIND_TYPE[kind])} attestation)`);
  if (kind !== 'attestation' && values.output !== undefined) throw new BadInputError(`download: -o applies to "download attestation" (${kind} writes ${kind === 'sbom' ? 'the CycloneDX JSON document' : 'the scan report JSON'})`);
  const output = oneOf('download', '-o', values.output, ['envelope', 'statement'] as const, 'envelope');
  const wanted = kind === 'attestation' ? (values.type === undefined ? undefined : predicateTypeFor(values.type)) : KIND_TYPE[kind];
  const display: ProgressDisplay = progressDisplay(values);
  try {
    const keys = values.key?.length ? await verificationKeysFor(values.key) : [];
    const source = await openSigningSource('download', ref, values.insecure, display);
    try {
      const repository = source.writer?.repositoryName ?? source.display;
      const { scope, members } = await scopeOf(source, repository, values.platform);
      const stage = startStage(display, 'download', `looking for ${wanted ? typeNameOf(wanted) : 'any'} attestations of ${scope.label}`, { minor: true });
      const pick = await chosen(kind, wanted, source, scope, members, keys);
      if (!pick.ok) return { exitCode: 2, error: pick.error };
      const a = pick.attestation;
      const time = statementTime(a.statement)?.toISOString();
      stage.finish(`using ${a.origin}${time ? ` of ${time}` : ''}${a.key ? `, verified with ${a.key.name}` : ', unverified'}`);
      if (!keys.length) display.print(`warning: download: no --key given: this ${kind === 'attestation' ? 'attestation' : kind === 'sbom' ? 'SBOM' : 'scan report'} (${a.origin}) is NOT verified; anyone who can push to ${repository} can attach one`);
      const text = documentOf(kind, a, output);
      if (values.file === undefined) return { exitCode: 0, stdout: text };
      fs.writeFileSync(values.file, text);
      return { exitCode: 0 };
    } finally {
      await source.close();
    }
  } finally {
    display.end();
  }
}
