/**
 * How Argo Rollouts turns a metric's measurement tallies into the metric's phase, ported from
 * argo-rollouts `analysis/analysis.go` (`assessMetricStatus`, `assessMetricFailureInconclusiveOrError`)
 * and the tally updates of `runMeasurements`. Kept apart from our thresholds so the unit tests
 * can replay Argo's own `TestAssessMetricStatus*` cases against it.
 */
import type { AnalysisPhase, MeasurementPhase } from './phase.js';

/** Argo's default `consecutiveErrorLimit` (utils/defaults `DefaultConsecutiveErrorLimit`). */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

export interface MetricLimits {
  /** Failed measurements tolerated; one more fails the metric. @default 0 */
  readonly failureLimit?: number;
  /** Inconclusive measurements tolerated; one more makes the metric Inconclusive. @default 0 */
  readonly inconclusiveLimit?: number;
  /** Errors in a row tolerated; one more makes the metric Error. @default 4 */
  readonly consecutiveErrorLimit?: number;
  /** Measurements (not counting errors) after which the metric is Successful. */
  readonly count?: number;
  /** Argo's `interval`; without one and without a count a metric measures exactly once. */
  readonly interval?: string;
}

/** argo-rollouts `MetricResult` counters. Errors do not count toward `count`. */
export interface MetricTally {
  readonly measurements: number;
  readonly count: number;
  readonly successful: number;
  readonly failed: number;
  readonly inconclusive: number;
  readonly error: number;
  readonly consecutiveError: number;
}

export const EMPTY_TALLY: MetricTally = {
  measurements: 0,
  count: 0,
  successful: 0,
  failed: 0,
  inconclusive: 0,
  error: 0,
  consecutiveError: 0,
};

/** One measurement added to the tallies, as `runMeasurements` does. */
export function tally(t: MetricTally, phase: MeasurementPhase): MetricTally {
  const measurements = t.measurements + 1;
  switch (phase) {
    case 'Successful':
      return { ...t, measurements, successful: t.successful + 1, count: t.count + 1, consecutiveError: 0 };
    case 'Failed':
      return { ...t, measurements, failed: t.failed + 1, count: t.count + 1, consecutiveError: 0 };
    case 'Inconclusive':
      return {
        ...t,
        measurements,
        inconclusive: t.inconclusive + 1,
        count: t.count + 1,
        consecutiveError: 0,
      };
    case 'Error':
      return { ...t, measurements, error: t.error + 1, consecutiveError: t.consecutiveError + 1 };
  }
}

/**
 * argo-rollouts `Metric.EffectiveCount()`: a count of 0 or none means "unbounded" when an
 * interval is set and "exactly one" when it is not. `undefined` here is unbounded.
 */
export function effectiveCount(limits: MetricLimits): number | undefined {
  if (limits.count === undefined || limits.count === 0) return limits.interval ? undefined : 1;
  return limits.count;
}

export interface Assessed {
  readonly phase: AnalysisPhase;
  /** Why a limit ended the metric, in Argo's words; empty otherwise. */
  readonly message: string;
}

/**
 * argo-rollouts `assessMetricFailureInconclusiveOrError`. The three checks run in this order and
 * a later one overrides an earlier one, exactly as upstream (Error wins over Inconclusive wins
 * over Failed when several limits are exceeded at once).
 */
export function limitExceeded(limits: MetricLimits, t: MetricTally): Assessed | undefined {
  let found: Assessed | undefined;
  const failureLimit = limits.failureLimit ?? 0;
  if (t.failed > failureLimit) {
    found = { phase: 'Failed', message: `failed (${t.failed}) > failureLimit (${failureLimit})` };
  }
  const inconclusiveLimit = limits.inconclusiveLimit ?? 0;
  if (t.inconclusive > inconclusiveLimit) {
    found = {
      phase: 'Inconclusive',
      message: `inconclusive (${t.inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`,
    };
  }
  const errorLimit = limits.consecutiveErrorLimit ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT;
  if (t.consecutiveError > errorLimit) {
    found = {
      phase: 'Error',
      message: `consecutiveErrors (${t.consecutiveError}) > consecutiveErrorLimit (${errorLimit})`,
    };
  }
  return found;
}

/**
 * argo-rollouts `assessMetricStatus` for a metric whose measurements have all finished (our
 * measurements are instantaneous, so there is never one in flight). `terminating` is true once
 * another metric of the run has ended it, or the run was told to stop.
 */
export function assessMetricStatus(limits: MetricLimits, t: MetricTally, terminating: boolean): Assessed {
  if (t.measurements === 0) {
    // Upstream: "we have yet to take a single measurement, but have already been instructed to stop".
    return { phase: terminating ? 'Successful' : 'Pending', message: '' };
  }
  const exceeded = limitExceeded(limits, t);
  if (exceeded) return exceeded;
  // Failures below the limit do not fail a metric that reached its count: upstream ignores them here.
  const count = effectiveCount(limits);
  if (count !== undefined && t.count >= count) return { phase: 'Successful', message: '' };
  return { phase: terminating ? 'Successful' : 'Running', message: '' };
}
