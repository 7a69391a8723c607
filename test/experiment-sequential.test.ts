import { describe, expect, it } from 'vitest';
import { mixtureLikelihoodRatio, nextLook, START } from '../src/experiment/msprt.js';
import { twoProportionZTest } from '../src/experiment/proportions.js';
import { mulberry32 } from '../src/experiment/random.js';

interface Sim {
  readonly pa: number;
  readonly pb: number;
  readonly runs: number;
  readonly maxPerArm: number;
  readonly peekEvery: number;
  readonly seed: number;
  readonly tau: number;
}

/** Runs seeded experiments, peeking after every `peekEvery` outcomes per arm; counts the runs in which each test ever rejected at α = 0.05. */
function simulate(s: Sim): { msprt: number; naive: number } {
  const rand = mulberry32(s.seed);
  let msprt = 0;
  let naive = 0;
  for (let r = 0; r < s.runs; r++) {
    let xa = 0;
    let xb = 0;
    let seq = START;
    let seqRejected = false;
    let naiveRejected = false;
    for (let n = 1; n <= s.maxPerArm; n++) {
      if (rand() < s.pa) xa++;
      if (rand() < s.pb) xb++;
      if (n % s.peekEvery !== 0) continue;
      const a = { successes: xa, n };
      const b = { successes: xb, n };
      seq = nextLook(seq, a, b, s.tau);
      if (seq.p < 0.05) seqRejected = true;
      if (twoProportionZTest(a, b).p < 0.05) naiveRejected = true;
      if (seqRejected && naiveRejected) break;
    }
    if (seqRejected) msprt++;
    if (naiveRejected) naive++;
  }
  return { msprt: msprt / s.runs, naive: naive / s.runs };
}

describe('mSPRT under continuous peeking (seeded simulations)', () => {
  it('A/A: 1,000 experiments peeked every 100 samples up to 2,000 per arm — mSPRT ≤ 5 %, naive z-test far more', () => {
    const rates = simulate({
      pa: 0.1,
      pb: 0.1,
      runs: 1000,
      maxPerArm: 2000,
      peekEvery: 100,
      seed: 11,
      tau: 0.03,
    });
    console.log(
      `A/A false positives: mSPRT ${(rates.msprt * 100).toFixed(1)} %, naive repeated z-test ${(rates.naive * 100).toFixed(1)} %`,
    );
    expect(rates.msprt).toBeLessThanOrEqual(0.05);
    expect(rates.naive).toBeGreaterThan(0.1);
  });

  it('A/A holds at other base rates and seeds', () => {
    for (const [p, seed] of [
      [0.5, 3],
      [0.02, 5],
    ] as const) {
      const rates = simulate({ pa: p, pb: p, runs: 500, maxPerArm: 2000, peekEvery: 100, seed, tau: 0.03 });
      console.log(
        `A/A at p=${p}: mSPRT ${(rates.msprt * 100).toFixed(1)} %, naive ${(rates.naive * 100).toFixed(1)} %`,
      );
      expect(rates.msprt).toBeLessThanOrEqual(0.05);
    }
  });

  it('A/B: a real lift of 10 % → 13 % is detected in most runs', () => {
    const rates = simulate({
      pa: 0.1,
      pb: 0.13,
      runs: 500,
      maxPerArm: 5000,
      peekEvery: 100,
      seed: 7,
      tau: 0.03,
    });
    const short = simulate({
      pa: 0.1,
      pb: 0.13,
      runs: 500,
      maxPerArm: 2000,
      peekEvery: 100,
      seed: 7,
      tau: 0.03,
    });
    console.log(
      `A/B 10 % vs 13 %: mSPRT power ${(rates.msprt * 100).toFixed(1)} % by 5,000/arm, ${(short.msprt * 100).toFixed(1)} % by 2,000/arm`,
    );
    expect(rates.msprt).toBeGreaterThan(0.8);
  });

  it('is deterministic for a seed', () => {
    const s = { pa: 0.1, pb: 0.1, runs: 50, maxPerArm: 500, peekEvery: 100, seed: 42, tau: 0.03 };
    expect(simulate(s)).toEqual(simulate(s));
  });
});

describe('mixtureLikelihoodRatio', () => {
  it('equals the paper’s equal-n form sqrt(V/(V+nτ²))·exp(n²τ²θ²/(2V(V+nτ²)))', () => {
    const n = 1000;
    const a = { successes: 100, n };
    const b = { successes: 125, n };
    const tau = 0.03;
    const V = 0.1 * 0.9 + 0.125 * 0.875;
    const theta = 0.025;
    const expected =
      Math.sqrt(V / (V + n * tau * tau)) *
      Math.exp((n * n * tau * tau * theta * theta) / (2 * V * (V + n * tau * tau)));
    expect(mixtureLikelihoodRatio(a, b, tau)).toBeCloseTo(expected, 10);
  });

  it('no data or no variance is no evidence; a bad τ is refused', () => {
    expect(mixtureLikelihoodRatio({ successes: 0, n: 0 }, { successes: 0, n: 10 }, 0.03)).toBe(1);
    expect(mixtureLikelihoodRatio({ successes: 0, n: 50 }, { successes: 0, n: 50 }, 0.03)).toBe(1);
    // All-0 against all-1: the pooled variance stands in, and it is evidence enough at α = 0.05.
    expect(mixtureLikelihoodRatio({ successes: 0, n: 50 }, { successes: 50, n: 50 }, 0.03)).toBeGreaterThan(
      20,
    );
    expect(() => mixtureLikelihoodRatio({ successes: 1, n: 2 }, { successes: 1, n: 2 }, 0)).toThrow(
      RangeError,
    );
  });

  it('the always-valid p-value never increases', () => {
    let s = START;
    const rand = mulberry32(1);
    let xa = 0;
    let xb = 0;
    let last = 1;
    for (let n = 1; n <= 3000; n++) {
      if (rand() < 0.1) xa++;
      if (rand() < 0.12) xb++;
      if (n % 50 === 0) {
        s = nextLook(s, { successes: xa, n }, { successes: xb, n }, 0.02);
        expect(s.p).toBeLessThanOrEqual(last);
        last = s.p;
      }
    }
    expect(s.looks).toBe(60);
  });
});
