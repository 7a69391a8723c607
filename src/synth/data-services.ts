/**
 * Shared data services. In an environment that runs them in-cluster (local): a StatefulSet
 * with a PVC, probes, a non-root restricted security context and limits, its Service, and for
 * MinIO a Job creating the buckets — all passing the platform's own admission rules. Where the
 * environment points a service at a managed endpoint (RDS, ElastiCache, S3), the same Service
 * name becomes an ExternalName, so consumers change nothing between environments.
 */
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import type { SharedService } from '../spec/schema.js';
import { commonLabels } from './labels.js';
import { serviceMonitor } from './monitors.js';
import { RESTRICTED_CONTAINER, restrictedPod } from './security-context.js';

interface Engine {
  readonly image: string;
  readonly port: number;
  readonly uid: number;
  readonly dataPath: string;
  readonly env: (svc: SharedService) => Record<string, unknown>[];
  readonly args?: string[];
  readonly probe: Record<string, unknown>;
  readonly scratch: string[];
  readonly resources: { requests: Record<string, string>; limits: Record<string, string> };
  readonly metrics: Metrics;
}

/**
 * How Prometheus scrapes the service: through a Service port (named), at a path, served either
 * by an exporter sidecar next to the server or by the server itself (MinIO).
 */
interface Metrics {
  /** Service port name; for a sidecar also its container port name. */
  readonly portName: string;
  readonly port: number;
  readonly path: string;
  /** The exporter container, or undefined when the server exports its own metrics. */
  readonly sidecar?: (svc: SharedService) => Record<string, unknown>;
  /** Environment the server itself needs to expose metrics. */
  readonly serverEnv?: readonly Record<string, unknown>[];
}

/** Small, fixed resources for an exporter sidecar: it answers one scrape every 30 s. */
const EXPORTER_RESOURCES = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '200m', memory: '128Mi' },
};

/** The sidecar's own port, its probes on it, restricted security context with the image's user. */
function exporterSidecar(
  name: string,
  image: string,
  port: number,
  uid: number,
  probePath: string,
  env: Record<string, unknown>[],
): Record<string, unknown> {
  const probe = { httpGet: { path: probePath, port: METRICS_PORT_NAME } };
  return {
    name,
    image,
    ports: [{ name: METRICS_PORT_NAME, containerPort: port, protocol: 'TCP' }],
    env,
    resources: EXPORTER_RESOURCES,
    securityContext: { ...RESTRICTED_CONTAINER, runAsUser: uid, runAsGroup: uid },
    livenessProbe: { ...probe, initialDelaySeconds: 10, periodSeconds: 20 },
    readinessProbe: { ...probe, initialDelaySeconds: 5, periodSeconds: 10 },
  };
}

export const METRICS_PORT_NAME = 'metrics';

const secretEnv = (name: string, secret: string, key: string) => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});
export const credentialsSecret = (svc: SharedService) => `${svc.name}-credentials`;

const ENGINES: Record<NonNullable<SharedService['engine']>, Engine> = {
  postgres: {
    image: 'docker.io/library/postgres:16.4-alpine',
    port: 5432,
    uid: 70,
    dataPath: '/var/lib/postgresql/data',
    env: (svc) => [
      { name: 'POSTGRES_USER', value: 'platform' },
      secretEnv('POSTGRES_PASSWORD', credentialsSecret(svc), 'password'),
      { name: 'POSTGRES_DB', value: 'metadata' },
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
    ],
    probe: { exec: { command: ['pg_isready', '-U', 'platform', '-d', 'metadata'] } },
    scratch: ['/var/run/postgresql', '/tmp'],
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    // postgres_exporter v0.20.1 (github.com/prometheus-community/postgres_exporter, README and
    // Dockerfile): listens on :9187, runs as `nobody` (65534); DATA_SOURCE_URI is host:port/db
    // without credentials, DATA_SOURCE_USER/DATA_SOURCE_PASS the login — both from the
    // credentials Secret, never inline.
    metrics: {
      portName: 'metrics',
      port: 9187,
      path: '/metrics',
      sidecar: (svc) =>
        exporterSidecar(
          'postgres-exporter',
          'quay.io/prometheuscommunity/postgres-exporter:v0.20.1',
          9187,
          65534,
          '/',
          [
            { name: 'DATA_SOURCE_URI', value: 'localhost:5432/metadata?sslmode=disable' },
            secretEnv('DATA_SOURCE_USER', credentialsSecret(svc), 'username'),
            secretEnv('DATA_SOURCE_PASS', credentialsSecret(svc), 'password'),
          ],
        ),
    },
  },
  redis: {
    image: 'docker.io/library/redis:7.4-alpine',
    port: 6379,
    uid: 999,
    dataPath: '/data',
    env: (svc) => [secretEnv('REDIS_PASSWORD', credentialsSecret(svc), 'password')],
    args: ['sh', '-c', 'exec redis-server --requirepass "$REDIS_PASSWORD" --appendonly yes --dir /data'],
    probe: { tcpSocket: { port: 6379 } },
    scratch: ['/tmp'],
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    // redis_exporter v1.88.0 (github.com/oliver006/redis_exporter, README flags table and
    // Dockerfile): REDIS_ADDR / REDIS_PASSWORD, listens on 0.0.0.0:9121, `/health` for probes,
    // runs as 59000:59000.
    metrics: {
      portName: 'metrics',
      port: 9121,
      path: '/metrics',
      sidecar: (svc) =>
        exporterSidecar(
          'redis-exporter',
          'docker.io/oliver006/redis_exporter:v1.88.0',
          9121,
          59000,
          '/health',
          [
            { name: 'REDIS_ADDR', value: 'redis://localhost:6379' },
            secretEnv('REDIS_PASSWORD', credentialsSecret(svc), 'password'),
          ],
        ),
    },
  },
  minio: {
    image: 'quay.io/minio/minio:RELEASE.2024-10-13T13-34-11Z',
    port: 9000,
    uid: 1000,
    dataPath: '/data',
    env: (svc) => [
      secretEnv('MINIO_ROOT_USER', credentialsSecret(svc), 'username'),
      secretEnv('MINIO_ROOT_PASSWORD', credentialsSecret(svc), 'password'),
    ],
    args: ['minio', 'server', '/data', '--address', ':9000'],
    probe: { httpGet: { path: '/minio/health/live', port: 9000 } },
    scratch: ['/tmp', '/.minio'],
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    // MinIO exports its own metrics on the S3 port (docs/metrics/prometheus of minio/minio:
    // `/minio/v2/metrics/cluster`). The default auth type is `jwt`: a bearer token that only
    // `mc admin prometheus generate` mints from the root credentials, which would have to be
    // re-minted and delivered as a Secret whenever they rotate. `public` instead: the endpoint is
    // reachable only by what the NetworkPolicies admit on 9000 — Prometheus and the teams that
    // declared minio, which hold S3 credentials to the same server anyway — and it exposes
    // capacity and request counters, no object data.
    metrics: {
      portName: 'minio',
      port: 9000,
      path: '/minio/v2/metrics/cluster',
      serverEnv: [{ name: 'MINIO_PROMETHEUS_AUTH_TYPE', value: 'public' }],
    },
  },
};

export function dataServiceObjects(env: ResolvedEnvironment, svc: SharedService): K8sObject[] {
  const engine = svc.engine ? ENGINES[svc.engine] : undefined;
  if (!engine) return [];
  const labels = { ...commonLabels(env), team: 'platform', app: svc.name, ...svc.podSelector };
  const managed = env.services[svc.name]?.managed;
  if (managed) {
    const [host, port] = managed.endpoint.split(':');
    return [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: svc.name, namespace: svc.namespace, labels },
        spec: {
          type: 'ExternalName',
          externalName: host,
          ports: [{ name: svc.engine, port: Number(port), protocol: 'TCP' }],
        },
      },
    ];
  }
  const storage = String(env.services[svc.name]?.storage ?? svc.storage);
  const volumeMounts = [
    { name: 'data', mountPath: engine.dataPath },
    ...engine.scratch.map((path, i) => ({ name: `scratch-${i}`, mountPath: path })),
  ];
  const container: Record<string, unknown> = {
    name: svc.engine,
    image: engine.image,
    ...(engine.args ? { command: engine.args } : {}),
    ports: [{ name: svc.engine, containerPort: engine.port, protocol: 'TCP' }],
    env: [...engine.env(svc), ...(engine.metrics.serverEnv ?? [])],
    resources: engine.resources,
    securityContext: RESTRICTED_CONTAINER,
    livenessProbe: { ...engine.probe, initialDelaySeconds: 20, periodSeconds: 10 },
    readinessProbe: { ...engine.probe, initialDelaySeconds: 5, periodSeconds: 5 },
    volumeMounts,
  };
  const objects: K8sObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: svc.name, namespace: svc.namespace, labels },
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: svc.name, namespace: svc.namespace, labels },
      spec: {
        selector: svc.podSelector,
        ports: [
          { name: svc.engine, port: engine.port, targetPort: engine.port, protocol: 'TCP' },
          ...(engine.metrics.sidecar
            ? [
                {
                  name: engine.metrics.portName,
                  port: engine.metrics.port,
                  targetPort: METRICS_PORT_NAME,
                  protocol: 'TCP',
                },
              ]
            : []),
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: svc.name, namespace: svc.namespace, labels },
      spec: {
        serviceName: svc.name,
        replicas: 1,
        selector: { matchLabels: svc.podSelector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: svc.name,
            automountServiceAccountToken: false,
            securityContext: restrictedPod(engine.uid),
            containers: [container, ...(engine.metrics.sidecar ? [engine.metrics.sidecar(svc)] : [])],
            volumes: engine.scratch.map((_, i) => ({ name: `scratch-${i}`, emptyDir: {} })),
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
          },
        ],
      },
    },
  ];
  objects.push(
    serviceMonitor(env, {
      name: svc.name,
      namespace: svc.namespace,
      labels,
      selector: svc.podSelector,
      endpoints: [{ port: engine.metrics.portName, path: engine.metrics.path }],
    }),
  );
  if (svc.engine === 'minio' && svc.buckets.length > 0) objects.push(bucketJob(env, svc, labels));
  return objects;
}

/**
 * The pod port Prometheus scrapes on an in-cluster data service (exporter sidecar or the server
 * itself); undefined where the service is managed (RDS, ElastiCache, S3): nothing of it runs in
 * the cluster, so there is nothing to scrape there — its metrics live in CloudWatch.
 */
export function dataServiceMetricsPort(env: ResolvedEnvironment, svc: SharedService): number | undefined {
  const engine = svc.engine ? ENGINES[svc.engine] : undefined;
  if (!engine || env.services[svc.name]?.managed) return undefined;
  return engine.metrics.port;
}

/** Creates the buckets once MinIO answers; idempotent, so re-syncs are harmless. */
function bucketJob(env: ResolvedEnvironment, svc: SharedService, labels: Record<string, string>): K8sObject {
  const url = `http://${svc.name}.${svc.namespace}.svc:${ENGINES.minio.port}`;
  const script = [
    'set -e',
    `until mc alias set platform ${url} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"; do sleep 2; done`,
    ...svc.buckets.map((b) => `mc mb --ignore-existing platform/${b}`),
  ].join('\n');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${svc.name}-buckets`,
      namespace: svc.namespace,
      labels: { ...labels, app: `${svc.name}-buckets` },
    },
    spec: {
      backoffLimit: 10,
      template: {
        metadata: { labels: { ...commonLabels(env), team: 'platform', app: `${svc.name}-buckets` } },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          securityContext: restrictedPod(1000),
          containers: [
            {
              name: 'mc',
              image: 'quay.io/minio/mc:RELEASE.2024-10-08T09-37-26Z',
              command: ['sh', '-c', script],
              env: [...ENGINES.minio.env(svc), { name: 'MC_CONFIG_DIR', value: '/tmp/mc' }],
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { cpu: '200m', memory: '128Mi' },
              },
              securityContext: RESTRICTED_CONTAINER,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}
