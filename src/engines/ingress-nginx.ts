/**
 * ingress-nginx: the ingress controller behind every team's Ingress (class `nginx`).
 *
 * Chart ingress-nginx 4.15.1 (https://kubernetes.github.io/ingress-nginx) ships controller
 * v1.15.1 (`helm show chart ingress-nginx/ingress-nginx`: version 4.15.1, appVersion 1.15.1).
 * It installs no CRDs; the Ingress kind is Kubernetes' own.
 */
import { monitorSelectorLabels } from '../synth/monitors.js';
import { CHART_PODS, type Engine, replicas } from './types.js';

/**
 * The controller's metrics port (chart values `controller.metrics.port` 10254, container port
 * named `controller.metrics.portName` "metrics"; chart 4.15.1 values.yaml). Its pods carry the
 * chart's selector labels (templates/_helpers.tpl `ingress-nginx.selectorLabels`: name and
 * instance = release) plus `app.kubernetes.io/component: controller`.
 */
export const INGRESS_NGINX_METRICS_PORT = 10254;

export const ingressNginx: Engine = {
  name: 'ingress-nginx',
  provides: 'Ingress controller (class nginx) for team hosts',
  namespace: (env) => env.platform.ingressNamespace,
  chart: {
    repoURL: 'https://kubernetes.github.io/ingress-nginx',
    chart: 'ingress-nginx',
    version: '4.15.1',
    appVersion: '1.15.1',
  },
  wave: -2,
  crdGroups: [],
  // Every team's NetworkPolicies admit the ingress controller, so it is always part of the tree.
  enabled: () => true,
  values: (env) => ({
    controller: {
      replicaCount: replicas(env),
      // The chart renders its PodDisruptionBudget when replicaCount > 1 (minAvailable 1).
      minAvailable: 1,
      ingressClassResource: { name: 'nginx', default: false },
      admissionWebhooks: { enabled: true },
      // `--enable-metrics` on the controller, its `-metrics` Service (port name `metrics`) and a
      // ServiceMonitor selecting it (templates/controller-servicemonitor.yaml) with the label the
      // environment's Prometheus selects ServiceMonitors by.
      metrics: {
        enabled: true,
        port: INGRESS_NGINX_METRICS_PORT,
        portName: 'metrics',
        serviceMonitor: {
          enabled: true,
          additionalLabels: monitorSelectorLabels(env, 'ServiceMonitor'),
          scrapeInterval: '30s',
        },
      },
    },
  }),
  podSecurity: {
    level: 'baseline',
    why: 'the controller adds NET_BIND_SERVICE to bind 80/443 as non-root and the chart leaves allowPrivilegeEscalation to the nginx binary; baseline admits both, restricted would have to be proven against the rendered chart first',
  },
  network: (env) => ({
    // The admission webhook validates Ingresses (chart controller.admissionWebhooks.port 8443).
    webhookPorts: [{ port: 8443 }],
    apiServer: true,
    publicPorts: [{ port: 80 }, { port: 443 }],
    internetEgress: [],
    teamIngressPorts: true,
    scrapeTargets: [
      {
        name: 'ingress-nginx',
        namespace: env.platform.ingressNamespace,
        podLabels: {
          'app.kubernetes.io/name': 'ingress-nginx',
          'app.kubernetes.io/instance': 'ingress-nginx',
          'app.kubernetes.io/component': 'controller',
        },
        port: { port: INGRESS_NGINX_METRICS_PORT },
        what: 'ingress-nginx controller metrics (the chart’s ServiceMonitor)',
      },
    ],
  }),
  exemption: `the ingress controller (ingress-nginx) ${CHART_PODS}`,
};
