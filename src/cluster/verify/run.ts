/**
 * `mlp verify`: the offline proof's questions, asked of the live API server, all or nothing.
 *
 * - access: every identity of the spec × team namespace × verb/resource, offline from the
 *   rendered RBAC (src/check/rbac, what `mlp can-i` answers), live by SubjectAccessReview;
 * - admission: probe pods in every team namespace, offline through the admission chain
 *   (src/admission/chain.ts, what `mlp admit` answers), live by a dry-run create (mutating
 *   admission, LimitRanger, Pod Security, ValidatingAdmissionPolicies, ResourceQuota all run);
 * - drift: every rendered object exists, and each rendered field has its rendered value.
 *
 * NetworkPolicy reachability is enforced by the network plugin, which no API request can ask:
 * policies are checked to exist as rendered, and the report says the dataplane is not probed.
 */
import { admitObject } from '../../admission/chain.js';
import { admissionEnv } from '../../admission/env.js';
import { RbacAuthorizer } from '../../check/rbac/evaluate.js';
import { type K8sObject, objectRef } from '../../k8s/object.js';
import type { ResolvedEnvironment } from '../../spec/model.js';
import { allObjects, type Component } from '../../synth/component.js';
import { applySetId, type ParentRef } from '../applyset.js';
import { ApiError, type Cluster } from '../connect.js';
import { desiredObjects } from '../desired.js';
import type { Discovery } from '../discovery.js';
import { adaptToServer } from '../served.js';
import { subsetDiff } from '../subset.js';
import { type AccessQuestion, accessQuestions, probePods } from './questions.js';

export type CheckKind = 'access' | 'admission' | 'drift';

export interface VerifyRow {
  readonly check: CheckKind;
  /** Who or what is asked about. */
  readonly subject: string;
  readonly question: string;
  readonly offline: string;
  readonly live: string;
  readonly agree: boolean;
  /** The server's message, the offline reasons, or the drifted paths. */
  readonly detail?: string;
}

export interface VerifyReport {
  readonly rows: readonly VerifyRow[];
  readonly agree: boolean;
  readonly dataplane: string;
}

export const DATAPLANE_NOTE =
  'NetworkPolicy reachability is not probed: no API request can ask the network plugin; policies are only checked to exist as rendered (the offline proof is `mlp reach` / `mlp check`).';

/** At most `n` promises in flight; results in input order. */
async function mapLimit<T, R>(items: readonly T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

async function liveAccess(
  cluster: Cluster,
  q: AccessQuestion,
): Promise<{ allowed: boolean; reason: string }> {
  const r = q.request;
  const review = await cluster.request<{ status?: { allowed?: boolean; reason?: string; denied?: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: r.user,
          groups: r.groups,
          resourceAttributes: {
            namespace: r.namespace,
            verb: r.verb,
            group: r.apiGroup ?? '',
            resource: r.resource,
            ...(r.subresource ? { subresource: r.subresource } : {}),
            ...(r.name ? { name: r.name } : {}),
          },
        },
      },
    },
  );
  return { allowed: review.status?.allowed === true, reason: review.status?.reason ?? '' };
}

/** Answers the API server gives while controllers catch up with freshly applied objects. */
const TRANSIENT = /status unknown for quota|serviceaccount "[^"]*" not found|no API token found/i;

async function livePod(
  cluster: Cluster,
  pod: K8sObject,
  timeoutMs: number,
): Promise<{ admitted: boolean; message: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await cluster.request(
        'POST',
        `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace!)}/pods`,
        {
          query: { dryRun: 'All', fieldManager: 'mlp-verify' },
          body: pod,
        },
      );
      return { admitted: true, message: '' };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (TRANSIENT.test(err.message) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      return { admitted: false, message: err.message };
    }
  }
}

const verdict = (b: boolean, yes: string, no: string) => (b ? yes : no);

export interface VerifyOptions {
  /** Longest wait for controllers to observe fresh quota objects and service accounts. */
  readonly timeoutMs: number;
  readonly parent: ParentRef;
}

export async function verify(
  cluster: Cluster,
  discovery: Discovery,
  env: ResolvedEnvironment,
  components: readonly Component[],
  opts: VerifyOptions,
): Promise<VerifyReport> {
  const objects = allObjects(components);
  const rows: VerifyRow[] = [];

  const rbac = new RbacAuthorizer(objects);
  const questions = accessQuestions(env);
  const answers = await mapLimit(questions, 16, (q) => liveAccess(cluster, q));
  questions.forEach((q, i) => {
    const offline = rbac.authorize(q.request);
    const live = answers[i]!;
    rows.push({
      check: 'access',
      subject: q.identity.label,
      question: q.text,
      offline: verdict(offline.allowed, 'yes', 'no'),
      live: verdict(live.allowed, 'yes', 'no'),
      agree: offline.allowed === live.allowed,
      detail: `offline: ${offline.reason}; live: ${live.reason || '(no reason given)'}`,
    });
  });

  const context = admissionEnv(env, objects);
  const probes = probePods(env);
  const liveProbes = await mapLimit(probes, 4, (p) => livePod(cluster, p.pod, opts.timeoutMs));
  probes.forEach((p, i) => {
    const offline = admitObject(p.pod, context, p.namespace);
    const live = liveProbes[i]!;
    const reasons = offline.findings
      .filter((f) => f.status === 'fail' || f.status === 'error')
      .map((f) => f.ruleId)
      .join(', ');
    rows.push({
      check: 'admission',
      subject: `pod ${p.probe}`,
      question: `create in ${p.namespace}`,
      offline: verdict(offline.admitted, 'admitted', 'rejected'),
      live: verdict(live.admitted, 'admitted', 'rejected'),
      agree: offline.admitted === live.admitted,
      detail: `offline: ${reasons || 'admitted'}; live: ${live.message || 'admitted'}`,
    });
  });

  const id = applySetId(opts.parent);
  for (const raw of desiredObjects(components, id)) {
    const o = (await adaptToServer(raw, discovery)).object;
    const path = await discovery.pathOf(o);
    const live = path ? await cluster.getOrUndefined<K8sObject>(path) : undefined;
    const drift = live ? subsetDiff(o, live) : [];
    const what =
      o.kind === 'NetworkPolicy' ? 'exists as rendered (dataplane not probed)' : 'exists as rendered';
    rows.push({
      check: 'drift',
      subject: objectRef(o),
      question: what,
      offline: 'rendered',
      live: !live ? 'missing' : drift.length ? 'changed' : 'as rendered',
      agree: !!live && drift.length === 0,
      ...(drift.length ? { detail: `changed: ${drift.join(', ')}` } : {}),
    });
  }
  return { rows, agree: rows.every((r) => r.agree), dataplane: DATAPLANE_NOTE };
}
