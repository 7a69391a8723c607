// `mlp can-i … --argocd` on a tree built by hand per the synth contract (issue 9 §2): the
// argo-cd engine Application with configs.rbac values, and two team AppProjects.
import { describe, expect, it } from 'vitest';
import { argoRequestProblem } from '../src/argocd/request.js';
import { argoRbacOfTree, policyCsvOf } from '../src/argocd/tree.js';
import { argoCanI, argoRequestOf } from '../src/cli/commands/can-i-argocd.js';
import { UsageError } from '../src/cli/io.js';
import type { K8sObject } from '../src/k8s/object.js';
import { EXAMPLE, mlp } from './helpers.js';

const argoApp = (rbac: Record<string, unknown>, name = 'argo-cd'): K8sObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: {
    project: 'platform',
    source: {
      repoURL: 'https://argoproj.github.io/argo-helm',
      chart: 'argo-cd',
      targetRevision: '0.0.0',
      helm: { valuesObject: { configs: { rbac } } },
    },
  },
});
const appProject = (team: string): K8sObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name: team, namespace: 'argocd' },
  spec: {
    roles: [
      {
        name: 'developer',
        groups: [`${team === 'ml-team' ? 'ml-engineers' : 'data-engineers'}`],
        policies: [
          `p, proj:${team}:developer, applications, get, ${team}/*, allow`,
          `p, proj:${team}:developer, applications, sync, ${team}/*, allow`,
        ],
      },
    ],
  },
});
const TREE: K8sObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ml-team' } },
  argoApp({
    'policy.csv': 'g, platform-admins, role:admin\n',
    'policy.default': '',
    scopes: '[groups, email]',
  }),
  appProject('ml-team'),
  appProject('data-team'),
  // An AppProject outside Argo CD's namespace is not one Argo CD reads.
  { ...appProject('ml-team'), metadata: { name: 'ml-team', namespace: 'elsewhere' } },
];

function run(
  objects: K8sObject[],
  args: [string, string, string],
  as: string,
  groups: string[],
  output: 'table' | 'json' = 'table',
) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), cwd: '/' };
  const code = argoCanI(
    objects,
    'local',
    { action: args[0], resource: args[1], object: args[2] },
    { as, asGroup: groups, output },
    io,
  );
  return { code, stdout, stderr };
}

describe('mlp can-i --argocd on a tree', () => {
  it('ml-engineers may sync ml-team applications: yes, exit 0, the deciding line on stderr', () => {
    const r = run(TREE, ['sync', 'applications', 'ml-team/*'], 'ml-engineer@company.com', ['ml-engineers']);
    expect(r).toEqual({
      code: 0,
      stdout: 'yes\n',
      stderr:
        'allowed to ml-engineers by AppProject ml-team role developer policies[1]: p, proj:ml-team:developer, applications, sync, ml-team/*, allow\n',
    });
  });

  it('but not data-team applications: no, exit 1', () => {
    const r = run(TREE, ['sync', 'applications', 'data-team/etl'], 'ml-engineer@company.com', [
      'ml-engineers',
    ]);
    expect(r).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(r.stderr).toBe(
      'denied: no policy line grants it to user ml-engineer@company.com or their groups (policy.default is empty)\n',
    );
  });

  it('-o json carries the request, the claims, the project and the deciding line', () => {
    const r = run(
      TREE,
      ['get', 'applications', 'ml-team/app'],
      'ml-engineer@company.com',
      ['ml-engineers'],
      'json',
    );
    expect(JSON.parse(r.stdout)).toMatchObject({
      environment: 'local',
      argocd: true,
      request: { action: 'get', resource: 'applications', object: 'ml-team/app' },
      subject: {
        user: 'ml-engineer@company.com',
        email: 'ml-engineer@company.com',
        groups: ['ml-engineers'],
      },
      allowed: true,
      project: 'ml-team',
      decidedBy: { origin: 'AppProject ml-team role developer policies[0]', subject: 'ml-engineers' },
    });
    expect(r.stderr).toBe('');
  });

  it('platform admins get role:admin from policy.csv', () => {
    expect(run(TREE, ['delete', 'applications', 'data-team/etl'], 'root', ['platform-admins']).code).toBe(0);
    expect(run(TREE, ['create', 'clusters', 'https://k'], 'root', ['platform-admins']).code).toBe(0);
  });

  it('a tree without the argo-cd Application is a usage error naming the environment', () => {
    const call = () =>
      run(
        TREE.filter((o) => o.kind !== 'Application'),
        ['get', 'applications', 'a/b'],
        'x',
        [],
      );
    expect(call).toThrow(UsageError);
    expect(call).toThrow('the tree of local renders no Argo CD RBAC (argo-cd engine Application)');
  });

  it('an RBAC Argo CD would not load is a usage error', () => {
    const bad = [argoApp({ 'policy.csv': 'p, a, applications' })];
    expect(() => run(bad, ['get', 'applications', 'a/b'], 'x', [])).toThrow(
      'the tree of local: Argo CD would reject the RBAC policy: policy.csv: invalid RBAC policy: p, a, applications',
    );
    expect(() => run([argoApp({ scopes: 'groups' })], ['get', 'applications', 'a/b'], 'x', [])).toThrow(
      'scopes "groups" must be a YAML list of claim names',
    );
    expect(() => run([argoApp({}), argoApp({}, 'other')], ['get', 'applications', 'a/b'], 'x', [])).toThrow(
      'more than one Application in argocd carries configs.rbac: argo-cd, other',
    );
  });

  it('reads the tree like argocd-rbac-cm: policy.<name>.csv after policy.csv, by key', () => {
    expect(
      policyCsvOf({
        'policy.b.csv': 'B',
        'policy.csv': 'MAIN',
        'policy.a.csv': 'A',
        'policy.default': 'x',
        __proto__: 'p',
      }),
    ).toBe('MAIN\nA\nB');
    const settings = argoRbacOfTree(TREE);
    expect(settings?.projects.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)).toEqual([
      'argocd/ml-team',
      'argocd/data-team',
    ]);
    expect(settings?.scopes).toEqual(['groups', 'email']);
  });

  it('a hostile tree: prototype keys in values and a non-list roles field', () => {
    const hostile: K8sObject[] = [
      argoApp(
        JSON.parse(
          '{"__proto__": {"policy.csv": "g, x, role:admin"}, "policy.csv": "", "constructor": "p, x, *, *, *, allow"}',
        ),
      ),
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AppProject',
        metadata: { name: '__proto__', namespace: 'argocd' },
        spec: { roles: 'admin' },
      },
    ];
    expect(run(hostile, ['delete', 'applications', '__proto__/a'], 'x', ['x']).code).toBe(1);
  });
});

describe('requests as argocd admin settings rbac can reads them', () => {
  it.each([
    ['app', 'applications'],
    ['proj', 'projects'],
    ['repo', 'repositories'],
    ['applications', 'applications'],
    ['__proto__', '__proto__'],
  ])('%s → %s', (name, resource) => expect(argoRequestOf('get', name, 'a/b', {}).resource).toBe(resource));

  it.each([
    ['applications', 'sync', undefined],
    ['applications', 'delete/apps/Deployment/ns/web', undefined],
    ['applications', 'action/apps/Deployment/restart', undefined],
    ['applications', 'sync/x', "'sync/x' is not a valid action for applications"],
    ['logs', 'create', "'create' is not a valid action for logs"],
    ['application', 'get', "'application' is not a valid resource name"],
  ])('%s %s', (resource, action, problem) => expect(argoRequestProblem(resource, action)).toBe(problem));

  it('an unknown pair is answered, with a warning', () => {
    const r = run(TREE, ['synch', 'applications', 'ml-team/a'], 'x', ['ml-engineers']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "warning: argocd admin settings rbac can --strict: 'synch' is not a valid action for applications",
    );
  });
});

describe('mlp can-i --argocd: the command line', () => {
  it('documents --argocd in --help', async () => {
    const r = await mlp(['can-i', '--help']);
    expect(r.stdout).toContain('--argocd');
  });

  it.each([
    [['-n', 'ml-team'], '-n/--namespace does not apply with --argocd'],
    [['--subresource', 'log'], '--subresource does not apply with --argocd'],
    [['-A'], '-A/--all-namespaces does not apply with --argocd'],
    [['--effective'], '--effective does not apply with --argocd'],
  ])('refuses Kubernetes-only flags %j', async (extra, message) => {
    const r = await mlp([
      'can-i',
      'sync',
      'applications',
      'ml-team/a',
      '--argocd',
      '--as',
      'x',
      '-f',
      EXAMPLE,
      ...extra,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('requires the OBJECT', async () => {
    const r = await mlp(['can-i', 'sync', 'applications', '--argocd', '--as', 'x', '-f', EXAMPLE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('with --argocd: ACTION RESOURCE OBJECT');
  });
});

describe('mlp can-i --argocd on the example tree (engines and AppProjects rendered by synth)', () => {
  const ask = async (args: string[]) => (await mlp(['can-i', ...args, '--argocd', '-f', EXAMPLE])).code;
  it('answers from the rendered policy.csv and AppProject roles, per team and role', async () => {
    const cases: [string[], number][] = [
      // ml-engineers are ml-team developers: sync their own team's apps, not data-team's.
      [['sync', 'applications', 'ml-team/*', '--as', 'e@x', '--as-group', 'ml-engineers'], 0],
      [['sync', 'applications', 'data-team/*', '--as', 'e@x', '--as-group', 'data-engineers'], 0],
      [['sync', 'applications', 'data-team/lake', '--as', 'e@x', '--as-group', 'ml-engineers'], 1],
      // Viewers read but do not sync.
      [['get', 'applications', 'ml-team/x', '--as', 'v@x', '--as-group', 'data-scientists'], 0],
      [['sync', 'applications', 'ml-team/x', '--as', 'v@x', '--as-group', 'data-scientists'], 1],
      // The team admin by user name; nobody else by default (policy.default is empty).
      [['delete', 'applications', 'ml-team/x', '--as', 'ml-lead@company.com'], 0],
      [['get', 'applications', 'ml-team/x', '--as', 'stranger@x'], 1],
      // Platform admins are Argo CD admins; a team's group gets nothing on the platform project.
      [['sync', 'applications', 'platform/mlp-rbac', '--as', 'a@x', '--as-group', 'platform-admins'], 0],
      [['sync', 'applications', 'platform/mlp-rbac', '--as', 'e@x', '--as-group', 'ml-engineers'], 1],
    ];
    for (const [args, code] of cases) expect(await ask(args), args.join(' ')).toBe(code);
  }, 120_000);
});
