-- API keys that a bad neighbour cannot lock out, rotation with an overlap, keys with an expiry, and
-- figures scoped to the caller (issue 12).
--
-- Conventions as in 20251102090500_api_access.sql: jsonb results, 22023 naming the argument, P0002
-- for unknown rows, a queue_history row for every key state change, security invoker, search_path
-- pinned, EXECUTE for service_role only.
--
-- A key's state, from its columns and the database clock (internal.api_key_state):
--   active   accepted;
--   rotated  replaced by a new key and still inside its grace period (expires_at): accepted, and the
--            API logs each use so the client that still holds it can be found;
--   expired  past expires_at (an expiry given at creation, or the end of a rotation's grace): refused;
--   revoked  refused at once.

alter table public.api_keys
  add column expires_at timestamptz,
  add constraint api_keys_expires_after_creation check (expires_at is null or expires_at > created_at);
comment on column public.api_keys.expires_at is
  'The key is refused from this moment: an expiry set at creation, or the end of a rotation''s grace period.';

create or replace function internal.api_key_state(k public.api_keys)
returns text
language sql
stable
set search_path = ''
as $$
  select case
    when k.revoked_at is not null then 'revoked'
    when k.expires_at is not null and k.expires_at <= pg_catalog.now() then 'expired'
    when k.replaced_by is not null then 'rotated'
    else 'active' end
$$;

-- Replaces the immutable one of 20251102090500: the state depends on the clock.
create or replace function internal.api_key_json(k public.api_keys)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'key_id', k.id, 'key_prefix', k.key_prefix, 'role', k.role, 'customer_id', k.customer_id,
    'label', k.label, 'created_at', k.created_at, 'revoked_at', k.revoked_at, 'replaced_by', k.replaced_by,
    'expires_at', k.expires_at, 'state', internal.api_key_state(k))
$$;

-- ===================================================================================================
-- create_api_key: as before, with an optional expiry (in the future).
-- ===================================================================================================
drop function public.create_api_key(text, text, text, uuid, text);

create or replace function public.create_api_key(
  p_key_hash text, p_key_prefix text, p_role text, p_customer_id uuid default null, p_label text default null,
  p_expires_at timestamptz default null
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  k public.api_keys;
begin
  perform internal.check_key_hash('p_key_hash', p_key_hash);
  perform internal.check_key_prefix('p_key_prefix', p_key_prefix);
  if p_role is null or p_role not in ('customer', 'staff', 'admin') then
    perform internal.invalid_argument(format('p_role must be one of customer, staff, admin (got %s)', coalesce(p_role, 'null')));
  end if;
  if p_role = 'customer' and p_customer_id is null then
    perform internal.invalid_argument('p_customer_id is required for a customer key');
  end if;
  if p_role <> 'customer' and p_customer_id is not null then
    perform internal.invalid_argument('p_customer_id must be null for a staff or admin key');
  end if;
  if p_label is not null and (length(btrim(p_label)) = 0 or length(p_label) > 200) then
    perform internal.invalid_argument('p_label must be 1 to 200 characters');
  end if;
  if p_expires_at is not null and p_expires_at <= now() then
    perform internal.invalid_argument(format('p_expires_at must be in the future (got %s)', p_expires_at));
  end if;
  if p_customer_id is not null and not exists (select 1 from public.customers where id = p_customer_id) then
    raise exception 'customer % not found (p_customer_id)', p_customer_id using errcode = 'P0002';
  end if;
  if exists (select 1 from public.api_keys where key_hash = p_key_hash) then
    perform internal.invalid_argument('p_key_hash is already registered');
  end if;

  insert into public.api_keys (key_hash, key_prefix, role, customer_id, label, expires_at)
  values (p_key_hash, p_key_prefix, p_role, p_customer_id, p_label, p_expires_at)
  returning * into k;
  perform internal.log_event(null, null, 'api_key_created', null, 'active', null, null,
    jsonb_build_object('key_id', k.id, 'role', k.role, 'customer_id', k.customer_id, 'key_prefix', k.key_prefix,
                       'expires_at', k.expires_at));
  return internal.api_key_json(k);
end
$$;

-- ===================================================================================================
-- rotate_api_key: a new key for the same principal; the old key keeps working for p_grace_seconds
-- (API_ACCESS.rotationGraceSeconds by default in the callers, 0 for a leaked key: revoked at once), so
-- a client can switch over without an outage. The new key keeps the old one's expiry: rotating does
-- not extend a key that was issued for a limited time, and the grace never outlives that expiry.
-- ===================================================================================================
drop function public.rotate_api_key(uuid, text, text);

create or replace function public.rotate_api_key(
  p_key_id uuid, p_new_key_hash text, p_new_key_prefix text, p_grace_seconds int
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  old_key public.api_keys;
  new_key public.api_keys;
  v_state text;
begin
  if p_key_id is null then
    perform internal.invalid_argument('p_key_id is required');
  end if;
  perform internal.check_key_hash('p_new_key_hash', p_new_key_hash);
  perform internal.check_key_prefix('p_new_key_prefix', p_new_key_prefix);
  -- At most 30 days: an overlap longer than that is two keys, not a rotation.
  perform internal.check_seconds('p_grace_seconds', p_grace_seconds, 0, 2592000);
  select * into old_key from public.api_keys where id = p_key_id for update;
  if not found then
    raise exception 'api key % not found (p_key_id)', p_key_id using errcode = 'P0002';
  end if;
  v_state := internal.api_key_state(old_key);
  if v_state = 'rotated' then
    perform internal.invalid_argument(format('p_key_id was already rotated; rotate its replacement %s instead', old_key.replaced_by));
  elsif v_state <> 'active' then
    perform internal.invalid_argument(format('p_key_id is %s; create a new key instead', v_state));
  end if;
  if exists (select 1 from public.api_keys where key_hash = p_new_key_hash) then
    perform internal.invalid_argument('p_new_key_hash is already registered');
  end if;

  insert into public.api_keys (key_hash, key_prefix, role, customer_id, label, expires_at)
  values (p_new_key_hash, p_new_key_prefix, old_key.role, old_key.customer_id, old_key.label, old_key.expires_at)
  returning * into new_key;
  if p_grace_seconds = 0 then
    update public.api_keys set revoked_at = now(), replaced_by = new_key.id where id = old_key.id
    returning * into old_key;
  else
    update public.api_keys
       set replaced_by = new_key.id,
           expires_at = least(coalesce(expires_at, 'infinity'), now() + make_interval(secs => p_grace_seconds))
     where id = old_key.id
    returning * into old_key;
  end if;
  perform internal.log_event(null, null, 'api_key_rotated', 'active', internal.api_key_state(old_key), null, null,
    jsonb_build_object('key_id', old_key.id, 'new_key_id', new_key.id, 'role', old_key.role,
                       'customer_id', old_key.customer_id, 'key_prefix', new_key.key_prefix,
                       'grace_seconds', p_grace_seconds, 'old_key_expires_at', old_key.expires_at));
  return jsonb_build_object('old', internal.api_key_json(old_key), 'new', internal.api_key_json(new_key));
end
$$;

-- ===================================================================================================
-- resolve_api_key: the principal behind a key hash with its state, or null for an unknown key.
-- Refused keys are returned too, so the API can tell "revoked" and "expired" (403) from "unknown" (401).
-- ===================================================================================================
create or replace function public.resolve_api_key(p_key_hash text)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  k public.api_keys;
  v_tier text;
  v_state text;
begin
  perform internal.check_key_hash('p_key_hash', p_key_hash);
  select * into k from public.api_keys where key_hash = p_key_hash;
  if not found then
    return null;
  end if;
  if k.customer_id is not null then
    select tier into v_tier from public.customers where id = k.customer_id;
  end if;
  v_state := internal.api_key_state(k);
  return jsonb_build_object('key_id', k.id, 'role', k.role, 'customer_id', k.customer_id,
                            'customer_tier', v_tier, 'state', v_state, 'revoked', v_state = 'revoked',
                            'replaced_by', k.replaced_by, 'expires_at', k.expires_at);
end
$$;

-- ===================================================================================================
-- admit_api_request: the key is looked at FIRST. A key Postgres accepts (active, or rotated within
-- its grace) is never refused because of failures counted against its IP: five bad requests from a
-- shared NAT or proxy must not lock out every good client behind it (they used to, for 15 minutes).
-- Only a request whose key is not accepted (unknown, revoked, expired) meets the IP's failed-key
-- counter: it is charged there, and refused with 'ip_blocked' (429) once the IP has failed too often,
-- so a guesser gets nothing but 429s. A guess that hits a valid key would be served even then; with
-- 256 random bits per key that is not a risk worth locking good clients out for, and the WAF's rate
-- rule per IP still bounds how fast anyone can ask.
--   1. the key is resolved;
--   2. not accepted: the IP's failed-key counter is charged ('unknown', 'revoked', 'expired'), or
--      the request is refused without charging it ('ip_blocked');
--   3. a key whose role may not use the route is refused without charging the route's limit
--      ('forbidden');
--   4. the route's limit is charged to the key ('admitted', with the limit decision).
-- Rate-limit counters are not queue state: no queue_history row.
-- ===================================================================================================
create or replace function public.admit_api_request(
  p_key_hash text,
  p_ip_subject text,
  p_auth_route text,
  p_auth_limit int,
  p_auth_window_seconds int,
  p_route text,
  p_roles text[],
  p_limit int,
  p_window_seconds int
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_guard jsonb;
  v_key jsonb;
begin
  perform internal.check_key_hash('p_key_hash', p_key_hash);
  if p_roles is null or cardinality(p_roles) = 0
     or exists (select 1 from unnest(p_roles) r where r is null or r not in ('customer', 'staff', 'admin')) then
    perform internal.invalid_argument('p_roles must be a non-empty list of customer, staff, admin');
  end if;

  -- Every argument is checked before anything is read or counted, whichever path the key takes.
  if p_ip_subject is null or length(p_ip_subject) not between 1 and 200 then
    perform internal.invalid_argument('p_ip_subject must be 1 to 200 characters');
  end if;
  if p_auth_route is null or length(p_auth_route) not between 1 and 200 then
    perform internal.invalid_argument('p_auth_route must be 1 to 200 characters');
  end if;
  if p_auth_limit is null or p_auth_limit not between 1 and 1000000 then
    perform internal.invalid_argument(format('p_auth_limit must be between 1 and 1000000 (got %s)', coalesce(p_auth_limit::text, 'null')));
  end if;
  perform internal.check_seconds('p_auth_window_seconds', p_auth_window_seconds, 1, 86400);
  if p_route is null or length(p_route) not between 1 and 200 then
    perform internal.invalid_argument('p_route must be 1 to 200 characters');
  end if;
  if p_limit is null or p_limit not between 1 and 1000000 then
    perform internal.invalid_argument(format('p_limit must be between 1 and 1000000 (got %s)', coalesce(p_limit::text, 'null')));
  end if;
  perform internal.check_seconds('p_window_seconds', p_window_seconds, 1, 86400);

  v_key := public.resolve_api_key(p_key_hash);
  if v_key is null or v_key->>'state' not in ('active', 'rotated') then
    -- check_rate_limit refuses without counting once the limit is reached.
    v_guard := public.check_rate_limit(p_ip_subject, p_auth_route, p_auth_limit, p_auth_window_seconds, 1);
    if not (v_guard->>'allowed')::boolean then
      return jsonb_build_object('outcome', 'ip_blocked', 'auth', v_guard);
    end if;
    return jsonb_build_object('outcome', coalesce(v_key->>'state', 'unknown'), 'auth', v_guard);
  end if;

  if not (v_key->>'role' = any (p_roles)) then
    return jsonb_build_object('outcome', 'forbidden', 'principal', v_key);
  end if;

  return jsonb_build_object(
    'outcome', 'admitted',
    'principal', v_key,
    'limit', public.check_rate_limit('key:' || (v_key->>'key_id'), p_route, p_limit, p_window_seconds, 1));
end
$$;

-- ===================================================================================================
-- api_metrics: GET /metrics. p_customer_id null: every customer (staff, admin); otherwise only that
-- customer's jobs and tasks (a customer key), so no customer learns another's volume. The backlog per
-- priority counts only the customer's own waiting tasks; whether a priority is paused is shown to all
-- (it explains a wait), the count of paused directories only to operators.
-- ===================================================================================================
drop function public.api_metrics();

create or replace function public.api_metrics(p_customer_id uuid default null)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  v_today timestamptz := date_trunc('day', now());
  v_jobs jsonb;
  v_tasks jsonb;
  v_today_json jsonb;
  v_backlog jsonb;
  v_result jsonb;
begin
  select coalesce(jsonb_object_agg(s.status, coalesce(x.n, 0)), '{}'::jsonb) into v_jobs
    from (values ('pending'), ('in_progress'), ('completed'), ('failed'), ('cancelled')) s(status)
    left join (select status, count(*) n from public.jobs
                where p_customer_id is null or customer_id = p_customer_id group by status) x
      on x.status = s.status;
  select coalesce(jsonb_object_agg(s.status, coalesce(x.n, 0)), '{}'::jsonb) into v_tasks
    from (values ('pending'), ('queued'), ('in_progress'), ('submitted'), ('needs_manual'), ('failed'),
                 ('dead_lettered')) s(status)
    left join (select r.status, count(*) n from public.job_results r join public.jobs j on j.id = r.job_id
                where p_customer_id is null or j.customer_id = p_customer_id group by r.status) x
      on x.status = s.status;
  select jsonb_build_object(
           'jobs_completed', (select count(*) from public.jobs where status = 'completed' and completed_at >= v_today
                                and (p_customer_id is null or customer_id = p_customer_id)),
           'jobs_failed', (select count(*) from public.jobs where status = 'failed' and completed_at >= v_today
                             and (p_customer_id is null or customer_id = p_customer_id)),
           'tasks_submitted', count(*) filter (where r.status = 'submitted'),
           'tasks_needs_manual', count(*) filter (where r.status = 'needs_manual'),
           'tasks_failed', count(*) filter (where r.status in ('failed', 'dead_lettered')))
    into v_today_json
    from public.job_results r join public.jobs j on j.id = r.job_id
   where r.completed_at >= v_today and (p_customer_id is null or j.customer_id = p_customer_id);
  select jsonb_object_agg(p.priority, jsonb_build_object(
           'waiting', (select count(*) from public.job_results r join public.jobs j on j.id = r.job_id
                        where r.status in ('pending', 'queued') and j.priority = p.priority
                          and (p_customer_id is null or j.customer_id = p_customer_id)),
           'in_progress', (select count(*) from public.job_results r join public.jobs j on j.id = r.job_id
                            where r.status = 'in_progress' and j.priority = p.priority
                              and (p_customer_id is null or j.customer_id = p_customer_id)),
           'oldest_waiting_seconds', (select floor(extract(epoch from now() - min(coalesce(r.queued_at, r.created_at))))
                                        from public.job_results r join public.jobs j on j.id = r.job_id
                                       where r.status in ('pending', 'queued') and j.priority = p.priority
                                         and (p_customer_id is null or j.customer_id = p_customer_id)),
           'paused', exists (select 1 from public.processing_pauses x where x.scope = 'priority' and x.priority = p.priority)))
    into v_backlog
    from (values ('p1'), ('p2'), ('p3')) p(priority);
  v_result := jsonb_build_object('scope', case when p_customer_id is null then 'all' else 'customer' end,
                                 'jobs_by_status', v_jobs, 'tasks_by_status', v_tasks, 'today', v_today_json,
                                 'backlog_by_priority', v_backlog, 'database_time', now());
  if p_customer_id is null then
    v_result := v_result || jsonb_build_object(
      'paused_directories', (select count(*) from public.processing_pauses where scope = 'directory'));
  else
    v_result := v_result || jsonb_build_object('customer_id', p_customer_id);
  end if;
  return v_result;
end
$$;

-- ===================================================================================================
-- Privileges: service_role only (the dropped and re-created functions lost theirs).
-- ===================================================================================================
revoke all on function public.create_api_key(text, text, text, uuid, text, timestamptz) from public, anon, authenticated;
revoke all on function public.rotate_api_key(uuid, text, text, int) from public, anon, authenticated;
revoke all on function public.api_metrics(uuid) from public, anon, authenticated;
grant execute on function public.create_api_key(text, text, text, uuid, text, timestamptz) to service_role;
grant execute on function public.rotate_api_key(uuid, text, text, int) to service_role;
grant execute on function public.api_metrics(uuid) to service_role;

revoke all on all functions in schema internal from public, anon, authenticated;
grant execute on all functions in schema internal to service_role;
