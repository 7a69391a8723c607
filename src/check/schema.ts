/** Every object valid for the target Kubernetes version: known kind, served API, schema, names. */
import {
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelKey,
  isLabelValue,
} from '../core/names.js';
import { minorOf, servedProblem } from '../k8s/api-versions.js';
import { crdKind, withoutModelReason } from '../k8s/crds.js';
import { type K8sObject, objectRef } from '../k8s/object.js';
import { resourceForKind } from '../k8s/resources.js';
import { compileSelector, type LabelSelector } from '../k8s/selector.js';
import { structuralErrors, typeForKind, unknownFields, validatorFor } from '../k8s/validators.js';
import { customResourceSchemaProblems } from './crd-schema.js';
import { type Finding, pointerToPath } from './finding.js';
import { podSpecAt, podSpecProblems } from './pod-validation.js';

// Kinds whose names must be DNS-1123 labels; RBAC names are path segments (`system:foo` is fine).
const LABEL_NAMED = new Set(['Namespace']);
const PATH_SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function nameProblem(kind: string, name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'metadata.name is required';
  if (kind === 'Service') {
    return isDns1035Label(name)
      ? undefined
      : `"${name}" is not a DNS-1035 label (a Service name starts with a lowercase letter, then lowercase alphanumerics and "-", ≤ 63)`;
  }
  if (LABEL_NAMED.has(kind)) {
    return isDns1123Label(name)
      ? undefined
      : `"${name}" is not a DNS-1123 label (lowercase alphanumerics and "-", ≤ 63)`;
  }
  if (PATH_SEGMENT_NAMED.has(kind)) {
    return name === '.' || name === '..' || /[/%]/.test(name)
      ? `"${name}" may not contain "/" or "%"`
      : undefined;
  }
  return isDns1123Subdomain(name)
    ? undefined
    : `"${name}" is not a DNS-1123 subdomain (lowercase alphanumerics, "-" and ".", ≤ 253)`;
}

export async function checkSchema(objects: readonly K8sObject[], k8sVersion: string): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const o of objects) {
    const resource = objectRef(o);
    const fail = (ruleId: string, path: string, message: string, fix?: string) =>
      out.push({ ruleId, status: 'fail', resource, path, message, ...(fix ? { fix } : {}) });
    const typeName = typeForKind(o.apiVersion, o.kind);
    const model = typeName ? undefined : crdKind(o.apiVersion, o.kind);
    if (model) {
      // An engine's custom resource: its model package's schema, then the checks every object gets.
      for (const p of await customResourceSchemaProblems(o, model)) fail(p.ruleId, p.path, p.message, p.fix);
      for (const p of customResourceProblems(o)) fail('schema.invalid', p.path, p.message);
    } else if (!typeName) {
      const reason = withoutModelReason(o.apiVersion, o.kind);
      if (reason) {
        out.push({
          ruleId: 'schema.crd',
          status: 'skip',
          resource,
          path: '',
          message: `${o.apiVersion} ${o.kind} is a custom resource whose fields are not validated offline: ${reason}`,
        });
        continue;
      }
      fail(
        'schema.unknown-kind',
        'kind',
        `unknown kind ${o.apiVersion}/${o.kind}`,
        'use a built-in kind or install its CRD',
      );
      continue;
    } else {
      const served = servedProblem(o.apiVersion, o.kind, k8sVersion);
      if (served) fail('schema.api-version', 'apiVersion', `${served}; the target is ${k8sVersion}`);
      const validate = await validatorFor(o.apiVersion, o.kind);
      if (validate) {
        for (const e of structuralErrors(validate, o))
          fail('schema.invalid', pointerToPath(e.pointer), e.message);
      }
      for (const e of unknownFields(o, typeName)) {
        fail(
          'schema.unknown-field',
          pointerToPath(e.pointer),
          e.message,
          'remove the field or fix its spelling',
        );
      }
    }
    const name = nameProblem(o.kind, o.metadata?.name);
    if (name) fail('schema.name', 'metadata.name', name);
    const info = resourceForKind(o.kind);
    if (info?.namespaced && !o.metadata?.namespace) {
      fail(
        'schema.namespace',
        'metadata.namespace',
        `${o.kind} is namespaced; metadata.namespace is required`,
      );
    } else if (info && !info.namespaced && o.metadata?.namespace) {
      fail(
        'schema.namespace',
        'metadata.namespace',
        `${o.kind} is cluster-scoped; remove metadata.namespace`,
      );
    }
    if (o.metadata?.namespace && !isDns1123Label(o.metadata.namespace)) {
      fail('schema.name', 'metadata.namespace', `"${o.metadata.namespace}" is not a DNS-1123 label`);
    }
    for (const p of labelProblems(o.metadata?.labels, 'metadata.labels'))
      fail('schema.label', p.path, p.message);
    for (const p of workloadProblems(o)) fail(p.ruleId, p.path, p.message);
    // What the API server's own validation rejects although the OpenAPI schema allows it.
    const pod = podSpecAt(o);
    if (pod)
      for (const p of podSpecProblems(pod.spec, pod.path, minorOf(k8sVersion)))
        fail('schema.invalid', p.path, p.message);
  }
  return out;
}

/**
 * Every namespaced object lands in a namespace that exists when it is applied: one the tree
 * creates, one every cluster has, or one the environment declares as pre-existing (the
 * ingress and monitoring namespaces). Otherwise the apply fails with "namespaces not found".
 */
export function checkNamespacesExist(
  objects: readonly K8sObject[],
  preexisting: readonly string[],
): Finding[] {
  const created = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata?.name));
  const known = new Set<string | undefined>([...created, ...preexisting]);
  const out: Finding[] = [];
  for (const o of objects) {
    const ns = o.metadata?.namespace;
    if (!ns || known.has(ns)) continue;
    out.push({
      ruleId: 'schema.namespace-exists',
      status: 'fail',
      resource: objectRef(o),
      path: 'metadata.namespace',
      message: `namespace "${ns}" is neither created by the tree nor built in (${preexisting.join(', ')})`,
      fix: `add a Namespace "${ns}" to the tree (in a sync wave before its objects), or move the object`,
    });
  }
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped JSON here
type Json = any;

/** Label keys (qualified names) and values, as `ValidateLabels` checks them. */
function labelProblems(labels: unknown, at: string): { path: string; message: string }[] {
  if (!labels || typeof labels !== 'object') return [];
  const out: { path: string; message: string }[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    const path = `${at}["${k}"]`;
    if (!isLabelKey(k))
      out.push({
        path,
        message: `"${k}" is not a valid label key (an optional DNS subdomain prefix and "/", then at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric)`,
      });
    if (typeof v !== 'string' || !isLabelValue(v))
      out.push({ path, message: `${JSON.stringify(v)} is not a valid label value` });
  }
  return out;
}

/** Controllers whose selector the API server requires non-empty and matching the template. */
const SELECTING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/**
 * What apps validation (`ValidateDeploymentSpec`, `ValidateStatefulSetSpec`, …) refuses in a
 * controller's selector and template: an empty or missing selector ("empty selector is invalid
 * for statefulset"), invalid selector or template labels, and a template its own selector does
 * not select ("`selector` does not match template `labels`"). Ingress backends name a Service,
 * so a DNS-1035 label.
 */
export function workloadProblems(o: K8sObject): { ruleId: string; path: string; message: string }[] {
  const out: { ruleId: string; path: string; message: string }[] = [];
  const spec = o.spec as Json;
  if (!spec || typeof spec !== 'object') return out;
  if (SELECTING.has(o.kind) && o.apiVersion === 'apps/v1') {
    const selector = spec.selector as LabelSelector | undefined;
    const size = Object.keys(selector?.matchLabels ?? {}).length + (selector?.matchExpressions?.length ?? 0);
    if (!selector || typeof selector !== 'object')
      out.push({ ruleId: 'schema.invalid', path: 'spec.selector', message: 'Required value' });
    else if (size === 0)
      out.push({
        ruleId: 'schema.invalid',
        path: 'spec.selector',
        message: `empty selector is invalid for ${o.kind.toLowerCase()}`,
      });
    for (const p of labelProblems(selector?.matchLabels, 'spec.selector.matchLabels'))
      out.push({ ruleId: 'schema.label', ...p });
    const labels = spec.template?.metadata?.labels;
    for (const p of labelProblems(labels, 'spec.template.metadata.labels'))
      out.push({ ruleId: 'schema.label', ...p });
    if (selector && size > 0 && !compileSelector(selector)(labels ?? {}))
      out.push({
        ruleId: 'schema.invalid',
        path: 'spec.template.metadata.labels',
        message: '`selector` does not match template `labels`',
      });
  }
  // The Job controller labels its pods job-name=<name>, so a Job name is a label value (≤ 63);
  // CronJob validation allows 52, leaving room for the Jobs' timestamp suffix.
  const name = o.metadata?.name;
  const longest = o.kind === 'Job' ? 63 : o.kind === 'CronJob' ? 52 : undefined;
  if (
    longest !== undefined &&
    o.apiVersion === 'batch/v1' &&
    typeof name === 'string' &&
    name.length > longest
  )
    out.push({
      ruleId: 'schema.name',
      path: 'metadata.name',
      message: `a ${o.kind} name may be at most ${longest} characters, received ${name.length} ("${name}")`,
    });
  if (o.kind === 'Service' && spec.type === 'ExternalName') {
    // ValidateService: the CNAME (a trailing dot allowed) is a DNS-1123 subdomain.
    const cname = typeof spec.externalName === 'string' ? spec.externalName.replace(/\.$/, '') : '';
    if (!isDns1123Subdomain(cname))
      out.push({
        ruleId: 'schema.invalid',
        path: 'spec.externalName',
        message: `${JSON.stringify(spec.externalName)} is not a DNS-1123 subdomain (lowercase alphanumerics, "-" and ".", each label starting and ending with an alphanumeric)`,
      });
  }
  if (o.kind === 'Ingress') {
    const backends: { path: string; name: unknown }[] = [];
    if (spec.defaultBackend?.service)
      backends.push({ path: 'spec.defaultBackend.service.name', name: spec.defaultBackend.service.name });
    (Array.isArray(spec.rules) ? spec.rules : []).forEach((r: Json, i: number) => {
      (Array.isArray(r?.http?.paths) ? r.http.paths : []).forEach((p: Json, j: number) => {
        if (p?.backend?.service)
          backends.push({
            path: `spec.rules[${i}].http.paths[${j}].backend.service.name`,
            name: p.backend.service.name,
          });
      });
    });
    (Array.isArray(spec.rules) ? spec.rules : []).forEach((r: Json, i: number) => {
      const host = r?.host;
      if (host === undefined || host === '') return;
      // validateIngressRules: a DNS-1123 subdomain (≤ 253), or a wildcard one ("*.example.com").
      const name = typeof host === 'string' && host.startsWith('*.') ? host.slice(2) : host;
      if (typeof name !== 'string' || !isDns1123Subdomain(name) || (host as string).length > 253)
        out.push({
          ruleId: 'schema.invalid',
          path: `spec.rules[${i}].host`,
          message: `${JSON.stringify(host)} is not a DNS-1123 subdomain (lowercase alphanumerics, "-" and ".", at most 253 characters)`,
        });
    });
    for (const b of backends)
      if (typeof b.name !== 'string' || !isDns1035Label(b.name))
        out.push({
          ruleId: 'schema.invalid',
          path: b.path,
          message: `${JSON.stringify(b.name)} is not a Service name (a DNS-1035 label: starts with a lowercase letter)`,
        });
  }
  return out;
}

/**
 * What the engines' admission webhooks refuse in the custom resources the tree renders, where
 * it is known: cert-manager's `ValidateCertificateSpec` (a commonName of at most 64 characters,
 * the X.509 upper bound; a commonName or a SAN at all).
 */
function customResourceProblems(o: K8sObject): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const spec = o.spec as Json;
  if (o.kind === 'Certificate' && o.apiVersion === 'cert-manager.io/v1' && spec && typeof spec === 'object') {
    if (typeof spec.commonName === 'string' && spec.commonName.length > 64)
      out.push({
        path: 'spec.commonName',
        message: `Too long: may not be more than 64 bytes, received ${spec.commonName.length} ("${spec.commonName}")`,
      });
    const sans = ['dnsNames', 'uris', 'emailAddresses', 'ipAddresses'].some(
      (k) => Array.isArray(spec[k]) && spec[k].length > 0,
    );
    if (!spec.commonName && !sans)
      out.push({
        path: 'spec',
        message: 'at least one of commonName, dnsNames, uris, ipAddresses or emailAddresses must be set',
      });
  }
  return out;
}
