/**
 * RBAC proofs over the rendered tree: team roles use no wildcards, team namespaces bind only
 * their own members, and each team role can do what it should and nothing across teams.
 */
import type { K8sObject } from '../../k8s/object.js';
import type { ResolvedEnvironment } from '../../spec/model.js';
import { TEAM_ROLES } from '../../spec/schema.js';
import type { Finding } from '../finding.js';
import type { PolicyRule, RbacAuthorizer } from './evaluate.js';

export function checkRbac(
  objects: readonly K8sObject[],
  rbac: RbacAuthorizer,
  env: ResolvedEnvironment,
): Finding[] {
  const out: Finding[] = [];
  const teamNames = new Set(env.teams.map((t) => t.name));
  for (const o of objects) {
    if (o.kind !== 'Role' || !teamNames.has(o.metadata.namespace ?? '')) continue;
    const rules = (o.rules as PolicyRule[]) ?? [];
    rules.forEach((r, i) => {
      for (const field of ['verbs', 'apiGroups', 'resources'] as const) {
        if (r[field]?.includes('*')) {
          out.push({
            ruleId: 'rbac.no-wildcards',
            status: 'fail',
            resource: `Role/${o.metadata.namespace}/${o.metadata.name}`,
            path: `rules[${i}].${field}`,
            message: `team roles may not use "*" in ${field}`,
            fix: 'list the verbs and resources explicitly',
          });
        }
      }
    });
  }
  for (const team of env.teams) {
    const members = new Set<string>();
    for (const role of TEAM_ROLES) {
      for (const u of team.members[role]?.users ?? []) members.add(`User:${u}`);
      for (const g of team.members[role]?.groups ?? []) members.add(`Group:${g}`);
    }
    for (const sa of team.serviceAccounts) members.add(`ServiceAccount:${team.name}:${sa.name}`);
    let stray = 0;
    for (const b of rbac.bindingsIn(team.name)) {
      for (const s of b.subjects) {
        const key =
          s.kind === 'ServiceAccount'
            ? `ServiceAccount:${s.namespace || b.namespace}:${s.name}`
            : `${s.kind}:${s.name}`;
        if (members.has(key)) continue;
        stray++;
        out.push({
          ruleId: 'rbac.isolation',
          status: 'fail',
          resource: `RoleBinding/${b.namespace}/${b.name}`,
          path: 'subjects',
          message: `${key} is bound in ${team.name} but is not a member of the team`,
        });
      }
    }
    // Each role works where it should and not in any other team's namespace.
    const other = env.teams.find((t) => t.name !== team.name)?.name;
    for (const role of TEAM_ROLES) {
      const m = team.members[role];
      const subject = m?.users[0]
        ? { user: m.users[0], groups: [] }
        : m?.groups[0]
          ? { user: `probe@${team.name}`, groups: [m.groups[0]] }
          : undefined;
      if (!subject) continue;
      const canCreate = rbac.authorize({
        ...subject,
        verb: 'create',
        resource: 'pods',
        namespace: team.name,
      }).allowed;
      const canRead = rbac.authorize({
        ...subject,
        verb: 'list',
        resource: 'pods',
        namespace: team.name,
      }).allowed;
      const expectCreate = role !== 'viewer';
      const ok = canRead && canCreate === expectCreate;
      out.push({
        ruleId: 'rbac.team-roles',
        status: ok ? 'pass' : 'fail',
        resource: `namespace/${team.name}`,
        path: `members.${role}`,
        message: `${role} ${subject.groups[0] ? `group ${subject.groups[0]}` : subject.user}: list pods ${canRead ? 'yes' : 'no'}, create pods ${canCreate ? 'yes' : 'no'} (expected ${expectCreate ? 'yes' : 'no'})`,
      });
      // Hosts come from the spec: a team that writes Ingresses can claim another team's host
      // on the shared ingress controller (or publish without TLS and rate limits).
      const ingress = ['create', 'update', 'patch']
        .map((verb) =>
          rbac.authorize({
            ...subject,
            verb,
            resource: 'ingresses',
            apiGroup: 'networking.k8s.io',
            namespace: team.name,
          }),
        )
        .find((d) => d.allowed);
      if (ingress)
        out.push({
          ruleId: 'rbac.ingress',
          status: 'fail',
          resource: `namespace/${team.name}`,
          path: `members.${role}`,
          message: `${role} ${subject.groups[0] ? `group ${subject.groups[0]}` : subject.user} may write Ingresses in ${team.name} (${ingress.reason}): the ingress controller serves them for any host, so the team could take over another team's host or a path under it`,
          fix: 'publish hosts through team.ingress in the spec; team roles only read ingresses',
        });
      if (other) {
        const cross = rbac.authorize({ ...subject, verb: 'create', resource: 'pods', namespace: other });
        const memberThere = isMemberOf(env, other, subject);
        if (cross.allowed && !memberThere) {
          out.push({
            ruleId: 'rbac.isolation',
            status: 'fail',
            resource: `namespace/${other}`,
            path: '',
            message: `${team.name} ${role} may create pods in ${other}: ${cross.reason}`,
          });
          stray++;
        }
      }
    }
    if (stray === 0)
      out.push({
        ruleId: 'rbac.isolation',
        status: 'pass',
        resource: `namespace/${team.name}`,
        path: '',
        message: `only members of ${team.name} are bound in its namespace`,
      });
  }
  return out;
}

function isMemberOf(env: ResolvedEnvironment, team: string, s: { user: string; groups: string[] }): boolean {
  const t = env.teams.find((x) => x.name === team);
  if (!t) return false;
  return TEAM_ROLES.some(
    (r) => t.members[r]?.users.includes(s.user) || s.groups.some((g) => t.members[r]?.groups.includes(g)),
  );
}
