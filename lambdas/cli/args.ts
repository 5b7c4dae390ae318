import { parseArgs } from 'node:util';
import { BadInputError } from '../core/errors';
import type { CommandName } from './command-specs';
import { COMMANDS, usageLine } from './command-specs';

type Parsed<N extends CommandName> = ReturnType<typeof parseArgs<{ args: string[]; options: (typeof COMMANDS)[N]['options']; allowPositionals: true; strict: true }>>;

/** Node's parser errors, said the way a person reads them (never its internals). */
function parserError(name: CommandName, err: unknown): BadInputError {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const option = /'(-{1,2}[^']+)'/.exec(message)?.[1];
  const usage = `usage: ${usageLine(name)}`;
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new BadInputError(`${name}: unknown option ${option ?? message} (${usage})`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new BadInputError(`${name}: ${option ? `option ${option.split(' ')[0]}` : 'an option'} ${/argument missing/.test(message) ? 'needs a value' : 'takes no value'} (${usage})`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new BadInputError(`${name}: unexpected argument (${usage})`);
    default:
      return new BadInputError(`${name}: ${message.split('\n')[0]} (${usage})`);
  }
}

/**
 * Strict parsing of one command's flags as its spec declares them (command-specs.ts): an unknown
 * flag, a missing value or a wrong number of arguments is one clear error with the usage line.
 */
export function parseCommand<N extends CommandName>(name: N, argv: string[]): Parsed<N> {
  const spec = COMMANDS[name];
  const options = Object.fromEntries(Object.entries(spec.options).map(([flag, o]) => [flag, { type: o.type, ...('short' in o ? { short: o.short } : {}), ...('multiple' in o ? { multiple: o.multiple } : {}) }]));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw parserError(name, err);
  }
  const { min, max, names } = spec.positionals;
  if (parsed.positionals.length < min) throw new BadInputError(`${name}: missing ${names} (usage: ${usageLine(name)})`);
  if (parsed.positionals.length > max) throw new BadInputError(`${name}: unexpected argument "${parsed.positionals[max]}" (usage: ${usageLine(name)})`);
  return parsed as Parsed<N>;
}

export function oneOf<T extends string>(command: string, flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new BadInputError(`${command}: ${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}
