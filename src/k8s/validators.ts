/**
 * Structural validation of built-in kinds: the OpenAPI-derived validators that kubernetes-models
 * ships (types, enums, required fields, formats), plus our own unknown-field walk over the
 * generated field table, because those validators let unknown fields through.
 */
import fields from '../generated/k8s-fields.json' with { type: 'json' };

interface FieldTable {
  generatedFrom: string;
  kinds: Record<string, string>;
  types: Record<string, Record<string, string | null>>;
}
const table = fields as FieldTable;

export const SCHEMA_SOURCE = table.generatedFrom;

export function typeForKind(apiVersion: string, kind: string): string | undefined {
  const key = `${apiVersion}/${kind}`;
  return Object.hasOwn(table.kinds, key) ? table.kinds[key] : undefined;
}

/** A type's fields: name → `T`, `[]T`, `{}T` (prefixes nest) or null (scalar, free-form). */
export type TypeFields = Readonly<Record<string, string | null>>;
export type TypeLookup = (name: string) => TypeFields | undefined;

/** The built-in types (kubernetes-models); custom resource tables fall back to it. */
export const builtInTypes: TypeLookup = (name) =>
  Object.hasOwn(table.types, name) ? table.types[name] : undefined;

export interface StructuralError {
  readonly pointer: string;
  readonly message: string;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Fields not in the schema of their type, as JSON pointers. Own keys only: `__proto__` or
 * `constructor` in a manifest are fields like any other (unknown), never Object.prototype's.
 */
export function unknownFields(
  value: unknown,
  typeName: string,
  lookup: TypeLookup = builtInTypes,
  pointer = '',
): StructuralError[] {
  const out: StructuralError[] = [];
  walk(value, typeName, lookup, pointer, out);
  return out;
}

function walk(
  value: unknown,
  ref: string,
  lookup: TypeLookup,
  pointer: string,
  out: StructuralError[],
): void {
  if (ref.startsWith('[]')) {
    if (Array.isArray(value))
      for (const [i, item] of value.entries()) walk(item, ref.slice(2), lookup, `${pointer}/${i}`, out);
    return;
  }
  if (ref.startsWith('{}')) {
    if (isObject(value))
      for (const [k, v] of Object.entries(value))
        walk(v, ref.slice(2), lookup, `${pointer}/${escapePointer(k)}`, out);
    return;
  }
  const type = lookup(ref);
  if (!type || !isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const p = `${pointer}/${escapePointer(key)}`;
    if (!Object.hasOwn(type, key)) {
      out.push({
        pointer: p,
        message: `unknown field "${key}"; expected one of: ${Object.keys(type).join(', ')}`,
      });
      continue;
    }
    const childRef = type[key];
    if (childRef) walk(child, childRef, lookup, p, out);
  }
}

export type Validate = (data: unknown) => void;
const cache = new Map<string, Promise<Validate | undefined>>();

/** The kubernetes-models validator of a kind, loaded on first use. */
export function validatorFor(apiVersion: string, kind: string): Promise<Validate | undefined> {
  const key = `${apiVersion}/${kind}`;
  let v = cache.get(key);
  if (!v) {
    const module = `kubernetes-models/${apiVersion}/${kind}`;
    v = import(module).then(
      (m: Record<string, new (d: unknown) => { validate(): void }>) => {
        const Model = m[kind];
        return Model ? (data: unknown) => new Model(data).validate() : undefined;
      },
      () => undefined,
    );
    cache.set(key, v);
  }
  return v;
}

/** Runs a validator and returns its complaints as pointer + message pairs. */
export function structuralErrors(validate: Validate, data: unknown): StructuralError[] {
  try {
    validate(data);
    return [];
  } catch (err) {
    const errors = (
      err as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }
    ).errors;
    if (!errors) return [{ pointer: '', message: (err as Error).message }];
    return errors.map((e) => ({
      pointer: e.instancePath,
      message:
        e.params && 'allowedValues' in e.params
          ? `${e.message}: ${(e.params.allowedValues as unknown[]).join(', ')}`
          : (e.message ?? 'invalid'),
    }));
  }
}
