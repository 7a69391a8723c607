/**
 * The analysis thresholds of a model's canary: one definition, read by the pure analysis
 * (`analysis.ts`) and rendered into Argo Rollouts AnalysisTemplates (`prometheus.ts`).
 */
import type { MetricLimits } from './assess.js';

export interface AnalysisThresholds extends MetricLimits {
  /** Highest acceptable share of 5xx responses in an interval, 0..1. */
  readonly maxErrorRatio: number;
  /** Highest acceptable 95th-percentile latency in seconds; unset = not judged. */
  readonly maxP95Seconds?: number;
  /** Highest acceptable 99th-percentile latency in seconds; unset = not judged. */
  readonly maxP99Seconds?: number;
  /**
   * Fewest requests an interval must carry to be judged at all; fewer is Inconclusive, never
   * Successful (a silent canary proves nothing). At least 1.
   */
  readonly minRequests: number;
}

/** The metric names, shared with the AnalysisTemplate's `spec.metrics[].name`. */
export type MetricName = 'error-ratio' | 'latency-p95' | 'latency-p99';

/** The metrics these thresholds judge, in a fixed order. */
export function metricNames(t: AnalysisThresholds): MetricName[] {
  const names: MetricName[] = ['error-ratio'];
  if (t.maxP95Seconds !== undefined) names.push('latency-p95');
  if (t.maxP99Seconds !== undefined) names.push('latency-p99');
  return names;
}

// Both Go's time.ParseDuration (Argo's interval) and PromQL's range selector accept this form;
// days and weeks are PromQL-only, fractions Go-only, so neither is allowed.
const DURATION = /^(?:[0-9]{1,6}(?:ms|s|m|h))+$/;

/** Seconds of an Argo/PromQL duration such as `1m` or `1h30m`, or undefined if malformed. */
export function durationSeconds(text: string): number | undefined {
  if (typeof text !== 'string' || !DURATION.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|s|m|h)/g)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : m[2] === 's' ? n : m[2] === 'm' ? n * 60 : n * 3600;
  }
  return total;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isSeconds = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n > 0;

/** Problems with a set of thresholds, as messages (empty when valid). Never throws. */
export function thresholdProblems(t: AnalysisThresholds): string[] {
  const out: string[] = [];
  const r = t.maxErrorRatio;
  if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > 1) {
    out.push(`maxErrorRatio: expected a number in [0, 1], received ${String(r)} (example: 0.01)`);
  }
  for (const key of ['maxP95Seconds', 'maxP99Seconds'] as const) {
    if (t[key] !== undefined && !isSeconds(t[key])) {
      out.push(`${key}: expected seconds > 0, received ${String(t[key])} (example: 0.5)`);
    }
  }
  if (!isCount(t.minRequests) || t.minRequests < 1) {
    out.push(`minRequests: expected an integer >= 1, received ${String(t.minRequests)} (example: 50)`);
  }
  for (const key of ['failureLimit', 'inconclusiveLimit', 'consecutiveErrorLimit', 'count'] as const) {
    if (t[key] !== undefined && !isCount(t[key])) {
      out.push(`${key}: expected an integer >= 0, received ${String(t[key])}`);
    }
  }
  if (t.interval !== undefined && !durationSeconds(t.interval)) {
    out.push(`interval: expected a duration such as 1m or 30s, received ${JSON.stringify(t.interval)}`);
  }
  return out;
}
