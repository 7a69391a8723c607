/**
 * Who may be a member: reserved Kubernetes identities never (they stand for everyone, anonymous
 * users or the control plane), and no admin-level service account where developers create pods
 * (they could run a pod as it). Kept apart from the loader so each list of teams (the base and
 * every environment's merged teams) runs the same rules.
 */
import { reservedIdentity } from '../core/identities.js';
import type { PathSegment } from './errors.js';
import { TEAM_ROLES, type Team } from './schema.js';
import type { RawIssue } from './zod-issues.js';

type Report = (i: RawIssue) => void;

/** Reserved Kubernetes identities (everyone, anonymous, the control plane) are never members. */
function checkSubjects(
  members: { users: readonly string[]; groups: readonly string[] } | undefined,
  path: PathSegment[],
  what: string,
  report: Report,
): void {
  for (const [field, kind] of [
    ['users', 'User'],
    ['groups', 'Group'],
  ] as const) {
    (members?.[field] ?? []).forEach((name, j) => {
      const reserved = reservedIdentity(kind, name);
      if (!reserved) return;
      report({
        path: [...path, field, j],
        message: `${kind.toLowerCase()} "${name}" is ${reserved.meaning}; binding it would give them ${what}. Received a reserved Kubernetes identity; ${reserved.fix}`,
      });
    });
  }
}

/** `platform.admins` are bound to the cluster-wide "*" role. */
export function checkPlatformSubjects(
  admins: { users: readonly string[]; groups: readonly string[] } | undefined,
  report: Report,
): void {
  checkSubjects(admins, ['platform', 'admins'], 'platform-admin (cluster-wide "*")', report);
}

/** One team's members and service accounts; `at` turns a path inside the team into a spec path. */
export function checkTeamSubjects(
  team: Team,
  at: (...rest: PathSegment[]) => PathSegment[],
  report: Report,
): void {
  for (const role of TEAM_ROLES)
    checkSubjects(team.members[role], at('members', role), `the ${team.name} ${role} role`, report);
  // A pod may run as any ServiceAccount of its namespace, so whoever creates pods holds the
  // rights of every ServiceAccount there: an admin-level one would make developers admins.
  const podMakers = [
    ...(team.members.developer?.users ?? []),
    ...(team.members.developer?.groups ?? []),
    ...team.serviceAccounts.filter((sa) => sa.role === 'developer').map((sa) => `service account ${sa.name}`),
  ];
  team.serviceAccounts.forEach((sa, j) => {
    if (sa.role !== 'admin' || podMakers.length === 0) return;
    report({
      path: at('serviceAccounts', j, 'role'),
      message: `service account "${sa.name}" has role admin, but developers of ${team.name} (${podMakers.join(', ')}) can create pods, and a pod runs as any service account of its namespace: they would hold admin (read Secrets, manage service accounts). Expected role developer or viewer, e.g. { name: ${sa.name}, role: developer }`,
    });
  });
}
