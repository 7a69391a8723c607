/**
 * Issue 10 §1: Loki, Tempo and the OpenTelemetry Collector as pinned engines in the shared
 * monitoring namespace, values from the spec, Grafana datasources linked both ways, and the
 * network (teams → collector only) proven with the reachability model and `mlp reach`.
 */
import { Writable } from 'node:stream';
import { parser as logqlParser } from '@grafana/lezer-logql';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { systemNamespaces } from '../src/check/namespaces.js';
import { checkEngineReach } from '../src/check/network/engines.js';
import { NetworkModel } from '../src/check/network/reach.js';
import { objectsOf } from '../src/cli/context.js';
import { LOGS_OF_TRACE, TRACE_ID_IN_LINE } from '../src/engines/grafana-datasources.js';
import { ENGINES } from '../src/engines/index.js';
import { kubePrometheusStack } from '../src/engines/kube-prometheus-stack.js';
import { loki } from '../src/engines/loki.js';
import { durationMs, toGoDuration } from '../src/engines/telemetry.js';
import type { Engine } from '../src/engines/types.js';
import type { K8sObject } from '../src/k8s/object.js';
import { parseSpec } from '../src/spec/load.js';
import type { ResolvedEnvironment } from '../src/spec/model.js';
import { allObjects, type Component } from '../src/synth/component.js';
import { engineComponent } from '../src/synth/engines.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, mlp } from './helpers.js';
import { problems, replace } from './spec-helpers.js';

const ENVS = ['local', 'dev', 'staging', 'prod'] as const;
const spec = exampleSpec();
const env = (name: (typeof ENVS)[number]) => spec.environments.get(name)!;
// biome-ignore lint/suspicious/noExplicitAny: reading nested rendered values in assertions
type Any = any;
const component = (cs: readonly Component[], name: string) => cs.find((c) => c.name === name);
const valuesOf = (cs: readonly Component[], name: string): Any => {
  const app = component(cs, name)!
    .files.flatMap((f) => f.objects)
    .find((o) => o.kind === 'Application')!;
  return (app as Any).spec.source.helm.valuesObject;
};
const appSource = (cs: readonly Component[], name: string): Any =>
  (
    component(cs, name)!
      .files.flatMap((f) => f.objects)
      .find((o) => o.kind === 'Application') as Any
  ).spec.source;
const NEW = ['loki', 'otel-collector', 'otel-logs', 'tempo'];

describe('logs and traces engines: pins and values from the spec', () => {
  it('pins each chart exactly, from its upstream repository', () => {
    const pins = Object.fromEntries(
      ENGINES.filter((e) => NEW.includes(e.name)).map((e) => [
        e.name,
        [e.chart.repoURL, e.chart.chart, e.chart.version, e.chart.appVersion],
      ]),
    );
    expect(pins).toEqual({
      loki: ['https://grafana.github.io/helm-charts', 'loki', '6.49.0', '3.6.3'],
      tempo: ['https://grafana-community.github.io/helm-charts', 'tempo', '2.2.4', '2.10.8'],
      'otel-collector': [
        'https://open-telemetry.github.io/opentelemetry-helm-charts',
        'opentelemetry-collector',
        '0.170.0',
        '0.158.0',
      ],
      'otel-logs': [
        'https://open-telemetry.github.io/opentelemetry-helm-charts',
        'opentelemetry-collector',
        '0.170.0',
        '0.158.0',
      ],
    });
    const local = synthesize(env('local'));
    expect(appSource(local, 'tempo')).toMatchObject({ chart: 'tempo', targetRevision: '2.2.4' });
  });

  it('every environment renders the four engines in monitoring, after the Namespace owner', () => {
    for (const name of ENVS) {
      const cs = synthesize(env(name));
      for (const e of NEW) {
        const c = component(cs, e)!;
        expect(c, `${name} ${e}`).toBeDefined();
        expect(c.wave).toBeGreaterThan(component(cs, 'kube-prometheus-stack')!.wave);
        const app = c.files.flatMap((f) => f.objects).find((o) => o.kind === 'Application') as Any;
        expect(app.spec.destination.namespace).toBe('monitoring');
      }
    }
  });

  it('retention and volume sizes per environment come from the spec (defaults: logs 7d)', () => {
    const expected = {
      local: { loki: '168h', lokiSize: '5Gi', tempo: '24h', tempoSize: '5Gi' },
      dev: { loki: '168h', lokiSize: '10Gi', tempo: '72h', tempoSize: '10Gi' },
      staging: { loki: '168h', lokiSize: '20Gi', tempo: '168h', tempoSize: '10Gi' },
      prod: { loki: '168h', lokiSize: '50Gi', tempo: '168h', tempoSize: '20Gi' },
    };
    for (const name of ENVS) {
      const cs = synthesize(env(name));
      const l = valuesOf(cs, 'loki');
      const t = valuesOf(cs, 'tempo');
      expect({
        loki: l.loki.limits_config.retention_period,
        lokiSize: l.singleBinary.persistence.size,
        tempo: t.tempo.retention,
        tempoSize: t.persistence.size,
      }).toEqual(expected[name]);
      // Retention is only applied when the compactor has it on.
      expect(l.loki.compactor.retention_enabled).toBe(true);
      expect(l.deploymentMode).toBe('SingleBinary');
    }
    const edited = parseSpec(
      replace(
        'retention: { local: 7d, dev: 7d, staging: 7d, prod: 7d }',
        'retention: { local: 7d, dev: 7d, staging: 7d, prod: 2w }',
      ).replace('storage: { local: 5Gi, dev: 10Gi, staging: 20Gi, prod: 50Gi }', 'storage: { prod: 200Gi }'),
    );
    const prod = synthesize(edited.environments.get('prod')!);
    expect(valuesOf(prod, 'loki').loki.limits_config.retention_period).toBe('336h');
    expect(valuesOf(prod, 'loki').singleBinary.persistence.size).toBe('200Gi');
    // A size left out falls back to the environment's default.
    expect(valuesOf(synthesize(edited.environments.get('dev')!), 'loki').singleBinary.persistence.size).toBe(
      '10Gi',
    );
  });

  it('HA in prod: two collector replicas with a PDB; one elsewhere; stores stay single (filesystem)', () => {
    const prod = synthesize(env('prod'));
    const local = synthesize(env('local'));
    expect(valuesOf(prod, 'otel-collector').replicaCount).toBe(2);
    expect(valuesOf(prod, 'otel-collector').podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(valuesOf(local, 'otel-collector').replicaCount).toBe(1);
    expect(valuesOf(local, 'otel-collector').podDisruptionBudget).toEqual({ enabled: false });
    expect(valuesOf(prod, 'loki').singleBinary.replicas).toBe(1);
    expect(valuesOf(prod, 'tempo').replicas).toBe(1);
    expect(valuesOf(prod, 'otel-logs').mode).toBe('daemonset');
    expect(valuesOf(prod, 'otel-collector').mode).toBe('deployment');
    expect(valuesOf(prod, 'otel-collector').image.repository).toBe('otel/opentelemetry-collector-contrib');
  });

  it('the sampling percentage flows from the spec into the collector, head sampling on traces only', () => {
    const config = (e: ResolvedEnvironment) => valuesOf(synthesize(e), 'otel-collector').alternateConfig;
    const base = config(env('staging'));
    expect(base.processors.probabilistic_sampler).toEqual({ sampling_percentage: 10 });
    expect(base.service.pipelines.traces).toEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'probabilistic_sampler', 'batch'],
      exporters: ['otlp/tempo'],
    });
    expect(base.service.pipelines.logs.processors).not.toContain('probabilistic_sampler');
    expect(base.exporters['otlp/tempo'].endpoint).toBe('tempo.monitoring.svc:4317');
    expect(base.exporters['otlphttp/loki'].endpoint).toBe('http://loki.monitoring.svc:3100/otlp');
    const edited = parseSpec(replace('samplingPercent: 10', 'samplingPercent: 2.5'));
    expect(config(edited.environments.get('prod')!).processors.probabilistic_sampler).toEqual({
      sampling_percentage: 2.5,
    });
    // Absent section: the default 10 %.
    const noTracing = parseSpec(replace('    samplingPercent: 10\n', ''));
    expect(noTracing.environments.get('dev')!.observability.tracing.samplingPercent).toBe(10);
  });

  it('the log shipper tails pod logs (filelog preset) into Loki with the namespace label', () => {
    const v = valuesOf(synthesize(env('dev')), 'otel-logs');
    expect(v.presets.logsCollection.enabled).toBe(true);
    expect(v.alternateConfig.exporters['otlphttp/loki'].endpoint).toBe(
      'http://loki.monitoring.svc:3100/otlp',
    );
    expect(v.alternateConfig.processors.resource.attributes).toEqual([
      { key: 'namespace', from_attribute: 'k8s.namespace.name', action: 'upsert' },
    ]);
    const l = valuesOf(synthesize(env('dev')), 'loki');
    expect(l.loki.limits_config.otlp_config.resource_attributes.attributes_config).toEqual([
      { action: 'index_label', attributes: ['namespace'] },
    ]);
    // No OTLP host ports on every node.
    expect(v.ports.otlp).toEqual({ enabled: false });
  });
});

describe('spec: observability.logs and observability.tracing', () => {
  it('refuses bad sampling percentages, retentions and sizes with located errors', () => {
    for (const bad of ['101', '-1', '"ten"', '.nan', '.inf']) {
      const p = problems(replace('samplingPercent: 10', `samplingPercent: ${bad}`));
      expect(p.join('\n'), bad).toContain('observability.tracing.samplingPercent');
    }
    const retention = 'retention: { local: 7d, dev: 7d, staging: 7d, prod: 7d }';
    for (const bad of ['12h', '0', '"7 days"', '99999999999999y', '3651d']) {
      const p = problems(replace(retention, `retention: { local: 7d, dev: 7d, staging: 7d, prod: ${bad} }`));
      expect(p.join('\n'), bad).toContain('observability.logs.retention.prod');
    }
    const storage = 'storage: { local: 5Gi, dev: 10Gi, staging: 20Gi, prod: 50Gi }';
    for (const bad of ['10GB', '0Gi', '1e3Gi', '"10 Gi"', '10', '1234567Gi']) {
      const p = problems(replace(storage, `storage: { prod: ${bad} }`));
      expect(p.join('\n'), bad).toContain('observability.logs.storage.prod');
    }
    for (const key of ['__proto__', 'constructor', 'qa']) {
      const p = problems(replace(retention, `retention: { ${key}: 7d }`));
      expect(p.join('\n'), key).toContain('observability.logs.retention');
    }
    expect(problems(replace('samplingPercent: 10', 'samplingPercent: 0'))).toEqual([]);
    expect(problems(replace('samplingPercent: 10', 'samplingPercent: 100'))).toEqual([]);
  });

  it('converts Prometheus durations to the Go durations Tempo parses', () => {
    expect(toGoDuration('7d')).toBe('168h');
    expect(toGoDuration('2w')).toBe('336h');
    expect(toGoDuration('1d12h30m')).toBe('36h30m');
    expect(toGoDuration('90m')).toBe('1h30m');
    expect(toGoDuration('1y')).toBe('8760h');
    expect(toGoDuration('1s500ms')).toBe('1s500ms');
    expect(durationMs('10ms')).toBe(10);
    expect(() => toGoDuration('0')).toThrow();
  });
});

describe('Grafana datasources: uids and trace↔log links', () => {
  const grafana = valuesOf(synthesize(env('prod')), 'kube-prometheus-stack').grafana;
  const byUid = Object.fromEntries(grafana.additionalDataSources.map((d: Any) => [d.uid, d]));

  it('prometheus (the chart’s own), loki and tempo, at their in-cluster services', () => {
    expect(grafana.sidecar.datasources.uid).toBe('prometheus');
    expect(Object.keys(byUid).sort()).toEqual(['loki', 'tempo']);
    expect(byUid.loki).toMatchObject({
      type: 'loki',
      url: 'http://loki.monitoring.svc:3100',
      access: 'proxy',
    });
    expect(byUid.tempo).toMatchObject({ type: 'tempo', url: 'http://tempo.monitoring.svc:3200' });
    expect(grafana.sidecar.datasources.exemplarTraceIdDestinations.datasourceUid).toBe('tempo');
  });

  it('Tempo → Loki by trace id, with a LogQL query the upstream grammar parses', () => {
    const t2l = byUid.tempo.jsonData.tracesToLogsV2;
    expect(t2l).toMatchObject({ datasourceUid: 'loki', filterByTraceID: true, customQuery: true });
    expect(t2l.query).toBe(LOGS_OF_TRACE);
    // Grafana substitutes the trace id for its variable before sending the query.
    const query = t2l.query.replace(/\$\{__trace\.traceId\}/, '4bf92f3577b34da6a3ce929d0e0e4736');
    expect(query).not.toContain('__trace');
    const errors: string[] = [];
    logqlParser.parse(query).iterate({
      enter: (n) => {
        if (n.type.isError) errors.push(`${n.from}`);
      },
    });
    expect(errors).toEqual([]);
    // …and the grammar does flag a broken query, so the check above can fail.
    logqlParser.parse('{service_name=~".+"} | json | trace_id=').iterate({
      enter: (n) => {
        if (n.type.isError) errors.push(`${n.from}`);
      },
    });
    expect(errors.length).toBeGreaterThan(0);
  });

  it('Loki → Tempo: derived fields find trace_id in structured metadata and in the model server’s log lines', async () => {
    const fields = byUid.loki.jsonData.derivedFields;
    expect(fields.every((f: Any) => f.datasourceUid === 'tempo')).toBe(true);
    expect(fields.find((f: Any) => f.matcherType === 'label').matcherRegex).toBe('trace_id');
    const line = fields.find((f: Any) => f.matcherType === 'regex');
    expect(line.matcherRegex).toBe(TRACE_ID_IN_LINE);
    // A real pino line, as src/serving/app.ts writes it (child logger with trace_id).
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    pino(sink).child({ trace_id: traceId, span_id: 'b7ad6b7169203331' }).error('request failed');
    await new Promise((r) => setImmediate(r));
    const re = new RegExp(line.matcherRegex);
    expect(re.exec(out)?.[1]).toBe(traceId);
    expect(re.exec(`level=error trace_id=${traceId} msg=x`)?.[1]).toBe(traceId);
    // Not a look-alike key, not a short id.
    expect(re.exec(`parent_trace_id=${traceId}`)).toBeNull();
    expect(re.exec('trace_id=abc123')).toBeNull();
  });
});

describe('shared monitoring namespace', () => {
  const prod = synthesize(env('prod'));
  const objects = allObjects(prod);

  it('one Namespace, at the most permissive level its engines need, with each reason', () => {
    const ns = objects.filter((o) => o.kind === 'Namespace' && o.metadata.name === 'monitoring');
    expect(ns).toHaveLength(1);
    expect(ns[0]!.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('privileged');
    const why = ns[0]!.metadata.annotations!['mlp.dev/pod-security-reason']!;
    for (const e of ['kube-prometheus-stack (privileged)', 'otel-logs (privileged)', 'loki (baseline)'])
      expect(why).toContain(e);
    expect(why).toContain('/var/log/pods');
    for (const e of NEW) expect(component(prod, e)!.files.map((f) => f.name)).not.toContain('namespace.yaml');
    // Engines alone in their namespace are as before.
    expect(component(prod, 'cert-manager')!.files.map((f) => f.name)).toEqual([
      'application.yaml',
      'namespace.yaml',
      'network-policies.yaml',
    ]);
  });

  it('no two NetworkPolicies share a name in a namespace; guests select only their pods', () => {
    const keys = objects
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(keys.length).toBe(new Set(keys).size);
    const guest = (name: string) =>
      component(prod, name)!.files.find((f) => f.name === 'network-policies.yaml')!.objects as K8sObject[];
    expect(guest('otel-logs').map((o) => o.metadata.name)).toEqual(['otel-logs-allow-to-api-server']);
    expect((guest('otel-logs')[0] as Any).spec.podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/instance': 'otel-logs' },
    });
    expect(guest('loki')).toEqual([]);
    const fromTeams = guest('otel-collector').find(
      (o) => o.metadata.name === 'otel-collector-allow-from-teams',
    ) as Any;
    expect(fromTeams.spec.podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/instance': 'otel-collector' },
    });
    expect(fromTeams.spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 4317 },
      { protocol: 'TCP', port: 4318 },
    ]);
  });
});

describe('the shared-namespace mechanism, with engine data of any shape', () => {
  const e = env('dev');
  it("a guest's own allowances are prefixed and select its pods; the owner renders as alone", () => {
    const guest: Engine = {
      ...loki,
      name: 'probe',
      pods: { app: 'probe' },
      network: () => ({ ...loki.network(e), webhookPorts: [{ port: 9443 }], apiServer: true }),
    };
    const c = engineComponent(e, guest, [kubePrometheusStack, guest]);
    expect(c.files.map((f) => f.name)).toEqual(['application.yaml', 'network-policies.yaml']);
    const policies = c.files[1]!.objects as Any[];
    expect(policies.map((p) => p.metadata.name)).toEqual([
      'probe-allow-webhooks-from-api-server',
      'probe-allow-to-api-server',
    ]);
    for (const p of policies) expect(p.spec.podSelector).toEqual({ matchLabels: { app: 'probe' } });
    const owner = engineComponent(e, kubePrometheusStack, [kubePrometheusStack, guest]);
    const alone = engineComponent(e, kubePrometheusStack);
    expect(owner.files.find((f) => f.name === 'network-policies.yaml')).toEqual(
      alone.files.find((f) => f.name === 'network-policies.yaml'),
    );
  });

  it('refuses a guest without pod labels (its allowances would open the whole namespace)', () => {
    const { pods: _pods, ...noPods } = loki;
    expect(() => engineComponent(e, noPods, [kubePrometheusStack, noPods])).toThrow(/declares no pods/);
  });
});

describe('network: teams reach the collector, and only it', () => {
  const pod = (namespace: string, labels: Record<string, string> = {}) => ({
    kind: 'pod' as const,
    namespace,
    labels,
  });
  const at = (release: string) => pod('monitoring', { 'app.kubernetes.io/instance': release });
  const tcp = (port: number) => ({ protocol: 'TCP' as const, port });

  it.each(ENVS)('%s', (name) => {
    const e = env(name);
    const model = new NetworkModel(objectsOf(e), systemNamespaces(e));
    const allowed = (from: Any, to: Any, port: number) => model.reach(from, to, tcp(port)).allowed;
    for (const team of e.teams.map((t) => t.name)) {
      expect(allowed(pod(team), at('otel-collector'), 4317), team).toBe(true);
      expect(allowed(pod(team), at('otel-collector'), 4318), team).toBe(true);
      expect(allowed(pod(team), at('otel-collector'), 8888), team).toBe(false);
      expect(allowed(pod(team), at('loki'), 3100), team).toBe(false);
      expect(allowed(pod(team), at('tempo'), 4317), team).toBe(false);
      expect(allowed(pod(team), at('tempo'), 3200), team).toBe(false);
    }
    // Inside monitoring: collector → Tempo, shipper → Loki, Grafana → Loki/Tempo, Prometheus → the collector's metrics.
    expect(allowed(at('otel-collector'), at('tempo'), 4317)).toBe(true);
    expect(allowed(at('otel-logs'), at('loki'), 3100)).toBe(true);
    expect(allowed(at('kube-prometheus-stack'), at('loki'), 3100)).toBe(true);
    expect(allowed(at('kube-prometheus-stack'), at('tempo'), 3200)).toBe(true);
    expect(allowed(at('kube-prometheus-stack'), at('otel-collector'), 8888)).toBe(true);
    // The collector opens nothing into a team beyond what the whole monitoring namespace may
    // (kube-prometheus-stack's namespace-wide scrape egress to the declared metrics ports).
    for (const t of e.teams) {
      expect(allowed(at('otel-collector'), pod(t.name), 22), t.name).toBe(false);
      expect(allowed(pod('monitoring'), pod(t.name), 22), t.name).toBe(false);
    }
  });

  it('mlp reach says so (exit 0 allowed, 1 denied)', async () => {
    const to = 'monitoring/app.kubernetes.io/instance=';
    const ok = await mlp(['reach', 'ml-team', `${to}otel-collector`, '-p', '4317', '-e', 'prod']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('allow-to-otel-collector');
    const no = await mlp(['reach', 'ml-team', `${to}loki`, '-p', '3100', '-e', 'prod']);
    expect(no.code).toBe(1);
    expect(no.stdout).toContain('denied');
  });
});

describe('mlp check: network.engines', () => {
  const e = env('staging');
  const run = (objects: readonly K8sObject[]) =>
    checkEngineReach(new NetworkModel(objects, systemNamespaces(e)), e, objects, ENGINES);
  const failing = (objects: readonly K8sObject[]) =>
    run(objects)
      .filter((f) => f.status === 'fail')
      .map((f) => f.message);

  it('passes on the rendered tree: teams → collector, not → Loki/Tempo/shipper; collector → Tempo and Loki', () => {
    const findings = run(objectsOf(e));
    const teams = e.teams.length;
    // 2 OTLP ports per team, 3 closed engines per team, 3 engine-to-engine connections.
    expect(findings).toHaveLength(teams * 2 + teams * 3 + 3);
    expect(findings.filter((f) => f.status !== 'pass')).toEqual([]);
    expect(findings.map((f) => f.message)).toContain('otel-collector → tempo on 4317/TCP: allowed');
  });

  it('fails when a team loses its egress to the collector', () => {
    const objects = objectsOf(e).filter(
      (o) =>
        !(
          o.kind === 'NetworkPolicy' &&
          o.metadata.name === 'allow-to-otel-collector' &&
          o.metadata.namespace === 'ml-team'
        ),
    );
    expect(failing(objects)).toEqual([
      expect.stringContaining('ml-team → otel-collector on 4317/TCP: blocked'),
      expect.stringContaining('ml-team → otel-collector on 4318/TCP: blocked'),
    ]);
  });

  it('fails when a policy opens Loki to a team (bypassing the collector)', () => {
    const open: K8sObject[] = [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'oops', namespace: 'monitoring' },
        spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'oops', namespace: 'data-team' },
        spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
      },
    ];
    const f = failing([...objectsOf(e), ...open]);
    expect(f.some((m) => m.startsWith('data-team → loki: reachable, although it admits no team'))).toBe(true);
    expect(f.some((m) => m.startsWith('data-team → tempo: reachable'))).toBe(true);
    expect(f.some((m) => m.startsWith('ml-team'))).toBe(false);
  });
});
