import type { ArtifactSource, ArtifactWriter } from './source';

/**
 * The same source, its writer reporting the size of every blob and manifest it pushes (for the
 * progress of evidence pushes). Reads are untouched.
 */
export function countingPushes(source: ArtifactSource, onBytes: (bytes: number) => void): ArtifactSource {
  const w = source.writer;
  if (!w) return source;
  const referrers = w.referrers?.bind(w);
  const writer: ArtifactWriter = {
    repositoryName: w.repositoryName,
    manifestByTag: (tag) => w.manifestByTag(tag),
    pushBlob: async (bytes) => {
      const pushed = await w.pushBlob(bytes);
      onBytes(bytes.length);
      return pushed;
    },
    putManifest: async (tag, bytes, mediaType) => {
      const digest = await w.putManifest(tag, bytes, mediaType);
      onBytes(bytes.length);
      return digest;
    },
    ...(referrers ? { referrers } : {}),
  };
  return new Proxy(source, {
    get(target, prop) {
      if (prop === 'writer') return writer;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
