/** Shapes and formatting shared by the quota analyses. */
import { formatQuantity } from '../../core/quantity.js';

/** A `requests`/`limits`/`hard` map as written in manifests. */
export type ResourceMap = Record<string, string | number>;

/** One `spec.limits[]` entry of a LimitRange. */
export interface LimitItem {
  type?: string;
  default?: ResourceMap;
  defaultRequest?: ResourceMap;
  max?: ResourceMap;
  min?: ResourceMap;
}

/** Formats milli-units of a resource (`cpu`, `requests.memory`, `pods`…) the way users write it. */
export function formatResource(resource: string, milliValue: number): string {
  const kind = resource.includes('cpu') ? 'cpu' : /memory|storage/.test(resource) ? 'bytes' : 'count';
  return formatQuantity(milliValue, kind);
}
