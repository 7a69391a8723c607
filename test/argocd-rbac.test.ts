// Argo CD RBAC, offline: a table of cases from Argo CD's documented semantics
// (docs/operator-manual/rbac.md, v3.x) and its code (util/rbac, server/rbacpolicy).
import { describe, expect, it } from 'vitest';
import type { AppProjectLike } from '../src/argocd/project.js';
import {
  ArgoRbac,
  ArgoRbacError,
  type ArgoRbacSettings,
  type ArgoSubject,
  parseScopes,
} from '../src/argocd/rbac.js';

const project = (
  name: string,
  roles: { name: string; groups?: string[]; policies?: string[] }[],
): AppProjectLike => ({
  metadata: { name, namespace: 'argocd' },
  spec: { roles },
});
const teamProject = (team: string, extraGroups: string[] = []) =>
  project(team, [
    {
      name: 'developer',
      groups: [`${team}-engineers`, ...extraGroups],
      policies: [
        `p, proj:${team}:developer, applications, get, ${team}/*, allow`,
        `p, proj:${team}:developer, applications, sync, ${team}/*, allow`,
      ],
    },
    {
      name: 'viewer',
      groups: [`${team}-viewers`],
      policies: [`p, proj:${team}:viewer, applications, get, ${team}/*, allow`],
    },
  ]);

// The docs' configurations, by name.
const CONFIGS: Record<string, ArgoRbacSettings> = {
  // rbac.md "Using SSO Users/Groups": argocd-rbac-cm + the team-beta-project AppProject.
  sso: {
    policyCsv: `p, my-org:team-alpha, applications, sync, my-project/*, allow
g, my-org:team-beta, role:admin
g, user@example.org, role:admin
g, admin, role:admin
g, role:admin, role:readonly`,
    policyDefault: 'role:readonly',
    scopes: ['groups', 'email'],
    projects: [
      project('team-beta-project', [
        {
          name: 'admin',
          groups: ['user@example.org', 'my-org:team-beta'],
          policies: ['p, proj:team-beta-project:admin, applications, *, team-beta-project/*, allow'],
        },
      ]),
    ],
  },
  // argocd-rbac-cm.yaml example: an org-admin role bound to a group, no default.
  orgAdmin: {
    policyCsv: `p, role:org-admin, applications, *, */*, allow
p, role:org-admin, clusters, get, *, allow
p, role:org-admin, repositories, get, *, allow
p, role:org-admin, repositories, create, *, allow
g, my-org:team-alpha, role:org-admin`,
    policyDefault: '',
    projects: [],
  },
  // rbac.md "Fine-grained Permissions for update/delete", the `action` action and glob matching.
  fineGrained: {
    policyCsv: `p, example-user, applications, delete, default/prod-app, deny
p, example-user, applications, delete/*/Pod/*/*, default/prod-app, allow
p, example-user, applications, update, default/prod-app, allow
p, example-user, applications, update/*, default/prod-app, deny
p, example-user, applications, action//Pod/maintenance-off, default/*, allow
p, example-user, applications, action/extensions/DaemonSet/*, default/*, allow
p, glob-user, applications, delete/*/kind/*, default/*, allow
p, legacy-user, applications, delete, default/prod-app, allow
p, legacy-user, applications, delete/*/Pod/*, default/prod-app, deny`,
    policyDefault: '',
    projects: [],
  },
  // Deny wins within one subject; each subject (user, each group) is a request of its own.
  deny: {
    policyCsv: `p, role:deployer, applications, sync, default/*, allow
p, my-group, applications, sync, default/secret-app, deny
g, my-group, role:deployer
p, role:syncer, applications, sync, */*, allow
p, role:nosync, applications, sync, */*, deny
g, team-a, role:syncer
g, team-b, role:nosync
p, alice, applications, get, */*, deny
p, lonely-group, applications, get, */*, allow`,
    policyDefault: 'role:readonly',
    projects: [],
  },
  // The tree's shape (issue 9 §2): one AppProject per team, platform admins → role:admin.
  teams: {
    policyCsv: 'g, platform-admins, role:admin',
    policyDefault: '',
    scopes: ['groups', 'email'],
    projects: [teamProject('ml-team'), teamProject('data-team')],
  },
  // Transitive g: group → r1 → … → r10 grants, group → s1 → … → s11 is past casbin's 10 levels.
  chain: {
    policyCsv: [
      'g, deep, r1',
      ...Array.from({ length: 9 }, (_, i) => `g, r${i + 1}, r${i + 2}`),
      'p, r10, applications, get, */*, allow',
      'g, deeper, s1',
      ...Array.from({ length: 10 }, (_, i) => `g, s${i + 1}, s${i + 2}`),
      'p, s11, applications, get, */*, allow',
    ].join('\n'),
    policyDefault: '',
    projects: [],
  },
  // Hostile names: prototype keys as groups, subjects and projects; quoted commas.
  hostile: {
    policyCsv: `g, __proto__, role:admin
p, "my, group", applications, get, */*, allow
g, "my, group", role:none
p, constructor, applications, get, */*, allow`,
    policyDefault: '',
    projects: [
      project('__proto__', [
        {
          name: 'dev',
          groups: ['proto-devs'],
          policies: ['p, proj:__proto__:dev, applications, sync, __proto__/*, allow'],
        },
      ]),
    ],
  },
  // CSV injection through AppProject values that the Argo CD API would refuse but kubectl applies.
  injected: {
    policyCsv: '',
    policyDefault: '',
    projects: [
      teamProject('ml-team', ['x, role:none\ng, ml-team-engineers, role:admin\ng, y']),
      teamProject('data-team', ['a,b']),
      teamProject('ops-team', ['"quoted, group"']),
    ],
  },
};

type Case = [
  config: string,
  who: string | ArgoSubject,
  action: string,
  resource: string,
  object: string,
  allowed: boolean,
  decidedBy: string | null, // the deciding line's text (null: no line)
];

const u = (user: string, ...groups: string[]): ArgoSubject => ({ user, groups });

const CASES: Case[] = [
  // SSO example: a group with p lines but no g line is never asked ("Groups must have a role assigned").
  ['sso', u('abc', 'my-org:team-alpha'), 'sync', 'applications', 'my-project/app', false, null],
  [
    'sso',
    u('abc', 'my-org:team-alpha'),
    'get',
    'applications',
    'my-project/app',
    true,
    'p, role:readonly, applications, get, */*, allow',
  ],
  [
    'sso',
    u('abc', 'my-org:team-beta'),
    'delete',
    'applications',
    'any/app',
    true,
    'p, role:admin, applications, delete, */*, allow',
  ],
  [
    'sso',
    { user: 'opaque-id', email: 'user@example.org', groups: [] },
    'create',
    'clusters',
    'https://k',
    true,
    'p, role:admin, clusters, create, *, allow',
  ],
  ['sso', u('opaque-id'), 'create', 'clusters', 'https://k', false, null],
  ['sso', u('nobody'), 'get', 'logs', 'p/app', true, 'p, role:readonly, logs, get, */*, allow'],
  ['sso', u('nobody'), 'sync', 'applications', 'team-beta-project/app', false, null],
  ['sso', u('admin'), 'create', 'projects', 'x', true, 'p, role:admin, projects, create, *, allow'],
  // orgAdmin: `*` action, `*/*` objects (also project/namespace/app), empty default = deny.
  [
    'orgAdmin',
    u('x', 'my-org:team-alpha'),
    'sync',
    'applications',
    'default/guestbook',
    true,
    'p, role:org-admin, applications, *, */*, allow',
  ],
  [
    'orgAdmin',
    u('x', 'my-org:team-alpha'),
    'get',
    'applications',
    'default/app-ns/guestbook',
    true,
    'p, role:org-admin, applications, *, */*, allow',
  ],
  ['orgAdmin', u('x', 'my-org:team-alpha'), 'delete', 'clusters', 'https://k', false, null],
  [
    'orgAdmin',
    u('x', 'my-org:team-alpha'),
    'create',
    'repositories',
    'https://git',
    true,
    'p, role:org-admin, repositories, create, *, allow',
  ],
  ['orgAdmin', u('x', 'other'), 'get', 'applications', 'default/guestbook', false, null],
  ['orgAdmin', u('x'), 'get', 'applications', 'default/guestbook', false, null],
  // fineGrained (3.x): update/delete on the app and on its resources are separate; deny wins.
  [
    'fineGrained',
    u('example-user'),
    'delete',
    'applications',
    'default/prod-app',
    false,
    'p, example-user, applications, delete, default/prod-app, deny',
  ],
  [
    'fineGrained',
    u('example-user'),
    'delete//Pod/prod/web-0',
    'applications',
    'default/prod-app',
    true,
    'p, example-user, applications, delete/*/Pod/*/*, default/prod-app, allow',
  ],
  [
    'fineGrained',
    u('example-user'),
    'delete/apps/Deployment/prod/web',
    'applications',
    'default/prod-app',
    false,
    null,
  ],
  [
    'fineGrained',
    u('example-user'),
    'update',
    'applications',
    'default/prod-app',
    true,
    'p, example-user, applications, update, default/prod-app, allow',
  ],
  [
    'fineGrained',
    u('example-user'),
    'update/apps/Deployment/prod/web',
    'applications',
    'default/prod-app',
    false,
    'p, example-user, applications, update/*, default/prod-app, deny',
  ],
  [
    'fineGrained',
    u('example-user'),
    'action//Pod/maintenance-off',
    'applications',
    'default/a',
    true,
    'p, example-user, applications, action//Pod/maintenance-off, default/*, allow',
  ],
  [
    'fineGrained',
    u('example-user'),
    'action/extensions/DaemonSet/restart',
    'applications',
    'default/a',
    true,
    'p, example-user, applications, action/extensions/DaemonSet/*, default/*, allow',
  ],
  [
    'fineGrained',
    u('example-user'),
    'action/apps/Deployment/restart',
    'applications',
    'default/a',
    false,
    null,
  ],
  ['fineGrained', u('example-user'), 'action//Pod/maintenance-off', 'applications', 'other/a', false, null],
  // "/" is no separator: delete/*/kind/* also matches a kind named in the namespace's place.
  [
    'fineGrained',
    u('glob-user'),
    'delete/g/Other/kind/name',
    'applications',
    'default/a',
    true,
    'p, glob-user, applications, delete/*/kind/*, default/*, allow',
  ],
  [
    'fineGrained',
    u('legacy-user'),
    'delete//Pod/prod/web-0',
    'applications',
    'default/prod-app',
    false,
    'p, legacy-user, applications, delete/*/Pod/*, default/prod-app, deny',
  ],
  // deny: within one subject the deny wins over a role's allow.
  [
    'deny',
    u('x', 'my-group'),
    'sync',
    'applications',
    'default/other',
    true,
    'p, role:deployer, applications, sync, default/*, allow',
  ],
  [
    'deny',
    u('x', 'my-group'),
    'sync',
    'applications',
    'default/secret-app',
    false,
    'p, my-group, applications, sync, default/secret-app, deny',
  ],
  [
    'deny',
    u('x', 'team-b'),
    'sync',
    'applications',
    'p/a',
    false,
    'p, role:nosync, applications, sync, */*, deny',
  ],
  // …but another subject's allow is not taken away: user and groups are asked one by one.
  [
    'deny',
    u('x', 'team-b', 'team-a'),
    'sync',
    'applications',
    'p/a',
    true,
    'p, role:syncer, applications, sync, */*, allow',
  ],
  // policy.default is asked first and "cannot be blocked by a deny rule".
  ['deny', u('alice'), 'get', 'applications', 'p/a', true, 'p, role:readonly, applications, get, */*, allow'],
  ['deny', u('x', 'lonely-group'), 'get', 'clusters', 'c', true, 'p, role:readonly, clusters, get, *, allow'],
  ['deny', u('x', 'lonely-group'), 'sync', 'applications', 'p/a', false, null],
  // teams: project roles with groups; the implicit `projects, get` of every role.
  [
    'teams',
    u('me@company.com', 'ml-team-engineers'),
    'sync',
    'applications',
    'ml-team/model',
    true,
    'p, proj:ml-team:developer, applications, sync, ml-team/*, allow',
  ],
  [
    'teams',
    u('me@company.com', 'ml-team-engineers'),
    'sync',
    'applications',
    'ml-team/*',
    true,
    'p, proj:ml-team:developer, applications, sync, ml-team/*, allow',
  ],
  [
    'teams',
    u('me@company.com', 'ml-team-engineers'),
    'sync',
    'applications',
    'ml-team/ml-team/model',
    true,
    'p, proj:ml-team:developer, applications, sync, ml-team/*, allow',
  ],
  ['teams', u('me@company.com', 'ml-team-engineers'), 'sync', 'applications', 'data-team/etl', false, null],
  ['teams', u('me@company.com', 'ml-team-engineers'), 'delete', 'applications', 'ml-team/model', false, null],
  ['teams', u('me@company.com', 'ml-team-viewers'), 'sync', 'applications', 'ml-team/model', false, null],
  [
    'teams',
    u('me@company.com', 'ml-team-viewers'),
    'get',
    'applications',
    'ml-team/model',
    true,
    'p, proj:ml-team:viewer, applications, get, ml-team/*, allow',
  ],
  [
    'teams',
    u('me@company.com', 'ml-team-viewers'),
    'get',
    'projects',
    'ml-team',
    true,
    'p, proj:ml-team:viewer, projects, get, ml-team, allow',
  ],
  ['teams', u('me@company.com', 'ml-team-viewers'), 'get', 'projects', 'data-team', false, null],
  ['teams', u('me@company.com', 'ml-team-engineers'), 'get', 'logs', 'ml-team/model', false, null],
  [
    'teams',
    u('boss', 'platform-admins'),
    'delete',
    'applications',
    'data-team/etl',
    true,
    'p, role:admin, applications, delete, */*, allow',
  ],
  [
    'teams',
    u('proj:ml-team:developer'),
    'sync',
    'applications',
    'ml-team/model',
    true,
    'p, proj:ml-team:developer, applications, sync, ml-team/*, allow',
  ],
  [
    'teams',
    u('proj:ml-team:developer', 'platform-admins'),
    'sync',
    'applications',
    'data-team/etl',
    false,
    null,
  ],
  ['teams', u('me', 'ml-team-engineers'), 'sync', 'applications', 'unknown-project/app', false, null],
  // chain: 10 links is casbin's limit.
  ['chain', u('x', 'deep'), 'get', 'applications', 'a/b', true, 'p, r10, applications, get, */*, allow'],
  ['chain', u('x', 'deeper'), 'get', 'applications', 'a/b', false, null],
  // hostile names are plain strings.
  [
    'hostile',
    u('x', '__proto__'),
    'delete',
    'applications',
    'a/b',
    true,
    'p, role:admin, applications, delete, */*, allow',
  ],
  [
    'hostile',
    u('__proto__'),
    'delete',
    'applications',
    'a/b',
    true,
    'p, role:admin, applications, delete, */*, allow',
  ],
  ['hostile', u('x', 'toString'), 'delete', 'applications', 'a/b', false, null],
  [
    'hostile',
    u('x', 'my, group'),
    'get',
    'applications',
    'a/b',
    true,
    'p, "my, group", applications, get, */*, allow',
  ],
  ['hostile', u('x', 'my'), 'get', 'applications', 'a/b', false, null],
  ['hostile', u('x', 'constructor'), 'get', 'applications', 'a/b', false, null], // no g line names it
  [
    'hostile',
    u('constructor'),
    'get',
    'applications',
    'a/b',
    true,
    'p, constructor, applications, get, */*, allow',
  ],
  [
    'hostile',
    u('x', 'proto-devs'),
    'sync',
    'applications',
    '__proto__/app',
    true,
    'p, proj:__proto__:dev, applications, sync, __proto__/*, allow',
  ],
  ['hostile', u('x', 'proto-devs'), 'sync', 'applications', 'constructor/app', false, null],
  // injected: a newline in a group adds a line (as ProjectPoliciesString does) …
  [
    'injected',
    u('x', 'ml-team-engineers'),
    'delete',
    'applications',
    'ml-team/app',
    true,
    'p, role:admin, applications, delete, */*, allow',
  ],
  // … only while that project's policy is loaded (requests about its own objects).
  ['injected', u('x', 'ml-team-engineers'), 'delete', 'applications', 'data-team/app', false, null],
  // a comma breaks the g line, so Argo CD drops every role policy of data-team.
  ['injected', u('x', 'data-team-engineers'), 'sync', 'applications', 'data-team/app', false, null],
  // a quoted comma is a valid group name.
  [
    'injected',
    u('x', 'quoted, group'),
    'sync',
    'applications',
    'ops-team/app',
    true,
    'p, proj:ops-team:developer, applications, sync, ops-team/*, allow',
  ],
];

describe('Argo CD RBAC: the documented cases', () => {
  const engines = new Map(Object.entries(CONFIGS).map(([k, v]) => [k, new ArgoRbac(v)]));
  it.each(CASES)('%s: %j %s %s %s → %s', (config, who, action, resource, object, allowed, line) => {
    const subject = typeof who === 'string' ? u(who) : who;
    const d = (engines.get(config) as ArgoRbac).evaluate(subject, { action, resource, object });
    expect(d.allowed).toBe(allowed);
    expect(d.decidedBy?.text ?? null).toBe(line);
  });

  it('has a case for each configuration', () => {
    expect(new Set(CASES.map((c) => c[0]))).toEqual(new Set(Object.keys(CONFIGS)));
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });
});

describe('Argo CD RBAC: what the decision says', () => {
  const teams = new ArgoRbac(CONFIGS.teams as ArgoRbacSettings);

  it('names the AppProject role and field that granted', () => {
    const d = teams.evaluate(u('me', 'ml-team-engineers'), {
      action: 'sync',
      resource: 'applications',
      object: 'ml-team/m',
    });
    expect(d).toMatchObject({
      allowed: true,
      project: 'ml-team',
      decidedBy: { origin: 'AppProject ml-team role developer policies[1]', subject: 'ml-team-engineers' },
      subjects: ['me', 'ml-team-engineers'],
    });
  });

  it('says no line granted and that policy.default is empty', () => {
    const d = teams.evaluate(u('me'), { action: 'sync', resource: 'applications', object: 'ml-team/m' });
    expect(d.reason).toBe(
      'denied: no policy line grants it to user me or their groups (policy.default is empty)',
    );
  });

  it('names the deny line and its subject', () => {
    const d = new ArgoRbac(CONFIGS.deny as ArgoRbacSettings).evaluate(u('x', 'team-b'), {
      action: 'sync',
      resource: 'applications',
      object: 'p/a',
    });
    expect(d.decidedBy).toEqual({
      origin: 'policy.csv line 5',
      text: 'p, role:nosync, applications, sync, */*, deny',
      subject: 'team-b',
    });
  });

  it('the email counts only when scopes list email', () => {
    const withEmail = { user: 'id', email: 'user@example.org', groups: [] };
    const req = { action: 'create', resource: 'clusters', object: 'https://k' };
    expect(
      new ArgoRbac({ ...(CONFIGS.sso as ArgoRbacSettings), scopes: ['groups'] }).evaluate(withEmail, req)
        .allowed,
    ).toBe(false);
    expect(
      new ArgoRbac({ ...(CONFIGS.sso as ArgoRbacSettings), scopes: [] }).evaluate(
        u('id', 'my-org:team-beta'),
        req,
      ).allowed,
    ).toBe(false);
  });

  it('2.x fine-grained inheritance: an allowed delete covers the resources despite a deny', () => {
    const rbac = new ArgoRbac(CONFIGS.fineGrained as ArgoRbacSettings);
    const req = { action: 'delete//Pod/prod/web-0', resource: 'applications', object: 'default/prod-app' };
    expect(rbac.evaluate(u('legacy-user'), req).allowed).toBe(false);
    expect(rbac.evaluate(u('legacy-user'), req, { fineGrainedInheritance: true }).allowed).toBe(true);
    expect(rbac.evaluate(u('example-user'), req, { fineGrainedInheritance: true }).allowed).toBe(true);
  });

  it('warns about AppProject values the Argo CD API would refuse, for the project asked about', () => {
    const rbac = new ArgoRbac(CONFIGS.injected as ArgoRbacSettings);
    const ml = rbac.evaluate(u('x'), { action: 'get', resource: 'applications', object: 'ml-team/a' });
    expect(ml.warnings).toEqual([
      'AppProject ml-team role "developer": the Argo CD API would refuse group "x, role:none\\ng, ml-team-engineers, role:admin\\ng, y": must be quoted',
    ]);
    const data = rbac.evaluate(u('x'), { action: 'get', resource: 'applications', object: 'data-team/a' });
    expect(data.warnings[0]).toBe(
      'AppProject data-team role "developer": the Argo CD API would refuse group "a,b": must be quoted',
    );
    expect(data.warnings[1]).toMatch(
      /^AppProject data-team: its role policies do not load, so Argo CD ignores them all: AppProject data-team role developer groups\[1\]: invalid RBAC policy: g, a,b, proj:data-team:developer$/,
    );
    const ops = rbac.evaluate(u('x'), { action: 'get', resource: 'applications', object: 'ops-team/a' });
    expect(ops.warnings).toEqual([]);
  });

  it('warns about role policies outside the project or with a bad action', () => {
    const rbac = new ArgoRbac({
      policyCsv: '',
      policyDefault: '',
      projects: [
        project('a', [
          {
            name: 'r',
            policies: [
              'p, proj:a:r, applications, get, b/*, allow',
              'p, proj:a:r, applications, explode, a/*, allow',
              'p, proj:a:r, clusters, get, a/x, allow',
            ],
          },
          { name: '-bad', policies: [] },
        ]),
      ],
    });
    expect(rbac.evaluate(u('x'), { action: 'get', resource: 'projects', object: 'a' }).warnings).toEqual([
      `AppProject a role "r": the Argo CD API would refuse policy "p, proj:a:r, applications, get, b/*, allow": object must be of form 'a/*' or 'a[/<NAMESPACE>]/<APPNAME>', not 'b/*'`,
      `AppProject a role "r": the Argo CD API would refuse policy "p, proj:a:r, applications, explode, a/*, allow": invalid action 'explode'`,
      'AppProject a role "-bad": invalid role name',
    ]);
  });
});

describe('Argo CD RBAC: settings that do not load', () => {
  const bad = (policyCsv: string) => () => new ArgoRbac({ policyCsv, policyDefault: '', projects: [] });
  it.each([
    ['p, a, applications, get, */*', 'invalid RBAC policy'],
    ['g, a, b, c', 'invalid RBAC policy'],
    ['p2, a, applications, get, */*, allow', 'invalid RBAC policy'],
    ['x, a', 'invalid RBAC policy'],
    ['p, a"b, applications, get, */*, allow', 'bare "'],
    ['p, "a, applications, get, */*, allow', 'extraneous or missing "'],
    ['p, "a"b, applications, get, */*, allow', 'extraneous or missing "'],
    [', a, b', 'invalid RBAC policy'],
  ])('%s', (line, message) => {
    expect(bad(line)).toThrow(ArgoRbacError);
    expect(bad(line)).toThrow(message);
  });

  it('accepts comments, blank lines, CRLF, and keys of the other model sections', () => {
    const rbac = new ArgoRbac({
      policyCsv:
        '# a comment\r\n\r\n   \r\nm, whatever, it, is\r\ne, x\r\np, u, applications, get, */*, allow\r\n',
      policyDefault: '',
      projects: [],
    });
    expect(rbac.evaluate(u('u'), { action: 'get', resource: 'applications', object: 'a/b' }).allowed).toBe(
      true,
    );
  });

  it('keeps spaces after a value and before a quote as Go csv does', () => {
    const rbac = new ArgoRbac({
      policyCsv: 'p, u, applications, get, a/b , allow\np, v,  "applications", get, */*, allow',
      policyDefault: '',
      projects: [],
    });
    expect(rbac.evaluate(u('u'), { action: 'get', resource: 'applications', object: 'a/b' }).allowed).toBe(
      false,
    );
    expect(rbac.evaluate(u('u'), { action: 'get', resource: 'applications', object: 'a/b ' }).allowed).toBe(
      true,
    );
    expect(rbac.evaluate(u('v'), { action: 'get', resource: 'applications', object: 'a/b' }).allowed).toBe(
      true,
    );
  });

  it('an effect other than allow or deny neither grants nor denies', () => {
    const rbac = new ArgoRbac({
      policyCsv: 'p, u, applications, get, */*, Allow\np, u, applications, get, */*, DENY',
      policyDefault: '',
      projects: [],
    });
    const d = rbac.evaluate(u('u'), { action: 'get', resource: 'applications', object: 'a/b' });
    expect(d).toMatchObject({ allowed: false, denies: [] });
  });

  it('regex match mode is refused, not guessed', () => {
    expect(
      () => new ArgoRbac({ policyCsv: '', policyDefault: '', matchMode: 'regex', projects: [] }),
    ).toThrow('policy.matchMode "regex" is not evaluated offline (only glob, the default)');
  });

  it.each([
    ['', ['groups']],
    ['[groups, email]', ['groups', 'email']],
    ['[]', []],
  ])('scopes %j', (raw, scopes) => expect(parseScopes(raw)).toEqual(scopes));
  it.each(['groups', '{a: b}', '[groups', '[1, 2]'])('scopes %j is refused', (raw) =>
    expect(() => parseScopes(raw)).toThrow(ArgoRbacError),
  );
});

describe('Argo CD RBAC: size', () => {
  it('10,000 policy lines and 1,000 groups answer within a second', () => {
    const lines = Array.from(
      { length: 10_000 },
      (_, i) => `p, role:r${i}, applications, get, p${i}/*, allow`,
    );
    const links = Array.from({ length: 1_000 }, (_, i) => `g, grp${i}, role:r${i}`);
    const rbac = new ArgoRbac({
      policyCsv: [...lines, ...links].join('\n'),
      policyDefault: '',
      projects: [],
    });
    const groups = Array.from({ length: 1_000 }, (_, i) => `grp${i}`);
    const t0 = performance.now();
    const d = rbac.evaluate(u('x', ...groups), {
      action: 'get',
      resource: 'applications',
      object: 'p999/app',
    });
    expect(d.allowed).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});
