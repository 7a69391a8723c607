/** What synthesis produces: named components, each a list of files of Kubernetes objects. */
import type { K8sObject } from '../k8s/object.js';

export interface ManifestFile {
  /** File name inside the component folder, e.g. `ml-team.yaml`. */
  readonly name: string;
  readonly objects: readonly K8sObject[];
}

export interface Component {
  /** Folder name under `gitops/<env>/`. */
  readonly name: string;
  /** Argo CD sync wave: lower waves apply first (namespaces before what lives in them). */
  readonly wave: number;
  readonly files: readonly ManifestFile[];
}

export function allObjects(components: readonly Component[]): K8sObject[] {
  return components.flatMap((c) => c.files.flatMap((f) => f.objects));
}
