/**
 * The canary analysis as a pure function: thresholds and a sequence of interval samples in, the
 * AnalysisRun's verdict out, with Argo Rollouts' semantics (argo-rollouts `analysis/analysis.go`,
 * `reconcileAnalysisRun` → `runMeasurements` → `assessRunStatus`):
 *
 * - every metric (error ratio, p95, p99) is measured once per interval and keeps its own tallies;
 * - a metric ends Failed / Inconclusive / Error when its failed / inconclusive / consecutive-error
 *   tally exceeds its limit, and Successful when it reached its count;
 * - once one metric has ended in Failed, Inconclusive or Error the run is terminating: no further
 *   measurements, the metrics still open are assessed as terminated (Successful unless a limit
 *   was exceeded), and the run takes the worst phase of its metrics;
 * - with too few samples the run is Running (Pending before the first).
 *
 * Samples after the run completed are not consumed (`samplesUsed` says how many were).
 */
import { type Assessed, assessMetricStatus, EMPTY_TALLY, type MetricTally, tally } from './assess.js';
import { type Measurement, measure, type Sample } from './measure.js';
import { type AnalysisPhase, isCompleted, isWorse } from './phase.js';
import { type AnalysisThresholds, type MetricName, metricNames, thresholdProblems } from './thresholds.js';

export interface MetricOutcome {
  readonly name: MetricName;
  readonly phase: AnalysisPhase;
  readonly message: string;
  readonly tally: MetricTally;
  readonly measurements: readonly Measurement[];
}

export interface AnalysisOutcome {
  readonly phase: AnalysisPhase;
  /** Why the run ended where it did, in Argo's wording for limits. */
  readonly message: string;
  readonly metrics: readonly MetricOutcome[];
  readonly samplesUsed: number;
}

export interface AnalysisOptions {
  /** The run was told to stop after the given samples (Argo `spec.terminate`). @default false */
  readonly terminate?: boolean;
}

interface Open {
  name: MetricName;
  tally: MetricTally;
  measurements: Measurement[];
  assessed: Assessed;
}

export function runAnalysis(
  thresholds: AnalysisThresholds,
  samples: readonly Sample[],
  options: AnalysisOptions = {},
): AnalysisOutcome {
  const problems = thresholdProblems(thresholds);
  if (problems.length > 0) {
    // Upstream marks a run with an invalid spec Error before measuring anything.
    return {
      phase: 'Error',
      message: `Analysis spec invalid: ${problems.join('; ')}`,
      metrics: [],
      samplesUsed: 0,
    };
  }
  if (!Array.isArray(samples)) {
    return { phase: 'Error', message: 'measurements: expected an array', metrics: [], samplesUsed: 0 };
  }
  const metrics: Open[] = metricNames(thresholds).map((name) => ({
    name,
    tally: EMPTY_TALLY,
    measurements: [],
    assessed: { phase: 'Pending', message: '' },
  }));
  let used = 0;
  let terminating = false;
  for (const sample of samples) {
    if (terminating || metrics.every((m) => isCompleted(m.assessed.phase))) break;
    used++;
    for (const m of metrics) {
      if (isCompleted(m.assessed.phase)) continue;
      const result = measure(m.name, sample, thresholds);
      m.measurements.push(result);
      m.tally = tally(m.tally, result.phase);
    }
    for (const m of metrics) {
      if (!isCompleted(m.assessed.phase)) m.assessed = assessMetricStatus(thresholds, m.tally, false);
    }
    terminating = metrics.some((m) => m.assessed.phase !== 'Successful' && isCompleted(m.assessed.phase));
  }
  terminating ||= options.terminate === true;
  if (terminating) {
    for (const m of metrics) {
      if (!isCompleted(m.assessed.phase)) m.assessed = assessMetricStatus(thresholds, m.tally, true);
    }
  }
  return { ...runPhase(metrics, terminating), metrics: metrics.map(outcome), samplesUsed: used };
}

/** argo-rollouts `assessRunStatus`: the worst completed metric, or Running while any is open. */
function runPhase(metrics: readonly Open[], terminating: boolean): { phase: AnalysisPhase; message: string } {
  let worst: AnalysisPhase | undefined;
  let message = '';
  let everythingCompleted = true;
  for (const m of metrics) {
    if (!isCompleted(m.assessed.phase)) {
      everythingCompleted = false;
      continue;
    }
    if (worst === undefined || isWorse(worst, m.assessed.phase)) {
      worst = m.assessed.phase;
      message = m.assessed.message ? `Metric "${m.name}" assessed ${worst} due to ${m.assessed.message}` : '';
      const last = m.measurements.at(-1);
      if (message && last) message += `: ${last.message}`;
    }
  }
  if (worst !== undefined && (terminating || everythingCompleted)) return { phase: worst, message };
  if (metrics.every((m) => m.tally.measurements === 0))
    return { phase: 'Pending', message: 'no measurements yet' };
  return { phase: 'Running', message: 'waiting for more measurements' };
}

function outcome(m: Open): MetricOutcome {
  return {
    name: m.name,
    phase: m.assessed.phase,
    message: m.assessed.message,
    tally: m.tally,
    measurements: m.measurements,
  };
}
