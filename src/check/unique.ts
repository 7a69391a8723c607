/**
 * No two objects of the tree may be the same object: the API server identifies an object by
 * API group, kind, namespace and name (every version of a group is a view of the same object),
 * and `kubectl kustomize` refuses a tree that lists one twice ("already registered id"). Two
 * copies would also make every other check reason over an object the cluster never holds.
 */
import { groupOf, type K8sObject, objectRef } from '../k8s/object.js';
import type { Finding } from './finding.js';

export function checkUnique(
  objects: readonly K8sObject[],
  fileOf: (o: K8sObject) => string | undefined = () => undefined,
): Finding[] {
  const byId = new Map<string, number[]>();
  objects.forEach((o, i) => {
    const id = [groupOf(o.apiVersion), o.kind, o.metadata?.namespace ?? '', o.metadata?.name ?? ''].join(
      '\u0000',
    );
    const list = byId.get(id);
    if (list) list.push(i);
    else byId.set(id, [i]);
  });
  const out: Finding[] = [];
  for (const indexes of byId.values()) {
    if (indexes.length < 2) continue;
    const first = objects[indexes[0]!]!;
    const group = groupOf(first.apiVersion);
    const where = indexes.map((i) => fileOf(objects[i]!) ?? `object #${i + 1} of the tree`);
    out.push({
      ruleId: 'schema.unique',
      status: 'fail',
      resource: objectRef(first),
      path: 'metadata.name',
      message: `${first.kind}${group ? `.${group}` : ''} ${first.metadata.namespace ? `${first.metadata.namespace}/` : ''}${first.metadata.name} is rendered ${indexes.length} times (${where.join(', ')}); the API server holds one object per group, kind, namespace and name, and kubectl kustomize refuses the tree`,
      fix: 'remove the spec entry that renders the second copy',
    });
  }
  return out;
}
