// `mlp rollout simulate`: the CLI run in-process on the recorded versions in testdata/rollout/,
// and on hostile files written to a temp directory.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MAX_JSON_BYTES } from '../src/cli/json-file.js';
import { mlp, tempDir } from './helpers.js';

const data = (name: string) => join('testdata', 'rollout', name);
const simulate = (...args: string[]) => mlp(['rollout', 'simulate', ...args]);

/** Writes `content` to a fresh temp file and returns its path. */
function file(content: string | Buffer, name = 'metrics.json'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

/** A bad input: exit 2, one clear message, nothing on stdout, no stack trace. */
async function rejects(args: string[], message: string | RegExp) {
  const r = await simulate(...args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(typeof message === 'string' ? new RegExp(literal(message)) : message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/internal error/);
  return r.stderr;
}
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('mlp rollout simulate on recorded versions (default steps 10/25/50/100 %)', () => {
  const cases = [
    {
      file: 'good.json',
      code: 0,
      verdicts: ['Successful', 'Successful', 'Successful', 'Successful'],
      outcome: { status: 'promoted', weight: 100 },
      last: 'promoted: canary at 100 %, every analysis Successful',
    },
    {
      file: 'errors-5pct.json',
      code: 1,
      verdicts: ['Failed'],
      outcome: {
        status: 'aborted',
        weight: 0,
        step: 1,
        reason:
          'analysis-0 Failed: Metric "error-ratio" assessed Failed due to failed (1) > failureLimit (0): error ratio 5% > 1%',
      },
      last: 'aborted at step 1 (canary weight back to 0 %): analysis-0 Failed: Metric "error-ratio" assessed Failed due to failed (1) > failureLimit (0): error ratio 5% > 1%',
    },
    {
      file: 'silent.json',
      code: 1,
      verdicts: ['Inconclusive'],
      outcome: {
        status: 'paused',
        weight: 10,
        step: 1,
        reason:
          'analysis-0: inconclusive analysis: Metric "error-ratio" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0): no traffic',
      },
      last: 'not promoted: paused at step 1 (canary weight 10 %): analysis-0: inconclusive analysis: Metric "error-ratio" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0): no traffic',
    },
  ];
  for (const c of cases) {
    it(`${c.file}: ${c.outcome.status}, exit ${c.code}`, async () => {
      const table = await simulate('-f', data(c.file));
      expect(table.stderr).toBe('');
      expect(table.code).toBe(c.code);
      expect(table.stdout.trimEnd().split('\n').at(-1)).toBe(c.last);

      const json = await simulate('-f', data(c.file), '-o', 'json');
      expect(json.code).toBe(c.code);
      const run = JSON.parse(json.stdout);
      expect(run.outcome).toEqual(c.outcome);
      const analyses = run.steps.filter((s: { kind: string }) => s.kind === 'analysis');
      expect(analyses.map((s: { verdict: string }) => s.verdict)).toEqual(c.verdicts);
      expect(analyses.map((s: { weight: number }) => s.weight)).toEqual(
        [10, 25, 50, 100].slice(0, c.verdicts.length),
      );
      expect(run.thresholds).toEqual({
        maxErrorRatio: 0.01,
        maxP95Seconds: 0.5,
        minRequests: 100,
        failureLimit: 0,
      });

      const yaml = await simulate('-f', data(c.file), '-o', 'yaml');
      expect(parse(yaml.stdout)).toEqual(run);
    });
  }

  it('the thresholds come from the flags: 5 % errors pass at --max-error-ratio 0.06', async () => {
    const r = await simulate('-f', data('errors-5pct.json'), '--max-error-ratio', '0.06', '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).outcome.status).toBe('promoted');
  });

  it('--max-p95 judges latency: the good version fails at 0.085 s on its third analysis (50 %)', async () => {
    const r = await simulate('-f', data('good.json'), '--max-p95', '0.085', '-o', 'json');
    expect(r.code).toBe(1);
    const o = JSON.parse(r.stdout).outcome;
    expect(o).toMatchObject({ status: 'aborted', step: 5, weight: 0 });
    expect(o.reason).toContain('p95 latency 0.09s > 0.085s');
  });

  it('--max-p95 none drops the latency metric; --min-requests above the traffic is Inconclusive', async () => {
    const none = await simulate('-f', data('good.json'), '--max-p95', 'none', '-o', 'json');
    const metrics = JSON.parse(none.stdout).steps[1].analysis.metrics.map((m: { name: string }) => m.name);
    expect(metrics).toEqual(['error-ratio']);
    const quiet = await simulate('-f', data('good.json'), '--min-requests', '500', '-o', 'json');
    expect(quiet.code).toBe(1);
    expect(JSON.parse(quiet.stdout).outcome.reason).toContain('240 requests < minRequests (500)');
  });

  it('{steps, measurements}: pauses advance the clock, a query error does not count toward count', async () => {
    const r = await simulate('-f', data('with-steps.json'), '-o', 'json');
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout);
    const first = run.steps[2];
    expect(first.analysis.samplesUsed).toBe(3);
    expect(first.analysis.metrics[0].tally).toMatchObject({ count: 2, error: 1, successful: 2 });
    // 300 s pause + 3 samples at 1m, then another 300 s + 2 samples.
    expect(run.steps.map((s: { at: number }) => s.at)).toEqual([0, 300, 480, 480, 780, 900, 900]);
    expect(run.steps[5].analysis.metrics.map((m: { name: string }) => m.name)).toEqual(['error-ratio']);
  });

  it('--steps reads the steps from their own file; an indefinite pause waits unless --promote-pauses', async () => {
    const steps = file(
      JSON.stringify([{ setWeight: 20 }, { analysis: {} }, { pause: {} }, { setWeight: 100 }]),
      'steps.json',
    );
    const metrics = file(JSON.stringify([[{ requests: 400, errors: 1, p95Seconds: 0.1 }]]));
    const waiting = await simulate('-f', metrics, '--steps', steps, '-o', 'json');
    expect(waiting.code).toBe(1);
    expect(JSON.parse(waiting.stdout).outcome).toEqual({
      status: 'paused',
      weight: 20,
      step: 2,
      reason: 'indefinite pause: waiting for a manual promotion',
    });
    const promoted = await simulate('-f', metrics, '--steps', steps, '--promote-pauses');
    expect(promoted.code).toBe(0);
  });

  it('an analysis without samples leaves the rollout paused, never promoted', async () => {
    const r = await simulate(
      '-f',
      file('[[{"requests": 400, "errors": 0, "p95Seconds": 0.1}]]'),
      '-o',
      'json',
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).outcome).toMatchObject({ status: 'paused', step: 3, weight: 25 });
  });

  it('a latency of "+Inf" (beyond the last bucket) fails; null is no data and Inconclusive', async () => {
    const inf = await simulate(
      '-f',
      file('[[{"requests": 400, "errors": 0, "p95Seconds": "+Inf"}]]'),
      '-o',
      'json',
    );
    expect(JSON.parse(inf.stdout).outcome).toMatchObject({ status: 'aborted', step: 1 });
    expect(JSON.parse(inf.stdout).outcome.reason).toContain('p95 latency Infinitys > 0.5s');
    const nan = await simulate(
      '-f',
      file('[[{"requests": 400, "errorRatio": null, "p95Seconds": 0.1}]]'),
      '-o',
      'json',
    );
    expect(JSON.parse(nan.stdout).outcome).toMatchObject({ status: 'paused', step: 1 });
    expect(JSON.parse(nan.stdout).outcome.reason).toContain('error ratio is NaN');
  });

  it('--help shows examples', async () => {
    const r = await simulate('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mlp rollout simulate -f testdata/rollout/good.json');
    expect(r.stdout).toContain('--max-error-ratio <ratio>');
  });
});

describe('mlp rollout simulate on bad input: exit 2, located, no stack trace', () => {
  it('not JSON, and the file is not echoed back', async () => {
    const msg = await rejects(
      ['-f', file('root:x:0:0:root:/root:/bin/bash\n')],
      'is not valid JSON: Unexpected token',
    );
    expect(msg).not.toContain('root:x');
    expect(msg).toMatch(/is not valid JSON: Unexpected token 'r'\n$/);
    await rejects(['-f', file('NaN')], 'is not valid JSON: not a JSON value');
    await rejects(
      ['-f', file('[[{"requests": 1,}]]')],
      'is not valid JSON: Expected double-quoted property name in JSON at position 17 (line 1 column 18)',
    );
    await rejects(['-f', file('')], 'is not valid JSON: Unexpected end of JSON input');
  });

  it('a file over the cap, and a device that never ends, are refused without reading them whole', async () => {
    await rejects(
      ['-f', file(`[${'0,'.repeat(MAX_JSON_BYTES / 2)}0]`)],
      `is larger than ${MAX_JSON_BYTES} bytes`,
    );
    await rejects(['-f', '/dev/zero'], `-f: /dev/zero is larger than ${MAX_JSON_BYTES} bytes`);
  });

  it('bad encodings and missing files', async () => {
    await rejects(
      ['-f', file(Buffer.from([0x5b, 0x5b, 0x7b, 0x22, 0xe9, 0x22, 0x7d, 0x5d, 0x5d]))],
      'is not valid UTF-8',
    );
    await rejects(['-f', file(Buffer.from('\ufeff[]', 'utf16le'))], 'is not valid UTF-8');
    await rejects(['-f', 'testdata/rollout/nope.json'], /-f: cannot read .*nope\.json \(ENOENT\)/);
    await rejects(['-f', '../../../../../../etc'], /-f: cannot read .*etc \(EISDIR\)/);
  });

  it('prototype keys anywhere', async () => {
    await rejects(
      ['-f', file('[[{"requests": 1, "errors": 0, "__proto__": {"polluted": 1}}]]')],
      '$[0][0].__proto__: key "__proto__" is not allowed',
    );
    await rejects(
      ['-f', file('{"measurements": [], "constructor": {}}')],
      '$.constructor: key "constructor" is not allowed',
    );
    await rejects(
      ['-f', file('{"steps": [{"analysis": {"thresholds": {"prototype": 1}}}], "measurements": []}')],
      '$.steps[0].analysis.thresholds.prototype: key "prototype" is not allowed',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('nesting deep enough to overflow a recursive walk', async () => {
    const depth = 300_000;
    await rejects(['-f', file(`${'['.repeat(depth)}${']'.repeat(depth)}`)], 'is nested too deeply');
  });

  it('negative counts, NaN strings, infinities, impossible ratios: every problem with its JSON path', async () => {
    const msg = await rejects(
      [
        '-f',
        file(
          JSON.stringify([
            [
              { requests: -5, errors: 0 },
              { requests: 'NaN', errors: 0 },
              { requests: 100, errors: 'NaN' },
              { requests: 100, errors: 101 },
              { requests: 100, errorRatio: 1.5 },
              { requests: 100, errors: 1, errorRatio: 0.01 },
              { requests: 100, error: 1 },
              { requests: 100, errors: 1, p95Seconds: -1 },
              { queryError: '' },
              7,
            ],
          ]).replace('"requests":100,"error":1', '"requests":1e999,"error":1'),
        ),
      ],
      '12 problems',
    );
    expect(msg.split('\n').slice(1)).toEqual([
      '  $[0][0].requests: expected a number >= 0, received number -5',
      '  $[0][1].requests: expected a number >= 0, received the string "NaN" (write null when the query returned no value)',
      '  $[0][2].errors: expected a number >= 0, received the string "NaN" (write null when the query returned no value)',
      '  $[0][3].errors: 101 errors > 100 requests',
      '  $[0][4].errorRatio: expected a number in [0, 1], received number 1.5',
      '  $[0][5]: give exactly one of "errors" (a count) or "errorRatio" (0..1)',
      '  $[0][6].error: unknown field; expected one of requests, errors, errorRatio, p95Seconds, p99Seconds, queryError',
      '  $[0][6].requests: expected a number >= 0, received number Infinity',
      '  $[0][6]: give exactly one of "errors" (a count) or "errorRatio" (0..1)',
      '  $[0][7].p95Seconds: expected seconds >= 0 or "+Inf", received number -1',
      '  $[0][8].queryError: expected the error message, received the string ""',
      '  $[0][9]: expected an object such as {"requests": 1200, "errors": 3}, received number 7',
      '',
    ]);
  });

  it('bad steps and thresholds are located in their file', async () => {
    const steps = [
      { setWeight: 150 },
      { setWeight: 10, pause: {} },
      { analysis: { thresholds: { maxErrorRatio: 2, minRequests: 0, interval: '1d' } } },
      { pause: { duration: 'soon' } },
      { analysis: { name: 'Bad Name' } },
      { analysis: { templates: [{ templateName: 'x' }] } },
    ];
    const msg = await rejects(['-f', file(JSON.stringify({ steps, measurements: [] }))], '-f: ');
    expect(msg.split('\n').slice(1)).toEqual([
      '  $.steps[0].setWeight: expected an integer 0..100, received number 150',
      '  $.steps[1]: expected exactly one of setWeight, pause, analysis, e.g. {"setWeight": 10}, received keys setWeight, pause',
      '  $.steps[2].analysis.thresholds.maxErrorRatio: expected a number in [0, 1], received 2 (example: 0.01)',
      '  $.steps[2].analysis.thresholds.minRequests: expected an integer >= 1, received 0 (example: 50)',
      '  $.steps[2].analysis.thresholds.interval: expected a duration such as 1m or 30s, received "1d"',
      '  $.steps[3].pause.duration: expected seconds or a duration such as 30s or 5m, received the string "soon"',
      '  $.steps[4].analysis.name: expected a DNS label such as "error-check", received the string "Bad Name"',
      '  $.steps[5].analysis.templates: unknown field; expected one of name, thresholds',
      '',
    ]);
    const stepsFile = file(JSON.stringify([{ setWeight: -1 }]), 'steps.json');
    await rejects(
      ['-f', data('good.json'), '--steps', stepsFile],
      /--steps: .*steps\.json: 1 problem\n {2}\$\[0\]\.setWeight: expected an integer 0\.\.100, received number -1/,
    );
    await rejects(
      ['-f', data('with-steps.json'), '--steps', file('[{"setWeight": 10}]', 's.json')],
      'has "steps" and --steps was given too',
    );
  });

  it("what Argo's ValidateMetric refuses: count below a limit, count > 1 without an interval", async () => {
    await rejects(
      ['-f', data('good.json'), '--count', '3'],
      '--interval: must be specified when count > 1 (example: 1m)',
    );
    await rejects(
      ['-f', data('good.json'), '--count', '1', '--failure-limit', '2'],
      '--count: must be >= failureLimit (2), received 1',
    );
    await rejects(
      ['-f', data('good.json'), '--count', '2', '--interval', '1m', '--inconclusive-limit', '3'],
      '--count: must be >= inconclusiveLimit (3), received 2',
    );
    const steps = [{ setWeight: 10 }, { analysis: { thresholds: { count: 2 } } }];
    await rejects(
      ['-f', file(JSON.stringify({ steps, measurements: [] }))],
      '$.steps[1].analysis.thresholds.interval: must be specified when count > 1 (example: 1m)',
    );
    const ok = await simulate('-f', data('good.json'), '--count', '1', '--interval', '1m', '-o', 'json');
    expect(ok.code).toBe(0);
  });

  it('more sample lists than analysis steps, and a wrong top level', async () => {
    await rejects(['-f', file('[[], [], [], [], []]')], '$: 5 lists of samples for 4 analysis steps');
    await rejects(
      ['-f', file('{"samples": []}')],
      '$.samples: unknown field; expected one of steps, measurements',
    );
    await rejects(['-f', file('"hello"')], '$: expected a list of samples per analysis');
    await rejects(
      ['-f', file('[{"requests": 1}]')],
      '$[0]: expected a list of at most 10000 samples, received an object',
    );
  });

  it('bad flags', async () => {
    await rejects(
      ['-f', data('good.json'), '--max-error-ratio', 'abc'],
      '--max-error-ratio: expected a number, received "abc"',
    );
    await rejects(
      ['-f', data('good.json'), '--max-error-ratio', '2'],
      '--max-error-ratio: expected a number in [0, 1], received 2 (example: 0.01)',
    );
    await rejects(
      ['-f', data('good.json'), '--min-requests', '-3'],
      '--min-requests: expected an integer >= 0, received "-3"',
    );
    await rejects(
      ['-f', data('good.json'), '--min-requests', '0'],
      '--min-requests: expected an integer >= 1, received 0',
    );
    await rejects(['-f', data('good.json'), '--max-p95', '0'], '--max-p95: expected seconds > 0, received 0');
    await rejects(
      ['-f', data('good.json'), '--interval', '1.5m'],
      '--interval: expected a duration such as 1m or 30s',
    );
    await rejects(['-f', data('good.json'), '-o', 'xml'], '--output: expected one of table, json, yaml');
    await rejects([], "required option '-f, --file <metrics.json>' not specified");
  });
});
