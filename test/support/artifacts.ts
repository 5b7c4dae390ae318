import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { HelmMediaType, ORAS_UNPACK_ANNOTATION, TITLE_ANNOTATION } from '../../lambdas/oci/artifact-media-types';
import { digestOf } from '../../lambdas/oci/digest';
import { MediaType } from '../../lambdas/oci/media-types';
import type { ArtifactWriter } from '../../lambdas/oci/source';
import { writeZip } from './zip-writer';

const run = promisify(execFile);

/**
 * A Java library jar built with the JDK (javac, jar), carrying Maven's
 * `META-INF/maven/<group>/<artifact>/pom.properties` as maven-archiver writes it.
 */
export async function buildJar(dir: string, coords: { group: string; artifact: string; version: string }): Promise<Buffer> {
  const root = path.join(dir, `${coords.artifact}-${coords.version}`);
  const src = path.join(root, 'src', 'Lib.java');
  fs.mkdirSync(path.dirname(src), { recursive: true });
  fs.writeFileSync(src, 'package lib;\npublic class Lib { public static String name() { return "lib"; } }\n');
  await run('javac', ['-d', path.join(root, 'classes'), src]);
  const meta = path.join(root, 'meta', 'META-INF', 'maven', coords.group, coords.artifact);
  fs.mkdirSync(meta, { recursive: true });
  fs.writeFileSync(path.join(meta, 'pom.properties'), `#Created by Apache Maven 3.9.9\nartifactId=${coords.artifact}\ngroupId=${coords.group}\nversion=${coords.version}\n`);
  const out = path.join(root, `${coords.artifact}-${coords.version}.jar`);
  await run('jar', ['--create', '--file', out, '-C', path.join(root, 'classes'), '.', '-C', path.join(root, 'meta'), 'META-INF']);
  return fs.readFileSync(out);
}

/** urllib3 2.0.7's wheel metadata, as published on PyPI (hatchling), description body trimmed. */
export const URLLIB3_METADATA = `Metadata-Version: 2.1
Name: urllib3
Version: 2.0.7
Summary: HTTP library with thread-safe connection pooling, file post, and more.
Project-URL: Changelog, https://github.com/urllib3/urllib3/blob/main/CHANGES.rst
Project-URL: Documentation, https://urllib3.readthedocs.io
Project-URL: Code, https://github.com/urllib3/urllib3
Project-URL: Issue tracker, https://github.com/urllib3/urllib3/issues
Author-email: Andrey Petrov <andrey.petrov@shazow.net>
Maintainer-email: Seth Michael Larson <sethmichaellarson@gmail.com>, Quentin Pradet <quentin@pradet.me>
License-File: LICENSE.txt
Keywords: filepost,http,httplib,https,pooling,ssl,threadsafe,urllib
Classifier: Environment :: Web Environment
Classifier: Intended Audience :: Developers
Classifier: License :: OSI Approved :: MIT License
Classifier: Operating System :: OS Independent
Classifier: Programming Language :: Python
Classifier: Programming Language :: Python :: 3
Classifier: Programming Language :: Python :: 3 :: Only
Classifier: Topic :: Internet :: WWW/HTTP
Classifier: Topic :: Software Development :: Libraries
Requires-Python: >=3.7
Provides-Extra: brotli
Requires-Dist: brotli>=1.0.9; (platform_python_implementation == 'CPython') and extra == 'brotli'
Requires-Dist: brotlicffi>=0.8.0; (platform_python_implementation != 'CPython') and extra == 'brotli'
Provides-Extra: secure
Requires-Dist: certifi; extra == 'secure'
Requires-Dist: cryptography>=1.9; extra == 'secure'
Requires-Dist: idna>=2.0.0; extra == 'secure'
Requires-Dist: pyopenssl>=17.1.0; extra == 'secure'
Requires-Dist: urllib3-secure-extra; extra == 'secure'
Provides-Extra: socks
Requires-Dist: pysocks!=1.5.7,<2.0,>=1.5.6; extra == 'socks'
Provides-Extra: zstd
Requires-Dist: zstandard>=0.18.0; extra == 'zstd'
Description-Content-Type: text/markdown

urllib3 is a powerful, *user-friendly* HTTP client for Python.
`;

/** A wheel (a zip) with a package module and its `*.dist-info` (METADATA, WHEEL, RECORD). */
export function buildWheel(name: string, version: string, metadata: string): Buffer {
  const info = `${name}-${version}.dist-info`;
  return writeZip([
    { name: `${name}/__init__.py`, data: `__version__ = "${version}"\n` },
    { name: `${info}/METADATA`, data: metadata },
    { name: `${info}/WHEEL`, data: 'Wheel-Version: 1.0\nGenerator: hatchling 1.18.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
    { name: `${info}/RECORD`, data: `${name}/__init__.py,,\n${info}/METADATA,,\n${info}/WHEEL,,\n${info}/RECORD,,\n` },
  ]);
}

export interface ArtifactFile {
  readonly title: string;
  readonly bytes: Buffer;
  /** @default `oras push`'s default, application/vnd.oci.image.layer.v1.tar, whatever the file is */
  readonly mediaType?: string;
  /** A directory `oras push` packed (a tar+gzip marked to unpack in place). */
  readonly unpack?: boolean;
}

export interface PushedManifest {
  readonly digest: string;
  readonly size: number;
  readonly layers: readonly { readonly digest: string; readonly title: string }[];
}

async function putManifest(writer: ArtifactWriter, tag: string, doc: object): Promise<PushedManifest & { bytes: Buffer }> {
  const bytes = Buffer.from(JSON.stringify(doc));
  await writer.putManifest(tag, bytes, MediaType.ociManifest);
  return { digest: digestOf(bytes), size: bytes.length, layers: [], bytes };
}

/**
 * Pushes files as `oras push REF --artifact-type TYPE file…` does (ORAS 1.x, image-spec 1.1):
 * the empty config, one layer per file titled with its name.
 */
export async function pushOrasArtifact(writer: ArtifactWriter, tag: string, artifactType: string, files: readonly ArtifactFile[]): Promise<PushedManifest> {
  const empty = await writer.pushBlob(Buffer.from('{}'));
  const layers = [];
  for (const f of files) {
    const blob = await writer.pushBlob(f.bytes);
    layers.push({ mediaType: f.mediaType ?? MediaType.ociLayerTar, ...blob, annotations: { [TITLE_ANNOTATION]: f.title, ...(f.unpack ? { [ORAS_UNPACK_ANNOTATION]: 'true' } : {}) } });
  }
  const pushed = await putManifest(writer, tag, {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType,
    config: { mediaType: MediaType.ociEmpty, ...empty },
    layers,
    annotations: { 'org.opencontainers.image.created': '2026-03-05T10:00:00Z' },
  });
  return { ...pushed, layers: layers.map((l) => ({ digest: l.digest, title: l.annotations[TITLE_ANNOTATION] })) };
}

/**
 * Pushes a chart archive as `helm push` does: the chart's metadata as the config
 * (`application/vnd.cncf.helm.config.v1+json`), the archive as the one layer
 * (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`), the OCI annotations Helm derives
 * from Chart.yaml; the tag is the chart version.
 */
export async function pushHelmChart(writer: ArtifactWriter, chart: { name: string; version: string; appVersion?: string; description?: string }, tgz: Buffer): Promise<PushedManifest> {
  const config = await writer.pushBlob(Buffer.from(JSON.stringify({ name: chart.name, version: chart.version, description: chart.description, apiVersion: 'v2', appVersion: chart.appVersion, type: 'application' })));
  const layer = await writer.pushBlob(tgz);
  const pushed = await putManifest(writer, chart.version, {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: HelmMediaType.config, ...config },
    layers: [{ mediaType: HelmMediaType.chartContent, ...layer }],
    annotations: {
      'org.opencontainers.image.created': '2026-03-05T10:00:00Z',
      ...(chart.description ? { 'org.opencontainers.image.description': chart.description } : {}),
      'org.opencontainers.image.title': chart.name,
      'org.opencontainers.image.version': chart.version,
    },
  });
  return { ...pushed, layers: [{ digest: layer.digest, title: `${chart.name}-${chart.version}.tgz` }] };
}
