/**
 * Which engine serves an API group: what a CRD wait tells the user it is waiting for. Taken
 * from the engine data (src/engines/), so a new engine is known here without another table.
 */
import { ENGINES } from '../engines/index.js';

export interface Provider {
  /** Engine name, e.g. `cert-manager`. */
  readonly engine: string;
  /** The Argo CD Application that installs it (named after the engine, in the argocd namespace). */
  readonly application: string;
}

export type ProviderOf = (group: string) => Provider | undefined;

const BY_GROUP: ReadonlyMap<string, Provider> = new Map(
  ENGINES.flatMap((e) => e.crdGroups.map((g) => [g, { engine: e.name, application: e.name }] as const)),
);

export const defaultProviderOf: ProviderOf = (group) => BY_GROUP.get(group);

/**
 * Groups Kubernetes serves itself: the core group, single-word groups (apps, batch, policy,
 * autoscaling) and `*.k8s.io` groups of the API server (gateway.networking.k8s.io and other
 * SIG projects are CRDs, so the list is explicit).
 */
const BUILT_IN_GROUPS = new Set([
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

export function isBuiltInGroup(group: string): boolean {
  return group === '' || !group.includes('.') || BUILT_IN_GROUPS.has(group);
}

/** "ExternalSecret (external-secrets.io) from engine external-secrets, Argo CD Application external-secrets". */
export function describeProvider(kind: string, group: string, providerOf: ProviderOf): string {
  const p = providerOf(group);
  return p
    ? `${kind} (${group}) comes from engine ${p.engine}, installed by Argo CD Application ${p.application}`
    : `${kind} (${group}) comes from a CRD no known engine provides`;
}
