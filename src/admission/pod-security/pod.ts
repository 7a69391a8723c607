/**
 * Reading a pod as untrusted JSON. The API server decodes into typed structs, so a field of the
 * wrong type never reaches Pod Security there; offline, `shapeErrors` reports such fields (the
 * server would reject the request), and the checks read only values of the right type.
 */

export type Json = Record<string, unknown>;

export const rec = (x: unknown): Json | undefined =>
  x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Json) : undefined;
export const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
export const str = (x: unknown): string => (typeof x === 'string' ? x : '');

/** One container of any of the three lists, with the field path to it. */
export interface ContainerRef {
  readonly name: string;
  readonly path: string;
  readonly c: Json;
}

/** The pod spec and metadata Pod Security sees. */
export interface PodView {
  readonly metadata: Json;
  readonly spec: Json;
}

export function podView(pod: unknown): PodView {
  const p = rec(pod) ?? {};
  return { metadata: rec(p.metadata) ?? {}, spec: rec(p.spec) ?? {} };
}

// Upstream visits init containers, then containers, then ephemeral containers.
const LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

export function containersOf(spec: Json): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const field of LISTS) {
    list(spec[field]).forEach((c, i) => {
      const r = rec(c) ?? {};
      out.push({ name: str(r.name), path: `spec.${field}[${i}]`, c: r });
    });
  }
  return out;
}

/** `c.securityContext[field]`, or undefined. */
export const sc = (c: Json, field: string): unknown => rec(c.securityContext)?.[field];
/** `spec.securityContext[field]`, or undefined. */
export const podSc = (spec: Json, field: string): unknown => rec(spec.securityContext)?.[field];

/** hostUsers: false puts the pod in a user namespace; some restricted checks relax for it (1.35+). */
export const inUserNamespace = (spec: Json): boolean => spec.hostUsers === false;
export const isWindows = (spec: Json): boolean => rec(spec.os)?.name === 'windows';

type Kind = 'boolean' | 'string' | 'integer' | 'object' | 'array';
const typeOk = (v: unknown, k: Kind): boolean =>
  k === 'array'
    ? Array.isArray(v)
    : k === 'object'
      ? rec(v) !== undefined
      : k === 'integer'
        ? Number.isSafeInteger(v)
        : typeof v === k;

const SC_FIELDS: Record<string, Kind> = {
  privileged: 'boolean',
  allowPrivilegeEscalation: 'boolean',
  runAsNonRoot: 'boolean',
  runAsUser: 'integer',
  procMount: 'string',
  capabilities: 'object',
  seccompProfile: 'object',
  appArmorProfile: 'object',
  seLinuxOptions: 'object',
  windowsOptions: 'object',
};
const POD_SC_FIELDS: Record<string, Kind> = {
  runAsNonRoot: 'boolean',
  runAsUser: 'integer',
  sysctls: 'array',
  seccompProfile: 'object',
  appArmorProfile: 'object',
  seLinuxOptions: 'object',
  windowsOptions: 'object',
};

/**
 * Fields Pod Security reads that hold a value of the wrong type: the API server rejects such a
 * pod at decoding, so admission must not pass it on a lenient reading.
 */
export function shapeErrors(pod: unknown): string[] {
  const errors: string[] = [];
  const want = (v: unknown, k: Kind, path: string) => {
    if (v !== undefined && v !== null && !typeOk(v, k)) errors.push(`${path}: expected ${k}`);
  };
  const p = rec(pod);
  if (!p) return ['the pod is not an object'];
  want(p.metadata, 'object', 'metadata');
  want(p.spec, 'object', 'spec');
  const { metadata, spec } = podView(pod);
  want(metadata.annotations, 'object', 'metadata.annotations');
  for (const [k, v] of Object.entries(rec(metadata.annotations) ?? {}))
    want(v, 'string', `metadata.annotations[${JSON.stringify(k)}]`);
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC', 'hostUsers']) want(spec[f], 'boolean', `spec.${f}`);
  want(spec.os, 'object', 'spec.os');
  want(spec.securityContext, 'object', 'spec.securityContext');
  want(spec.volumes, 'array', 'spec.volumes');
  list(spec.volumes).forEach((v, i) => {
    want(v, 'object', `spec.volumes[${i}]`);
  });
  for (const [f, k] of Object.entries(POD_SC_FIELDS)) want(podSc(spec, f), k, `spec.securityContext.${f}`);
  list(podSc(spec, 'sysctls')).forEach((s, i) => {
    want(rec(s)?.name, 'string', `spec.securityContext.sysctls[${i}].name`);
  });
  for (const field of LISTS) want(spec[field], 'array', `spec.${field}`);
  for (const { path, c } of containersOf(spec)) {
    want(c.securityContext, 'object', `${path}.securityContext`);
    for (const [f, k] of Object.entries(SC_FIELDS)) want(sc(c, f), k, `${path}.securityContext.${f}`);
    const caps = rec(sc(c, 'capabilities'));
    want(caps?.add, 'array', `${path}.securityContext.capabilities.add`);
    want(caps?.drop, 'array', `${path}.securityContext.capabilities.drop`);
    want(c.ports, 'array', `${path}.ports`);
    list(c.ports).forEach((port, i) => {
      want(rec(port)?.hostPort, 'integer', `${path}.ports[${i}].hostPort`);
    });
  }
  return errors;
}
