/** Sets of ports per protocol, so "some port is allowed both ways" is an intersection. */
import type { Protocol } from '../../core/ports.js';

export interface PortQuery {
  readonly protocol: Protocol;
  /** A number, or a container port name (only matched by policies naming the same port). */
  readonly port: number | string;
}

/** `all` = every port of every protocol; otherwise ranges and names per protocol. */
export type PortSet =
  | 'all'
  | {
      readonly ranges: readonly (readonly [Protocol, number, number])[];
      readonly names: readonly (readonly [Protocol, string])[];
    };

export const NO_PORTS: PortSet = { ranges: [], names: [] };

interface PolicyPort {
  protocol?: Protocol;
  port?: number | string;
  endPort?: number;
}

/** The ports a rule's `ports` list allows: absent or empty means all ports. */
export function fromPolicyPorts(ports: readonly PolicyPort[] | undefined): PortSet {
  if (!ports || ports.length === 0) return 'all';
  const ranges: [Protocol, number, number][] = [];
  const names: [Protocol, string][] = [];
  for (const p of ports) {
    const proto = p.protocol ?? 'TCP';
    if (p.port === undefined) ranges.push([proto, 1, 65535]);
    else if (typeof p.port === 'string') names.push([proto, p.port]);
    else ranges.push([proto, p.port, p.endPort ?? p.port]);
  }
  return { ranges, names };
}

export function union(a: PortSet, b: PortSet): PortSet {
  if (a === 'all' || b === 'all') return 'all';
  return { ranges: [...a.ranges, ...b.ranges], names: [...a.names, ...b.names] };
}

export function isEmpty(s: PortSet): boolean {
  return s !== 'all' && s.ranges.length === 0 && s.names.length === 0;
}

export function contains(s: PortSet, q: PortQuery): boolean {
  if (s === 'all') return true;
  if (typeof q.port === 'string') return s.names.some(([p, n]) => p === q.protocol && n === q.port);
  const port = q.port;
  return s.ranges.some(([p, lo, hi]) => p === q.protocol && port >= lo && port <= hi);
}

/** Whether some port lies in both sets (named ports only meet the same name). */
export function intersects(a: PortSet, b: PortSet): boolean {
  if (a === 'all') return !isEmpty(b);
  if (b === 'all') return !isEmpty(a);
  for (const [p, lo, hi] of a.ranges) {
    if (b.ranges.some(([q, lo2, hi2]) => q === p && lo <= hi2 && lo2 <= hi)) return true;
  }
  return a.names.some(([p, n]) => b.names.some(([q, m]) => q === p && m === n));
}

export function describePorts(s: PortSet): string {
  if (s === 'all') return 'all ports';
  const parts = [
    ...s.ranges.map(([p, lo, hi]) =>
      lo === hi ? `${lo}/${p}` : lo === 1 && hi === 65535 ? `any/${p}` : `${lo}-${hi}/${p}`,
    ),
    ...s.names.map(([p, n]) => `${n}/${p}`),
  ];
  return parts.length > 0 ? [...new Set(parts)].join(', ') : 'no ports';
}
