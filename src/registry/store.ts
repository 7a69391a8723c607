/**
 * Registered models and model versions with MLflow's semantics, on SQL. Objects come back in
 * MLflow's REST shapes (snake_case, string versions, int64 millisecond timestamps).
 */
import type { Db, Queryable } from './db.js';
import { invalid, MlflowError, notFound } from './errors.js';
import { decodePageToken, encodePageToken, parseFilter, parseOrderBy } from './search.js';

export interface Tag {
  key: string;
  value: string;
}

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  run_link: string;
  status: string;
  tags: Tag[];
  aliases: string[];
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  latest_versions: ModelVersion[];
  tags: Tag[];
  aliases: { alias: string; version: string }[];
}

export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;

const MAX_RESULTS = 1000;
/** Largest page of model versions; clients page with page_token beyond it. */
export const MAX_VERSION_RESULTS = 10_000;

/** Rows grouped by key, in their order, each mapped once. */
function groupBy<T, K, V>(rows: readonly T[], key: (row: T) => K, value: (row: T) => V): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(value(row));
    else out.set(k, [value(row)]);
  }
  return out;
}

type Row = Record<string, unknown>;

export interface SearchParams {
  filter?: string;
  maxResults?: unknown;
  orderBy?: string[];
  pageToken?: string;
}

interface SearchSpec {
  table: string;
  /** Filterable attributes → SQL columns. */
  fields: Record<string, string>;
  tagTable: string;
  tagJoin: string;
  /** order_by keys → SQL columns. */
  order: Record<string, string>;
  tiebreak: string;
  defaultLimit: number;
  maxLimit: number;
}

function requireName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw invalid(`Missing value for required parameter '${field}'.`);
  return name;
}

const MAX_VERSION = 2 ** 31 - 1; // model_versions.version is a PostgreSQL integer

/** A version number as MLflow writes it: decimal digits (no `0x10`, `1e3`, signs or spaces), 1..2^31-1. */
export function parseVersion(version: unknown): number {
  const n =
    typeof version === 'number'
      ? version
      : typeof version === 'string' && /^[1-9][0-9]*$/.test(version)
        ? Number(version)
        : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_VERSION) {
    throw invalid(
      `Parameter 'version' must be a positive integer no greater than ${MAX_VERSION}, got '${String(version).slice(0, 64)}'.`,
    );
  }
  return n;
}

function normalizeStage(stage: unknown): string {
  const s = STAGES.find((x) => x.toLowerCase() === String(stage ?? '').toLowerCase());
  if (!s)
    throw invalid(
      `Invalid Model Version stage: ${String(stage)}. Value must be one of ${STAGES.join(', ')}.`,
    );
  return s;
}

export class RegistryStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  private async versionObjects(q: Queryable, rows: Row[]): Promise<ModelVersion[]> {
    if (rows.length === 0) return [];
    const names = rows.map((r) => r.name as string);
    const versions = rows.map((r) => Number(r.version));
    const tags = await q.query<Row>(
      'select t.name, t.version, t.key, t.value from model_version_tags t join unnest($1::text[], $2::int[]) as v(name, version) on t.name = v.name and t.version = v.version order by t.key',
      [names, versions],
    );
    const aliases = await q.query<Row>(
      'select a.name, a.version, a.alias from registered_model_aliases a join unnest($1::text[], $2::int[]) as v(name, version) on a.name = v.name and a.version = v.version order by a.alias',
      [names, versions],
    );
    // Grouped once by (name, version): a page of n rows with t tags costs O(n + t), not O(n × t).
    const key = (r: Row) => `${r.name}\u0000${Number(r.version)}`;
    const tagsOf = groupBy(tags.rows, key, (t) => ({ key: t.key as string, value: t.value as string }));
    const aliasesOf = groupBy(aliases.rows, key, (a) => a.alias as string);
    return rows.map((r) => ({
      name: r.name as string,
      version: String(r.version),
      creation_timestamp: Number(r.creation_timestamp),
      last_updated_timestamp: Number(r.last_updated_timestamp),
      current_stage: r.current_stage as string,
      description: r.description as string,
      source: r.source as string,
      run_id: r.run_id as string,
      run_link: r.run_link as string,
      status: r.status as string,
      tags: tagsOf.get(key(r)) ?? [],
      aliases: aliasesOf.get(key(r)) ?? [],
    }));
  }

  private async modelObjects(q: Queryable, rows: Row[]): Promise<RegisteredModel[]> {
    if (rows.length === 0) return [];
    const names = rows.map((r) => r.name as string);
    const tags = await q.query<Row>(
      'select name, key, value from registered_model_tags where name = any($1) order by key',
      [names],
    );
    const aliases = await q.query<Row>(
      'select name, alias, version from registered_model_aliases where name = any($1) order by alias',
      [names],
    );
    // latest_versions: the newest version in each stage, as MLflow reports it.
    const latest = await q.query<Row>(
      `select distinct on (name, current_stage) * from model_versions where name = any($1) order by name, current_stage, version desc`,
      [names],
    );
    const latestOf = groupBy(
      await this.versionObjects(q, latest.rows),
      (v) => v.name,
      (v) => v,
    );
    const tagsOf = groupBy(
      tags.rows,
      (t) => t.name as string,
      (t) => ({
        key: t.key as string,
        value: t.value as string,
      }),
    );
    const aliasesOf = groupBy(
      aliases.rows,
      (a) => a.name as string,
      (a) => ({
        alias: a.alias as string,
        version: String(a.version),
      }),
    );
    return rows.map((r) => ({
      name: r.name as string,
      creation_timestamp: Number(r.creation_timestamp),
      last_updated_timestamp: Number(r.last_updated_timestamp),
      description: r.description as string,
      latest_versions: (latestOf.get(r.name as string) ?? []).sort(
        (a, b) => Number(a.version) - Number(b.version),
      ),
      tags: tagsOf.get(r.name as string) ?? [],
      aliases: aliasesOf.get(r.name as string) ?? [],
    }));
  }

  private async modelRow(q: Queryable, name: string, lock = false): Promise<Row> {
    const { rows } = await q.query<Row>(
      `select * from registered_models where name = $1${lock ? ' for update' : ''}`,
      [name],
    );
    if (!rows[0]) throw notFound(`Registered Model with name=${name} not found`);
    return rows[0];
  }

  private async versionRow(q: Queryable, name: string, version: number): Promise<Row> {
    const { rows } = await q.query<Row>('select * from model_versions where name = $1 and version = $2', [
      name,
      version,
    ]);
    if (!rows[0]) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    return rows[0];
  }

  async createRegisteredModel(input: {
    name?: unknown;
    description?: unknown;
    tags?: unknown;
  }): Promise<RegisteredModel> {
    const name = requireName(input.name);
    const tags = parseTags(input.tags);
    const ts = this.now();
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Row>(
        'insert into registered_models (name, description, creation_timestamp, last_updated_timestamp) values ($1, $2, $3, $3) on conflict (name) do nothing returning *',
        [name, String(input.description ?? ''), ts],
      );
      if (!rows[0])
        throw new MlflowError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
      for (const t of tags)
        await tx.query('insert into registered_model_tags (name, key, value) values ($1, $2, $3)', [
          name,
          t.key,
          t.value,
        ]);
      return (await this.modelObjects(tx, rows))[0]!;
    });
  }

  async getRegisteredModel(name: unknown): Promise<RegisteredModel> {
    const row = await this.modelRow(this.db, requireName(name));
    return (await this.modelObjects(this.db, [row]))[0]!;
  }

  async renameRegisteredModel(name: unknown, newName: unknown): Promise<RegisteredModel> {
    const from = requireName(name);
    const to = requireName(newName, 'new_name');
    return this.db.transaction(async (tx) => {
      await this.modelRow(tx, from, true);
      const exists = await tx.query('select 1 from registered_models where name = $1', [to]);
      if (exists.rows.length > 0)
        throw new MlflowError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${to}) already exists.`);
      // Tags, versions and aliases follow through ON UPDATE CASCADE.
      const { rows } = await tx.query<Row>(
        'update registered_models set name = $2, last_updated_timestamp = $3 where name = $1 returning *',
        [from, to, this.now()],
      );
      return (await this.modelObjects(tx, rows))[0]!;
    });
  }

  async updateRegisteredModel(name: unknown, description: unknown): Promise<RegisteredModel> {
    const n = requireName(name);
    const { rows } = await this.db.query<Row>(
      'update registered_models set description = $2, last_updated_timestamp = $3 where name = $1 returning *',
      [n, String(description ?? ''), this.now()],
    );
    if (!rows[0]) throw notFound(`Registered Model with name=${n} not found`);
    return (await this.modelObjects(this.db, rows))[0]!;
  }

  async deleteRegisteredModel(name: unknown): Promise<void> {
    const n = requireName(name);
    const { rows } = await this.db.query('delete from registered_models where name = $1 returning name', [n]);
    if (rows.length === 0) throw notFound(`Registered Model with name=${n} not found`);
  }

  async searchRegisteredModels(p: SearchParams) {
    const { rows, next } = await this.searchPage(p, {
      table: 'registered_models',
      fields: { name: 't.name' },
      tagTable: 'registered_model_tags',
      tagJoin: 'x.name = t.name',
      order: {
        name: 't.name',
        timestamp: 't.last_updated_timestamp',
        last_updated_timestamp: 't.last_updated_timestamp',
        creation_timestamp: 't.creation_timestamp',
      },
      tiebreak: 't.name asc',
      defaultLimit: 100,
      maxLimit: MAX_RESULTS,
    });
    return {
      registered_models: await this.modelObjects(this.db, rows),
      ...(next ? { next_page_token: next } : {}),
    };
  }

  /** One page of a search: MLflow filter and order_by over `table` (aliased t), offset paging. */
  private async searchPage(p: SearchParams, spec: SearchSpec): Promise<{ rows: Row[]; next?: string }> {
    const limit = parseLimit(p.maxResults, spec.defaultLimit, spec.maxLimit);
    const offset = decodePageToken(p.pageToken);
    const f = parseFilter(p.filter, spec.fields, spec.tagTable, spec.tagJoin);
    const order = parseOrderBy(p.orderBy ?? [], spec.order, spec.tiebreak);
    const { rows } = await this.db.query<Row>(
      `select t.* from ${spec.table} t where ${f.where} order by ${order} limit ${limit + 1} offset ${offset}`,
      f.params,
    );
    return {
      rows: rows.slice(0, limit),
      ...(rows.length > limit ? { next: encodePageToken(offset + limit) } : {}),
    };
  }

  async getLatestVersions(name: unknown, stages: unknown): Promise<ModelVersion[]> {
    const model = await this.getRegisteredModel(name);
    const wanted = Array.isArray(stages) && stages.length > 0 ? stages.map(normalizeStage) : undefined;
    return model.latest_versions.filter((v) => !wanted || wanted.includes(v.current_stage));
  }

  async setRegisteredModelTag(name: unknown, key: unknown, value: unknown): Promise<void> {
    const n = requireName(name);
    const k = requireName(key, 'key');
    await this.db.transaction(async (tx) => {
      await this.modelRow(tx, n);
      await tx.query(
        'insert into registered_model_tags (name, key, value) values ($1, $2, $3) on conflict (name, key) do update set value = excluded.value',
        [n, k, String(value ?? '')],
      );
    });
  }

  async deleteRegisteredModelTag(name: unknown, key: unknown): Promise<void> {
    const n = requireName(name);
    await this.modelRow(this.db, n);
    const { rows } = await this.db.query(
      'delete from registered_model_tags where name = $1 and key = $2 returning key',
      [n, requireName(key, 'key')],
    );
    if (rows.length === 0) throw notFound(`No tag with name: ${String(key)} in registered model ${n}`);
  }

  async setAlias(name: unknown, alias: unknown, version: unknown): Promise<void> {
    const n = requireName(name);
    const a = requireName(alias, 'alias');
    if (/^v\d+$/i.test(a) || a.toLowerCase() === 'latest') throw invalid(`Alias name '${a}' is reserved.`);
    const v = parseVersion(version);
    await this.db.transaction(async (tx) => {
      await this.versionRow(tx, n, v);
      await tx.query(
        'insert into registered_model_aliases (name, alias, version) values ($1, $2, $3) on conflict (name, alias) do update set version = excluded.version',
        [n, a, v],
      );
      await tx.query('update registered_models set last_updated_timestamp = $2 where name = $1', [
        n,
        this.now(),
      ]);
    });
  }

  async deleteAlias(name: unknown, alias: unknown): Promise<void> {
    const n = requireName(name);
    await this.modelRow(this.db, n);
    await this.db.query('delete from registered_model_aliases where name = $1 and alias = $2', [
      n,
      requireName(alias, 'alias'),
    ]);
  }

  async getVersionByAlias(name: unknown, alias: unknown): Promise<ModelVersion> {
    const n = requireName(name);
    const a = requireName(alias, 'alias');
    const { rows } = await this.db.query<Row>(
      'select v.* from registered_model_aliases a join model_versions v on v.name = a.name and v.version = a.version where a.name = $1 and a.alias = $2',
      [n, a],
    );
    if (!rows[0]) {
      await this.modelRow(this.db, n);
      throw notFound(`Registered model alias ${a} not found.`);
    }
    return (await this.versionObjects(this.db, rows))[0]!;
  }

  async createModelVersion(input: {
    name?: unknown;
    source?: unknown;
    run_id?: unknown;
    run_link?: unknown;
    description?: unknown;
    tags?: unknown;
  }): Promise<ModelVersion> {
    const name = requireName(input.name);
    const source = requireName(input.source, 'source');
    const tags = parseTags(input.tags);
    const ts = this.now();
    return this.db.transaction(async (tx) => {
      // The row lock of this UPDATE serializes concurrent creates for one model.
      const bumped = await tx.query<Row>(
        'update registered_models set last_version = last_version + 1, last_updated_timestamp = $2 where name = $1 returning last_version',
        [name, ts],
      );
      if (!bumped.rows[0]) throw notFound(`Registered Model with name=${name} not found`);
      const version = Number(bumped.rows[0].last_version);
      const { rows } = await tx.query<Row>(
        'insert into model_versions (name, version, description, source, run_id, run_link, creation_timestamp, last_updated_timestamp) values ($1, $2, $3, $4, $5, $6, $7, $7) returning *',
        [
          name,
          version,
          String(input.description ?? ''),
          source,
          String(input.run_id ?? ''),
          String(input.run_link ?? ''),
          ts,
        ],
      );
      for (const t of tags)
        await tx.query('insert into model_version_tags (name, version, key, value) values ($1, $2, $3, $4)', [
          name,
          version,
          t.key,
          t.value,
        ]);
      return (await this.versionObjects(tx, rows))[0]!;
    });
  }

  async getModelVersion(name: unknown, version: unknown): Promise<ModelVersion> {
    const row = await this.versionRow(this.db, requireName(name), parseVersion(version));
    return (await this.versionObjects(this.db, [row]))[0]!;
  }

  async updateModelVersion(name: unknown, version: unknown, description: unknown): Promise<ModelVersion> {
    const n = requireName(name);
    const v = parseVersion(version);
    const { rows } = await this.db.query<Row>(
      'update model_versions set description = $3, last_updated_timestamp = $4 where name = $1 and version = $2 returning *',
      [n, v, String(description ?? ''), this.now()],
    );
    if (!rows[0]) throw notFound(`Model Version (name=${n}, version=${v}) not found`);
    return (await this.versionObjects(this.db, rows))[0]!;
  }

  async deleteModelVersion(name: unknown, version: unknown): Promise<void> {
    const n = requireName(name);
    const v = parseVersion(version);
    const { rows } = await this.db.query(
      'delete from model_versions where name = $1 and version = $2 returning version',
      [n, v],
    );
    if (rows.length === 0) throw notFound(`Model Version (name=${n}, version=${v}) not found`);
  }

  async searchModelVersions(p: SearchParams) {
    const { rows, next } = await this.searchPage(p, {
      table: 'model_versions',
      fields: {
        name: 't.name',
        run_id: 't.run_id',
        source_path: 't.source',
        version_number: 't.version::text',
        current_stage: 't.current_stage',
      },
      tagTable: 'model_version_tags',
      tagJoin: 'x.name = t.name and x.version = t.version',
      order: {
        name: 't.name',
        version_number: 't.version',
        creation_timestamp: 't.creation_timestamp',
        last_updated_timestamp: 't.last_updated_timestamp',
        timestamp: 't.last_updated_timestamp',
      },
      tiebreak: 't.name asc, t.version desc',
      // MLflow allows 200,000; one page that large serializes for seconds and blocks the loop.
      defaultLimit: MAX_VERSION_RESULTS,
      maxLimit: MAX_VERSION_RESULTS,
    });
    return {
      model_versions: await this.versionObjects(this.db, rows),
      ...(next ? { next_page_token: next } : {}),
    };
  }

  async transitionStage(
    name: unknown,
    version: unknown,
    stage: unknown,
    archiveExisting: unknown,
  ): Promise<ModelVersion> {
    const n = requireName(name);
    const v = parseVersion(version);
    const s = normalizeStage(stage);
    return this.db.transaction(async (tx) => {
      await this.versionRow(tx, n, v);
      const ts = this.now();
      if (
        (archiveExisting === true || archiveExisting === 'true') &&
        (s === 'Staging' || s === 'Production')
      ) {
        await tx.query(
          `update model_versions set current_stage = 'Archived', last_updated_timestamp = $3 where name = $1 and current_stage = $2 and version <> $4`,
          [n, s, ts, v],
        );
      }
      const { rows } = await tx.query<Row>(
        'update model_versions set current_stage = $3, last_updated_timestamp = $4 where name = $1 and version = $2 returning *',
        [n, v, s, ts],
      );
      return (await this.versionObjects(tx, rows))[0]!;
    });
  }

  async setModelVersionTag(name: unknown, version: unknown, key: unknown, value: unknown): Promise<void> {
    const n = requireName(name);
    const v = parseVersion(version);
    const k = requireName(key, 'key');
    await this.db.transaction(async (tx) => {
      await this.versionRow(tx, n, v);
      await tx.query(
        'insert into model_version_tags (name, version, key, value) values ($1, $2, $3, $4) on conflict (name, version, key) do update set value = excluded.value',
        [n, v, k, String(value ?? '')],
      );
    });
  }

  async deleteModelVersionTag(name: unknown, version: unknown, key: unknown): Promise<void> {
    const n = requireName(name);
    const v = parseVersion(version);
    await this.versionRow(this.db, n, v);
    const { rows } = await this.db.query(
      'delete from model_version_tags where name = $1 and version = $2 and key = $3 returning key',
      [n, v, requireName(key, 'key')],
    );
    if (rows.length === 0) throw notFound(`No tag with name: ${String(key)} in model version ${n}/${v}`);
  }
}

function parseTags(tags: unknown): Tag[] {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) throw invalid("Parameter 'tags' must be a list of {key, value}.");
  return tags.map((t) => {
    if (!t || typeof t !== 'object' || typeof (t as Tag).key !== 'string' || (t as Tag).key === '')
      throw invalid("Each tag needs a non-empty string 'key'.");
    return { key: (t as Tag).key, value: String((t as Tag).value ?? '') };
  });
}

function parseLimit(value: unknown, fallback: number, max = MAX_RESULTS): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : /^[0-9]+$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw invalid(
      `Invalid value ${String(value)} for parameter 'max_results' supplied. It must be a positive integer no greater than ${max}.`,
    );
  return n;
}
