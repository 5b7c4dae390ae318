import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { BadInputError } from '../core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict flag parsing: an unknown flag or a missing value is one clear error (exit 2). */
export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T, positionals: { min: number; max: number; names: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new BadInputError(`${command}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed.positionals.length < positionals.min) throw new BadInputError(`${command}: missing ${positionals.names}`);
  if (parsed.positionals.length > positionals.max) {
    throw new BadInputError(`${command}: unexpected argument "${parsed.positionals[positionals.max]}"`);
  }
  return parsed;
}

export function oneOf<T extends string>(command: string, flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new BadInputError(`${command}: ${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}
