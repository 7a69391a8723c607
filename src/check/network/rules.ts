/**
 * The isolation the spec promises, proven over the rendered NetworkPolicies: the team × team
 * matrix equals the declared allowances, DNS works everywhere, monitoring reaches declared
 * metrics ports, and shared services admit exactly the teams that declared them.
 */
import { METADATA_ADDRESSES, parseCidr, probeAddress } from '../../core/cidr.js';
import { parsePort } from '../../core/ports.js';
import type { ResolvedEnvironment } from '../../spec/model.js';
import type { Finding } from '../finding.js';
import type { NetworkModel } from './reach.js';

export interface IsolationMatrix {
  readonly teams: readonly string[];
  /** Engine namespaces (labelled mlp.dev/engine), shown beside the teams. */
  readonly engines: readonly string[];
  /** For each source namespace (teams, then engines), the others it can reach on some port. */
  readonly reachable: Readonly<Record<string, readonly string[]>>;
}

const pod = (namespace: string, labels: Record<string, string> = {}) => ({
  kind: 'pod' as const,
  namespace,
  labels,
});

export function isolationMatrix(
  model: NetworkModel,
  teams: readonly string[],
  engines: readonly string[] = [],
): IsolationMatrix {
  const all = [...teams, ...engines];
  const reachable: Record<string, string[]> = {};
  for (const from of all) {
    const src = pod(from);
    reachable[from] = all.filter((to) => to !== from && model.allowed(src, pod(to)));
  }
  return { teams, engines, reachable };
}

/** Namespaces the tree gives to engines (src/synth/engines.ts labels them mlp.dev/engine). */
export function engineNamespaces(model: NetworkModel): string[] {
  return [...model.namespaces]
    .filter(([, labels]) => labels['mlp.dev/engine'] !== undefined)
    .map(([name]) => name)
    .sort();
}

export function checkNetwork(
  model: NetworkModel,
  env: ResolvedEnvironment,
): { findings: Finding[]; matrix: IsolationMatrix } {
  const findings: Finding[] = [];
  const teams = env.teams.map((t) => t.name).sort();
  const matrix = isolationMatrix(model, teams, engineNamespaces(model));
  for (const target of env.teams) {
    const declared = new Set(target.network.allowFrom.map((a) => a.team));
    for (const from of teams) {
      if (from === target.name) continue;
      const actual = matrix.reachable[from]!.includes(target.name);
      const expected = declared.has(from);
      if (actual !== expected) {
        findings.push({
          ruleId: 'network.isolation',
          status: 'fail',
          resource: `namespace/${target.name}`,
          path: 'network.allowFrom',
          message: expected
            ? `${from} should reach ${target.name} (declared) but the policies block it`
            : `${from} can reach ${target.name} although the spec does not allow it`,
        });
      }
    }
  }
  if (!findings.some((f) => f.ruleId === 'network.isolation')) {
    findings.push({
      ruleId: 'network.isolation',
      status: 'pass',
      resource: `environment/${env.environment}`,
      path: '',
      message: `${teams.length}×${teams.length} team matrix matches the spec: only declared allowances connect teams`,
    });
  }
  const dns = pod('kube-system', { 'k8s-app': 'kube-dns' });
  for (const t of teams) {
    for (const port of ['53/UDP', '53/TCP']) {
      const r = model.reach(pod(t), dns, queryOf(port));
      findings.push(verdict('network.dns', r.allowed, t, `DNS ${port} from ${t} to kube-system`, r.reason));
    }
  }
  // The cloud metadata endpoint hands out the node's identity: no team may reach it.
  for (const t of teams) {
    const open = METADATA_ADDRESSES.map((ip) => ({ ip, r: model.reach(pod(t), { kind: 'ip', ip }) })).filter(
      (x) => x.r.allowed,
    );
    findings.push(
      open.length === 0
        ? {
            ruleId: 'network.metadata',
            status: 'pass',
            resource: `namespace/${t}`,
            path: 'network.egressCidrs',
            message: `${t} cannot reach the cloud metadata endpoint (${METADATA_ADDRESSES.join(', ')})`,
          }
        : {
            ruleId: 'network.metadata',
            status: 'fail',
            resource: `namespace/${t}`,
            path: 'network.egressCidrs',
            message: `${t} can reach the cloud metadata endpoint ${open.map((x) => x.ip).join(', ')} (${open[0]!.r.reason}): its pods would act with the node's cloud identity (on EKS, authenticate as the node)`,
            fix: 'keep the metadata address out of the egress ipBlocks (except: [169.254.169.254/32])',
          },
    );
  }
  const monitoring = pod(env.platform.monitoringNamespace);
  const ingress = pod(env.platform.ingressNamespace);
  for (const t of env.teams) {
    for (const p of t.network.metricsPorts) {
      const r = model.reach(monitoring, pod(t.name), queryOf(p));
      findings.push(
        verdict('network.monitoring', r.allowed, t.name, `monitoring scrapes ${t.name} on ${p}`, r.reason),
      );
    }
    for (const p of t.network.ingressPorts) {
      const r = model.reach(ingress, pod(t.name), queryOf(p));
      findings.push(
        verdict(
          'network.ingress',
          r.allowed,
          t.name,
          `ingress controller reaches ${t.name} on ${p}`,
          r.reason,
        ),
      );
    }
  }
  for (const svc of env.sharedServices) {
    // In-cluster: the service's pods. Managed (RDS, ElastiCache, S3): an address in its network.
    const managed = env.services[svc.name]?.managed;
    const target = managed
      ? { kind: 'ip' as const, ip: probeAddress(parseCidr(managed.cidr)!) }
      : pod(svc.namespace, svc.podSelector);
    const port = managed ? queryOf(Number(managed.endpoint.split(':')[1])) : queryOf(svc.ports[0]!);
    for (const t of env.teams) {
      const expected = t.network.services.includes(svc.name);
      const r = model.reach(pod(t.name), target, port);
      const ok = r.allowed === expected;
      findings.push({
        ruleId: 'network.shared-services',
        status: ok ? 'pass' : 'fail',
        resource: `namespace/${t.name}`,
        path: 'network.services',
        message: `${t.name} → ${svc.name} (${managed ? managed.endpoint : svc.namespace}) ${r.allowed ? 'reachable' : 'blocked'}${expected ? '' : ', not declared'}${ok ? '' : `: ${r.reason}`}`,
      });
    }
  }
  return { findings, matrix };
}

function queryOf(p: string | number) {
  const r = parsePort(p);
  return { protocol: r.protocol, port: r.port };
}

function verdict(ruleId: string, allowed: boolean, team: string, what: string, reason: string): Finding {
  return {
    ruleId,
    status: allowed ? 'pass' : 'fail',
    resource: `namespace/${team}`,
    path: '',
    message: allowed ? `${what}: allowed` : `${what}: blocked (${reason})`,
  };
}
