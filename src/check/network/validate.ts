/**
 * NetworkPolicy validation the API server does in Go and the OpenAPI schema cannot express
 * (kubernetes `pkg/apis/networking/validation/validation.go`: ValidateNetworkPolicySpec,
 * ValidateNetworkPolicyPort, ValidateNetworkPolicyPeer, ValidateIPBlock). A policy failing
 * these is refused at apply time, so `mlp check` refuses it first.
 */
import { type Cidr, cidrProblem, parseCidr, strictSubset } from '../../core/cidr.js';
import { isPortName } from '../../core/ports.js';
import { type K8sObject, objectRef } from '../../k8s/object.js';
import type { Finding } from '../finding.js';

interface PortSpec {
  protocol?: unknown;
  port?: unknown;
  endPort?: unknown;
}
interface PeerSpec {
  podSelector?: unknown;
  namespaceSelector?: unknown;
  ipBlock?: { cidr?: unknown; except?: unknown };
}
interface RuleSpec {
  ports?: PortSpec[];
  from?: PeerSpec[];
  to?: PeerSpec[];
}

const isPortNumber = (n: unknown): n is number =>
  Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const present = (v: unknown) => v !== undefined && v !== null;

export function validateNetworkPolicies(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  for (const o of objects) {
    if (o.kind !== 'NetworkPolicy' || !o.apiVersion.startsWith('networking.k8s.io/')) continue;
    const resource = objectRef(o);
    const fail = (path: string, message: string) =>
      out.push({ ruleId: 'schema.network-policy', status: 'fail', resource, path, message });
    const spec = (o.spec ?? {}) as { policyTypes?: unknown; ingress?: unknown; egress?: unknown };
    const types = list<unknown>(spec.policyTypes);
    // Each value is checked by the OpenAPI enum (schema.invalid); the count is not.
    if (types.length > 2) fail('spec.policyTypes', 'may not specify more than two policyTypes');
    for (const direction of ['ingress', 'egress'] as const) {
      list<RuleSpec>(spec[direction]).forEach((rule, r) => {
        const base = `spec.${direction}[${r}]`;
        list<PortSpec>(rule?.ports).forEach((p, i) => {
          for (const [path, message] of portProblems(p)) fail(`${base}.ports[${i}]${path}`, message);
        });
        const peersField = direction === 'ingress' ? 'from' : 'to';
        list<PeerSpec>(rule?.[peersField]).forEach((peer, i) => {
          for (const [path, message] of peerProblems(peer ?? {}))
            fail(`${base}.${peersField}[${i}]${path}`, message);
        });
      });
    }
  }
  return out;
}

/** ValidateNetworkPolicyPort. */
function portProblems(p: PortSpec): [string, string][] {
  const out: [string, string][] = [];
  // The protocol is checked by the OpenAPI enum (schema.invalid).
  if (!present(p.port)) {
    if (present(p.endPort)) out.push(['.endPort', 'may not be specified when `port` is not specified']);
  } else if (typeof p.port === 'number') {
    if (!isPortNumber(p.port))
      out.push(['.port', `must be between 1 and 65535, inclusive, received ${p.port}`]);
    if (present(p.endPort)) {
      if (typeof p.endPort === 'number' && p.endPort < p.port)
        out.push([
          '.endPort',
          `must be greater than or equal to \`port\` (${p.port}), received ${p.endPort}`,
        ]);
      if (!isPortNumber(p.endPort))
        out.push([
          '.endPort',
          `must be between 1 and 65535, inclusive, received ${JSON.stringify(p.endPort)}`,
        ]);
    }
  } else {
    if (present(p.endPort)) out.push(['.endPort', 'may not be specified when `port` is non-numeric']);
    if (typeof p.port !== 'string' || !isPortName(p.port))
      out.push([
        '.port',
        `expected a port number or an IANA_SVC_NAME (at most 15 lowercase letters, digits and "-", with a letter), received ${JSON.stringify(p.port)}`,
      ]);
  }
  return out;
}

/**
 * ValidateNetworkPolicyPeer and ValidateIPBlock. CIDRs are held to the strict rules (no host
 * bits, no leading zeros) the API server applies with StrictIPCIDRValidation; without it they
 * are only warnings there, but nothing we render should draw one.
 */
function peerProblems(peer: PeerSpec): [string, string][] {
  const out: [string, string][] = [];
  const kinds = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter(present).length;
  if (kinds === 0) out.push(['', 'must specify a peer (podSelector, namespaceSelector or ipBlock)']);
  else if (kinds > 1 && present(peer.ipBlock))
    out.push(['', 'may not specify both ipBlock and another peer']);
  if (!present(peer.ipBlock)) return out;
  const { cidr, except } = peer.ipBlock!;
  if (typeof cidr !== 'string' || cidr === '') {
    out.push(['.ipBlock.cidr', 'required field is missing; expected a CIDR such as 10.0.0.0/16']);
    return out;
  }
  const problem = cidrProblem(cidr);
  if (problem) out.push(['.ipBlock.cidr', `expected ${problem}, received ${JSON.stringify(cidr)}`]);
  const outer: Cidr | undefined = parseCidr(cidr, true);
  list<unknown>(except).forEach((e, i) => {
    const path = `.ipBlock.except[${i}]`;
    const p = typeof e === 'string' ? cidrProblem(e) : 'a CIDR';
    if (p) out.push([path, `expected ${p}, received ${JSON.stringify(e)}`]);
    const inner = typeof e === 'string' ? parseCidr(e, true) : undefined;
    if (outer && inner && !strictSubset(inner, outer))
      out.push([path, `must be a strict subset of \`cidr\` (${cidr}), received ${JSON.stringify(e)}`]);
  });
  return out;
}
