/**
 * Each engine the environment relies on becomes a component of its own
 * (`gitops/<env>/<engine>/`): its Namespace at the Pod Security level it really needs, the
 * Argo CD Application that installs its pinned chart with values from the spec, and the
 * NetworkPolicies that let it do its job and nothing else.
 */
import { parsePort, toPolicyPort } from '../core/ports.js';
import { ENGINES, type Engine, type EnginePort } from '../engines/index.js';
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { helmApplication } from './argocd.js';
import type { Component } from './component.js';
import { commonLabels, teamLabels } from './labels.js';
import { namespaceObject } from './namespaces.js';
import {
  ACME_SOLVER_PORT,
  allowScrapeFromMonitoring,
  baselinePolicies,
  dataServiceScrapePeers,
  ipBlock,
  policy as makePolicy,
  monitoringScrapeEgress,
  needsAcmeSolver,
  nsSelector,
  type ScrapePeer,
} from './network.js';

type Labels = Record<string, string>;

/** Any address, IPv4 and IPv6, the cloud metadata endpoints excepted (network.ts ipBlock). */
const ANYWHERE = [ipBlock('0.0.0.0/0'), ipBlock('::/0')];
/** The API server as its Service (443, EKS) or its endpoint after DNAT (6443, kind/kubeadm). */
const API_SERVER_PORTS: readonly EnginePort[] = [{ port: 443 }, { port: 6443 }];

const policyPorts = (ports: readonly EnginePort[]) =>
  ports.map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port }));

/** The engines this environment relies on; `objects` is the rest of the tree. */
export function enabledEngines(env: ResolvedEnvironment, objects: readonly K8sObject[]): Engine[] {
  return ENGINES.filter((e) => e.enabled(env, objects));
}

const LEVEL_ORDER = ['restricted', 'baseline', 'privileged'] as const;

/**
 * The engines that share `engine`'s namespace, in ENGINES order; the first one owns the
 * namespace: its component renders the Namespace and the baseline policies (default deny, DNS,
 * same namespace) once, and its policies keep their plain names and select every pod, as when
 * it was alone. The others name their policies `<engine>-…` and select their own pods.
 */
export function namespacePeers(
  env: ResolvedEnvironment,
  engine: Engine,
  enabled: readonly Engine[],
): Engine[] {
  const ns = engine.namespace(env);
  const peers = enabled.filter((e) => e.namespace(env) === ns);
  return peers.length > 0 ? peers : [engine];
}

/**
 * The namespace of `peers` (engines sharing it): Pod Security at the most permissive level any
 * of them needs, and each one's reason when there are several.
 */
export function engineNamespace(
  env: ResolvedEnvironment,
  engine: Engine,
  peers: readonly Engine[] = [engine],
): K8sObject {
  const level = peers
    .map((e) => e.podSecurity.level)
    .reduce((a, b) => (LEVEL_ORDER.indexOf(b) > LEVEL_ORDER.indexOf(a) ? b : a));
  const why =
    peers.length === 1
      ? engine.podSecurity.why
      : peers.map((e) => `${e.name} (${e.podSecurity.level}): ${e.podSecurity.why}`).join('; ');
  return namespaceObject(
    env,
    engine.namespace(env),
    level,
    { ...commonLabels(env), 'mlp.dev/engine': engine.name },
    { 'mlp.dev/pod-security-reason': why },
  );
}

/** Prometheus' pods (prometheus-operator labels its StatefulSet's pods with this) and port. */
export const PROMETHEUS_POD = { 'app.kubernetes.io/name': 'prometheus' };
export const PROMETHEUS_PORT = 9090;

/**
 * `owner`: the first engine of its namespace renders the namespace-wide policies; a guest only
 * policies on its own pods. `enabled`: every engine of the tree — the monitoring engine admits
 * their Prometheus queries and scrapes their chart-rendered targets.
 */
export function enginePolicies(
  env: ResolvedEnvironment,
  engine: Engine,
  labels: Labels,
  owner = true,
  enabled: readonly Engine[] = [engine],
): K8sObject[] {
  const ns = engine.namespace(env);
  const net = engine.network(env);
  // A guest in another engine's namespace: its own pods only, its own policy names. Without
  // pod labels its allowances would open the whole namespace: a mistake in the engine data.
  if (!owner && !engine.pods)
    throw new Error(`engine ${engine.name} shares namespace ${ns} but declares no pods to select`);
  const podSelector = owner ? {} : { matchLabels: { ...engine.pods } };
  const named = (name: string) => (owner ? name : `${engine.name}-${name}`);
  // Every policy below is in the engine's namespace (the team side is teamEgressToEngine).
  const policy = (_ns: string, name: string, l: Labels, spec: Record<string, unknown>) =>
    makePolicy(ns, named(name), l, { ...spec, podSelector });
  const out = owner ? baselinePolicies(ns, labels) : [];
  if (net.fromTeams) {
    const teams = [...env.teams].sort((a, b) => (a.name < b.name ? -1 : 1));
    if (teams.length > 0)
      out.push(
        makePolicy(ns, named('allow-from-teams'), labels, {
          // Only the pods teams may call, even when this engine owns the namespace.
          podSelector: { matchLabels: { ...net.fromTeams.pods } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: teams.map((t) => ({ namespaceSelector: nsSelector(t.name) })),
              ports: policyPorts(net.fromTeams.ports),
            },
          ],
        }),
      );
  }
  const monitoring = env.platform.monitoringNamespace;
  if (net.queriesPrometheus)
    out.push(
      policy(ns, 'allow-to-prometheus', labels, {
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: nsSelector(monitoring), podSelector: { matchLabels: PROMETHEUS_POD } }],
            ports: policyPorts([{ port: PROMETHEUS_PORT }]),
          },
        ],
      }),
    );
  if (net.teamMetricsPorts)
    for (const other of enabled) {
      const theirs = other.namespace(env);
      if (theirs === ns || !other.network(env).queriesPrometheus) continue;
      out.push(
        makePolicy(ns, named(`allow-prometheus-queries-from-${other.name}`), labels, {
          podSelector: { matchLabels: PROMETHEUS_POD },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [{ namespaceSelector: nsSelector(theirs) }],
              ports: policyPorts([{ port: PROMETHEUS_PORT }]),
            },
          ],
        }),
      );
    }
  if (net.webhookPorts.length > 0)
    out.push(
      policy(ns, 'allow-webhooks-from-api-server', labels, {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: ANYWHERE, ports: policyPorts(net.webhookPorts) }],
      }),
    );
  if (net.apiServer)
    out.push(
      policy(ns, 'allow-to-api-server', labels, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: ANYWHERE, ports: policyPorts(API_SERVER_PORTS) }],
      }),
    );
  if (net.publicPorts.length > 0)
    out.push(
      policy(ns, 'allow-public-ingress', labels, {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: ANYWHERE, ports: policyPorts(net.publicPorts) }],
      }),
    );
  if (net.internetEgress.length > 0)
    out.push(
      policy(ns, 'allow-to-internet', labels, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: ANYWHERE, ports: policyPorts(net.internetEgress) }],
      }),
    );
  if ((net.nodePorts ?? []).length > 0)
    out.push(
      policy(ns, 'allow-to-nodes', labels, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: ANYWHERE, ports: policyPorts(net.nodePorts ?? []) }],
      }),
    );
  if (net.teamMetricsPorts) {
    // Source side of what every team's allow-from-monitoring admits: its metrics ports only.
    for (const team of [...env.teams].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (team.network.metricsPorts.length === 0) continue;
      out.push(
        policy(ns, `allow-scrape-team-${team.name}`, labels, {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            {
              to: [{ namespaceSelector: nsSelector(team.name) }],
              ports: team.network.metricsPorts.map((p) => toPolicyPort(parsePort(p))),
            },
          ],
        }),
      );
    }
  }
  // Target side of the scrapes of this engine's own pods (chart-rendered ServiceMonitors).
  for (const t of net.scrapeTargets ?? [])
    if (t.namespace === ns) out.push(allowScrapeFromMonitoring(env, scrapePeer(t), labels));
  if (net.teamMetricsPorts) {
    // The scraper: egress to every engine's chart-scraped pods and the in-cluster data services.
    const peers = [
      ...enabled.flatMap((e) => e.network(env).scrapeTargets ?? []).map(scrapePeer),
      ...dataServiceScrapePeers(env),
    ];
    out.push(...monitoringScrapeEgress(ns, labels, peers));
  }
  if (net.teamIngressPorts) {
    // Source side of what every team's allow-from-ingress-controller admits.
    for (const team of [...env.teams].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const portList = [
        ...team.network.ingressPorts,
        // The HTTP-01 solver pods cert-manager starts in the team's namespace.
        ...(needsAcmeSolver(env, team) ? [ACME_SOLVER_PORT] : []),
      ];
      if (portList.length === 0) continue;
      out.push(
        policy(ns, `allow-to-team-${team.name}`, labels, {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            {
              to: [{ namespaceSelector: nsSelector(team.name) }],
              ports: portList.map((p) => toPolicyPort(parsePort(p))),
            },
          ],
        }),
      );
    }
  }
  return out;
}

const scrapePeer = (t: NonNullable<ReturnType<Engine['network']>['scrapeTargets']>[number]): ScrapePeer => ({
  name: t.name,
  namespace: t.namespace,
  podLabels: t.podLabels,
  port: t.port.port,
  ...(t.port.protocol ? { protocol: t.port.protocol } : {}),
});

/**
 * The team side of `fromTeams`: each team namespace may open connections to the engine's pods
 * on its ports (the engine's own allow-from-teams admits them). Rendered with the engine, so
 * the allowance leaves the tree when the engine does.
 */
export function teamEgressToEngine(env: ResolvedEnvironment, engine: Engine): K8sObject[] {
  const from = engine.network(env).fromTeams;
  if (!from) return [];
  const ns = engine.namespace(env);
  return [...env.teams]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((t) =>
      makePolicy(t.name, `allow-to-${engine.name}`, teamLabels(env, t), {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            // One peer, both selectors: those pods in that namespace only.
            to: [{ namespaceSelector: nsSelector(ns), podSelector: { matchLabels: { ...from.pods } } }],
            ports: policyPorts(from.ports),
          },
        ],
      }),
    );
}

/** `enabled`: every engine of the tree (the ones sharing this engine's namespace matter). */
export function engineComponent(
  env: ResolvedEnvironment,
  engine: Engine,
  enabled: readonly Engine[] = [engine],
): Component {
  const labels = commonLabels(env);
  const ns = engine.namespace(env);
  const peers = namespacePeers(env, engine, enabled);
  const owner = peers[0] === engine;
  const teamEgress = teamEgressToEngine(env, engine);
  return {
    name: engine.name,
    wave: engine.wave,
    files: [
      {
        name: 'application.yaml',
        objects: [helmApplication(env, engine.name, ns, engine.chart, engine.values(env))],
      },
      ...(owner ? [{ name: 'namespace.yaml', objects: [engineNamespace(env, engine, peers)] }] : []),
      { name: 'network-policies.yaml', objects: enginePolicies(env, engine, labels, owner, enabled) },
      ...(teamEgress.length > 0 ? [{ name: 'team-egress.yaml', objects: teamEgress }] : []),
    ],
  };
}
