/**
 * `mlp diff --live`, as `kubectl diff --server-side` does it: each object is sent as a
 * server-side dry-run apply, and the answer (the object as it would be stored, after defaulting
 * and admission) is compared with the live object. Fields only the server maintains are dropped
 * on both sides (managedFields, resourceVersion, uid, generation, creationTimestamp, status);
 * Secret values are masked as kubectl masks them. Objects the prune would delete show as removed.
 */
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { groupOf, type K8sObject, objectRef } from '../k8s/object.js';
import type { Component } from '../synth/component.js';
import {
  applySetId,
  inventoryFromParent,
  inventoryOf,
  type ParentRef,
  pruneSet,
  unionInventory,
} from './applyset.js';
import { ApiError, type Cluster } from './connect.js';
import { desiredObjects } from './desired.js';
import type { Discovery } from './discovery.js';
import { listMembers } from './members.js';
import { adaptToServer } from './served.js';
import { FIELD_MANAGER } from './ssa.js';

const SERVER_METADATA = ['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp'];

/** A copy without what only the server maintains; Secret values masked. */
export function comparable(o: K8sObject | undefined): Record<string, unknown> | undefined {
  if (!o) return undefined;
  const copy = JSON.parse(JSON.stringify(o)) as Record<string, unknown> & {
    metadata?: Record<string, unknown>;
  };
  delete copy.status;
  if (copy.metadata) for (const k of SERVER_METADATA) delete copy.metadata[k];
  return copy;
}

/**
 * kubectl diff's masker (`pkg/cmd/diff/diff.go`, `Masker`): Secret `data`/`stringData` values
 * become `***` when equal on both sides, `*** (before)` / `*** (after)` when they differ.
 */
export function maskSecrets(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): void {
  const isSecret = (o: Record<string, unknown> | undefined) => o?.kind === 'Secret' && o?.apiVersion === 'v1';
  if (!isSecret(before) && !isSecret(after)) return;
  for (const field of ['data', 'stringData']) {
    const b = (before?.[field] ?? undefined) as Record<string, unknown> | undefined;
    const a = (after?.[field] ?? undefined) as Record<string, unknown> | undefined;
    for (const k of new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])) {
      const same = b && a && Object.hasOwn(b, k) && Object.hasOwn(a, k) && b[k] === a[k];
      if (b && Object.hasOwn(b, k)) b[k] = same ? '***' : '*** (before)';
      if (a && Object.hasOwn(a, k)) a[k] = same ? '***' : '*** (after)';
    }
  }
}

const yamlOf = (o: Record<string, unknown> | undefined) =>
  o ? stringify(o, { lineWidth: 0, sortMapEntries: true }) : '';

/** kubectl's file name for an object: `group.version.Kind.namespace.name`. */
export function diffName(o: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const g = groupOf(o.apiVersion);
  const v = o.apiVersion.slice(o.apiVersion.indexOf('/') + 1);
  return [g ? `${g}.${v}` : v, o.kind, o.metadata.namespace, o.metadata.name].filter(Boolean).join('.');
}

export interface ObjectDiff {
  readonly ref: string;
  readonly change: 'added' | 'modified' | 'removed';
  readonly patch: string;
  /** Why the merged side is the rendered object rather than the server's dry run. */
  readonly note?: string;
}

/** The unified diff of live → merged, or undefined when they are equal. */
export function objectDiff(
  ref: string,
  name: string,
  live: K8sObject | undefined,
  merged: K8sObject | undefined,
  note?: string,
): ObjectDiff | undefined {
  const a = comparable(live);
  const b = comparable(merged);
  maskSecrets(a, b);
  const left = yamlOf(a);
  const right = yamlOf(b);
  if (left === right) return undefined;
  return {
    ref,
    change: !live ? 'added' : !merged ? 'removed' : 'modified',
    patch: createTwoFilesPatch(`live/${name}`, `merged/${name}`, left, right, '', '', { context: 3 }),
    ...(note ? { note } : {}),
  };
}

export async function liveDiff(
  cluster: Cluster,
  discovery: Discovery,
  components: readonly Component[],
  parent: ParentRef,
): Promise<ObjectDiff[]> {
  const id = applySetId(parent);
  const out: ObjectDiff[] = [];
  const desired: K8sObject[] = [];
  for (const raw of desiredObjects(components, id)) {
    const o = (await adaptToServer(raw, discovery)).object;
    desired.push(o);
    const path = await discovery.pathOf(o);
    const live = path ? await cluster.getOrUndefined<K8sObject>(path) : undefined;
    let merged: K8sObject = o;
    let note: string | undefined;
    if (!path) note = `${o.apiVersion} ${o.kind} is not served yet: shown as rendered`;
    else {
      try {
        merged = await cluster.request<K8sObject>('PATCH', path, {
          query: { fieldManager: FIELD_MANAGER, force: 'true', dryRun: 'All' },
          body: o,
          contentType: 'application/apply-patch+yaml',
        });
      } catch (err) {
        // A new namespace's objects cannot be dry-run before the namespace exists (kubectl diff
        // fails there); show them as rendered and say so, the rest of the diff stays useful.
        if (!(err instanceof ApiError) || live) throw err;
        note = `server dry run refused (${err.message}): shown as rendered`;
      }
    }
    const d = objectDiff(objectRef(o), diffName(o), live, merged, note);
    if (d) out.push(d);
  }
  const parentLive = await cluster.getOrUndefined<K8sObject>(
    `/api/v1/namespaces/${encodeURIComponent(parent.namespace)}/secrets/${encodeURIComponent(parent.name)}`,
  );
  if (parentLive) {
    const scope = unionInventory(inventoryFromParent(parentLive), inventoryOf(desired, parent));
    for (const m of pruneSet(await listMembers(cluster, discovery, scope, parent, id), desired, id)) {
      const obj: K8sObject = {
        apiVersion: m.apiVersion,
        kind: m.kind,
        metadata: { name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}) },
      };
      const path = await discovery.pathOf(obj);
      const live = path ? await cluster.getOrUndefined<K8sObject>(path) : undefined;
      const d = objectDiff(objectRef(obj), diffName(obj), live, undefined, 'deleted by mlp apply --prune');
      if (d) out.push(d);
    }
  }
  return out;
}
