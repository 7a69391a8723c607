/** The live members of an ApplySet: listed only where its parent says they may be. */

import {
  type Inventory,
  type LiveMember,
  PART_OF_LABEL,
  type ParentRef,
  splitGroupKind,
} from './applyset.js';
import type { Cluster } from './connect.js';
import type { Discovery } from './discovery.js';
import { resourcePath } from './discovery.js';

interface ListItem {
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string> };
}

export async function listMembers(
  cluster: Cluster,
  discovery: Discovery,
  inventory: Inventory,
  parent: ParentRef,
  id: string,
): Promise<LiveMember[]> {
  const out: LiveMember[] = [];
  const namespaces = [...new Set([parent.namespace, ...inventory.namespaces].filter((n) => n !== ''))];
  for (const gk of inventory.groupKinds) {
    const { kind, group } = splitGroupKind(gk);
    const version = await discovery.preferredVersion(group);
    if (!version) continue; // the group is gone from the server: nothing of it can be left to delete
    const served = await discovery.resourceFor(version, kind);
    if (!served) continue;
    for (const ns of served.namespaced ? namespaces : [undefined]) {
      const list = await cluster.request<{ items?: ListItem[] }>('GET', resourcePath(version, served, ns), {
        query: { labelSelector: `${PART_OF_LABEL}=${id}` },
      });
      for (const item of list.items ?? [])
        out.push({
          apiVersion: version,
          kind,
          name: item.metadata.name,
          ...(item.metadata.namespace ? { namespace: item.metadata.namespace } : {}),
          ...(item.metadata.uid ? { uid: item.metadata.uid } : {}),
          labels: item.metadata.labels ?? {},
        });
    }
  }
  return out;
}
