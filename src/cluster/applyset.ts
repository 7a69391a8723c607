/**
 * Prune by the ApplySet convention of `kubectl apply --prune --applyset` (KEP-3659,
 * kubernetes/enhancements `keps/sig-cli/3659-kubectl-apply-prune`; constants and ID from
 * kubectl `pkg/cmd/apply/applyset.go`):
 *
 * - a parent object (here a Secret without data) carries `applyset.kubernetes.io/id`, whose value
 *   is `applyset-<base64url(sha256("<name>.<namespace>.<kind>.<group>"))>-v1`;
 * - every member carries `applyset.kubernetes.io/part-of: <that id>`;
 * - the parent's annotations say which tool owns the set (`applyset.kubernetes.io/tooling`),
 *   which group-kinds (`contains-group-kinds`, `Kind.group`, sorted) and which namespaces
 *   besides its own (`additional-namespaces`, sorted) hold members — so pruning lists only
 *   those, with the part-of label selector, and never touches objects without the label.
 *
 * kubectl widens the annotations to the union of old and new before applying and narrows them
 * to the new set after pruning, so an interrupted run never forgets where members may live.
 */
import { createHash } from 'node:crypto';
import { groupOf, type K8sObject } from '../k8s/object.js';

export const APPLYSET_ID_LABEL = 'applyset.kubernetes.io/id';
export const PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
export const TOOLING_ANNOTATION = 'applyset.kubernetes.io/tooling';
export const GROUP_KINDS_ANNOTATION = 'applyset.kubernetes.io/contains-group-kinds';
export const NAMESPACES_ANNOTATION = 'applyset.kubernetes.io/additional-namespaces';
/** `<toolname>/<semver>`, as the KEP asks. */
export const TOOLING = 'mlp/v0.1.0';

export interface ParentRef {
  readonly kind: string;
  readonly group: string;
  readonly name: string;
  /** Empty for a cluster-scoped parent. */
  readonly namespace: string;
}

/** kubectl's `applySet.ID()`: the four parts joined by ".", SHA-256, base64url without padding. */
export function applySetId(parent: ParentRef): string {
  const hash = createHash('sha256')
    .update([parent.name, parent.namespace, parent.kind, parent.group].join('.'))
    .digest('base64url');
  return `applyset-${hash}-v1`;
}

/**
 * One parent per platform and environment: a Secret in kube-system, the namespace every
 * cluster has and that no team or prune can delete. Secrets are what kubectl uses by default.
 */
export function parentRefFor(platform: string, environment: string): ParentRef {
  return { kind: 'Secret', group: '', name: `mlp-${platform}-${environment}`, namespace: 'kube-system' };
}

/** `Kind.group`, or `Kind` for the core group (Go's `schema.GroupKind.String()`). */
export function groupKindOf(o: Pick<K8sObject, 'apiVersion' | 'kind'>): string {
  const g = groupOf(o.apiVersion);
  return g ? `${o.kind}.${g}` : o.kind;
}

/** `Kind.group` → [kind, group]. */
export function splitGroupKind(gk: string): { kind: string; group: string } {
  const dot = gk.indexOf('.');
  return dot < 0 ? { kind: gk, group: '' } : { kind: gk.slice(0, dot), group: gk.slice(dot + 1) };
}

/** A copy of `o` carrying the part-of label (labels otherwise untouched). */
export function withPartOf(o: K8sObject, id: string): K8sObject {
  return { ...o, metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), [PART_OF_LABEL]: id } } };
}

export interface Inventory {
  /** Sorted `Kind.group` of the members. */
  readonly groupKinds: readonly string[];
  /** Sorted namespaces of namespaced members, the parent's own excluded. */
  readonly namespaces: readonly string[];
}

const splitList = (v: string | undefined) => (v ? v.split(',').filter((s) => s.trim() !== '') : []);
const sorted = (s: Iterable<string>) => [...new Set(s)].sort();

export function inventoryOf(members: readonly K8sObject[], parent: ParentRef): Inventory {
  return {
    groupKinds: sorted(members.map(groupKindOf)),
    namespaces: sorted(
      members.map((m) => m.metadata.namespace).filter((n): n is string => !!n && n !== parent.namespace),
    ),
  };
}

/** What a live parent's annotations say (empty for a parent not created yet). */
export function inventoryFromParent(parent: K8sObject | undefined): Inventory {
  const a = parent?.metadata.annotations ?? {};
  return {
    groupKinds: sorted(splitList(a[GROUP_KINDS_ANNOTATION])),
    namespaces: sorted(splitList(a[NAMESPACES_ANNOTATION])),
  };
}

export function unionInventory(a: Inventory, b: Inventory): Inventory {
  return {
    groupKinds: sorted([...a.groupKinds, ...b.groupKinds]),
    namespaces: sorted([...a.namespaces, ...b.namespaces]),
  };
}

/** The parent object for server-side apply: id label, tooling and inventory annotations. */
export function parentObject(ref: ParentRef, inventory: Inventory): K8sObject {
  return {
    apiVersion: ref.group ? `${ref.group}/v1` : 'v1',
    kind: ref.kind,
    metadata: {
      name: ref.name,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      labels: { [APPLYSET_ID_LABEL]: applySetId(ref) },
      annotations: {
        [TOOLING_ANNOTATION]: TOOLING,
        [GROUP_KINDS_ANNOTATION]: inventory.groupKinds.join(','),
        [NAMESPACES_ANNOTATION]: inventory.namespaces.join(','),
      },
    },
    ...(ref.kind === 'Secret' ? { type: 'Opaque' } : {}),
  };
}

/**
 * Why the live parent may not be used, or undefined: another tool's ApplySet (the KEP: "tooling
 * should refuse to mutate ApplySets belonging to other tools"), or a parent whose id label does
 * not match its own name (a copied object, which would make us prune another set's members).
 */
export function parentProblem(live: K8sObject | undefined, ref: ParentRef): string | undefined {
  if (!live) return undefined;
  const tooling = live.metadata.annotations?.[TOOLING_ANNOTATION];
  if (tooling !== undefined && tooling.split('/')[0] !== TOOLING.split('/')[0])
    return `ApplySet parent ${ref.kind} ${ref.namespace}/${ref.name} belongs to "${tooling}", not mlp; refusing to change it`;
  const id = live.metadata.labels?.[APPLYSET_ID_LABEL];
  if (id !== undefined && id !== applySetId(ref))
    return `ApplySet parent ${ref.kind} ${ref.namespace}/${ref.name} has id ${id}, expected ${applySetId(ref)}; refusing to use it`;
  return undefined;
}

export interface LiveMember {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export const memberKey = (m: {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
}): string => `${groupKindOf(m)}/${m.namespace ?? ''}/${m.name}`;

/**
 * The members to delete: live objects labelled as part of `id` that the current apply did not
 * produce. Matched by group-kind, namespace and name (the version may differ between the tree
 * and the list), and re-checked for the label so a bad list answer can never widen the set.
 */
export function pruneSet(
  live: readonly LiveMember[],
  desired: readonly K8sObject[],
  id: string,
): LiveMember[] {
  const keep = new Set(
    desired.map((o) =>
      memberKey({
        apiVersion: o.apiVersion,
        kind: o.kind,
        namespace: o.metadata.namespace,
        name: o.metadata.name,
      }),
    ),
  );
  return live.filter((m) => m.labels?.[PART_OF_LABEL] === id && !keep.has(memberKey(m)));
}
