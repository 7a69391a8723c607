/**
 * What `argocd admin settings rbac can` does with a request before enforcing it
 * (cmd/argocd/commands/admin/settings_rbac.go): short resource names resolve to Argo CD's
 * (`app` → applications, `proj` → projects, …), and with --strict the resource/action pair
 * must be one the API server ever asks. We resolve the same names and report an unknown pair
 * as a warning: the enforcer's verdict stands, but a typo would otherwise read as a plain "no".
 */
const ALIASES = new Map<string, string>([
  ['account', 'accounts'],
  ['app', 'applications'],
  ['apps', 'applications'],
  ['application', 'applications'],
  ['applicationsets', 'applicationsets'],
  ['cert', 'certificates'],
  ['certs', 'certificates'],
  ['certificate', 'certificates'],
  ['cluster', 'clusters'],
  ['extension', 'extensions'],
  ['gpgkey', 'gpgkeys'],
  ['key', 'gpgkeys'],
  ['log', 'logs'],
  ['logs', 'logs'],
  ['exec', 'exec'],
  ['proj', 'projects'],
  ['projs', 'projects'],
  ['project', 'projects'],
  ['repo', 'repositories'],
  ['repos', 'repositories'],
  ['repository', 'repositories'],
]);

const CRUD = ['create', 'get', 'update', 'delete'];
const CRD = ['create', 'get', 'delete'];
// action → whether `<action>/<path>` is allowed (update/…, delete/…, action/…).
const ACTIONS = new Map<string, ReadonlyMap<string, boolean>>([
  [
    'accounts',
    new Map([
      ['create', false],
      ['update', false],
    ]),
  ],
  [
    'applications',
    new Map([
      ['create', false],
      ['get', false],
      ['update', true],
      ['delete', true],
      ['action', true],
      ['override', false],
      ['sync', false],
      ['rollback', false],
    ]),
  ],
  ['applicationsets', new Map(CRUD.map((a) => [a, false]))],
  ['certificates', new Map(CRD.map((a) => [a, false]))],
  ['clusters', new Map(CRUD.map((a) => [a, false]))],
  ['extensions', new Map([['invoke', false]])],
  ['gpgkeys', new Map(CRD.map((a) => [a, false]))],
  ['logs', new Map([['get', false]])],
  ['exec', new Map([['create', false]])],
  ['projects', new Map(CRUD.map((a) => [a, false]))],
  ['repositories', new Map(CRUD.map((a) => [a, false]))],
]);

export function resolveArgoResource(name: string): string {
  return ALIASES.get(name) ?? name;
}

/** validateRBACResourceAction: why the pair is not one Argo CD asks, or undefined. */
export function argoRequestProblem(resource: string, action: string): string | undefined {
  const actions = ACTIONS.get(resource);
  if (!actions) return `'${resource}' is not a valid resource name`;
  const slash = action.indexOf('/');
  const real = slash < 0 ? action : action.slice(0, slash);
  const allowPath = actions.get(real);
  if (allowPath === undefined || (slash >= 0 && !allowPath))
    return `'${action}' is not a valid action for ${resource}`;
  return undefined;
}
