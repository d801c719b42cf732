-- The API surface: API keys mapped to principals (customer, staff, admin) with rotation, expiry and
-- per key/route rate limits (admit_api_request), idempotent job creation, job listing, updates with
-- optimistic locking, cancellation, the per-customer queue view, submissions, metrics, admin views of
-- workers and dead letters, and the operator's pauses of processing.
--
-- Conventions (the Lambda code is written against them): every function returns jsonb with snake_case
-- keys; bad arguments raise SQLSTATE 22023 (invalid_parameter_value) with a message naming the argument
-- and change nothing; unknown referenced rows raise P0002 (no_data_found); every state change writes a
-- queue_history row in the same transaction; security invoker, search_path pinned; EXECUTE for
-- service_role only (20261205100500_baseline_function_privileges.sql).
-- Conflicts the API answers with 409 raise 23505 (duplicate) or 55006 (object in use).
--
-- Constants mirrored from lambdas/platform/system-config.ts (test/supabase/api-access.test.ts and
-- test/supabase/api-surface.test.ts check them):
--   API_ACCESS.jobsPage.max = 200, API_ACCESS.maxNotesLength = 2000, API_ACCESS.roles
--   API_SURFACE.page.max = 200, API_SURFACE.pauseRecheckSeconds = 30

-- ===================================================================================================
-- helpers
-- ===================================================================================================
create or replace function internal.check_key_hash(p_name text, p_hash text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_hash is null or p_hash !~ '^[0-9a-f]{64}$' then
    perform internal.invalid_argument(pg_catalog.format('%s must be 64 lowercase hex characters (a SHA-256)', p_name));
  end if;
end
$$;

create or replace function internal.check_key_prefix(p_name text, p_prefix text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_prefix is null or p_prefix !~ '^[A-Za-z0-9_-]{4,16}$' then
    perform internal.invalid_argument(pg_catalog.format('%s must be 4 to 16 characters of [A-Za-z0-9_-]', p_name));
  end if;
end
$$;

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

-- Stable, not immutable: a key's state depends on the clock.
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

-- A job as the API lists it (without per-task results).
create or replace function internal.job_summary(j public.jobs)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'job_id', j.id, 'customer_id', j.customer_id, 'status', j.status, 'priority', j.priority,
    'version', j.version, 'package_size', j.package_size, 'notes', j.notes,
    'tasks_total', j.tasks_total, 'tasks_submitted', j.tasks_submitted,
    'tasks_needs_manual', j.tasks_needs_manual, 'tasks_failed', j.tasks_failed,
    'tasks_dead_lettered', j.tasks_dead_lettered, 'tasks_already_listed', j.tasks_already_listed,
    'created_at', j.created_at, 'updated_at', j.updated_at, 'started_at', j.started_at,
    'completed_at', j.completed_at)
$$;

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

create or replace function public.revoke_api_key(p_key_id uuid)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  k public.api_keys;
begin
  if p_key_id is null then
    perform internal.invalid_argument('p_key_id is required');
  end if;
  select * into k from public.api_keys where id = p_key_id for update;
  if not found then
    raise exception 'api key % not found (p_key_id)', p_key_id using errcode = 'P0002';
  end if;
  if k.revoked_at is not null then
    -- Revoking twice changes nothing and says so.
    return internal.api_key_json(k) || jsonb_build_object('already_revoked', true);
  end if;
  update public.api_keys set revoked_at = now() where id = k.id returning * into k;
  perform internal.log_event(null, null, 'api_key_revoked', 'active', 'revoked', null, null,
    jsonb_build_object('key_id', k.id, 'role', k.role, 'customer_id', k.customer_id, 'key_prefix', k.key_prefix));
  return internal.api_key_json(k) || jsonb_build_object('already_revoked', false);
end
$$;

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

create or replace function public.list_api_keys(p_customer_id uuid default null)
returns jsonb
language sql
stable
security invoker
set search_path = public
as $$
  select coalesce(jsonb_agg(internal.api_key_json(k) order by k.created_at, k.id), '[]'::jsonb)
    from public.api_keys k
   where p_customer_id is null or k.customer_id = p_customer_id
$$;

-- ===================================================================================================
-- check_rate_limit: one atomic step of a fixed window per (subject, route) that starts at the
-- subject's first request (not at a wall-clock minute, so a burst is never split across two windows).
-- p_cost 0 only looks (the failed-key counter is read before a key is checked, charged after).
-- A refused request does not count: the window's count never exceeds the limit.
-- Counters are not queue state: no queue_history row (one per API request would flood the trail).
-- ===================================================================================================
create or replace function public.check_rate_limit(
  p_subject text, p_route text, p_limit int, p_window_seconds int, p_cost int default 1
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  r public.rate_limit_requests;
  v_now timestamptz := clock_timestamp();
  v_allowed boolean;
  v_count int;
  v_start timestamptz;
  v_reset timestamptz;
begin
  if p_subject is null or length(p_subject) not between 1 and 200 then
    perform internal.invalid_argument('p_subject must be 1 to 200 characters');
  end if;
  if p_route is null or length(p_route) not between 1 and 200 then
    perform internal.invalid_argument('p_route must be 1 to 200 characters');
  end if;
  if p_limit is null or p_limit < 1 or p_limit > 1000000 then
    perform internal.invalid_argument(format('p_limit must be between 1 and 1000000 (got %s)', coalesce(p_limit::text, 'null')));
  end if;
  if p_window_seconds is null or p_window_seconds < 1 or p_window_seconds > 86400 then
    perform internal.invalid_argument(format('p_window_seconds must be between 1 and 86400 (got %s)',
      coalesce(p_window_seconds::text, 'null')));
  end if;
  if p_cost is null or p_cost < 0 or p_cost > p_limit then
    perform internal.invalid_argument(format('p_cost must be between 0 and p_limit (got %s)', coalesce(p_cost::text, 'null')));
  end if;

  -- Serializes the requests of one subject and route (the first insert of a window included).
  perform pg_advisory_xact_lock(hashtextextended(p_subject || ' ' || p_route, 0));

  select * into r
    from public.rate_limit_requests
   where key = p_subject and route = p_route
     and window_start > v_now - make_interval(secs => p_window_seconds)
   order by window_start desc
   limit 1;

  if found then
    v_start := r.window_start;
    v_allowed := case when p_cost = 0 then r.count < p_limit else r.count + p_cost <= p_limit end;
    v_count := r.count;
    if v_allowed and p_cost > 0 then
      update public.rate_limit_requests set count = count + p_cost
       where key = r.key and route = r.route and window_start = r.window_start
      returning count into v_count;
    end if;
  else
    v_start := v_now;
    v_allowed := true;
    v_count := 0;
    if p_cost > 0 then
      insert into public.rate_limit_requests (key, route, window_start, count)
      values (p_subject, p_route, v_start, p_cost);
      v_count := p_cost;
    end if;
  end if;

  v_reset := v_start + make_interval(secs => p_window_seconds);
  return jsonb_build_object(
    'allowed', v_allowed,
    'limit', p_limit,
    'remaining', greatest(p_limit - v_count, 0),
    'reset_at', v_reset,
    'retry_after_seconds', greatest(ceil(extract(epoch from v_reset - v_now))::int, 1));
end
$$;

-- ===================================================================================================
-- create_job_idempotent: POST /jobs with an Idempotency-Key. The key row and the job commit together,
-- so a retry either finds both or neither; a concurrent retry waits on the key's unique index and then
-- replays. The same key with another body is a conflict.
-- ===================================================================================================
create or replace function public.create_job_idempotent(
  p_principal text, p_idempotency_key text, p_request_hash text,
  p_customer_id uuid, p_directory_ids uuid[], p_priority text default null, p_notes text default null
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  k public.api_idempotency_keys;
  v_job jsonb;
  v_inserted int;
  v_response jsonb;
begin
  if p_principal is null or length(p_principal) not between 1 and 200 then
    perform internal.invalid_argument('p_principal must be 1 to 200 characters');
  end if;
  if p_idempotency_key is null or p_idempotency_key !~ '^[\x21-\x7e]{1,255}$' then
    perform internal.invalid_argument('p_idempotency_key must be 1 to 255 visible ASCII characters');
  end if;
  if p_request_hash is null or p_request_hash !~ '^[0-9a-f]{64}$' then
    perform internal.invalid_argument('p_request_hash must be 64 lowercase hex characters (a SHA-256)');
  end if;
  if p_notes is not null and length(p_notes) > 2000 then
    perform internal.invalid_argument('p_notes must be at most 2000 characters');
  end if;

  insert into public.api_idempotency_keys (principal, key, request_hash)
  values (p_principal, p_idempotency_key, p_request_hash)
  on conflict (principal, key) do nothing;
  get diagnostics v_inserted = row_count;

  if v_inserted = 0 then
    select * into k from public.api_idempotency_keys where principal = p_principal and key = p_idempotency_key;
    if k.request_hash <> p_request_hash then
      return jsonb_build_object('outcome', 'conflict');
    end if;
    v_response := k.response;
    -- Saved by record_idempotent_response after the messages were sent; if the first request died
    -- before that, the job exists and its enqueued count is read live.
    if k.status_code is null and v_response is not null then
      v_response := v_response || jsonb_build_object('tasks_enqueued',
        (select count(*) from public.job_results r
          where r.job_id = (v_response ->> 'job_id')::uuid and r.status <> 'pending'));
    end if;
    return jsonb_build_object('outcome', 'replayed', 'status_code', coalesce(k.status_code, 201),
                              'response', v_response);
  end if;

  -- create_job raises (22023 / P0002) on bad input, and the key row rolls back with it.
  v_job := public.create_job(p_customer_id, p_directory_ids, p_priority);
  if p_notes is not null then
    update public.jobs set notes = p_notes where id = (v_job ->> 'job_id')::uuid;
  end if;
  v_response := jsonb_build_object(
    'job_id', v_job -> 'job_id', 'priority', v_job -> 'priority', 'status', 'pending',
    'created_at', v_job -> 'created_at', 'tasks_total', jsonb_array_length(v_job -> 'tasks'),
    'tasks_enqueued', 0);
  update public.api_idempotency_keys set response = v_response
   where principal = p_principal and key = p_idempotency_key;
  return jsonb_build_object('outcome', 'created', 'job', v_job);
end
$$;

-- The answer the first request gave, stored for replays.
create or replace function public.record_idempotent_response(
  p_principal text, p_idempotency_key text, p_status_code int, p_response jsonb
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_n int;
begin
  if p_status_code is null or p_status_code not between 200 and 299 then
    perform internal.invalid_argument('p_status_code must be a 2xx status');
  end if;
  if p_response is null or jsonb_typeof(p_response) <> 'object' then
    perform internal.invalid_argument('p_response must be a JSON object');
  end if;
  update public.api_idempotency_keys set status_code = p_status_code, response = p_response
   where principal = p_principal and key = p_idempotency_key and status_code is null;
  get diagnostics v_n = row_count;
  return jsonb_build_object('recorded', v_n = 1);
end
$$;

-- ===================================================================================================
-- list_jobs: newest first, keyset-paginated on (created_at, id).
-- ===================================================================================================
create or replace function public.list_jobs(
  p_customer_id uuid default null, p_status text default null,
  p_created_from timestamptz default null, p_created_to timestamptz default null,
  p_after_created_at timestamptz default null, p_after_id uuid default null, p_limit int default 50
)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  v_jobs jsonb;
  v_count int;
begin
  if p_status is not null and p_status not in ('pending', 'in_progress', 'completed', 'failed', 'cancelled') then
    perform internal.invalid_argument(format(
      'p_status must be one of pending, in_progress, completed, failed, cancelled (got %s)', p_status));
  end if;
  -- API_ACCESS.jobsPage.max
  if p_limit is null or p_limit < 1 or p_limit > 200 then
    perform internal.invalid_argument(format('p_limit must be between 1 and 200 (got %s)', coalesce(p_limit::text, 'null')));
  end if;
  if (p_after_created_at is null) <> (p_after_id is null) then
    perform internal.invalid_argument('p_after_created_at and p_after_id go together');
  end if;
  if p_created_from is not null and p_created_to is not null and p_created_from > p_created_to then
    perform internal.invalid_argument('p_created_from must not be after p_created_to');
  end if;

  select coalesce(jsonb_agg(s.summary order by s.created_at desc, s.id desc), '[]'::jsonb), count(*)
    into v_jobs, v_count
    from (select internal.job_summary(j) as summary, j.created_at, j.id
            from public.jobs j
           where (p_customer_id is null or j.customer_id = p_customer_id)
             and (p_status is null or j.status = p_status)
             and (p_created_from is null or j.created_at >= p_created_from)
             and (p_created_to is null or j.created_at < p_created_to)
             and (p_after_created_at is null or (j.created_at, j.id) < (p_after_created_at, p_after_id))
           order by j.created_at desc, j.id desc
           limit p_limit + 1) s;

  if v_count > p_limit then
    v_jobs := v_jobs - p_limit;
    -- jsonb keeps the timestamp's microseconds in its text, so the cursor loses nothing.
    return jsonb_build_object('jobs', v_jobs, 'next', jsonb_build_object(
      'created_at', v_jobs -> (p_limit - 1) ->> 'created_at',
      'id', v_jobs -> (p_limit - 1) ->> 'job_id'));
  end if;
  return jsonb_build_object('jobs', v_jobs, 'next', null);
end
$$;

-- ===================================================================================================
-- update_job: PATCH /jobs/{id} with optimistic locking. Patchable: notes (any time; null clears) and
-- priority (only while the job is pending: no task has been claimed yet). p_customer_id scopes the
-- call to one customer's jobs (null: staff). Returns the tasks to send to the new priority's queue.
-- ===================================================================================================
create or replace function public.update_job(
  p_job_id uuid, p_expected_version int, p_changes jsonb, p_customer_id uuid default null
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  j public.jobs;
  v_key text;
  v_from_version int;
  v_priority text;
  v_resend uuid[] := '{}';
begin
  if p_job_id is null then
    perform internal.invalid_argument('p_job_id is required');
  end if;
  if p_expected_version is null or p_expected_version < 1 then
    perform internal.invalid_argument('p_expected_version must be a positive integer');
  end if;
  if p_changes is null or jsonb_typeof(p_changes) <> 'object' or p_changes = '{}'::jsonb then
    perform internal.invalid_argument('p_changes must be a JSON object with at least one field');
  end if;
  for v_key in select jsonb_object_keys(p_changes) loop
    if v_key not in ('priority', 'notes') then
      perform internal.invalid_argument(format('p_changes.%s cannot be changed (patchable: priority, notes)', v_key));
    end if;
  end loop;
  if p_changes ? 'priority' and (jsonb_typeof(p_changes -> 'priority') <> 'string'
                                 or p_changes ->> 'priority' not in ('p1', 'p2', 'p3')) then
    perform internal.invalid_argument('p_changes.priority must be one of p1, p2, p3');
  end if;
  if p_changes ? 'notes' and jsonb_typeof(p_changes -> 'notes') not in ('string', 'null') then
    perform internal.invalid_argument('p_changes.notes must be a string or null');
  end if;
  if length(p_changes ->> 'notes') > 2000 then
    perform internal.invalid_argument('p_changes.notes must be at most 2000 characters');
  end if;

  select * into j from public.jobs where id = p_job_id for update;
  -- Another customer's job is "not found", never "forbidden": its existence is not revealed.
  if not found or (p_customer_id is not null and j.customer_id <> p_customer_id) then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  if j.version <> p_expected_version then
    return jsonb_build_object('outcome', 'version_mismatch', 'current_version', j.version);
  end if;
  v_priority := coalesce(p_changes ->> 'priority', j.priority);
  if v_priority <> j.priority and j.status <> 'pending' then
    return jsonb_build_object('outcome', 'not_patchable', 'current_version', j.version,
      'reason', format('priority can only change while the job is pending (it is %s)', j.status));
  end if;

  v_from_version := j.version;
  update public.jobs
     set priority = v_priority,
         notes = case when p_changes ? 'notes' then p_changes ->> 'notes' else notes end,
         version = version + 1
   where id = j.id
  returning * into j;
  perform internal.log_event(j.id, null, 'job_updated', j.status, j.status, null, null,
    jsonb_build_object('changes', p_changes, 'from_version', v_from_version, 'to_version', j.version));

  if p_changes ? 'priority' then
    -- Messages already on the old queue stay there; a second message on the new queue is harmless
    -- (claims are idempotent) and lets the task be picked up at its new priority.
    select coalesce(array_agg(r.id order by r.created_at, r.id), '{}') into v_resend
      from public.job_results r
     where r.job_id = j.id and r.status in ('pending', 'queued');
  end if;
  return jsonb_build_object('outcome', 'updated', 'job', internal.job_summary(j), 'resend_task_ids', to_jsonb(v_resend));
end
$$;

-- ===================================================================================================
-- cancel_job: POST /jobs/{id}/cancel. Tasks not yet claimed (pending, queued) fail at once with
-- error_class 'cancelled' (their queued messages are then skipped by claim_task as finished); a task
-- in progress finishes (its submission may already be on the directory) and is counted as usual.
-- ===================================================================================================
create or replace function public.cancel_job(p_job_id uuid, p_customer_id uuid default null, p_reason text default null)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  j public.jobs;
  v_from text;
  v_cancelled int;
  v_running int;
  v_reason text := coalesce(nullif(btrim(p_reason), ''), 'cancelled by request');
begin
  if p_job_id is null then
    perform internal.invalid_argument('p_job_id is required');
  end if;
  if length(p_reason) > 500 then
    perform internal.invalid_argument('p_reason must be at most 500 characters');
  end if;

  -- Lock order everywhere: task, then job. Lock the job's unfinished tasks first.
  perform 1 from public.job_results where job_id = p_job_id and status in ('pending', 'queued', 'in_progress', 'awaiting_verification')
    order by id for update;
  select * into j from public.jobs where id = p_job_id for update;
  if not found or (p_customer_id is not null and j.customer_id <> p_customer_id) then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  if j.status not in ('pending', 'in_progress') then
    return jsonb_build_object('outcome', 'already_finished', 'job', internal.job_summary(j));
  end if;

  v_from := j.status;
  with upd as (
    update public.job_results r
       set status = 'failed', completed_at = now(), lease_expires_at = null, verification_deadline = null,
           error_class = 'cancelled', last_error = v_reason, next_attempt_at = null
      from (select o.id, o.status from public.job_results o
             where o.job_id = j.id and o.status in ('pending', 'queued', 'awaiting_verification')) old
     where r.id = old.id
    returning r.id, r.attempt, old.status as from_status
  ), hist as (
    insert into public.queue_history (job_id, task_id, event, from_status, to_status, attempt, details)
    select j.id, upd.id, 'task_cancelled', upd.from_status, 'failed', upd.attempt, jsonb_build_object('reason', v_reason)
      from upd
    returning 1
  )
  select count(*) into v_cancelled from hist;
  select count(*) into v_running from public.job_results where job_id = j.id and status = 'in_progress';

  update public.jobs
     set status = 'cancelled', tasks_failed = tasks_failed + v_cancelled,
         completed_at = now(), version = version + 1
   where id = j.id
  returning * into j;
  perform internal.log_event(j.id, null, 'job_cancelled', v_from, 'cancelled', null, null,
    jsonb_build_object('reason', v_reason, 'tasks_cancelled', v_cancelled, 'tasks_running', v_running));
  return jsonb_build_object('outcome', 'cancelled', 'job', internal.job_summary(j),
                            'tasks_cancelled', v_cancelled, 'tasks_running', v_running);
end
$$;

-- ===================================================================================================
-- get_customer_queue: GET /queue/{customerId}. null for an unknown customer.
-- ===================================================================================================
create or replace function public.get_customer_queue(p_customer_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  c public.customers;
  v_tasks jsonb;
  v_jobs jsonb;
begin
  if p_customer_id is null then
    perform internal.invalid_argument('p_customer_id is required');
  end if;
  select * into c from public.customers where id = p_customer_id;
  if not found then
    return null;
  end if;

  select jsonb_build_object(
           'pending', count(*) filter (where r.status = 'pending'),
           'queued', count(*) filter (where r.status = 'queued'),
           'in_progress', count(*) filter (where r.status = 'in_progress'))
    into v_tasks
    from public.jobs j join public.job_results r on r.job_id = j.id
   where j.customer_id = c.id and j.status in ('pending', 'in_progress');

  select coalesce(jsonb_agg(internal.job_summary(j) || jsonb_build_object(
           'tasks_pending', (select count(*) from public.job_results r where r.job_id = j.id and r.status = 'pending'),
           'tasks_queued', (select count(*) from public.job_results r where r.job_id = j.id and r.status = 'queued'),
           'tasks_in_progress', (select count(*) from public.job_results r where r.job_id = j.id and r.status = 'in_progress'))
           order by j.created_at, j.id), '[]'::jsonb)
    into v_jobs
    from public.jobs j
   where j.customer_id = c.id and j.status in ('pending', 'in_progress');

  return jsonb_build_object(
    'customer', jsonb_build_object('id', c.id, 'business_name', c.business_name, 'tier', c.tier,
      'priority', case c.tier when 'enterprise' then 'p1' when 'pro' then 'p2' else 'p3' end),
    'tasks', v_tasks,
    'jobs', v_jobs);
end
$$;

-- ===================================================================================================
-- take_next_pending_job: POST /queue/{customerId}. The customer's oldest unfinished job that still has
-- pending tasks (never sent, or left behind by a failed send), with those tasks, for the API to send
-- and then mark_tasks_enqueued. Two concurrent calls may send a task twice; claims make that harmless.
-- ===================================================================================================
create or replace function public.take_next_pending_job(p_customer_id uuid)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  j public.jobs;
  v_tasks uuid[];
begin
  if p_customer_id is null then
    perform internal.invalid_argument('p_customer_id is required');
  end if;
  if not exists (select 1 from public.customers where id = p_customer_id) then
    raise exception 'customer % not found (p_customer_id)', p_customer_id using errcode = 'P0002';
  end if;

  select * into j
    from public.jobs jj
   where jj.customer_id = p_customer_id and jj.status in ('pending', 'in_progress')
     and exists (select 1 from public.job_results r where r.job_id = jj.id and r.status = 'pending')
   order by jj.created_at, jj.id
   limit 1;
  if not found then
    return jsonb_build_object('job_id', null, 'task_ids', '[]'::jsonb);
  end if;

  select array_agg(r.id order by r.created_at, r.id) into v_tasks
    from public.job_results r where r.job_id = j.id and r.status = 'pending';
  perform internal.log_event(j.id, null, 'processing_requested', j.status, j.status, null, null,
    jsonb_build_object('tasks', cardinality(v_tasks)));
  return jsonb_build_object('job_id', j.id, 'priority', j.priority, 'task_ids', to_jsonb(v_tasks));
end
$$;

-- ===================================================================================================
-- helpers
-- ===================================================================================================
create or replace function internal.check_page(p_limit int)
returns void
language plpgsql
set search_path = ''
as $$
begin
  -- API_SURFACE.page.max
  if p_limit is null or p_limit < 1 or p_limit > 200 then
    perform internal.invalid_argument(pg_catalog.format('p_limit must be between 1 and 200 (got %s)',
      coalesce(p_limit::text, 'null')));
  end if;
end
$$;

-- GET /submissions knows the already_listed status (business_listings): it can be filtered on, and a
-- task that ended already_listed names the task that holds the listing, as GET /jobs/{id} does.
create or replace function public.list_submissions(
  p_job_id uuid default null, p_customer_id uuid default null, p_status text default null,
  p_after_created_at timestamptz default null, p_after_id uuid default null, p_limit int default 50
)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  v_rows jsonb;
  v_count int;
begin
  if p_status is not null and p_status not in ('pending', 'queued', 'in_progress', 'submitted', 'needs_manual',
                                               'failed', 'dead_lettered', 'already_listed') then
    perform internal.invalid_argument(format(
      'p_status must be one of pending, queued, in_progress, submitted, needs_manual, failed, dead_lettered, '
      'already_listed (got %s)', p_status));
  end if;
  perform internal.check_page(p_limit);
  if (p_after_created_at is null) <> (p_after_id is null) then
    perform internal.invalid_argument('p_after_created_at and p_after_id go together');
  end if;

  select coalesce(jsonb_agg(s.j order by s.created_at desc, s.id desc), '[]'::jsonb), count(*)
    into v_rows, v_count
    from (select jsonb_build_object(
                   'id', r.id, 'job_id', r.job_id, 'customer_id', j.customer_id, 'directory_id', r.directory_id,
                   'directory_slug', d.slug, 'status', r.status, 'attempt', r.attempt,
                   'max_attempts', r.max_attempts, 'listing_url', r.listing_url,
                   'screenshot_key', r.screenshot_key, 'last_error', r.last_error, 'error_class', r.error_class,
                   'created_at', r.created_at, 'started_at', r.started_at, 'completed_at', r.completed_at,
                   'already_listed_by', case when r.status = 'already_listed'
                                               then internal.listing_holder_json(r.listing_task_id) end) as j,
                 r.created_at, r.id
            from public.job_results r
            join public.jobs j on j.id = r.job_id
            join public.directories d on d.id = r.directory_id
           where (p_job_id is null or r.job_id = p_job_id)
             and (p_customer_id is null or j.customer_id = p_customer_id)
             and (p_status is null or r.status = p_status)
             and (p_after_created_at is null or (r.created_at, r.id) < (p_after_created_at, p_after_id))
           order by r.created_at desc, r.id desc
           limit p_limit + 1) s;
  if v_count > p_limit then
    v_rows := v_rows - p_limit;
    return jsonb_build_object('submissions', v_rows, 'next', jsonb_build_object(
      'created_at', v_rows -> (p_limit - 1) ->> 'created_at', 'id', v_rows -> (p_limit - 1) ->> 'id'));
  end if;
  return jsonb_build_object('submissions', v_rows, 'next', null);
end
$$;

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
-- admin: workers and dead letters
-- ===================================================================================================
create or replace function public.list_workers(p_stale_seconds int)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
begin
  perform internal.check_seconds('p_stale_seconds', p_stale_seconds, 1, 604800);
  return (select coalesce(jsonb_agg(jsonb_build_object(
             'worker_id', w.worker_id, 'status', w.status, 'last_heartbeat', w.last_heartbeat,
             'started_at', w.started_at, 'silent_seconds', floor(extract(epoch from now() - w.last_heartbeat)),
             'current_job_id', w.current_job_id, 'current_task_id', w.current_task_id,
             -- The same rule as health_details: live if it spoke recently; stale if it claimed to be
             -- working and went silent.
             'state', case
               when w.status in ('idle', 'stopped') then 'inactive'
               when w.last_heartbeat >= now() - make_interval(secs => p_stale_seconds) then 'active'
               else 'stale' end)
           order by w.last_heartbeat desc), '[]'::jsonb)
     from public.worker_heartbeats w);
end
$$;

create or replace function public.list_dead_letters(p_limit int)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
begin
  perform internal.check_page(p_limit);
  -- The message body stays out: it is diagnosis material for the runbook, not for a listing.
  return (select coalesce(jsonb_agg(jsonb_build_object(
             'message_id', a.message_id, 'task_id', a.task_id, 'job_id', a.job_id, 'recorded_at', a.alerted_at,
             'alert_status', a.alert_status, 'sent_at', a.sent_at, 'receive_count', a.receive_count,
             'source_queue', a.source_queue, 'redriven_at', a.redriven_at, 'redriven_by', a.redriven_by,
             'redrive_count', a.redrive_count, 'task_status', r.status)
           order by a.alerted_at desc, a.message_id), '[]'::jsonb)
     from (select * from public.dlq_alerts order by alerted_at desc, message_id limit p_limit) a
     left join public.job_results r on r.id = a.task_id);
end
$$;

-- ===================================================================================================
-- pauses
-- ===================================================================================================
create or replace function internal.check_pause_target(p_scope text, p_priority text, p_directory_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_scope is null or p_scope not in ('priority', 'directory') then
    perform internal.invalid_argument(pg_catalog.format('p_scope must be priority or directory (got %s)',
      coalesce(p_scope, 'null')));
  end if;
  if p_scope = 'priority' and (p_priority is null or p_priority not in ('p1', 'p2', 'p3') or p_directory_id is not null) then
    perform internal.invalid_argument('p_priority must be p1, p2 or p3 (and p_directory_id null) for a priority pause');
  end if;
  if p_scope = 'directory' and (p_directory_id is null or p_priority is not null) then
    perform internal.invalid_argument('p_directory_id is required (and p_priority null) for a directory pause');
  end if;
end
$$;

-- Pausing what is already paused changes nothing and says so (changed: false).
create or replace function public.pause_processing(
  p_scope text, p_priority text, p_directory_id uuid, p_reason text, p_actor text
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  x public.processing_pauses;
begin
  perform internal.check_pause_target(p_scope, p_priority, p_directory_id);
  perform internal.check_text('p_actor', p_actor, 200);
  if p_reason is not null and length(p_reason) > 500 then
    perform internal.invalid_argument('p_reason must be at most 500 characters');
  end if;
  if p_scope = 'directory' and not exists (select 1 from public.directories where id = p_directory_id) then
    raise exception 'directory % not found', p_directory_id using errcode = 'P0002';
  end if;
  insert into public.processing_pauses (scope, priority, directory_id, reason, paused_by)
  values (p_scope, p_priority, p_directory_id, p_reason, p_actor)
  on conflict do nothing
  returning * into x;
  if x.id is null then
    select * into x from public.processing_pauses
     where scope = p_scope and priority is not distinct from p_priority
       and directory_id is not distinct from p_directory_id;
    return jsonb_build_object('changed', false, 'pause', to_jsonb(x));
  end if;
  perform internal.log_event(null, null, 'processing_paused', null, null, null, null,
    jsonb_build_object('scope', p_scope, 'priority', p_priority, 'directory_id', p_directory_id,
                       'reason', p_reason, 'actor', p_actor));
  return jsonb_build_object('changed', true, 'pause', to_jsonb(x));
end
$$;

create or replace function public.resume_processing(p_scope text, p_priority text, p_directory_id uuid, p_actor text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  x public.processing_pauses;
begin
  perform internal.check_pause_target(p_scope, p_priority, p_directory_id);
  perform internal.check_text('p_actor', p_actor, 200);
  delete from public.processing_pauses
   where scope = p_scope and priority is not distinct from p_priority
     and directory_id is not distinct from p_directory_id
  returning * into x;
  if x.id is null then
    return jsonb_build_object('changed', false);
  end if;
  perform internal.log_event(null, null, 'processing_resumed', null, null, null, null,
    jsonb_build_object('scope', p_scope, 'priority', p_priority, 'directory_id', p_directory_id,
                       'paused_at', x.paused_at, 'paused_by', x.paused_by, 'actor', p_actor));
  return jsonb_build_object('changed', true, 'resumed', to_jsonb(x));
end
$$;

create or replace function public.list_processing_pauses()
returns jsonb
language sql
stable
security invoker
set search_path = public
as $$
  select coalesce(jsonb_agg(to_jsonb(x) order by x.paused_at), '[]'::jsonb) from public.processing_pauses x;
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
