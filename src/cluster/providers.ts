/**
 * Which engine serves an API group: what a CRD wait tells the user it is waiting for. A
 * parameter everywhere, so the engine data (src/engines/, when it exists) replaces this table.
 */

export interface Provider {
  /** Engine name, e.g. `cert-manager`. */
  readonly engine: string;
  /** The Argo CD Application that installs it. */
  readonly application: string;
}

export type ProviderOf = (group: string) => Provider | undefined;

/** Built-in stand-in until the engine data lands: groups of the engines issue 9 names. */
const BUILTIN: Readonly<Record<string, Provider>> = {
  'cert-manager.io': { engine: 'cert-manager', application: 'cert-manager' },
  'acme.cert-manager.io': { engine: 'cert-manager', application: 'cert-manager' },
  'external-secrets.io': { engine: 'external-secrets', application: 'external-secrets' },
  'generators.external-secrets.io': { engine: 'external-secrets', application: 'external-secrets' },
  'kyverno.io': { engine: 'kyverno', application: 'kyverno' },
  'argoproj.io': { engine: 'argo-cd', application: 'argocd' },
  'monitoring.coreos.com': { engine: 'kube-prometheus-stack', application: 'kube-prometheus-stack' },
};

export const defaultProviderOf: ProviderOf = (group) =>
  Object.hasOwn(BUILTIN, group) ? BUILTIN[group] : undefined;

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
