/** Namespaces the API server creates itself: every cluster has them before anything is applied. */
export const KUBERNETES_NAMESPACES: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];
