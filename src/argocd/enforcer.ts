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
  private readonly bySubject = new Map<string, number[]>();
  /** `GetGroupingPolicy()`: the g lines' [member, role]. */
  readonly grouping: readonly (readonly string[])[];

  constructor(lines: readonly PolicyLine[]) {
    this.policies = lines.filter((l) => l.ptype === 'p');
    this.policies.forEach((p, i) => {
      const list = this.bySubject.get(p.values[0] as string) ?? [];
      list.push(i);
      this.bySubject.set(p.values[0] as string, list);
    });
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

  /**
   * Every role `name` has a link to, itself included (casbin HasLink: breadth-first, level by
   * level, at most 10 links deep), so HasLink(name, role) is `reach(name).has(role)`.
   */
  reach(name: string): Set<string> {
    const seen = new Set([name]);
    let level = [name];
    for (let depth = 1; depth <= MAX_HIERARCHY_LEVEL && level.length > 0; depth++) {
      const next: string[] = [];
      for (const n of level)
        for (const r of this.roles.get(n) ?? [])
          if (!seen.has(r)) {
            seen.add(r);
            next.push(r);
          }
      level = next;
    }
    return seen;
  }

  hasLink(name: string, role: string): boolean {
    return this.reach(name).has(role);
  }

  enforce(sub: string, res: string, act: string, obj: string): Verdict {
    // Only lines whose subject `sub` links to can match: look them up instead of scanning all.
    const candidates: number[] = [];
    for (const role of this.reach(sub)) candidates.push(...(this.bySubject.get(role) ?? []));
    candidates.sort((a, b) => a - b);
    let allow: PolicyLine | undefined;
    for (const i of candidates) {
      const p = this.policies[i] as PolicyLine;
      const [, pres, pact, pobj, eft] = p.values as [string, string, string, string, string];
      if (!globMatch(pres, res) || !globMatch(pact, act) || !globMatch(pobj, obj)) continue;
      if (eft === 'deny') return { allowed: false, deny: p };
      if (eft === 'allow') allow ??= p;
    }
    return allow ? { allowed: true, allow } : { allowed: false };
  }
}
