/**
 * Versioned schema migrations. Each runs once, in order, inside a transaction; the applied
 * versions are recorded in schema_migrations. Append new migrations, never edit old ones.
 */
import type { Db } from './db.js';

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'model registry',
    sql: `
      create table registered_models (
        name text primary key,
        description text not null default '',
        creation_timestamp bigint not null,
        last_updated_timestamp bigint not null,
        -- The last version number handed out; incremented under the row lock, so concurrent
        -- creates get consecutive numbers and none twice.
        last_version integer not null default 0
      );
      create table registered_model_tags (
        name text not null references registered_models(name) on update cascade on delete cascade,
        key text not null,
        value text not null default '',
        primary key (name, key)
      );
      create table model_versions (
        name text not null references registered_models(name) on update cascade on delete cascade,
        version integer not null,
        description text not null default '',
        source text not null default '',
        run_id text not null default '',
        run_link text not null default '',
        status text not null default 'READY',
        current_stage text not null default 'None',
        creation_timestamp bigint not null,
        last_updated_timestamp bigint not null,
        primary key (name, version)
      );
      create table model_version_tags (
        name text not null,
        version integer not null,
        key text not null,
        value text not null default '',
        primary key (name, version, key),
        foreign key (name, version) references model_versions(name, version) on update cascade on delete cascade
      );
      create table registered_model_aliases (
        name text not null,
        alias text not null,
        version integer not null,
        primary key (name, alias),
        foreign key (name, version) references model_versions(name, version) on update cascade on delete cascade
      );
    `,
  },
];

export async function migrate(db: Db): Promise<number[]> {
  await db.query(
    'create table if not exists schema_migrations (version integer primary key, name text not null, applied_at bigint not null)',
  );
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    const done = await db.transaction(async (tx) => {
      // Two processes migrating at once: the advisory lock makes the second wait, then skip.
      if (db.kind === 'postgres') await tx.query('select pg_advisory_xact_lock(727001)');
      const { rows } = await tx.query('select 1 from schema_migrations where version = $1', [m.version]);
      if (rows.length > 0) return false;
      for (const statement of m.sql.split(/;\s*\n/).filter((s) => s.trim())) await tx.query(statement);
      await tx.query('insert into schema_migrations (version, name, applied_at) values ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
