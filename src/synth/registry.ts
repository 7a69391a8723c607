/**
 * The model registry on the cluster: a Deployment `mlp-registry` running the project's image
 * with `mlp registry serve`, on the shared Postgres (metadata) and MinIO/S3 (artifacts), with
 * credentials from the ExternalSecret-made Secrets every consumer of those services gets
 * (external-secrets.ts), its Service, ServiceMonitor and NetworkPolicies.
 *
 * Where it runs: the namespace of the shared service with engine postgres. The spec has no
 * platform namespace for workloads of the platform's own, and the registry is the metadata
 * database's one client there: beside it, it reaches Postgres through that namespace's
 * allow-same-namespace policy and needs only MinIO/S3 opened on top.
 */

import { KUBE_PROMETHEUS_STACK } from '../engines/kube-prometheus-stack.js';
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { REGISTRY_BUCKET } from '../spec/model-refs.js';
import type { SharedService, Team } from '../spec/schema.js';
import { credentialsSecret } from './data-services.js';
import { consumerSecrets, platformCredential } from './external-secrets.js';
import { commonLabels } from './labels.js';
import { ipBlock, nsSelector, policy } from './network.js';
import { RESTRICTED_CONTAINER, restrictedPod, SERVER_UID } from './security-context.js';

export const REGISTRY_APP = 'mlp-registry';
/** SIGTERM → keep serving this long (endpoint removal spreading), then drain; within the 30 s grace period. */
export const SHUTDOWN_DELAY = '5s';
export const REGISTRY_PORT = 5000;
export const REGISTRY_TOKEN_SECRET = 'mlp-registry-token';
/** The database the postgres engine creates (data-services.ts POSTGRES_DB). */
const DATABASE = 'metadata';
/** MinIO's S3 port (the minio engine's, data-services.ts). */
const MINIO_PORT = 9000;

type Labels = Record<string, string>;

function service(env: ResolvedEnvironment, engine: 'postgres' | 'minio'): SharedService {
  const s = env.sharedServices.find((x) => x.engine === engine);
  // The spec refuses models without both (model-refs.ts).
  if (!s) throw new Error(`the model registry needs a shared service with engine ${engine}`);
  return s;
}

export function registryNamespace(env: ResolvedEnvironment): string {
  return service(env, 'postgres').namespace;
}

export function registryUrl(env: ResolvedEnvironment): string {
  return `http://${REGISTRY_APP}.${registryNamespace(env)}.svc:${REGISTRY_PORT}`;
}

const secretEnv = (name: string, secret: string, key: string) => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

const runsInCluster = (env: ResolvedEnvironment, s: SharedService) =>
  s.engine !== undefined && !env.services[s.name]?.managed;

/** S3 endpoint: the in-cluster MinIO Service, or the managed endpoint (https on 443). */
function s3Endpoint(env: ResolvedEnvironment, minio: SharedService): string {
  const managed = env.services[minio.name]?.managed;
  if (!managed) return `http://${minio.name}.${minio.namespace}.svc:${MINIO_PORT}`;
  const [host, port] = managed.endpoint.split(':');
  return port === '443' ? `https://${host}` : `http://${host}:${port}`;
}

function deployment(env: ResolvedEnvironment, ns: string, labels: Labels): K8sObject {
  const postgres = service(env, 'postgres');
  const minio = service(env, 'minio');
  const pgPort = env.services[postgres.name]?.managed?.endpoint.split(':')[1] ?? '5432';
  const image = env.platform.serving?.image;
  if (image === undefined)
    throw new Error('platform.serving.image: the registry needs the image (spec validation)');
  const podLabels = { ...labels, app: REGISTRY_APP };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: REGISTRY_APP, namespace: ns, labels: podLabels },
    spec: {
      replicas: env.ha ? 2 : 1,
      selector: { matchLabels: { app: REGISTRY_APP } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPod(SERVER_UID),
          containers: [
            {
              name: 'registry',
              image,
              command: [
                'mlp',
                'registry',
                'serve',
                '--host',
                '0.0.0.0',
                '--port',
                String(REGISTRY_PORT),
                '--shutdown-delay',
                SHUTDOWN_DELAY,
              ],
              ports: [{ name: 'http', containerPort: REGISTRY_PORT, protocol: 'TCP' }],
              env: [
                // node-postgres takes the user and password missing from the URL from PGUSER and
                // PGPASSWORD, so no credential is ever written into DATABASE_URL (or git).
                secretEnv('PGUSER', credentialsSecret(postgres), 'username'),
                secretEnv('PGPASSWORD', credentialsSecret(postgres), 'password'),
                {
                  name: 'DATABASE_URL',
                  value: `postgres://${postgres.name}.${postgres.namespace}.svc:${pgPort}/${DATABASE}`,
                },
                { name: 'MLP_ARTIFACTS_URI', value: `s3://${REGISTRY_BUCKET}/artifacts` },
                { name: 'MLP_S3_ENDPOINT', value: s3Endpoint(env, minio) },
                secretEnv('AWS_ACCESS_KEY_ID', credentialsSecret(minio), 'username'),
                secretEnv('AWS_SECRET_ACCESS_KEY', credentialsSecret(minio), 'password'),
                { name: 'AWS_REGION', value: env.secretStore.region ?? 'us-east-1' },
                secretEnv('MLP_REGISTRY_TOKEN', REGISTRY_TOKEN_SECRET, 'token'),
              ],
              resources: {
                requests: { cpu: '100m', memory: '256Mi' },
                limits: { cpu: '500m', memory: '512Mi' },
              },
              securityContext: RESTRICTED_CONTAINER,
              livenessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 5 },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
        },
      },
    },
  };
}

function policies(
  env: ResolvedEnvironment,
  ns: string,
  modelTeams: readonly Team[],
  labels: Labels,
): K8sObject[] {
  const minio = service(env, 'minio');
  const postgres = service(env, 'postgres');
  const podSelector = { matchLabels: { app: REGISTRY_APP } };
  const port = (p: number) => [{ protocol: 'TCP', port: p }];
  const out: K8sObject[] = [
    policy(ns, `${REGISTRY_APP}-from-models-and-monitoring`, labels, {
      podSelector,
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            ...modelTeams.map((t) => ({ namespaceSelector: nsSelector(t.name) })),
            { namespaceSelector: nsSelector(env.platform.monitoringNamespace) },
          ],
          ports: port(REGISTRY_PORT),
        },
      ],
    }),
  ];
  // Postgres: same namespace in-cluster (allow-same-namespace); its network when managed.
  const pgManaged = env.services[postgres.name]?.managed;
  if (pgManaged)
    out.push(
      policy(ns, `${REGISTRY_APP}-to-postgres`, labels, {
        podSelector,
        policyTypes: ['Egress'],
        egress: [{ to: [ipBlock(pgManaged.cidr)], ports: port(Number(pgManaged.endpoint.split(':')[1])) }],
      }),
    );
  const s3Managed = env.services[minio.name]?.managed;
  const minioPort = MINIO_PORT;
  const minioPods = Object.keys(minio.podSelector).length > 0 ? { matchLabels: minio.podSelector } : {};
  out.push(
    policy(ns, `${REGISTRY_APP}-to-minio`, labels, {
      podSelector,
      policyTypes: ['Egress'],
      egress: [
        s3Managed
          ? { to: [ipBlock(s3Managed.cidr)], ports: port(Number(s3Managed.endpoint.split(':')[1])) }
          : minio.namespace === ns
            ? { to: [{ podSelector: minioPods }], ports: port(minioPort) }
            : {
                to: [{ namespaceSelector: nsSelector(minio.namespace), podSelector: minioPods }],
                ports: port(minioPort),
              },
      ],
    }),
  );
  // Target side: MinIO admits the registry (its own policy admits only the declaring teams).
  if (!s3Managed && runsInCluster(env, minio) && minio.namespace !== ns)
    out.push(
      policy(minio.namespace, `allow-to-${minio.name}-from-${REGISTRY_APP}`, labels, {
        podSelector: minioPods,
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: nsSelector(ns), podSelector }], ports: port(minioPort) }],
      }),
    );
  // Prometheus scrapes the registry: the monitoring side of the allowance above.
  out.push(
    policy(env.platform.monitoringNamespace, `allow-scrape-${REGISTRY_APP}`, labels, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: nsSelector(ns), podSelector }], ports: port(REGISTRY_PORT) }],
    }),
  );
  return out;
}

/** The registry and everything it needs; `modelTeams` are the teams that run models. */
export function registryObjects(env: ResolvedEnvironment, modelTeams: readonly Team[]): K8sObject[] {
  const ns = registryNamespace(env);
  const labels = { ...commonLabels(env), team: 'platform' };
  const postgres = service(env, 'postgres');
  // The credentials as every consumer gets them, except those the namespace already holds
  // (the service's own, where it runs in-cluster beside the registry).
  const needs = [postgres, service(env, 'minio')]
    .filter((s) => !(s.namespace === ns && runsInCluster(env, s)))
    .map((s) => s.name);
  return [
    ...consumerSecrets(env, { name: ns, network: { services: needs } }, labels),
    ...platformCredential(env, REGISTRY_TOKEN_SECRET, ns, {
      user: 'username',
      password: 'token',
      username: 'mlp',
    }),
    deployment(env, ns, labels),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: REGISTRY_APP, namespace: ns, labels: { ...labels, app: REGISTRY_APP } },
      spec: {
        selector: { app: REGISTRY_APP },
        ports: [{ name: 'http', port: REGISTRY_PORT, targetPort: 'http', protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: REGISTRY_APP,
        namespace: ns,
        labels: { ...labels, app: REGISTRY_APP, release: KUBE_PROMETHEUS_STACK },
      },
      spec: {
        selector: { matchLabels: { app: REGISTRY_APP } },
        namespaceSelector: { matchNames: [ns] },
        endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }],
      },
    },
    ...(env.ha
      ? [
          {
            apiVersion: 'policy/v1',
            kind: 'PodDisruptionBudget',
            metadata: { name: REGISTRY_APP, namespace: ns, labels: { ...labels, app: REGISTRY_APP } },
            spec: { minAvailable: 1, selector: { matchLabels: { app: REGISTRY_APP } } },
          },
        ]
      : []),
    ...policies(env, ns, modelTeams, labels),
  ];
}
