/**
 * Rule groups → `monitoring.coreos.com/v1` PrometheusRule objects (for kube-prometheus-stack)
 * and → a plain Prometheus rule file (`groups:`) for promtool and a bare Prometheus. Both come
 * from the same rendering of each rule, so what promtool proves is what the cluster runs.
 */
import { stringify } from 'yaml';
import type { K8sObject } from '../k8s/object.js';
import type { Rule, RuleGroup } from './types.js';

export interface RenderedRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RenderedGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: RenderedRule[];
}

/** `<base>/<alert>.md`; the base's trailing slashes are dropped. */
export function runbookUrl(base: string, alert: string): string {
  return `${base.replace(/\/+$/, '')}/${alert}.md`;
}

function sorted(map: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(map).sort()) out[k] = map[k]!;
  return out;
}

export function renderRule(rule: Rule, runbookBaseUrl: string): RenderedRule {
  if (rule.kind === 'record') {
    return {
      record: rule.record,
      expr: rule.expr,
      ...(rule.labels && Object.keys(rule.labels).length > 0 ? { labels: sorted(rule.labels) } : {}),
    };
  }
  return {
    alert: rule.alert,
    expr: rule.expr,
    ...(rule.for ? { for: rule.for } : {}),
    // `severity` last-writer: a rule's extra labels cannot override it.
    labels: sorted({ ...rule.labels, severity: rule.severity }),
    annotations: sorted({
      description: rule.description,
      runbook_url: runbookUrl(runbookBaseUrl, rule.alert),
      summary: rule.summary,
    }),
  };
}

export function renderGroups(groups: readonly RuleGroup[], runbookBaseUrl: string): RenderedGroup[] {
  const names = new Set<string>();
  for (const g of groups) {
    if (names.has(g.name)) throw new Error(`duplicate rule group name ${JSON.stringify(g.name)}`);
    names.add(g.name);
  }
  return groups.map((g) => ({
    name: g.name,
    ...(g.interval ? { interval: g.interval } : {}),
    rules: g.rules.map((r) => renderRule(r, runbookBaseUrl)),
  }));
}

export interface PrometheusRuleOptions {
  readonly runbookBaseUrl: string;
  /** kube-prometheus-stack's release name; its ruleSelector matches `release: <name>` (REFERENCE.md). */
  readonly release: string;
  /** @default 'monitoring' */
  readonly namespace?: string;
  /** Extra labels (e.g. the synth's common labels); `release` always wins. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** One PrometheusRule per group, named after it. */
export function prometheusRules(groups: readonly RuleGroup[], options: PrometheusRuleOptions): K8sObject[] {
  return renderGroups(groups, options.runbookBaseUrl).map((g) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: g.name,
      namespace: options.namespace ?? 'monitoring',
      labels: sorted({ ...options.labels, release: options.release }),
    },
    spec: { groups: [g] },
  }));
}

/** A Prometheus rule file (`rule_files:` entry), as promtool and a bare Prometheus read it. */
export function ruleFileYaml(groups: readonly RuleGroup[], runbookBaseUrl: string): string {
  return stringify(
    { groups: renderGroups(groups, runbookBaseUrl) },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}
