/**
 * Field validation the API server applies to pod templates beyond the OpenAPI schema, so a
 * tree that passes offline is not rejected on apply. From kubernetes/kubernetes
 * `pkg/apis/core/validation/validation.go`: `validateContainers` (name required and a DNS-1123
 * label, unique across init and app containers; image required and without leading or
 * trailing whitespace), `validateContainerPorts` (names are IANA service names, unique in a
 * container; containerPort 1-65535), `validateEnv` (`IsEnvVarName` up to 1.31) and
 * `ValidateResourceRequirements` (a request may not exceed its limit).
 */
import { isDns1123Label } from '../core/names.js';
import { parseQuantity } from '../core/quantity.js';
import type { K8sObject } from '../k8s/object.js';

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

// biome-ignore lint/suspicious/noExplicitAny: pod specs are untyped JSON here
type Json = any;

/** The pod template of a workload (or the Pod's own spec), with its field path. */
export function podSpecAt(o: K8sObject): { spec: Json; path: string } | undefined {
  const spec = o.spec as Json;
  if (!spec || typeof spec !== 'object') return undefined;
  switch (o.kind) {
    case 'Pod':
      return { spec, path: 'spec' };
    case 'PodTemplate':
      return (o.template as Json)?.spec
        ? { spec: (o.template as Json).spec, path: 'template.spec' }
        : undefined;
    case 'CronJob':
      return spec.jobTemplate?.spec?.template?.spec
        ? { spec: spec.jobTemplate.spec.template.spec, path: 'spec.jobTemplate.spec.template.spec' }
        : undefined;
    case 'Deployment':
    case 'Rollout':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return spec.template?.spec ? { spec: spec.template.spec, path: 'spec.template.spec' } : undefined;
    default:
      return undefined;
  }
}

/** IANA_SVC_NAME: at most 15 characters, lowercase alphanumerics and '-', one letter at least. */
function isServiceName(name: string): boolean {
  return (
    name.length <= 15 &&
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) &&
    !name.includes('--') &&
    /[a-z]/.test(name)
  );
}

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Since 1.32 (RelaxedEnvironmentVariableValidation, beta and on by default) any printable ASCII
 * other than "=" names an environment variable (`IsRelaxedEnvVarName`).
 */
const RELAXED_ENV_VAR_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;

/** @param minor the target Kubernetes 1.x minor, where validation differs by version. */
export function podSpecProblems(spec: Json, at: string, minor?: number): FieldProblem[] {
  const relaxedEnv = minor !== undefined && minor >= 32;
  const out: FieldProblem[] = [];
  // ValidatePodCreate / ValidatePodTemplateSpec: ephemeral containers only ever come later,
  // through the pods/ephemeralcontainers subresource (kubectl debug).
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0)
    out.push({
      path: `${at}.ephemeralContainers`,
      message:
        at === 'spec'
          ? 'Forbidden: cannot be set on create'
          : 'Forbidden: ephemeral containers not allowed in pod template',
    });
  const names = new Map<string, string>();
  for (const field of ['initContainers', 'containers'] as const) {
    const list = Array.isArray(spec[field]) ? spec[field] : [];
    list.forEach((c: Json, i: number) => {
      if (!c || typeof c !== 'object') return;
      const p = `${at}.${field}[${i}]`;
      if (typeof c.name !== 'string' || c.name === '')
        out.push({ path: `${p}.name`, message: 'Required value' });
      else if (!isDns1123Label(c.name))
        out.push({ path: `${p}.name`, message: `Invalid value "${c.name}": a DNS-1123 label` });
      else if (names.has(c.name))
        out.push({ path: `${p}.name`, message: `Duplicate value "${c.name}" (also ${names.get(c.name)})` });
      else names.set(c.name, p);
      if (typeof c.image !== 'string' || c.image === '')
        out.push({ path: `${p}.image`, message: 'Required value' });
      else if (c.image.trim() !== c.image)
        out.push({
          path: `${p}.image`,
          message: `Invalid value ${JSON.stringify(c.image)}: must not have leading or trailing whitespace`,
        });
      const ports = new Set<string>();
      (Array.isArray(c.ports) ? c.ports : []).forEach((port: Json, j: number) => {
        const pp = `${p}.ports[${j}]`;
        if (port?.name !== undefined) {
          if (typeof port.name !== 'string' || !isServiceName(port.name))
            out.push({
              path: `${pp}.name`,
              message: `Invalid value ${JSON.stringify(port.name)}: an IANA service name (at most 15 lowercase alphanumerics or "-", one letter at least), e.g. http`,
            });
          else if (ports.has(port.name))
            out.push({ path: `${pp}.name`, message: `Duplicate value "${port.name}"` });
          else ports.add(port.name);
        }
        const n = port?.containerPort;
        if (!Number.isInteger(n) || n < 1 || n > 65535)
          out.push({
            path: `${pp}.containerPort`,
            message: `Invalid value ${JSON.stringify(n)}: must be between 1 and 65535, inclusive`,
          });
      });
      (Array.isArray(c.env) ? c.env : []).forEach((e: Json, j: number) => {
        if (typeof e?.name !== 'string' || e.name === '')
          out.push({ path: `${p}.env[${j}].name`, message: 'Required value' });
        else if (relaxedEnv ? !RELAXED_ENV_VAR_NAME.test(e.name) : !ENV_VAR_NAME.test(e.name))
          out.push({
            path: `${p}.env[${j}].name`,
            message: relaxedEnv
              ? `Invalid value ${JSON.stringify(e.name)}: a valid environment variable name must consist only of printable ASCII characters other than '='`
              : `Invalid value ${JSON.stringify(e.name)}: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`,
          });
      });
      const requests = c.resources?.requests ?? {};
      const limits = c.resources?.limits ?? {};
      for (const [resource, limit] of Object.entries(limits as Record<string, unknown>)) {
        if (!Object.hasOwn(requests, resource)) continue;
        const req = parseQuantity(requests[resource] as string);
        const lim = parseQuantity(limit as string);
        if (req !== undefined && lim !== undefined && req > lim)
          out.push({
            path: `${p}.resources.requests[${JSON.stringify(resource)}]`,
            message: `Invalid value "${requests[resource]}": must be less than or equal to ${resource} limit of ${limit}`,
          });
      }
    });
  }
  return out;
}
