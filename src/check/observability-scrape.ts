/**
 * Scrape targets, proven over the rendered tree:
 *
 * - `observability.servicemonitor-selects`: the environment's Prometheus picks every
 *   ServiceMonitor/PodMonitor up (its labels and namespace match the selectors the
 *   kube-prometheus-stack Application's values give the Prometheus object), each selects at
 *   least one Service (pod template) of the tree in its namespaceSelector scope, and every
 *   endpoint's port exists there — as the operator resolves it: `port` is a Service port name
 *   (ServiceMonitor) or a container port name (PodMonitor), `targetPort` a container port name
 *   or number, `portNumber` a container port number (monitoring.coreos.com/v1 Endpoint and
 *   PodMetricsEndpoint docs in @kubernetes-models/prometheus-operator).
 * - `observability.scrape-reachable`: every scrape target, resolved Service → targetPort →
 *   the pods' container port, is reachable from the Prometheus pods under the tree's
 *   NetworkPolicies (the reachability engine of `mlp reach`, src/check/network/reach.ts), and
 *   so are the targets of chart-rendered ServiceMonitors (engine `scrapeTargets`) and the
 *   teams' declared metrics ports.
 *
 * Never throws on malformed objects: what cannot be read is skipped here (schema reports it).
 */
import { type Protocol, parsePort } from '../core/ports.js';
import { ENGINES } from '../engines/index.js';
import { KUBE_PROMETHEUS_STACK } from '../engines/kube-prometheus-stack.js';
import { type K8sObject, objectRef } from '../k8s/object.js';
import { compileSelector, type LabelSelector, type Labels, type Matcher } from '../k8s/selector.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { PROMETHEUS_POD_LABELS } from '../synth/monitors.js';
import type { Finding } from './finding.js';
import { contains, type PortSet } from './network/ports.js';
import type { DirectionVerdict, NetworkModel } from './network/reach.js';

export const RULE_SELECTS = 'observability.servicemonitor-selects';
export const RULE_REACHABLE = 'observability.scrape-reachable';

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Rec, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Only well-formed parts of a selector; a malformed term selects nothing (fail closed). */
function selector(v: unknown): Matcher {
  if (!isRecord(v)) return compileSelector({});
  const sel: LabelSelector = {};
  const ml = own(v, 'matchLabels');
  if (isRecord(ml)) {
    const entries = Object.entries(ml);
    if (entries.some(([, x]) => typeof x !== 'string')) return () => false;
    sel.matchLabels = Object.fromEntries(entries) as Record<string, string>;
  }
  const me = own(v, 'matchExpressions');
  if (Array.isArray(me)) {
    const ok = me.every(
      (e) =>
        isRecord(e) &&
        typeof e.key === 'string' &&
        typeof e.operator === 'string' &&
        (e.values === undefined || (Array.isArray(e.values) && e.values.every((x) => typeof x === 'string'))),
    );
    if (!ok) return () => false;
    sel.matchExpressions = me as LabelSelector['matchExpressions'];
  }
  return compileSelector(sel);
}

const labelsOf = (v: unknown): Labels =>
  isRecord(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};

/** Go templates' truthiness for a value (`{{ if .x }}`): an empty map/list/string is false. */
const goTruthy = (v: unknown) =>
  isRecord(v) ? Object.keys(v).length > 0 : Array.isArray(v) ? v.length > 0 : Boolean(v);

export interface PrometheusSelection {
  readonly namespace: string;
  readonly release: string;
  /** Labels and namespaces (by their labels) of the monitors it loads, per kind. */
  readonly selects: Record<
    'ServiceMonitor' | 'PodMonitor',
    { labels: Matcher; namespaces: Matcher; text: string }
  >;
}

/**
 * The Prometheus object the kube-prometheus-stack chart renders from the Application's values:
 * templates/prometheus/prometheus.yaml writes `<kind>Selector` when set (non-empty), else
 * `matchLabels: {release: <release>}` when `<kind>SelectorNilUsesHelmValues` (chart default
 * true), else `{}` (all); `<kind>NamespaceSelector` when set, else `{}` (every namespace).
 */
export function prometheusSelection(objects: readonly K8sObject[]): PrometheusSelection | undefined {
  for (const o of objects) {
    if (!isRecord(o) || o.kind !== 'Application' || !isRecord(o.spec)) continue;
    const source = own(o.spec, 'source');
    if (!isRecord(source) || source.chart !== KUBE_PROMETHEUS_STACK) continue;
    const helm = isRecord(source.helm) ? source.helm : {};
    const release = str(own(helm, 'releaseName')) ?? o.metadata?.name ?? KUBE_PROMETHEUS_STACK;
    const values = isRecord(own(helm, 'valuesObject')) ? (own(helm, 'valuesObject') as Rec) : {};
    const prometheus = isRecord(own(values, 'prometheus')) ? (own(values, 'prometheus') as Rec) : {};
    const spec = isRecord(own(prometheus, 'prometheusSpec'))
      ? (own(prometheus, 'prometheusSpec') as Rec)
      : {};
    const destination = isRecord(own(o.spec, 'destination')) ? (own(o.spec, 'destination') as Rec) : {};
    const pick = (key: 'serviceMonitor' | 'podMonitor') => {
      const set = own(spec, `${key}Selector`);
      const nil = own(spec, `${key}SelectorNilUsesHelmValues`) ?? true;
      const sel = goTruthy(set) ? set : goTruthy(nil) ? { matchLabels: { release } } : {};
      const ns = own(spec, `${key}NamespaceSelector`);
      return {
        labels: selector(sel),
        namespaces: selector(goTruthy(ns) ? ns : {}),
        text: JSON.stringify(sel),
      };
    };
    return {
      namespace: str(own(destination, 'namespace')) ?? 'monitoring',
      release,
      selects: { ServiceMonitor: pick('serviceMonitor'), PodMonitor: pick('podMonitor') },
    };
  }
  return undefined;
}

interface PodTemplate {
  readonly namespace: string;
  readonly owner: string;
  readonly labels: Labels;
  readonly ports: readonly { name?: string; containerPort: number; protocol: Protocol }[];
}

const TEMPLATE_PATH: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

function podTemplates(objects: readonly K8sObject[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const o of objects) {
    if (!isRecord(o) || typeof o.kind !== 'string' || !Object.hasOwn(TEMPLATE_PATH, o.kind)) continue;
    let t: unknown = o;
    for (const k of TEMPLATE_PATH[o.kind]!) t = isRecord(t) ? own(t, k) : undefined;
    if (!isRecord(t)) continue;
    const meta = isRecord(own(t, 'metadata')) ? (own(t, 'metadata') as Rec) : {};
    const spec = isRecord(own(t, 'spec')) ? (own(t, 'spec') as Rec) : {};
    const ports: PodTemplate['ports'][number][] = [];
    for (const list of ['initContainers', 'containers']) {
      const cs = own(spec, list);
      if (!Array.isArray(cs)) continue;
      for (const c of cs) {
        if (!isRecord(c) || !Array.isArray(c.ports)) continue;
        for (const p of c.ports) {
          if (!isRecord(p) || typeof p.containerPort !== 'number') continue;
          const protocol = p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
          ports.push({
            ...(typeof p.name === 'string' ? { name: p.name } : {}),
            containerPort: p.containerPort,
            protocol,
          });
        }
      }
    }
    out.push({
      namespace: o.metadata?.namespace ?? 'default',
      owner: objectRef(o),
      labels: labelsOf(meta.labels),
      ports,
    });
  }
  return out;
}

interface ServiceInfo {
  readonly ref: string;
  readonly namespace: string;
  readonly labels: Labels;
  /** undefined: no selector (ExternalName, manual endpoints): no pods of the tree behind it. */
  readonly selects?: Matcher;
  readonly ports: readonly { name?: string; port: number; targetPort: number | string; protocol: Protocol }[];
}

function services(objects: readonly K8sObject[]): ServiceInfo[] {
  const out: ServiceInfo[] = [];
  for (const o of objects) {
    if (!isRecord(o) || o.kind !== 'Service' || o.apiVersion !== 'v1') continue;
    const spec = isRecord(o.spec) ? o.spec : {};
    const ports: ServiceInfo['ports'][number][] = [];
    for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
      if (!isRecord(p) || typeof p.port !== 'number') continue;
      const tp = p.targetPort;
      ports.push({
        ...(typeof p.name === 'string' ? { name: p.name } : {}),
        port: p.port,
        // The API server defaults targetPort to port.
        targetPort: typeof tp === 'number' || typeof tp === 'string' ? tp : p.port,
        protocol: p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP',
      });
    }
    const sel = spec.selector;
    out.push({
      ref: objectRef(o),
      namespace: o.metadata?.namespace ?? 'default',
      labels: labelsOf(o.metadata?.labels),
      ...(spec.type !== 'ExternalName' && isRecord(sel) && Object.keys(sel).length > 0
        ? { selects: selector({ matchLabels: sel }) }
        : {}),
      ports,
    });
  }
  return out;
}

interface Monitor {
  readonly kind: 'ServiceMonitor' | 'PodMonitor';
  readonly ref: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly scope: (ns: string) => boolean;
  readonly scopeText: string;
  readonly selects: Matcher;
  readonly endpoints: readonly {
    path: string;
    port?: string;
    targetPort?: number | string;
    portNumber?: number;
  }[];
}

function monitors(objects: readonly K8sObject[]): Monitor[] {
  const out: Monitor[] = [];
  for (const o of objects) {
    if (!isRecord(o) || (o.kind !== 'ServiceMonitor' && o.kind !== 'PodMonitor')) continue;
    if (typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('monitoring.coreos.com/')) continue;
    const spec = isRecord(o.spec) ? o.spec : {};
    const namespace = o.metadata?.namespace ?? 'default';
    // NamespaceSelector: `any` wins over matchNames; neither means the monitor's own namespace.
    const nsSel = isRecord(spec.namespaceSelector) ? spec.namespaceSelector : {};
    const names = Array.isArray(nsSel.matchNames)
      ? nsSel.matchNames.filter((n) => typeof n === 'string')
      : [];
    const scope =
      nsSel.any === true
        ? { scope: () => true, scopeText: 'any namespace' }
        : names.length > 0
          ? {
              scope: (ns: string) => names.includes(ns),
              scopeText: `namespace${names.length > 1 ? 's' : ''} ${names.join(', ')}`,
            }
          : { scope: (ns: string) => ns === namespace, scopeText: `namespace ${namespace}` };
    const list = o.kind === 'ServiceMonitor' ? spec.endpoints : spec.podMetricsEndpoints;
    const field = o.kind === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints';
    const endpoints: Monitor['endpoints'][number][] = [];
    for (const [i, e] of (Array.isArray(list) ? list : []).entries()) {
      if (!isRecord(e)) continue;
      const tp = e.targetPort;
      endpoints.push({
        path: `spec.${field}[${i}]`,
        ...(typeof e.port === 'string' ? { port: e.port } : {}),
        ...(typeof tp === 'number' || typeof tp === 'string' ? { targetPort: tp } : {}),
        ...(typeof e.portNumber === 'number' ? { portNumber: e.portNumber } : {}),
      });
    }
    out.push({
      kind: o.kind,
      ref: objectRef(o),
      namespace,
      labels: labelsOf(o.metadata?.labels),
      ...scope,
      // An absent selector is `{}` to the operator: everything in scope.
      selects: selector(spec.selector ?? {}),
      endpoints,
    });
  }
  return out;
}

/** A scrape: which pods, on which container port (number, and name when the port has one). */
interface Target {
  readonly namespace: string;
  readonly labels: Labels;
  readonly port: number;
  readonly name?: string;
  readonly protocol: Protocol;
  readonly via: string;
}

const containerPortFor = (pod: PodTemplate, target: number | string) =>
  pod.ports.find((p) => (typeof target === 'number' ? p.containerPort === target : p.name === target));

/** Resolves one endpoint to the pods and container ports Prometheus will scrape. */
function endpointTargets(
  m: Monitor,
  e: Monitor['endpoints'][number],
  svcs: readonly ServiceInfo[],
  pods: readonly PodTemplate[],
): { targets: Target[]; problem?: string } {
  if (m.kind === 'PodMonitor') {
    const selected = pods.filter((p) => m.scope(p.namespace) && m.selects(p.labels));
    const want = e.port ?? e.portNumber ?? e.targetPort;
    if (want === undefined) return { targets: [] }; // every declared port: nothing to resolve
    const targets: Target[] = [];
    for (const p of selected) {
      const cp = containerPortFor(p, want);
      if (cp)
        targets.push({
          namespace: p.namespace,
          labels: p.labels,
          port: cp.containerPort,
          ...(cp.name ? { name: cp.name } : {}),
          protocol: cp.protocol,
          via: `${p.owner} port ${cp.name ?? cp.containerPort}`,
        });
    }
    return targets.length > 0
      ? { targets }
      : {
          targets,
          problem: `no selected pod template declares container port ${JSON.stringify(want)} (${selected.map((p) => p.owner).join(', ')})`,
        };
  }
  const selected = svcs.filter((s) => m.scope(s.namespace) && m.selects(s.labels));
  const targets: Target[] = [];
  let found = false;
  for (const s of selected) {
    // `port` (Service port name) takes precedence over `targetPort` (container port).
    const svcPorts = e.port !== undefined ? s.ports.filter((p) => p.name === e.port) : s.ports;
    if (e.port !== undefined && svcPorts.length > 0) found = true;
    if (!s.selects) continue;
    for (const p of pods) {
      if (p.namespace !== s.namespace || !s.selects(p.labels)) continue;
      for (const sp of svcPorts) {
        const cp = containerPortFor(p, sp.targetPort);
        const number = cp?.containerPort ?? (typeof sp.targetPort === 'number' ? sp.targetPort : undefined);
        if (number === undefined) continue; // a named targetPort no container declares: no endpoint
        if (e.port === undefined && e.targetPort !== undefined) {
          const ok = typeof e.targetPort === 'number' ? number === e.targetPort : cp?.name === e.targetPort;
          if (!ok) continue;
          found = true;
        }
        targets.push({
          namespace: p.namespace,
          labels: p.labels,
          port: number,
          ...(cp?.name ? { name: cp.name } : {}),
          protocol: sp.protocol,
          via: `${s.ref} port ${sp.name ?? sp.port} → ${p.owner} ${cp?.name ?? number}`,
        });
      }
    }
  }
  if (e.port !== undefined && !found)
    return {
      targets,
      problem: `port ${JSON.stringify(e.port)} is not a port name of the selected Service(s) ${selected.map((s) => `${s.ref} (${s.ports.map((p) => p.name ?? p.port).join(', ') || 'no ports'})`).join(', ')}`,
    };
  if (e.port === undefined && e.targetPort !== undefined && !found)
    return {
      targets,
      problem: `targetPort ${JSON.stringify(e.targetPort)} is no container port of the pods behind ${selected.map((s) => s.ref).join(', ')}`,
    };
  return { targets };
}

/** `observability.servicemonitor-selects`. */
export function checkMonitorsSelect(
  objects: readonly K8sObject[],
  namespaces: ReadonlyMap<string, Labels>,
): Finding[] {
  const prom = prometheusSelection(objects);
  const svcs = services(objects);
  const pods = podTemplates(objects);
  const out: Finding[] = [];
  const list = monitors(objects);
  for (const m of list) {
    const fail = (path: string, message: string, fix: string) =>
      out.push({ ruleId: RULE_SELECTS, status: 'fail', resource: m.ref, path, message, fix });
    if (!prom) {
      fail(
        'metadata.labels',
        `${m.ref}: no Prometheus in the tree (kube-prometheus-stack) would load it`,
        'install the kube-prometheus-stack engine',
      );
    } else {
      const sel = prom.selects[m.kind];
      if (!sel.labels(m.labels))
        fail(
          'metadata.labels',
          `${m.ref} lacks the labels Prometheus selects ${m.kind}s by (${sel.text}, from the ${prom.release} values): the operator ignores it and nothing is scraped`,
          `add the labels ${sel.text}`,
        );
      else if (!sel.namespaces(namespaces.get(m.namespace) ?? { 'kubernetes.io/metadata.name': m.namespace }))
        fail(
          'metadata.namespace',
          `${m.ref}: its namespace is outside Prometheus' ${m.kind} namespace selector`,
          'move it or widen the namespace selector',
        );
    }
    const inScope =
      m.kind === 'ServiceMonitor'
        ? svcs.filter((s) => m.scope(s.namespace) && m.selects(s.labels)).length
        : pods.filter((p) => m.scope(p.namespace) && m.selects(p.labels)).length;
    if (inScope === 0) {
      fail(
        'spec.selector',
        `${m.ref} selects no ${m.kind === 'ServiceMonitor' ? 'Service' : 'pod template'} of the tree in ${m.scopeText}`,
        `match the labels of the ${m.kind === 'ServiceMonitor' ? 'Service' : 'pods'} to scrape`,
      );
      continue;
    }
    if (m.endpoints.length === 0)
      fail(
        `spec.${m.kind === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints'}`,
        `${m.ref} has no endpoints`,
        'add an endpoint with a named port',
      );
    for (const e of m.endpoints) {
      const r = endpointTargets(m, e, svcs, pods);
      if (r.problem)
        fail(`${e.path}.port`, `${m.ref}: ${r.problem}`, 'name a port the selected objects declare');
    }
  }
  return out.length > 0
    ? out
    : [
        {
          ruleId: RULE_SELECTS,
          status: 'pass',
          resource: 'ServiceMonitor/*',
          path: '',
          message:
            list.length > 0
              ? `${list.length} monitors are loaded by Prometheus and select named ports of the tree`
              : 'no ServiceMonitor or PodMonitor in the tree (nothing the tree runs is scraped through one)',
        },
      ];
}

export { PROMETHEUS_POD_LABELS };

/** Port allowed by a direction's verdict, by number or (NetworkPolicy named ports) by name. */
function admits(v: DirectionVerdict | undefined, t: Target): boolean {
  if (!v) return true;
  const ports: PortSet = v.ports;
  return (
    contains(ports, { protocol: t.protocol, port: t.port }) ||
    (t.name !== undefined && contains(ports, { protocol: t.protocol, port: t.name }))
  );
}

const reachEndpoint = (t: Target) => {
  const labels = Object.entries(t.labels).map(([k, v]) => `${k}=${v}`);
  return labels.length > 0 ? `${t.namespace}/${labels.join(',')}` : t.namespace;
};

/** `observability.scrape-reachable`. */
export function checkScrapeReachable(
  objects: readonly K8sObject[],
  env: ResolvedEnvironment,
  model: NetworkModel,
): Finding[] {
  const prom = prometheusSelection(objects);
  const monitoringNs = prom?.namespace ?? env.platform.monitoringNamespace;
  const from = { kind: 'pod' as const, namespace: monitoringNs, labels: PROMETHEUS_POD_LABELS };
  const svcs = services(objects);
  const pods = podTemplates(objects);
  const checks: { resource: string; path: string; target: Target }[] = [];
  for (const m of monitors(objects))
    for (const e of m.endpoints)
      for (const target of endpointTargets(m, e, svcs, pods).targets)
        checks.push({ resource: m.ref, path: e.path, target });
  // Chart-rendered ServiceMonitors of the engines the tree installs (their namespace is in it).
  const installed = new Set([...model.namespaces.values()].map((l) => l['mlp.dev/engine']).filter(Boolean));
  for (const engine of ENGINES) {
    if (!installed.has(engine.name)) continue;
    for (const t of engine.network(env).scrapeTargets ?? [])
      checks.push({
        resource: `Application/${engine.name}`,
        path: 'spec.source.helm.valuesObject',
        target: {
          namespace: t.namespace,
          labels: t.podLabels,
          port: t.port.port,
          protocol: t.port.protocol ?? 'TCP',
          via: t.what,
        },
      });
  }
  // The teams' declared metrics ports (what their workloads' monitors will scrape).
  for (const team of env.teams)
    for (const p of team.network.metricsPorts) {
      const r = parsePort(p);
      checks.push({
        resource: `Namespace/${team.name}`,
        path: 'network.metricsPorts',
        target: {
          namespace: team.name,
          labels: {},
          port: r.port,
          protocol: r.protocol,
          via: `declared metrics port ${p}`,
        },
      });
    }
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const { resource, path, target } of checks) {
    const key = JSON.stringify([resource, target.namespace, target.labels, target.port, target.protocol]);
    if (seen.has(key)) continue;
    seen.add(key);
    const to = { kind: 'pod' as const, namespace: target.namespace, labels: target.labels };
    const egress = model.direction(from, 'egress', to);
    const ingress = model.direction(to, 'ingress', from);
    const okE = !egress.isolated || admits(egress, target);
    const okI = !ingress.isolated || admits(ingress, target);
    if (okE && okI) continue;
    const side = !okE
      ? `egress from ${monitoringNs} denied (isolated by ${egress.selectedBy.join(', ')}; no rule allows ${target.port}/${target.protocol})`
      : `ingress at ${target.namespace} denied (isolated by ${ingress.selectedBy.join(', ')}; no rule admits ${monitoringNs} on ${target.port}/${target.protocol})`;
    out.push({
      ruleId: RULE_REACHABLE,
      status: 'fail',
      resource,
      path,
      message: `Prometheus (${monitoringNs}, app.kubernetes.io/name=prometheus) cannot scrape ${target.namespace} ${target.via} on ${target.port}/${target.protocol}: ${side}`,
      fix: `allow ${monitoringNs} → ${target.namespace} on ${target.port}/${target.protocol} on both sides; see: mlp reach ${monitoringNs}/app.kubernetes.io/name=prometheus ${reachEndpoint(target)} -p ${target.port}/${target.protocol}`,
    });
  }
  return out.length > 0
    ? out
    : [
        {
          ruleId: RULE_REACHABLE,
          status: 'pass',
          resource: `environment/${env.environment}`,
          path: '',
          message: `${seen.size} scrape targets reachable from Prometheus under the NetworkPolicies`,
        },
      ];
}
