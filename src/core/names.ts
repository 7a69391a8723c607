/** DNS-1123 names, as Kubernetes validates object and namespace names. */

export const DNS1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const DNS1123_LABEL_MAX = 63;
const LABEL_RE = new RegExp(DNS1123_LABEL_PATTERN);
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Namespaces, Services and our team names: lowercase alphanumerics and '-', at most 63. */
export function isDns1123Label(name: string): boolean {
  return name.length <= DNS1123_LABEL_MAX && LABEL_RE.test(name);
}

/** Most other object names (Roles, ConfigMaps…): dot-separated labels, at most 253. */
export function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && SUBDOMAIN_RE.test(name);
}

// Label values: empty, or up to 63 alphanumerics with -_. inside.
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE_RE.test(value);
}
