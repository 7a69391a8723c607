/**
 * Checks over the tree's RBAC that look past single bindings: reserved identities bound as
 * subjects (`rbac.dangerous-subjects`) and privilege escalation through pods, tokens,
 * impersonation and binding (`rbac.escalation`).
 */
import { reservedIdentity } from '../../core/identities.js';
import type { K8sObject } from '../../k8s/object.js';
import type { Finding } from '../finding.js';
import { EscalationAnalyzer, escalations, type Principal, serviceAccountUser } from './escalation.js';
import { describeBinding, type RbacAuthorizer, type Subject } from './evaluate.js';

export function checkDangerousSubjects(rbac: RbacAuthorizer): Finding[] {
  const out: Finding[] = [];
  for (const b of rbac.allBindings()) {
    if (rbac.isBuiltin(b)) continue;
    b.subjects.forEach((s, i) => {
      if (s.kind !== 'User' && s.kind !== 'Group') return;
      const reserved = reservedIdentity(s.kind, s.name);
      if (!reserved) return;
      out.push({
        ruleId: 'rbac.dangerous-subjects',
        status: 'fail',
        resource: b.namespace ? `${b.kind}/${b.namespace}/${b.name}` : `${b.kind}/${b.name}`,
        path: `subjects[${i}]`,
        message: `${s.kind} ${s.name} is ${reserved.meaning}: ${describeBinding(b)} grants it to them`,
        fix: reserved.fix,
      });
    });
  }
  if (out.length === 0)
    out.push({
      ruleId: 'rbac.dangerous-subjects',
      status: 'pass',
      resource: 'rbac',
      path: '',
      message: 'no binding names everyone, anonymous users, all service accounts or the control plane',
    });
  return out;
}

/** A subject as the analysis asks about it; a group stands for any one of its members. */
export function principalOf(s: Subject, bindingNamespace?: string): Principal & { label: string } {
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace || bindingNamespace || 'default';
    return { user: serviceAccountUser(ns, s.name), groups: [], label: `ServiceAccount ${ns}/${s.name}` };
  }
  if (s.kind === 'Group')
    return {
      user: s.name === 'system:unauthenticated' ? 'system:anonymous' : `member of ${s.name}`,
      groups: [s.name],
      label: `Group ${s.name}`,
    };
  return { user: s.name, groups: [], label: `User ${s.name}` };
}

export function checkEscalation(objects: readonly K8sObject[], rbac: RbacAuthorizer): Finding[] {
  const analyzer = new EscalationAnalyzer(rbac, objects);
  const out: Finding[] = [];
  const seen = new Set<string>();
  let subjects = 0;
  for (const b of rbac.allBindings()) {
    if (rbac.isBuiltin(b)) continue;
    for (const s of b.subjects) {
      const p = principalOf(s, b.namespace);
      if (seen.has(p.label)) continue;
      seen.add(p.label);
      subjects++;
      const own = rbac.grantsOf(p.user, p.groups);
      for (const g of escalations(own, analyzer.effectiveGrants(p))) {
        const where = g.namespace ? `namespace/${g.namespace}` : 'cluster';
        const path = [p.label, ...g.path, g.origin === 'secret-mount' ? g.via : `holds ${g.via}`].join(' → ');
        // Reading the namespace's Secrets comes with running pods there (upstream's "edit" role
        // says the same): reported, not failed. Gaining another identity's rules is failed.
        out.push(
          g.origin === 'secret-mount'
            ? {
                ruleId: 'rbac.escalation',
                status: 'warn',
                resource: where,
                path: '',
                message: `${p.label} can read every Secret of ${g.namespace}: ${path}`,
                fix: 'keep credentials a team must not see out of namespaces where it creates pods',
              }
            : {
                ruleId: 'rbac.escalation',
                status: 'fail',
                resource: where,
                path: '',
                message: `${p.label} escalates beyond its own roles: ${path}`,
                fix: 'do not give admin-level rights to service accounts, tokens or bindings that less privileged subjects can reach',
              },
        );
      }
    }
  }
  if (!out.some((f) => f.status === 'fail'))
    out.push({
      ruleId: 'rbac.escalation',
      status: 'pass',
      resource: 'rbac',
      path: '',
      message: `none of ${subjects} bound subjects gains rights beyond its own through pods, tokens, impersonation or bindings`,
    });
  return out;
}
