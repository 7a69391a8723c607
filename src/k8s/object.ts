/** The plain-object shape every synthesized and checked Kubernetes object has. */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** `Kind/namespace/name` (or `Kind/name` when cluster-scoped): how findings name a resource. */
export function objectRef(o: Pick<K8sObject, 'kind' | 'metadata'>): string {
  const ns = o.metadata?.namespace;
  return ns ? `${o.kind}/${ns}/${o.metadata.name}` : `${o.kind}/${o.metadata?.name ?? '?'}`;
}

/** `apiVersion` → API group (`v1` → core `""`, `apps/v1` → `apps`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
