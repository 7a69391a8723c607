// `mlp model rollout` over real sockets: the in-process local platform (registry + model server,
// as `mlp up` runs them), a client loop sending steady traffic through the whole rollout, and the
// rollout measuring the server's own /metrics between steps with the pure analysis. A good
// version becomes champion; a version with injected 20 % errors is rolled back at the first
// analysis, one with injected latency too; and the clients saw no failure other than the
// injected ones (alias moves and weight changes are hitless).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseServerView, parseWeights } from '../src/cli/commands/model-rollout.js';
import { demoModelOnnx, MODEL_NAME } from '../src/model/sentiment.js';
import { RegistryClient } from '../src/registry/client.js';
import { histogramQuantile, intervalSample, versionCounters } from '../src/rollout/live.js';
import { PromTextError, parsePromText } from '../src/rollout/prom-text.js';
import { FaultInjector, INJECTED, parseFault } from '../src/serving/fault.js';
import { type LocalPlatform, startLocalPlatform } from '../src/serving/local-platform.js';
import {
  CHALLENGER_PERCENT_TAG,
  formatChallengerPercent,
  parseChallengerPercent,
} from '../src/serving/weight.js';
import { mlp, tempDir } from './helpers.js';

describe('mlp model rollout on the local platform, over real sockets', () => {
  let platform: LocalPlatform;
  let registry: RegistryClient;
  // v3 fails every fifth request; v4 answers 300 ms late. Configured at start, like `mlp up --inject`.
  const faults = new FaultInjector([
    parseFault('version=3,errors=0.2'),
    parseFault('version=4,latencyMs=300'),
  ]);
  const failures: { status: number; body: string }[] = [];
  let sent = 0;
  let stopClients = false;
  let clients: Promise<void>[] = [];

  /** One client: /predict in a loop, every non-200 (and every network error) recorded. */
  async function client(): Promise<void> {
    while (!stopClients) {
      sent++;
      try {
        const res = await fetch(`${platform.servingUrl}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'not bad at all' }),
        });
        const body = await res.text();
        if (res.status !== 200) failures.push({ status: res.status, body });
      } catch (err) {
        failures.push({ status: 0, body: String((err as Error).cause ?? err) });
      }
    }
  }

  const rollout = (version: string, ...extra: string[]) =>
    mlp([
      'model',
      'rollout',
      MODEL_NAME,
      version,
      '--registry',
      platform.registryUrl,
      '--token',
      platform.registryToken,
      '--server',
      platform.servingUrl,
      // Short intervals so the test is quick; the thresholds are loose where CPU contention could
      // matter (p95 ≤ 5 s), since nothing here asserts on timing.
      '--interval',
      '1s',
      '--min-requests',
      '5',
      '--max-p95',
      '5',
      '--settle-timeout',
      '60s',
      '-o',
      'json',
      ...extra,
    ]);

  beforeAll(async () => {
    platform = await startLocalPlatform({
      stateDir: tempDir(),
      host: '127.0.0.1',
      registryPort: 0,
      servingPort: 0,
      challengerPercent: 10,
      pollMs: 100,
      logger: false,
      progress: () => {},
      faults,
    });
    registry = new RegistryClient(platform.registryUrl, { token: platform.registryToken });
    // v3 and v4: the same good model bytes; only the injected faults make them bad.
    expect((await registry.push(MODEL_NAME, demoModelOnnx('2'))).version).toBe('3');
    expect((await registry.push(MODEL_NAME, demoModelOnnx('2'))).version).toBe('4');
    clients = Array.from({ length: 4 }, () => client());
  });

  afterAll(async () => {
    stopClients = true;
    await Promise.all(clients);
    await platform?.stop();
  });

  it('refuses, before changing anything, a version that is missing or already champion', async () => {
    const missing = await rollout('99');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('version 99 of sentiment is not in the registry');
    const champion = await rollout('1');
    expect(champion.code).toBe(2);
    expect(champion.stderr).toContain('already the champion');
    expect((await registry.versionByAlias(MODEL_NAME, 'challenger'))?.version).toBe('2');
  });

  it('(a) a good version walks 10/25/50/100 % and becomes champion', async () => {
    const r = await rollout('2');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ status: 'promoted', champion: '2' });
    expect(result.steps.map((s: { weight: number; phase: string }) => [s.weight, s.phase])).toEqual([
      [10, 'Successful'],
      [25, 'Successful'],
      [50, 'Successful'],
      [100, 'Successful'],
    ]);
    // Each step was judged on the challenger's own live traffic.
    for (const s of result.steps) expect(s.samples[0].requests).toBeGreaterThanOrEqual(5);
    expect(r.stderr).toMatch(/weight 10%: Successful/);
    expect((await registry.versionByAlias(MODEL_NAME, 'champion'))?.version).toBe('2');
    expect(await registry.versionByAlias(MODEL_NAME, 'challenger')).toBeUndefined();
    expect((await registry.modelTags(MODEL_NAME))?.has(CHALLENGER_PERCENT_TAG)).toBe(false);
  });

  it('(b) a version with injected 20 % errors is rolled back at the first analysis', async () => {
    const r = await rollout('3');
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ status: 'rolled-back', champion: '2' });
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({ weight: 10, phase: 'Failed' });
    expect(result.reason).toMatch(/error-ratio.*error ratio \d+(\.\d+)?% > 1%/);
    expect((await registry.versionByAlias(MODEL_NAME, 'champion'))?.version).toBe('2');
    expect(await registry.versionByAlias(MODEL_NAME, 'challenger')).toBeUndefined();
    expect((await registry.modelTags(MODEL_NAME))?.has(CHALLENGER_PERCENT_TAG)).toBe(false);
    expect(faults.injected('3')).toBeGreaterThan(0);
  });

  it('(c) a version with injected latency fails the p95 analysis and is rolled back', async () => {
    const r = await rollout('4', '--max-p95', '0.1');
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.steps[0]).toMatchObject({ weight: 10, phase: 'Failed' });
    expect(result.reason).toMatch(/latency-p95/);
    expect(result.steps[0].samples[0].p95Seconds).toBeGreaterThan(0.1);
  });

  it('the clients saw exactly the injected failures, nothing else', async () => {
    // Let the clients run on the final state (champion v2 alone) for a moment, then stop them.
    await new Promise((r) => setTimeout(r, 300));
    stopClients = true;
    await Promise.all(clients);
    expect(sent).toBeGreaterThan(200);
    const other = failures.filter((f) => !(f.status === 500 && f.body.includes(INJECTED)));
    expect(other, JSON.stringify(other.slice(0, 5))).toEqual([]);
    expect(failures.length).toBe(faults.injected());
    expect(faults.injected('4')).toBe(0);
  });
});

describe('the pieces', () => {
  const exposition = [
    '# HELP inference_requests_total Inference requests',
    '# TYPE inference_requests_total counter',
    'inference_requests_total{model="m",version="2",code="200"} 90',
    'inference_requests_total{model="m",version="2",code="500"} 10',
    'inference_requests_total{model="m",version="1",code="500"} 7',
    'inference_requests_total{model="other",version="2",code="503"} 5',
    'inference_request_duration_seconds_bucket{le="0.1",model="m",version="2"} 80',
    'inference_request_duration_seconds_bucket{le="0.5",model="m",version="2"} 95',
    'inference_request_duration_seconds_bucket{le="+Inf",model="m",version="2"} 100',
    'inference_request_duration_seconds_sum{model="m",version="2"} 12.5',
    'weird{a="x\\\\y\\"z\\n",__proto__="p",constructor="c"} NaN 1700000000000',
    'up -Inf',
  ].join('\n');

  it('parses the exposition format strictly, labels in a Map', () => {
    const samples = parsePromText(exposition);
    expect(samples).toHaveLength(10);
    const weird = samples.find((s) => s.name === 'weird')!;
    expect(weird.labels.get('a')).toBe('x\\y"z\n');
    expect(weird.labels.get('__proto__')).toBe('p');
    expect(Number.isNaN(weird.value)).toBe(true);
    expect(samples.at(-1)!.value).toBe(-Infinity);
    for (const [bad, message] of [
      ['m{a="x"', /unterminated|expected , or \}/],
      ['m{a=x} 1', /expected ="…" after label a/],
      ['m{a="x",a="y"} 1', /label a given twice/],
      ['m 1 2 3', /expected a value and an optional timestamp/],
      ['m 0x10', /not a number/],
      ['m 1 1.5', /timestamp/],
      ['9m 1', /expected a metric name/],
      ['m{a="\\t"} 1', /bad escape/],
      ['m{1a="x"} 1', /expected a label name/],
    ] as const) {
      expect(() => parsePromText(`ok 1\n${bad}`), bad).toThrow(PromTextError);
      expect(() => parsePromText(`ok 1\n${bad}`), bad).toThrow(new RegExp(`line 2: .*${message.source}`));
    }
    expect(() => parsePromText('x'.repeat(16 * 1024 * 1024 + 1))).toThrow(/larger than/);
  });

  it("takes one version's counters, and an interval's sample from two scrapes", () => {
    const before = versionCounters(parsePromText(exposition), 'm', '2');
    expect(before).toMatchObject({ requests: 100, errors: 10 });
    const later = exposition
      .replace('code="200"} 90', 'code="200"} 180')
      .replace('code="500"} 10', 'code="500"} 30')
      .replace('version="2"} 80', 'version="2"} 100')
      .replace('le="0.5",model="m",version="2"} 95', 'le="0.5",model="m",version="2"} 125')
      .replace('le="+Inf",model="m",version="2"} 100', 'le="+Inf",model="m",version="2"} 210');
    const s = intervalSample(before, versionCounters(parsePromText(later), 'm', '2'));
    // 110 requests, 20 errors; buckets 20 / 30 / 110: p95 rank 104.5 falls into +Inf → 0.5.
    expect(s).toMatchObject({ requests: 110, errors: 20, p95Seconds: 0.5, p99Seconds: 0.5 });
    // A counter that went down: the server restarted; a query error, never a negative count.
    expect(intervalSample(versionCounters(parsePromText(later), 'm', '2'), before)).toEqual({
      queryError: 'counter reset: the model server restarted during the interval',
    });
  });

  it('histogram_quantile agrees with Prometheus itself (promtool) on the same buckets', () => {
    const cases: Record<string, number>[] = [
      { '0.1': 80, '0.5': 95, '+Inf': 100 },
      { '0.005': 3, '0.01': 10, '0.1': 50, '1': 99, '+Inf': 100 },
      { '0.1': 100, '0.2': 100, '+Inf': 100 },
      { '0.2': 1, '0.3': 1, '+Inf': 400 },
      // Not monotonic: Prometheus makes it so before interpolating.
      { '0.1': 10, '0.2': 8, '0.5': 30, '+Inf': 31 },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'mlp-quantile-'));
    try {
      // Prometheus' round(v, 1e-9), float for float: inverse = 1/toNearest.
      const inverse = 1 / 1e-9;
      const round9 = (v: number) => Math.floor(v * inverse + 0.5) / inverse;
      const tests = cases.flatMap((buckets, i) =>
        [0.5, 0.95, 0.99].map((q) => ({
          interval: '1m',
          input_series: Object.entries(buckets).map(([le, n]) => ({
            series: `h_bucket{case="${i}",le="${le}"}`,
            values: `${n}x2`,
          })),
          promql_expr_test: [
            {
              expr: `round(histogram_quantile(${q}, h_bucket{case="${i}"}), 1e-9)`,
              eval_time: '1m',
              exp_samples: [
                {
                  labels: `{case="${i}"}`,
                  value: round9(
                    histogramQuantile(
                      q,
                      new Map(
                        Object.entries(buckets).map(([le, n]) => [Number(le === '+Inf' ? Infinity : le), n]),
                      ),
                    ),
                  ),
                },
              ],
            },
          ],
        })),
      );
      writeFileSync(join(dir, 'rules.yaml'), 'groups: []\n');
      writeFileSync(join(dir, 'test.yaml'), stringify({ rule_files: ['rules.yaml'], tests }));
      const out = execFileSync('promtool', ['test', 'rules', join(dir, 'test.yaml')], { encoding: 'utf8' });
      expect(out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The NaN cases (no +Inf bucket, no observations, one bucket), as upstream.
    expect(histogramQuantile(0.95, new Map([[0.1, 5]]))).toBeNaN();
    expect(histogramQuantile(0.95, new Map([[Infinity, 5]]))).toBeNaN();
    expect(
      histogramQuantile(
        0.95,
        new Map([
          [0.1, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNaN();
    expect(
      histogramQuantile(
        1.5,
        new Map([
          [0.1, 1],
          [Infinity, 1],
        ]),
      ),
    ).toBe(Infinity);
  });

  it('weight tags and fault specs: strict grammar, located errors', () => {
    for (const ok of ['0', '10', '12.5', '100', '100.0'])
      expect(parseChallengerPercent(ok)).toEqual({ percent: Number(ok) });
    for (const bad of ['', '-1', '101', '1e2', '0x10', ' 5', 'Infinity', 'NaN', '__proto__', '50%'])
      expect(parseChallengerPercent(bad)).toHaveProperty('error');
    expect(formatChallengerPercent(25)).toBe('25');
    expect(() => formatChallengerPercent(101)).toThrow(RangeError);
    expect(parseFault('version=3,errors=0.05,latencyMs=300')).toEqual({
      version: '3',
      errors: 0.05,
      latencyMs: 300,
    });
    for (const [bad, message] of [
      ['version=3', /give errors and\/or latencyMs/],
      ['errors=0.1', /version: expected a version number/],
      ['version=3,errors=2', /errors: expected a share 0..1/],
      ['version=3,errors=0.1,errors=0.2', /errors given twice/],
      ['version=3,latencyMs=999999', /latencyMs: expected 0..60000/],
      ['version=3,__proto__=1', /is not one of them/],
      ['version=0,errors=0.1', /version: expected/],
    ] as const)
      expect(() => parseFault(bad), bad).toThrow(message);
    expect(
      () => new FaultInjector([parseFault('version=3,errors=0.1'), parseFault('version=3,latencyMs=5')]),
    ).toThrow(/given twice/);
  });

  it('injects exactly the configured share of errors, deterministically', async () => {
    const f = new FaultInjector([parseFault('version=7,errors=0.2')]);
    let failed = 0;
    for (let i = 0; i < 100; i++) await f.before('7').catch(() => failed++);
    await f.before('8');
    expect(failed).toBe(20);
    expect(f.injected('7')).toBe(20);
    expect(f.injected('8')).toBe(0);
  });

  it('mlp up --inject refuses a bad fault before starting anything', async () => {
    const r = await mlp(['up', '--inject', 'version=2,errors=5', '--state', join(tempDir(), 'state')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--inject "version=2,errors=5": errors: expected a share 0..1/);
    const help = await mlp(['up', '--help']);
    expect(help.stdout).toContain('--inject <fault>');
    expect((await mlp(['model', 'rollout', '--help'])).stdout).toContain('--max-error-ratio');
  });

  it('rollout flags and server answers are checked', async () => {
    expect(parseWeights('10, 25,50,100')).toEqual([10, 25, 50, 100]);
    for (const bad of ['', '0', '101', '10,,20', '1e1', `${'1,'.repeat(20)}1`])
      expect(() => parseWeights(bad)).toThrow(/--steps/);
    expect(() => parseServerView({ versions: 'x' })).toThrow(/not a model server answer/);
    const view = parseServerView({
      versions: [
        { alias: 'champion', version: '1' },
        { alias: '__proto__', version: '2' },
      ],
      traffic: { challenger: 25 },
    });
    expect(view.versions.get('__proto__')).toBe('2');
    expect(view.challengerPercent).toBe(25);
    for (const [args, message] of [
      [['1x'], /version: expected a version number/],
      [['2', '--interval', '5'], /--interval: expected a duration/],
      [['2', '--server', 'file:///etc/passwd'], /--server: expected http/],
      [['2', '--max-error-ratio', '2'], /--max-error-ratio/],
    ] as const) {
      const r = await mlp(['model', 'rollout', 'sentiment', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
