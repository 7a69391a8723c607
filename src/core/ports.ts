/** Ports as the spec writes them (`8080/TCP`, `53/UDP`, `9000-9100/TCP`, `8080`). */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** 1..65535 as a regular expression, so the JSON Schema carries the bound too. */
export const PORT_NUMBER =
  '([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';

/** `8080/TCP`, `53/UDP`, `9000-9100/TCP` or a bare number (TCP). */
export const PORT_PATTERN = `^${PORT_NUMBER}(-${PORT_NUMBER})?(/(TCP|UDP|SCTP))?$`;

/**
 * A named container port: IANA_SVC_NAME (RFC 6335), as `validation.IsValidPortName` in
 * kubernetes `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go` checks it:
 * at most 15 characters, lowercase letters, digits and "-", at least one letter, no "--",
 * not starting or ending with "-".
 */
export function isPortName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= 15 &&
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) &&
    /[a-z]/.test(name) &&
    !name.includes('--')
  );
}

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
