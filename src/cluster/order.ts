/**
 * The order of an apply: sync waves first (as Argo CD), then, inside a wave, kinds in Helm's
 * install order (helm/helm `pkg/releaseutil/kind_sorter.go` `InstallOrder`): namespaces,
 * policies and quotas, service accounts, CRDs, RBAC, services, workloads, ingresses. Kinds Helm
 * does not list come last, alphabetically by kind, then by name — Helm's own tie-break.
 */
import { groupOf, type K8sObject } from '../k8s/object.js';
import { ARGOCD_COMPONENT } from '../synth/argocd.js';
import type { Component } from '../synth/component.js';

export const INSTALL_ORDER: readonly string[] = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];
const RANK = new Map(INSTALL_ORDER.map((k, i) => [k, i]));

const key = (o: K8sObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Helm's Less: known kinds by rank, unknown kinds after them by kind name; then by name. */
export function compareByKind(a: K8sObject, b: K8sObject): number {
  const ra = RANK.get(a.kind);
  const rb = RANK.get(b.kind);
  if (ra !== rb) {
    if (ra === undefined) return 1;
    if (rb === undefined) return -1;
    return ra - rb;
  }
  if (ra === undefined && a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export interface Wave {
  readonly wave: number;
  /** Components that contribute to this wave, in name order. */
  readonly components: readonly string[];
  readonly objects: readonly K8sObject[];
}

/**
 * The app-of-apps (the root and one child Application per component) is how Argo CD delivers the
 * tree from git; `mlp bootstrap` installs it. `mlp apply` is the path without it: it applies the
 * components itself, so it leaves those Applications out (applied too, Argo CD would sync the
 * same objects from git as a second owner). The AppProjects stay: engine Applications need them.
 */
const isDeliveryApplication = (c: Component, o: K8sObject) =>
  c.name === ARGOCD_COMPONENT && o.kind === 'Application' && groupOf(o.apiVersion) === 'argoproj.io';

/**
 * The applied components' objects grouped by wave (ascending) and sorted by kind inside each,
 * without the app-of-apps Applications (above).
 */
export function planWaves(components: readonly Component[]): Wave[] {
  const byWave = new Map<number, { components: Set<string>; objects: K8sObject[] }>();
  for (const c of components) {
    if (c.applied === false) continue;
    const entry = byWave.get(c.wave) ?? { components: new Set<string>(), objects: [] };
    entry.components.add(c.name);
    for (const f of c.files) entry.objects.push(...f.objects.filter((o) => !isDeliveryApplication(c, o)));
    byWave.set(c.wave, entry);
  }
  return [...byWave.entries()]
    .sort(([a], [b]) => a - b)
    .map(([wave, e]) => ({
      wave,
      components: [...e.components].sort(),
      objects: [...e.objects].sort(compareByKind),
    }));
}

/** "5m", "90s", "1h", "300" (seconds) → milliseconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,6})(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
}
