/**
 * Analysis phases with Argo Rollouts' names and order, so a verdict here reads the same as an
 * AnalysisRun's status in the cluster.
 */

/** The phase of one measurement: a provider either answered (three outcomes) or failed (Error). */
export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** The phase of a metric or a whole run: a measurement phase, or not finished yet. */
export type AnalysisPhase = MeasurementPhase | 'Pending' | 'Running';

// argo-rollouts utils/analysis/helpers.go `analysisStatusOrder`: best to worst. Error is worse
// than Inconclusive and better than Failed; a run takes the worst of its metrics.
const ORDER: readonly AnalysisPhase[] = [
  'Successful',
  'Running',
  'Pending',
  'Inconclusive',
  'Error',
  'Failed',
];

/** argo-rollouts `IsWorse(current, new)`. */
export function isWorse(current: AnalysisPhase, next: AnalysisPhase): boolean {
  return ORDER.indexOf(next) > ORDER.indexOf(current);
}

/** Whether a phase is final (argo-rollouts `AnalysisPhase.Completed()`). */
export function isCompleted(phase: AnalysisPhase): phase is MeasurementPhase {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Inconclusive' || phase === 'Error';
}
