/** Issue 10 §1–§3 (first slice): kube-prometheus-stack, the observability component, runbooks, checks. */
import { describe, expect, it } from 'vitest';
import { checkCrdWaves } from '../src/check/delivery.js';
import { RULE_REACHABLE, RULE_SELECTS } from '../src/check/observability-scrape.js';
import { runChecks } from '../src/check/run.js';
import { KUBE_PROMETHEUS_STACK, kubePrometheusStack } from '../src/engines/kube-prometheus-stack.js';
import { renderTree } from '../src/gitops/render.js';
import type { K8sObject } from '../src/k8s/object.js';
import { RULE_EXPORTED, RULE_PARSE, RULE_RUNBOOK } from '../src/observability/checks.js';
import { RULE_DASHBOARD, RULE_LOGQL } from '../src/observability/dashboards/checks.js';
import type { ResolvedEnvironment } from '../src/spec/model.js';
import { allObjects, type Component, layoutOf } from '../src/synth/component.js';
import { runbookFiles } from '../src/synth/observability.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, mlp } from './helpers.js';

const spec = exampleSpec();
const env = (name: 'local' | 'dev' | 'staging' | 'prod') => spec.environments.get(name)!;
const component = (cs: readonly Component[], name: string) => cs.find((c) => c.name === name)!;
// biome-ignore lint/suspicious/noExplicitAny: reading nested rendered fields in assertions
type Any = any;

const rulesOf = (objects: readonly K8sObject[]) =>
  objects
    .filter((o) => o.kind === 'PrometheusRule')
    .flatMap((o) => (o as Any).spec.groups.flatMap((g: Any) => g.rules as Any[]));

describe('kube-prometheus-stack values', () => {
  it('retention per environment, HA in prod only', () => {
    const v = (e: ResolvedEnvironment) => kubePrometheusStack.values(e) as Any;
    expect(v(env('local')).prometheus.prometheusSpec).toMatchObject({ retention: '2d', replicas: 1 });
    expect(v(env('dev')).prometheus.prometheusSpec.retention).toBe('7d');
    expect(v(env('staging')).prometheus.prometheusSpec.retention).toBe('15d');
    expect(v(env('prod')).prometheus.prometheusSpec).toMatchObject({ retention: '30d', replicas: 2 });
    expect(v(env('prod')).alertmanager.alertmanagerSpec.replicas).toBe(2);
    expect(v(env('local')).grafana.sidecar.dashboards).toMatchObject({
      enabled: true,
      label: 'grafana_dashboard',
    });
    for (const k of ['kubeEtcd', 'kubeScheduler', 'kubeControllerManager', 'kubeProxy'])
      expect(v(env('prod'))[k], k).toEqual({ enabled: false });
  });

  it("Prometheus selects rules by the release label the rules carry, and the release is the engine's name", () => {
    const ps = (kubePrometheusStack.values(env('prod')) as Any).prometheus.prometheusSpec;
    const prod = synthesize(env('prod'));
    const app = component(prod, KUBE_PROMETHEUS_STACK).files[0]!.objects[0] as Any;
    expect(app.spec.source.helm.releaseName).toBe(KUBE_PROMETHEUS_STACK);
    const rules = component(prod, 'observability')
      .files.flatMap((f) => f.objects)
      .filter((o) => o.kind === 'PrometheusRule');
    expect(rules.length).toBeGreaterThan(1);
    for (const r of rules) {
      for (const [k, v] of Object.entries(ps.ruleSelector.matchLabels))
        expect(r.metadata.labels?.[k]).toBe(v);
      expect(r.metadata.namespace).toBe('monitoring');
    }
    expect(ps.ruleSelectorNilUsesHelmValues).toBe(false);
  });
});

describe('observability component and runbooks', () => {
  const prod = synthesize(env('prod'));
  const tree = renderTree(prod);

  it('PrometheusRules come in a later wave than the engine that serves their kind (delivery.crd-wave)', () => {
    expect(component(prod, 'observability').wave).toBeGreaterThan(
      component(prod, KUBE_PROMETHEUS_STACK).wave,
    );
    expect(checkCrdWaves(layoutOf(prod)).every((f) => f.status === 'pass')).toBe(true);
    // Planted: the rules in the engine's own wave fail the delivery proof.
    const moved = prod.map((c) => (c.name === 'observability' ? { ...c, wave: -2 } : c));
    const fails = checkCrdWaves(layoutOf(moved)).filter((f) => f.status === 'fail');
    expect(fails.length).toBeGreaterThan(0);
    expect([...new Set(fails.map((f) => f.ruleId))]).toEqual(['delivery.crd-wave']);
    expect(fails[0]!.message).toContain('PrometheusRule');
  });

  it('writes one runbook per alert verbatim under runbooks/, not applied, linked by runbook_url', () => {
    const alerts = rulesOf(allObjects(prod)).filter((r) => r.alert);
    const names = [...new Set(alerts.map((r) => `${r.alert}.md`))].sort();
    expect(runbookFiles(prod)).toEqual(names);
    expect(names).toContain('SentimentAvailabilityBudgetBurnFast.md');
    expect(names).toContain('SentimentLatencyBudgetBurnSlow.md');
    const runbooks = component(prod, 'runbooks');
    expect(runbooks.applied).toBe(false);
    for (const f of runbooks.files) {
      expect(tree.get(`runbooks/${f.name}`)).toBe(f.text);
      expect(f.text).toMatch(/^# [A-Za-z0-9]+\n/);
    }
    expect(tree.get('kustomization.yaml')).not.toContain('runbooks');
    expect(tree.get('kustomization.yaml')).toContain('- observability');
    for (const a of alerts) expect(a.annotations.runbook_url).toBe(`gitops/prod/runbooks/${a.alert}.md`);
    // Same input, same bytes.
    expect(renderTree(synthesize(env('prod')))).toEqual(tree);
  });

  it('a text file is written byte for byte (no YAML quoting), multi-byte characters included', () => {
    const files = renderTree([
      {
        name: 'notes',
        wave: 0,
        applied: false,
        files: [{ name: 'a.md', objects: [], text: '# ü — "x": y\n' }],
      },
    ]);
    expect(files.get('notes/a.md')).toBe('# ü — "x": y\n');
  });
});

describe('mlp check: observability.* on every environment, planted defects', () => {
  it('passes on the example in all four environments with the five rules present', async () => {
    const r = await mlp(['check', '-o', 'json']);
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.stdout).reports as Any[];
    expect(reports.map((x) => x.environment)).toEqual(['local', 'dev', 'staging', 'prod']);
    for (const rep of reports) {
      const obs = rep.findings.filter((f: Any) => f.ruleId.startsWith('observability.'));
      expect(obs.map((f: Any) => [f.ruleId, f.status])).toEqual([
        [RULE_PARSE, 'pass'],
        [RULE_EXPORTED, 'pass'],
        [RULE_RUNBOOK, 'pass'],
        [RULE_SELECTS, 'pass'],
        [RULE_REACHABLE, 'pass'],
        [RULE_LOGQL, 'pass'],
        [RULE_DASHBOARD, 'pass'],
      ]);
    }
  });

  const prod = env('prod');
  const components = synthesize(prod);
  /** The tree's objects with one rule's fields replaced (a deep copy; the tree is untouched). */
  const planted = (alert: string, patch: Record<string, unknown>): K8sObject[] =>
    allObjects(components).map((o) => {
      if (o.kind !== 'PrometheusRule') return o;
      const copy = structuredClone(o) as Any;
      for (const g of copy.spec.groups)
        for (const r of g.rules) if (r.alert === alert || r.record === alert) Object.assign(r, patch);
      return copy;
    });
  const failing = async (objects: readonly K8sObject[], runbooks = runbookFiles(components)) => {
    const report = await runChecks(objects, prod, { layout: layoutOf(components), runbooks });
    return report.findings.filter((f) => f.status === 'fail' || f.status === 'error');
  };

  it('the untouched tree has no failure', async () => {
    expect(await failing(allObjects(components))).toEqual([]);
  });

  it('an unparsable expression fails observability.promql-parse', async () => {
    const f = await failing(
      planted('PodCrashLooping', { expr: 'sum(rate(kube_pod_container_status_restarts_total[5m])' }),
    );
    expect([...new Set(f.map((x) => x.ruleId))]).toEqual([RULE_PARSE]);
    expect(f[0]!.message).toContain('alert PodCrashLooping');
  });

  it('a metric nobody exports, and the seed’s status-vs-code label, fail observability.metric-exported', async () => {
    const f = await failing(planted('PodCrashLooping', { expr: 'rate(nobody_exports_this_total[5m]) > 0' }));
    expect([...new Set(f.map((x) => x.ruleId))]).toEqual([RULE_EXPORTED]);
    expect(f[0]!.message).toContain('nobody_exports_this_total');
    const label = await failing(
      planted('PodCrashLooping', { expr: 'sum(rate(inference_requests_total{status="success"}[5m])) > 0' }),
    );
    expect([...new Set(label.map((x) => x.ruleId))]).toEqual([RULE_EXPORTED]);
    expect(label[0]!.message).toContain('not status');
  });

  it('an alert without a runbook fails observability.runbook-exists, and so does a link climbing out', async () => {
    const missing = runbookFiles(components).filter((n) => n !== 'NodesNotReady.md');
    const f = await failing(allObjects(components), missing);
    expect(f.map((x) => x.ruleId)).toEqual([RULE_RUNBOOK]);
    expect(f[0]!.message).toContain('NodesNotReady');
    const out = await failing(
      planted('NodesNotReady', {
        annotations: {
          summary: 's',
          description: 'd',
          runbook_url: 'gitops/prod/runbooks/../../../etc/passwd.md',
        },
      }),
    );
    expect(out.map((x) => x.ruleId)).toEqual([RULE_RUNBOOK]);
    const none = await failing(planted('NodesNotReady', { annotations: { ['__proto__']: 'x' } }));
    expect(none.map((x) => x.ruleId)).toEqual([RULE_RUNBOOK]);
  });
});

describe('monitoring network', () => {
  it('Prometheus reaches a team on its declared metrics port and nothing else of it', async () => {
    expect((await mlp(['reach', 'monitoring', 'ml-team', '--port', '8080/TCP', '-e', 'prod'])).code).toBe(0);
    expect((await mlp(['reach', 'monitoring', 'ml-team', '--port', '5432/TCP', '-e', 'prod'])).code).toBe(1);
    // A team does not reach into monitoring (default deny there now).
    expect((await mlp(['reach', 'ml-team', 'monitoring', '--port', '9090/TCP', '-e', 'prod'])).code).toBe(1);
    // The nodes (kubelet, node-exporter): any address on those ports only.
    expect((await mlp(['reach', 'monitoring', '10.0.0.1', '--port', '9100/TCP', '-e', 'prod'])).code).toBe(0);
    expect((await mlp(['reach', 'monitoring', '10.0.0.1', '--port', '22/TCP', '-e', 'prod'])).code).toBe(1);
  });
});

describe("Grafana's admin login", () => {
  it('comes from a Secret the tree delivers (generated locally, from the store in the cloud), never the chart default', () => {
    for (const name of ['local', 'prod'] as const) {
      const admin = (kubePrometheusStack.values(env(name)) as Any).grafana.admin;
      expect(admin).toEqual({
        existingSecret: 'grafana-admin',
        userKey: 'admin-user',
        passwordKey: 'admin-password',
      });
      const objects = allObjects(synthesize(env(name)));
      const es = objects.find(
        (o) => o.kind === 'ExternalSecret' && o.metadata.name === 'grafana-admin',
      ) as Any;
      expect(es.metadata.namespace).toBe('monitoring');
      expect(es.spec.target.name).toBe('grafana-admin');
      if (name === 'local') {
        expect(Object.keys(es.spec.target.template.data).sort()).toEqual(['admin-password', 'admin-user']);
        expect(es.spec.dataFrom[0].sourceRef.generatorRef.kind).toBe('Password');
      } else {
        expect(es.spec.data.map((d: Any) => d.secretKey)).toEqual(['admin-user', 'admin-password']);
        expect(es.spec.secretStoreRef.name).toBe('aws-secrets-manager');
      }
    }
  });
});
