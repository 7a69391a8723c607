/**
 * `network.engines`: what the engine data promises about engine traffic, proven over the
 * rendered NetworkPolicies pod by pod (the isolation matrix only probes unlabelled pods, one per
 * namespace, so it cannot tell the OTLP collector from Loki in the shared monitoring namespace):
 *
 * - every team reaches an engine's `fromTeams` pods on each of its ports (OTLP to the collector);
 * - no team reaches the pods of an engine that admits no team (Loki, Tempo, the shipper), on any
 *   port, so nothing bypasses the collector's sampling;
 * - each declared `sendsTo` connection (collector → Tempo, shipper → Loki) is allowed.
 */
import type { Engine } from '../../engines/types.js';
import type { K8sObject } from '../../k8s/object.js';
import type { ResolvedEnvironment } from '../../spec/model.js';
import type { Finding } from '../finding.js';
import type { NetworkModel } from './reach.js';

const pod = (namespace: string, labels: Readonly<Record<string, string>> = {}) => ({
  kind: 'pod' as const,
  namespace,
  labels: { ...labels },
});

export function checkEngineReach(
  model: NetworkModel,
  env: ResolvedEnvironment,
  objects: readonly K8sObject[],
  engines: readonly Engine[],
): Finding[] {
  const enabled = engines.filter((e) => e.pods && e.enabled(env, objects));
  const byName = new Map(enabled.map((e) => [e.name, e]));
  const teams = env.teams.map((t) => t.name).sort();
  const out: Finding[] = [];
  const finding = (ok: boolean, resource: string, message: string, reason: string): Finding => ({
    ruleId: 'network.engines',
    status: ok ? 'pass' : 'fail',
    resource,
    path: '',
    message: ok ? message : `${message} (${reason})`,
  });
  for (const e of enabled) {
    const target = pod(e.namespace(env), e.pods);
    const net = e.network(env);
    for (const team of teams) {
      if (net.fromTeams) {
        for (const p of net.fromTeams.ports) {
          const protocol = p.protocol ?? 'TCP';
          const r = model.reach(pod(team), target, { protocol, port: p.port });
          out.push(
            finding(
              r.allowed,
              `namespace/${team}`,
              `${team} → ${e.name} on ${p.port}/${protocol}: ${r.allowed ? 'allowed' : 'blocked, although every team may send to it'}`,
              r.reason,
            ),
          );
        }
      } else {
        const r = model.reach(pod(team), target);
        out.push(
          finding(
            !r.allowed,
            `namespace/${team}`,
            `${team} → ${e.name}: ${r.allowed ? 'reachable, although it admits no team' : 'blocked on every port'}`,
            r.reason,
          ),
        );
      }
    }
    for (const s of net.sendsTo ?? []) {
      const to = byName.get(s.engine);
      if (!to) continue;
      const r = model.reach(pod(e.namespace(env), e.pods), pod(to.namespace(env), to.pods), {
        protocol: 'TCP',
        port: s.port,
      });
      out.push(
        finding(
          r.allowed,
          `engine/${e.name}`,
          `${e.name} → ${to.name} on ${s.port}/TCP: ${r.allowed ? 'allowed' : 'blocked'}`,
          r.reason,
        ),
      );
    }
  }
  return out;
}
