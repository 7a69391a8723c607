/**
 * "Exists unchanged": every field the tree renders has the same value in the live object. The
 * server adds defaults (inside containers, ports, policy rules), so the rendered object must be
 * a subset of the live one, not equal to it: maps key by key, lists element by element with the
 * same length (an extra or missing rule, port or subject is a change), scalars equal.
 */

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Paths (`spec.hard.pods`, `subjects[0].name`) where `rendered` is not found in `live`. */
export function subsetDiff(rendered: unknown, live: unknown, path = ''): string[] {
  if (rendered === undefined) return [];
  if (isMap(rendered)) {
    if (!isMap(live)) return [path || '(root)'];
    const out: string[] = [];
    for (const k of Object.keys(rendered)) {
      const v = rendered[k];
      if (v === undefined) continue;
      const sub = path ? `${path}.${k}` : k;
      if (!Object.hasOwn(live, k)) {
        // An empty map or list the server drops on storage is the same as absent.
        if ((isMap(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0)) continue;
        out.push(sub);
        continue;
      }
      out.push(...subsetDiff(v, live[k], sub));
    }
    return out;
  }
  if (Array.isArray(rendered)) {
    if (!Array.isArray(live) || live.length !== rendered.length) return [path];
    return rendered.flatMap((v, i) => subsetDiff(v, live[i], `${path}[${i}]`));
  }
  return rendered === live ? [] : [path];
}
