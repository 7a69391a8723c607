import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { covers, nonResourceURLCovers } from '../src/check/rbac/covers.js';
import { EscalationAnalyzer } from '../src/check/rbac/escalation.js';
import { checkDangerousSubjects, checkEscalation } from '../src/check/rbac/escalation-rules.js';
import {
  type AccessRequest,
  type PolicyRule,
  RbacAuthorizer,
  ruleAllows,
} from '../src/check/rbac/evaluate.js';
import { severityOf } from '../src/check/severity.js';
import { environment, objectsOf } from '../src/cli/context.js';
import type { K8sObject } from '../src/k8s/object.js';
import { EXAMPLE, exampleSpec, mlp, ROOT, readYaml } from './helpers.js';
import { lineOf, problems, replace } from './spec-helpers.js';

interface CoversCase {
  name: string;
  owner: PolicyRule[];
  servant: PolicyRule[];
  covered: boolean;
  uncovered?: PolicyRule[];
}

describe('Covers (upstream policy_comparator_test.go)', () => {
  const fixture = readYaml<{ cases: CoversCase[]; urlCases: [string, string, boolean][] }>(
    join(ROOT, 'testdata', 'rbac-covers', 'policy-comparator.yaml'),
  );
  it.each(fixture.cases)('$name → $covered', (c) => {
    const r = covers(c.owner, c.servant);
    expect(r.covered).toBe(c.covered);
    const norm = (rules: PolicyRule[]) =>
      rules
        .map((x) =>
          JSON.stringify([
            x.apiGroups ?? [],
            x.resources ?? [],
            x.verbs ?? [],
            x.resourceNames ?? [],
            x.nonResourceURLs ?? [],
          ]),
        )
        .sort();
    expect(norm(r.uncovered)).toEqual(norm(c.uncovered ?? []));
  });
  it.each(fixture.urlCases)('nonResourceURLCovers(%j, %j) → %s', (owner, requested, want) => {
    expect(nonResourceURLCovers(owner, requested)).toBe(want);
  });
});

describe('RuleAllows (upstream rbac_test.go TestRuleMatches)', () => {
  const fixture = readYaml<{
    cases: { name: string; rule: PolicyRule; requests: [Omit<AccessRequest, 'user'>, boolean][] }[];
  }>(join(ROOT, 'testdata', 'rbac-covers', 'rule-matches.yaml'));
  for (const c of fixture.cases)
    it.each(c.requests)(`${c.name}: %j → %s`, (req, want) => {
      expect(ruleAllows(c.rule, { user: '', ...req })).toBe(want);
    });
});

describe('the bootstrap admin/edit/view roles (upstream policy_test.go relationships)', () => {
  const rbac = new RbacAuthorizer([]);
  const roles = rbac.clusterRoleMap();
  it('admin covers edit and edit covers view (TestAdminEditRelationship, TestEditViewRelationship)', () => {
    expect(covers(roles.get('admin')!, roles.get('edit')!).covered).toBe(true);
    expect(covers(roles.get('edit')!, roles.get('view')!).covered).toBe(true);
  });
  it('view does not cover the escalating reads of edit (secrets, exec)', () => {
    const r = covers(roles.get('view')!, roles.get('edit')!);
    expect(r.covered).toBe(false);
    expect(r.uncovered).toContainEqual({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] });
  });
});

interface EscalationCase {
  user: string;
  groups?: string[];
  verb: string;
  resource?: string;
  subresource?: string;
  apiGroup?: string;
  namespace?: string;
  name?: string;
  direct: boolean;
  effective: boolean;
  path?: string;
  note?: string;
}

const dir = join(ROOT, 'testdata', 'rbac-escalation');
for (const file of readdirSync(dir).sort()) {
  const fixture = readYaml<{ objects: K8sObject[]; cases: EscalationCase[] }>(join(dir, file));
  describe(`escalation fixture ${file}`, () => {
    const rbac = new RbacAuthorizer(fixture.objects);
    const analyzer = new EscalationAnalyzer(rbac, fixture.objects);
    it.each(fixture.cases)(
      '$user $verb $resource in $namespace → direct $direct, effective $effective',
      (c) => {
        const { direct, effective, path, note: _note, ...req } = c;
        expect(rbac.authorize(req).allowed).toBe(direct);
        const d = analyzer.authorize({ user: c.user, groups: c.groups ?? [] }, req);
        expect(d.allowed).toBe(effective);
        if (path) expect(d.reason).toContain(path);
      },
    );
  });
}

// ---- item 2: reserved identities; item 3: escalation in the spec, the checks and the CLI ----

describe('reserved identities as members are rejected at load', () => {
  it.each([
    ['system:authenticated', 'every authenticated user and service account of the cluster'],
    ['system:unauthenticated', 'every anonymous request'],
    ['system:serviceaccounts', 'every service account of every namespace'],
    ['system:serviceaccounts:kube-system', 'every service account of namespace kube-system'],
    ['system:masters', 'the super-user group'],
    ['system:nodes', 'every kubelet of the cluster'],
    ['system:bootstrappers', 'a name reserved for Kubernetes components'],
  ])('group %s', (group, meaning) => {
    const text = replace(
      'viewer: { groups: [data-scientists] }',
      `viewer: { groups: [data-scientists, "${group}"] }`,
    );
    const line = lineOf(text, group);
    const out = problems(text);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(
      new RegExp(
        `^p\\.yaml:${line}:\\d+: teams\\[0\\]\\.members\\.viewer\\.groups\\[1\\]: group "${group}" is `,
      ),
    );
    expect(out[0]).toContain(meaning);
    expect(out[0]).toContain('the ml-team viewer role');
  });
  it.each([
    ['system:anonymous', 'every anonymous request'],
    ['system:serviceaccount:ml-team:default', 'a service account, spelled as a user'],
    ['system:node:worker-1', 'a kubelet'],
    ['system:kube-controller-manager', 'reserved for Kubernetes components'],
    ['system:apiserver', 'reserved for Kubernetes components'],
  ])('user %s', (user, meaning) => {
    const out = problems(replace('admin: { users: [ml-lead@company.com] }', `admin: { users: ["${user}"] }`));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(`teams[0].members.admin.users[0]: user "${user}" is `);
    expect(out[0]).toContain(meaning);
  });
  it('in platform admins and in environment overrides too', () => {
    expect(
      problems(replace('groups: [platform-admins]', 'groups: [platform-admins, "system:masters"]'))[0],
    ).toContain('platform.admins.groups[1]: group "system:masters" is the super-user group');
    const text = replace(
      '      ml-team:\n        quota: { requests: { cpu: "6"',
      '      ml-team:\n        members: { viewer: { groups: ["system:authenticated"] } }\n        quota: { requests: { cpu: "6"',
    );
    expect(problems(text)[0]).toContain(
      'environments.local.teams.ml-team.members.viewer.groups[0]: group "system:authenticated"',
    );
  });
  it('ordinary names that merely contain "system" are fine', () => {
    expect(
      problems(
        replace('groups: [platform-admins]', 'groups: [platform-admins, systems-team, "ops:system:x"]'),
      ),
    ).toEqual([]);
  });
});

describe('admin service accounts where developers create pods', () => {
  it('are rejected at load with the escalation explained', () => {
    const text = replace('{ name: model-server, role: viewer }', '{ name: model-server, role: admin }');
    const line = lineOf(text, 'name: model-server, role: admin');
    expect(problems(text)).toEqual([
      `p.yaml:${line}:${text.split('\n')[line - 1]!.indexOf('admin') + 1}: teams[0].serviceAccounts[1].role: service account "model-server" has role admin, but developers of ml-team (ml-engineers, service account training-runner) can create pods, and a pod runs as any service account of its namespace: they would hold admin (read Secrets, manage service accounts). Expected role developer or viewer, e.g. { name: model-server, role: developer }`,
    ]);
  });
  it('are rejected when an environment override makes one admin, located at the override', () => {
    const text = replace(
      '      ml-team:\n        quota: { requests: { cpu: "6"',
      '      ml-team:\n        serviceAccounts: [{ name: training-runner, role: admin }]\n        quota: { requests: { cpu: "6"',
    );
    const out = problems(text);
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(
      'environments.local.teams.ml-team.serviceAccounts[0].role: service account "training-runner" has role admin, but developers of ml-team (ml-engineers) can create pods',
    );
  });
  it('are fine in a team where only admins create pods', () => {
    const text = replace(
      '      - { name: pipeline-runner, role: developer }',
      '      - { name: pipeline-runner, role: admin }',
    ).replace('developer: { groups: [data-engineers] }', 'viewer: { groups: [data-engineers] }');
    expect(problems(text.replace('viewer: { groups: [ml-engineers] }', ''))).toEqual([]);
  });
});

const exampleObjects = (env = 'local') => objectsOf(environment(exampleSpec(), env));

describe('rbac.dangerous-subjects and rbac.escalation over a rendered (or hand-edited) tree', () => {
  it('fail on a binding to system:authenticated that the spec could not express', () => {
    const objects = exampleObjects();
    const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'ml-team-viewer')!;
    (binding.subjects as unknown[]).push({
      kind: 'Group',
      name: 'system:authenticated',
      apiGroup: 'rbac.authorization.k8s.io',
    });
    const f = checkDangerousSubjects(new RbacAuthorizer(objects)).filter((x) => x.status === 'fail');
    expect(f).toEqual([
      expect.objectContaining({
        ruleId: 'rbac.dangerous-subjects',
        resource: 'RoleBinding/ml-team/ml-team-viewer',
        path: 'subjects[2]',
        message:
          'Group system:authenticated is every authenticated user and service account of the cluster: RoleBinding ml-team/ml-team-viewer → Role ml-team-viewer grants it to them',
      }),
    ]);
  });
  it('fail with the path when a developer can run as an admin-bound service account', () => {
    const objects = exampleObjects();
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'sneaky', namespace: 'ml-team' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ml-team-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'model-server', namespace: 'ml-team' }],
    });
    const fails = checkEscalation(objects, new RbacAuthorizer(objects)).filter((x) => x.status === 'fail');
    expect(fails.map((f) => f.message)).toContain(
      'Group ml-engineers escalates beyond its own roles: Group ml-engineers → create pods in ml-team (RoleBinding ml-team/ml-team-developer → Role ml-team-developer) → run as ServiceAccount ml-team/model-server → holds RoleBinding ml-team/sneaky → Role ml-team-admin',
    );
    expect(severityOf(fails[0]!)).toBe('high');
  });
  it.each(['local', 'dev', 'staging', 'prod'])(
    'pass on the example in %s, with the secret reads as warnings',
    (env) => {
      const objects = exampleObjects(env);
      const rbac = new RbacAuthorizer(objects);
      const findings = [...checkDangerousSubjects(rbac), ...checkEscalation(objects, rbac)];
      expect(findings.filter((f) => f.status === 'fail')).toEqual([]);
      expect(findings.filter((f) => f.status === 'warn').map((f) => f.message)).toContain(
        'Group ml-engineers can read every Secret of ml-team: Group ml-engineers → create pods in ml-team (RoleBinding ml-team/ml-team-developer → Role ml-team-developer) → mount any Secret of ml-team into a pod',
      );
    },
  );
});

describe('mlp can-i --effective and who-can', () => {
  const asDev = ['--as', 'dev@company.com', '--as-group', 'ml-engineers', '-f', EXAMPLE];
  it('can-i says no, can-i --effective says yes with the path (stderr and -o json)', async () => {
    expect((await mlp(['can-i', 'get', 'secrets', '-n', 'ml-team', ...asDev])).code).toBe(1);
    const eff = await mlp(['can-i', 'get', 'secrets', '-n', 'ml-team', '--effective', ...asDev]);
    expect(eff.code).toBe(0);
    expect(eff.stdout).toBe('yes\n');
    expect(eff.stderr).toBe(
      'create pods in ml-team (RoleBinding ml-team/ml-team-developer → Role ml-team-developer) → mount any Secret of ml-team into a pod\n',
    );
    const json = JSON.parse(
      (await mlp(['can-i', 'get', 'secrets', '-n', 'ml-team', '--effective', ...asDev, '-o', 'json'])).stdout,
    );
    expect(json).toMatchObject({ allowed: true, effective: true });
    expect(json.path).toHaveLength(2);
    // Not in another team's namespace, and not the admin's rights on service accounts.
    expect((await mlp(['can-i', 'get', 'secrets', '-n', 'data-team', '--effective', ...asDev])).code).toBe(1);
    expect(
      (await mlp(['can-i', 'create', 'serviceaccounts', '-n', 'ml-team', '--effective', ...asDev])).code,
    ).toBe(1);
  });
  it('who-can lists subjects with the binding that grants, and --effective adds paths', async () => {
    const direct = JSON.parse(
      (await mlp(['who-can', 'get', 'secrets', '-n', 'ml-team', '-f', EXAMPLE, '-o', 'json'])).stdout,
    );
    expect(direct.subjects.map((s: { kind: string; name: string }) => `${s.kind}/${s.name}`)).toEqual([
      'User/ml-lead@company.com',
      'User/system:kube-controller-manager',
      'Group/platform-admins',
      'Group/system:masters',
    ]);
    expect(direct.subjects[3]).toMatchObject({
      builtin: true,
      via: 'ClusterRoleBinding cluster-admin → ClusterRole cluster-admin',
    });
    const eff = JSON.parse(
      (await mlp(['who-can', 'get', 'secrets', '-n', 'ml-team', '--effective', '-f', EXAMPLE, '-o', 'json']))
        .stdout,
    );
    const indirect = eff.subjects.filter((s: { path?: string[] }) => s.path);
    expect(indirect.map((s: { kind: string; name: string }) => `${s.kind}/${s.name}`)).toEqual([
      'Group/ml-engineers',
      'ServiceAccount/training-runner',
    ]);
    const table = await mlp(['who-can', 'create', 'pods', '-n', 'ml-team', '-f', EXAMPLE]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('ml-engineers');
    expect(table.stdout).toContain('RoleBinding ml-team/ml-team-developer → Role ml-team-developer');
    expect((await mlp(['who-can', '--help'])).stdout).toContain('--effective');
  });
  it('hostile names neither crash nor match', async () => {
    for (const args of [
      [
        'can-i',
        '__proto__',
        'constructor',
        '-n',
        'ml-team',
        '--as',
        '__proto__',
        '--as-group',
        'constructor',
      ],
      ['can-i', 'get', '__proto__/constructor', '-n', '__proto__', '--as', 'constructor', '--effective'],
      ['who-can', '__proto__', 'constructor', '-n', '__proto__', '--effective'],
      ['who-can', 'get', 'pods', 'constructor', '-n', 'hasOwnProperty'],
    ]) {
      const r = await mlp([...args, '-f', EXAMPLE, '-o', 'json']);
      expect(r.stderr).not.toContain('internal error');
      if (args[0] === 'can-i') expect(r.code).toBe(1);
      else {
        // Only cluster-wide wildcards (platform admins, system:masters) may do anything at all.
        const names = JSON.parse(r.stdout).subjects.map((s: { name: string }) => s.name);
        expect(names.every((n: string) => ['platform-admins', 'system:masters'].includes(n))).toBe(true);
      }
    }
  });
});
