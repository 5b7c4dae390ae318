/**
 * Named environments (dev, staging, prod…), each with the policy an artifact must meet to run
 * there and, optionally, the repositories that make it up. One document format for the stack's
 * `environments` prop, the gate Lambda and the CLI (`gate --env`, `policy --env`, `promote --env`):
 *
 * ```yaml
 * environments:
 *   dev:
 *     policy: { attestations: [vuln], vulnerabilities: { failOn: critical } }
 *   prod:
 *     policy:                      # the `verify --policy` format
 *       maxAge: 30d
 *       attestations: [slsaprovenance1, cyclonedx, vuln]
 *       vulnerabilities: { failOn: high }
 *       provenance: { sourceRepositories: [https://github.com/org/app] }
 *     repositories: [123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-prod]
 * ```
 */
import * as fs from 'node:fs';
import { parseDocument } from 'yaml';
import type { Policy } from '../attest/policy';
import { policyFrom, policyToDocument } from '../attest/policy';
import { BadInputError, NotFoundError } from '../core/errors';
import { normalizedName } from '../signing/identity';

export interface Environment {
  readonly name: string;
  /** What an artifact must meet to run here (the signature is always required at the gate). */
  readonly policy: Policy;
  /**
   * The repositories (`HOST/REPO`, normalised) that make up the environment: an artifact runs here
   * only from one of them (promotion puts it there). Undefined: any guarded repository.
   */
  readonly repositories?: readonly string[];
}

export type Environments = ReadonlyMap<string, Environment>;

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
type Json = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function repositoryList(v: unknown, where: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0) throw new BadInputError(`${where}.repositories must be a non-empty list of HOST/REPO`);
  return v.map((r, i) => {
    const name = typeof r === 'string' ? normalizedName(r) : undefined;
    if (!name?.ok) throw new BadInputError(`${where}.repositories[${i}] is not a repository name (HOST/REPO): ${JSON.stringify(r)}`);
    return name.name;
  });
}

/** Validates an environments document (`{ environments: { NAME: { policy, repositories? } } }`). */
export function environmentsFrom(doc: unknown, origin = 'environments'): Environments {
  if (!isObject(doc) || !isObject(doc.environments)) throw new BadInputError(`${origin}: expected { environments: { NAME: { policy, repositories? } } }`);
  const out = new Map<string, Environment>();
  for (const [name, value] of Object.entries(doc.environments)) {
    const where = `${origin}: environments.${name}`;
    if (!NAME.test(name)) throw new BadInputError(`${where}: an environment name is lowercase letters, digits and dashes, starting with a letter`);
    if (!isObject(value)) throw new BadInputError(`${where} must be an object with a policy`);
    for (const key of Object.keys(value)) if (key !== 'policy' && key !== 'repositories') throw new BadInputError(`${where}: unknown key "${key}" (known: policy, repositories)`);
    if (value.policy === undefined) throw new BadInputError(`${where} has no policy`);
    let policy: Policy;
    try {
      policy = policyFrom(value.policy);
    } catch (err) {
      throw new BadInputError(`${where}.${(err as Error).message}`);
    }
    const repositories = repositoryList(value.repositories, where);
    out.set(name, { name, policy, ...(repositories ? { repositories } : {}) });
  }
  if (out.size === 0) throw new BadInputError(`${origin}: no environment is defined`);
  return out;
}

export function parseEnvironments(text: string, origin: string): Environments {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw new BadInputError(`${origin}: ${doc.errors[0]?.message.split('\n')[0]}`);
  // maxAliasCount bounds alias expansion: a billion-laughs document is an error, not a hang.
  return environmentsFrom(doc.toJS({ maxAliasCount: 100 }), origin);
}

export function loadEnvironments(file: string): Environments {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`environments file ${file} not found (define environments there, or give --environments FILE)`);
    throw new BadInputError(`cannot read environments file ${file}: ${code ?? (err as Error).message}`);
  }
  return parseEnvironments(text, file);
}

/** The environment a request names, or one clear error listing those that exist. */
export function environmentNamed(envs: Environments | undefined, name: string): Environment {
  const env = envs?.get(name);
  if (!env) throw new BadInputError(`unknown environment "${name}" (${envs?.size ? `defined: ${[...envs.keys()].join(', ')}` : 'no environments are defined'})`);
  return env;
}

/** The document form (what the stack hands the gate Lambda), round-tripping through `environmentsFrom`. */
export function environmentsToDocument(envs: Environments): { environments: Record<string, Record<string, unknown>> } {
  return {
    environments: Object.fromEntries([...envs.values()].map((e) => [e.name, { policy: policyToDocument(e.policy), ...(e.repositories ? { repositories: [...e.repositories] } : {}) }])),
  };
}
