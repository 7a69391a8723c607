/**
 * Conversion rates and their uncertainty: Wilson score intervals per arm (good coverage at small
 * n and near 0 or 1, where the textbook Wald interval fails), Newcombe's hybrid score interval
 * for the difference (method 10 of Newcombe 1998, built from the two Wilson intervals), and the
 * pooled two-proportion z-test, the fixed-horizon test that is only valid when looked at once.
 */
import { normalQuantile, twoSidedP } from './normal.js';

export interface Interval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

function checkCounts(successes: number, n: number): void {
  if (
    !Number.isSafeInteger(n) ||
    n < 0 ||
    !Number.isSafeInteger(successes) ||
    successes < 0 ||
    successes > n
  ) {
    throw new RangeError(`expected integer counts 0 <= successes <= n, received ${successes}/${n}`);
  }
}

function zFor(confidence: number): number {
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1), received ${confidence}`);
  return normalQuantile(1 - (1 - confidence) / 2);
}

/** Wilson score interval for successes/n. With n = 0 the interval is the whole [0, 1]. */
export function wilson(successes: number, n: number, confidence = 0.95): Interval {
  checkCounts(successes, n);
  const z = zFor(confidence);
  if (n === 0) return { estimate: Number.NaN, lower: 0, upper: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp rounding only: the exact bounds lie in [0, 1] and equal 0 (1) when successes = 0 (n).
  return {
    estimate: p,
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === n ? 1 : Math.min(1, centre + half),
  };
}

export interface Arm {
  readonly successes: number;
  readonly n: number;
}

/** Newcombe's hybrid score interval for p_b − p_a. */
export function differenceInterval(a: Arm, b: Arm, confidence = 0.95): Interval {
  const wa = wilson(a.successes, a.n, confidence);
  const wb = wilson(b.successes, b.n, confidence);
  const pa = wa.estimate;
  const pb = wb.estimate;
  const d = pb - pa;
  if (Number.isNaN(d)) return { estimate: Number.NaN, lower: -1, upper: 1 };
  return {
    estimate: d,
    lower: d - Math.sqrt((pb - wb.lower) ** 2 + (wa.upper - pa) ** 2),
    upper: d + Math.sqrt((wb.upper - pb) ** 2 + (pa - wa.lower) ** 2),
  };
}

export interface ZTest {
  readonly z: number;
  /** Two-sided p-value. */
  readonly p: number;
}

/** Pooled two-proportion z-test of p_b = p_a. No evidence (either arm empty, or p̄ ∈ {0,1}) gives z 0, p 1. */
export function twoProportionZTest(a: Arm, b: Arm): ZTest {
  checkCounts(a.successes, a.n);
  checkCounts(b.successes, b.n);
  if (a.n === 0 || b.n === 0) return { z: 0, p: 1 };
  const pooled = (a.successes + b.successes) / (a.n + b.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n));
  if (se === 0) return { z: 0, p: 1 };
  const z = (b.successes / b.n - a.successes / a.n) / se;
  return { z, p: twoSidedP(z) };
}
