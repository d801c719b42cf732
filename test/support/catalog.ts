/**
 * What a database's schema is, read from the catalog: two databases built in different ways (the
 * migrations, or supabase/schema.sql) are the same schema when their catalogs are equal. Everything is
 * described by name and by Postgres' own rendering (format_type, pg_get_constraintdef, pg_get_indexdef,
 * pg_get_triggerdef, pg_get_functiondef, pg_get_viewdef), never by oid, so the comparison is independent
 * of creation order.
 */
import type pg from 'pg';

/** The schemas the project owns; the bootstrap's auth helpers and Supabase's own schemas are not ours. */
export const OWN_SCHEMAS = ['public', 'internal'] as const;

type Queryable = Pick<pg.Pool | pg.Client | pg.PoolClient, 'query'>;

export interface Catalog {
  schemas: string[];
  tables: string[];
  columns: string[];
  constraints: string[];
  indexes: string[];
  triggers: string[];
  policies: string[];
  views: string[];
  sequences: string[];
  types: string[];
  functions: string[];
  grants: string[];
  defaultPrivileges: string[];
  comments: string[];
}

async function lines(db: Queryable, sql: string): Promise<string[]> {
  const result = await db.query<{ line: string }>(sql, sql.includes('$1') ? [OWN_SCHEMAS] : []);
  return result.rows.map((r) => r.line).sort();
}

/** The schema of the database behind `db`, as sorted lines per kind of object (diffable by jest). */
export async function readCatalog(db: Queryable): Promise<Catalog> {
  const ownNamespace = `n.nspname = any($1::text[])`;
  return {
    schemas: await lines(
      db,
      `select n.nspname || ' owner=' || pg_get_userbyid(n.nspowner) as line
         from pg_namespace n where ${ownNamespace}`,
    ),
    tables: await lines(
      db,
      `select n.nspname || '.' || c.relname || ' kind=' || c.relkind::text || ' rls=' || c.relrowsecurity
              || ' force_rls=' || c.relforcerowsecurity || ' options=' || coalesce(c.reloptions::text, '')
              as line
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where ${ownNamespace} and c.relkind in ('r', 'p', 'v', 'm', 'f')`,
    ),
    columns: await lines(
      db,
      `select n.nspname || '.' || c.relname || ' #' || a.attnum || ' ' || a.attname || ' '
              || format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else '' end
              || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
              || case when a.attidentity <> '' then ' identity=' || a.attidentity::text else '' end
              || case when a.attgenerated <> '' then ' generated=' || a.attgenerated::text else '' end as line
         from pg_attribute a
         join pg_class c on c.oid = a.attrelid
         join pg_namespace n on n.oid = c.relnamespace
         left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where ${ownNamespace} and c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 and not a.attisdropped`,
    ),
    constraints: await lines(
      db,
      `select n.nspname || '.' || c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid, true)
              || case when k.condeferrable then ' deferrable' else '' end as line
         from pg_constraint k
         join pg_class c on c.oid = k.conrelid
         join pg_namespace n on n.oid = c.relnamespace
        where ${ownNamespace}`,
    ),
    indexes: await lines(
      db,
      `select pg_get_indexdef(i.indexrelid) as line
         from pg_index i
         join pg_class c on c.oid = i.indrelid
         join pg_namespace n on n.oid = c.relnamespace
        where ${ownNamespace}`,
    ),
    triggers: await lines(
      db,
      `select pg_get_triggerdef(t.oid, true) || ' enabled=' || t.tgenabled::text as line
         from pg_trigger t
         join pg_class c on c.oid = t.tgrelid
         join pg_namespace n on n.oid = c.relnamespace
        where ${ownNamespace} and not t.tgisinternal`,
    ),
    policies: await lines(
      db,
      `select schemaname || '.' || tablename || ' ' || policyname || ' ' || permissive || ' ' || cmd
              || ' to ' || roles::text || ' using ' || coalesce(qual, '-') || ' check ' || coalesce(with_check, '-')
              as line
         from pg_policies where schemaname = any($1::text[])`,
    ),
    views: await lines(
      db,
      `select n.nspname || '.' || c.relname || ' ' || pg_get_viewdef(c.oid, true) as line
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where ${ownNamespace} and c.relkind in ('v', 'm')`,
    ),
    sequences: await lines(
      db,
      `select n.nspname || '.' || c.relname || ' ' || format_type(s.seqtypid, null) || ' start=' || s.seqstart
              || ' increment=' || s.seqincrement || ' cycle=' || s.seqcycle as line
         from pg_sequence s
         join pg_class c on c.oid = s.seqrelid
         join pg_namespace n on n.oid = c.relnamespace
        where ${ownNamespace}`,
    ),
    types: await lines(
      db,
      `select n.nspname || '.' || t.typname || ' type=' || t.typtype::text
              || coalesce(' labels=' || (select string_agg(e.enumlabel, ',' order by e.enumsortorder)
                                           from pg_enum e where e.enumtypid = t.oid), '') as line
         from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where ${ownNamespace} and t.typtype in ('e', 'd', 'c')
          and (t.typrelid = 0 or (select c.relkind from pg_class c where c.oid = t.typrelid) = 'c')`,
    ),
    functions: await lines(
      db,
      `select pg_get_functiondef(p.oid) as line
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where ${ownNamespace}`,
    ),
    grants: await lines(
      db,
      `select kind || ' ' || name || ' ' || coalesce(acl::text, 'default') as line
         from (
           select 'schema' as kind, n.nspname as name, n.nspacl as acl
             from pg_namespace n where ${ownNamespace}
           union all
           select 'relation', n.nspname || '.' || c.relname, c.relacl
             from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where ${ownNamespace} and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
           union all
           select 'function', p.oid::regprocedure::text, p.proacl
             from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where ${ownNamespace}
         ) objects`,
    ),
    defaultPrivileges: await lines(
      db,
      `select coalesce(n.nspname, '*') || ' ' || d.defaclobjtype::text || ' ' || d.defaclacl::text as line
         from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace`,
    ),
    comments: await lines(
      db,
      `select pg_describe_object(d.classoid, d.objoid, d.objsubid) || ' is ' || d.description as line
         from pg_description d
        where (d.classoid = 'pg_namespace'::regclass
                 and d.objoid in (select oid from pg_namespace n where ${ownNamespace}))
           or (d.classoid = 'pg_class'::regclass
                 and d.objoid in (select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
                                   where ${ownNamespace}))
           or (d.classoid = 'pg_proc'::regclass
                 and d.objoid in (select p.oid from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                                   where ${ownNamespace}))
           or (d.classoid = 'pg_constraint'::regclass
                 and d.objoid in (select k.oid from pg_constraint k join pg_namespace n on n.oid = k.connamespace
                                   where ${ownNamespace}))`,
    ),
  };
}
