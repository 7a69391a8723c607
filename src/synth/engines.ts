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
  allowScrapeFromMonitoring,
  baselinePolicies,
  dataServiceScrapePeers,
  ipBlock,
  monitoringScrapeEgress,
  needsAcmeSolver,
  nsSelector,
  policy,
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

export function engineNamespace(env: ResolvedEnvironment, engine: Engine): K8sObject {
  return namespaceObject(
    env,
    engine.namespace(env),
    engine.podSecurity.level,
    { ...commonLabels(env), 'mlp.dev/engine': engine.name },
    { 'mlp.dev/pod-security-reason': engine.podSecurity.why },
  );
}

export function enginePolicies(env: ResolvedEnvironment, engine: Engine, labels: Labels): K8sObject[] {
  const ns = engine.namespace(env);
  const net = engine.network(env);
  const out = baselinePolicies(ns, labels);
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
      ...ENGINES.flatMap((e) => e.network(env).scrapeTargets ?? []).map(scrapePeer),
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

export function engineComponent(env: ResolvedEnvironment, engine: Engine): Component {
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
      { name: 'network-policies.yaml', objects: enginePolicies(env, engine, labels) },
    ],
  };
}
