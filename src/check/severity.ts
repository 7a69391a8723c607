/** How much a failing finding matters: per policy rule where the rule says, per family otherwise. */
import { policyRules } from '../policy/rules.js';
import type { Finding } from './finding.js';

export type Severity = 'high' | 'medium' | 'low';

// Any non-empty registry list: it only makes the registry rule exist, to read its severity.
const POLICY_SEVERITY = new Map(
  policyRules({ allowedRegistries: ['x'] }).map((r) => [`policy.${r.id}`, r.severity]),
);

const FAMILY: readonly [RegExp, Severity][] = [
  [/^secrets/, 'high'],
  [/^rbac\./, 'high'],
  [/^network\.(isolation|shared-services|metadata)/, 'high'],
  [/^network\./, 'medium'],
  [/^schema\./, 'high'],
  [/^quota\./, 'medium'],
  // The API server refuses the pod: the workload would never run.
  [/^pod-security\./, 'high'],
  [/^admission\./, 'high'],
];

export function severityOf(f: Finding): Severity {
  const p = POLICY_SEVERITY.get(f.ruleId);
  if (p) return p;
  return FAMILY.find(([re]) => re.test(f.ruleId))?.[1] ?? 'medium';
}

/** Failing findings counted by severity. */
export function bySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const f of findings) if (f.status === 'fail' || f.status === 'error') out[severityOf(f)]++;
  return out;
}
