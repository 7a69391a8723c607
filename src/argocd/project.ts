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
import { goTrimSpace, isGoSpace } from './csv.js';
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
    for (const [i, text] of role.policies.entries()) chunks.push({ origin: `${at} policies[${i}]`, text });
    for (const [i, g] of role.groups.entries())
      chunks.push({ origin: `${at} groups[${i}]`, text: `g, ${g}, ${subject}` });
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

const ROLE_NAME = /^[a-zA-Z0-9]([-_a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const PROJECT_RESOURCES = new Set([
  'applications',
  'applicationsets',
  'repositories',
  'exec',
  'logs',
  'clusters',
]);
const ACTIONS = new Set(['get', 'create', 'update', 'delete', 'sync', 'override', 'rollback', '*']);
// regexp.MatchString is unanchored in Go, so "xaction/" passes too, exactly as upstream.
const ACTION_PATTERNS = [/action\/.*/, /update\/.*/, /delete\/.*/];
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** validateGroupName (types.go): the reason the Argo CD API refuses a group, or undefined. */
function groupProblem(raw: string): string | undefined {
  let name = goTrimSpace(raw);
  if (name.length > 1 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1);
  else if (name.includes(',')) return 'must be quoted';
  if (name === '') return 'is empty';
  if (/["\n\r\t]/.test(name)) return 'contains invalid characters';
  const runes = [...raw];
  if (runes.length > 1 && isGoSpace(runes[0] as string)) return 'contains a leading space';
  if (runes.length > 1 && isGoSpace(runes[runes.length - 1] as string)) return 'contains a trailing space';
  return undefined;
}

/** validatePolicy (types.go): the reason the Argo CD API refuses a role policy, or undefined. */
function policyProblem(project: string, role: string, policy: string): string | undefined {
  const c = policy.split(',').map((x) => x.replace(/^ +| +$/g, ''));
  if (c.length !== 6 || c[0] !== 'p') return "must be of the form: 'p, sub, res, act, obj, eft'";
  const [, sub, res, act, obj, eft] = c as [string, string, string, string, string, string];
  if (sub !== `proj:${project}:${role}`)
    return `policy subject must be: 'proj:${project}:${role}', not '${sub}'`;
  if (!PROJECT_RESOURCES.has(res))
    return `project resource must be one of ${[...PROJECT_RESOURCES].join(', ')}, not '${res}'`;
  if (!ACTIONS.has(act) && !ACTION_PATTERNS.some((p) => p.test(act))) return `invalid action '${act}'`;
  if (!new RegExp(`^${escapeRegExp(project)}(/[*\\w\\-.]+)?/[*\\w\\-.]+$`).test(obj))
    return `object must be of form '${project}/*' or '${project}[/<NAMESPACE>]/<APPNAME>', not '${obj}'`;
  if (eft !== 'allow' && eft !== 'deny') return "effect must be: 'allow' or 'deny'";
  return undefined;
}

/**
 * What `AppProject.ValidateProject` would refuse in the roles. Argo CD's enforcer does not
 * re-validate an AppProject applied through Kubernetes, so these are warnings beside the verdict.
 */
export function projectWarnings(projectName: string, project: AppProjectLike): string[] {
  const out: string[] = [];
  for (const role of projectRoles(project)) {
    const at = `AppProject ${projectName} role ${JSON.stringify(role.name)}`;
    if (!ROLE_NAME.test(role.name)) out.push(`${at}: invalid role name`);
    for (const p of role.policies) {
      const why = policyProblem(projectName, role.name, p);
      if (why) out.push(`${at}: the Argo CD API would refuse policy ${JSON.stringify(p)}: ${why}`);
    }
    for (const g of role.groups) {
      const why = groupProblem(g);
      if (why) out.push(`${at}: the Argo CD API would refuse group ${JSON.stringify(g)}: ${why}`);
    }
  }
  return out;
}
