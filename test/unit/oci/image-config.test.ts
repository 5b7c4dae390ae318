import * as path from 'node:path';
import { BadInputError } from '../../../lambdas/core/errors';
import { sbomCommand } from '../../../lambdas/cli/sbom-command';
import { digestOf } from '../../../lambdas/oci/digest';
import { buildImage, writeOciLayout, type BuiltImage } from '../../../lambdas/oci/image-builder';
import { configLabels, declaredPlatform, parseImageConfig } from '../../../lambdas/oci/image-config';
import { MediaType } from '../../../lambdas/oci/media-types';
import { tempDir } from '../signing/helpers';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const parse = (text: string) => parseImageConfig(Buffer.from(text), DIGEST);

describe('image config blobs (untrusted JSON)', () => {
  it.each([
    ['null', 'is not a JSON object'],
    ['[{"os":"linux"}]', 'is not a JSON object'],
    ['"linux/amd64"', 'is not a JSON object'],
    ['{"os":', 'is not valid JSON (unexpected end of JSON at offset 6)'],
    ['{"os":"linux","os":"windows","architecture":"amd64"}', 'is not valid JSON (duplicate key "os" at offset 18)'],
  ])('%s is one clear error naming the blob', (text, message) => {
    expect(() => parse(text)).toThrow(BadInputError);
    expect(() => parse(text)).toThrow(`image config ${DIGEST} ${message}`);
  });

  it('platform and labels only from fields of the right type', () => {
    expect(declaredPlatform(parse('{"os":"linux","architecture":"arm64","variant":"v8"}'))).toBe('linux/arm64/v8');
    expect(declaredPlatform(parse('{"os":"linux","architecture":7}'))).toBeUndefined();
    expect(declaredPlatform(parse('{"os":null,"architecture":{"a":1}}'))).toBeUndefined();
    expect(configLabels(parse('{"config":{"Labels":{"a":"b"}}}'))).toEqual({ a: 'b' });
    for (const text of ['{"config":null}', '{"config":{"Labels":null}}', '{"config":{"Labels":["a"]}}', '{"config":"x"}', '{}']) expect([text, configLabels(parse(text))]).toEqual([text, undefined]);
  });
});

describe('sbom --platform on an image whose config is not an object', () => {
  /** The image with its config blob replaced by `bytes` (manifest rebuilt to name it). */
  function withConfig(image: BuiltImage, bytes: Buffer): BuiltImage {
    const config = { descriptor: { mediaType: MediaType.ociConfig, digest: digestOf(bytes), size: bytes.length }, bytes };
    const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: config.descriptor, layers: image.layers.map((l) => l.descriptor) }));
    return { ...image, config, manifest: { descriptor: { mediaType: MediaType.ociManifest, digest: digestOf(manifestBytes), size: manifestBytes.length }, bytes: manifestBytes } };
  }

  it('fails with one BadInputError naming the config, not a TypeError', async () => {
    const image = withConfig(await buildImage({ layers: [[{ path: 'etc/hello', content: 'hi' }]] }), Buffer.from('null'));
    const dir = path.join(tempDir('ag-config-'), 'layout');
    writeOciLayout(dir, [image], { tag: 'v1', root: image.manifest });
    const err = await sbomCommand([`oci-dir:${dir}:v1`, '--platform', 'linux/amd64', '-q']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toBe(`image config ${image.config.descriptor.digest} is not a JSON object`);
  });
});
