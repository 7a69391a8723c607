/**
 * Argo CD's API-server authorization, offline: `server/rbacpolicy/rbacpolicy.go`
 * `RBACPolicyEnforcer.EnforceClaims` over `util/rbac/rbac.go` `enforce` (Argo CD v3.x, read at
 * master after v3.5.0). For a request (resource, action, object):
 *
 * 1. The AppProject: for applications, applicationsets, logs, exec, clusters and repositories
 *    the first "/"-segment of an object with at least two segments; for projects the object.
 *    Its role policies join builtin + policy.csv in an enforcer of their own; if they do not
 *    load, Argo CD logs and falls back to builtin + policy.csv.
 * 2. `policy.default`: when set, that role is asked first; an allow there is final: "All
 *    authenticated users get at least the permissions granted by the default policies. This
 *    access cannot be blocked by a deny rule" (docs/operator-manual/rbac.md).
 * 3. A project-token subject `proj:<p>:<r>` asking about its own project is asked alone.
 * 4. The user (`sub`, or Dex's federated_claims.user_id), then each value of the configured
 *    scopes' claims (default scopes `[groups]`; `email` adds the email). Each is a separate
 *    casbin request, so a deny stops only the subject it matches: a group with a deny does
 *    not take away what another group allows. A group value is asked only if some `g` line
 *    names it as a member ("Groups must have a role assigned for policies to work").
 */
import { parse as parseYaml } from 'yaml';
import { BUILTIN_POLICY } from './builtin-policy.js';
import { CasbinEnforcer } from './enforcer.js';
import { loadPolicy, type PolicyChunk, type PolicyLine, PolicyLoadError } from './policy.js';
import {
  type AppProjectLike,
  projectPolicyChunks,
  projectRoleOfSubject,
  projectWarnings,
} from './project.js';

/** The RBAC settings of argocd-rbac-cm (here: the argo-cd chart's `configs.rbac` values). */
export interface ArgoRbacSettings {
  /** policy.csv followed by every `policy.<name>.csv`, in key order (`rbac.PolicyCSV`). */
  readonly policyCsv: string;
  /** A role every authenticated user has; "" = none. */
  readonly policyDefault: string;
  /** The claims whose values are subjects besides the user. @default ['groups'] */
  readonly scopes?: readonly string[];
  /** Only `glob` (the default) is implemented. */
  readonly matchMode?: string;
  readonly projects: readonly AppProjectLike[];
}

/** Who asks: the token's claims that Argo CD reads. */
export interface ArgoSubject {
  /** `sub` (or federated_claims.user_id); a local account's name; or `proj:<p>:<r>` for a project token. */
  readonly user: string;
  readonly email?: string;
  readonly groups: readonly string[];
}

export interface ArgoRequest {
  readonly resource: string;
  /** get, create, update, delete, sync, override, action/<group>/<kind>/<name>, update/<g>/<k>/<ns>/<n>, … */
  readonly action: string;
  /** `<project>/<app>`, `<project>/<namespace>/<app>`, or the resource's own object (`*` globs apply). */
  readonly object: string;
}

export interface ArgoEvaluateOptions {
  /**
   * `server.rbac.disableApplicationFineGrainedRBACInheritance: "false"` (the 2.x behaviour): a
   * request for `update/…` or `delete/…` on an application's resource is allowed when plain
   * `update`/`delete` on the application is (server/application/application.go). @default false (3.x)
   */
  readonly fineGrainedInheritance?: boolean;
}

export interface ArgoDecisionLine {
  readonly origin: string;
  readonly text: string;
  /** The subject the line was reached from (the user, a group, or the policy.default role). */
  readonly subject: string;
}

export interface ArgoDecision {
  readonly allowed: boolean;
  /** The line that decided: the granting allow, or the first deny that blocked a subject. */
  readonly decidedBy?: ArgoDecisionLine;
  /** Deny lines that matched (each stops only its own subject). */
  readonly denies: readonly ArgoDecisionLine[];
  readonly project?: string;
  /** The subjects asked, in order. */
  readonly subjects: readonly string[];
  readonly reason: string;
  readonly warnings: readonly string[];
}

export class ArgoRbacError extends Error {
  override readonly name = 'ArgoRbacError';
}

/** `scopes` as the API server reads it: YAML into []string; empty or absent = ["groups"]. */
export function parseScopes(raw: unknown): string[] {
  if (raw === undefined || raw === null || raw === '') return ['groups'];
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') throw new ArgoRbacError(`scopes must be a string such as "[groups, email]"`);
  let value: unknown;
  try {
    value = parseYaml(raw);
  } catch (e) {
    throw new ArgoRbacError(`scopes "${raw}" is not YAML: ${(e as Error).message}`);
  }
  // server.go yaml.Unmarshal(scopes, &[]string): a scalar such as "groups" is an error there too.
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new ArgoRbacError(`scopes "${raw}" must be a YAML list of claim names, e.g. "[groups, email]"`);
  return value;
}

// rbacpolicy.getProjectFromRequest
const PROJECT_SCOPED = new Set([
  'applicationsets',
  'applications',
  'repositories',
  'clusters',
  'logs',
  'exec',
]);

export class ArgoRbac {
  private readonly base: PolicyChunk[];
  private readonly global: CasbinEnforcer;
  private readonly projects = new Map<string, AppProjectLike>();
  private readonly projectProblems = new Map<string, string[]>();
  private readonly scopes: readonly string[];
  readonly warnings: string[] = [];

  /** Throws ArgoRbacError when policy.csv does not load: Argo CD would not run with it either. */
  constructor(private readonly settings: ArgoRbacSettings) {
    const mode = settings.matchMode ?? '';
    // rbac.go SetMatchMode: anything but "regex" is glob.
    if (mode === 'regex')
      throw new ArgoRbacError('policy.matchMode "regex" is not evaluated offline (only glob, the default)');
    this.scopes = settings.scopes ?? ['groups'];
    this.base = [
      { origin: 'builtin-policy.csv', text: BUILTIN_POLICY },
      { origin: 'policy.csv', text: settings.policyCsv },
    ];
    try {
      this.global = new CasbinEnforcer(loadPolicy(this.base));
    } catch (e) {
      if (e instanceof PolicyLoadError)
        throw new ArgoRbacError(`Argo CD would reject the RBAC policy: ${e.message}`);
      throw e;
    }
    for (const p of settings.projects) {
      const name = p.metadata?.name;
      if (typeof name !== 'string') continue;
      if (this.projects.has(name))
        this.warnings.push(`AppProject ${name} appears twice; the first one is used`);
      else {
        this.projects.set(name, p);
        this.projectProblems.set(name, projectWarnings(name, p));
      }
    }
  }

  private projectOf(req: ArgoRequest): string | undefined {
    if (PROJECT_SCOPED.has(req.resource)) {
      const parts = req.object.split('/');
      return parts.length >= 2 && this.projects.has(parts[0] as string) ? parts[0] : undefined;
    }
    return req.resource === 'projects' && this.projects.has(req.object) ? req.object : undefined;
  }

  private readonly perProject = new Map<string, { enforcer: CasbinEnforcer; warnings: string[] }>();

  /** Like rbac.go's enforcer cache: one enforcer per project, built once. */
  private enforcerFor(project: string | undefined, warnings: string[]): CasbinEnforcer {
    if (project === undefined) return this.global;
    let entry = this.perProject.get(project);
    if (!entry) {
      const w: string[] = [];
      entry = { enforcer: this.buildProjectEnforcer(project, w), warnings: w };
      this.perProject.set(project, entry);
    }
    warnings.push(...entry.warnings);
    return entry.enforcer;
  }

  private buildProjectEnforcer(project: string, warnings: string[]): CasbinEnforcer {
    const runtime = projectPolicyChunks(project, this.projects.get(project) as AppProjectLike);
    if (runtime.length === 0) return this.global;
    try {
      return new CasbinEnforcer(loadPolicy([...this.base, ...runtime]));
    } catch (e) {
      if (!(e instanceof PolicyLoadError)) throw e;
      // rbac.go tryGetCasbinEnforcer: "fallback to default policy if project policy is invalid".
      warnings.push(
        `AppProject ${project}: its role policies do not load, so Argo CD ignores them all: ${e.message}`,
      );
      return this.global;
    }
  }

  evaluate(subject: ArgoSubject, request: ArgoRequest, options: ArgoEvaluateOptions = {}): ArgoDecision {
    const sub = /^(update|delete)\//.exec(request.action);
    if (options.fineGrainedInheritance && sub) {
      const plain = this.evaluate(subject, { ...request, action: sub[1] as string });
      if (plain.allowed) return { ...plain, reason: `${plain.reason} (inherited by ${request.action})` };
    }
    return this.evaluateOnce(subject, request);
  }

  private evaluateOnce(subject: ArgoSubject, request: ArgoRequest): ArgoDecision {
    const project = this.projectOf(request);
    const warnings = [
      ...this.warnings,
      ...(project === undefined ? [] : (this.projectProblems.get(project) ?? [])),
    ];
    const enf = this.enforcerFor(project, warnings);
    const denies: ArgoDecisionLine[] = [];
    const subjects: string[] = [];
    const ask = (s: string): PolicyLine | undefined => {
      subjects.push(s);
      const v = enf.enforce(s, request.resource, request.action, request.object);
      if (v.deny) denies.push({ origin: v.deny.origin, text: v.deny.text, subject: s });
      return v.allow;
    };
    const base = { denies, subjects, warnings, ...(project ? { project } : {}) };
    const granted = (line: PolicyLine, s: string, why: string): ArgoDecision => ({
      allowed: true,
      decidedBy: { origin: line.origin, text: line.text, subject: s },
      ...base,
      reason: `allowed ${why} by ${line.origin}: ${line.text}`,
    });

    const token = projectRoleOfSubject(subject.user);
    // enforceProjectToken returns false for another project's token before any role is asked.
    if (token && project !== undefined && token.project !== project)
      return this.denied(base, `project token ${subject.user} (not a token of project ${project})`);
    const def = this.settings.policyDefault;
    if (def !== '') {
      const line = ask(def);
      if (line) return granted(line, def, `to every authenticated user through policy.default ${def}`);
    }
    if (token && project !== undefined) {
      // enforceProjectToken: the token's own project, the token alone; no groups are consulted.
      const line = ask(subject.user);
      if (line) return granted(line, subject.user, `to project token ${subject.user}`);
      return this.denied(base, `project token ${subject.user}`);
    }
    const own = ask(subject.user);
    if (own) return granted(own, subject.user, `to user ${subject.user}`);
    const members = new Set(enf.grouping.map((g) => g[0]));
    for (const value of this.scopeValues(subject)) {
      // EnforceClaims asks a group only if a g line names it (the grouping-policy pre-filter).
      if (!members.has(value)) continue;
      const line = ask(value);
      if (line) return granted(line, value, `to ${value}`);
    }
    return this.denied(base, `user ${subject.user}`);
  }

  /** jwt.GetScopeValues: the values of each scope's claim, in scope order. */
  private scopeValues(subject: ArgoSubject): string[] {
    const out: string[] = [];
    for (const scope of this.scopes) {
      if (scope === 'groups') out.push(...subject.groups);
      else if (scope === 'email' && subject.email) out.push(subject.email);
    }
    return out;
  }

  private denied(base: Omit<ArgoDecision, 'allowed' | 'reason'>, who: string): ArgoDecision {
    const first = base.denies[0];
    const dflt = this.settings.policyDefault
      ? `policy.default ${this.settings.policyDefault}`
      : 'policy.default is empty';
    return {
      allowed: false,
      ...(first ? { decidedBy: first } : {}),
      ...base,
      reason: first
        ? `denied: ${first.origin}: ${first.text} (subject ${first.subject}) overrides its allows, and no other subject is allowed`
        : `denied: no policy line grants it to ${who} or their groups (${dflt})`,
    };
  }
}
