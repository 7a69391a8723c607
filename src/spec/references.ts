/**
 * Cross-field rules of the spec: names unique wherever one entry renders one object, every
 * reference resolves, no team takes a reserved namespace, and the target Kubernetes version
 * serves what the chosen engines need. Messages never mention the environment, so a problem of
 * the base reported once is recognised (and not repeated) when every environment re-checks it.
 */
import { isDns1035Label } from '../core/names.js';
import { parsePort } from '../core/ports.js';
import { servedProblem } from '../k8s/api-versions.js';
import type { PathSegment } from './errors.js';
import { reservedNamespaces } from './reserved.js';
import type { PlatformSpecRaw, Team } from './schema.js';
import { checkTeamSubjects } from './subjects.js';
import type { RawIssue } from './zod-issues.js';

type Report = (i: RawIssue) => void;

/** Each later entry whose key an earlier entry already had: [index, first index]. */
function repeats<T>(list: readonly T[], key: (t: T) => string): [number, number][] {
  const first = new Map<string, number>();
  const out: [number, number][] = [];
  list.forEach((item, i) => {
    const k = key(item);
    const seen = first.get(k);
    if (seen === undefined) first.set(k, i);
    else out.push([i, seen]);
  });
  return out;
}

/** `8080` and `8080/TCP` are one port. */
const portKey = (p: string | number) => {
  const r = parsePort(p);
  return `${r.port}-${r.endPort}/${r.protocol}`;
};

/** Platform-level rules, checked once: shared services, team names, engines vs version. */
export function checkPlatform(raw: PlatformSpecRaw, teams: readonly Team[], report: Report): void {
  const platform = raw.platform;
  const reserved = reservedNamespaces(platform);
  for (const [i, first] of repeats(raw.sharedServices, (s) => s.name)) {
    report({
      path: ['sharedServices', i, 'name'],
      message: `duplicate shared service "${raw.sharedServices[i]!.name}" (first defined at sharedServices[${first}])`,
    });
  }
  const exemptions = platform.policies.exemptions;
  for (const [i, first] of repeats(exemptions, (e) => e.namespace)) {
    report({
      path: ['platform', 'policies', 'exemptions', i, 'namespace'],
      message: `namespace "${exemptions[i]!.namespace}" is already exempted at exemptions[${first}]`,
    });
  }
  raw.sharedServices.forEach((s, i) => {
    const why = reserved.get(s.namespace);
    // Exempt namespaces included: data services there would escape the admission rules.
    if (why) {
      report({
        path: ['sharedServices', i, 'namespace'],
        message: `namespace "${s.namespace}" is reserved: ${why}; choose another`,
      });
    }
    // Run in-cluster, the service renders a Service of its name and a StatefulSet selecting its pods.
    if (s.engine && !isDns1035Label(s.name)) {
      report({
        path: ['sharedServices', i, 'name'],
        message: `shared service "${s.name}" renders a Service, whose name must start with a lowercase letter (DNS-1035 label); rename it, e.g. ${s.engine}`,
      });
    }
    if (s.engine === 'minio' && s.buckets.length > 0 && `${s.name}-buckets`.length > 63) {
      report({
        path: ['sharedServices', i, 'name'],
        message: `shared service "${s.name}" creates its buckets with Job ${s.name}-buckets, longer than the 63 characters a Job name may have; use a name of at most 55 characters`,
      });
    }
    if (s.engine && Object.keys(s.podSelector).length === 0) {
      report({
        path: ['sharedServices', i],
        message: `shared service "${s.name}" runs in-cluster (engine ${s.engine}), so it needs a podSelector: the API server refuses a StatefulSet with an empty selector; add e.g. podSelector: { app.kubernetes.io/name: ${s.name} }`,
      });
    }
    for (const [j, firstBucket] of repeats(s.buckets, (b) => b)) {
      report({
        path: ['sharedServices', i, 'buckets', j],
        message: `bucket "${s.buckets[j]}" is already listed at buckets[${firstBucket}]`,
      });
    }
    for (const [j, firstPort] of repeats(s.ports, portKey)) {
      report({
        path: ['sharedServices', i, 'ports', j],
        message: `port ${s.ports[j]} is already listed at ports[${firstPort}]`,
      });
    }
  });
  const sharedNamespaces = new Map<string, number>();
  raw.sharedServices.forEach((s, i) => {
    if (!sharedNamespaces.has(s.namespace)) sharedNamespaces.set(s.namespace, i);
  });
  teams.forEach((team, index) => {
    const why = reserved.get(team.name);
    if (why) {
      report({
        path: ['teams', index, 'name'],
        message: `team name "${team.name}" is reserved: the team namespace would be ${why}; choose another`,
      });
    }
    const shared = sharedNamespaces.get(team.name);
    if (shared !== undefined) {
      report({
        path: ['teams', index, 'name'],
        message: `team "${team.name}" is named like the namespace of shared service "${raw.sharedServices[shared]!.name}" (sharedServices[${shared}].namespace): both would render Namespace ${team.name}`,
      });
    }
  });
  if (platform.policies.engine === 'validating-admission-policy') {
    const problem = servedProblem(
      'admissionregistration.k8s.io/v1',
      'ValidatingAdmissionPolicy',
      platform.kubernetesVersion,
    );
    if (problem) {
      report({
        path: ['platform', 'kubernetesVersion'],
        message: `${problem}, and platform.policies.engine is validating-admission-policy; target "1.30" or later, or set platform.policies.engine: kyverno`,
      });
    }
  }
}

/**
 * Where a team's field is: by index in the base `teams` list, by name in an environment's
 * override map (`byName`).
 */
export function teamPath(prefix: readonly PathSegment[], byName: boolean) {
  return (index: number, team: Team, ...rest: PathSegment[]): PathSegment[] =>
    byName ? [...prefix, team.name, ...rest] : [...prefix, index, ...rest];
}

/**
 * Per team list (the base, then every environment's merged teams): unique names and entries,
 * references that resolve, ingress ports open and hosts unique across teams.
 */
export function checkTeams(
  raw: PlatformSpecRaw,
  teams: readonly Team[],
  prefix: PathSegment[],
  report: Report,
  byName = false,
): void {
  const at = teamPath(prefix, byName);
  const services = new Set(raw.sharedServices.map((s) => s.name));
  const names = new Set(teams.map((t) => t.name));
  if (!byName) {
    for (const [i, first] of repeats(teams, (t) => t.name)) {
      report({
        path: [...prefix, i, 'name'],
        message: `duplicate team "${teams[i]!.name}" (first defined at teams[${first}])`,
      });
    }
  }
  const hosts = new Map<string, string>();
  teams.forEach((team, index) => {
    checkTeamSubjects(team, (...rest) => at(index, team, ...rest), report);
    const net = team.network;
    const listedTwice = (
      field: PathSegment[],
      list: readonly (string | number)[],
      key: (v: string | number) => string,
      what: (v: string | number) => string,
    ) => {
      for (const [j, first] of repeats(list, key)) {
        report({
          path: at(index, team, ...field, j),
          message: `${what(list[j]!)} is already listed at ${field[field.length - 1]}[${first}]`,
        });
      }
    };
    for (const [j, first] of repeats(net.allowFrom, (a) => a.team)) {
      report({
        path: at(index, team, 'network', 'allowFrom', j, 'team'),
        message: `team "${net.allowFrom[j]!.team}" is already allowed at allowFrom[${first}]; list its ports in one entry (each entry renders NetworkPolicy allow-from-team-${net.allowFrom[j]!.team})`,
      });
    }
    for (const [j, first] of repeats(team.serviceAccounts, (s) => s.name)) {
      report({
        path: at(index, team, 'serviceAccounts', j, 'name'),
        message: `service account "${team.serviceAccounts[j]!.name}" is already defined at serviceAccounts[${first}]; one account has one role`,
      });
    }
    const port = (p: string | number) => `port ${p}`;
    listedTwice(['network', 'services'], net.services, String, (s) => `shared service "${s}"`);
    listedTwice(['network', 'metricsPorts'], net.metricsPorts, portKey, port);
    listedTwice(['network', 'ingressPorts'], net.ingressPorts, portKey, port);
    listedTwice(['network', 'egressCidrs'], net.egressCidrs, String, (c) => `CIDR ${c}`);
    net.allowFrom.forEach((a, j) => {
      listedTwice(['network', 'allowFrom', j, 'ports'], a.ports, portKey, port);
    });
    net.allowFrom.forEach((a, j) => {
      if (!names.has(a.team)) {
        report({
          path: at(index, team, 'network', 'allowFrom', j, 'team'),
          message: `unknown team "${a.team}"; expected one of: ${[...names].join(', ')}`,
        });
      } else if (a.team === team.name) {
        report({
          path: at(index, team, 'network', 'allowFrom', j, 'team'),
          message: 'a team always reaches itself; remove this entry',
        });
      }
    });
    for (const [j, first] of repeats(team.ingress, (r) => r.host)) {
      report({
        path: at(index, team, 'ingress', j, 'host'),
        message: `host "${team.ingress[j]!.host}" is already published at ingress[${first}] (each host renders one Ingress and one Certificate)`,
      });
    }
    const ownHosts = new Set<string>();
    team.ingress.forEach((route, j) => {
      const owner = hosts.get(route.host);
      if (owner !== undefined && owner !== team.name) {
        report({
          path: at(index, team, 'ingress', j, 'host'),
          message: `host "${route.host}" is also published by team ${owner}; hosts are unique across teams (both would serve ${route.host}.<domain>)`,
        });
      }
      ownHosts.add(route.host);
      const open = net.ingressPorts.some((p) => {
        const r = parsePort(p);
        return r.protocol === 'TCP' && route.port >= r.port && route.port <= r.endPort;
      });
      if (!open) {
        report({
          path: at(index, team, 'ingress', j, 'port'),
          message: `port ${route.port} of host "${route.host}" is not in network.ingressPorts, so the ingress controller could not reach it; add ${route.port}/TCP there`,
        });
      }
    });
    for (const h of ownHosts) if (!hosts.has(h)) hosts.set(h, team.name);
    net.services.forEach((s, j) => {
      if (!services.has(s)) {
        report({
          path: at(index, team, 'network', 'services', j),
          message: `unknown shared service "${s}"; expected one of: ${[...services].join(', ') || '(none declared)'}`,
        });
      }
    });
  });
}
