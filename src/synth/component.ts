/** What synthesis produces: named components, each a list of files of Kubernetes objects. */
import type { K8sObject } from '../k8s/object.js';

export interface ManifestFile {
  /** File name inside the component folder, e.g. `ml-team.yaml`. */
  readonly name: string;
  readonly objects: readonly K8sObject[];
  /** A document that is not a Kubernetes object (a kind cluster config), rendered as is. */
  readonly raw?: unknown;
  /** Text written verbatim (a Markdown runbook); only in components that are not applied. */
  readonly text?: string;
}

export interface Component {
  /** Folder name under `gitops/<env>/`. */
  readonly name: string;
  /** Argo CD sync wave: lower waves apply first (namespaces before what lives in them). */
  readonly wave: number;
  readonly files: readonly ManifestFile[];
  /**
   * False for files that configure the cluster itself (the API server's audit policy) rather
   * than being applied to it: written, but not listed in the kustomizations or checked as objects.
   * @default true
   */
  readonly applied?: boolean;
  /**
   * Its objects carry their own `argocd.argoproj.io/sync-wave` (the child Applications): the
   * kustomization must not stamp the component's wave over them.
   * @default false
   */
  readonly ownWaves?: boolean;
}

export function allObjects(components: readonly Component[]): K8sObject[] {
  return components.filter((c) => c.applied !== false).flatMap((c) => c.files.flatMap((f) => f.objects));
}

/** Components as the delivery check sees them: name, wave, the objects applied. */
export function layoutOf(
  components: readonly Component[],
): { name: string; wave: number; objects: readonly K8sObject[] }[] {
  return components
    .filter((c) => c.applied !== false)
    .map((c) => ({ name: c.name, wave: c.wave, objects: c.files.flatMap((f) => f.objects) }));
}
