import * as zlib from 'node:zlib';
import { buildLayerTar } from '../../lambdas/oci/image-builder';
import type { LayerEntry } from '../../lambdas/oci/image-builder';

/** A chart archive as `helm package` writes it: a tar+gzip of `<dir>/…` (paths given relative to the archive). */
export async function chartArchive(files: Readonly<Record<string, string | Buffer>>, extra: readonly LayerEntry[] = []): Promise<Buffer> {
  const entries: LayerEntry[] = Object.entries(files).map(([path, content]) => ({ path, content }));
  return zlib.gzipSync(await buildLayerTar([...entries, ...extra]));
}

export const DIGESTS = {
  storefront: `sha256:${'5f'.repeat(32)}`,
  api: `sha256:${'a1'.repeat(32)}`,
};

/**
 * Bitnami's `common` library chart (2.1.2), vendored inside the redis chart as its `charts/common`
 * directory, as `helm dependency build` leaves it.
 */
const COMMON: Record<string, string> = {
  'Chart.yaml': `annotations:
  category: Infrastructure
apiVersion: v2
appVersion: 2.1.2
description: A Library Helm Chart for grouping common logic between bitnami charts. This chart is not deployable by itself.
home: https://github.com/bitnami/charts/tree/main/bitnami/common
keywords:
- common
- helper
- template
- function
- bitnami
maintainers:
- name: Bitnami
  url: https://github.com/bitnami/charts
name: common
sources:
- https://github.com/bitnami/charts
- https://www.bitnami.com/
type: library
version: 2.1.2
`,
  'templates/_images.tpl': `{{/*
Return the proper image name
{{ include "common.images.image" ( dict "imageRoot" .Values.path.to.the.image "global" $) }}
*/}}
{{- define "common.images.image" -}}
{{- $registryName := .imageRoot.registry -}}
{{- $repositoryName := .imageRoot.repository -}}
{{- $separator := ":" -}}
{{- $termination := .imageRoot.tag | toString -}}
{{- if .imageRoot.digest }}
    {{- $separator = "@" -}}
    {{- $termination = .imageRoot.digest | toString -}}
{{- end -}}
{{- printf "%s/%s%s%s" $registryName $repositoryName $separator $termination -}}
{{- end -}}
`,
};

/** bitnami/redis 17.3.2 (appVersion 7.0.5), trimmed to what the SBOM reads, with its `common` dependency. */
export function redisChartFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'redis/Chart.yaml': `annotations:
  category: Database
  licenses: Apache-2.0
apiVersion: v2
appVersion: 7.0.5
dependencies:
- name: common
  repository: https://charts.bitnami.com/bitnami
  tags:
  - bitnami-common
  version: 2.x.x
description: Redis(R) is an open source, advanced key-value store. It is often referred to as a data structure server since keys can contain strings, hashes, lists, sets and sorted sets.
home: https://github.com/bitnami/charts/tree/main/bitnami/redis
icon: https://bitnami.com/assets/stacks/redis/img/redis-stack-220x234.png
keywords:
- redis
- keyvalue
- database
maintainers:
- name: Bitnami
  url: https://github.com/bitnami/charts
name: redis
sources:
- https://github.com/bitnami/containers/tree/main/bitnami/redis
- http://redis.io/
version: 17.3.2
`,
    'redis/Chart.lock': `dependencies:
- name: common
  repository: https://charts.bitnami.com/bitnami
  version: 2.1.2
digest: sha256:dce0349883107e3ff103f4f17d3af4ad1ea3c7993551b1c28865867d3e53d37c
generated: "2022-11-01T11:12:11.929213377Z"
`,
    'redis/values.yaml': `global:
  imageRegistry: ""
  imagePullSecrets: []
  storageClass: ""
  redis:
    password: ""
image:
  registry: docker.io
  repository: bitnami/redis
  tag: 7.0.5-debian-11-r7
  digest: ""
  pullPolicy: IfNotPresent
  pullSecrets: []
  debug: false
architecture: replication
master:
  count: 1
`,
    'redis/templates/master/application.yaml': `apiVersion: {{ include "common.capabilities.statefulset.apiVersion" . }}
kind: StatefulSet
spec:
  template:
    spec:
      containers:
        - name: redis
          image: {{ template "redis.image" . }}
          imagePullPolicy: {{ .Values.image.pullPolicy | quote }}
`,
    'redis/templates/_helpers.tpl': `{{/*
Return the proper Redis image name
*/}}
{{- define "redis.image" -}}
{{ include "common.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}
{{- end -}}
`,
  };
  for (const [p, c] of Object.entries(COMMON)) files[`redis/charts/common/${p}`] = c;
  return files;
}

/**
 * The test chart: `webshop` 1.4.2 with two dependencies, bitnami's redis 17.3.2 vendored as
 * `charts/redis-17.3.2.tgz` and a statsd exporter chart vendored as the directory
 * `charts/metrics/` (aliased `exporter`); values naming two images by digest and one by tag; a
 * template with a literal image.
 */
export async function webshopChart(): Promise<Buffer> {
  const redis = await chartArchive(redisChartFiles());
  const files: Record<string, string | Buffer> = {
    'webshop/Chart.yaml': `apiVersion: v2
name: webshop
description: A web shop (storefront, API, worker) with a Redis cache and a metrics exporter
type: application
version: 1.4.2
appVersion: "2.7.0"
annotations:
  artifacthub.io/license: Apache-2.0
dependencies:
  - name: redis
    version: ~17.3.0
    repository: https://charts.bitnami.com/bitnami
    condition: redis.enabled
  - name: metrics
    version: 0.3.1
    repository: oci://registry.example.com/charts
    alias: exporter
`,
    'webshop/Chart.lock': `dependencies:
- name: redis
  repository: https://charts.bitnami.com/bitnami
  version: 17.3.2
- name: metrics
  repository: oci://registry.example.com/charts
  version: 0.3.1
digest: sha256:4c2b0fbd4b1d9e5c1f5e0b3d2c0a7e6f4b8d9c1a2e3f4a5b6c7d8e9f0a1b2c3d
generated: "2024-03-05T10:00:00.000000000Z"
`,
    'webshop/values.yaml': `# Default values for webshop.
storefront:
  replicaCount: 2
  image:
    registry: ghcr.io
    repository: acme/storefront
    tag: 2.7.0
    digest: ${DIGESTS.storefront}
    pullPolicy: IfNotPresent
api:
  image: ghcr.io/acme/api@${DIGESTS.api}
worker:
  image:
    repository: acme/worker
    tag: "2.7.0"
redis:
  enabled: true
  architecture: standalone
  image:
    tag: 7.0.5-debian-11-r25
exporter:
  serviceMonitor:
    enabled: false
`,
    'webshop/templates/_helpers.tpl': `{{- define "webshop.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
`,
    'webshop/templates/storefront.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "webshop.fullname" . }}-storefront
spec:
  replicas: {{ .Values.storefront.replicaCount }}
  template:
    spec:
      containers:
        - name: storefront
          image: "{{ .Values.storefront.image.registry }}/{{ .Values.storefront.image.repository }}@{{ .Values.storefront.image.digest }}"
          imagePullPolicy: {{ .Values.storefront.image.pullPolicy }}
`,
    'webshop/templates/api.yaml': `apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: api
          image: {{ .Values.api.image | quote }}
`,
    'webshop/templates/worker.yaml': `apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: worker
          image: "{{ .Values.worker.image.repository }}:{{ .Values.worker.image.tag | default .Chart.AppVersion }}"
`,
    'webshop/templates/migrate-job.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  annotations:
    "helm.sh/hook": pre-upgrade
spec:
  template:
    spec:
      initContainers:
        - name: wait
          image: busybox:1.36.1 # a literal image
          command: ["sh", "-c", "until nc -z {{ include "webshop.fullname" . }}-redis-master 6379; do sleep 2; done"]
      restartPolicy: Never
`,
    'webshop/templates/NOTES.txt': `image: not-an-image-this-is-a-note\n`,
    'webshop/README.md': `# webshop\n`,
    'webshop/charts/redis-17.3.2.tgz': redis,
    'webshop/charts/metrics/Chart.yaml': `apiVersion: v2
name: metrics
description: Prometheus statsd exporter
type: application
version: 0.3.1
appVersion: v0.26.0
`,
    'webshop/charts/metrics/values.yaml': `image:
  repository: quay.io/prometheus/statsd-exporter
  tag: ""
serviceMonitor:
  enabled: true
`,
    'webshop/charts/metrics/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
`,
  };
  return chartArchive(files);
}

/** The purls of the webshop chart's SBOM, sorted. */
export const WEBSHOP_PURLS = [
  'pkg:helm/common@2.1.2?repository_url=https%3A%2F%2Fcharts.bitnami.com%2Fbitnami',
  'pkg:helm/metrics@0.3.1?repository_url=oci%3A%2F%2Fregistry.example.com%2Fcharts',
  'pkg:helm/redis@17.3.2?repository_url=https%3A%2F%2Fcharts.bitnami.com%2Fbitnami',
  'pkg:helm/webshop@1.4.2',
  `pkg:oci/api@${DIGESTS.api}?repository_url=ghcr.io%2Facme%2Fapi`,
  'pkg:oci/busybox?repository_url=docker.io%2Flibrary%2Fbusybox&tag=1.36.1',
  'pkg:oci/redis?repository_url=docker.io%2Fbitnami%2Fredis&tag=7.0.5-debian-11-r25',
  'pkg:oci/statsd-exporter?repository_url=quay.io%2Fprometheus%2Fstatsd-exporter&tag=v0.26.0',
  `pkg:oci/storefront@${DIGESTS.storefront}?repository_url=ghcr.io%2Facme%2Fstorefront`,
  'pkg:oci/worker?repository_url=docker.io%2Facme%2Fworker&tag=2.7.0',
];
