import { BadInputError } from '../core/errors';
import { assertDigest } from './digest';
import { IMAGE_MANIFEST_TYPES, INDEX_TYPES, MediaType } from './media-types';

/** Registries SHOULD accept 4 MB manifests (ECR caps at 4,194,304 chars); we refuse larger. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly platform?: Platform;
}

export interface ImageManifest {
  readonly kind: 'manifest';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export type Manifest = ImageManifest | ImageIndex;

/** Manifest bytes exactly as stored, with the digest computed over those bytes. */
export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly mediaType: string;
  readonly manifest: Manifest;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new BadInputError(`${what}: annotations must be an object of strings`);
  }
  return v as Record<string, string>;
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v)) throw new BadInputError(`${what}: descriptor is not an object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || !mediaType) throw new BadInputError(`${what}: descriptor has no mediaType`);
  if (typeof digest !== 'string') throw new BadInputError(`${what}: descriptor has no digest`);
  assertDigest(digest, `${what} digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new BadInputError(`${what}: descriptor size must be a non-negative integer`);
  }
  let platform: Platform | undefined;
  if (isObject(v.platform)) {
    const { architecture, os, variant } = v.platform;
    if (typeof architecture === 'string' && typeof os === 'string') {
      platform = { architecture, os, ...(typeof variant === 'string' ? { variant } : {}) };
    }
  }
  const urls = Array.isArray(v.urls) ? v.urls.filter((u): u is string => typeof u === 'string') : undefined;
  return {
    mediaType,
    digest,
    size,
    ...(urls ? { urls } : {}),
    ...(stringMap(v.annotations, what) ? { annotations: stringMap(v.annotations, what) } : {}),
    ...(typeof v.artifactType === 'string' ? { artifactType: v.artifactType } : {}),
    ...(platform ? { platform } : {}),
  };
}

/**
 * Parses and validates manifest bytes. `contentType` is the registry's Content-Type (or the
 * descriptor's media type); when the body also names a mediaType they must agree.
 */
export function parseManifest(bytes: Buffer, contentType?: string): { manifest: Manifest; mediaType: string } {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new BadInputError(`manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new BadInputError(`malformed manifest JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new BadInputError('malformed manifest: not a JSON object');
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const header = contentType?.split(';')[0]?.trim();
  const usefulHeader = header && header !== 'application/json' && header !== 'text/plain' ? header : undefined;
  if (declared && usefulHeader && declared !== usefulHeader) {
    throw new BadInputError(`manifest mediaType ${declared} disagrees with its content type ${usefulHeader}`);
  }
  let mediaType = declared ?? usefulHeader;
  if (!mediaType) {
    // OCI allows omitting mediaType; infer from the shape.
    mediaType = Array.isArray(doc.manifests) ? MediaType.ociIndex : MediaType.ociManifest;
  }
  if (doc.schemaVersion !== 2) {
    throw new BadInputError(`unsupported manifest schemaVersion ${JSON.stringify(doc.schemaVersion)} (${mediaType})`);
  }
  const subject = doc.subject === undefined ? undefined : parseDescriptor(doc.subject, 'manifest subject');
  const annotations = stringMap(doc.annotations, 'manifest');
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : undefined;
  const extras = { ...(subject ? { subject } : {}), ...(annotations ? { annotations } : {}), ...(artifactType ? { artifactType } : {}) };
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw new BadInputError('malformed index: "manifests" is not an array');
    const manifests = doc.manifests.map((m, i) => parseDescriptor(m, `index manifests[${i}]`));
    return { manifest: { kind: 'index', mediaType, manifests, ...extras }, mediaType };
  }
  if (IMAGE_MANIFEST_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.layers)) throw new BadInputError('malformed manifest: "layers" is not an array');
    const config = parseDescriptor(doc.config, 'manifest config');
    const layers = doc.layers.map((l, i) => parseDescriptor(l, `manifest layers[${i}]`));
    return { manifest: { kind: 'manifest', mediaType, config, layers, ...extras }, mediaType };
  }
  throw new BadInputError(`unsupported manifest media type "${mediaType}"`);
}
