/**
 * Real traffic into the rendered SLI rules: the model server answers requests (some 503 while
 * no model is loaded, some 422 for invalid input, the rest 200), its /metrics scrape becomes
 * promtool input series, and the recorded availability SLI must equal the 5xx ratio sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { observability } from '../src/observability/bundle.js';
import { hasPromtool, inCi, PROMTOOL_MISSING, runPromtool } from './promtool/run.js';
import { type Platform, startPlatform, startServer } from './serving-helpers.js';

if (!hasPromtool && inCi) {
  test('promtool is installed (required under CI)', () => {
    throw new Error(PROMTOOL_MISSING);
  });
}

const SENT = { unavailable: 7, badRequest: 5, ok: 88 };

describe.skipIf(!hasPromtool)('SLI rules on a real scrape of the model server', () => {
  let platform: Platform;
  let scrape = '';
  const dir = mkdtempSync(join(tmpdir(), 'mlp-sli-'));
  beforeAll(async () => {
    platform = await startPlatform();
    const s = await startServer(platform, {}, false);
    const predict = (payload: object) => s.app.inject({ method: 'POST', url: '/predict', payload });
    for (let i = 0; i < SENT.unavailable; i++) expect((await predict({ text: 'good' })).statusCode).toBe(503);
    await s.pool.refresh();
    for (let i = 0; i < SENT.badRequest; i++) expect((await predict({ nope: 1 })).statusCode).toBe(422);
    for (let i = 0; i < SENT.ok; i++) expect((await predict({ text: `great ${i}` })).statusCode).toBe(200);
    scrape = (await s.app.inject('/metrics')).body;
    await s.app.close();
  });
  afterAll(async () => {
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('availability SLI = 5xx / all requests sent; latency SLI = share above 200 ms in the scrape', async () => {
    // Each scraped inference series: 0 at minute 0, the scraped value from minute 1 on.
    const series = scrape
      .split('\n')
      .filter((l) => l.startsWith('inference_request'))
      .map((l) => {
        const cut = l.lastIndexOf(' ');
        return { series: l.slice(0, cut), values: `0 ${l.slice(cut + 1)}x10` };
      });
    const lines = scrape.split('\n');
    const sum = (pick: (line: string) => boolean) =>
      lines.filter(pick).reduce((acc, l) => acc + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const total = sum((l) => l.startsWith('inference_request_duration_seconds_count'));
    const fast = sum(
      (l) => l.startsWith('inference_request_duration_seconds_bucket') && l.includes('le="0.2"'),
    );
    expect(total).toBe(SENT.unavailable + SENT.badRequest + SENT.ok);
    const out = observability({
      runbookBaseUrl: 'https://example.com/runbooks',
      release: 'kps',
      slos: [
        {
          name: 'sentiment',
          model: 'sentiment',
          availability: 0.999,
          latency: { objective: 0.95, thresholdMs: 200 },
        },
      ],
    });
    writeFileSync(join(dir, 'rules.yaml'), out.ruleFile);
    const expected = SENT.unavailable / (SENT.unavailable + SENT.badRequest + SENT.ok);
    const within = (expr: string, sli: string, value: number) => ({
      expr: `abs(${expr} - ${value}) < bool 1e-9`,
      eval_time: '3m',
      exp_samples: [{ labels: `{model="sentiment", sli="${sli}", slo="sentiment"}`, value: 1 }],
    });
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          name: 'availability SLI from real traffic',
          interval: '1m',
          input_series: series,
          promql_expr_test: [
            within(
              'slo:sli_error:ratio_rate5m{slo="sentiment",sli="availability"}',
              'availability',
              expected,
            ),
            within(
              'slo:sli_error:ratio_rate1h{slo="sentiment",sli="availability"}',
              'availability',
              expected,
            ),
            within(
              'slo:sli_error:ratio_rate5m{slo="sentiment",sli="latency"}',
              'latency',
              (total - fast) / total,
            ),
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'tests.yaml'), stringify(tests, { lineWidth: 0 }));
    const r = await runPromtool(dir, 'test', 'rules', 'tests.yaml');
    expect(r.status, r.output).toBe(0);
  });
});
