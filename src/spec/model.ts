/** The validated spec, with every environment already resolved (base merged with overrides). */
import type { AlertThresholds, SloSpec } from '../observability/types.js';
import type { Capacity, EnvironmentName, SharedService, Team } from './schema.js';

export interface PlatformInfo {
  readonly name: string;
  readonly kubernetesVersion: string;
  readonly admins: { readonly users: readonly string[]; readonly groups: readonly string[] };
  readonly ingressNamespace: string;
  readonly monitoringNamespace: string;
  readonly policies: {
    readonly engine: 'validating-admission-policy' | 'kyverno';
    readonly allowedRegistries: readonly string[];
    /** Exemptions the spec adds to the platform's own (src/policy/exemptions.ts). */
    readonly exemptions: readonly { readonly namespace: string; readonly reason: string }[];
  };
  /** Model serving defaults (spec `platform.serving`): the model server image. */
  readonly serving?: { readonly image?: string | undefined } | undefined;
}

/** What synthesis for one environment needs: nothing else, and no knowledge of other envs. */
export interface ResolvedEnvironment {
  readonly platform: PlatformInfo;
  readonly environment: EnvironmentName;
  readonly capacity: Capacity;
  /** Image registries allowed here: the environment's own list, else the platform's. */
  readonly allowedRegistries: readonly string[];
  readonly domain?: string | undefined;
  readonly tls: {
    readonly issuer: 'self-signed' | 'acme';
    readonly email?: string | undefined;
    readonly server?: string | undefined;
  };
  readonly secretStore: {
    readonly provider: 'generated' | 'aws-secrets-manager';
    readonly region?: string | undefined;
  };
  /** Per shared service name: managed endpoint or in-cluster storage override. */
  readonly services: Readonly<
    Record<
      string,
      {
        readonly managed?: { endpoint: string; cidr: string } | undefined;
        readonly storage?: string | number | undefined;
      }
    >
  >;
  readonly teams: readonly Team[];
  readonly sharedServices: readonly SharedService[];
  /**
   * Where Argo CD reads this environment's tree, and how it syncs it; undefined when the spec
   * has no `gitops` (engines and AppProjects still render, the root/child Applications do not).
   */
  readonly gitops?: GitopsSource | undefined;
  /** Alerts, SLOs and runbooks of this environment (spec `observability:`). */
  readonly observability: ResolvedObservability;
  /** Engines run highly available (≥ 2 replicas, chart PDBs). @default true for prod only */
  readonly ha: boolean;
  /** Argo CD's automated sync may delete objects that left the tree. @default true for local/dev only */
  readonly prune: boolean;
}

export interface ResolvedObservability {
  /** `runbook_url` = `<runbookBaseUrl>/<alert>.md`, `{environment}` already replaced. */
  readonly runbookBaseUrl: string;
  readonly thresholds: Partial<AlertThresholds>;
  readonly slos: readonly SloSpec[];
  /** Prometheus `retention` (a prometheus-operator Duration, e.g. 30d). */
  readonly metricsRetention: string;
  /** Loki: retention (a Prometheus duration, e.g. 7d) and its volume size (e.g. 10Gi). */
  readonly logs: { readonly retention: string; readonly storage: string };
  /** Tempo's retention and volume, and the share of traces the collector keeps (0–100). */
  readonly tracing: {
    readonly samplingPercent: number;
    readonly retention: string;
    readonly storage: string;
  };
}

export interface GitopsSource {
  readonly repoURL: string;
  /** Folder holding `<env>/`, e.g. `gitops`. */
  readonly path: string;
  /** The environment's revision, else the spec's. */
  readonly revision: string;
}

export interface Spec {
  readonly file: string;
  readonly platform: PlatformInfo;
  readonly environments: ReadonlyMap<EnvironmentName, ResolvedEnvironment>;
}
