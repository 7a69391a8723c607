/** The one shape every offline check reports in. */

export type FindingStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export interface Finding {
  readonly ruleId: string;
  readonly status: FindingStatus;
  /** `Kind/namespace/name`, an environment or a team. */
  readonly resource: string;
  /** JSON field path inside the resource, e.g. `spec.ingress[0].ports[0].port`. */
  readonly path: string;
  readonly message: string;
  readonly fix?: string;
}

export function countByStatus(findings: readonly Finding[]): Record<FindingStatus, number> {
  const out: Record<FindingStatus, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const f of findings) out[f.status]++;
  return out;
}

/** JSON pointer (`/spec/ingress/0`) → field path (`spec.ingress[0]`). */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const seg of pointer.split('/').slice(1)) {
    const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}
