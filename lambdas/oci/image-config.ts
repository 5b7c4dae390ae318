/**
 * An image's config blob, read for what the manifest does not say: its platform and its labels.
 * The blob comes from the registry or the archive like any other content, so it is checked as
 * untrusted JSON: one clear error naming the blob instead of a TypeError on `null`.
 */
import { BadInputError } from '../core/errors';
import { isJsonObject, parseStrictJson, type JsonObject } from '../signing/strict-json';

export function parseImageConfig(bytes: Buffer, digest: string): JsonObject {
  const parsed = parseStrictJson(bytes);
  if (!parsed.ok) throw new BadInputError(`image config ${digest} is not valid JSON (${parsed.reason})`);
  if (!isJsonObject(parsed.value)) throw new BadInputError(`image config ${digest} is not a JSON object`);
  return parsed.value;
}

/** `os/architecture[/variant]` as the config declares it, when it names at least two. */
export function declaredPlatform(config: JsonObject): string | undefined {
  const parts = [config.os, config.architecture, config.variant].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts.length >= 2 ? parts.join('/') : undefined;
}

/** The config's `config.Labels`, when it is an object (Docker writes `null` for none). */
export function configLabels(config: JsonObject): JsonObject | undefined {
  const inner = config.config;
  return isJsonObject(inner) && isJsonObject(inner.Labels) ? inner.Labels : undefined;
}
