/**
 * Issue 10 §3 "Dashboards as code": the Grafana dashboards each environment delivers (sidecar
 * ConfigMaps), their structure, their queries through the same check rules as the alert rules,
 * planted defects with their rule ids, and the panels' numbers through the real promtool.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDashboard } from '@grafana/schema';
import ts from 'typescript';
import { afterAll, describe, expect, test } from 'vitest';
import { runChecks } from '../src/check/run.js';
import { kubePrometheusStack } from '../src/engines/kube-prometheus-stack.js';
import { renderTree } from '../src/gitops/render.js';
import type { K8sObject } from '../src/k8s/object.js';
import { observability } from '../src/observability/bundle.js';
import {
  checkMetricsExported,
  checkPromqlParse,
  RULE_EXPORTED,
  RULE_PARSE,
} from '../src/observability/checks.js';
import {
  checkDashboards,
  checkLogqlParse,
  RULE_DASHBOARD,
  RULE_LOGQL,
} from '../src/observability/dashboards/checks.js';
import { exported } from '../src/observability/dashboards/exported.js';
import {
  dashboardQueries,
  interpolate,
  labelValuesSelector,
} from '../src/observability/dashboards/extract.js';
import { SCHEMA_VERSION } from '../src/observability/dashboards/grafana.js';
import {
  DASHBOARD_LABEL,
  DASHBOARD_LABEL_VALUE,
  dashboardConfigMaps,
  dashboardJson,
  dashboards,
} from '../src/observability/dashboards/index.js';
import { checkLogql } from '../src/observability/dashboards/logql.js';
import { MAX_EXPRESSION_LENGTH, parsePromql } from '../src/observability/promql.js';
import { RECORD_BUDGET_REMAINING, RECORD_ERROR_RATIO } from '../src/observability/slo.js';
import { allObjects, type Component } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, ROOT } from './helpers.js';
import { hasPromtool, inCi, PROMTOOL_MISSING } from './promtool/run.js';

// biome-ignore lint/suspicious/noExplicitAny: reading nested dashboard JSON in assertions
type Any = any;

const spec = exampleSpec();
const ENVS = ['local', 'dev', 'staging', 'prod'] as const;
const env = (name: (typeof ENVS)[number]) => spec.environments.get(name)!;
const dashboardsFile = (cs: readonly Component[]) =>
  cs.find((c) => c.name === 'observability')!.files.find((f) => f.name === 'dashboards.yaml')!;
const jsonOf = (cm: K8sObject): Any => {
  const data = (cm as Any).data as Record<string, string>;
  expect(Object.keys(data)).toHaveLength(1);
  return JSON.parse(Object.values(data)[0]!);
};
const prod = synthesize(env('prod'));
const prodObjects = allObjects(prod);
const prodMaps = dashboardsFile(prod).objects;
const prodDashboards = prodMaps.map(jsonOf);
const byUid = (uid: string): Any => prodDashboards.find((d) => d.uid === uid);
const statusOf = (fs: readonly { status: string }[]) => [...new Set(fs.map((f) => f.status))];

/** One sidecar ConfigMap holding `json` (a dashboard object or raw text), for planted defects. */
function planted(json: unknown, name = 'planted', key = 'planted.json'): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'monitoring', labels: { [DASHBOARD_LABEL]: DASHBOARD_LABEL_VALUE } },
    data: { [key]: typeof json === 'string' ? json : JSON.stringify(json) },
  } as K8sObject;
}

/** A minimal valid dashboard with one panel per given target. */
function dash(
  targets: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    uid: 'planted',
    title: 'Planted',
    schemaVersion: SCHEMA_VERSION,
    templating: { list: [] },
    panels: targets.map((t, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: `p${i}`,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      datasource: t.datasource ?? { type: 'prometheus', uid: 'prometheus' },
      targets: [{ refId: 'A', ...t }],
    })),
    ...extra,
  };
}
const loki = { type: 'loki', uid: 'loki' };

describe('delivery: ConfigMaps the Grafana sidecar loads', () => {
  test('every environment renders dashboards.yaml in the observability component, in the monitoring namespace', () => {
    for (const name of ENVS) {
      const file = dashboardsFile(synthesize(env(name)));
      const uids = file.objects.map((o) => jsonOf(o).uid);
      expect(uids, name).toEqual([
        'mlp-platform-overview',
        'mlp-model-serving',
        'mlp-slos',
        'mlp-data-services',
        'mlp-logs',
      ]);
      for (const o of file.objects) {
        expect(o.kind).toBe('ConfigMap');
        expect(o.metadata.namespace).toBe(env(name).platform.monitoringNamespace);
      }
    }
  });

  test("the label is the one kube-prometheus-stack's sidecar selects (engine values)", () => {
    const sidecar = (kubePrometheusStack.values(env('prod')) as Any).grafana.sidecar.dashboards;
    expect(sidecar.enabled).toBe(true);
    for (const cm of prodMaps) expect(cm.metadata.labels?.[sidecar.label]).toBe(sidecar.labelValue);
    expect([sidecar.label, sidecar.labelValue]).toEqual([DASHBOARD_LABEL, DASHBOARD_LABEL_VALUE]);
  });

  test('deterministic: same input, same bytes; keys sorted; uids and JSON the same in every environment', () => {
    const a = renderTree(synthesize(env('staging')));
    const b = renderTree(synthesize(env('staging')));
    const key = [...a.keys()].find((k) => k.endsWith('observability/dashboards.yaml'))!;
    expect(key).toBeDefined();
    expect(a.get(key)).toBe(b.get(key));
    // Serialization is a fixpoint: keys already sorted, two-space indent, final newline.
    for (const cm of prodMaps) {
      const text = Object.values((cm as Any).data)[0] as string;
      expect(text).toBe(dashboardJson(JSON.parse(text)));
      expect(text.endsWith('}\n')).toBe(true);
    }
    // The serving dashboard reads no environment data: byte-identical across environments.
    const serving = (cs: readonly Component[]) =>
      dashboardsFile(cs).objects.find((o) => o.metadata.name === 'grafana-dashboard-model-serving') as Any;
    expect(serving(synthesize(env('local'))).data).toEqual(serving(prod).data);
  });

  test("schemaVersion is @grafana/schema 13.2.3's (the runtime package, not a copy)", () => {
    expect(defaultDashboard.schemaVersion).toBe(SCHEMA_VERSION);
    for (const d of prodDashboards) expect(d.schemaVersion).toBe(defaultDashboard.schemaVersion);
  });

  test('a dashboard too large for a ConfigMap Argo CD applies is refused at synthesis', () => {
    const [big] = dashboards({ teams: ['t'], logNamespaces: ['t'], slos: [] });
    const huge = { ...big!, description: 'x'.repeat(300_000) };
    expect(() => dashboardConfigMaps([huge], { namespace: 'monitoring' })).toThrow(/bytes of JSON/);
  });
});

describe('structure Grafana loads (checked here independently of the rule, and by the rule)', () => {
  test.each(prodDashboards.map((d) => [d.uid, d]))('%s', (_uid, d: Any) => {
    expect(d.title).toMatch(/^MLP \/ /);
    expect(d.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(Array.isArray(d.panels) && d.panels.length).toBeGreaterThan(0);
    const ids = d.panels.map((p: Any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of d.panels) {
      expect(typeof p.type).toBe('string');
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(p.gridPos.h).toBeGreaterThan(0);
      expect(['prometheus', 'loki']).toContain(p.datasource.uid);
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets) {
        expect(t.datasource).toEqual(p.datasource);
        expect(t.expr.trim()).not.toBe('');
      }
      expect(new Set(p.targets.map((t: Any) => t.refId)).size).toBe(p.targets.length);
    }
    // No two panels overlap on the grid.
    for (const [i, p] of d.panels.entries())
      for (const q of d.panels.slice(i + 1)) {
        const apart =
          p.gridPos.x + p.gridPos.w <= q.gridPos.x ||
          q.gridPos.x + q.gridPos.w <= p.gridPos.x ||
          p.gridPos.y + p.gridPos.h <= q.gridPos.y ||
          q.gridPos.y + q.gridPos.h <= p.gridPos.y;
        expect(apart, `${p.title} / ${q.title}`).toBe(true);
      }
    const names = d.templating.list.map((v: Any) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of d.templating.list) {
      expect(v.name).toMatch(/^\w+$/);
      expect(['custom', 'query']).toContain(v.type);
      // Every variable a query uses is defined (and every defined one is used).
      const used =
        JSON.stringify(d.panels).includes(`$${v.name}`) ||
        JSON.stringify(d.templating).includes(`$${v.name}"`);
      expect(used, v.name).toBe(true);
    }
  });

  test("the delivered JSON type-checks against @grafana/schema's Dashboard (the TypeScript compiler on the rendered text)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlp-dash-types-'));
    try {
      const typo = structuredClone(prodDashboards[0]);
      typo.panels[0].gridpos = typo.panels[0].gridPos;
      const texts = [
        ...prodMaps.map((cm) => Object.values((cm as Any).data)[0] as string),
        dashboardJson(typo),
      ];
      // String enums of the schema take their members, not the plain strings JSON has.
      const source = `import { type Dashboard, ThresholdsMode } from '@grafana/schema';\n${texts
        .map(
          (t, i) =>
            `export const d${i}: Dashboard = ${t.replaceAll('"mode": "absolute"', '"mode": ThresholdsMode.Absolute')};`,
        )
        .join('\n')}\n`;
      const file = join(dir, 'dashboards.ts');
      writeFileSync(file, source);
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        paths: { '@grafana/schema': [join(ROOT, 'node_modules/@grafana/schema/dist/types/index.d.ts')] },
      });
      const problems = ts.getPreEmitDiagnostics(program).map((d) => ({
        line: d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line : -1,
        text: ts.flattenDiagnosticMessageText(d.messageText, ' '),
      }));
      // Only the planted typo fails, and it is found: the compiler really judges.
      const typoLine = source
        .split('\n')
        .findIndex((l) => l.startsWith(`export const d${texts.length - 1}:`));
      expect(problems.length, JSON.stringify(problems)).toBe(1);
      expect(problems[0]!.line).toBeGreaterThanOrEqual(typoLine);
      expect(problems[0]!.text).toContain("'\"gridpos\"' does not exist in type 'Panel");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('the check rules pass on the rendered tree of every environment', () => {
    for (const name of ENVS) {
      const objects = allObjects(synthesize(env(name)));
      for (const f of [
        ...checkPromqlParse(objects),
        ...checkMetricsExported(objects),
        ...checkLogqlParse(objects),
        ...checkDashboards(objects),
      ])
        expect(f.status, `${name} ${f.ruleId} ${f.path} ${f.message}`).toBe('pass');
    }
  });

  test('every panel query is one the rules saw: PromQL targets parse, LogQL targets parse with lezer-logql', () => {
    const queries = [...dashboardQueries(prodObjects)];
    const promql = queries.filter((q) => q.language === 'promql');
    const logql = queries.filter((q) => q.language === 'logql');
    const targets = prodDashboards.flatMap((d) => d.panels.flatMap((p: Any) => p.targets));
    const variables = prodDashboards.flatMap((d) => d.templating.list.filter((v: Any) => v.type === 'query'));
    expect(promql.length + logql.length).toBe(targets.length + variables.length);
    expect(logql.length).toBe(targets.filter((t: Any) => t.datasource.uid === 'loki').length);
    expect(logql.length).toBeGreaterThanOrEqual(3);
    for (const q of promql) expect(parsePromql(q.interpolated!).errors, q.what).toEqual([]);
    for (const q of logql) expect(checkLogql(q.interpolated!), q.what).toEqual([]);
    // Grafana's interval variables are replaced before parsing (lezer has no `$`).
    expect(promql.some((q) => (q.expr as string).includes('$__rate_interval'))).toBe(true);
    expect(logql.every((q) => !q.interpolated!.includes('$'))).toBe(true);
  });
});

describe('what the dashboards show', () => {
  test('platform: quota used vs hard per team, with the team variable over the spec teams', () => {
    const d = byUid('mlp-platform-overview');
    const team = d.templating.list.find((v: Any) => v.name === 'team');
    expect(team.query.split(',')).toEqual(
      env('prod')
        .teams.map((t) => t.name)
        .sort(),
    );
    const exprs = d.panels.flatMap((p: Any) => p.targets.map((t: Any) => t.expr)).join('\n');
    expect(exprs).toContain('kube_resourcequota{namespace=~"$team",type="used"}');
    expect(exprs).toContain('kube_resourcequota{namespace=~"$team",type="hard"}');
    expect(exprs).toContain('resource="nvidia_com_gpu"');
    // Panels on series the catalogue lacks are left out, and appear once it lists them.
    const titles = d.panels.map((p: Any) => p.title);
    expect(titles.includes('Pods by phase')).toBe(exported('kube_pod_status_phase'));
    expect(titles.includes('GPUs requested / allocatable (cluster)')).toBe(
      exported('kube_node_status_allocatable'),
    );
  });

  test('serving: champion and challenger side by side (same row, left and right), RED from the labels the server emits', () => {
    const d = byUid('mlp-model-serving');
    const champion = d.panels.filter((p: Any) => p.title.startsWith('Champion'));
    const challenger = d.panels.filter((p: Any) => p.title.startsWith('Challenger'));
    expect(champion).toHaveLength(3);
    expect(challenger).toHaveLength(3);
    for (const [i, c] of champion.entries()) {
      const o = challenger[i];
      expect([c.gridPos.x, o.gridPos.x]).toEqual([0, 12]);
      expect(c.gridPos.y).toBe(o.gridPos.y);
      expect(c.targets.map((t: Any) => t.expr.replaceAll('$champion', '$challenger'))).toEqual(
        o.targets.map((t: Any) => t.expr),
      );
      expect(c.targets.every((t: Any) => t.expr.includes('version="$champion"'))).toBe(true);
    }
    // Defaults without a saved selection: the oldest version as champion, the newest as challenger.
    const sortOf = (n: string) => d.templating.list.find((v: Any) => v.name === n).sort;
    expect([sortOf('champion'), sortOf('challenger')]).toEqual([3, 4]);
    const exprs = JSON.stringify(d.panels);
    expect(exprs).toContain('code=~\\"5..\\"');
    expect(exprs).not.toContain('status');
  });

  test('SLOs: budget and burn rate read the recording rules slo.ts emits; no SLOs, no SLO dashboard', () => {
    const d = byUid('mlp-slos');
    const recorded = new Set(
      prodObjects
        .filter((o) => o.kind === 'PrometheusRule')
        .flatMap((o) => (o as Any).spec.groups.flatMap((g: Any) => g.rules.map((r: Any) => r.record)))
        .filter(Boolean),
    );
    const metrics = d.panels.flatMap((p: Any) =>
      p.targets.flatMap((t: Any) => parsePromql(t.expr).selectors.map((s) => s.metric)),
    );
    expect(metrics).toContain(RECORD_BUDGET_REMAINING);
    expect(metrics).toContain(`${RECORD_ERROR_RATIO}1h`);
    for (const m of metrics) expect(recorded.has(m), m).toBe(true);
    // sentiment: availability and latency → 3 panels each.
    expect(d.panels).toHaveLength(6);
    expect(dashboards({ teams: ['a'], logNamespaces: ['a'], slos: [] }).map((x) => x.uid)).not.toContain(
      'mlp-slos',
    );
  });

  test('logs: LogQL error rate on the Loki datasource uid loki', () => {
    const d = byUid('mlp-logs');
    for (const p of d.panels) expect(p.datasource).toEqual(loki);
    expect(d.panels[0].targets[0].expr).toMatch(/^sum by \(namespace\) \(rate\(\{namespace=~"\$namespace"\}/);
  });
});

describe('planted defects fail with their own rule id', () => {
  const good = { expr: 'sum(rate(inference_requests_total[5m]))' };

  test('an unparsable panel expression: observability.promql-parse, located at the target', () => {
    const f = checkPromqlParse([planted(dash([good, { expr: 'sum(rate(inference_requests_total[5m])' }]))]);
    expect(f).toEqual([
      expect.objectContaining({
        ruleId: RULE_PARSE,
        status: 'fail',
        resource: 'ConfigMap/monitoring/planted',
        path: 'data["planted.json"].panels[1].targets[0].expr',
      }),
    ]);
    expect(f[0]!.message).toContain('panel "p1" target A');
  });

  test("the seed's `status` label on the model server's counter: observability.metric-exported", () => {
    const f = checkMetricsExported([
      planted(dash([{ expr: 'sum(rate(inference_requests_total{status="success"}[$__rate_interval]))' }])),
    ]);
    expect(f).toEqual([expect.objectContaining({ ruleId: RULE_EXPORTED, status: 'fail' })]);
    expect(f[0]!.message).toMatch(/inference_requests_total\{status="success"\} selects nothing/);
    expect(f[0]!.message).toContain('code');
  });

  test('a metric nobody exports, in a panel or a label_values variable: observability.metric-exported', () => {
    const variable = {
      name: 'v',
      type: 'query',
      datasource: { type: 'prometheus', uid: 'prometheus' },
      query: 'label_values(http_requests_total, handler)',
    };
    const f = checkMetricsExported([
      planted(
        dash([{ expr: 'rate(nope_total[5m]) + 0 * count(up{job="$v"})' }], {
          templating: { list: [variable] },
        }),
      ),
    ]);
    expect(f.map((x) => [x.ruleId, x.status, x.path])).toEqual([
      [RULE_EXPORTED, 'fail', 'data["planted.json"].panels[0].targets[0].expr'],
      [RULE_EXPORTED, 'fail', 'data["planted.json"].templating.list[0].query'],
    ]);
  });

  test('LogQL: grammar errors, no stream selector, and selectors Loki refuses as empty-compatible: observability.logql-parse', () => {
    const bad = [
      '{namespace="a"',
      'rate(foo[5m])',
      '',
      '{namespace=~".*"} |= "error"',
      'sum(count_over_time({app=""}[5m]))',
    ];
    const f = checkLogqlParse([
      planted(dash([...bad.map((expr) => ({ expr, datasource: loki })), { datasource: loki }])),
    ]);
    expect(f).toHaveLength(bad.length + 1);
    for (const x of f) expect([x.ruleId, x.status]).toEqual([RULE_LOGQL, 'fail']);
    expect(f[3]!.message).toContain('empty-compatible');
    expect(f[5]!.message).toContain('expected a LogQL query string');
    // Loki's own examples and the forms the dashboards use pass.
    for (const ok of [
      '{app=~".+"}',
      '{app!=""}',
      '{app="a", env=~".*"} | json | __error__="" | level >= 50',
      'sum by (namespace) (count_over_time({namespace=~"(a|b)"} |~ `(?i)\\berror\\b` [5m]))',
    ])
      expect(checkLogql(ok), ok).toEqual([]);
    // A PromQL panel is not LogQL's business, and the other way round.
    expect(checkLogqlParse([planted(dash([good]))])[0]!.status).toBe('pass');
  });

  test('structure: not JSON, duplicate panel ids, a panel off the grid, an unknown datasource, an undefined variable, duplicate uids', () => {
    const twoSame = dash([good, good]);
    (twoSame.panels as Any)[1].id = 1;
    (twoSame.panels as Any)[0].gridPos = { h: 8, w: 20, x: 10, y: 0 };
    const f = checkDashboards([
      planted('{"uid": "x", "panels": ['),
      planted(twoSame, 'twice'),
      planted(
        dash([{ expr: 'up{job="$nope"}', datasource: { type: 'prometheus', uid: 'prom-typo' } }]),
        'again',
      ),
    ]);
    expect(statusOf(f)).toEqual(['fail']);
    expect([...new Set(f.map((x) => x.ruleId))]).toEqual([RULE_DASHBOARD]);
    const msgs = f.map((x) => `${x.resource} ${x.path}: ${x.message}`).join('\n');
    expect(msgs).toContain(
      'ConfigMap/monitoring/planted data["planted.json"]: Grafana cannot load this dashboard: not JSON',
    );
    expect(msgs).toContain('id 1 is also the id of panels[0]');
    expect(msgs).toMatch(/panels\[0\]\.gridPos: .*inside the 24 columns/);
    expect(msgs).toContain('datasource uid "prom-typo" is not provisioned');
    expect(msgs).toContain('$nope, which the dashboard does not define');
    expect(msgs).toContain('uid planted is also the uid of ConfigMap/monitoring/twice');
  });

  test('variables: bad names, unknown types, label_values on a label the metric lacks', () => {
    const list = [
      { name: '__x', type: 'custom', query: 'a' },
      { name: 'ok', type: 'bogus', query: 'a' },
      { name: 'ok', type: 'custom', query: 'a' },
      {
        name: 'ver',
        type: 'query',
        datasource: { type: 'prometheus', uid: 'prometheus' },
        query: 'label_values(inference_requests_total, status)',
      },
      {
        // The object form Grafana 10+ saves.
        name: 'obj',
        type: 'query',
        datasource: { type: 'prometheus', uid: 'prometheus' },
        query: {
          qryType: 1,
          query: 'label_values(kube_resourcequota, team)',
          refId: 'PrometheusVariableQueryEditor-VariableQuery',
        },
      },
    ];
    const msgs = checkDashboards([planted(dash([good], { templating: { list } }))]).map((x) => x.message);
    expect(msgs).toEqual([
      expect.stringContaining('expected a variable name of word characters'),
      expect.stringContaining('unknown type "bogus"'),
      expect.stringContaining('variable ok is defined twice'),
      expect.stringContaining('label_values reads label status that inference_requests_total does not carry'),
      expect.stringContaining('label_values reads label team that kube_resourcequota does not carry'),
    ]);
  });

  test('hostile input: prototype keys, absurd nesting, huge text, non-string data — findings, never a crash', () => {
    const proto = planted(
      '{"__proto__": {"polluted": 1}, "constructor": {}, "uid": "p", "title": "t", "schemaVersion": 42, "panels": [{"__proto__": 1}]}',
      'proto',
      '__proto__',
    );
    const deep = planted(`${'['.repeat(200_000)}${']'.repeat(200_000)}`, 'deep');
    const huge = planted(`"${'x'.repeat(1024 * 1024 + 1)}"`, 'huge');
    const notString = { ...planted('{}', 'ns'), data: { 'a.json': 42 } } as unknown as K8sObject;
    const objects = [proto, deep, huge, notString];
    const f = checkDashboards(objects);
    expect(({} as Any).polluted).toBeUndefined();
    const by = (n: string) =>
      f.filter((x) => x.resource === `ConfigMap/monitoring/${n}`).map((x) => x.message);
    expect(by('proto').join('\n')).toContain('expected a positive integer id');
    expect(by('deep').join('\n')).toMatch(/Grafana cannot load this dashboard/);
    expect(by('huge').join('\n')).toContain('larger than a ConfigMap may be');
    expect(by('ns').join('\n')).toContain('received number');
    expect(() => [
      checkPromqlParse(objects),
      checkMetricsExported(objects),
      checkLogqlParse(objects),
    ]).not.toThrow();
  });

  test('runChecks (what `mlp check` runs) reports a planted dashboard defect under each rule id', async () => {
    const objects = [
      ...prodObjects,
      planted(
        dash([
          { expr: 'sum(rate(inference_requests_total{status="200"}[5m]))' },
          { expr: 'rate(x[5m]' },
          { expr: '{namespace=~".*"}', datasource: loki },
        ]),
      ),
    ];
    const report = await runChecks(objects, env('prod'));
    const failing = new Set(report.findings.filter((f) => f.status === 'fail').map((f) => f.ruleId));
    for (const id of [RULE_EXPORTED, RULE_PARSE, RULE_LOGQL]) expect(failing.has(id), id).toBe(true);
  }, 120_000);
});

describe('interpolation as Grafana does before sending a query', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template
  test('built-in intervals, $var, ${var}, ${var:format}, [[var]]; unknown ones stay', () => {
    const vars = new Map([['team', '(a|b)']]);
    expect(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template
      interpolate('rate(x{ns=~"$team"}[$__rate_interval]) ${team} ${team:regex} [[team]] $other', vars),
    ).toBe('rate(x{ns=~"(a|b)"}[5m]) (a|b) (a|b) (a|b) $other');
    // A huge variable referenced many times stops just past the parsers' limit.
    const big = interpolate('$v '.repeat(10_000), new Map([['v', 'x'.repeat(100_000)]]));
    expect(big.length).toBe(MAX_EXPRESSION_LENGTH + 1);
    expect(parsePromql(big).errors[0]!.message).toContain('longer than');
    expect(checkLogql(big)[0]!.message).toContain('longer than');
    expect(labelValuesSelector('label_values(inference_requests_total{model="$model"}, version)')).toBe(
      'inference_requests_total{model="$model"}',
    );
    expect(labelValuesSelector('label_values(model)')).toBeUndefined();
  });
});

/**
 * The panels' numbers through the real Prometheus engine: promtool evaluates the serving and SLO
 * panel queries (variables set as a user would) on series with a known error ratio.
 */
if (!hasPromtool && inCi)
  test('promtool is installed (required under CI)', () => {
    throw new Error(PROMTOOL_MISSING);
  });

describe.skipIf(!hasPromtool)('promtool evaluates the panel queries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlp-dash-promtool-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('challenger 5xx ratio 10 %, champion 0 %, quota 50 %, SLO burn rate = error ratio / budget', () => {
    const slos = [{ name: 'sentiment', model: 'sentiment', availability: 0.99 }];
    const out = observability({ runbookBaseUrl: 'https://x/runbooks', release: 'kps', slos });
    const [platform, serving, slo] = dashboards({ teams: ['ml-team'], logNamespaces: ['ml-team'], slos });
    const vars = new Map([
      ['model', 'sentiment'],
      ['champion', '1'],
      ['challenger', '2'],
      ['team', 'ml-team'],
    ]);
    const exprOf = (d: Any, title: string, ref = 0) =>
      interpolate(d.panels.find((p: Any) => p.title === title).targets[ref].expr, vars);
    // 60 requests/min per version; version 2 fails 6 of them with a 503.
    const series = [
      { series: 'inference_requests_total{model="sentiment",version="1",code="200"}', values: '0+60x120' },
      { series: 'inference_requests_total{model="sentiment",version="2",code="200"}', values: '0+54x120' },
      { series: 'inference_requests_total{model="sentiment",version="2",code="503"}', values: '0+6x120' },
      {
        series:
          'kube_resourcequota{namespace="ml-team",resourcequota="q",resource="requests.cpu",type="used"}',
        values: '4x120',
      },
      {
        series:
          'kube_resourcequota{namespace="ml-team",resourcequota="q",resource="requests.cpu",type="hard"}',
        values: '8x120',
      },
    ];
    const at = '100m';
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          promql_expr_test: [
            {
              expr: exprOf(serving, 'Challenger ($challenger): 5xx ratio'),
              eval_time: at,
              exp_samples: [{ labels: '{version="2"}', value: 0.1 }],
            },
            {
              expr: exprOf(serving, 'Champion ($champion): 5xx ratio'),
              eval_time: at,
              // No 5xx series for the champion (prom-client creates none until one is counted): 0, not "No data".
              exp_samples: [{ labels: '{version="1"}', value: 0 }],
            },
            {
              expr: exprOf(serving, 'Requests/s per model and version'),
              eval_time: at,
              exp_samples: [
                { labels: '{model="sentiment",version="1"}', value: 1 },
                { labels: '{model="sentiment",version="2"}', value: 1 },
              ],
            },
            {
              expr: exprOf(platform, 'Quota used / hard per team'),
              eval_time: at,
              exp_samples: [{ labels: '{namespace="ml-team",resource="requests.cpu"}', value: 0.5 }],
            },
            {
              // Overall ratio 6/120 = 5 %, budget 1 % → burn rate 5 over the 1h window.
              expr: exprOf(slo, 'sentiment availability: burn rate', 0),
              eval_time: at,
              exp_samples: [{ labels: '{model="sentiment",sli="availability",slo="sentiment"}', value: 5 }],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'rules.yaml'), out.ruleFile);
    writeFileSync(join(dir, 'tests.yaml'), JSON.stringify(tests));
    const r = spawnSync('promtool', ['test', 'rules', 'tests.yaml'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // The tool is really judging: a wrong expectation fails.
    tests.tests[0]!.promql_expr_test[0]!.exp_samples = [{ labels: '{version="2"}', value: 0.2 }];
    writeFileSync(join(dir, 'tests.yaml'), JSON.stringify(tests));
    const wrong = spawnSync('promtool', ['test', 'rules', 'tests.yaml'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(wrong.status).not.toBe(0);
  }, 150_000);
});
