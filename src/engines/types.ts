/**
 * An engine is data: the upstream Helm chart the tree installs through Argo CD, pinned, with
 * values computed from the resolved environment, and what the rest of mlp must know about it
 * (the API groups its CRDs provide, the namespace it runs in, the Pod Security level its pods
 * really need, the network it needs, why the admission rules must not judge it). Adding an
 * engine is one file of this shape and a line in `index.ts`.
 */
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** A port as NetworkPolicies write it. */
export interface EnginePort {
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

/**
 * Traffic an engine needs beyond its own namespace and DNS (which every engine namespace gets).
 * "The API server" is outside the pod network: its calls to a webhook come from a node or
 * control-plane address that differs per cluster (kind's docker network, EKS's ENIs), so it is
 * modelled as any address (ipBlock 0.0.0.0/0 and ::/0) on the webhook port only. An ipBlock
 * never matches pod addresses in the reachability model (NetworkPolicy semantics: ipBlock is
 * meant for cluster-external traffic), so no pod gains access through it.
 */
export interface EngineNetwork {
  /** Ports the API server calls (admission/conversion webhooks). */
  readonly webhookPorts: readonly EnginePort[];
  /** Egress to the API server (controllers watch it): 443 (EKS, Service port) and 6443 (kind). */
  readonly apiServer: boolean;
  /** Ingress from anywhere (the ingress controller's 80/443). */
  readonly publicPorts: readonly EnginePort[];
  /** Egress to the internet on these ports (ACME, AWS APIs, git and Helm repositories). */
  readonly internetEgress: readonly EnginePort[];
  /** Egress to every team namespace on the ports it publishes through ingress (ingress-nginx). */
  readonly teamIngressPorts: boolean;
  /** Egress to every team namespace on its declared metrics ports (Prometheus). @default false */
  readonly teamMetricsPorts?: boolean;
  /** Egress to Prometheus (monitoring namespace, 9090): it queries metrics (canary analysis). @default false */
  readonly queriesPrometheus?: boolean;
  /**
   * Egress to the nodes on these ports (kubelet, host-network exporters). Node addresses differ
   * per cluster, so, like the API server, they are any address on these ports only. @default []
   */
  readonly nodePorts?: readonly EnginePort[];
  /**
   * Every team namespace may connect to these pods of the engine on these ports (OTLP to the
   * collector): both sides are rendered, the engine's ingress and each team's egress.
   * @default none
   */
  readonly fromTeams?: {
    readonly pods: Readonly<Record<string, string>>;
    readonly ports: readonly EnginePort[];
  };
  /**
   * Connections it opens to other engines (the collector to Tempo, the shipper to Loki): not
   * rendered (engines sharing a namespace reach each other through allow-same-namespace), but
   * proven by `mlp check` (network.engines). @default none
   */
  readonly sendsTo?: readonly { readonly engine: string; readonly port: number }[];
  /**
   * Pods Prometheus scrapes through a ServiceMonitor the engine's chart renders (so not in the
   * tree, where `observability.scrape-reachable` finds the tree's own): the scraper's egress
   * goes to each, and where the target is in the engine's own namespace, so does its ingress
   * from the monitoring namespace. @default []
   */
  readonly scrapeTargets?: readonly ScrapeTarget[];
}

/** A pod port Prometheus scrapes. */
export interface ScrapeTarget {
  /** Policy name suffix: `allow-scrape-<name>` (monitoring) / `allow-from-monitoring` (target). */
  readonly name: string;
  readonly namespace: string;
  /** The pods' labels as the chart sets them. */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly port: EnginePort;
  readonly what: string;
}

export interface HelmChart {
  /** Helm repository URL (what Argo CD's `spec.source.repoURL` takes for a chart). */
  readonly repoURL: string;
  readonly chart: string;
  /** Exact chart version: `targetRevision` of the Application; never a range. */
  readonly version: string;
  /** The application version the chart ships (documentation; the chart decides the image). */
  readonly appVersion: string;
}

export interface Engine {
  /** Component folder (`gitops/<env>/<name>/`), Application and Helm release name. */
  readonly name: string;
  /** What it provides, one line (README table, `mlp check` messages). */
  readonly provides: string;
  readonly namespace: (env: ResolvedEnvironment) => string;
  readonly chart: HelmChart;
  /** Argo CD sync wave of its component: lower than anything that uses its kinds. */
  readonly wave: number;
  /** API groups its CRDs provide: objects in them must come in a later wave. */
  readonly crdGroups: readonly string[];
  /**
   * The kinds it provides, where another engine's CRDs share the group (Argo CD and Argo
   * Rollouts both serve argoproj.io): the delivery check then maps these kinds, not the whole
   * group, to this engine. Unset = every kind of `crdGroups`.
   */
  readonly crdKinds?: readonly string[];
  /**
   * Installed before the tree by other means (Argo CD by `mlp bootstrap`), so its own
   * component may hold objects of its groups: why, or undefined.
   */
  readonly bootstrapped?: string;
  /** Whether this environment's tree relies on it; `objects` is the rest of the tree. */
  readonly enabled: (env: ResolvedEnvironment, objects: readonly K8sObject[]) => boolean;
  /** Helm values for this environment: pure, same input → same output. */
  readonly values: (env: ResolvedEnvironment) => Record<string, unknown>;
  readonly podSecurity: { readonly level: PodSecurityLevel; readonly why: string };
  readonly network: (env: ResolvedEnvironment) => EngineNetwork;
  /** Why the admission rules must not judge its namespace. */
  readonly exemption: string;
  /**
   * Labels its chart puts on all its pods (e.g. `app.kubernetes.io/instance: <release>`). When
   * several engines share a namespace, the ones that do not own it select their pods by these
   * in their NetworkPolicies, so one engine's allowances do not open its neighbours.
   */
  readonly pods?: Readonly<Record<string, string>>;
}

/** Replicas of an engine's controllers: ≥ 2 where the environment runs HA. */
export function replicas(env: ResolvedEnvironment): number {
  return env.ha ? 2 : 1;
}

/** The tree uses one of these API groups. */
export function usesGroups(objects: readonly K8sObject[], groups: readonly string[]): boolean {
  return objects.some((o) => {
    const slash = o.apiVersion.indexOf('/');
    return slash > 0 && groups.includes(o.apiVersion.slice(0, slash));
  });
}

export const CHART_PODS =
  "runs its upstream chart's pods, which carry none of the team/app/environment labels the rules require";

export const NO_NETWORK: EngineNetwork = {
  webhookPorts: [],
  apiServer: false,
  publicPorts: [],
  internetEgress: [],
  teamIngressPorts: false,
};
