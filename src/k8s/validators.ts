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
  return table.kinds[`${apiVersion}/${kind}`];
}

export interface StructuralError {
  readonly pointer: string;
  readonly message: string;
}

/** Fields not in the schema of their type, as JSON pointers. */
export function unknownFields(value: unknown, typeName: string, pointer = ''): StructuralError[] {
  const type = table.types[typeName];
  if (!type || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: StructuralError[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const p = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!(key in type)) {
      out.push({
        pointer: p,
        message: `unknown field "${key}"; expected one of: ${Object.keys(type).join(', ')}`,
      });
      continue;
    }
    const ref = type[key];
    if (!ref) continue;
    if (ref.startsWith('[]')) {
      if (Array.isArray(child))
        for (const [i, item] of child.entries()) out.push(...unknownFields(item, ref.slice(2), `${p}/${i}`));
    } else if (ref.startsWith('{}')) {
      if (child && typeof child === 'object') {
        for (const [k, v] of Object.entries(child)) out.push(...unknownFields(v, ref.slice(2), `${p}/${k}`));
      }
    } else out.push(...unknownFields(child, ref, p));
  }
  return out;
}

type Validate = (data: unknown) => void;
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
