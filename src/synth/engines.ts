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
import { commonLabels } from './labels.js';
import { namespaceObject } from './namespaces.js';
import {
  ACME_SOLVER_PORT,
  baselinePolicies,
  ipBlock,
  needsAcmeSolver,
  nsSelector,
  policy,
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

export function engineNamespace(env: ResolvedEnvironment, engine: Engine): K8sObject {
  return namespaceObject(
    env,
    engine.namespace(env),
    engine.podSecurity.level,
    { ...commonLabels(env), 'mlp.dev/engine': engine.name },
    { 'mlp.dev/pod-security-reason': engine.podSecurity.why },
  );
}

/** Prometheus' pods (prometheus-operator labels its StatefulSet's pods with this) and port. */
export const PROMETHEUS_POD = { 'app.kubernetes.io/name': 'prometheus' };
export const PROMETHEUS_PORT = 9090;

/**
 * `others` are the environment's other enabled engines: the monitoring namespace (the engine
 * that scrapes teams) admits their Prometheus queries and scrapes their metrics ports.
 */
export function enginePolicies(
  env: ResolvedEnvironment,
  engine: Engine,
  labels: Labels,
  others: readonly Engine[] = [],
): K8sObject[] {
  const ns = engine.namespace(env);
  const net = engine.network(env);
  const out = baselinePolicies(ns, labels);
  const monitoring = env.platform.monitoringNamespace;
  if ((net.metricsPorts ?? []).length > 0)
    out.push(
      policy(ns, 'allow-scrape-from-monitoring', labels, {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: nsSelector(monitoring) }],
            ports: policyPorts(net.metricsPorts ?? []),
          },
        ],
      }),
    );
  if (net.queriesPrometheus)
    out.push(
      policy(ns, 'allow-to-prometheus', labels, {
        podSelector: {},
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
    for (const other of others) {
      const o = other.network(env);
      const theirs = other.namespace(env);
      if (theirs === ns) continue;
      if ((o.metricsPorts ?? []).length > 0)
        out.push(
          policy(ns, `allow-scrape-engine-${other.name}`, labels, {
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [
              { to: [{ namespaceSelector: nsSelector(theirs) }], ports: policyPorts(o.metricsPorts ?? []) },
            ],
          }),
        );
      if (o.queriesPrometheus)
        out.push(
          policy(ns, `allow-prometheus-queries-from-${other.name}`, labels, {
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

export function engineComponent(
  env: ResolvedEnvironment,
  engine: Engine,
  others: readonly Engine[] = [],
): Component {
  const labels = commonLabels(env);
  const ns = engine.namespace(env);
  return {
    name: engine.name,
    wave: engine.wave,
    files: [
      {
        name: 'application.yaml',
        objects: [helmApplication(env, engine.name, ns, engine.chart, engine.values(env))],
      },
      { name: 'namespace.yaml', objects: [engineNamespace(env, engine)] },
      { name: 'network-policies.yaml', objects: enginePolicies(env, engine, labels, others) },
    ],
  };
}
