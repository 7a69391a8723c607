// Scrape targets: exporter sidecars and MinIO's metrics in-cluster, ingress-nginx and CoreDNS
// through their charts, and the two check rules that prove the monitors are loaded, select real
// ports, and are reachable under the NetworkPolicies — each with planted defects.
import { describe, expect, it } from 'vitest';
import { customResourceSchemaProblems } from '../src/check/crd-schema.js';
import type { Finding } from '../src/check/finding.js';
import { systemNamespaces } from '../src/check/namespaces.js';
import { NetworkModel } from '../src/check/network/reach.js';
import {
  checkMonitorsSelect,
  checkScrapeReachable,
  PROMETHEUS_POD_LABELS,
  prometheusSelection,
  RULE_REACHABLE,
  RULE_SELECTS,
} from '../src/check/observability-scrape.js';
import { runChecks } from '../src/check/run.js';
import { crdKind } from '../src/k8s/crds.js';
import type { K8sObject } from '../src/k8s/object.js';
import type { ResolvedEnvironment } from '../src/spec/model.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read deep into rendered manifests
type Manifest = K8sObject & { spec: any };

const spec = exampleSpec();
const envOf = (name: string) => spec.environments.get(name as 'local')!;
const objectsOf = (name: string) => allObjects(synthesize(envOf(name)));
const local = envOf('local');
const localObjects = objectsOf('local');
const find = (objects: readonly K8sObject[], kind: string, ns: string | undefined, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name) as
    | Manifest
    | undefined;
const clone = (objects: readonly K8sObject[]) => structuredClone(objects) as Manifest[];
const modelOf = (env: ResolvedEnvironment, objects: readonly K8sObject[]) =>
  new NetworkModel(objects, systemNamespaces(env));
const selects = (objects: readonly K8sObject[], env = local) =>
  checkMonitorsSelect(objects, modelOf(env, objects).namespaces);
const reachable = (objects: readonly K8sObject[], env = local) =>
  checkScrapeReachable(objects, env, modelOf(env, objects));
const failing = (findings: readonly Finding[]) => findings.filter((f) => f.status === 'fail');
const kpsValues = (objects: readonly K8sObject[]) =>
  find(objects, 'Application', 'argocd', 'kube-prometheus-stack')!.spec.source.helm.valuesObject;
const prometheusPod = { kind: 'pod' as const, namespace: 'monitoring', labels: PROMETHEUS_POD_LABELS };

describe('rendering: what Prometheus scrapes, per environment', () => {
  it('local: a ServiceMonitor per data service (and the registry and models), with the selector label, valid against the CRD model', async () => {
    const monitors = localObjects.filter((o) => o.kind === 'ServiceMonitor') as Manifest[];
    expect(monitors.map((m) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual([
      'cache/redis',
      'database/mlp-registry',
      'database/postgres',
      'ml-team/sentiment',
      'storage/minio',
    ]);
    const selector = kpsValues(localObjects).prometheus.prometheusSpec.serviceMonitorSelector.matchLabels;
    expect(selector).toEqual({ release: 'kube-prometheus-stack' });
    for (const m of monitors) {
      expect(m.metadata.labels).toMatchObject(selector);
      expect(await customResourceSchemaProblems(m, crdKind(m.apiVersion, m.kind)!)).toEqual([]);
    }
    expect(find(localObjects, 'ServiceMonitor', 'storage', 'minio')!.spec.endpoints).toEqual([
      { port: 'minio', path: '/minio/v2/metrics/cluster', interval: '30s' },
    ]);
  });

  it('local: exporter sidecars are pinned, restricted, limited, read credentials from the Secret, and own a named metrics port', () => {
    for (const [ns, name, exporter, image, port] of [
      [
        'database',
        'postgres',
        'postgres-exporter',
        'quay.io/prometheuscommunity/postgres-exporter:v0.20.1',
        9187,
      ],
      ['cache', 'redis', 'redis-exporter', 'docker.io/oliver006/redis_exporter:v1.88.0', 9121],
    ] as const) {
      const sts = find(localObjects, 'StatefulSet', ns, name)!;
      const c = sts.spec.template.spec.containers.find((x: { name: string }) => x.name === exporter);
      expect(c.image).toBe(image);
      expect(c.ports).toEqual([{ name: 'metrics', containerPort: port, protocol: 'TCP' }]);
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.resources.limits).toEqual({ cpu: '200m', memory: '128Mi' });
      expect(c.livenessProbe.httpGet.port).toBe('metrics');
      // Credentials only by reference: no env value holds a password.
      const passwordEnv = c.env.filter((e: { name: string }) => /PASS/.test(e.name));
      expect(passwordEnv.length).toBe(1);
      expect(passwordEnv[0].value).toBeUndefined();
      expect(passwordEnv[0].valueFrom.secretKeyRef).toEqual({ name: `${name}-credentials`, key: 'password' });
      const svc = find(localObjects, 'Service', ns, name)!;
      expect(svc.spec.ports).toContainEqual({
        name: 'metrics',
        port,
        targetPort: 'metrics',
        protocol: 'TCP',
      });
    }
    const minio = find(localObjects, 'StatefulSet', 'storage', 'minio')!.spec.template.spec.containers[0];
    expect(minio.env).toContainEqual({ name: 'MINIO_PROMETHEUS_AUTH_TYPE', value: 'public' });
  });

  it('managed services (dev, staging, prod) have nothing to scrape in-cluster: no monitor, no sidecar, no scrape policy', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const objects = objectsOf(env);
      // Only the tree's own workloads are scraped there: the registry and the models.
      expect(
        objects
          .filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor')
          .map((m) => `${m.metadata.namespace}/${m.metadata.name}`)
          .sort(),
      ).toEqual(['database/mlp-registry', 'ml-team/sentiment']);
      expect(objects.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
      expect(objects.filter((o) => o.metadata.name.startsWith('allow-scrape-service-'))).toEqual([]);
      expect(objects.filter((o) => o.metadata.name.startsWith('allow-scrape-from-monitoring-'))).toEqual([]);
    }
  });

  it('every environment: ingress-nginx exports metrics with a ServiceMonitor carrying the selector label; CoreDNS is scraped deliberately', () => {
    for (const env of ['local', 'dev', 'staging', 'prod']) {
      const objects = objectsOf(env);
      const nginx = find(objects, 'Application', 'argocd', 'ingress-nginx')!.spec.source.helm.valuesObject;
      expect(nginx.controller.metrics).toEqual({
        enabled: true,
        port: 10254,
        portName: 'metrics',
        serviceMonitor: {
          enabled: true,
          additionalLabels: { release: 'kube-prometheus-stack' },
          scrapeInterval: '30s',
        },
      });
      expect(kpsValues(objects).coreDns).toEqual({
        enabled: true,
        service: { port: 9153, targetPort: 9153, selector: { 'k8s-app': 'kube-dns' } },
      });
      const model = modelOf(envOf(env), objects);
      const controller = {
        kind: 'pod' as const,
        namespace: 'ingress-nginx',
        labels: {
          'app.kubernetes.io/name': 'ingress-nginx',
          'app.kubernetes.io/instance': 'ingress-nginx',
          'app.kubernetes.io/component': 'controller',
        },
      };
      expect(model.reach(prometheusPod, controller, { protocol: 'TCP', port: 10254 }).allowed).toBe(true);
      // Exactly the metrics port: not the controller's webhook.
      expect(model.reach(prometheusPod, controller, { protocol: 'TCP', port: 8443 }).allowed).toBe(false);
      const dns = { kind: 'pod' as const, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
      expect(model.reach(prometheusPod, dns, { protocol: 'TCP', port: 9153 }).allowed).toBe(true);
    }
  });

  it('local: monitoring reaches the data services on their metrics ports only; teams do not reach the exporters', () => {
    const model = modelOf(local, localObjects);
    const pod = (namespace: string, name: string) => ({
      kind: 'pod' as const,
      namespace,
      labels: { 'app.kubernetes.io/name': name },
    });
    const at = (port: number) => ({ protocol: 'TCP' as const, port });
    expect(model.reach(prometheusPod, pod('database', 'postgres'), at(9187)).allowed).toBe(true);
    expect(model.reach(prometheusPod, pod('database', 'postgres'), at(5432)).allowed).toBe(false);
    expect(model.reach(prometheusPod, pod('cache', 'redis'), at(9121)).allowed).toBe(true);
    expect(model.reach(prometheusPod, pod('cache', 'redis'), at(6379)).allowed).toBe(false);
    expect(model.reach(prometheusPod, pod('storage', 'minio'), at(9000)).allowed).toBe(true);
    // Only Prometheus: Grafana next to it in the monitoring namespace gets nowhere.
    const grafana = {
      kind: 'pod' as const,
      namespace: 'monitoring',
      labels: { 'app.kubernetes.io/name': 'grafana' },
    };
    expect(model.reach(grafana, pod('database', 'postgres'), at(9187)).allowed).toBe(false);
    const team = { kind: 'pod' as const, namespace: 'ml-team', labels: {} };
    expect(model.reach(team, pod('database', 'postgres'), at(5432)).allowed).toBe(true);
    expect(model.reach(team, pod('database', 'postgres'), at(9187)).allowed).toBe(false);
    expect(model.reach(team, pod('cache', 'redis'), at(9121)).allowed).toBe(false);
  });

  it('the whole check stays at 0 failures in every environment, both new rules passing', async () => {
    for (const env of ['local', 'dev', 'staging', 'prod']) {
      const report = await runChecks(objectsOf(env), envOf(env));
      expect(failing(report.findings), env).toEqual([]);
      for (const id of [RULE_SELECTS, RULE_REACHABLE])
        expect(report.findings.filter((f) => f.ruleId === id).map((f) => f.status)).toEqual(['pass']);
    }
  }, 120_000);
});

describe(`${RULE_SELECTS}: planted defects`, () => {
  it('passes on the rendered tree', () => {
    expect(selects(localObjects)).toEqual([expect.objectContaining({ status: 'pass' })]);
  });

  it('a ServiceMonitor without the selector label fails, naming the label Prometheus selects by', () => {
    const objects = clone(localObjects);
    delete find(objects, 'ServiceMonitor', 'cache', 'redis')!.metadata.labels!.release;
    const f = failing(selects(objects));
    expect(f).toEqual([
      expect.objectContaining({
        ruleId: RULE_SELECTS,
        resource: 'ServiceMonitor/cache/redis',
        path: 'metadata.labels',
        message: expect.stringContaining('{"matchLabels":{"release":"kube-prometheus-stack"}}'),
      }),
    ]);
  });

  it('reads the selector from the engine values, not a constant: another selector fails every monitor', () => {
    const objects = clone(localObjects);
    kpsValues(objects).prometheus.prometheusSpec.serviceMonitorSelector = {
      matchLabels: { team: 'observability' },
    };
    const f = failing(selects(objects));
    expect(f.map((x) => x.resource).sort()).toEqual([
      'ServiceMonitor/cache/redis',
      'ServiceMonitor/database/mlp-registry',
      'ServiceMonitor/database/postgres',
      'ServiceMonitor/ml-team/sentiment',
      'ServiceMonitor/storage/minio',
    ]);
  });

  it("follows the chart's NilUsesHelmValues: no selector + true → release label of the Helm release; false → everything", () => {
    const objects = clone(localObjects);
    const app = find(objects, 'Application', 'argocd', 'kube-prometheus-stack')!;
    const ps = app.spec.source.helm.valuesObject.prometheus.prometheusSpec;
    delete ps.serviceMonitorSelector;
    ps.serviceMonitorSelectorNilUsesHelmValues = true;
    app.spec.source.helm.releaseName = 'kps';
    expect(failing(selects(objects)).length).toBe(5);
    ps.serviceMonitorSelectorNilUsesHelmValues = false;
    expect(failing(selects(objects))).toEqual([]);
    expect(prometheusSelection(objects)!.selects.ServiceMonitor.text).toBe('{}');
  });

  it('a ServiceMonitor whose selector matches no Service fails', () => {
    const objects = clone(localObjects);
    find(objects, 'ServiceMonitor', 'database', 'postgres')!.spec.selector = { matchLabels: { app: 'nope' } };
    expect(failing(selects(objects))).toEqual([
      expect.objectContaining({
        resource: 'ServiceMonitor/database/postgres',
        path: 'spec.selector',
        message: 'ServiceMonitor/database/postgres selects no Service of the tree in namespace database',
      }),
    ]);
  });

  it('namespaceSelector scope: the same selector from another namespace finds nothing unless `any`', () => {
    const objects = clone(localObjects);
    const m = find(objects, 'ServiceMonitor', 'database', 'postgres')!;
    m.spec.namespaceSelector = { matchNames: ['cache'] };
    expect(failing(selects(objects)).map((f) => f.path)).toEqual(['spec.selector']);
    m.spec.namespaceSelector = { any: true };
    expect(failing(selects(objects))).toEqual([]);
  });

  it('an endpoint port that is not a Service port name fails (a container port name is not enough)', () => {
    const objects = clone(localObjects);
    const m = find(objects, 'ServiceMonitor', 'database', 'postgres')!;
    // `postgres-exporter` names nothing; the container port name `metrics` is also the Service's.
    m.spec.endpoints = [{ port: 'postgres-exporter' }];
    expect(failing(selects(objects))).toEqual([
      expect.objectContaining({
        path: 'spec.endpoints[0].port',
        message: expect.stringContaining(
          'port "postgres-exporter" is not a port name of the selected Service(s) Service/database/postgres (postgres, metrics)',
        ),
      }),
    ]);
  });

  it('targetPort resolves against the pods behind the Service, by number or container port name', () => {
    const objects = clone(localObjects);
    const m = find(objects, 'ServiceMonitor', 'database', 'postgres')!;
    for (const [targetPort, ok] of [
      [9187, true],
      ['metrics', true],
      [9999, false],
      ['http', false],
    ] as const) {
      m.spec.endpoints = [{ targetPort }];
      expect(failing(selects(objects)).length, String(targetPort)).toBe(ok ? 0 : 1);
    }
  });

  it('PodMonitors: selector against pod templates, port names and portNumber against their container ports', () => {
    const pm = (
      endpoint: Record<string, unknown>,
      labels = { release: 'kube-prometheus-stack' },
    ): K8sObject => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'redis-pods', namespace: 'cache', labels },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } },
        podMetricsEndpoints: [endpoint],
      },
    });
    expect(failing(selects([...localObjects, pm({ port: 'metrics' })]))).toEqual([]);
    expect(failing(selects([...localObjects, pm({ portNumber: 9121 })]))).toEqual([]);
    expect(failing(selects([...localObjects, pm({ port: 'exporter' })]))).toEqual([
      expect.objectContaining({
        resource: 'PodMonitor/cache/redis-pods',
        path: 'spec.podMetricsEndpoints[0].port',
      }),
    ]);
    expect(failing(selects([...localObjects, pm({ port: 'metrics' }, { release: 'other' })]))).toEqual([
      expect.objectContaining({ path: 'metadata.labels' }),
    ]);
  });

  it('hostile monitors: prototype keys, non-string labels, malformed endpoints — located findings, no throw', () => {
    const hostile: K8sObject[] = [
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: {
          name: 'h1',
          namespace: 'cache',
          labels: JSON.parse('{"__proto__":{"release":"kube-prometheus-stack"}}'),
        },
        spec: { selector: { matchLabels: JSON.parse('{"__proto__":"x"}') }, endpoints: 'nope' },
      },
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'h2', namespace: 'cache', labels: { release: 'kube-prometheus-stack' } },
        spec: { selector: { matchLabels: { app: 7 } }, endpoints: [null, { port: 'metrics' }] },
      },
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'h3', namespace: 'cache' },
      } as K8sObject,
    ];
    const f = failing(selects([...localObjects, ...hostile]));
    expect(f.map((x) => `${x.resource} ${x.path}`)).toEqual([
      // A label hidden behind __proto__ is no label; the operator would not load h1.
      'ServiceMonitor/cache/h1 metadata.labels',
      'ServiceMonitor/cache/h1 spec.selector',
      // A non-string matchLabels value matches nothing (fail closed).
      'ServiceMonitor/cache/h2 spec.selector',
      'ServiceMonitor/cache/h3 metadata.labels',
      // No selector is `{}`: every Service in scope; but no endpoints.
      'ServiceMonitor/cache/h3 spec.endpoints',
    ]);
    expect(() => reachable([...localObjects, ...hostile])).not.toThrow();
  });
});

describe(`${RULE_REACHABLE}: planted defects`, () => {
  it('passes on the rendered tree of every environment', () => {
    for (const env of ['local', 'dev', 'prod'])
      expect(reachable(objectsOf(env), envOf(env))).toEqual([expect.objectContaining({ status: 'pass' })]);
  });

  const without = (name: string, ns: string) =>
    clone(localObjects).filter(
      (o) => !(o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && o.metadata.name === name),
    );

  it("a monitoring namespace without its egress to the exporter fails for that ServiceMonitor's target", () => {
    const f = failing(reachable(without('allow-scrape-service-postgres', 'monitoring')));
    expect(f).toEqual([
      expect.objectContaining({
        ruleId: RULE_REACHABLE,
        resource: 'ServiceMonitor/database/postgres',
        path: 'spec.endpoints[0]',
        message: expect.stringMatching(
          /cannot scrape database .* on 9187\/TCP: egress from monitoring denied/,
        ),
      }),
    ]);
  });

  it('a data-service namespace that does not admit monitoring fails at the ingress side', () => {
    const f = failing(reachable(without('allow-scrape-from-monitoring-redis', 'cache')));
    expect(f).toEqual([
      expect.objectContaining({
        resource: 'ServiceMonitor/cache/redis',
        message: expect.stringContaining('on 9121/TCP: ingress at cache denied'),
      }),
    ]);
  });

  it('a team NetworkPolicy that blocks its declared metrics port fails', () => {
    const objects = clone(localObjects);
    const p = find(objects, 'NetworkPolicy', 'ml-team', 'allow-from-monitoring')!;
    p.spec.ingress[0].ports = [{ protocol: 'TCP', port: 9090 }];
    expect(failing(reachable(objects))).toEqual([
      expect.objectContaining({
        resource: 'Namespace/ml-team',
        path: 'network.metricsPorts',
        message: expect.stringContaining(
          'declared metrics port 8080/TCP on 8080/TCP: ingress at ml-team denied',
        ),
      }),
    ]);
  });

  it("chart-rendered monitors count too: ingress-nginx's metrics port and CoreDNS", () => {
    expect(failing(reachable(without('allow-from-monitoring', 'ingress-nginx')))).toEqual([
      expect.objectContaining({
        resource: 'Application/ingress-nginx',
        message: expect.stringContaining('10254/TCP'),
      }),
    ]);
    expect(failing(reachable(without('allow-scrape-kube-dns', 'monitoring')))).toEqual([
      expect.objectContaining({
        resource: 'Application/kube-prometheus-stack',
        message: expect.stringContaining('9153/TCP'),
      }),
    ]);
  });

  it('a NetworkPolicy naming the container port (named port) admits the scrape as the API server does', () => {
    const objects = clone(localObjects);
    const p = find(objects, 'NetworkPolicy', 'database', 'allow-scrape-from-monitoring-postgres')!;
    p.spec.ingress[0].ports = [{ protocol: 'TCP', port: 'metrics' }];
    expect(failing(reachable(objects))).toEqual([]);
    p.spec.ingress[0].ports = [{ protocol: 'TCP', port: 'postgres' }];
    expect(failing(reachable(objects)).length).toBe(1);
  });
});
