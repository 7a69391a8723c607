/** Turns zod issues into `{path, message}` pairs that say expected vs received. */
import type { z } from 'zod';
import { describeValue, type PathSegment } from './errors.js';

export interface RawIssue {
  readonly path: PathSegment[];
  readonly message: string;
  /** For unknown fields: the key, so the location can point at it rather than its parent. */
  readonly key?: string;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** Field names a schema accepts at `path`, to suggest them for an unknown field. */
function knownKeys(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: walks zod's internal definitions, which are not typed publicly
  let cur: any = schema;
  const unwrap = () => {
    while (cur && ['optional', 'default', 'prefault', 'nullable', 'pipe'].includes(cur._zod.def.type)) {
      cur = cur._zod.def.innerType ?? cur._zod.def.in;
    }
  };
  unwrap();
  for (const seg of path) {
    const def = cur?._zod.def;
    if (!def) return [];
    if (def.type === 'object') cur = def.shape[seg];
    else if (def.type === 'array') cur = def.element;
    else if (def.type === 'record') cur = def.valueType;
    else return [];
    unwrap();
  }
  return cur?._zod.def.type === 'object' ? Object.keys(cur._zod.def.shape) : [];
}

export function translateIssues(
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  prefix: PathSegment[] = [],
): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of issues) out.push(...translate(schema, issue, input, prefix));
  return out;
}

function translate(
  schema: z.ZodType,
  issue: z.core.$ZodIssue,
  input: unknown,
  prefix: PathSegment[],
): RawIssue[] {
  const local = issue.path as PathSegment[];
  const path = [...prefix, ...local];
  const received = describeValue(valueAt(input, local));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schema, local);
      return issue.keys.map((key) => ({
        path: [...path, key],
        key,
        message: `unknown field "${key}"; expected one of: ${known.join(', ')}`,
      }));
    }
    case 'invalid_type': {
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (received === 'nothing')
        return [{ path, message: `required field is missing; expected ${expected}` }];
      return [{ path, message: `expected ${expected}, received ${received}` }];
    }
    case 'invalid_union': {
      // A union of string|number (quantities, ports): report the branch that matches the
      // input's type, whose message says what the string should look like.
      const branches = issue.errors.filter(
        (errs) => !errs.some((e) => e.code === 'invalid_type' && e.path.length === 0),
      );
      const pick = branches[0];
      if (pick)
        return pick.flatMap((e) => translate(schema, { ...e, path: [...local, ...e.path] }, input, prefix));
      return [{ path, message: `expected a string or a number, received ${received}` }];
    }
    case 'invalid_format':
      return [{ path, message: `expected ${issue.message}, received ${received}` }];
    case 'invalid_value':
      return [
        {
          path,
          message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, received ${received}`,
        },
      ];
    case 'too_big':
    case 'too_small':
      return [{ path, message: `${issue.message.replace(/^Too (big|small): /, '')}, received ${received}` }];
    default:
      return [{ path, message: `${issue.message}, received ${received}` }];
  }
}
