/**
 * The generated rules through the real Prometheus tooling: `promtool check rules` (syntax,
 * lint) and `promtool test rules` (each alert fires on a series that should page and stays
 * silent on one that should not, burn-rate window edges, quiet services, SLI values).
 * promtool is Debian's `prometheus` package; without it the suite skips here and FAILS in CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { observability } from '../src/observability/bundle.js';
import { ruleFileYaml } from '../src/observability/prometheus-rule.js';
import { EXPR_CASES, PLATFORM_ALERT_CASES, SLO_ALERT_CASES, TEST_SLOS } from './promtool/cases.js';
import { alertIndex, promtoolTests } from './promtool/generate.js';
import { hasPromtool, inCi, PROMTOOL_MISSING, runPromtool } from './promtool/run.js';

const BASE = 'https://git.example.com/platform/runbooks';

if (!hasPromtool && inCi) {
  test('promtool is installed (required under CI)', () => {
    throw new Error(PROMTOOL_MISSING);
  });
} else if (!hasPromtool) {
  console.warn(`skipping observability-promtool: ${PROMTOOL_MISSING}`);
}

const out = observability({ runbookBaseUrl: BASE, release: 'kube-prometheus-stack', slos: TEST_SLOS });
const ALERT_CASES = [...PLATFORM_ALERT_CASES, ...SLO_ALERT_CASES];

describe('promtool test cases cover every alert', () => {
  test('each alert has a case where it fires and one where it stays silent', () => {
    const missing: string[] = [];
    for (const name of alertIndex(out.groups, BASE).keys()) {
      const fires = ALERT_CASES.some((c) => (c.expect[name]?.length ?? 0) > 0);
      const silent = ALERT_CASES.some((c) => c.expect[name]?.length === 0);
      if (!fires) missing.push(`${name}: no firing case`);
      if (!silent) missing.push(`${name}: no silent case`);
    }
    expect(missing).toEqual([]);
  });
});

describe.skipIf(!hasPromtool)('promtool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlp-promtool-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) =>
    spawnSync('promtool', args, { cwd: dir, encoding: 'utf8', timeout: 240_000 });
  const runAsync = (...args: string[]) => runPromtool(dir, ...args);

  test('check rules: the rendered rule file passes syntax and lint', () => {
    writeFileSync(join(dir, 'rules.yaml'), out.ruleFile);
    const r = run('check', 'rules', 'rules.yaml');
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  test('check rules: each PrometheusRule spec passes on its own', () => {
    for (const [i, o] of out.prometheusRules.entries()) {
      const file = `prometheusrule-${i}.yaml`;
      writeFileSync(join(dir, file), JSON.stringify(o.spec));
      const r = run('check', 'rules', file);
      expect(r.status, `${o.metadata.name}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  test('check rules catches a broken expression (the tool is really judging)', () => {
    writeFileSync(
      join(dir, 'broken.yaml'),
      'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: rate(x[5m]\n',
    );
    const r = run('check', 'rules', 'broken.yaml');
    expect(r.status).not.toBe(0);
  });

  test(`test rules: ${ALERT_CASES.length} alert cases and ${EXPR_CASES.length} recording-rule cases pass`, async () => {
    // Each test group loads only the rules it is about (promtool evaluates every loaded rule at
    // every step), and the SLO cases, the long ones, are split over two promtool processes.
    const platform = out.groups.filter((g) => g.name === 'mlp-platform');
    const slo = out.groups.filter((g) => g.name !== 'mlp-platform');
    writeFileSync(join(dir, 'platform.yaml'), ruleFileYaml(platform, BASE));
    writeFileSync(join(dir, 'slo.yaml'), ruleFileYaml(slo, BASE));
    const half = <T>(list: readonly T[], i: number) => list.filter((_, j) => j % 2 === i);
    const files = {
      'tests-platform.yaml': promtoolTests('platform.yaml', platform, BASE, PLATFORM_ALERT_CASES, []),
      'tests-slo-0.yaml': promtoolTests('slo.yaml', slo, BASE, half(SLO_ALERT_CASES, 0), half(EXPR_CASES, 0)),
      'tests-slo-1.yaml': promtoolTests('slo.yaml', slo, BASE, half(SLO_ALERT_CASES, 1), half(EXPR_CASES, 1)),
    };
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    const results = await Promise.all(Object.keys(files).map((f) => runAsync('test', 'rules', f)));
    for (const r of results) {
      expect(r.status, r.output).toBe(0);
      expect(r.output).toContain('SUCCESS');
    }
  }, 300_000);

  test('test rules fails when an expectation is wrong (no test that cannot fail)', () => {
    const wrong = PLATFORM_ALERT_CASES.filter((c) => c.name.startsWith('2 of 5 nodes')).map((c) => ({
      ...c,
      expect: { NodesNotReady: [] },
    }));
    writeFileSync(join(dir, 'rules.yaml'), out.ruleFile);
    writeFileSync(join(dir, 'wrong.yaml'), promtoolTests('rules.yaml', out.groups, BASE, wrong, []));
    const r = run('test', 'rules', 'wrong.yaml');
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('NodesNotReady');
  });
});
