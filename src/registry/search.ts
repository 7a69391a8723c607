/**
 * MLflow search filters and order_by, translated to parameterized SQL. Supported:
 * `name = 'x'`, `name != 'x'`, `name LIKE '%x%'`, `name ILIKE`, `run_id = / IN ('a','b')`,
 * `source_path`, `tags.key = 'v'` (or tags.`key`), joined with AND.
 */
import { invalid } from './errors.js';

export interface SqlFragment {
  readonly where: string;
  readonly params: unknown[];
}

type Field = { column: string } | { tag: string };

const TOKEN =
  /\s*(?:(AND)\b|(IN)\b|(NOT\s+LIKE|LIKE|ILIKE)\b|(!=|=)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\()|(\))|(,)|(tags\.`[^`]+`|tags\.[\w.-]+|[A-Za-z_][\w]*))/iy;

function unquote(s: string): string {
  return s.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** @param fields filterable attribute → SQL column (on table alias `t`). */
export function parseFilter(
  filter: string | undefined,
  fields: Record<string, string>,
  tagTable: string,
  tagJoin: string,
  startParam = 1,
): SqlFragment {
  if (!filter?.trim()) return { where: 'true', params: [] };
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let rest = filter.trim();
  while (rest.length > 0) {
    TOKEN.lastIndex = 0;
    const m = TOKEN.exec(rest);
    if (!m || m[0].length === 0)
      throw invalid(`Invalid filter '${filter}': cannot parse near '${rest.slice(0, 20)}'`);
    tokens.push(m[0].trim());
    rest = rest.slice(m[0].length).trimStart();
  }
  const params: unknown[] = [];
  const clauses: string[] = [];
  let i = 0;
  const next = () => tokens[i++];
  const param = (v: unknown) => {
    params.push(v);
    return `$${startParam + params.length - 1}`;
  };
  while (i < tokens.length) {
    const key = next()!;
    let field: Field;
    if (/^tags\./i.test(key)) field = { tag: key.slice(5).replace(/^`|`$/g, '') };
    else if (key in fields) field = { column: fields[key]! };
    else
      throw invalid(
        `Invalid filter '${filter}': unsupported attribute '${key}'; expected one of ${Object.keys(fields).join(', ')} or tags.<key>`,
      );
    const op = next()?.toUpperCase().replace(/\s+/g, ' ');
    if (!op || !['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'IN'].includes(op))
      throw invalid(`Invalid filter '${filter}': expected a comparison after '${key}'`);
    let rhs: string;
    if (op === 'IN') {
      if (next() !== '(') throw invalid(`Invalid filter '${filter}': IN expects a list in parentheses`);
      const values: string[] = [];
      for (;;) {
        const v = next();
        if (!v || !/^['"]/.test(v)) throw invalid(`Invalid filter '${filter}': IN expects quoted values`);
        values.push(param(unquote(v)));
        const sep = next();
        if (sep === ')') break;
        if (sep !== ',') throw invalid(`Invalid filter '${filter}': expected ',' or ')' in IN list`);
      }
      rhs = `(${values.join(', ')})`;
    } else {
      const v = next();
      if (!v || !/^['"]/.test(v))
        throw invalid(`Invalid filter '${filter}': expected a quoted value after '${key} ${op}'`);
      rhs = param(unquote(v));
    }
    if ('column' in field) clauses.push(`${field.column} ${op} ${rhs}`);
    else {
      clauses.push(
        `exists (select 1 from ${tagTable} x where ${tagJoin} and x.key = ${param(field.tag)} and x.value ${op} ${rhs})`,
      );
    }
    if (i < tokens.length && next()?.toUpperCase() !== 'AND')
      throw invalid(`Invalid filter '${filter}': clauses must be joined with AND`);
  }
  return { where: clauses.join(' and '), params };
}

/** `["name ASC", "last_updated_timestamp DESC"]` → an ORDER BY list over allowed columns. */
export function parseOrderBy(
  orderBy: readonly string[],
  columns: Record<string, string>,
  tiebreak: string,
): string {
  const parts = orderBy.map((clause) => {
    const m = /^\s*([\w.]+)\s*(ASC|DESC)?\s*$/i.exec(clause);
    const column = m && columns[m[1]!];
    if (!m || !column)
      throw invalid(
        `Invalid order_by clause '${clause}'; expected one of ${Object.keys(columns).join(', ')} with optional ASC or DESC`,
      );
    return `${column} ${(m[2] ?? 'ASC').toUpperCase()}`;
  });
  return [...parts, tiebreak].join(', ');
}

export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

export function decodePageToken(token: string | undefined): number {
  if (!token) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw invalid(`Invalid page_token '${token}'`);
}
