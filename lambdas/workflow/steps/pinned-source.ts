import { IntegrityError } from '../../core/errors';
import type { FetchedManifest } from '../../oci/manifest';
import type { SourceSpec } from '../../oci/open-source';
import { parseSource } from '../../oci/open-source';
import type { ArtifactSource } from '../../oci/source';
import type { ResolvedArtifact } from '../state';

/**
 * Opens the artifact as Resolve pinned it and checks that its root manifest is still the digest
 * being processed: a layout on disk rewritten, or a tag moved, between two steps fails the run
 * instead of cataloging, attesting or signing something else under this digest.
 */
export async function openPinned(open: (spec: SourceSpec) => Promise<ArtifactSource>, artifact: Pick<ResolvedArtifact, 'source' | 'digest'>): Promise<{ source: ArtifactSource; root: FetchedManifest }> {
  const source = await open(parseSource(artifact.source));
  try {
    const root = await source.resolve();
    if (root.digest !== artifact.digest) throw new IntegrityError(`${artifact.source} now resolves to ${root.digest}, not the ${artifact.digest} being processed`);
    return { source, root };
  } catch (err) {
    await source.close();
    throw err;
  }
}
