/**
 * An experiment's status and decision: per arm the conversion with its Wilson interval, the
 * difference with Newcombe's interval, the always-valid p-value of the mSPRT (the only test the
 * decision trusts, because status may be looked at any number of times), the fixed-horizon
 * z-test for reference, and the sample-ratio check, which overrides everything: with a broken
 * assignment no comparison is trustworthy.
 *
 * Higher conversion is better (accuracy, click-through, positive feedback).
 */
import { mixtureLikelihoodRatio, type SequentialState } from './msprt.js';
import { differenceInterval, type Interval, twoProportionZTest, wilson, type ZTest } from './proportions.js';
import { type SrmResult, sampleRatioMismatch } from './srm.js';

export interface ExperimentConfig {
  /** Significance of the sequential test. @default 0.05 */
  readonly alpha?: number;
  /** Smallest absolute lift worth shipping (e.g. 0.02 = two points); the mixture scale τ. */
  readonly minimumDetectableEffect: number;
  /** No decision before every arm has this many outcomes. */
  readonly minSamplePerArm: number;
  /** Stop and keep the champion when every arm has this many outcomes without a winner. */
  readonly maxSamplePerArm?: number;
  /** Configured traffic weights, champion first. */
  readonly split: readonly [number, number];
}

export interface ArmCounts {
  /** Requests assigned to the arm (for the sample-ratio check). */
  readonly assigned: number;
  /** Outcomes received (feedback). */
  readonly n: number;
  /** Positive outcomes. */
  readonly successes: number;
}

export type Decision = 'continue' | 'ship-challenger' | 'keep-champion';

export interface ExperimentStatus {
  readonly champion: Interval;
  readonly challenger: Interval;
  readonly difference: Interval;
  /** Always-valid p-value (min over all looks so far, including this one). */
  readonly sequentialP: number;
  /** State to pass to the next look. */
  readonly sequential: SequentialState;
  /** For reference only: valid for a single look planned in advance. */
  readonly fixedHorizon: ZTest;
  readonly srm: SrmResult;
  readonly decision: Decision;
  readonly reason: string;
}

export function experimentStatus(
  config: ExperimentConfig,
  champion: ArmCounts,
  challenger: ArmCounts,
  previous: SequentialState = { p: 1, looks: 0 },
): ExperimentStatus {
  const alpha = config.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), received ${alpha}`);
  const a = { successes: champion.successes, n: champion.n };
  const b = { successes: challenger.successes, n: challenger.n };
  const confidence = 1 - alpha;
  const lambda = mixtureLikelihoodRatio(a, b, config.minimumDetectableEffect);
  const sequential = { p: Math.min(previous.p, 1 / lambda), looks: previous.looks + 1 };
  const srm = sampleRatioMismatch([champion.assigned, challenger.assigned], config.split);
  const difference = differenceInterval(a, b, confidence);
  const base = {
    champion: wilson(a.successes, a.n, confidence),
    challenger: wilson(b.successes, b.n, confidence),
    difference,
    sequentialP: sequential.p,
    sequential,
    fixedHorizon: twoProportionZTest(a, b),
    srm,
  };
  const decide = (decision: Decision, reason: string): ExperimentStatus => ({ ...base, decision, reason });
  if (srm.mismatch) {
    return decide(
      'keep-champion',
      `sample ratio mismatch (chi-square p = ${srm.p.toExponential(2)} < 0.001): assignment is broken, results are not trustworthy`,
    );
  }
  const fewest = Math.min(a.n, b.n);
  if (fewest < config.minSamplePerArm) {
    return decide('continue', `${fewest} outcomes in the smaller arm < minimum ${config.minSamplePerArm}`);
  }
  if (sequential.p < alpha) {
    return difference.estimate > 0
      ? decide('ship-challenger', `challenger better: always-valid p = ${fmt(sequential.p)} < ${alpha}`)
      : decide('keep-champion', `challenger worse: always-valid p = ${fmt(sequential.p)} < ${alpha}`);
  }
  if (config.maxSamplePerArm !== undefined && fewest >= config.maxSamplePerArm) {
    return decide('keep-champion', `no significant difference after ${fewest} outcomes per arm`);
  }
  return decide('continue', `no significant difference yet (always-valid p = ${fmt(sequential.p)})`);
}

function fmt(p: number): string {
  return p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}
