/**
 * NetworkPolicy reachability with Kubernetes semantics: a pod selected by no policy of a
 * direction is open in that direction; a connection needs egress allowed at the source and
 * ingress allowed at the target; one peer with podSelector and namespaceSelector means both,
 * two peers mean either; ports, endPort and protocols; ipBlock with except.
 */
import { type Cidr, cidrContains, parseAddress, parseCidr } from '../../core/cidr.js';
import type { K8sObject } from '../../k8s/object.js';
import {
  compileSelector,
  type LabelSelector,
  type Labels,
  type Matcher,
  parseLabels,
} from '../../k8s/selector.js';
import {
  contains,
  fromPolicyPorts,
  intersects,
  isEmpty,
  NO_PORTS,
  type PortQuery,
  type PortSet,
  union,
} from './ports.js';

export type Endpoint =
  | { readonly kind: 'pod'; readonly namespace: string; readonly labels: Labels }
  | { readonly kind: 'ip'; readonly ip: string };

type Direction = 'ingress' | 'egress';

interface Peer {
  readonly namespaces?: ReadonlySet<string>;
  readonly pods?: Matcher;
  /** cidr undefined: not a valid CIDR, so the peer matches no address. */
  readonly ipBlock?: { readonly cidr: Cidr | undefined; readonly except: readonly (Cidr | undefined)[] };
}

interface Rule {
  /** undefined = the rule lists no peers, so it matches every peer. */
  readonly peers?: readonly Peer[];
  readonly ports: PortSet;
}

interface Policy {
  readonly name: string;
  readonly namespace: string;
  readonly selects: Matcher;
  readonly types: ReadonlySet<Direction>;
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
}

export interface DirectionVerdict {
  /** False when no policy selects the pod in this direction: everything is allowed. */
  readonly isolated: boolean;
  readonly ports: PortSet;
  /** Policies whose rules matched the peer. */
  readonly allowedBy: readonly string[];
  /** Policies that selected the pod in this direction (what isolated it). */
  readonly selectedBy: readonly string[];
}

export interface ReachVerdict {
  readonly allowed: boolean;
  readonly egress?: DirectionVerdict;
  readonly ingress?: DirectionVerdict;
  readonly reason: string;
}

interface PeerSpec {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

const OPEN: DirectionVerdict = { isolated: false, ports: 'all', allowedBy: [], selectedBy: [] };

export class NetworkModel {
  readonly namespaces: ReadonlyMap<string, Labels>;
  private readonly policies = new Map<string, Policy[]>();
  private readonly selectedCache = new Map<string, Policy[]>();
  /** `key=value` → namespaces with that label: turns most namespaceSelectors into a lookup. */
  private readonly namespaceIndex = new Map<string, string[]>();

  /**
   * @param objects the rendered tree; its Namespaces and NetworkPolicies are used.
   * @param extraNamespaces namespaces that exist without being in the tree (kube-system, …).
   */
  constructor(objects: readonly K8sObject[], extraNamespaces: readonly string[] = []) {
    const namespaces = new Map<string, Labels>();
    // The API server labels every namespace with its own name (since 1.21).
    for (const ns of extraNamespaces) namespaces.set(ns, { 'kubernetes.io/metadata.name': ns });
    for (const o of objects) {
      if (o.kind === 'Namespace' && o.apiVersion === 'v1') {
        namespaces.set(o.metadata.name, {
          ...(o.metadata.labels ?? {}),
          'kubernetes.io/metadata.name': o.metadata.name,
        });
      }
    }
    this.namespaces = namespaces;
    for (const [name, labels] of namespaces) {
      for (const [k, v] of Object.entries(labels)) {
        const key = `${k}=${v}`;
        const list = this.namespaceIndex.get(key);
        if (list) list.push(name);
        else this.namespaceIndex.set(key, [name]);
      }
    }
    for (const o of objects) {
      if (o.kind !== 'NetworkPolicy' || !o.apiVersion.startsWith('networking.k8s.io/')) continue;
      const ns = o.metadata.namespace ?? 'default';
      const p = this.compilePolicy(o, ns);
      this.policies.set(ns, [...(this.policies.get(ns) ?? []), p]);
    }
  }

  private compilePolicy(o: K8sObject, namespace: string): Policy {
    const spec = (o.spec ?? {}) as {
      podSelector?: LabelSelector;
      policyTypes?: string[];
      ingress?: { from?: PeerSpec[]; ports?: Parameters<typeof fromPolicyPorts>[0] }[];
      egress?: { to?: PeerSpec[]; ports?: Parameters<typeof fromPolicyPorts>[0] }[];
    };
    // Defaulting as the API server does it (pkg/apis/networking/v1/defaults.go,
    // SetDefaults_NetworkPolicy): by length, not presence. `policyTypes: []` is unset, so the
    // policy is an Ingress policy, and an Egress one too only if it has egress rules (`egress: []`
    // has none). Validation admits only "Ingress" and "Egress" (validation.go).
    const types = new Set<Direction>();
    const declared = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
    if (declared.length > 0) {
      for (const t of declared) {
        if (t === 'Ingress') types.add('ingress');
        else if (t === 'Egress') types.add('egress');
      }
    } else {
      types.add('ingress');
      if (Array.isArray(spec.egress) && spec.egress.length > 0) types.add('egress');
    }
    const rules = (list: { peers?: PeerSpec[]; ports?: Parameters<typeof fromPolicyPorts>[0] }[]): Rule[] =>
      list.map((r) => ({
        ...(r.peers && r.peers.length > 0
          ? { peers: r.peers.map((p) => this.compilePeer(p, namespace)) }
          : {}),
        ports: fromPolicyPorts(r.ports),
      }));
    return {
      name: `${namespace}/${o.metadata.name}`,
      namespace,
      selects: compileSelector(spec.podSelector ?? {}),
      types,
      ingress: rules((spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))),
      egress: rules((spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }))),
    };
  }

  private compilePeer(p: PeerSpec, policyNamespace: string): Peer {
    if (p.ipBlock) {
      const cidr = typeof p.ipBlock.cidr === 'string' ? parseCidr(p.ipBlock.cidr, true) : undefined;
      const except = (p.ipBlock.except ?? []).map((e) =>
        typeof e === 'string' ? parseCidr(e, true) : undefined,
      );
      return { ipBlock: { cidr, except } };
    }
    if (!p.podSelector && !p.namespaceSelector) return { namespaces: new Set() };
    // Namespaces are known up front, so a namespaceSelector becomes a set lookup.
    let namespaces: Set<string>;
    if (p.namespaceSelector) {
      const m = compileSelector(p.namespaceSelector);
      // Only namespaces carrying one of the required labels can match; check just those.
      const required = Object.entries(p.namespaceSelector.matchLabels ?? {});
      const candidates =
        required.length > 0
          ? (this.namespaceIndex.get(`${required[0]![0]}=${required[0]![1]}`) ?? [])
          : [...this.namespaces.keys()];
      namespaces = new Set(candidates.filter((n) => m(this.namespaces.get(n)!)));
    } else namespaces = new Set([policyNamespace]);
    return { namespaces, ...(p.podSelector ? { pods: compileSelector(p.podSelector) } : {}) };
  }

  private selecting(pod: Extract<Endpoint, { kind: 'pod' }>, direction: Direction): Policy[] {
    const labelKey = Object.keys(pod.labels).length === 0 ? '' : JSON.stringify(pod.labels);
    const key = `${direction}\u0000${pod.namespace}\u0000${labelKey}`;
    let hit = this.selectedCache.get(key);
    if (!hit) {
      hit = (this.policies.get(pod.namespace) ?? []).filter(
        (p) => p.types.has(direction) && p.selects(pod.labels),
      );
      this.selectedCache.set(key, hit);
    }
    return hit;
  }

  private peerMatches(peer: Peer, other: Endpoint): boolean {
    if (other.kind === 'ip') {
      if (!peer.ipBlock) return false;
      const ip = parseAddress(other.ip);
      const { cidr, except } = peer.ipBlock;
      if (ip === undefined || cidr === undefined) return false;
      // An unparsable except cannot be trusted to leave anything out: match nothing.
      if (except.some((e) => e === undefined)) return false;
      return cidrContains(cidr, ip) && !except.some((e) => e !== undefined && cidrContains(e, ip));
    }
    // ipBlock peers are meant for traffic leaving or entering the cluster, not pod addresses.
    if (peer.ipBlock) return false;
    if (!peer.namespaces?.has(other.namespace)) return false;
    return !peer.pods || peer.pods(other.labels);
  }

  /** What `subject` allows in `direction` to/from `other`. */
  direction(
    subject: Extract<Endpoint, { kind: 'pod' }>,
    direction: Direction,
    other: Endpoint,
  ): DirectionVerdict {
    const policies = this.selecting(subject, direction);
    if (policies.length === 0) return OPEN;
    let ports: PortSet = NO_PORTS;
    const allowedBy: string[] = [];
    for (const p of policies) {
      for (const rule of direction === 'ingress' ? p.ingress : p.egress) {
        if (rule.peers && !rule.peers.some((peer) => this.peerMatches(peer, other))) continue;
        ports = union(ports, rule.ports);
        if (!allowedBy.includes(p.name)) allowedBy.push(p.name);
      }
    }
    // A policy rendered twice (schema.unique fails the tree) is one policy to the API server.
    return { isolated: true, ports, allowedBy, selectedBy: [...new Set(policies.map((p) => p.name))] };
  }

  /** The ports `subject` allows in `direction` with `other`; no explanation, for bulk queries. */
  private portsOnly(
    subject: Extract<Endpoint, { kind: 'pod' }>,
    direction: Direction,
    other: Endpoint,
  ): PortSet {
    const policies = this.selecting(subject, direction);
    if (policies.length === 0) return 'all';
    let ports: PortSet = NO_PORTS;
    for (const p of policies) {
      for (const rule of direction === 'ingress' ? p.ingress : p.egress) {
        if (rule.peers && !rule.peers.some((peer) => this.peerMatches(peer, other))) continue;
        ports = union(ports, rule.ports);
        if (ports === 'all') return ports;
      }
    }
    return ports;
  }

  /** Same verdict as `reach(…).allowed`, without building the explanation (the matrix asks N² times). */
  allowed(from: Endpoint, to: Endpoint, port?: PortQuery): boolean {
    const egress: PortSet = from.kind === 'pod' ? this.portsOnly(from, 'egress', to) : 'all';
    if (isEmpty(egress) || (port && !contains(egress, port))) return false;
    const ingress: PortSet = to.kind === 'pod' ? this.portsOnly(to, 'ingress', from) : 'all';
    if (port) return contains(ingress, port);
    return intersects(egress, ingress);
  }

  reach(from: Endpoint, to: Endpoint, port?: PortQuery): ReachVerdict {
    if (from.kind === 'ip' && to.kind === 'ip') {
      return { allowed: true, reason: 'both ends are outside the cluster; no NetworkPolicy applies' };
    }
    const egress = from.kind === 'pod' ? this.direction(from, 'egress', to) : undefined;
    const ingress = to.kind === 'pod' ? this.direction(to, 'ingress', from) : undefined;
    const ok = (v: DirectionVerdict | undefined) =>
      !v || (port ? contains(v.ports, port) : !isEmpty(v.ports));
    const bothMeet = !egress || !ingress || port !== undefined || intersects(egress.ports, ingress.ports);
    const allowed = ok(egress) && ok(ingress) && bothMeet;
    return {
      allowed,
      ...(egress ? { egress } : {}),
      ...(ingress ? { ingress } : {}),
      reason: explain(allowed, egress, ingress, bothMeet, ok),
    };
  }
}

function explain(
  allowed: boolean,
  egress: DirectionVerdict | undefined,
  ingress: DirectionVerdict | undefined,
  bothMeet: boolean,
  ok: (v: DirectionVerdict | undefined) => boolean,
): string {
  const side = (name: string, v: DirectionVerdict | undefined) => {
    if (!v) return undefined;
    if (!v.isolated) return `${name}: not isolated (no policy selects the pod)`;
    if (!ok(v)) return `${name}: denied (isolated by ${v.selectedBy.join(', ')}; no rule matches)`;
    return `${name}: allowed by ${v.allowedBy.join(', ')}`;
  };
  const parts = [side('egress', egress), side('ingress', ingress)].filter(Boolean);
  if (!allowed && ok(egress) && ok(ingress) && !bothMeet)
    parts.push('egress and ingress allow no common port');
  return parts.join('; ');
}

/** Parses `ns`, `ns/key=value,k2=v2` or an IPv4 or IPv6 address into an endpoint. */
export function parseEndpoint(text: string): Endpoint {
  if (parseAddress(text) !== undefined) return { kind: 'ip', ip: text };
  const slash = text.indexOf('/');
  const namespace = slash < 0 ? text : text.slice(0, slash);
  const labels = slash < 0 ? {} : parseLabels(text.slice(slash + 1));
  return { kind: 'pod', namespace, labels };
}
