/**
 * Rules of progressive delivery, offline:
 *
 * - `rollout.replicas-fight`: an HorizontalPodAutoscaler owns its target's replica count. A
 *   target that also sets `spec.replicas` has it reset on every sync (Argo CD applies the
 *   manifest, the HPA scales back): the seed's bug. Two HPAs on one target fight each other.
 *   Kubernetes' HPA docs ("Migrating Deployments and StatefulSets to horizontal autoscaling")
 *   say to remove spec.replicas from the manifests.
 * - `rollout.analysis-nan-safe`: every AnalysisTemplate metric, evaluated with Argo Rollouts'
 *   semantics (src/rollout/expr.ts) on what no traffic looks like — NaN (0/0), an empty vector,
 *   the constant an `or vector(c)` fallback answers — must come out Inconclusive or Error,
 *   never Successful (a silent canary would be promoted) nor Failed (a healthy one aborted for
 *   lack of requests).
 */
import { groupOf, type K8sObject, objectRef } from '../k8s/object.js';
import { measurementPhase, Unsupported } from '../rollout/expr.js';
import type { Finding } from './finding.js';

const rec = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

const SCALABLE = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/ReplicaSet', 'argoproj.io/Rollout']);

export function checkReplicasFight(objects: readonly K8sObject[]): Finding[] {
  const findings: Finding[] = [];
  const byTarget = new Map<string, K8sObject[]>();
  const key = (ns: string, group: string, kind: string, name: string) => `${ns}/${group}/${kind}/${name}`;
  const targets = new Map<string, K8sObject>();
  for (const o of objects) {
    const g = groupOf(String(o.apiVersion ?? ''));
    if (SCALABLE.has(`${g}/${o.kind}`))
      targets.set(key(o.metadata?.namespace ?? 'default', g, o.kind, o.metadata?.name ?? ''), o);
  }
  let hpas = 0;
  for (const hpa of objects) {
    if (hpa.kind !== 'HorizontalPodAutoscaler' || groupOf(String(hpa.apiVersion ?? '')) !== 'autoscaling')
      continue;
    hpas++;
    const ref = rec(rec(hpa.spec)?.scaleTargetRef);
    const ns = hpa.metadata?.namespace ?? 'default';
    const k = key(
      ns,
      groupOf(String(ref?.apiVersion ?? '')),
      String(ref?.kind ?? ''),
      String(ref?.name ?? ''),
    );
    byTarget.set(k, [...(byTarget.get(k) ?? []), hpa]);
    const target = targets.get(k);
    const replicas = rec(target?.spec)?.replicas;
    if (target && replicas !== undefined && replicas !== null)
      findings.push({
        ruleId: 'rollout.replicas-fight',
        status: 'fail',
        resource: objectRef(target),
        path: 'spec.replicas',
        message: `${objectRef(target)} sets spec.replicas: ${JSON.stringify(replicas)} while ${objectRef(hpa)} scales it: every sync resets the count the HPA chose`,
        fix: 'remove spec.replicas from the workload (the HPA owns it; minReplicas sets the floor)',
      });
  }
  for (const [, list] of byTarget)
    if (list.length > 1) {
      const ref = rec(rec(list[0]!.spec)?.scaleTargetRef);
      for (const extra of list.slice(1))
        findings.push({
          ruleId: 'rollout.replicas-fight',
          status: 'fail',
          resource: objectRef(extra),
          path: 'spec.scaleTargetRef',
          message: `${objectRef(extra)} and ${objectRef(list[0]!)} both scale ${String(ref?.kind)} ${String(ref?.name)}: two autoscalers overwrite each other's replica count`,
          fix: 'keep one HorizontalPodAutoscaler per workload (one HPA may use several metrics)',
        });
    }
  if (!findings.some((f) => f.status === 'fail'))
    findings.push({
      ruleId: 'rollout.replicas-fight',
      status: 'pass',
      resource: 'tree',
      path: '',
      message: `${hpas} autoscaler(s), each the only owner of its target's replica count`,
    });
  return findings;
}

/** The constant a query answers when it has no data: `… or vector(0.5)` at its top level. */
export function fallbackConstant(query: string): number | undefined {
  const m =
    /\bor\s+(?:on\s*\(\s*\)\s*)?vector\s*\(\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\)\s*\)?\s*$/.exec(
      query,
    );
  return m ? Number(m[1]) : undefined;
}

/** What no traffic can look like to a condition, by provider answer shape. */
function silentResults(metric: Record<string, unknown>): { what: string; result: unknown }[] {
  const out: { what: string; result: unknown }[] = [
    { what: 'NaN (a ratio over zero requests)', result: [Number.NaN] },
    { what: 'an empty result (no series)', result: [] },
    { what: 'a scalar NaN', result: Number.NaN },
  ];
  const query = rec(rec(metric.provider)?.prometheus)?.query;
  if (typeof query === 'string') {
    const c = fallbackConstant(query);
    if (c !== undefined)
      out.push({ what: `${c} (the query's "or vector(${c})" fallback with no data)`, result: [c] });
  }
  return out;
}

const TEMPLATES = new Set(['AnalysisTemplate', 'ClusterAnalysisTemplate']);

export function checkAnalysisNanSafe(objects: readonly K8sObject[]): Finding[] {
  const findings: Finding[] = [];
  let judged = 0;
  for (const o of objects) {
    if (!TEMPLATES.has(o.kind) || groupOf(String(o.apiVersion ?? '')) !== 'argoproj.io') continue;
    const metrics = rec(o.spec)?.metrics;
    if (!Array.isArray(metrics)) continue;
    metrics.forEach((raw, i) => {
      const metric = rec(raw) ?? {};
      const name = String(metric.name ?? i);
      const path = `spec.metrics[${i}]`;
      const success = typeof metric.successCondition === 'string' ? metric.successCondition : undefined;
      const failure = typeof metric.failureCondition === 'string' ? metric.failureCondition : undefined;
      judged++;
      for (const probe of silentResults(metric)) {
        let phase: string;
        try {
          phase = measurementPhase(success, failure, probe.result as never);
        } catch (e) {
          if (!(e instanceof Unsupported)) throw e;
          findings.push({
            ruleId: 'rollout.analysis-nan-safe',
            status: 'warn',
            resource: objectRef(o),
            path,
            message: `metric ${name}: its conditions use expr-lang beyond what mlp evaluates offline (${e.message}); NaN-safety not proven`,
          });
          return;
        }
        if (phase === 'Successful' || phase === 'Failed') {
          findings.push({
            ruleId: 'rollout.analysis-nan-safe',
            status: 'fail',
            resource: objectRef(o),
            path: success && phase === 'Successful' ? `${path}.successCondition` : path,
            message:
              phase === 'Successful'
                ? `metric ${name}: on ${probe.what} the measurement is Successful — a canary without traffic would be promoted`
                : `metric ${name}: on ${probe.what} the measurement is Failed — a healthy canary without enough traffic would be aborted`,
            fix: 'guard both conditions with len(result) == 1 && !isNaN(result[0]) (and !isInf for success), give the metric a failureCondition, and gate the query on a minimum request count (src/rollout/prometheus.ts does all three)',
          });
          return;
        }
      }
    });
  }
  if (!findings.some((f) => f.status === 'fail' || f.status === 'warn'))
    findings.push({
      ruleId: 'rollout.analysis-nan-safe',
      status: 'pass',
      resource: 'tree',
      path: '',
      message: `${judged} analysis metric(s) Inconclusive on NaN, empty and fallback results`,
    });
  return findings;
}
