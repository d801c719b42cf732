-- Local-only bootstrap: recreates the parts of a Supabase project that exist before any migration runs,
-- so that supabase/migrations apply unchanged to plain PostgreSQL (embedded-postgres, any DATABASE_URL)
-- and to Supabase. Never run this against Supabase: there these objects already exist and belong to
-- supabase_admin.
--
-- Idempotent: local/runtime/migrate.ts runs it before the migrations on every start.

-- The API roles. PostgREST connects as `authenticator` and switches (SET ROLE) to the role named in the
-- request's JWT; `service_role` is what the backend's service key maps to and bypasses RLS, exactly as on
-- Supabase. anon/authenticated/service_role cannot log in themselves.
do $$
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticator') then
    -- No password: locally the RPC server connects with the database owner's URL and switches role per
    -- request, as PostgREST does after logging in as authenticator.
    create role authenticator login noinherit;
  end if;
  -- Membership lets authenticator SET ROLE to each API role; granted only when missing so re-runs stay quiet.
  if not pg_catalog.pg_has_role('authenticator', 'anon', 'member') then
    grant anon to authenticator;
  end if;
  if not pg_catalog.pg_has_role('authenticator', 'authenticated', 'member') then
    grant authenticated to authenticator;
  end if;
  if not pg_catalog.pg_has_role('authenticator', 'service_role', 'member') then
    grant service_role to authenticator;
  end if;
end
$$;

-- Supabase's auth helpers, reading the claims PostgREST puts into the transaction
-- (`set local request.jwt.claims = '<json>'`). The older single-claim settings
-- (request.jwt.claim.sub / .role) are honoured first, as Supabase's own definitions do.
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create or replace function auth.jwt()
returns jsonb
language sql
stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

create or replace function auth.uid()
returns uuid
language sql
stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role()
returns text
language sql
stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

grant execute on function auth.jwt(), auth.uid(), auth.role() to anon, authenticated, service_role;
