/**
 * Where a synthesized tree keeps Argo CD's RBAC (the contract with synth, issue 9 §2): the
 * argo-cd engine's Application (argoproj.io/v1alpha1, namespace `argocd`, Helm source) carries
 * argocd-rbac-cm's data as `spec.source.helm.valuesObject.configs.rbac` (the chart writes that
 * map into the ConfigMap); AppProjects are argoproj.io/v1alpha1 `AppProject`s in `argocd`,
 * the namespace Argo CD lists projects from.
 */
import type { K8sObject } from '../k8s/object.js';
import type { AppProjectLike } from './project.js';
import { ArgoRbacError, type ArgoRbacSettings, parseScopes } from './rbac.js';

export const ARGOCD_NAMESPACE = 'argocd';
const API_VERSION = 'argoproj.io/v1alpha1';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function rbacValuesOf(o: K8sObject): Record<string, unknown> | undefined {
  const spec = o.spec;
  if (!isRecord(spec) || !isRecord(spec.source) || !isRecord(spec.source.helm)) return undefined;
  const values = spec.source.helm.valuesObject;
  if (!isRecord(values) || !isRecord(values.configs)) return undefined;
  const rbac = values.configs.rbac;
  return isRecord(rbac) ? rbac : undefined;
}

/**
 * rbac.PolicyCSV: `policy.csv` first, then every other `policy.<name>.csv` key in byte order,
 * each after a "\n".
 */
export function policyCsvOf(data: Record<string, unknown>): string {
  const main = data['policy.csv'];
  let out = typeof main === 'string' ? main : '';
  const keys = Object.keys(data).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) {
    const v = data[k];
    if (k !== 'policy.csv' && k.startsWith('policy.') && k.endsWith('.csv') && typeof v === 'string')
      out += `\n${v}`;
  }
  return out;
}

/**
 * The Argo CD RBAC a tree renders, or undefined when it renders none (no Application in
 * `argocd` with `configs.rbac` values). Throws ArgoRbacError when it is ambiguous or malformed.
 */
export function argoRbacOfTree(objects: readonly K8sObject[]): ArgoRbacSettings | undefined {
  const inArgo = objects.filter(
    (o) => o.apiVersion === API_VERSION && o.metadata?.namespace === ARGOCD_NAMESPACE,
  );
  const engines = inArgo.filter((o) => o.kind === 'Application' && rbacValuesOf(o));
  if (engines.length === 0) return undefined;
  if (engines.length > 1)
    throw new ArgoRbacError(
      `more than one Application in ${ARGOCD_NAMESPACE} carries configs.rbac: ${engines.map((o) => o.metadata.name).join(', ')}`,
    );
  const data = rbacValuesOf(engines[0] as K8sObject) as Record<string, unknown>;
  const dflt = data['policy.default'];
  const mode = data['policy.matchMode'];
  return {
    policyCsv: policyCsvOf(data),
    policyDefault: typeof dflt === 'string' ? dflt : '',
    scopes: parseScopes(data.scopes),
    ...(typeof mode === 'string' ? { matchMode: mode } : {}),
    projects: inArgo.filter((o) => o.kind === 'AppProject') as AppProjectLike[],
  };
}
