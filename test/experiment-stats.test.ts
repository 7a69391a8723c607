import jStat from 'jstat';
import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, twoSidedP } from '../src/experiment/normal.js';
import { differenceInterval, twoProportionZTest, wilson } from '../src/experiment/proportions.js';
import { sampleRatioMismatch } from '../src/experiment/srm.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('normal distribution against jstat', () => {
  // jstat's erfc loses relative accuracy below −5σ (at −8σ it is 2 % off scipy's 6.2210e-16,
  // which this implementation matches to 1e-13), so the comparison stops at ±5σ.
  it('CDF agrees to 1e-9 relative over ±5σ', () => {
    for (let z = -5; z <= 5; z += 0.01) {
      expect(rel(normalCdf(z), jStat.normal.cdf(z, 0, 1)), `z=${z}`).toBeLessThan(1e-9);
    }
  });

  it('far tail: Φ(−z) follows the asymptotic series φ(z)/z · (1 − 1/z² + 3/z⁴ − 15/z⁶)', () => {
    for (const z of [8, 10, 20, 30]) {
      const phi = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
      const series = (phi / z) * (1 - 1 / z ** 2 + 3 / z ** 4 - 15 / z ** 6);
      expect(rel(normalCdf(-z), series)).toBeLessThan(105 / z ** 8);
    }
  });

  it('quantile agrees to 1e-8 over (1e-6, 1 − 1e-6) and inverts the CDF', () => {
    for (const p of [1e-6, 1e-4, 0.001, 0.01, 0.025, 0.05, 0.2, 0.5, 0.7, 0.95, 0.975, 0.999, 1 - 1e-6]) {
      expect(Math.abs(normalQuantile(p) - jStat.normal.inv(p, 0, 1)), `p=${p}`).toBeLessThan(1e-8);
      expect(rel(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-12);
    }
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });
});

describe('Wilson interval', () => {
  it('matches the score formula with jstat’s z', () => {
    for (const [x, n] of [
      [0, 10],
      [1, 10],
      [81, 263],
      [500, 1000],
      [999, 1000],
      [3, 7],
    ] as const) {
      for (const conf of [0.9, 0.95, 0.99]) {
        const z = jStat.normal.inv(1 - (1 - conf) / 2, 0, 1);
        const p = x / n;
        const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
        const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
        const w = wilson(x, n, conf);
        expect(w.lower).toBeCloseTo(Math.max(0, centre - half), 9);
        expect(w.upper).toBeCloseTo(Math.min(1, centre + half), 9);
      }
    }
  });

  it('0 of n has upper bound z²/(n + z²) exactly; bounds stay in [0, 1]', () => {
    const z = jStat.normal.inv(0.975, 0, 1);
    expect(wilson(0, 10).upper).toBeCloseTo((z * z) / (10 + z * z), 12);
    expect(wilson(0, 10).lower).toBe(0);
    expect(wilson(10, 10).upper).toBe(1);
    expect(wilson(0, 0)).toEqual({ estimate: Number.NaN, lower: 0, upper: 1 });
  });

  it('rejects impossible counts', () => {
    expect(() => wilson(11, 10)).toThrow(RangeError);
    expect(() => wilson(-1, 10)).toThrow(RangeError);
    expect(() => wilson(1.5, 10)).toThrow(RangeError);
    expect(() => wilson(1, 10, 1)).toThrow(RangeError);
  });
});

describe('difference of proportions', () => {
  it('Newcombe 1998 example (a): 56/70 − 48/80, method 10 → 0.0524 to 0.3339', () => {
    const d = differenceInterval({ successes: 48, n: 80 }, { successes: 56, n: 70 });
    expect(d.estimate).toBeCloseTo(0.2, 10);
    expect(d.lower).toBeCloseTo(0.0524, 4);
    expect(d.upper).toBeCloseTo(0.3339, 4);
  });

  it('z-test p-values agree with jstat’s ztest and with the df=1 chi-square of the 2×2 table', () => {
    for (const [xa, na, xb, nb] of [
      [100, 1000, 130, 1000],
      [10, 100, 11, 100],
      [48, 80, 56, 70],
      [5, 2000, 30, 2500],
    ] as const) {
      const t = twoProportionZTest({ successes: xa, n: na }, { successes: xb, n: nb });
      expect(rel(t.p, jStat.ztest(t.z, 2))).toBeLessThan(1e-9);
      expect(rel(t.p, 1 - jStat.chisquare.cdf(t.z * t.z, 1))).toBeLessThan(1e-8);
    }
    expect(twoProportionZTest({ successes: 0, n: 10 }, { successes: 0, n: 10 })).toEqual({ z: 0, p: 1 });
  });
});

describe('sample-ratio mismatch', () => {
  it('chi-square p-values equal closed forms for df 1, 2 and 3', () => {
    const r1 = sampleRatioMismatch([5200, 4800], [1, 1]);
    expect(r1.chiSquare).toBeCloseTo(16, 10);
    expect(rel(r1.p, twoSidedP(Math.sqrt(16)))).toBeLessThan(1e-9);
    expect(r1.mismatch).toBe(true);
    const r2 = sampleRatioMismatch([1000, 1100, 900], [1, 1, 1]);
    expect(rel(r2.p, Math.exp(-r2.chiSquare / 2))).toBeLessThan(1e-9);
    const r3 = sampleRatioMismatch([260, 240, 250, 250], [1, 1, 1, 1]);
    const x = r3.chiSquare;
    const closed = 2 * (1 - normalCdf(Math.sqrt(x))) + Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2);
    expect(rel(r3.p, closed)).toBeLessThan(1e-9);
    expect(r3.mismatch).toBe(false);
  });

  it('respects an uneven split and the 0.001 threshold', () => {
    expect(sampleRatioMismatch([9000, 1000], [90, 10]).mismatch).toBe(false);
    expect(sampleRatioMismatch([8800, 1200], [90, 10]).mismatch).toBe(true);
    expect(sampleRatioMismatch([0, 0], [1, 1])).toMatchObject({ p: 1, mismatch: false });
    expect(sampleRatioMismatch([10, 1], [1, 0])).toMatchObject({ p: 0, mismatch: true });
  });

  it('rejects bad input', () => {
    expect(() => sampleRatioMismatch([1], [1])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([1, -1], [1, 1])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([1, 2], [0, 0])).toThrow(RangeError);
    expect(() => sampleRatioMismatch([1, 2], [1, Number.NaN])).toThrow(RangeError);
  });
});
