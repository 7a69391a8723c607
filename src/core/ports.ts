/** Ports as the spec writes them (`8080/TCP`, `53/UDP`, `9000-9100/TCP`, `8080`). */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortRange {
  readonly protocol: Protocol;
  readonly port: number;
  /** Inclusive upper end; equal to `port` for a single port. */
  readonly endPort: number;
}

export function parsePort(input: string | number): PortRange {
  if (typeof input === 'number') return { protocol: 'TCP', port: input, endPort: input };
  const m = /^(\d+)(?:-(\d+))?(?:\/(TCP|UDP|SCTP))?$/.exec(input);
  if (!m) throw new Error(`not a port: ${input}`);
  const port = Number(m[1]);
  return { protocol: (m[3] as Protocol | undefined) ?? 'TCP', port, endPort: m[2] ? Number(m[2]) : port };
}

/** The NetworkPolicyPort a range renders to. */
export function toPolicyPort(r: PortRange): { protocol: Protocol; port: number; endPort?: number } {
  return r.endPort > r.port
    ? { protocol: r.protocol, port: r.port, endPort: r.endPort }
    : { protocol: r.protocol, port: r.port };
}
