-- Who may touch what. The backend reaches the database only as service_role (the Lambdas' service key
-- through PostgREST, or local/rpc-server.ts locally). anon and authenticated (the public/browser keys)
-- get nothing for now: there is no customer-facing data path yet.
--
-- Two layers, on purpose: table privileges (anon/authenticated have none) and RLS on every table (so a
-- privilege granted later by accident, e.g. by Supabase's default privileges for new tables, still
-- exposes no rows).

grant usage on schema public to anon, authenticated, service_role;
-- internal holds helpers the public functions call (security invoker), so the caller needs them.
revoke all on schema internal from public;
grant usage on schema internal to service_role;

-- Table privileges -----------------------------------------------------------------------------------
revoke all on all tables in schema public from public, anon, authenticated;
grant select, insert, update, delete on all tables in schema public to service_role;
grant usage, select on all sequences in schema public to service_role;
-- queue_history is append-only for everyone; the trigger refuses UPDATE even for the owner.
revoke update, truncate on public.queue_history from service_role;

-- Objects created later by the role running migrations must not be granted to the API roles by default
-- (Supabase grants new tables and functions in public to anon and authenticated unless told otherwise).
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
alter default privileges in schema public revoke execute on functions from anon, authenticated;
alter default privileges revoke execute on functions from public;

-- Row level security ---------------------------------------------------------------------------------
-- Every table: service_role may do everything (it bypasses RLS anyway; the policy states the intent
-- and keeps working if BYPASSRLS is ever dropped), anon and authenticated see and change nothing.
do $$
declare
  t text;
begin
  foreach t in array array[
    'customers', 'directories', 'jobs', 'job_results', 'worker_heartbeats', 'queue_history',
    'rate_limit_requests', 'api_idempotency_keys', 'dlq_alerts'
  ]
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format(
      'create policy service_role_all on public.%I as permissive for all to service_role using (true) with check (true)', t);
    execute format(
      'create policy anon_none on public.%I as restrictive for all to anon using (false) with check (false)', t);
    execute format(
      'create policy authenticated_none on public.%I as restrictive for all to authenticated using (false) with check (false)', t);
  end loop;
end
$$;

-- queue_history: service_role may read, insert and (retention) delete, never update.
drop policy service_role_all on public.queue_history;
create policy service_role_read on public.queue_history as permissive for select to service_role using (true);
create policy service_role_append on public.queue_history as permissive for insert to service_role with check (true);
create policy service_role_retention on public.queue_history as permissive for delete to service_role using (true);

-- Timeouts for the roles the system uses (the audit: "no query timeout; set statement_timeout = 30s").
-- PostgREST applies these role settings when it switches to the role; so does local/rpc-server.ts.
-- anon/authenticated get Supabase's defaults.
alter role service_role set statement_timeout = '30s';
-- A claim waits on a row lock at most this long instead of piling up behind a stuck transaction.
alter role service_role set lock_timeout = '10s';
alter role authenticated set statement_timeout = '8s';
alter role anon set statement_timeout = '3s';
