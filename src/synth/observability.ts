/**
 * The platform's alerts and SLO rules as PrometheusRule objects (component `observability`,
 * after the kube-prometheus-stack engine that serves their kind), and a runbook per alert as
 * Markdown under `gitops/<env>/runbooks/`: written with the tree, never applied. Every
 * `runbook_url` is `<runbookBaseUrl>/<alert>.md`, and the base defaults to that folder.
 */
import { GRAFANA_ADMIN_SECRET, KUBE_PROMETHEUS_STACK } from '../engines/kube-prometheus-stack.js';
import { type ObservabilityOutput, observability } from '../observability/bundle.js';
import { dashboardConfigMaps, dashboards } from '../observability/dashboards/index.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import type { Component } from './component.js';
import { platformCredential } from './external-secrets.js';
import { commonLabels } from './labels.js';

/** After the engine (wave -2) whose CRDs define PrometheusRule; with the other wave-1 policy objects. */
export const OBSERVABILITY_WAVE = 1;
/** Folder of the runbooks in `gitops/<env>/`. */
export const RUNBOOKS_FOLDER = 'runbooks';

/** A runbook's file name: the alert name (PascalCase) and `.md`, nothing that could climb out. */
const RUNBOOK_FILE = /^[A-Za-z][A-Za-z0-9_-]{0,200}\.md$/;

/** The environment's rules and runbooks: what the tree carries and what `mlp up --prometheus` loads. */
export function environmentObservability(env: ResolvedEnvironment): ObservabilityOutput {
  const o = env.observability;
  return observability({
    ...(Object.keys(o.thresholds).length > 0 ? { thresholds: o.thresholds } : {}),
    slos: o.slos,
    runbookBaseUrl: o.runbookBaseUrl,
    release: KUBE_PROMETHEUS_STACK,
    namespace: env.platform.monitoringNamespace,
    environment: env.environment,
    labels: commonLabels(env),
  });
}

export function observabilityComponents(env: ResolvedEnvironment): Component[] {
  const out = environmentObservability(env);
  const runbooks = [...out.runbooks].map(([name, text]) => {
    if (!RUNBOOK_FILE.test(name))
      throw new Error(`runbook file name ${JSON.stringify(name)} is not <Alert>.md`);
    return { name, objects: [], text };
  });
  return [
    {
      name: 'observability',
      wave: OBSERVABILITY_WAVE,
      files: [
        { name: 'prometheus-rules.yaml', objects: out.prometheusRules },
        // Grafana dashboards as ConfigMaps the Grafana sidecar picks up by label.
        { name: 'dashboards.yaml', objects: dashboardObjects(env) },
        // Grafana's admin login: generated or from the secret store, never the chart's default.
        {
          name: 'grafana-admin.yaml',
          objects: platformCredential(env, GRAFANA_ADMIN_SECRET, env.platform.monitoringNamespace, {
            user: 'admin-user',
            password: 'admin-password',
            username: 'admin',
          }),
        },
      ],
    },
    { name: RUNBOOKS_FOLDER, wave: OBSERVABILITY_WAVE, applied: false, files: runbooks },
  ];
}

function dashboardObjects(env: ResolvedEnvironment) {
  const teams = env.teams.map((t) => t.name).sort();
  const shared = env.sharedServices.map((s) => s.namespace);
  const logNamespaces = [...new Set([...teams, ...shared, env.platform.monitoringNamespace])].sort();
  return dashboardConfigMaps(
    dashboards({
      teams,
      logNamespaces,
      thresholds: env.observability.thresholds,
      slos: env.observability.slos,
    }),
    { namespace: env.platform.monitoringNamespace, labels: commonLabels(env) },
  );
}

/** The runbook files a synthesized tree writes (names under `gitops/<env>/runbooks/`). */
export function runbookFiles(components: readonly Component[]): string[] {
  return components.filter((c) => c.name === RUNBOOKS_FOLDER).flatMap((c) => c.files.map((f) => f.name));
}
