/**
 * The casbin enforcer with Argo CD's model (assets/model.conf):
 *   r = sub, res, act, obj;  p = sub, res, act, obj, eft;  g = _, _
 *   e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
 *   m = g(r.sub, p.sub) && globOrRegexMatch(r.res, p.res) && globOrRegexMatch(r.act, p.act)
 *       && globOrRegexMatch(r.obj, p.obj)
 * `g` is casbin's default role manager (casbin v2.135 rbac/default-role-manager): subjects are
 * compared exactly (Argo CD adds no matching function to `g`), roles are followed transitively
 * up to 10 levels (enforcer.go NewRoleManager(10), hasLinkHelper). An effect other than
 * `allow`/`deny` is Indeterminate: it neither grants nor denies.
 */
import { globMatch } from './glob.js';
import type { PolicyLine } from './policy.js';

const MAX_HIERARCHY_LEVEL = 10;

export interface Verdict {
  readonly allowed: boolean;
  /** The first matching allow line (when allowed). */
  readonly allow?: PolicyLine;
  /** The first matching deny line: it overrides every allow of this subject. */
  readonly deny?: PolicyLine;
}

export class CasbinEnforcer {
  private readonly policies: readonly PolicyLine[];
  private readonly roles = new Map<string, string[]>();
  /** `GetGroupingPolicy()`: the g lines' [member, role]. */
  readonly grouping: readonly (readonly string[])[];

  constructor(lines: readonly PolicyLine[]) {
    this.policies = lines.filter((l) => l.ptype === 'p');
    const grouping: string[][] = [];
    for (const l of lines) {
      if (l.ptype !== 'g') continue;
      const [member, role] = l.values as [string, string];
      grouping.push([member, role]);
      const list = this.roles.get(member) ?? [];
      if (!list.includes(role)) list.push(role);
      this.roles.set(member, list);
    }
    this.grouping = grouping;
  }

  /** casbin HasLink: breadth-first over roles, level by level, at most 10 links deep. */
  hasLink(name: string, role: string): boolean {
    if (name === role) return true;
    let level = new Set([name]);
    for (let depth = MAX_HIERARCHY_LEVEL; depth >= 0 && level.size > 0; depth--) {
      const next = new Set<string>();
      for (const n of level) {
        if (n === role) return true;
        for (const r of this.roles.get(n) ?? []) next.add(r);
      }
      level = next;
    }
    return false;
  }

  enforce(sub: string, res: string, act: string, obj: string): Verdict {
    let allow: PolicyLine | undefined;
    for (const p of this.policies) {
      const [psub, pres, pact, pobj, eft] = p.values as [string, string, string, string, string];
      if (!this.hasLink(sub, psub) || !globMatch(pres, res) || !globMatch(pact, act) || !globMatch(pobj, obj))
        continue;
      if (eft === 'deny') return { allowed: false, deny: p };
      if (eft === 'allow') allow ??= p;
    }
    return allow ? { allowed: true, allow } : { allowed: false };
  }
}
