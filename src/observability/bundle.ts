/**
 * Everything the observability module renders for one environment, from its inputs: the entry
 * point synth calls. Pure: same input, same bytes.
 */
import type { K8sObject } from '../k8s/object.js';
import { platformAlerts } from './alerts.js';
import { prometheusRules, ruleFileYaml } from './prometheus-rule.js';
import { runbooks } from './runbooks.js';
import { sloRuleGroups } from './slo.js';
import type { AlertThresholds, RuleGroup, SloSpec } from './types.js';

export interface ObservabilityInput {
  /** Overrides of the seed thresholds (DEFAULT_THRESHOLDS). */
  readonly thresholds?: Partial<AlertThresholds>;
  readonly slos?: readonly SloSpec[];
  /** `runbook_url` = `<runbookBaseUrl>/<alert>.md`. */
  readonly runbookBaseUrl: string;
  /** kube-prometheus-stack Helm release name (the PrometheusRule `release` label). */
  readonly release: string;
  /** @default 'monitoring' */
  readonly namespace?: string;
  /** Environment name for the runbooks' `mlp` commands. @default 'prod' */
  readonly environment?: string;
  /** Extra labels on the PrometheusRule objects (synth's common labels). */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ObservabilityOutput {
  readonly groups: readonly RuleGroup[];
  /** monitoring.coreos.com/v1 PrometheusRule objects, one per group. */
  readonly prometheusRules: readonly K8sObject[];
  /** The same rules as one Prometheus rule file (promtool, `mlp up --prometheus`). */
  readonly ruleFile: string;
  /** `<alert>.md` → Markdown. */
  readonly runbooks: ReadonlyMap<string, string>;
}

export function observability(input: ObservabilityInput): ObservabilityOutput {
  const groups = [platformAlerts(input.thresholds), ...sloRuleGroups(input.slos ?? [])];
  return {
    groups,
    prometheusRules: prometheusRules(groups, {
      runbookBaseUrl: input.runbookBaseUrl,
      release: input.release,
      ...(input.namespace ? { namespace: input.namespace } : {}),
      ...(input.labels ? { labels: input.labels } : {}),
    }),
    ruleFile: ruleFileYaml(groups, input.runbookBaseUrl),
    runbooks: runbooks(groups, input.environment ? { environment: input.environment } : {}),
  };
}
