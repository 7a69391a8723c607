/**
 * Sample-ratio mismatch: are the assignment counts plausible under the configured split? A
 * mismatch means assignment or logging is broken (bots, redirects, crashes in one arm) and every
 * other number of the experiment is suspect. Pearson's chi-square goodness-of-fit, p-value from
 * jstat's chi-square CDF, flagged at p < 0.001 (the usual threshold: an experiment platform runs
 * this check on every experiment, every day, and must not cry wolf).
 */
import jStat from 'jstat';

export const SRM_ALPHA = 0.001;

export interface SrmResult {
  readonly chiSquare: number;
  readonly degreesOfFreedom: number;
  readonly p: number;
  readonly mismatch: boolean;
}

/** `observed[i]` assignments to arm i, configured to receive `weights[i]` of the traffic. */
export function sampleRatioMismatch(observed: readonly number[], weights: readonly number[]): SrmResult {
  if (observed.length !== weights.length || observed.length < 2) {
    throw new RangeError('expected as many observed counts as weights, at least two');
  }
  for (const o of observed) {
    if (!Number.isSafeInteger(o) || o < 0)
      throw new RangeError(`observed counts must be integers >= 0, received ${o}`);
  }
  for (const w of weights) {
    if (!(Number.isFinite(w) && w >= 0))
      throw new RangeError(`weights must be finite and >= 0, received ${w}`);
  }
  const total = observed.reduce((s, o) => s + o, 0);
  const weightSum = weights.reduce((s, w) => s + w, 0);
  if (!(weightSum > 0)) throw new RangeError('weights must not all be 0');
  const df = observed.length - 1;
  if (total === 0) return { chiSquare: 0, degreesOfFreedom: df, p: 1, mismatch: false };
  let chi = 0;
  for (const [i, o] of observed.entries()) {
    const expected = (total * weights[i]!) / weightSum;
    if (expected === 0) {
      // An arm configured for no traffic that got some is a mismatch beyond any statistic.
      if (o > 0) return { chiSquare: Number.POSITIVE_INFINITY, degreesOfFreedom: df, p: 0, mismatch: true };
      continue;
    }
    chi += (o - expected) ** 2 / expected;
  }
  const p = Math.min(1, Math.max(0, 1 - jStat.chisquare.cdf(chi, df)));
  return { chiSquare: chi, degreesOfFreedom: df, p, mismatch: p < SRM_ALPHA };
}
