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

/**
 * Services (and the service an Ingress backend names): a DNS-1035 label, which starts with a
 * letter (`ValidateServiceName` = `NameIsDNS1035Label` in kubernetes `pkg/apis/core/validation`).
 */
export const DNS1035_LABEL_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
const DNS1035_RE = new RegExp(DNS1035_LABEL_PATTERN);
export function isDns1035Label(name: string): boolean {
  return name.length <= DNS1123_LABEL_MAX && DNS1035_RE.test(name);
}

const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/**
 * A label key (`IsQualifiedName`): an optional DNS-1123 subdomain prefix and "/", then a name of
 * at most 63 alphanumerics with "-", "_" and "." inside.
 */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    if (prefix === '' || !isDns1123Subdomain(prefix)) return false;
  }
  return name.length <= 63 && QUALIFIED_NAME_RE.test(name);
}
