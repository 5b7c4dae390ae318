import { spawn } from 'node:child_process';
import { sign as cryptoSign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsSigner } from '../../lambdas/adapters/aws/kms-signer';
import { PemFileSigner } from '../../lambdas/adapters/local/pem-file-signer';
import { buildImage, writeOciLayout } from '../../lambdas/oci/image-builder';
import type { FetchedManifest } from '../../lambdas/oci/manifest';
import { MediaType } from '../../lambdas/oci/media-types';
import { parseReference } from '../../lambdas/oci/reference';
import { RegistryClient } from '../../lambdas/oci/registry-client';
import { RegistrySource } from '../../lambdas/oci/sources/registry-source';
import { isDerEcdsaSignature } from '../../lambdas/signing/ecdsa';
import { buildPayload } from '../../lambdas/signing/payload';
import { signArtifact } from '../../lambdas/signing/sign-artifact';
import { SIGNATURE_ANNOTATION, signatureTag } from '../../lambdas/signing/sig-manifest';
import type { VerifyOutcome } from '../../lambdas/signing/verify-artifact';
import { verifyArtifact } from '../../lambdas/signing/verify-artifact';
import { CLI, expectOneErrorLine, runCli } from '../support/cli';
import { cosignKeyPem } from '../support/cosign-key';
import { pushTestImage, pushTwoPlatformIndex } from '../support/images';
import { freePort } from '../support/registry';
import { testRegistry, uniqueRepo } from '../support/registry-env';
import type { TestKey } from '../unit/signing/helpers';
import { derSign, p256Key, pushSignatureManifest, tempDir, writeKey } from '../unit/signing/helpers';
import { FakeKms } from '../support/fake-kms';

const host = testRegistry().host;
const client = new RegistryClient({ registry: host });
const k1 = p256Key();
const k2 = p256Key();
const work = tempDir('int');
const files = { k1: writeKey(work, 'k1', k1), k2: writeKey(work, 'k2', k2) };
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A source for `HOST/REPO` + `:TAG` or `@DIGEST`. */
function source(repo: string, at = ':latest'): RegistrySource {
  const ref = parseReference(`${host}/${repo}${at}`);
  return new RegistrySource(ref, client);
}

const signer = (key: TestKey, name: string) => PemFileSigner.fromPem(key.privatePem, name);
const keys = (...ks: [TestKey, string][]) => ks.map(([k, name]) => ({ name, key: k.publicKey }));

let imageCount = 0;
async function image(repo: string, tag = 'v1'): Promise<string> {
  imageCount += 1;
  const built = await pushTestImage(repo, tag, { layers: [[{ path: 'etc/id', content: `${repo} ${imageCount}` }]] });
  return built.manifest.descriptor.digest;
}

async function sigManifest(repo: string, digest: string): Promise<FetchedManifest> {
  return client.getManifest(repo, signatureTag(digest));
}

function layersOf(m: FetchedManifest) {
  if (m.manifest.kind !== 'manifest') throw new Error('not a manifest');
  return m.manifest.layers;
}

async function verify(repo: string, at: string, ks = keys([k1, 'k1.pub']), identities?: string[]): Promise<VerifyOutcome> {
  return verifyArtifact({ source: source(repo, at), keys: ks, ...(identities ? { identities } : {}) });
}

describe('sign and verify on a real registry', () => {
  it('signs one image: an OCI .sig manifest with one simple-signing layer over the cosign payload; verify allows', async () => {
    const repo = uniqueRepo('sign');
    const digest = await image(repo);
    const out = await signArtifact({ source: source(repo, ':v1'), signer: signer(k1, 'k1.pem') });
    expect(out.identity).toBe(`${host}/${repo}`);
    expect(out.targets).toEqual([expect.objectContaining({ digest, tag: signatureTag(digest), outcome: 'appended', signatures: 1 })]);

    const sig = await sigManifest(repo, digest);
    expect(sig.mediaType).toBe(MediaType.ociManifest);
    const [layer] = layersOf(sig);
    expect(layer?.mediaType).toBe(MediaType.cosignSimpleSigning);
    const payload = await client.readBlob(repo, layer!, 1 << 20);
    expect(payload.equals(buildPayload(`${host}/${repo}`, digest))).toBe(true);
    expect(isDerEcdsaSignature(Buffer.from(layer?.annotations?.[SIGNATURE_ANNOTATION] ?? '', 'base64'))).toBe(true);

    const v = await verify(repo, ':v1');
    expect(v).toMatchObject({ allowed: true, digest, accepted: [{ layer: 0, key: 'k1.pub', dockerReference: `${host}/${repo}` }], reasons: [] });
    expect((await verify(repo, `@${digest}`)).allowed).toBe(true);
  });

  it('signs a multi-arch index together with every platform manifest', async () => {
    const repo = uniqueRepo('multi');
    const { amd, arm, index } = await pushTwoPlatformIndex(source(repo).writer, 'multi');

    const out = await signArtifact({ source: source(repo, ':multi'), signer: signer(k1, 'k1.pem') });
    // Platforms first, the index last: a reader never sees a signed index over unsigned platforms.
    expect(out.targets.map((t) => [t.digest, t.platform])).toEqual([
      [amd.manifest.descriptor.digest, 'linux/amd64'],
      [arm.manifest.descriptor.digest, 'linux/arm64'],
      [index.descriptor.digest, undefined],
    ]);
    const tags = await client.listTags(repo);
    for (const d of [index.descriptor.digest, amd.manifest.descriptor.digest, arm.manifest.descriptor.digest]) {
      expect(tags).toContain(signatureTag(d));
      expect((await verify(repo, `@${d}`)).allowed).toBe(true);
    }
    expect((await verify(repo, ':multi')).digest).toBe(index.descriptor.digest);
  });

  it('appends: a second key adds a layer, the same key again adds nothing (compared by verifying)', async () => {
    const repo = uniqueRepo('append');
    const digest = await image(repo);
    await signArtifact({ source: source(repo, ':v1'), signer: signer(k1, 'k1.pem') });
    const first = await sigManifest(repo, digest);

    const second = await signArtifact({ source: source(repo, ':v1'), signer: signer(k2, 'k2.pem') });
    expect(second.targets[0]).toMatchObject({ outcome: 'appended', signatures: 2 });
    const afterK2 = await sigManifest(repo, digest);
    expect(layersOf(afterK2)).toHaveLength(2);
    expect(layersOf(afterK2)[0]).toEqual(layersOf(first)[0]);

    const again = await signArtifact({ source: source(repo, ':v1'), signer: signer(k1, 'k1.pem') });
    expect(again.targets[0]).toMatchObject({ outcome: 'already-signed', signatures: 2, signatureManifest: afterK2.digest });
    expect((await sigManifest(repo, digest)).digest).toBe(afterK2.digest);

    expect((await verify(repo, ':v1', keys([k2, 'k2.pub']))).accepted).toEqual([{ layer: 1, key: 'k2.pub', dockerReference: `${host}/${repo}` }]);
    expect((await verify(repo, ':v1', keys([k1, 'k1.pub'], [k2, 'k2.pub']))).accepted.map((a) => a.key)).toEqual(['k1.pub', 'k2.pub']);
  });

  it('keeps signatures others wrote when appending (never replaces the tag content)', async () => {
    const repo = uniqueRepo('keep');
    const digest = await image(repo);
    const foreign = buildPayload(`${host}/${repo}`, digest, { creator: 'someone else' });
    await pushSignatureManifest(source(repo).writer, signatureTag(digest), [{ payload: foreign, signature: derSign(k2, foreign) }]);
    const before = layersOf(await sigManifest(repo, digest));
    await signArtifact({ source: source(repo, ':v1'), signer: signer(k1, 'k1.pem') });
    const after = layersOf(await sigManifest(repo, digest));
    expect(after).toHaveLength(2);
    expect(after[0]).toEqual(before[0]);
  });

  it('signs with the KMS adapter (aws-sdk-client-mock doing real ECDSA); the public key verifies', async () => {
    const kmsKey = p256Key();
    const kms = new FakeKms(kmsKey);
    try {
      const repo = uniqueRepo('kms');
      const digest = await image(repo);
      const kmsSigner = new KmsSigner(new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), 'alias/artifact-guard-signing');
      const out = await signArtifact({ source: source(repo, ':v1'), signer: kmsSigner });
      expect(out.key.pem).toBe(kmsKey.publicPem);
      const pub = path.join(work, 'kms.pub');
      fs.writeFileSync(pub, out.key.pem);
      const res = await runCli(['verify', `${host}/${repo}:v1`, '--key', pub]);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`allowed ${host}/${repo}@${digest}`);
    } finally {
      await kms.close();
    }
  });
});

describe('forged evidence is denied, with a reason', () => {
  function expectDenied(v: VerifyOutcome, reason: string | RegExp): void {
    expect(v.allowed).toBe(false);
    expect(v.accepted).toEqual([]);
    expect(v.reasons.join('\n')).toMatch(reason);
  }

  /** Copies the `.sig` manifest of fromRepo@fromDigest (and its blobs) to toRepo's tag for toDigest. */
  async function copySignature(fromRepo: string, fromDigest: string, toRepo: string, toDigest: string): Promise<void> {
    const sig = await sigManifest(fromRepo, fromDigest);
    if (sig.manifest.kind !== 'manifest') throw new Error('not a manifest');
    for (const d of [sig.manifest.config, ...sig.manifest.layers]) await client.pushBlob(toRepo, await client.readBlob(fromRepo, d, 1 << 20));
    await client.putManifest(toRepo, signatureTag(toDigest), sig.bytes, sig.mediaType);
  }

  /** An image and a hand-made .sig for it with one layer; returns what verify says. */
  async function forged(layer: (digest: string, repoName: string) => Parameters<typeof pushSignatureManifest>[2][number], opts?: Parameters<typeof pushSignatureManifest>[3]) {
    const repo = uniqueRepo('forged');
    const digest = await image(repo);
    await pushSignatureManifest(source(repo).writer, signatureTag(digest), [layer(digest, `${host}/${repo}`)], opts);
    return { outcome: await verify(repo, ':v1'), digest, repo };
  }

  it('no signature at all', async () => {
    const repo = uniqueRepo('unsigned');
    const digest = await image(repo);
    expectDenied(await verify(repo, ':v1'), `no signatures: ${host}/${repo}:${signatureTag(digest)} does not exist`);
  });

  it('wrong key', async () => {
    const repo = uniqueRepo('wrongkey');
    await image(repo);
    await signArtifact({ source: source(repo, ':v1'), signer: signer(k2, 'k2.pem') });
    expectDenied(await verify(repo, ':v1'), 'layer 0: signature does not verify with key k1.pub');
  });

  it('signature over another digest (copied to another image’s .sig tag)', async () => {
    const repo = uniqueRepo('otherdigest');
    const a = await image(repo, 'a');
    const b = await image(repo, 'b');
    await signArtifact({ source: source(repo, ':a'), signer: signer(k1, 'k1.pem') });
    await copySignature(repo, a, repo, b);
    expectDenied(await verify(repo, ':b'), `layer 0: signature is for digest ${a}, not ${b}`);
  });

  it('signature moved to another repository', async () => {
    const original = uniqueRepo('original');
    const moved = uniqueRepo('moved');
    const digest = await image(original);
    expect(await image(moved)).not.toBe(digest); // different content, so copy the image itself
    const src = source(original, ':v1');
    const root = await src.resolve();
    if (root.manifest.kind !== 'manifest') throw new Error('not a manifest');
    for (const d of [root.manifest.config, ...root.manifest.layers]) await client.pushBlob(moved, await client.readBlob(original, d, 1 << 20));
    await client.putManifest(moved, 'copy', root.bytes, root.mediaType);
    await signArtifact({ source: src, signer: signer(k1, 'k1.pem') });
    await copySignature(original, digest, moved, digest);
    expectDenied(await verify(moved, ':copy'), `layer 0: signed for repository ${host}/${original}, not ${host}/${moved}`);
  });

  it('--identity accepts a replicated repository (same digest and .sig, another registry host)', async () => {
    const original = uniqueRepo('original');
    const digest = await image(original);
    await signArtifact({ source: source(original, ':v1'), signer: signer(k1, 'k1.pem') });
    // The same registry under another name stands in for a replica (ECR cross-region, a mirror).
    const replicaHost = host.replace('127.0.0.1', 'localhost');
    const replicaRef = `${replicaHost}/${original}:v1`;
    const plain = await runCli(['verify', replicaRef, '--key', files.k1.pub]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain(`signed for repository ${host}/${original}, not ${replicaHost}/${original}`);
    const named = await runCli(['verify', replicaRef, '--key', files.k1.pub, '--identity', `${replicaHost}/elsewhere`, '--identity', `${host}/${original}`]);
    expect(named.code).toBe(0);
    expect(named.stdout).toContain(`allowed ${replicaHost}/${original}@${digest}`);
    // --identity replaces the repository's own name: only the listed repositories count.
    const onlyOther = await verifyArtifact({ source: source(original, ':v1'), keys: keys([k1, 'k1.pub']), identities: [`${host}/elsewhere`] });
    expect(onlyOther.allowed).toBe(false);
  });

  it('tampered payload (signature of the original kept)', async () => {
    const { outcome } = await forged((digest, repoName) => {
      const signed = buildPayload(repoName, digest);
      const tampered = buildPayload(repoName.replace(/forged/, 'evil'), digest);
      return { payload: tampered, signature: derSign(k1, signed) };
    });
    expectDenied(outcome, 'layer 0: signature does not verify with key k1.pub');
  });

  it('extra key inside critical (validly signed)', async () => {
    const { outcome } = await forged((digest, repoName) => {
      const payload = Buffer.from(buildPayload(repoName, digest).toString().replace('"type"', '"annotations":{"ok":"yes"},"type"'));
      return { payload, signature: derSign(k1, payload) };
    });
    expectDenied(outcome, 'layer 0: signed payload rejected: unknown key "annotations" in critical');
  });

  it('missing key inside critical (validly signed)', async () => {
    const { outcome } = await forged((digest) => {
      const payload = Buffer.from(`{"critical":{"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":null}`);
      return { payload, signature: derSign(k1, payload) };
    });
    expectDenied(outcome, 'layer 0: signed payload rejected: key "identity" missing in critical');
  });

  it('duplicate JSON keys (validly signed; JSON.parse would see only the last, matching digest)', async () => {
    const other = `sha256:${'ee'.repeat(32)}`;
    let payload = Buffer.alloc(0);
    const { outcome, digest } = await forged((d, repoName) => {
      payload = Buffer.from(buildPayload(repoName, d).toString().replace(`"docker-manifest-digest":"${d}"`, `"docker-manifest-digest":"${other}","docker-manifest-digest":"${d}"`));
      return { payload, signature: derSign(k1, payload) };
    });
    expect((JSON.parse(payload.toString()) as { critical: { image: Record<string, string> } }).critical.image['docker-manifest-digest']).toBe(digest);
    expectDenied(outcome, 'layer 0: signed payload rejected: payload is not strict JSON: duplicate key "docker-manifest-digest"');
  });

  it('truncated signature', async () => {
    const { outcome } = await forged((digest, repoName) => {
      const payload = buildPayload(repoName, digest);
      return { payload, signature: derSign(k1, payload).subarray(0, 40) };
    });
    expectDenied(outcome, /layer 0: signature is not an ASN.1 DER ECDSA signature \(40 bytes/);
  });

  it('non-DER signature (a valid raw r||s IEEE P1363 signature)', async () => {
    const { outcome } = await forged((digest, repoName) => {
      const payload = buildPayload(repoName, digest);
      return { payload, signature: cryptoSign('sha256', payload, { key: k1.privateKey, dsaEncoding: 'ieee-p1363' }) };
    });
    expectDenied(outcome, /layer 0: signature is not an ASN.1 DER ECDSA signature \(64 bytes/);
  });

  it('wrong layer media type', async () => {
    const { outcome } = await forged((digest, repoName) => {
      const payload = buildPayload(repoName, digest);
      return { payload, signature: derSign(k1, payload), mediaType: MediaType.ociLayerTar };
    });
    expectDenied(outcome, `layer 0: media type ${MediaType.ociLayerTar} is not ${MediaType.cosignSimpleSigning}`);
  });

  it('Docker media types on the .sig manifest', async () => {
    const { outcome } = await forged(
      (digest, repoName) => {
        const payload = buildPayload(repoName, digest);
        return { payload, signature: derSign(k1, payload) };
      },
      { manifestMediaType: MediaType.dockerManifest, configMediaType: MediaType.dockerConfig },
    );
    expectDenied(outcome, `is not a cosign signature manifest: its media type is ${MediaType.dockerManifest}`);
  });
});

describe('artifact-guard sign / verify (CLI)', () => {
  it('signs and verifies; denial exits 1 with a reason per layer on stderr', async () => {
    const repo = uniqueRepo('cli');
    const digest = await image(repo, '1.0');
    const ref = `${host}/${repo}:1.0`;
    const signed = await runCli(['sign', ref, '--key', files.k1.priv]);
    expect(signed.code).toBe(0);
    expect(signed.stdout).toContain(`${digest}  manifest       appended`);
    expect(signed.stderr).toBe('');

    const ok = await runCli(['verify', `registry:${ref}`, '--key', files.k2.pub, '--key', files.k1.pub]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`allowed ${host}/${repo}@${digest}`);
    expect(ok.stderr).toBe('');

    const denied = await runCli(['verify', ref, '--key', files.k2.pub, '-o', 'json']);
    expect(denied.code).toBe(1);
    expect(JSON.parse(denied.stdout)).toMatchObject({ allowed: false, digest });
    expect(denied.stderr).toBe(`artifact-guard: verify: denied: no acceptable signature for ${host}/${repo}@${digest}\n  layer 0: signature does not verify with key ${files.k2.pub}\n`);

    const elsewhere = await runCli(['verify', ref, '--key', files.k1.pub, '--identity', `${host}/some/other`]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`signed for repository ${host}/${repo}, not ${host}/some/other`);
  });

  it('signs and verifies an OCI layout directory (oci-dir:)', async () => {
    const built = await buildImage({ layers: [[{ path: 'hello', content: 'layout' }]] });
    const dir = path.join(work, 'layout');
    writeOciLayout(dir, [built], { tag: 'v1', root: built.manifest });
    expect((await runCli(['sign', `oci-dir:${dir}:v1`, '--key', files.k1.priv])).code).toBe(0);
    const res = await runCli(['verify', `oci-dir:${dir}:v1`, '--key', files.k1.pub]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(built.manifest.descriptor.digest);
  });

  it('exits 2 with one line for bad input, missing keys and unreachable registries', async () => {
    const repo = uniqueRepo('cli-err');
    await image(repo);
    const ref = `${host}/${repo}:v1`;
    const dead = `127.0.0.1:${await freePort()}/x/y:1`;
    const cases: [string[], RegExp][] = [
      [['sign', ref], /--key KEY is required/],
      [['verify', ref], /--key PUBKEY is required/],
      [['sign', ref, '--key', path.join(work, 'nope.pem')], /key file .*nope\.pem not found/],
      [['verify', ref, '--key', files.k1.priv.replace('k1.pem', 'nope.pub')], /not found/],
      [['sign', ref, '--key', files.k1.pub], /is a public key; signing needs the private key/],
      [['verify', ref, '--key', 'awskms://alias/x'], /invalid AWS KMS key reference/],
      [['verify', ref, '--key', files.k1.pub, '--identity', 'Not A Repo'], /--identity/],
      [['sign', dead, '--key', files.k1.priv], /unreachable/],
      [['verify', `oci-archive:${path.join(work, 'x.tar')}`, '--key', files.k1.pub], /REF must be a registry reference or oci-dir/],
      [['verify', ref, '--key', files.k1.pub, '--policy', 'p.json'], /policy file p.json not found/],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(args);
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
      expect(expectOneErrorLine(res)).toMatch(message);
    }
  });
});

describe('artifact-guard sign with a cosign key and --identity (CLI)', () => {
  // `cosign generate-key-pair` output, built with the format's published parameters (N=2^16, r=8, p=1).
  const cosignKey = path.join(work, 'cosign.key');
  beforeAll(() => fs.writeFileSync(cosignKey, cosignKeyPem(k1.privateKey, 'hunter2 ünïcode')));

  it('reads cosign.key with COSIGN_PASSWORD; the signature verifies with its public key', async () => {
    const repo = uniqueRepo('cosign-key');
    const digest = await image(repo);
    const res = await runCli(['sign', `${host}/${repo}:v1`, '--key', cosignKey], { COSIGN_PASSWORD: 'hunter2 ünïcode' });
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
    expect(res.stdout).toContain(`${digest}  manifest       appended`);
    expect(res.stdout).toContain(`with ${cosignKey}`);
    expect((await verify(repo, ':v1')).allowed).toBe(true);
  });

  it('a wrong password, or none without a terminal, is one clear line (exit 2)', async () => {
    const ref = `${host}/${uniqueRepo('cosign-key')}:v1`;
    const wrong = await runCli(['sign', ref, '--key', cosignKey], { COSIGN_PASSWORD: 'hunter3' });
    expect(wrong.code).toBe(2);
    expect(expectOneErrorLine(wrong)).toBe(`artifact-guard: wrong password for cosign key ${cosignKey} (or the key file was altered)`);
    const none = await runCli(['sign', ref, '--key', cosignKey], { COSIGN_PASSWORD: undefined });
    expect(none.code).toBe(2);
    expect(expectOneErrorLine(none)).toBe(`artifact-guard: ${cosignKey} is an encrypted cosign key and there is no terminal to ask for its password: set COSIGN_PASSWORD`);
  });

  it('asks for the password on a terminal without echoing it', async () => {
    const repo = uniqueRepo('cosign-tty');
    const digest = await image(repo);
    const password = 'hunter2 ünïcode';
    const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
    const command = [process.execPath, CLI, 'sign', `${host}/${repo}:v1`, '--key', cosignKey].map(quote).join(' ');
    // util-linux script(1) runs the CLI on a pseudo-terminal; what we write is typed on it.
    const env = { ...process.env };
    delete env.COSIGN_PASSWORD;
    const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    const typed = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        screen += d.toString();
        if (screen.includes('Enter password for private key') && !child.stdin.writableEnded) {
          child.stdin.end(`${password}\r`);
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    await typed;
    expect({ code, screen }).toEqual({ code: 0, screen: expect.stringContaining(`${digest}  manifest       appended`) });
    expect(screen).toContain(`Enter password for private key ${cosignKey}: `);
    expect(screen).not.toContain('hunter2');
  });

  it('--identity signs for the repository the image will be pushed to', async () => {
    const repo = uniqueRepo('identity');
    const digest = await image(repo);
    const target = `${host}/prod/${repo}`;
    const res = await runCli(['sign', `${host}/${repo}:v1`, '--key', files.k1.priv, '--identity', target, '-o', 'json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ repository: `${host}/${repo}`, identity: target });
    const [layer] = layersOf(await sigManifest(repo, digest));
    expect((await client.readBlob(repo, layer!, 1 << 20)).equals(buildPayload(target, digest))).toBe(true);
    expect((await verify(repo, ':v1')).allowed).toBe(false);
    expect((await verify(repo, ':v1', keys([k1, 'k1.pub']), [target])).allowed).toBe(true);
    // Docker Hub short names are normalised as verifiers compare them.
    const hub = await runCli(['sign', `${host}/${repo}:v1`, '--key', files.k1.priv, '--identity', 'org/app', '-o', 'json']);
    expect(JSON.parse(hub.stdout)).toMatchObject({ identity: 'docker.io/org/app' });
  });

  it('--identity must be a repository name', async () => {
    const ref = `${host}/${uniqueRepo('identity')}:v1`;
    const cases: [string, RegExp][] = [
      ['not a repo', /^artifact-guard: sign: --identity "not a repo" is not a valid docker reference; give a repository, HOST\/REPO$/],
      [`${host}/App`, /repository name must be lowercase; give a repository, HOST\/REPO$/],
      [`${host}/app:1.0`, /has a tag or digest; give the repository alone, HOST\/REPO$/],
      [`${host}/app@sha256:${'a'.repeat(64)}`, /has a tag or digest/],
    ];
    for (const [identity, message] of cases) {
      const res = await runCli(['sign', ref, '--key', files.k1.priv, '--identity', identity]);
      expect({ identity, code: res.code }).toEqual({ identity, code: 2 });
      expect(expectOneErrorLine(res)).toMatch(message);
    }
  });
});
