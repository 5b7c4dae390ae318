import * as fs from 'node:fs';
import { text } from 'node:stream/consumers';
import { BadInputError, DigestMismatchError, NotFoundError, UnavailableError } from '../../lambdas/core/errors';
import { digestOf } from '../../lambdas/oci/digest';
import { buildImage, pushImage } from '../../lambdas/oci/image-builder';
import { MediaType } from '../../lambdas/oci/media-types';
import { parseReference } from '../../lambdas/oci/reference';
import { RegistryClient } from '../../lambdas/oci/registry-client';
import { RegistrySource } from '../../lambdas/oci/sources/registry-source';
import { startAuthProxy } from '../support/auth-proxy';
import { freePort } from '../support/registry';
import { pushTwoPlatformIndex } from '../support/images';
import { storedBlobPath, testRegistry, uniqueRepo } from '../support/registry-env';
import { flipBits } from '../support/bytes';

const reg = testRegistry();

function sourceFor(ref: string, client?: RegistryClient): RegistrySource {
  const parsed = parseReference(ref);
  return new RegistrySource(parsed, client ?? new RegistryClient({ registry: parsed.registry }));
}

async function pushSample(repo: string, tag: string, content = `hello ${repo}`) {
  const image = await buildImage({ layers: [[{ path: 'etc/hello.txt', content }]] });
  const src = sourceFor(`${reg.host}/${repo}:${tag}`);
  await pushImage(src.writer, image, tag);
  return image;
}

describe('RegistryClient against a real registry', () => {
  it('fetches a manifest by tag and by digest, with the digest of the exact bytes', async () => {
    const repo = uniqueRepo('client');
    const image = await pushSample(repo, 'v1');
    const client = new RegistryClient({ registry: reg.host });
    const byTag = await client.getManifest(repo, 'v1');
    expect(byTag.digest).toBe(image.manifest.descriptor.digest);
    expect(byTag.manifest.kind).toBe('manifest');
    const byDigest = await client.getManifest(repo, byTag.digest);
    expect(byDigest.bytes.equals(image.manifest.bytes)).toBe(true);
    const head = await client.headManifest(repo, 'v1');
    expect(head?.digest).toBe(byTag.digest);
    expect(await client.headManifest(repo, 'nope')).toBeUndefined();
  });

  it('streams a layer blob and verifies it', async () => {
    const repo = uniqueRepo('client');
    const image = await pushSample(repo, 'v1');
    const client = new RegistryClient({ registry: reg.host });
    const layer = image.layers[0]!.descriptor;
    const stream = await client.openBlob(repo, layer);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(digestOf(Buffer.concat(chunks))).toBe(layer.digest);
  });

  it('reads a multi-arch index and its platform manifests', async () => {
    const repo = uniqueRepo('index');
    const src = sourceFor(`${reg.host}/${repo}:multi`);
    const { arm } = await pushTwoPlatformIndex(src.writer, 'multi');
    const root = await src.resolve();
    expect(root.manifest.kind).toBe('index');
    if (root.manifest.kind !== 'index') throw new Error('not an index');
    expect(root.manifest.manifests.map((m) => m.platform?.architecture)).toEqual(['amd64', 'arm64']);
    const child = await src.manifest(root.manifest.manifests[1]!);
    expect(child.digest).toBe(arm.manifest.descriptor.digest);
  });

  it('rejects a blob whose bytes do not match its digest', async () => {
    const repo = uniqueRepo('corrupt');
    const image = await pushSample(repo, 'v1', `content to corrupt ${Math.random()}`);
    const layer = image.layers[0]!.descriptor;
    const file = storedBlobPath(reg, layer.digest);
    const bytes = fs.readFileSync(file);
    flipBits(bytes, -1, 0xff);
    fs.writeFileSync(file, bytes);
    const client = new RegistryClient({ registry: reg.host });
    await expect(client.readBlob(repo, layer, 1 << 20)).rejects.toBeInstanceOf(DigestMismatchError);
    const stream = await client.openBlob(repo, layer);
    await expect(text(stream)).rejects.toBeInstanceOf(DigestMismatchError);
  });

  it('reports missing manifests and unreachable registries clearly', async () => {
    const client = new RegistryClient({ registry: reg.host });
    await expect(client.getManifest(uniqueRepo('none'), 'latest')).rejects.toBeInstanceOf(NotFoundError);
    const port = await freePort();
    const dead = new RegistryClient({ registry: `127.0.0.1:${port}` });
    await expect(dead.getManifest('x', 'latest')).rejects.toThrow(`registry 127.0.0.1:${port} unreachable: ECONNREFUSED`);
  });

  it('answers a 401 Bearer challenge via the token endpoint and follows blob redirects without leaking credentials', async () => {
    const repo = uniqueRepo('auth');
    const image = await pushSample(repo, 'v1');
    const proxy = await startAuthProxy({ upstream: reg.host, username: 'ci', password: 's3cret', redirectBlobs: true });
    try {
      const anonymous = new RegistryClient({ registry: proxy.host });
      await expect(anonymous.getManifest(repo, 'v1')).rejects.toBeInstanceOf(UnavailableError);
      const client = new RegistryClient({
        registry: proxy.host,
        credentials: { credentialsFor: async () => ({ username: 'ci', password: 's3cret' }) },
      });
      const m = await client.getManifest(repo, 'v1');
      expect(m.digest).toBe(image.manifest.descriptor.digest);
      expect(proxy.tokenRequests.some((u) => u.includes('service=test-registry') && u.includes(`scope=repository%3A${repo}%3Apull`))).toBe(true);
      const bytes = await client.readBlob(repo, image.layers[0]!.descriptor, 1 << 20);
      expect(digestOf(bytes)).toBe(image.layers[0]!.descriptor.digest);
      expect(proxy.redirectedAuthHeaders.length).toBeGreaterThan(0);
      expect(proxy.redirectedAuthHeaders.every((h) => h === undefined)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('answers a Basic challenge (ECR style) with the credentials provider\'s user and token', async () => {
    const repo = uniqueRepo('basic');
    const image = await pushSample(repo, 'v1');
    const proxy = await startAuthProxy({ upstream: reg.host, username: 'AWS', password: 'ecr-token', scheme: 'basic' });
    try {
      let asked = 0;
      const client = new RegistryClient({ registry: proxy.host, credentials: { credentialsFor: async () => ((asked += 1), { username: 'AWS', password: 'ecr-token' }) } });
      expect((await client.getManifest(repo, 'v1')).digest).toBe(image.manifest.descriptor.digest);
      expect((await client.getManifest(repo, image.manifest.descriptor.digest)).digest).toBe(image.manifest.descriptor.digest);
      expect(asked).toBe(1);
      const wrong = new RegistryClient({ registry: proxy.host, credentials: { credentialsFor: async () => ({ username: 'AWS', password: 'expired' }) } });
      await expect(wrong.getManifest(repo, 'v1')).rejects.toThrow(/HTTP 401.*not authorized/);
    } finally {
      await proxy.close();
    }
  });

  it('refuses an unknown manifest media type and malformed manifest JSON with one clear error', async () => {
    const repo = uniqueRepo('weird');
    const unknownType = await startAuthProxy({
      upstream: reg.host,
      username: 'u',
      password: 'p',
      fakeManifest: { path: `/${repo}/manifests/odd`, body: JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.example.thing+json' }), contentType: 'application/vnd.example.thing+json' },
    });
    const malformed = await startAuthProxy({
      upstream: reg.host,
      username: 'u',
      password: 'p',
      fakeManifest: { path: `/${repo}/manifests/broken`, body: '{"schemaVersion": 2, "layers": [', contentType: MediaType.ociManifest },
    });
    try {
      const creds = { credentialsFor: async () => ({ username: 'u', password: 'p' }) };
      await expect(new RegistryClient({ registry: unknownType.host, credentials: creds }).getManifest(repo, 'odd')).rejects.toThrow(
        new BadInputError('unsupported manifest media type "application/vnd.example.thing+json"'),
      );
      await expect(new RegistryClient({ registry: malformed.host, credentials: creds }).getManifest(repo, 'broken')).rejects.toThrow(/^malformed manifest JSON/);
    } finally {
      await unknownType.close();
      await malformed.close();
    }
  });
});
