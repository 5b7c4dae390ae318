import type { AsyncCataloger, CatalogedPackage, ParseResult } from '../../cataloger';
import { LARGE_FILE_BUDGET } from '../../buffer-budget';
import { inventoryChartArchive } from './parse-chart';
import { chartPurl } from './purl';

/**
 * Helm charts: a chart archive (`helm package`'s tar+gzip, the content layer `helm push`
 * writes) → the chart, its dependencies and the images it deploys (see parse-chart.ts). It wants
 * no path in an image filesystem: the SBOM of a chart artifact hands it the chart layer
 * (sbom/artifact/artifact-sbom.ts), which keeps each package's own location (values key,
 * template line); `parse` here gives the same packages for one archive, flattened.
 */
export const helmCataloger: AsyncCataloger = {
  name: 'helm',
  maxFileSize: LARGE_FILE_BUDGET,
  wants: () => false,
  async parse(path: string, content: Buffer): Promise<ParseResult> {
    const inv = await inventoryChartArchive(path, content);
    const packages: CatalogedPackage[] = [];
    for (const list of inv.entries.values()) packages.push(...list);
    return { packages, warnings: inv.warnings };
  },
  purl: chartPurl,
};

export { inventoryChartArchive } from './parse-chart';
