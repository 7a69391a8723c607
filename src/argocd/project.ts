/**
 * AppProject roles as Argo CD feeds them to the enforcer: `AppProject.ProjectPoliciesString()`
 * (pkg/apis/application/v1alpha1/app_project_types.go, v3.x) writes, per role,
 *   p, proj:<project>:<role>, projects, get, <project>, allow
 *   <the role's policies, verbatim>
 *   g, <group>, proj:<project>:<role>      (one per group)
 * joined by "\n". Nothing is escaped: a policy or group holding "\n" adds lines, a group with
 * a comma breaks its g line and with it the whole project policy. The Argo CD API refuses such
 * values (`ValidateProject`, `validateGroupName`, `validatePolicy`), but an AppProject applied
 * with kubectl or Argo CD itself is not validated, so the enforcer sees them as written.
 */
import type { PolicyChunk } from './policy.js';

/** The fields of an AppProject the RBAC reads; everything else is ignored. */
export interface AppProjectLike {
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
  readonly spec?: { readonly roles?: unknown };
}

interface Role {
  readonly name: string;
  readonly policies: readonly string[];
  readonly groups: readonly string[];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

export function projectRoles(project: AppProjectLike): Role[] {
  const roles = project.spec?.roles;
  if (!Array.isArray(roles)) return [];
  return roles
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map((r) => ({
      name: typeof r.name === 'string' ? r.name : '',
      policies: strings(r.policies),
      groups: strings(r.groups),
    }));
}

/** ProjectPoliciesString, as chunks that remember which role field each line came from. */
export function projectPolicyChunks(projectName: string, project: AppProjectLike): PolicyChunk[] {
  const chunks: PolicyChunk[] = [];
  for (const role of projectRoles(project)) {
    const subject = `proj:${projectName}:${role.name}`;
    const at = `AppProject ${projectName} role ${role.name}`;
    chunks.push({ origin: `${at} (implicit)`, text: `p, ${subject}, projects, get, ${projectName}, allow` });
    role.policies.forEach((text, i) => chunks.push({ origin: `${at} policies[${i}]`, text }));
    role.groups.forEach((g, i) => chunks.push({ origin: `${at} groups[${i}]`, text: `g, ${g}, ${subject}` }));
  }
  return chunks;
}

/** rbacpolicy.GetProjectRoleFromSubject: `proj:<project>:<role>` split on ":" into exactly three. */
export function projectRoleOfSubject(subject: string): { project: string; role: string } | undefined {
  const parts = subject.split(':');
  return parts.length === 3 && parts[0] === 'proj'
    ? { project: parts[1] as string, role: parts[2] as string }
    : undefined;
}
