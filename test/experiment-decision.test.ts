import { describe, expect, it } from 'vitest';
import { assignVariant, bucket } from '../src/experiment/assign.js';
import { type ExperimentConfig, experimentStatus } from '../src/experiment/decision.js';
import { sampleRatioMismatch } from '../src/experiment/srm.js';

const config: ExperimentConfig = {
  minimumDetectableEffect: 0.03,
  minSamplePerArm: 500,
  maxSamplePerArm: 20_000,
  split: [50, 50],
};
const arm = (n: number, successes: number, assigned = n) => ({ assigned, n, successes });

describe('experimentStatus', () => {
  it('continues below the minimum sample per arm, whatever the difference', () => {
    const s = experimentStatus(config, arm(400, 40), arm(400, 120));
    expect(s.decision).toBe('continue');
    expect(s.reason).toBe('400 outcomes in the smaller arm < minimum 500');
  });

  it('ships a clearly better challenger and keeps a clearly worse one', () => {
    const better = experimentStatus(config, arm(5000, 500), arm(5000, 650));
    expect(better.decision).toBe('ship-challenger');
    expect(better.difference.estimate).toBeCloseTo(0.03, 12);
    expect(better.difference.lower).toBeGreaterThan(0);
    expect(better.challenger.lower).toBeGreaterThan(better.champion.estimate);
    const worse = experimentStatus(config, arm(5000, 650), arm(5000, 500));
    expect(worse.decision).toBe('keep-champion');
  });

  it('keeps running without a significant difference, stops at the maximum sample', () => {
    expect(experimentStatus(config, arm(1000, 100), arm(1000, 104)).decision).toBe('continue');
    const done = experimentStatus(config, arm(20_000, 2000), arm(20_000, 2010));
    expect(done).toMatchObject({
      decision: 'keep-champion',
      reason: 'no significant difference after 20000 outcomes per arm',
    });
  });

  it('a fixed-horizon z-test significant at one look does not ship on its own', () => {
    // z ≈ 2.1 (p ≈ 0.035) but the always-valid p-value is still above 0.05.
    const s = experimentStatus(config, arm(2000, 200), arm(2000, 240));
    expect(s.fixedHorizon.p).toBeLessThan(0.05);
    expect(s.sequentialP).toBeGreaterThan(0.05);
    expect(s.decision).toBe('continue');
  });

  it('the sequential p-value carries over between looks (min of all looks)', () => {
    const first = experimentStatus(config, arm(5000, 500), arm(5000, 650));
    const later = experimentStatus(config, arm(6000, 600), arm(6000, 640), first.sequential);
    expect(later.sequentialP).toBe(first.sequentialP);
    expect(later.sequential.looks).toBe(2);
  });

  it('a sample-ratio mismatch overrides everything: no shipping on a broken assignment', () => {
    const s = experimentStatus(config, arm(5000, 500, 5600), arm(5000, 650, 4400));
    expect(s.srm.mismatch).toBe(true);
    expect(s.decision).toBe('keep-champion');
    expect(s.reason).toMatch(/^sample ratio mismatch \(chi-square p = .* < 0.001\)/);
  });
});

describe('sticky assignment', () => {
  const variants = [
    { name: 'champion', weight: 90 },
    { name: 'challenger', weight: 10 },
  ];

  it('the same key always gets the same variant; the bucket is in [0, 1)', () => {
    for (const key of [
      'user-1',
      'user-2',
      '',
      '__proto__',
      'constructor',
      '😀',
      '\ud800',
      'x'.repeat(1_000_000),
    ]) {
      const v = assignVariant(key, variants, 'exp-a');
      expect(assignVariant(key, variants, 'exp-a')).toBe(v);
      const u = bucket(key, 'exp-a');
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
    expect(bucket('user-1', 'exp-a')).toBe(bucket('user-1', 'exp-a'));
  });

  it('100,000 keys follow the 90/10 split (no sample-ratio mismatch)', () => {
    const counts = { champion: 0, challenger: 0 };
    for (let i = 0; i < 100_000; i++)
      counts[assignVariant(`user-${i}`, variants, 'exp-a') as keyof typeof counts]++;
    const srm = sampleRatioMismatch([counts.champion, counts.challenger], [90, 10]);
    expect(srm.mismatch).toBe(false);
    expect(counts.challenger / 100_000).toBeCloseTo(0.1, 2);
  });

  it('different experiments (salts) assign independently', () => {
    let both = 0;
    const half = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1 },
    ];
    for (let i = 0; i < 20_000; i++) {
      if (assignVariant(`u${i}`, half, 'exp-1') === 'b' && assignVariant(`u${i}`, half, 'exp-2') === 'b')
        both++;
    }
    expect(both / 20_000).toBeCloseTo(0.25, 1);
  });

  it('zero-weight variants never receive traffic; bad weights are refused', () => {
    for (let i = 0; i < 1000; i++) {
      expect(
        assignVariant(`k${i}`, [
          { name: 'a', weight: 1 },
          { name: 'off', weight: 0 },
        ]),
      ).toBe('a');
    }
    expect(() => assignVariant('k', [])).toThrow(RangeError);
    expect(() => assignVariant('k', [{ name: 'a', weight: -1 }])).toThrow(RangeError);
    expect(() => assignVariant('k', [{ name: 'a', weight: 0 }])).toThrow(RangeError);
    expect(() => assignVariant(42 as unknown as string, variants)).toThrow(TypeError);
  });
});
