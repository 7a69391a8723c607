/**
 * The canary step machine of Argo Rollouts' canary strategy (`setWeight`, `pause`, `analysis`
 * steps), pure and without a clock: pause durations and analysis intervals are data, and the
 * measurements of each analysis step come from a function the caller supplies (recorded metrics
 * for `mlp rollout simulate`, live local metrics under `mlp up`).
 *
 * Outcomes follow Argo (docs/features/analysis.md): a Successful analysis continues, a Failed or
 * Error one aborts (canary weight back to 0), an Inconclusive one pauses the rollout for a human.
 * An analysis still Running when its samples run out also leaves the rollout paused: never
 * promoted on missing evidence. An indefinite `pause: {}` waits for a manual promotion.
 */
import { type AnalysisOutcome, runAnalysis } from './analysis.js';
import type { Sample } from './measure.js';
import { type AnalysisThresholds, durationSeconds } from './thresholds.js';

export type CanaryStep =
  | { readonly setWeight: number }
  /** `duration` in seconds or as `30s`/`5m`; absent = wait for a manual promotion. */
  | { readonly pause: { readonly duration?: number | string } }
  | { readonly analysis: { readonly name?: string; readonly thresholds: AnalysisThresholds } };

/** Where an analysis step stands when it asks for its measurements. */
export interface AnalysisContext {
  readonly stepIndex: number;
  /** Canary weight in percent at this step. */
  readonly weight: number;
  /** 0 for the first analysis step, 1 for the second, … */
  readonly analysisIndex: number;
  readonly name: string;
}

export type MeasurementSource = (ctx: AnalysisContext) => readonly Sample[];

export interface StepVerdict {
  readonly index: number;
  readonly kind: 'setWeight' | 'pause' | 'analysis';
  readonly weight: number;
  /** Seconds since the rollout started, when this step finished (or stopped the rollout). */
  readonly at: number;
  readonly verdict: 'done' | 'waiting' | AnalysisOutcome['phase'];
  readonly message: string;
  readonly analysis?: AnalysisOutcome;
}

export type CanaryOutcome =
  | { readonly status: 'promoted'; readonly weight: 100 }
  | { readonly status: 'aborted'; readonly weight: 0; readonly reason: string; readonly step: number }
  | { readonly status: 'paused'; readonly weight: number; readonly reason: string; readonly step: number };

export interface CanaryRun {
  readonly steps: readonly StepVerdict[];
  readonly outcome: CanaryOutcome;
}

export interface CanaryOptions {
  /** Treat indefinite pauses as promoted by a human (what `kubectl argo rollouts promote` does). @default false */
  readonly promoteManualPauses?: boolean;
}

function pauseSeconds(duration: number | string | undefined): number | undefined | 'invalid' {
  if (duration === undefined) return undefined;
  if (typeof duration === 'number') {
    return Number.isSafeInteger(duration) && duration >= 0 ? duration : 'invalid';
  }
  const s = durationSeconds(duration);
  return s === undefined ? 'invalid' : s;
}

export function runCanary(
  steps: readonly CanaryStep[],
  source: MeasurementSource,
  options: CanaryOptions = {},
): CanaryRun {
  const verdicts: StepVerdict[] = [];
  let weight = 0;
  let at = 0;
  let analysisIndex = 0;
  const stop = (o: CanaryOutcome): CanaryRun => ({ steps: verdicts, outcome: o });
  for (const [index, step] of steps.entries()) {
    if (step !== null && typeof step === 'object' && 'setWeight' in step) {
      const w = step.setWeight;
      if (!Number.isSafeInteger(w) || w < 0 || w > 100) {
        const reason = `step ${index}: setWeight must be an integer 0..100, received ${String(w)}`;
        verdicts.push({ index, kind: 'setWeight', weight, at, verdict: 'Error', message: reason });
        return stop({ status: 'aborted', weight: 0, reason, step: index });
      }
      weight = w;
      verdicts.push({
        index,
        kind: 'setWeight',
        weight,
        at,
        verdict: 'done',
        message: `canary weight ${w}%`,
      });
    } else if (step !== null && typeof step === 'object' && 'pause' in step) {
      const s = pauseSeconds(step.pause?.duration);
      if (s === 'invalid') {
        const reason = `step ${index}: pause duration must be seconds or a duration such as 5m`;
        verdicts.push({ index, kind: 'pause', weight, at, verdict: 'Error', message: reason });
        return stop({ status: 'aborted', weight: 0, reason, step: index });
      }
      if (s === undefined && !options.promoteManualPauses) {
        const reason = 'indefinite pause: waiting for a manual promotion';
        verdicts.push({ index, kind: 'pause', weight, at, verdict: 'waiting', message: reason });
        return stop({ status: 'paused', weight, reason, step: index });
      }
      at += s ?? 0;
      const message = s === undefined ? 'promoted by hand' : `paused ${s}s`;
      verdicts.push({ index, kind: 'pause', weight, at, verdict: 'done', message });
    } else if (step !== null && typeof step === 'object' && 'analysis' in step) {
      const name = step.analysis.name ?? `analysis-${analysisIndex}`;
      const t = step.analysis.thresholds;
      const result = runAnalysis(t, source({ stepIndex: index, weight, analysisIndex, name }));
      analysisIndex++;
      at += result.samplesUsed * (durationSeconds(t.interval ?? '') ?? 0);
      const message = result.message || `analysis ${result.phase}`;
      verdicts.push({
        index,
        kind: 'analysis',
        weight,
        at,
        verdict: result.phase,
        message,
        analysis: result,
      });
      if (result.phase === 'Failed' || result.phase === 'Error') {
        return stop({
          status: 'aborted',
          weight: 0,
          reason: `${name} ${result.phase}: ${message}`,
          step: index,
        });
      }
      if (result.phase !== 'Successful') {
        const why =
          result.phase === 'Inconclusive' ? 'inconclusive analysis' : 'analysis has too few measurements';
        return stop({ status: 'paused', weight, reason: `${name}: ${why}: ${message}`, step: index });
      }
    } else {
      const reason = `step ${index}: expected one of setWeight, pause, analysis`;
      verdicts.push({ index, kind: 'setWeight', weight, at, verdict: 'Error', message: reason });
      return stop({ status: 'aborted', weight: 0, reason, step: index });
    }
  }
  return { steps: verdicts, outcome: { status: 'promoted', weight: 100 } };
}
