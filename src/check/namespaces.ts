/**
 * Namespaces that exist without our tree declaring them: the API server's own (default,
 * kube-system, kube-public, kube-node-lease) and the ones the spec says are pre-installed.
 * Its own small module, so that `mlp reach` and `mlp admit` need not load every check.
 */
import { KUBERNETES_NAMESPACES } from '../k8s/namespaces.js';
import type { ResolvedEnvironment } from '../spec/model.js';

export function systemNamespaces(env: ResolvedEnvironment): string[] {
  return [
    ...new Set([...KUBERNETES_NAMESPACES, env.platform.monitoringNamespace, env.platform.ingressNamespace]),
  ];
}
