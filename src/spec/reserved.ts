/**
 * Namespaces a team or a shared service may not take, in one place. A team namespace gets a
 * default-deny NetworkPolicy, a ResourceQuota and team RBAC: laid over kube-system it would
 * cut DNS for the whole cluster, over an engine's namespace it would stop the engine, and over
 * a namespace the admission rules exempt it would let the team escape them.
 */

import { KUBERNETES_NAMESPACES } from '../k8s/namespaces.js';
import type { PlatformInfo } from './model.js';

/** Where the platform's engines run (synth and the engines' charts use these names). */
export const ENGINE_NAMESPACES = {
  certManager: 'cert-manager',
  externalSecrets: 'external-secrets',
  argocd: 'argocd',
  kyverno: 'kyverno',
  argoRollouts: 'argo-rollouts',
} as const;

/** The Argo CD AppProject of the platform's own components (teams get one named after them). */
export const PLATFORM_PROJECT = 'platform';

/** Reserved namespace → why, for this platform (its monitoring and ingress namespaces included). */
export function reservedNamespaces(
  platform: Pick<PlatformInfo, 'monitoringNamespace' | 'ingressNamespace'> & {
    readonly policies: { readonly exemptions: readonly { readonly namespace: string }[] };
  },
): Map<string, string> {
  const out = new Map<string, string>();
  for (const ns of KUBERNETES_NAMESPACES) out.set(ns, 'a namespace of Kubernetes itself');
  for (const ns of Object.values(ENGINE_NAMESPACES)) out.set(ns, `the namespace of the ${ns} engine`);
  // A team's name is also its Argo CD AppProject's: this one is the platform's own project.
  out.set(PLATFORM_PROJECT, "the name of the platform's own Argo CD AppProject");
  out.set(platform.monitoringNamespace, 'the monitoring namespace (platform.monitoringNamespace)');
  out.set(platform.ingressNamespace, 'the ingress controller namespace (platform.ingressNamespace)');
  for (const { namespace } of platform.policies.exemptions) {
    if (!out.has(namespace))
      out.set(namespace, 'exempt from the admission rules (platform.policies.exemptions)');
  }
  return out;
}
