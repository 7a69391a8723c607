/**
 * The parts of the API server's pod validation (ValidatePodSpec → validateResourceRequirements)
 * that decide admission offline: requests within limits, and extended resources (GPUs) that
 * cannot be overcommitted (and hugepages): a limit always, request equal to it; extended
 * resources in whole units.
 */
import { formatResource as fmt } from '../check/quota/resources.js';
import { isExtendedResource, type PodContainer } from './resources.js';

export function resourceViolations(containers: readonly PodContainer[]): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  for (const c of containers) {
    const who = `${c.path.replace(/^spec\./, '')} (${c.name})`;
    const at = `${c.path}.resources`;
    for (const [field, map] of [
      ['requests', c.requests],
      ['limits', c.limits],
    ] as const) {
      for (const [k, v] of Object.entries(map)) {
        if (v < 0)
          out.push({
            path: `${at}.${field}`,
            message: `${who}: ${k} ${field} must be greater than or equal to 0`,
          });
        if (isExtendedResource(k) && v % 1000 !== 0)
          out.push({ path: `${at}.${field}`, message: `${who}: ${k} ${field} must be a whole number` });
      }
    }
    for (const [k, v] of Object.entries(c.requests)) {
      const limit = c.limits[k];
      // helper.IsOvercommitAllowed: extended resources and hugepages are not.
      if (isExtendedResource(k) || k.startsWith('hugepages-')) {
        if (limit === undefined)
          out.push({
            path: `${at}.limits`,
            message: `${who}: ${k} needs a limit: it cannot be overcommitted`,
          });
        else if (v !== limit)
          out.push({
            path: `${at}.requests`,
            message: `${who}: ${k} request ${fmt(k, v)} must equal its limit ${fmt(k, limit)}`,
          });
      } else if (limit !== undefined && v > limit) {
        out.push({
          path: `${at}.requests`,
          message: `${who}: ${k} request ${fmt(k, v)} must be less than or equal to its limit ${fmt(k, limit)}`,
        });
      }
    }
  }
  return out;
}
