/**
 * kube-prometheus-stack: Prometheus Operator, Prometheus, Alertmanager, Grafana,
 * kube-state-metrics and node-exporter in the monitoring namespace.
 *
 * Chart kube-prometheus-stack 86.2.3 (https://prometheus-community.github.io/helm-charts) ships
 * prometheus-operator v0.91.0 (its Chart.yaml `appVersion`), the release
 * `@kubernetes-models/prometheus-operator@6.0.0` is generated from (src/k8s/crds.ts), so the
 * PrometheusRule objects check validates are the ones this operator serves. Sources for the
 * pin: the chart's Chart.yaml (github.com/prometheus-community/helm-charts,
 * charts/kube-prometheus-stack) as quoted on Artifact Hub; re-check with
 * `helm show chart prometheus-community/kube-prometheus-stack --version 86.2.3`.
 */
import { logsAndTracesDatasources } from './grafana-datasources.js';
import { DATASOURCE_UIDS } from './telemetry.js';
import { CHART_PODS, type Engine, replicas } from './types.js';

/** The Helm release name: the `release` label the chart's selectors match (REFERENCE.md). */
/** The Secret holding Grafana's admin login (keys admin-user, admin-password). */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';

export const KUBE_PROMETHEUS_STACK = 'kube-prometheus-stack';

const byRelease = { matchLabels: { release: KUBE_PROMETHEUS_STACK } };

export const kubePrometheusStack: Engine = {
  name: KUBE_PROMETHEUS_STACK,
  provides:
    'Metrics and alerting: Prometheus, Alertmanager, Grafana; PrometheusRule, ServiceMonitor (monitoring.coreos.com)',
  namespace: (env) => env.platform.monitoringNamespace,
  chart: {
    repoURL: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    version: '86.2.3',
    appVersion: 'v0.91.0',
  },
  wave: -2,
  crdGroups: ['monitoring.coreos.com'],
  // Every team's NetworkPolicies admit scrapes from the monitoring namespace, and the platform
  // alerts and SLO rules are part of every tree: the stack is always installed.
  enabled: () => true,
  values: (env) => ({
    crds: { enabled: true },
    prometheus: {
      prometheusSpec: {
        replicas: replicas(env),
        retention: env.observability.metricsRetention,
        // Explicit selectors (not the chart's "NilUsesHelmValues" default): Prometheus loads the
        // rules and scrape targets that carry this release's label, from every namespace.
        ruleSelectorNilUsesHelmValues: false,
        ruleSelector: byRelease,
        ruleNamespaceSelector: {},
        serviceMonitorSelectorNilUsesHelmValues: false,
        serviceMonitorSelector: byRelease,
        serviceMonitorNamespaceSelector: {},
        podMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelector: byRelease,
        podMonitorNamespaceSelector: {},
      },
    },
    alertmanager: { alertmanagerSpec: { replicas: replicas(env) } },
    // Control-plane scrapes the targets do not expose: EKS runs etcd, the scheduler and the
    // controller manager out of reach, and kind binds their and kube-proxy's metrics to
    // 127.0.0.1. Enabled, their ServiceMonitors would only feed the chart's *Down alerts.
    kubeEtcd: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeProxy: { enabled: false },
    // CoreDNS is scraped (DNS failures explain many outages): the chart's coreDns Service in
    // kube-system selects the DNS pods and exposes CoreDNS' prometheus plugin on 9153 (chart
    // values `coreDns.service.port/targetPort` 9153; the selector, commented out there, is
    // set explicitly to the label kind's and EKS' CoreDNS pods carry). The monitoring
    // namespace's default-deny would block it: `scrapeTargets` below opens exactly that port.
    coreDns: {
      enabled: true,
      service: { port: 9153, targetPort: 9153, selector: { 'k8s-app': 'kube-dns' } },
    },
    grafana: {
      replicas: replicas(env),
      // The login comes from a Secret the tree's observability component delivers (generated or
      // from the secret store); without it the chart would install its well-known default
      // password. Grafana's pods wait for the Secret (a later wave) and then start.
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
      // Dashboards arrive as ConfigMaps labelled grafana_dashboard=1 from any namespace.
      sidecar: {
        dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' },
        // The chart's own Prometheus datasource, with the uid dashboards and links refer to
        // (chart value grafana.sidecar.datasources.uid, templates/grafana/
        // configmaps-datasources.yaml); exemplars with a trace_id label link to Tempo.
        datasources: {
          enabled: true,
          uid: DATASOURCE_UIDS.prometheus,
          exemplarTraceIdDestinations: { datasourceUid: DATASOURCE_UIDS.tempo, traceIdLabelName: 'trace_id' },
        },
      },
      // Loki and Tempo, linked both ways (grafana-datasources.ts).
      additionalDataSources: logsAndTracesDatasources(env),
    },
  }),
  podSecurity: {
    level: 'privileged',
    why: 'node-exporter reads the host: hostNetwork, hostPID and hostPath mounts of / , /proc and /sys, which only privileged admits',
  },
  network: () => ({
    // The operator's admission webhook for PrometheusRules (chart prometheusOperator.tls.internalPort).
    webhookPorts: [{ port: 10250 }],
    apiServer: true,
    publicPorts: [],
    internetEgress: [],
    teamIngressPorts: false,
    // Prometheus scrapes each team on the metrics ports it declares, and the nodes: the kubelet
    // (10250: kubelet and cAdvisor metrics) and node-exporter (9100, on the host network).
    teamMetricsPorts: true,
    nodePorts: [{ port: 10250 }, { port: 9100 }],
    scrapeTargets: [
      {
        name: 'kube-dns',
        namespace: 'kube-system',
        podLabels: { 'k8s-app': 'kube-dns' },
        port: { port: 9153 },
        what: 'CoreDNS metrics (the chart’s coreDns ServiceMonitor)',
      },
    ],
  }),
  exemption: `the monitoring stack (kube-prometheus-stack) ${CHART_PODS}; node-exporter also needs host access`,
};
