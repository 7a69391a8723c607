/**
 * `mlp apply`: server-side apply of the tree with field manager `mlp`, wave by wave, kinds in
 * install order inside a wave, each object labelled as a member of the environment's ApplySet.
 * Namespaces must be Active before objects go into them; kinds served by a CRD wait (up to the
 * timeout) until the CRD is Established. A failing wave is finished (every object tried, each
 * failure named with the server's message) and then the run stops: earlier waves stay applied,
 * later waves are not attempted, nothing is pruned.
 */
import { groupOf, type K8sObject, objectRef } from '../k8s/object.js';
import type { Component } from '../synth/component.js';
import {
  applySetId,
  inventoryFromParent,
  inventoryOf,
  type LiveMember,
  memberKey,
  type ParentRef,
  parentObject,
  parentProblem,
  pruneSet,
  unionInventory,
} from './applyset.js';
import { ApiError, type Cluster, ClusterUnavailable } from './connect.js';
import { desiredWaves } from './desired.js';
import type { Discovery } from './discovery.js';
import { listMembers } from './members.js';
import { compareByKind } from './order.js';
import { describeProvider, isBuiltInGroup, type ProviderOf } from './providers.js';
import { adaptToServer } from './served.js';
import { serverSideApply } from './ssa.js';

export interface ApplyDeps {
  readonly cluster: Cluster;
  readonly discovery: Discovery;
  readonly providerOf: ProviderOf;
  /** Progress lines (stderr in the CLI). */
  readonly log: (line: string) => void;
}

export interface ApplyOptions {
  readonly parent: ParentRef;
  /** Send everything with dryRun=All: the server admits and validates, nothing is stored. */
  readonly dryRun: boolean;
  readonly prune: boolean;
  /** Longest wait for one namespace or one CRD. */
  readonly timeoutMs: number;
  /** Poll interval of the waits. @default 500 ms */
  readonly pollMs?: number;
}

export type Action = 'created' | 'configured' | 'unchanged' | 'failed' | 'pruned' | 'prune-failed';

export interface ObjectOutcome {
  readonly ref: string;
  readonly wave?: number;
  readonly action: Action;
  readonly message?: string;
}

export interface ApplyReport {
  readonly applySetId: string;
  readonly dryRun: boolean;
  readonly objects: readonly ObjectOutcome[];
  readonly pruned: readonly ObjectOutcome[];
  /** Version adaptations and other things the user should know. */
  readonly notes: readonly string[];
  /** The wave whose failures stopped the run. */
  readonly stoppedAtWave?: number;
  readonly ok: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value or the deadline passes; then undefined. */
async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, every: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined || Date.now() >= deadline) return v;
    await sleep(Math.min(every, Math.max(0, deadline - Date.now())));
  }
}

interface Crd {
  spec?: { group?: string; names?: { kind?: string } };
  metadata?: { name?: string };
  status?: { conditions?: { type?: string; status?: string; message?: string }[] };
}

/** Why a CRD kind is not served: no CRD at all, or one that is not Established (and why). */
async function crdState(cluster: Cluster, group: string, kind: string): Promise<string> {
  const list = await cluster.request<{ items?: Crd[] }>(
    'GET',
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
  );
  const crd = (list.items ?? []).find((c) => c.spec?.group === group && c.spec?.names?.kind === kind);
  if (!crd) return 'no such CRD in the cluster';
  const est = crd.status?.conditions?.find((c) => c.type === 'Established');
  return `CRD ${crd.metadata?.name} is not Established${est?.message ? `: ${est.message}` : ''}`;
}

export class Applier {
  private readonly activeNamespaces = new Set<string>();
  private readonly notes: string[] = [];

  constructor(
    private readonly deps: ApplyDeps,
    private readonly opts: ApplyOptions,
  ) {}

  private get poll() {
    return this.opts.pollMs ?? 500;
  }

  /** Namespace Active, or a message why not. Dry runs do not wait for what they cannot create. */
  private async namespaceReady(ns: string): Promise<string | undefined> {
    if (this.activeNamespaces.has(ns)) return undefined;
    let phase: string | undefined;
    const ok = await poll(
      async () => {
        const live = await this.deps.cluster.getOrUndefined<{ status?: { phase?: string } }>(
          `/api/v1/namespaces/${encodeURIComponent(ns)}`,
        );
        phase = live ? (live.status?.phase ?? 'Active') : undefined;
        if (phase === 'Active') return true;
        if (!live && this.opts.dryRun) return false;
        return undefined;
      },
      this.opts.dryRun ? 0 : this.opts.timeoutMs,
      this.poll,
    );
    if (ok) {
      this.activeNamespaces.add(ns);
      return undefined;
    }
    if (ok === false) return `namespace ${ns} does not exist yet (a dry run does not create it)`;
    return phase
      ? `namespace ${ns} is ${phase}, not Active, after ${this.opts.timeoutMs / 1000}s`
      : `namespace ${ns} does not exist after ${this.opts.timeoutMs / 1000}s`;
  }

  /** Resolves the object's kind, waiting for its CRD when an engine provides it. */
  private async served(o: K8sObject): Promise<string | undefined> {
    const { discovery, log, providerOf, cluster } = this.deps;
    if (await discovery.resourceFor(o.apiVersion, o.kind)) return undefined;
    const group = groupOf(o.apiVersion);
    if (isBuiltInGroup(group)) return `${o.apiVersion} ${o.kind} is not served by this API server`;
    const who = describeProvider(o.kind, group, providerOf);
    if (this.opts.dryRun) return `${who}; not served yet (${await crdState(cluster, group, o.kind)})`;
    log(`  waiting up to ${this.opts.timeoutMs / 1000}s for the CRD of ${who}`);
    const found = await poll(
      async () => (await discovery.resourceFor(o.apiVersion, o.kind)) ?? undefined,
      this.opts.timeoutMs,
      this.poll * 2,
    );
    if (found) return undefined;
    return `timed out after ${this.opts.timeoutMs / 1000}s waiting for ${who} (${await crdState(cluster, group, o.kind)})`;
  }

  private async applyOne(o: K8sObject, wave: number): Promise<ObjectOutcome> {
    const ref = objectRef(o);
    try {
      const waitProblem =
        (await this.served(o)) ??
        (o.metadata.namespace ? await this.namespaceReady(o.metadata.namespace) : undefined);
      if (waitProblem) return { ref, wave, action: 'failed', message: waitProblem };
      const result = await serverSideApply(this.deps.cluster, this.deps.discovery, o, this.opts.dryRun);
      if (o.kind === 'Namespace' && !this.opts.dryRun) await this.namespaceReady(o.metadata.name);
      return { ref, wave, action: result.action };
    } catch (err) {
      if (err instanceof ClusterUnavailable) throw err;
      const message =
        err instanceof ApiError ? `${err.status} ${err.reason}: ${err.message}` : (err as Error).message;
      return { ref, wave, action: 'failed', message };
    }
  }

  async run(components: readonly Component[]): Promise<ApplyReport> {
    const { cluster, discovery, log } = this.deps;
    const { parent } = this.opts;
    const id = applySetId(parent);
    const waves = desiredWaves(components, id);
    // Adapt versions first, so the inventory and the prune keys are what the server stores.
    const adapted: { wave: number; objects: K8sObject[] }[] = [];
    for (const w of waves) {
      const objects: K8sObject[] = [];
      for (const o of w.objects) {
        const a = await adaptToServer(o, discovery);
        if (a.note && !this.notes.includes(a.note)) this.notes.push(a.note);
        objects.push(a.object);
      }
      adapted.push({ wave: w.wave, objects });
    }
    const desired = adapted.flatMap((w) => w.objects);

    const parentPath = `/api/v1/namespaces/${encodeURIComponent(parent.namespace)}/secrets/${encodeURIComponent(parent.name)}`;
    const liveParent = await cluster.getOrUndefined<K8sObject>(parentPath);
    const problem = parentProblem(liveParent, parent);
    if (problem) throw new ApiError(409, problem, 'Conflict', undefined);
    const previous = inventoryFromParent(liveParent);
    const current = inventoryOf(desired, parent);
    // Superset first: if this run dies halfway, the next one still knows where members live.
    await serverSideApply(
      cluster,
      discovery,
      parentObject(parent, unionInventory(previous, current)),
      this.opts.dryRun,
    );

    const outcomes: ObjectOutcome[] = [];
    let stoppedAtWave: number | undefined;
    for (const w of adapted) {
      const results: ObjectOutcome[] = [];
      for (const o of w.objects) results.push(await this.applyOne(o, w.wave));
      outcomes.push(...results);
      const count = (a: Action) => results.filter((r) => r.action === a).length;
      log(
        `wave ${w.wave}: ${results.length} objects — ${count('created')} created, ${count('configured')} configured, ${count('unchanged')} unchanged${count('failed') ? `, ${count('failed')} FAILED` : ''}${this.opts.dryRun ? ' (dry run)' : ''}`,
      );
      for (const r of results.filter((x) => x.action === 'failed')) log(`  failed: ${r.ref}: ${r.message}`);
      if (count('failed') > 0) {
        stoppedAtWave = w.wave;
        break;
      }
    }

    const pruned: ObjectOutcome[] = [];
    if (stoppedAtWave === undefined && this.opts.prune) {
      const scope = unionInventory(previous, current);
      const live = await listMembers(cluster, discovery, scope, parent, id);
      const doomed = pruneSet(live, desired, id).sort((a, b) => -compareByKind(asObject(a), asObject(b)));
      for (const m of doomed) pruned.push(await this.deleteOne(m));
      const failedPrunes = pruned.filter((p) => p.action === 'prune-failed').length;
      log(
        `prune: ${doomed.length} members of ${id} no longer in the tree${this.opts.dryRun ? ' (dry run: not deleted)' : ''}${failedPrunes ? `, ${failedPrunes} FAILED` : ''}`,
      );
      for (const p of pruned) log(`  ${p.action}: ${p.ref}${p.message ? `: ${p.message}` : ''}`);
      // Narrow the inventory only once every stale member is gone.
      if (failedPrunes === 0)
        await serverSideApply(cluster, discovery, parentObject(parent, current), this.opts.dryRun);
    }
    const ok = stoppedAtWave === undefined && pruned.every((p) => p.action !== 'prune-failed');
    return {
      applySetId: id,
      dryRun: this.opts.dryRun,
      objects: outcomes,
      pruned,
      notes: this.notes,
      ...(stoppedAtWave !== undefined ? { stoppedAtWave } : {}),
      ok,
    };
  }

  private async deleteOne(m: LiveMember): Promise<ObjectOutcome> {
    const ref = objectRef(asObject(m));
    try {
      const path = await this.deps.discovery.pathOf(asObject(m));
      if (!path) return { ref, action: 'prune-failed', message: `${m.apiVersion} ${m.kind} is not served` };
      await this.deps.cluster.request('DELETE', path, {
        query: { propagationPolicy: 'Background', ...(this.opts.dryRun ? { dryRun: 'All' } : {}) },
      });
      return { ref, action: 'pruned' };
    } catch (err) {
      if (err instanceof ApiError && err.status === 404)
        return { ref, action: 'pruned', message: 'already gone' };
      if (err instanceof ClusterUnavailable) throw err;
      return { ref, action: 'prune-failed', message: (err as Error).message };
    }
  }
}

function asObject(m: LiveMember): K8sObject {
  return {
    apiVersion: m.apiVersion,
    kind: m.kind,
    metadata: { name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}) },
  };
}

export { memberKey };
