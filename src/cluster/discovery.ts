/**
 * The RESTMapper kubectl builds from discovery: apiVersion + kind → resource path and scope.
 * Cached per group/version and asked again on a miss, so a CRD established mid-apply is found.
 */
import type { K8sObject } from '../k8s/object.js';
import type { Cluster } from './connect.js';

export interface ServedResource {
  readonly resource: string;
  readonly namespaced: boolean;
  readonly kind: string;
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

/** `/api/v1` for the core group, `/apis/GROUP/VERSION` for the others. */
export function versionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The URL path of a resource collection (`name` absent) or of one object. */
export function resourcePath(
  apiVersion: string,
  served: ServedResource,
  namespace: string | undefined,
  name?: string,
): string {
  const ns = served.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `${versionPath(apiVersion)}${ns}/${served.resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

export class Discovery {
  private readonly cache = new Map<string, ApiResourceList | null>();
  private readonly preferred = new Map<string, string | null>();

  constructor(private readonly cluster: Cluster) {}

  private async list(apiVersion: string, refresh: boolean): Promise<ApiResourceList | null> {
    if (!refresh && this.cache.has(apiVersion)) return this.cache.get(apiVersion)!;
    const list = (await this.cluster.getOrUndefined<ApiResourceList>(versionPath(apiVersion))) ?? null;
    this.cache.set(apiVersion, list);
    return list;
  }

  /** Undefined when the server does not serve `kind` at `apiVersion` (yet). */
  async resourceFor(apiVersion: string, kind: string): Promise<ServedResource | undefined> {
    const find = (l: ApiResourceList | null) =>
      l?.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
    let hit = find(await this.list(apiVersion, false));
    if (!hit) hit = find(await this.list(apiVersion, true));
    return hit ? { resource: hit.name, namespaced: hit.namespaced, kind } : undefined;
  }

  /** The server's preferred version of a group (`v1` for the core group). */
  async preferredVersion(group: string): Promise<string | undefined> {
    if (group === '') return 'v1';
    if (!this.preferred.has(group)) {
      const g = await this.cluster.getOrUndefined<{ preferredVersion?: { groupVersion?: string } }>(
        `/apis/${group}`,
      );
      this.preferred.set(group, g?.preferredVersion?.groupVersion ?? null);
    }
    return this.preferred.get(group) ?? undefined;
  }

  /** Path of an object, or undefined when its kind is not served. */
  async pathOf(o: K8sObject): Promise<string | undefined> {
    const served = await this.resourceFor(o.apiVersion, o.kind);
    return served ? resourcePath(o.apiVersion, served, o.metadata.namespace, o.metadata.name) : undefined;
  }
}
