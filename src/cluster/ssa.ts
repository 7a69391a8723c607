/** One server-side apply, and whether it changed anything. */
import type { K8sObject } from '../k8s/object.js';
import { ApiError, type Cluster } from './connect.js';
import type { Discovery } from './discovery.js';

export const FIELD_MANAGER = 'mlp';

export interface SsaResult {
  readonly action: 'created' | 'configured' | 'unchanged';
  /** The object as the server stored it (or would, in a dry run). */
  readonly object: K8sObject;
  /** The live object before the apply, if there was one. */
  readonly before?: K8sObject;
}

interface Live extends K8sObject {
  metadata: K8sObject['metadata'] & { resourceVersion?: string };
}

/**
 * PATCH with `application/apply-patch+yaml` (JSON is YAML), `force=true`: the tree is the
 * source of truth, so fields someone changed by hand are taken back, as Argo CD's self-heal
 * does (`mlp diff --live` shows them first). A no-op apply leaves resourceVersion unchanged —
 * the API server skips the write when nothing but managedFields timestamps would change — so
 * comparing it before and after tells "unchanged" from "configured".
 */
export async function serverSideApply(
  cluster: Cluster,
  discovery: Discovery,
  o: K8sObject,
  dryRun: boolean,
): Promise<SsaResult> {
  const path = await discovery.pathOf(o);
  if (!path)
    throw new ApiError(
      404,
      `${o.apiVersion} ${o.kind} is not served by this API server`,
      'NotFound',
      undefined,
    );
  const before = await cluster.getOrUndefined<Live>(path);
  const object = await cluster.request<Live>('PATCH', path, {
    query: { fieldManager: FIELD_MANAGER, force: 'true', ...(dryRun ? { dryRun: 'All' } : {}) },
    body: o,
    contentType: 'application/apply-patch+yaml',
  });
  const action = !before
    ? 'created'
    : before.metadata.resourceVersion === object.metadata?.resourceVersion
      ? 'unchanged'
      : 'configured';
  return { action, object, ...(before ? { before } : {}) };
}
