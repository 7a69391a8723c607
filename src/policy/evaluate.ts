/**
 * Offline evaluation of the admission rules with a CEL interpreter: the very expressions the
 * cluster's ValidatingAdmissionPolicies carry, with the same variables.
 */
import { parse } from '@marcbachmann/cel-js';
import type { Finding } from '../check/finding.js';
import { type K8sObject, objectRef } from '../k8s/object.js';
import { POLICY_VARIABLES, type PolicyRule, ruleExpression, type WorkloadKind } from './rules.js';

type Compiled = ReturnType<typeof parse>;
const cache = new Map<string, Compiled>();
function compile(expression: string): Compiled {
  let c = cache.get(expression);
  if (!c) {
    c = parse(expression);
    cache.set(expression, c);
  }
  return c;
}

const TEMPLATE_PATH: Record<WorkloadKind, string> = {
  Pod: 'spec',
  Deployment: 'spec.template.spec',
  StatefulSet: 'spec.template.spec',
  DaemonSet: 'spec.template.spec',
  ReplicaSet: 'spec.template.spec',
  Job: 'spec.template.spec',
  CronJob: 'spec.jobTemplate.spec.template.spec',
};

function variablesOf(object: K8sObject): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const v of POLICY_VARIABLES) variables[v.name] = compile(v.expression)({ object, variables });
  return variables;
}

export interface PolicyScope {
  /** Namespaces the rules do not apply to (platform components), as in the policy bindings. */
  readonly exemptNamespaces: readonly string[];
}

/** Findings of every rule that applies to each object: fail with the failing container, or pass. */
export function evaluatePolicies(
  objects: readonly K8sObject[],
  rules: readonly PolicyRule[],
  scope: PolicyScope,
): Finding[] {
  const out: Finding[] = [];
  for (const object of objects) {
    if (!((object.kind as WorkloadKind) in TEMPLATE_PATH)) continue;
    if (object.metadata?.namespace && scope.exemptNamespaces.includes(object.metadata.namespace)) continue;
    out.push(...evaluateRules(object, rules));
  }
  return out;
}

/**
 * Every rule that matches this object's kind, evaluated on it as the cluster's
 * ValidatingAdmissionPolicy would: pass, or fail located at the first failing container.
 */
export function evaluateRules(object: K8sObject, rules: readonly PolicyRule[]): Finding[] {
  const out: Finding[] = [];
  const kind = object.kind as WorkloadKind;
  if (!(kind in TEMPLATE_PATH)) return out;
  const resource = objectRef(object);
  let variables: Record<string, unknown>;
  try {
    variables = variablesOf(object);
  } catch (err) {
    return [
      {
        ruleId: 'policy.input',
        status: 'error',
        resource,
        path: TEMPLATE_PATH[kind],
        message: `no pod spec to check: ${(err as Error).message}`,
      },
    ];
  }
  const base = TEMPLATE_PATH[kind];
  for (const rule of rules) {
    if (!rule.kinds.includes(kind)) continue;
    const ruleId = `policy.${rule.id}`;
    let allowed: boolean;
    try {
      allowed = compile(ruleExpression(rule))({ object, variables }) === true;
    } catch (err) {
      out.push({
        ruleId,
        status: 'error',
        resource,
        path: base,
        message: `rule could not be evaluated: ${(err as Error).message.split('\n')[0]}`,
      });
      continue;
    }
    if (allowed) {
      out.push({ ruleId, status: 'pass', resource, path: base, message: rule.title });
      continue;
    }
    let path = rule.at ?? base;
    if (rule.container) {
      // Name the first failing container, the way a reviewer would look for it.
      const containers = variables.containers as { name?: string }[];
      const initCount = ((variables.podSpec as { containers: unknown[] }).containers ?? []).length;
      const index = containers.findIndex((c) => {
        try {
          return compile(rule.container!)({ object, variables, c }) !== true;
        } catch {
          return true;
        }
      });
      if (index >= 0)
        path =
          index < initCount ? `${base}.containers[${index}]` : `${base}.initContainers[${index - initCount}]`;
    }
    out.push({ ruleId, status: 'fail', resource, path, message: rule.message, fix: rule.fix });
  }
  return out;
}
