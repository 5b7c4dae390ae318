import type { ImageReference } from './image-reference';
import { parseImageReference } from './image-reference';
import { isObject, scalarText } from '../common/yaml';

/** An image a chart's values name, with where (`frontend.image`, `sidecars[0].image`). */
export interface ValueImage {
  /** Dotted key path in the values (`a.b[2].image`); spec paths are what templates read. */
  readonly keyPath: string;
  /** The reference as the values compose it (`registry/repository:tag@digest`). */
  readonly text: string;
  readonly ref: ImageReference;
  /** Set when the values leave the tag empty and the chart's appVersion stands in (see {@link findValueImages}). */
  readonly tagFrom?: 'appVersion';
}

export interface ValueImagesResult {
  readonly images: readonly ValueImage[];
  /** Image values that are not valid references (a `tpl` expression, a typo), one line each. */
  readonly problems: readonly string[];
}

/** `image`, `initImage`, `kubectlImage`…: keys whose value is an image (a string or an image object). */
const IMAGE_KEY = /image$/i;
/** `images`, `sidecarImages`: keys whose value is a map or a list of images. */
const IMAGES_KEY = /images$/i;
/** Keys an image object names its repository with: `repository` (most charts), `image` (ingress-nginx), `name`. */
const NAME_KEYS = ['repository', 'image', 'name'] as const;

const MAX_WALK = 200_000;

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** The repository an image object names, or undefined when the object is not an image. */
function objectName(obj: Record<string, unknown>): string | undefined {
  for (const k of NAME_KEYS) {
    const v = obj[k];
    if (typeof v === 'string') {
      // `name` alone is too common a key: only with a tag, digest or registry beside it.
      if (k === 'name' && obj.tag === undefined && obj.digest === undefined && obj.registry === undefined) return undefined;
      return v;
    }
  }
  return undefined;
}

/**
 * Images in a chart's (coalesced) values, render-free. Found:
 * - a string under a key ending in `image` (`image: nginx:1.25`, `initImage: busybox`);
 * - an object under such a key with `repository` (or `image`, or `name` with a tag, digest or
 *   registry), and optional `registry`, `tag`, `digest`: `registry/repository:tag@digest`;
 * - strings and such objects listed under a key ending in `images` (a map or a list);
 * at any depth, in lists too. An empty repository means "not set" and is skipped. When an image
 * object leaves `tag` empty and gives no digest, the chart's `appVersion` stands in (what
 * `helm create`'s scaffold and Bitnami's `common.images.image` render), marked `tagFrom`.
 * Keys listed in `skipKeys` at the top (subcharts' values, given to them instead) are not walked.
 */
export function findValueImages(values: unknown, opts: { readonly appVersion?: string; readonly skipKeys?: ReadonlySet<string> } = {}): ValueImagesResult {
  const images: ValueImage[] = [];
  const problems: string[] = [];
  const add = (keyPath: string, text: string, tagFrom?: 'appVersion'): void => {
    const ref = parseImageReference(text);
    if (ref) images.push({ keyPath, text, ref, ...(tagFrom ? { tagFrom } : {}) });
    else problems.push(`${keyPath}: ${JSON.stringify(text.slice(0, 200))} is not an image reference Kubernetes can pull`);
  };
  const fromObject = (keyPath: string, obj: Record<string, unknown>): boolean => {
    const name = objectName(obj);
    if (name === undefined) return false;
    if (!name.trim()) return true;
    const registry = scalarText(obj.registry)?.trim();
    let tag = scalarText(obj.tag)?.trim();
    const digest = scalarText(obj.digest)?.trim();
    let tagFrom: 'appVersion' | undefined;
    if (!tag && !digest && opts.appVersion) {
      tag = opts.appVersion;
      tagFrom = 'appVersion';
    }
    add(keyPath, `${registry ? `${registry}/` : ''}${name.trim()}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`, tagFrom);
    return true;
  };
  /** A value that is an image (string or object); true when it was one. */
  const asImage = (keyPath: string, v: unknown): boolean => {
    if (typeof v === 'string') {
      if (v.trim()) add(keyPath, v.trim());
      return true;
    }
    return isObject(v) && fromObject(keyPath, v);
  };

  const stack: { v: unknown; path: string; top: boolean }[] = [{ v: values, path: '', top: true }];
  let seen = 0;
  while (stack.length) {
    const { v, path, top } = stack.pop() as { v: unknown; path: string; top: boolean };
    if (++seen > MAX_WALK) {
      problems.push(`more than ${MAX_WALK} values: the rest were not searched for images`);
      break;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: childPath(path, i), top: false });
      continue;
    }
    if (!isObject(v)) continue;
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i] as [string, unknown];
      if (top && opts.skipKeys?.has(k)) continue;
      const p = childPath(path, k);
      if (IMAGE_KEY.test(k) && asImage(p, child)) continue;
      if (IMAGES_KEY.test(k)) {
        const list: [string | number, unknown][] = Array.isArray(child) ? child.map((c, j) => [j, c]) : isObject(child) ? Object.entries(child) : [];
        const rest = list.filter(([key, c]) => !asImage(childPath(p, key), c));
        for (const [key, c] of rest.reverse()) stack.push({ v: c, path: childPath(p, key), top: false });
        continue;
      }
      stack.push({ v: child, path: p, top: false });
    }
  }
  images.sort((a, b) => (a.keyPath < b.keyPath ? -1 : a.keyPath > b.keyPath ? 1 : 0));
  return { images, problems };
}
