/**
 * Inputs and the rule model of the observability module. The spec wiring (a `slos:` section
 * and alert thresholds in platform.yaml) is the integrator's: these types carry the defaults
 * from the seed's ops runbook (seed 002, "Alerting Rules") so the module works without it.
 */

export type AlertSeverity = 'critical' | 'warning' | 'info';

/** One first-diagnostic step of a runbook. */
export interface Diagnostic {
  readonly kind: 'mlp' | 'kubectl' | 'promql' | 'logql';
  readonly command: string;
  /** What the answer tells the responder. */
  readonly why: string;
}

/**
 * The prose a runbook is generated from. Every alert definition must carry one (the type makes
 * it required), so an alert without a runbook cannot be written.
 */
export interface RunbookText {
  /** What firing means, in one or two sentences. */
  readonly meaning: string;
  /** The threshold in words, e.g. `more than 85 % for 15 minutes`. */
  readonly threshold: string;
  readonly impact: string;
  readonly diagnose: readonly Diagnostic[];
  readonly mitigation: readonly string[];
  readonly escalation: string;
}

export interface AlertRule {
  readonly kind: 'alert';
  /** PascalCase alert name; also the runbook's file name (`<alert>.md`). */
  readonly alert: string;
  readonly expr: string;
  /** Prometheus duration; omitted = fire on the first evaluation. */
  readonly for?: string;
  readonly severity: AlertSeverity;
  /** Extra labels (besides `severity`), e.g. `slo`. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly summary: string;
  /** Must show the current value (`{{ $value }}`, possibly piped through a humanize function). */
  readonly description: string;
  readonly runbook: RunbookText;
}

export interface RecordingRule {
  readonly kind: 'record';
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export type Rule = AlertRule | RecordingRule;

export interface RuleGroup {
  /** Unique within a rule file; Prometheus refuses duplicates. */
  readonly name: string;
  /** Evaluation interval; omitted = the server's global interval. */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

/** Thresholds of the platform alerts, as fractions (0.9 = 90 %) unless the name says otherwise. */
export interface AlertThresholds {
  /** Cluster CPU "should not exceed 80 %" (seed 002, Key Metrics). @default 0.8 */
  readonly cpuElevated: number;
  /** Cluster CPU warning, "High Resource Usage: CPU/Memory > 85 %". @default 0.85 */
  readonly cpuHigh: number;
  /** @default 0.8 */
  readonly memoryElevated: number;
  /** @default 0.85 */
  readonly memoryHigh: number;
  /** Critical when more than this fraction of nodes is not Ready ("> 20 % of nodes unhealthy"). @default 0.2 */
  readonly nodesNotReady: number;
  /** PVC usage warning ("Storage Usage below 90 %"). @default 0.9 */
  readonly pvcWarning: number;
  /** PVC usage critical ("Storage Full: > 95 % capacity"). @default 0.95 */
  readonly pvcCritical: number;
  /** Critical when more than this many Jobs failed within one hour. @default 5 */
  readonly jobFailuresPerHour: number;
  /** Warning when a model's p95 latency exceeds this many seconds ("P95 > 1000ms"). @default 1 */
  readonly inferenceP95Seconds: number;
  /** Warning when a team's usage of any ResourceQuota hard limit reaches this fraction. @default 0.9 */
  readonly quotaUsage: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = Object.freeze({
  cpuElevated: 0.8,
  cpuHigh: 0.85,
  memoryElevated: 0.8,
  memoryHigh: 0.85,
  nodesNotReady: 0.2,
  pvcWarning: 0.9,
  pvcCritical: 0.95,
  jobFailuresPerHour: 5,
  inferenceP95Seconds: 1,
  quotaUsage: 0.9,
});

export type SloWindow = '28d' | '30d';

/**
 * Service level objectives of one model served by the model server. Seed defaults (REFERENCE,
 * "Numbers from the seeds"): 99.9 % availability, P95 < 200 ms, over 30 days.
 */
export interface SloSpec {
  /** DNS-1123 label; names the recorded series (`slo` label) and the alerts. */
  readonly name: string;
  /** Value of the model server's `model` label. */
  readonly model: string;
  /** Fraction of requests that must not fail with a 5xx, e.g. 0.999. Omitted = no availability SLO. */
  readonly availability?: number;
  /** Fraction `objective` of requests must finish within `thresholdMs`. Omitted = no latency SLO. */
  readonly latency?: { readonly objective: number; readonly thresholdMs: number };
  /** @default '30d' */
  readonly window?: SloWindow;
}

export const DEFAULT_SLO_WINDOW: SloWindow = '30d';

export interface ObservabilityOptions {
  /** Runbook links are `<runbookBaseUrl>/<alert>.md`; no trailing slash needed. */
  readonly runbookBaseUrl: string;
  /** kube-prometheus-stack's Helm release name: its ruleSelector matches `release: <name>`. */
  readonly release: string;
  /** Namespace of the PrometheusRule objects. @default 'monitoring' */
  readonly namespace?: string;
}
