/**
 * Argo CD's RBAC from the spec's members, rendered twice from one source: the project roles of
 * each team's AppProject (`projectRoles`) and the global `policy.csv` of argocd-rbac-cm
 * (`argocdPolicyCsv`). Semantics follow Argo CD's RBAC documentation (operator-manual/rbac.md):
 * `p, <subject>, <resource>, <action>, <project>/<object>, allow|deny` for applications and
 * logs; `g, <user or group>, <role>` to assign; project roles are the subjects
 * `proj:<project>:<role>`; `role:admin` is built in.
 */
import type { ResolvedEnvironment } from '../spec/model.js';
import { TEAM_ROLES, type Team, type TeamRole } from '../spec/schema.js';

/**
 * What each team role may do with its team's Applications. `override` lets a developer sync
 * with local parameter overrides (what `argocd app sync --local` and rollbacks need); `action/*`
 * runs resource actions (restart a Deployment); `logs get` reads pod logs in the UI (enforced
 * since Argo CD 3.0). Only admins create, change or delete the Application objects themselves.
 */
const APPLICATION_ACTIONS: Readonly<Record<TeamRole, readonly string[]>> = {
  admin: ['get', 'create', 'update', 'delete', 'sync', 'override', 'action/*'],
  developer: ['get', 'sync', 'override', 'action/*'],
  viewer: ['get'],
};
const LOGS: Readonly<Record<TeamRole, boolean>> = { admin: true, developer: true, viewer: false };

export interface ProjectRole {
  readonly name: TeamRole;
  readonly description: string;
  readonly groups: string[];
  readonly policies: string[];
}

/** `p, proj:<team>:<role>, …` lines of one team role. */
function rolePolicies(team: string, role: TeamRole): string[] {
  const subject = `proj:${team}:${role}`;
  const lines = APPLICATION_ACTIONS[role].map(
    (action) => `p, ${subject}, applications, ${action}, ${team}/*, allow`,
  );
  if (LOGS[role]) lines.push(`p, ${subject}, logs, get, ${team}/*, allow`);
  return lines;
}

/** The three roles of a team's AppProject: its member groups, its policies. */
export function projectRoles(team: Team): ProjectRole[] {
  return TEAM_ROLES.map((role) => ({
    name: role,
    description: `${team.name} ${role}s (from the spec's members)`,
    groups: [...(team.members[role]?.groups ?? [])].sort(),
    policies: rolePolicies(team.name, role),
  }));
}

/**
 * The global policy.csv: platform admins get the built-in `role:admin`; every team member (user
 * by e-mail, group by name) is assigned its project role. Groups are also in the AppProject
 * roles' `groups`; repeating them here keeps one file that answers "who may do what".
 */
export function argocdPolicyCsv(env: ResolvedEnvironment): string {
  const lines: string[] = ['# Rendered by mlp from the platform spec; edit the spec, not this file.'];
  const admins = [...env.platform.admins.groups, ...env.platform.admins.users].sort();
  for (const subject of new Set(admins)) lines.push(`g, ${subject}, role:admin`);
  for (const team of [...env.teams].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const role of TEAM_ROLES) {
      const m = team.members[role];
      const subjects = [...new Set([...(m?.groups ?? []), ...(m?.users ?? [])])].sort();
      for (const subject of subjects) lines.push(`g, ${subject}, proj:${team.name}:${role}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
