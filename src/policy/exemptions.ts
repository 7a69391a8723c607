/**
 * Which namespaces the admission rules skip, and why. An exemption is a decision, never a default:
 * each one here names the reason, `mlp check` lists them, and the emitted bindings carry them in
 * an annotation. The platform exempts only Kubernetes' own kube-system and the namespaces of the
 * engines this tree actually relies on (an engine whose kinds the tree uses); the spec may add
 * more, each with its own reason (`platform.policies.exemptions`). Team and shared-service
 * namespaces can never be exempt (the spec loader refuses it).
 *
 * Why the engines at all: they are installed from their upstream Helm charts, whose pods carry
 * none of the team/app/environment labels our rules require, and most pull images from
 * registries outside a team's allow-list. Judging them by team rules would deny the engines the
 * rules themselves depend on (a denied cert-manager or External Secrets webhook stops the tree).
 */
import { ENGINES } from '../engines/index.js';
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';

export interface Exemption {
  readonly namespace: string;
  readonly reason: string;
  /** `platform`: mlp's own decision, below; `spec`: platform.policies.exemptions. */
  readonly source: 'platform' | 'spec';
}

interface PlatformExemption {
  readonly namespace: (env: ResolvedEnvironment) => string;
  /** Exempt when the tree relies on it (`objects`: the rest of the tree). */
  readonly when: (env: ResolvedEnvironment, objects: readonly K8sObject[]) => boolean;
  readonly reason: string;
}

/**
 * kube-system, then one entry per engine (the monitoring namespace is kube-prometheus-stack's), from its data (src/engines): exempt
 * exactly when the environment's tree relies on the engine.
 */
export const PLATFORM_EXEMPTIONS: readonly PlatformExemption[] = [
  {
    namespace: () => 'kube-system',
    when: () => true,
    reason:
      "Kubernetes' own control plane and add-ons (CoreDNS, kube-proxy, the CNI) run there from the distribution's images, without team labels",
  },
  ...ENGINES.map((e) => ({ namespace: e.namespace, when: e.enabled, reason: e.exemption })),
];

/**
 * The exemptions of one environment, sorted by namespace: the platform's for the engines that
 * `objects` (the rest of the tree) relies on, then the spec's. A namespace both exempt gets both
 * reasons.
 */
export function admissionExemptions(env: ResolvedEnvironment, objects: readonly K8sObject[]): Exemption[] {
  const byNamespace = new Map<string, Exemption>();
  const add = (e: Exemption) => {
    const had = byNamespace.get(e.namespace);
    byNamespace.set(e.namespace, had ? { ...had, reason: `${had.reason}; ${e.reason}` } : e);
  };
  for (const e of PLATFORM_EXEMPTIONS) {
    if (e.when(env, objects)) add({ namespace: e.namespace(env), reason: e.reason, source: 'platform' });
  }
  for (const e of env.platform.policies.exemptions) add({ ...e, source: 'spec' });
  return [...byNamespace.values()].sort((a, b) => (a.namespace < b.namespace ? -1 : 1));
}
