/**
 * Argo Rollouts: the controller behind the models' canaries (Rollout, AnalysisTemplate,
 * AnalysisRun, argoproj.io/v1alpha1). It shifts nginx traffic by managing the canary Ingress,
 * and judges each step by querying Prometheus with the AnalysisTemplates of src/rollout/.
 *
 * Chart argo-rollouts 2.41.0 (https://argoproj.github.io/argo-helm) ships Argo Rollouts v1.9.0:
 * charts/argo-rollouts/Chart.yaml at argoproj/argo-helm 8796aeaa (version 2.41.0, appVersion
 * v1.9.0), the release `@kubernetes-models/argo-rollouts@2.0.0` is generated from (src/k8s/crds.ts),
 * so the Rollouts `mlp check` validates are the ones this controller serves. Values below are
 * that chart's values.yaml keys (controller.replicas, controller.metrics.*, controller.pdb,
 * dashboard.enabled, installCRDs, keepCRDs).
 */
import { KUBE_PROMETHEUS_STACK } from './kube-prometheus-stack.js';
import { type Engine, replicas } from './types.js';

export const ARGO_ROLLOUTS_NAMESPACE = 'argo-rollouts';
/** The kinds its CRDs serve; argoproj.io is shared with Argo CD. */
export const ROLLOUT_KINDS = [
  'Rollout',
  'AnalysisTemplate',
  'ClusterAnalysisTemplate',
  'AnalysisRun',
  'Experiment',
];
/** The chart's controller.containerPorts.metrics (and metrics.service.port). */
const METRICS_PORT = 8090;

export const argoRollouts: Engine = {
  name: 'argo-rollouts',
  provides: 'Progressive delivery of the models: Rollouts, AnalysisTemplates, AnalysisRuns (argoproj.io)',
  namespace: () => ARGO_ROLLOUTS_NAMESPACE,
  chart: {
    repoURL: 'https://argoproj.github.io/argo-helm',
    chart: 'argo-rollouts',
    version: '2.41.0',
    appVersion: 'v1.9.0',
  },
  // After kube-prometheus-stack (-2): the chart's ServiceMonitor needs monitoring.coreos.com,
  // and its analyses need Prometheus. Before the models (wave 2).
  wave: -1,
  crdGroups: ['argoproj.io'],
  crdKinds: ROLLOUT_KINDS,
  enabled: (_env, objects) =>
    objects.some((o) => o.apiVersion.startsWith('argoproj.io/') && ROLLOUT_KINDS.includes(o.kind)),
  values: (env) => ({
    installCRDs: true,
    // Deleting the release must not delete every Rollout (and so every model server) with its CRD.
    keepCRDs: true,
    controller: {
      replicas: replicas(env),
      pdb: { enabled: env.ha, minAvailable: 1 },
      metrics: {
        enabled: true,
        serviceMonitor: { enabled: true, additionalLabels: { release: KUBE_PROMETHEUS_STACK } },
      },
    },
    // The UI is `kubectl argo rollouts dashboard` on a laptop; nothing in the cluster serves it.
    dashboard: { enabled: false },
  }),
  podSecurity: {
    level: 'restricted',
    why: "the chart's podSecurityContext runAsNonRoot and containerSecurityContext (no privilege escalation, drop ALL, read-only root, seccomp RuntimeDefault) meet restricted",
  },
  network: () => ({
    // No admission or conversion webhooks in this chart.
    webhookPorts: [],
    apiServer: true,
    publicPorts: [],
    internetEgress: [],
    teamIngressPorts: false,
    // The chart's ServiceMonitor (controller.metrics.serviceMonitor) scrapes the controller's
    // pods, selected by the chart's selectorLabels + component (templates/controller/deployment.yaml).
    scrapeTargets: [
      {
        name: 'argo-rollouts',
        namespace: ARGO_ROLLOUTS_NAMESPACE,
        podLabels: {
          'app.kubernetes.io/component': 'rollouts-controller',
          'app.kubernetes.io/name': 'argo-rollouts',
          'app.kubernetes.io/instance': 'argo-rollouts',
        },
        port: { port: METRICS_PORT },
        what: 'Argo Rollouts controller metrics (the chart’s ServiceMonitor)',
      },
    ],
    queriesPrometheus: true,
  }),
  exemption:
    "the canary controller (argo-rollouts) runs its upstream chart's pods, which carry none of the team/app/environment labels the rules require",
};
