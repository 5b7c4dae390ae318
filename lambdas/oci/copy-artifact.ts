/**
 * Copies an artifact by digest from one repository to another (promotion): the manifest or index
 * with every child, every blob, and the evidence beside each manifest: its `sha256-<hex>.sig` and
 * `.att` tags and its referrers (OCI 1.1 API, or the `sha256-<hex>` fallback index). Nothing is
 * tagged here: the caller sets the release tag once everything is in place, so a copy that stops
 * half-way leaves only untagged content, and running it again copies only what is missing.
 */
import { BadInputError } from '../core/errors';
import type { Descriptor, FetchedManifest } from './manifest';
import type { RegistryClient } from './registry-client';

export interface RepositoryRef {
  readonly client: RegistryClient;
  /** The repository path on that registry (`team/app`). */
  readonly repository: string;
}

export interface CopyStats {
  manifests: number;
  manifestsPresent: number;
  blobsMounted: number;
  blobsStreamed: number;
  blobsPresent: number;
  bytesStreamed: number;
  evidenceTags: string[];
  referrers: number;
}

/** The target's evidence manifest with the source's entries it lacks, and a new config blob if it needs one; undefined when it lacks none. */
export type EvidenceMerge = (target: FetchedManifest, source: FetchedManifest) => { readonly manifest: Buffer; readonly config?: Buffer } | undefined;

type RawManifest = { layers?: Record<string, unknown>[]; manifests?: Record<string, unknown>[] } & Record<string, unknown>;

const EVIDENCE_SUFFIXES = ['.sig', '.att', ''] as const;
/** `sha256-<hex>.sig`, `.att`, and the referrers fallback index `sha256-<hex>`. */
const evidenceTag = (digest: string, suffix: (typeof EVIDENCE_SUFFIXES)[number]): string => `${digest.replace(':', '-')}${suffix}`;

/** Children of a manifest that must exist before it: blobs of an image, manifests of an index. */
function blobsOf(m: FetchedManifest): Descriptor[] {
  return m.manifest.kind === 'manifest' ? [m.manifest.config, ...m.manifest.layers] : [];
}

export class ArtifactCopier {
  readonly stats: CopyStats = { manifests: 0, manifestsPresent: 0, blobsMounted: 0, blobsStreamed: 0, blobsPresent: 0, bytesStreamed: 0, evidenceTags: [], referrers: 0 };
  private readonly sameRegistry: boolean;
  private readonly done = new Set<string>();

  constructor(
    private readonly from: RepositoryRef,
    private readonly to: RepositoryRef,
    private readonly merge: EvidenceMerge = mergeEvidence,
  ) {
    this.sameRegistry = from.client.registry === to.client.registry;
  }

  /** The artifact `digest` and everything attached to it (and to its children). Returns the root manifest. */
  async copyWithEvidence(digest: string): Promise<FetchedManifest> {
    const root = await this.copyManifest(digest);
    const subjects = [root, ...(await this.children(root))];
    for (const m of subjects) await this.copyEvidence(m.digest);
    return root;
  }

  /** Sets `tag` on `digest` in the target (the last step of a promotion). */
  async tag(tag: string, root: FetchedManifest): Promise<void> {
    const current = await this.to.client.headManifest(this.to.repository, tag);
    if (current?.digest === root.digest) return;
    if (current) throw new BadInputError(`tag ${this.to.repository}:${tag} already names ${current.digest}; tags are immutable (promote under another tag)`);
    await this.to.client.putManifest(this.to.repository, tag, root.bytes, root.mediaType);
  }

  private async children(m: FetchedManifest): Promise<FetchedManifest[]> {
    if (m.manifest.kind !== 'index') return [];
    const out: FetchedManifest[] = [];
    for (const d of m.manifest.manifests) {
      const child = await this.from.client.getManifest(this.from.repository, d.digest);
      out.push(child, ...(await this.children(child)));
    }
    return out;
  }

  /** A manifest by digest, after its blobs or children (a registry refuses a manifest whose content is missing). */
  async copyManifest(digest: string): Promise<FetchedManifest> {
    const m = await this.from.client.getManifest(this.from.repository, digest);
    if (this.done.has(digest)) return m;
    const present = await this.to.client.headManifest(this.to.repository, digest);
    if (present) {
      // A registry stores a manifest only once all it references is there: nothing below it is missing.
      this.stats.manifestsPresent += 1;
    } else {
      if (m.manifest.kind === 'index') for (const d of m.manifest.manifests) await this.copyManifest(d.digest);
      for (const b of blobsOf(m)) await this.copyBlob(b);
      await this.to.client.putManifest(this.to.repository, digest, m.bytes, m.mediaType);
      this.stats.manifests += 1;
    }
    this.done.add(digest);
    return m;
  }

  private async copyBlob(desc: Descriptor): Promise<void> {
    if (desc.urls?.length && !(await this.from.client.blobExists(this.from.repository, desc.digest))) {
      throw new BadInputError(`blob ${desc.digest} is a foreign layer the source registry does not hold; it cannot be copied`);
    }
    if (await this.to.client.blobExists(this.to.repository, desc.digest)) {
      this.stats.blobsPresent += 1;
      return;
    }
    if (this.sameRegistry && (await this.to.client.mountBlob(this.to.repository, desc.digest, this.from.repository))) {
      this.stats.blobsMounted += 1;
      return;
    }
    const body = await this.from.client.openBlob(this.from.repository, desc);
    await this.to.client.pushBlobStream(this.to.repository, desc, body);
    this.stats.blobsStreamed += 1;
    this.stats.bytesStreamed += desc.size;
  }

  /** `.sig`, `.att` and the referrers fallback tag, merged into what the target holds; then API referrers. */
  private async copyEvidence(subject: string): Promise<void> {
    for (const suffix of EVIDENCE_SUFFIXES) {
      const tag = evidenceTag(subject, suffix);
      const source = await this.manifestByTag(this.from, tag);
      if (!source) continue;
      const target = await this.manifestByTag(this.to, tag);
      const merged = target ? this.merge(target, source) : { manifest: source.bytes };
      if (!merged) continue;
      await this.copyManifestContent(source);
      if (merged.config) await this.to.client.pushBlob(this.to.repository, merged.config);
      await this.to.client.putManifest(this.to.repository, tag, merged.manifest, source.mediaType);
      this.stats.evidenceTags.push(tag);
    }
    const referrers = await this.from.client.getReferrers(this.from.repository, subject);
    for (const r of referrers ?? []) {
      await this.copyManifest(r.digest);
      this.stats.referrers += 1;
    }
  }

  /** What an evidence manifest references (its layers, or an index's referrer manifests), so it can be stored. */
  private async copyManifestContent(m: FetchedManifest): Promise<void> {
    if (m.manifest.kind === 'index') for (const d of m.manifest.manifests) await this.copyManifest(d.digest);
    for (const b of blobsOf(m)) await this.copyBlob(b);
  }

  private async manifestByTag(repo: RepositoryRef, tag: string): Promise<FetchedManifest | undefined> {
    if (!(await repo.client.headManifest(repo.repository, tag))) return undefined;
    return repo.client.getManifest(repo.repository, tag);
  }
}

/**
 * The target's evidence manifest with the source's entries it lacks appended (layers of a `.sig`
 * or `.att`, manifests of a fallback index), nothing dropped; undefined when it lacks none.
 */
export function mergeEvidence(target: FetchedManifest, source: FetchedManifest): { manifest: Buffer } | undefined {
  const t = JSON.parse(target.bytes.toString('utf8')) as RawManifest;
  const s = JSON.parse(source.bytes.toString('utf8')) as RawManifest;
  const field = target.manifest.kind === 'index' ? 'manifests' : 'layers';
  if ((source.manifest.kind === 'index' ? 'manifests' : 'layers') !== field) throw new BadInputError(`evidence tag holds an ${target.manifest.kind} in the target and not in the source; not merged`);
  const have = new Set((t[field] ?? []).map((e) => e.digest));
  const missing = (s[field] ?? []).filter((e) => !have.has(e.digest));
  if (missing.length === 0) return undefined;
  const entries = [...(t[field] ?? []), ...missing];
  return { manifest: Buffer.from(JSON.stringify({ ...t, [field]: entries })) };
}
