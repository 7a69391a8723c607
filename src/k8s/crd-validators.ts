/**
 * Structural validation of custom resources with the engines' CRD model packages: each model's
 * generated validator (types, enums, required fields) and the unknown-field walk over the
 * package's generated field table. Both load on first use, one package at a time, so a command
 * that meets no custom resource of an engine never loads that engine's models.
 */
import { type CrdKind, crdKind } from './crds.js';
import { builtInTypes, type TypeFields, type TypeLookup, type Validate } from './validators.js';

interface CrdFieldTable {
  readonly generatedFrom: string;
  readonly types: Record<string, TypeFields>;
}

// Literal specifiers, so the compiler emits the tables next to the code.
const TABLES: Record<string, () => Promise<{ default: unknown }>> = {
  'argo-cd': () => import('../generated/crd-fields/argo-cd.json', { with: { type: 'json' } }),
  'argo-rollouts': () => import('../generated/crd-fields/argo-rollouts.json', { with: { type: 'json' } }),
  'cert-manager': () => import('../generated/crd-fields/cert-manager.json', { with: { type: 'json' } }),
  'external-secrets': () =>
    import('../generated/crd-fields/external-secrets.json', { with: { type: 'json' } }),
  'prometheus-operator': () =>
    import('../generated/crd-fields/prometheus-operator.json', { with: { type: 'json' } }),
};

const lookups = new Map<string, Promise<TypeLookup>>();

/** A package's types, then the built-in ones its CRDs embed (ObjectMeta, PodSpec, …). */
export function crdTypes(pkg: string): Promise<TypeLookup> {
  let l = lookups.get(pkg);
  if (!l) {
    const load = Object.hasOwn(TABLES, pkg) ? TABLES[pkg] : undefined;
    l = load
      ? load().then((m) => {
          const types = (m.default as CrdFieldTable).types;
          return (name: string) => (Object.hasOwn(types, name) ? types[name] : builtInTypes(name));
        })
      : Promise.resolve(builtInTypes);
    lookups.set(pkg, l);
  }
  return l;
}

const validators = new Map<string, Promise<Validate | undefined>>();

/** The model package's validator of a custom resource kind. */
export function crdValidatorFor(model: CrdKind, kind: string): Promise<Validate | undefined> {
  const specifier = `@kubernetes-models/${model.package}/${model.module}`;
  let v = validators.get(specifier);
  if (!v) {
    v = import(specifier).then(
      (m: Record<string, new (d: unknown) => { validate(): void }>) => {
        const Model = m[kind];
        return Model ? (data: unknown) => new Model(data).validate() : undefined;
      },
      () => undefined,
    );
    validators.set(specifier, v);
  }
  return v;
}

export { crdKind };
