/**
 * Model servers on the cluster (spec `teams[].models`): per model an Argo Rollouts `Rollout` of
 * the project's model server image with a canary strategy (nginx traffic routing, an analysis
 * after every weight), its stable, canary and metrics Services, the stable Ingress with its
 * Certificate, an HPA that alone owns the replica count, a PodDisruptionBudget, a
 * ServiceMonitor, the AnalysisTemplate of src/rollout/prometheus.ts and the NetworkPolicies
 * that let the ingress controller and Prometheus in and the server out to the registry.
 *
 * Upstream facts used (Argo Rollouts v1.9 docs and CRD, @kubernetes-models/argo-rollouts 2.0.0):
 * `strategy.canary.{canaryService,stableService,trafficRouting.nginx.stableIngress,steps}`;
 * the controller adds `rollouts-pod-template-hash` to the pods and to both Services' selectors;
 * analysis steps take `args[].valueFrom.podTemplateHashValue: Latest` (the canary's hash).
 */
import { KUBE_PROMETHEUS_STACK } from '../engines/kube-prometheus-stack.js';
import type { K8sObject } from '../k8s/object.js';
import { analysisTemplate, CANARY_HASH_ARG } from '../rollout/prometheus.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { MODEL_PORT } from '../spec/model-refs.js';
import { analysisThresholds, type ModelSpec, modelDefaults } from '../spec/models.js';
import type { Team } from '../spec/schema.js';
import { nsSelector, policy } from './network.js';
import { REGISTRY_APP, REGISTRY_PORT, registryNamespace, registryUrl, SHUTDOWN_DELAY } from './registry.js';
import { RESTRICTED_CONTAINER, restrictedPod, SERVER_UID } from './security-context.js';
import { issuerName } from './tls.js';

type Labels = Record<string, string>;

/** kube-prometheus-stack's Prometheus Service: `<fullname>-prometheus`, port 9090 (chart templates/prometheus/service.yaml). */
export const PROMETHEUS_SERVICE = `${KUBE_PROMETHEUS_STACK}-prometheus`;

export const stableService = (m: ModelSpec) => `${m.name}-stable`;
export const canaryService = (m: ModelSpec) => `${m.name}-canary`;
/** Selects every pod of the model (Argo Rollouts does not touch it): what Prometheus scrapes. */
export const metricsService = (m: ModelSpec) => `${m.name}-metrics`;
export const analysisName = (m: ModelSpec) => `${m.name}-canary`;

export function prometheusAddress(env: ResolvedEnvironment): string {
  return `http://${PROMETHEUS_SERVICE}.${env.platform.monitoringNamespace}.svc:9090`;
}

function image(env: ResolvedEnvironment, m: ModelSpec): string {
  const i = m.image ?? env.platform.serving?.image;
  // The spec refuses a model without an image (model-refs.ts); reaching here is a bug.
  if (i === undefined) throw new Error(`model ${m.name}: no image (spec validation should have refused it)`);
  return i;
}

function steps(m: ModelSpec): Record<string, unknown>[] {
  const analysis = {
    analysis: {
      templates: [{ templateName: analysisName(m) }],
      args: [{ name: CANARY_HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' } }],
    },
  };
  return m.rollout.steps.flatMap((s): Record<string, unknown>[] =>
    'setWeight' in s
      ? [{ setWeight: s.setWeight }, analysis]
      : [{ pause: s.pause.duration !== undefined ? { duration: s.pause.duration } : {} }],
  );
}

function rollout(env: ResolvedEnvironment, team: Team, m: ModelSpec, labels: Labels): K8sObject {
  const { registeredModel, replicas, host } = modelDefaults(m);
  const podLabels = { ...labels, app: m.name };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: m.name, namespace: team.name, labels: podLabels },
    spec: {
      // Omitted under autoscaling: the HPA owns the count (rollout.replicas-fight).
      ...(replicas !== undefined ? { replicas } : {}),
      revisionHistoryLimit: 3,
      selector: { matchLabels: { app: m.name } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPod(SERVER_UID),
          containers: [
            {
              name: 'server',
              image: image(env, m),
              // The entrypoint contract (docs/models-on-the-cluster.md): `mlp` on the image's PATH.
              command: [
                'mlp',
                'serve',
                '--model',
                registeredModel,
                '--registry',
                registryUrl(env),
                '--host',
                '0.0.0.0',
                '--port',
                String(MODEL_PORT),
                // Keep answering while the endpoint removal spreads to ingress-nginx (a Rollout
                // step or scale-in sends SIGTERM first), then drain: no request hits a closed pod.
                '--shutdown-delay',
                SHUTDOWN_DELAY,
                // The experiment's split from the spec, until the registry's
                // mlp.challenger_percent tag (mlp model rollout, an operator) says otherwise.
                ...(m.experiment ? ['--challenger-percent', String(m.experiment.challengerPercent)] : []),
              ],
              ports: [{ name: 'http', containerPort: MODEL_PORT, protocol: 'TCP' }],
              resources: { requests: { ...m.resources.requests }, limits: { ...m.resources.limits } },
              securityContext: RESTRICTED_CONTAINER,
              livenessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
        },
      },
      strategy: {
        canary: {
          canaryService: canaryService(m),
          stableService: stableService(m),
          trafficRouting: { nginx: { stableIngress: host } },
          steps: steps(m),
        },
      },
    },
  };
}

function service(team: Team, name: string, m: ModelSpec, labels: Labels): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: team.name, labels: { ...labels, app: m.name } },
    spec: {
      selector: { app: m.name },
      ports: [{ name: 'http', port: MODEL_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

function ingress(env: ResolvedEnvironment, team: Team, m: ModelSpec, labels: Labels): K8sObject[] {
  const { host } = modelDefaults(m);
  const fqdn = `${host}.${env.domain}`;
  const secretName = `${host}-tls`;
  return [
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: host, namespace: team.name, labels },
      spec: {
        secretName,
        dnsNames: [fqdn],
        issuerRef: { kind: 'ClusterIssuer', name: issuerName(env), group: 'cert-manager.io' },
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      // The canary Ingress (`<rollout>-<this>-canary`, nginx canary annotations) is Argo Rollouts'.
      metadata: {
        name: host,
        namespace: team.name,
        labels: { ...labels, app: m.name },
        annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' },
      },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: [fqdn], secretName }],
        rules: [
          {
            host: fqdn,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: stableService(m), port: { number: MODEL_PORT } } },
                },
              ],
            },
          },
        ],
      },
    },
  ];
}

function autoscaler(team: Team, m: ModelSpec, labels: Labels): K8sObject[] {
  if (!m.autoscaling) return [];
  return [
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: m.name, namespace: team.name, labels: { ...labels, app: m.name } },
      spec: {
        scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: m.name },
        minReplicas: m.autoscaling.min,
        maxReplicas: m.autoscaling.max,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: {
                type: 'Utilization',
                averageUtilization: m.autoscaling.targetCPUUtilizationPercentage,
              },
            },
          },
        ],
      },
    },
  ];
}

function disruptionBudget(team: Team, m: ModelSpec, labels: Labels): K8sObject {
  const fewest = m.autoscaling?.min ?? modelDefaults(m).replicas ?? 1;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: m.name, namespace: team.name, labels: { ...labels, app: m.name } },
    spec: {
      // One pod always serving where there are two; a single pod may still be drained (a
      // minAvailable 1 over one replica would block every node drain).
      ...(fewest >= 2 ? { minAvailable: 1 } : { maxUnavailable: 1 }),
      selector: { matchLabels: { app: m.name } },
    },
  };
}

function serviceMonitor(team: Team, m: ModelSpec, labels: Labels): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name: m.name,
      namespace: team.name,
      labels: { ...labels, app: m.name, release: KUBE_PROMETHEUS_STACK },
    },
    spec: {
      selector: { matchLabels: { app: m.name, 'mlp.dev/metrics': 'true' } },
      namespaceSelector: { matchNames: [team.name] },
      // The canary's series carry its ReplicaSet's hash: what the AnalysisTemplate selects on.
      podTargetLabels: ['rollouts-pod-template-hash'],
      endpoints: [{ port: 'http', path: '/metrics', interval: '15s' }],
    },
  };
}

function policies(env: ResolvedEnvironment, team: Team, m: ModelSpec, labels: Labels): K8sObject[] {
  const podSelector = { matchLabels: { app: m.name } };
  const port = [{ protocol: 'TCP', port: MODEL_PORT }];
  return [
    policy(team.name, `${m.name}-from-ingress-and-monitoring`, labels, {
      podSelector,
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { namespaceSelector: nsSelector(env.platform.ingressNamespace) },
            { namespaceSelector: nsSelector(env.platform.monitoringNamespace) },
          ],
          ports: port,
        },
      ],
    }),
    policy(team.name, `${m.name}-to-registry`, labels, {
      podSelector,
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: nsSelector(registryNamespace(env)),
              podSelector: { matchLabels: { app: REGISTRY_APP } },
            },
          ],
          ports: [{ protocol: 'TCP', port: REGISTRY_PORT }],
        },
      ],
    }),
  ];
}

/** Every object of one model, in a fixed order. */
export function modelObjects(
  env: ResolvedEnvironment,
  team: Team,
  m: ModelSpec,
  labels: Labels,
): K8sObject[] {
  const metrics = service(team, metricsService(m), m, labels);
  (metrics.metadata!.labels as Labels)['mlp.dev/metrics'] = 'true';
  return [
    rollout(env, team, m, labels),
    service(team, stableService(m), m, labels),
    service(team, canaryService(m), m, labels),
    metrics,
    ...(env.domain ? ingress(env, team, m, labels) : []),
    ...autoscaler(team, m, labels),
    disruptionBudget(team, m, labels),
    serviceMonitor(team, m, labels),
    analysisTemplate({
      name: analysisName(m),
      namespace: team.name,
      address: prometheusAddress(env),
      model: modelDefaults(m).registeredModel,
      scrapeNamespace: team.name,
      thresholds: analysisThresholds(m.rollout.analysis),
      labels: { ...labels, app: m.name },
      canaryBy: 'pod-template-hash',
    }) as unknown as K8sObject,
    ...experimentConfig(team, m, labels),
    ...policies(env, team, m, labels),
  ];
}

/**
 * The A/B experiment's settings, as data (not a secret) for people and tools to read. Which
 * versions compete is the registry's champion/challenger aliases; the split reaches the
 * servers as `--challenger-percent` (the Rollout's command), overridden by the registry tag.
 */
function experimentConfig(team: Team, m: ModelSpec, labels: Labels): K8sObject[] {
  if (!m.experiment) return [];
  const e = m.experiment;
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${m.name}-experiment`, namespace: team.name, labels: { ...labels, app: m.name } },
      data: {
        model: modelDefaults(m).registeredModel,
        challengerPercent: String(e.challengerPercent),
        metric: e.metric,
        minimumDetectableEffect: String(e.minimumDetectableEffect),
        alpha: String(e.alpha),
      },
    },
  ];
}
