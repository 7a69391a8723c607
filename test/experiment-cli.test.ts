// `mlp experiment status`: the CLI run in-process on recorded counts in testdata/rollout/ and on
// hostile files. The statistics themselves are tested against jstat and by simulation in
// experiment-stats / experiment-sequential; here: the right numbers reach the output, the
// decision and its reason, and bad input is a located usage error.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { experimentStatus } from '../src/experiment/decision.js';
import { mlp, tempDir } from './helpers.js';

const data = (name: string) => join('testdata', 'rollout', name);
const status = (...args: string[]) => mlp(['experiment', 'status', ...args]);
const DEFAULTS = {
  alpha: 0.05,
  minimumDetectableEffect: 0.03,
  minSamplePerArm: 100,
  split: [50, 50] as [number, number],
};

function file(content: string | Buffer): string {
  const path = join(tempDir(), 'counts.json');
  writeFileSync(path, content);
  return path;
}

async function rejects(args: string[], message: string) {
  const r = await status(...args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(message);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  return r.stderr;
}

describe('mlp experiment status on recorded counts', () => {
  it('a clear winner: ship-challenger, with intervals, the mSPRT p-value and a clean SRM check', async () => {
    const r = await status('-f', data('experiment-winner.json'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(-5)).toEqual([
      'difference (challenger − champion): +3.30 pts, 95 % CI [+2.02 pts, +4.57 pts]',
      'always-valid p (mSPRT, τ = 0.03, look 1): 2.19e-5',
      'fixed-horizon z-test (reference only, valid for one planned look): z = 5.066, p = 4.06e-7',
      'sample ratio (split 50/50): chi-square = 0.06, p = 0.8103, ok',
      'decision: ship-challenger: challenger better: always-valid p = 2.19e-5 < 0.05',
    ]);
    expect(r.stdout).toMatch(
      /│ champion {3}│ 5012 {5}│ 4870 {5}│ 487 {9}│ 10\.00 % │ \[9\.19 %, 10\.87 %\] {2}│/,
    );
    expect(r.stdout).toMatch(
      /│ challenger │ 4988 {5}│ 4851 {5}│ 645 {9}│ 13\.30 % │ \[12\.37 %, 14\.28 %\] │/,
    );
  });

  it('JSON carries the same numbers as the library on the same counts (feedback is the sample size)', async () => {
    const r = await status('-f', data('experiment-winner.json'), '-o', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const expected = experimentStatus(
      DEFAULTS,
      { assigned: 5012, n: 4870, successes: 487 },
      { assigned: 4988, n: 4851, successes: 645 },
    );
    expect(out).toEqual({
      config: DEFAULTS,
      counts: {
        champion: { assigned: 5012, feedback: 4870, conversions: 487 },
        challenger: { assigned: 4988, feedback: 4851, conversions: 645 },
      },
      ...JSON.parse(JSON.stringify(expected)),
    });
    const yaml = await status('-f', data('experiment-winner.json'), '-o', 'yaml');
    expect(parse(yaml.stdout)).toEqual(out);
  });

  it('A/A-like counts: continue', async () => {
    const r = await status('-f', data('experiment-aa.json'), '-o', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.decision).toBe('continue');
    expect(out.reason).toBe('no significant difference yet (always-valid p = 1.0000)');
    expect(out.difference.lower).toBeLessThan(0);
    expect(out.difference.upper).toBeGreaterThan(0);
  });

  it('60/40 assignment under a 50/50 split: SRM, keep-champion although the challenger looks better', async () => {
    const r = await status('-f', data('experiment-srm.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sample ratio (split 50/50): chi-square = 400.00, p = < 1e-15, MISMATCH\n');
    expect(r.stdout).toContain(
      'decision: keep-champion: sample ratio mismatch (chi-square p = 0.00e+0 < 0.001): assignment is broken, results are not trustworthy\n',
    );
    // The same counts are fine under the 60/40 split they were assigned with.
    const planned = JSON.parse(
      (await status('-f', data('experiment-srm.json'), '--split', '60/40', '-o', 'json')).stdout,
    );
    expect(planned.srm.mismatch).toBe(false);
    expect(planned.decision).toBe('ship-challenger');
  });

  it('--min-samples, --max-samples, --alpha and --mde reach the decision', async () => {
    const few = JSON.parse(
      (await status('-f', data('experiment-winner.json'), '--min-samples', '5000', '-o', 'json')).stdout,
    );
    expect(few.decision).toBe('continue');
    expect(few.reason).toBe('4851 outcomes in the smaller arm < minimum 5000');
    const capped = JSON.parse(
      (await status('-f', data('experiment-aa.json'), '--max-samples', '2000', '-o', 'json')).stdout,
    );
    expect(capped.decision).toBe('keep-champion');
    expect(capped.reason).toBe('no significant difference after 2941 outcomes per arm');
    const strict = await status('-f', data('experiment-winner.json'), '--alpha', '0.01', '--mde', '0.05');
    expect(strict.stdout).toContain('99 % CI');
    expect(strict.stdout).toContain('τ = 0.05');
  });

  it('feedback defaults to assigned; a previous look carries the always-valid p-value on', async () => {
    const doc = {
      champion: { assigned: 1000, conversions: 100 },
      challenger: { assigned: 1000, conversions: 104 },
      sequential: { p: 0.003, looks: 7 },
    };
    const out = JSON.parse((await status('-f', file(JSON.stringify(doc)), '-o', 'json')).stdout);
    expect(out.counts.champion).toEqual({ assigned: 1000, feedback: 1000, conversions: 100 });
    expect(out.sequential).toEqual({ p: 0.003, looks: 8 });
    // Always valid: once below alpha at an earlier look, the running minimum stays there.
    expect(out.decision).toBe('ship-challenger');
  });

  it('empty arms and the largest safe counts are a status, not a crash', async () => {
    const zero = await status(
      '-f',
      file(
        '{"champion": {"assigned": 0, "conversions": 0}, "challenger": {"assigned": 0, "conversions": 0}}',
      ),
    );
    expect(zero.code).toBe(0);
    expect(zero.stdout).toContain(
      'difference (challenger − champion): —, 95 % CI [-100.00 pts, +100.00 pts]',
    );
    expect(zero.stdout).toContain('decision: continue: 0 outcomes in the smaller arm < minimum 100');
    const max = Number.MAX_SAFE_INTEGER;
    const big = await status(
      '-f',
      file(
        JSON.stringify({
          champion: { assigned: max, conversions: max },
          challenger: { assigned: max, conversions: 0 },
        }),
      ),
      '-o',
      'json',
    );
    expect(big.code).toBe(0);
    expect(JSON.parse(big.stdout).decision).toBe('keep-champion');
  });

  it('--help shows examples', async () => {
    const r = await status('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mlp experiment status -f testdata/rollout/experiment-winner.json');
  });
});

describe('mlp experiment status on bad input: exit 2, located', () => {
  it('bad counts with their JSON paths', async () => {
    const msg = await rejects(
      [
        '-f',
        file(
          JSON.stringify({
            champion: { assigned: -1, conversions: 'NaN' },
            challenger: { assigned: 10, feedback: 12, conversions: 1.5, clicks: 3 },
            variant: {},
          }),
        ),
      ],
      'problems',
    );
    expect(msg.split('\n').slice(1)).toEqual([
      '  $.variant: unknown field; expected one of model, split, champion, challenger, sequential',
      '  $.champion.assigned: expected an integer >= 0, received number -1',
      '  $.champion.conversions: expected an integer >= 0, received the string "NaN"',
      '  $.challenger.clicks: unknown field; expected one of assigned, feedback, conversions, version',
      '  $.challenger.conversions: expected an integer >= 0, received number 1.5',
      '',
    ]);
    await rejects(
      [
        '-f',
        file(
          '{"champion": {"assigned": 10, "feedback": 12, "conversions": 1}, "challenger": {"assigned": 10, "conversions": 11}}',
        ),
      ],
      '$.champion.feedback: 12 outcomes > 10 assigned requests',
    );
    await rejects(
      [
        '-f',
        file(
          '{"champion": {"assigned": 10, "conversions": 1}, "challenger": {"assigned": 10, "conversions": 11}}',
        ),
      ],
      '$.challenger.conversions: 11 conversions > 10 outcomes',
    );
    await rejects(
      ['-f', file('{"champion": {"assigned": 10, "conversions": 1}}')],
      '$.challenger: expected {"assigned": 5000',
    );
    await rejects(
      ['-f', file('[1, 2]')],
      '$: expected {"champion": {…}, "challenger": {…}}, received an array',
    );
    await rejects(
      [
        '-f',
        file(
          '{"champion": {"assigned": 1e400, "conversions": 1}, "challenger": {"assigned": 1, "conversions": 1}}',
        ),
      ],
      '$.champion.assigned: expected an integer >= 0, received number Infinity',
    );
    await rejects(
      [
        '-f',
        file(
          '{"champion": {"assigned": 10, "conversions": 1}, "challenger": {"assigned": 10, "conversions": 1}, "sequential": {"p": 0, "looks": 1}}',
        ),
      ],
      '$.sequential.p: expected a number in (0, 1], received number 0',
    );
  });

  it('hostile files: prototype keys, not JSON, too big, bad UTF-8', async () => {
    await rejects(
      ['-f', file('{"champion": {"__proto__": {"assigned": 1}}, "challenger": {}}')],
      '$.champion.__proto__: key "__proto__" is not allowed',
    );
    await rejects(
      ['-f', file('{"constructor": {"prototype": {}}}')],
      '$.constructor: key "constructor" is not allowed',
    );
    await rejects(['-f', file('{"champion": ')], 'is not valid JSON: Unexpected end of JSON input');
    await rejects(['-f', file(Buffer.alloc(2 * 1024 * 1024, 0x20))], 'is larger than 1048576 bytes');
    await rejects(['-f', file(Buffer.from([0x7b, 0xff, 0x7d]))], 'is not valid UTF-8');
  });

  it('bad flags', async () => {
    const f = data('experiment-aa.json');
    await rejects(
      ['-f', f, '--split', '50'],
      '--split: expected CHAMPION/CHALLENGER weights, both > 0, received "50" (example: 50/50)',
    );
    await rejects(['-f', f, '--split', '0/100'], '--split: expected CHAMPION/CHALLENGER weights, both > 0');
    await rejects(['-f', f, '--split', '50/50/0'], '--split: expected CHAMPION/CHALLENGER weights');
    await rejects(
      ['-f', f, '--alpha', '1'],
      '--alpha: expected a number in (0, 1), received "1" (example: 0.05)',
    );
    await rejects(['-f', f, '--alpha', 'NaN'], '--alpha: expected a number in (0, 1), received "NaN"');
    await rejects(
      ['-f', f, '--mde', '0'],
      '--mde: expected a number in (0, 1), received "0" (example: 0.03)',
    );
    await rejects(
      ['-f', f, '--min-samples', '1e3'],
      '--min-samples: expected an integer >= 0, received "1e3"',
    );
    await rejects(['-f', f, '--max-samples', '-1'], '--max-samples: expected an integer >= 0, received "-1"');
  });
});
