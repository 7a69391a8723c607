/**
 * Custom resources of the engines the platform installs, checked like built-in kinds: the model
 * package's validator (types, enums, required fields) and a strict unknown-field walk, because
 * with `kubectl apply` (server-side field validation Strict by default since 1.27) or Argo CD's
 * server-side apply, an unknown field in a custom resource is an error, and a misspelled
 * optional field that is pruned silently is worse. Free-form parts of the CRDs
 * (`x-kubernetes-preserve-unknown-fields`: Helm values, plugin config) accept anything.
 */
import { crdTypes, crdValidatorFor } from '../k8s/crd-validators.js';
import type { CrdKind } from '../k8s/crds.js';
import type { K8sObject } from '../k8s/object.js';
import { structuralErrors, unknownFields } from '../k8s/validators.js';
import { pointerToPath } from './finding.js';

export interface SchemaProblem {
  readonly ruleId: 'schema.invalid' | 'schema.unknown-field';
  readonly path: string;
  readonly message: string;
  readonly fix?: string;
}

export async function customResourceSchemaProblems(o: K8sObject, model: CrdKind): Promise<SchemaProblem[]> {
  const out: SchemaProblem[] = [];
  const validate = await crdValidatorFor(model, o.kind);
  if (validate)
    for (const e of structuralErrors(validate, o))
      out.push({ ruleId: 'schema.invalid', path: pointerToPath(e.pointer), message: e.message });
  for (const e of unknownFields(o, model.type, await crdTypes(model.package)))
    out.push({
      ruleId: 'schema.unknown-field',
      path: pointerToPath(e.pointer),
      message: e.message,
      fix: 'remove the field or fix its spelling',
    });
  return out;
}
