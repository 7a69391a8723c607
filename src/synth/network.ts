/**
 * NetworkPolicies. They only ever add permissions, so isolation comes from a default-deny policy
 * in every namespace we own; each allowance below is one small, named policy so that
 * `kubectl get netpol` reads like the spec.
 */
import { metadataInside, parseCidr } from '../core/cidr.js';
import { type PortRange, parsePort, toPolicyPort } from '../core/ports.js';
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import type { SharedService, Team } from '../spec/schema.js';
import { dataServiceMetricsPort } from './data-services.js';
import { PROMETHEUS_POD_LABELS } from './monitors.js';

type Labels = Record<string, string>;

export const nsSelector = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const ports = (list: readonly (string | number)[]) => list.map((p) => toPolicyPort(parsePort(p)));

/**
 * Egress to a CIDR never includes the cloud metadata endpoint: a team that asked for 0.0.0.0/0
 * (or a VPC range around it) would otherwise act with the node's cloud identity.
 */
export function ipBlock(cidr: string): { ipBlock: { cidr: string; except?: string[] } } {
  const parsed = parseCidr(cidr);
  const except = parsed ? metadataInside(parsed).filter((m) => m !== cidr) : [];
  return { ipBlock: except.length > 0 ? { cidr, except } : { cidr } };
}

export function policy(
  namespace: string,
  name: string,
  labels: Labels,
  spec: Record<string, unknown>,
): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels },
    spec,
  };
}

/** cert-manager's HTTP-01 solver pods: their label and port (cert-manager's acmesolver). */
export const ACME_SOLVER_LABEL = 'acme.cert-manager.io/http01-solver';
export const ACME_SOLVER_PORT = '8089/TCP';

/** The team publishes hosts whose certificates an ACME issuer proves over HTTP-01. */
export function needsAcmeSolver(env: ResolvedEnvironment, team: Team): boolean {
  // Model servers publish a host too (synth/models.ts), with its own Certificate.
  return (
    env.tls.issuer === 'acme' &&
    env.domain !== undefined &&
    (team.ingress.length > 0 || team.models.length > 0)
  );
}

/** Default deny, DNS and same-namespace traffic: the base every owned namespace gets. */
export function baselinePolicies(namespace: string, labels: Labels): K8sObject[] {
  const dnsPorts: PortRange[] = [parsePort('53/UDP'), parsePort('53/TCP')];
  return [
    policy(namespace, 'default-deny-all', labels, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy(namespace, 'allow-dns', labels, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          // One peer with both selectors: the DNS pods in kube-system, not anything in it.
          to: [
            {
              namespaceSelector: nsSelector('kube-system'),
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: dnsPorts.map(toPolicyPort),
        },
      ],
    }),
    policy(namespace, 'allow-same-namespace', labels, {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
  ];
}

function ingressFromNamespace(
  ns: string,
  name: string,
  labels: Labels,
  from: string,
  portList: readonly (string | number)[],
) {
  return policy(ns, name, labels, {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: nsSelector(from) }], ports: ports(portList) }],
  });
}

export function teamPolicies(env: ResolvedEnvironment, team: Team, labels: Labels): K8sObject[] {
  const ns = team.name;
  const net = team.network;
  const out = baselinePolicies(ns, labels);
  if (net.ingressPorts.length > 0) {
    out.push(
      ingressFromNamespace(
        ns,
        'allow-from-ingress-controller',
        labels,
        env.platform.ingressNamespace,
        net.ingressPorts,
      ),
    );
  }
  if (needsAcmeSolver(env, team)) {
    // HTTP-01: the ACME server fetches the challenge through ingress-nginx from the solver pod
    // cert-manager starts in this namespace; only those pods, only on the solver's port.
    out.push(
      policy(ns, 'allow-acme-solver-from-ingress-controller', labels, {
        podSelector: { matchLabels: { [ACME_SOLVER_LABEL]: 'true' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: nsSelector(env.platform.ingressNamespace) }],
            ports: ports([ACME_SOLVER_PORT]),
          },
        ],
      }),
    );
  }
  if (net.metricsPorts.length > 0) {
    out.push(
      ingressFromNamespace(
        ns,
        'allow-from-monitoring',
        labels,
        env.platform.monitoringNamespace,
        net.metricsPorts,
      ),
    );
  }
  // Cross-team allowance, target side: ingress from the source team.
  for (const a of net.allowFrom) {
    out.push(ingressFromNamespace(ns, `allow-from-team-${a.team}`, labels, a.team, a.ports));
  }
  // Cross-team allowance, source side: egress to every team that admits us.
  for (const target of env.teams) {
    for (const a of target.network.allowFrom) {
      if (a.team !== team.name) continue;
      out.push(
        policy(ns, `allow-to-team-${target.name}`, labels, {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: nsSelector(target.name) }], ports: ports(a.ports) }],
        }),
      );
    }
  }
  for (const name of net.services) {
    const svc = env.sharedServices.find((s) => s.name === name)!;
    // A managed endpoint (RDS, ElastiCache, S3) lives outside the cluster: egress to its network.
    const managed = env.services[svc.name]?.managed;
    const egress = managed
      ? { to: [ipBlock(managed.cidr)], ports: ports([Number(managed.endpoint.split(':')[1])]) }
      : { to: [servicePeer(svc)], ports: ports(svc.ports) };
    out.push(
      policy(ns, `allow-to-service-${svc.name}`, labels, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [egress],
      }),
    );
  }
  if (net.egressCidrs.length > 0) {
    out.push(
      policy(ns, 'allow-egress-cidrs', labels, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: net.egressCidrs.map(ipBlock) }],
      }),
    );
  }
  return out;
}

function servicePeer(svc: SharedService): Record<string, unknown> {
  const peer: Record<string, unknown> = { namespaceSelector: nsSelector(svc.namespace) };
  if (Object.keys(svc.podSelector).length > 0) peer.podSelector = { matchLabels: svc.podSelector };
  return peer;
}

/** Target side of shared-service access: only the teams that declared the service get in. */
export function sharedServicePolicies(
  svc: SharedService,
  teams: readonly Team[],
  labels: Labels,
): K8sObject[] {
  const users = teams.filter((t) => t.network.services.includes(svc.name));
  if (users.length === 0) return [];
  const podSelector = Object.keys(svc.podSelector).length > 0 ? { matchLabels: svc.podSelector } : {};
  return [
    policy(svc.namespace, `allow-to-${svc.name}`, labels, {
      podSelector,
      policyTypes: ['Ingress'],
      ingress: [
        { from: users.map((t) => ({ namespaceSelector: nsSelector(t.name) })), ports: ports(svc.ports) },
      ],
    }),
  ];
}

/** A pod port Prometheus scrapes, as the monitoring policies need it. */
export interface ScrapePeer {
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

/** The in-cluster data services' metrics ports (none for managed ones: nothing runs here). */
export function dataServiceScrapePeers(env: ResolvedEnvironment): ScrapePeer[] {
  const out: ScrapePeer[] = [];
  for (const svc of env.sharedServices) {
    const port = dataServiceMetricsPort(env, svc);
    if (port === undefined) continue;
    out.push({ name: `service-${svc.name}`, namespace: svc.namespace, podLabels: svc.podSelector, port });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const peerSelector = (labels: Readonly<Record<string, string>>) =>
  Object.keys(labels).length > 0 ? { matchLabels: { ...labels } } : {};

/**
 * Monitoring egress: one policy per scrape target, from the Prometheus pods only (not Grafana
 * or Alertmanager) to exactly its pods and port (the team metrics ports are
 * `allow-scrape-team-*`, next to these in the engine's policies).
 */
export function monitoringScrapeEgress(
  namespace: string,
  labels: Labels,
  peers: readonly ScrapePeer[],
): K8sObject[] {
  return peers.map((p) =>
    policy(namespace, `allow-scrape-${p.name}`, labels, {
      podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: nsSelector(p.namespace), podSelector: peerSelector(p.podLabels) }],
          ports: [{ protocol: p.protocol ?? 'TCP', port: p.port }],
        },
      ],
    }),
  );
}

/** Target side: Prometheus may reach these pods on their metrics port only. */
export function allowScrapeFromMonitoring(
  env: ResolvedEnvironment,
  peer: ScrapePeer,
  labels: Labels,
  name = 'allow-from-monitoring',
): K8sObject {
  return policy(peer.namespace, name, labels, {
    podSelector: peerSelector(peer.podLabels),
    policyTypes: ['Ingress'],
    ingress: [
      {
        // One peer with both selectors: the Prometheus pods of the monitoring namespace.
        from: [
          {
            namespaceSelector: nsSelector(env.platform.monitoringNamespace),
            podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } },
          },
        ],
        ports: [{ protocol: peer.protocol ?? 'TCP', port: peer.port }],
      },
    ],
  });
}

/** Shared-service namespace side of the data services' scrapes. */
export function dataServiceScrapePolicies(
  env: ResolvedEnvironment,
  namespace: string,
  labels: Labels,
): K8sObject[] {
  return dataServiceScrapePeers(env)
    .filter((p) => p.namespace === namespace)
    .map((p) =>
      allowScrapeFromMonitoring(
        env,
        p,
        labels,
        `allow-scrape-from-monitoring-${p.name.slice('service-'.length)}`,
      ),
    );
}
