-- The task state machine as SQL functions. All multi-statement logic lives here so the Lambdas make one
-- `supabase.rpc(...)` call per step: one round trip, one transaction, no pooling trouble in Lambda.
--
-- Conventions (the Lambda code is written against them):
--   * every function returns jsonb with snake_case keys;
--   * bad arguments raise SQLSTATE 22023 (invalid_parameter_value) with a message naming the argument,
--     and change nothing; unknown referenced rows raise P0002 (no_data_found);
--   * every state change writes a queue_history row in the same transaction;
--   * security invoker (they run as service_role, under its privileges), search_path pinned;
--   * EXECUTE is revoked from public/anon/authenticated and granted to service_role only.
--
--   pending --enqueued--> queued --claimed (lease)--> in_progress --> submitted | needs_manual | failed
--                           ^                            |  transient error: back to queued with a delay
--                           +----------------------------+  lease expired: taken over by the next claim
--
-- Constants mirrored from lambdas/shared/system-config.ts (a test asserts they agree):
--   TASKS.retryBudget = 3          -> job_results.max_attempts of new tasks
--   TASKS.maxDirectoriesPerJob = 500
--   PRIORITY_BY_TIER               -> enterprise p1, pro p2, starter p3

-- ===================================================================================================
-- internal helpers (not exposed over RPC)
-- ===================================================================================================

-- 22023 with a message that names the argument.
create or replace function internal.invalid_argument(p_message text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception '%', p_message using errcode = '22023';
end
$$;

create or replace function internal.check_worker_id(p_worker_id text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_worker_id is null or pg_catalog.btrim(p_worker_id) = '' then
    perform internal.invalid_argument('p_worker_id is required');
  end if;
  if pg_catalog.length(p_worker_id) > 200 then
    perform internal.invalid_argument('p_worker_id must be at most 200 characters');
  end if;
end
$$;

create or replace function internal.check_task_ids(p_name text, p_ids uuid[], p_max int)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_ids is null or pg_catalog.cardinality(p_ids) = 0 then
    perform internal.invalid_argument(pg_catalog.format('%s must contain at least one id', p_name));
  end if;
  if pg_catalog.array_ndims(p_ids) <> 1 then
    perform internal.invalid_argument(pg_catalog.format('%s must be a one-dimensional array', p_name));
  end if;
  if pg_catalog.array_position(p_ids, null) is not null then
    perform internal.invalid_argument(pg_catalog.format('%s must not contain null', p_name));
  end if;
  if pg_catalog.cardinality(p_ids) > p_max then
    perform internal.invalid_argument(pg_catalog.format('%s has %s ids; at most %s are allowed',
      p_name, pg_catalog.cardinality(p_ids), p_max));
  end if;
end
$$;

-- The business facts that are submitted to a directory: they go into the idempotency key, so a changed
-- profile is a different submission.
create or replace function internal.business_facts(c public.customers)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'business_name', c.business_name,
    'email', c.email,
    'phone', c.phone,
    'website', c.website,
    'address_line', c.address_line,
    'city', c.city,
    'region', c.region,
    'postal_code', c.postal_code,
    'country', c.country,
    'category', c.category,
    'description', c.description
  )
$$;

-- Hex SHA-256 over (job, directory, business facts, generation). jsonb's text form is canonical (keys
-- sorted, no insignificant whitespace), so equal inputs always give the same key.
create or replace function internal.task_idempotency_key(p_job_id uuid, p_directory_id uuid, p_business jsonb, p_generation int)
returns text
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
    pg_catalog.jsonb_build_object(
      'job_id', p_job_id,
      'directory_id', p_directory_id,
      'business', p_business,
      'generation', p_generation
    )::text, 'UTF8')), 'hex')
$$;

create or replace function internal.log_event(
  p_job_id uuid, p_task_id uuid, p_event text, p_from_status text, p_to_status text,
  p_attempt int, p_worker_id text, p_details jsonb default '{}'
)
returns void
language sql
set search_path = ''
as $$
  insert into public.queue_history (job_id, task_id, event, from_status, to_status, attempt, worker_id, details)
  values (p_job_id, p_task_id, p_event, p_from_status, p_to_status, p_attempt, p_worker_id,
          coalesce(p_details, '{}'::jsonb));
$$;

-- Count one terminal task outcome on its job, and finish the job when it was the last one.
-- The UPDATE takes the job's row lock, so concurrent completions serialize here and exactly one of
-- them sees the final counts. Returns the job's status afterwards.
create or replace function internal.record_task_outcome(p_job_id uuid, p_outcome text, p_worker_id text)
returns text
language plpgsql
set search_path = ''
as $$
declare
  j public.jobs;
  v_from text;
  v_to text;
begin
  update public.jobs
     set tasks_submitted     = tasks_submitted     + (p_outcome = 'submitted')::int,
         tasks_needs_manual  = tasks_needs_manual  + (p_outcome = 'needs_manual')::int,
         tasks_failed        = tasks_failed        + (p_outcome = 'failed')::int,
         tasks_dead_lettered = tasks_dead_lettered + (p_outcome = 'dead_lettered')::int
   where id = p_job_id
  returning * into j;
  if not found then
    raise exception 'job % not found', p_job_id using errcode = 'P0002';
  end if;

  if j.status in ('pending', 'in_progress')
     and j.tasks_submitted + j.tasks_needs_manual + j.tasks_failed + j.tasks_dead_lettered >= j.tasks_total then
    v_from := j.status;
    -- A job is a success if at least one directory got the profile (or needs a human to finish it).
    v_to := case when j.tasks_submitted + j.tasks_needs_manual > 0 then 'completed' else 'failed' end;
    update public.jobs
       set status = v_to, completed_at = pg_catalog.now(), version = version + 1
     where id = p_job_id
    returning * into j;
    perform internal.log_event(j.id, null, 'job_' || v_to, v_from, v_to, null, p_worker_id,
      pg_catalog.jsonb_build_object(
        'tasks_total', j.tasks_total,
        'tasks_submitted', j.tasks_submitted,
        'tasks_needs_manual', j.tasks_needs_manual,
        'tasks_failed', j.tasks_failed,
        'tasks_dead_lettered', j.tasks_dead_lettered));
  end if;
  return j.status;
end
$$;

-- The fence every worker write passes: null when (worker, attempt) holds the task, else why not.
create or replace function internal.fence_reason(t public.job_results, p_worker_id text, p_attempt int)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when t.status in ('submitted', 'needs_manual', 'failed', 'dead_lettered') then 'finished'
    when t.status <> 'in_progress' or t.lease_owner is distinct from p_worker_id or t.attempt <> p_attempt then 'lease_lost'
    else null
  end
$$;

create or replace function internal.check_fenced_args(p_task_id uuid, p_worker_id text, p_attempt int)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_task_id is null then
    perform internal.invalid_argument('p_task_id is required');
  end if;
  perform internal.check_worker_id(p_worker_id);
  if p_attempt is null or p_attempt < 1 then
    perform internal.invalid_argument(pg_catalog.format('p_attempt must be a positive integer (got %s)',
      coalesce(p_attempt::text, 'null')));
  end if;
end
$$;

create or replace function internal.check_lease_seconds(p_lease_seconds int)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_lease_seconds is null or p_lease_seconds < 1 or p_lease_seconds > 3600 then
    perform internal.invalid_argument(pg_catalog.format('p_lease_seconds must be between 1 and 3600 (got %s)',
      coalesce(p_lease_seconds::text, 'null')));
  end if;
end
$$;

-- ===================================================================================================
-- create_job
-- ===================================================================================================
create or replace function public.create_job(p_customer_id uuid, p_directory_ids uuid[], p_priority text default null)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  c public.customers;
  v_job public.jobs;
  v_count int;
  v_list text;
  v_priority text;
  v_business jsonb;
  v_tasks jsonb;
begin
  if p_customer_id is null then
    perform internal.invalid_argument('p_customer_id is required');
  end if;
  -- TASKS.maxDirectoriesPerJob
  perform internal.check_task_ids('p_directory_ids', p_directory_ids, 500);
  select string_agg(d::text, ', ' order by d) into v_list
    from (select d from unnest(p_directory_ids) d group by d having count(*) > 1) dups;
  if v_list is not null then
    perform internal.invalid_argument(format('p_directory_ids contains duplicate ids: %s', v_list));
  end if;
  if p_priority is not null and p_priority not in ('p1', 'p2', 'p3') then
    perform internal.invalid_argument(format('p_priority must be one of p1, p2, p3 (got %s)', p_priority));
  end if;

  -- KEY SHARE: the customer cannot be deleted while its job is being created.
  select * into c from public.customers where id = p_customer_id for key share;
  if not found then
    raise exception 'customer % not found', p_customer_id using errcode = 'P0002';
  end if;

  select string_agg(x.d::text, ', ' order by x.ord) into v_list
    from unnest(p_directory_ids) with ordinality as x(d, ord)
   where not exists (select 1 from public.directories dir where dir.id = x.d);
  if v_list is not null then
    raise exception 'directories not found (p_directory_ids): %', v_list using errcode = 'P0002';
  end if;
  select string_agg(dir.slug, ', ' order by dir.slug) into v_list
    from public.directories dir
   where dir.id = any (p_directory_ids) and not dir.active;
  if v_list is not null then
    perform internal.invalid_argument(format('p_directory_ids contains inactive directories: %s', v_list));
  end if;

  v_count := cardinality(p_directory_ids);
  -- PRIORITY_BY_TIER
  v_priority := coalesce(p_priority, case c.tier when 'enterprise' then 'p1' when 'pro' then 'p2' else 'p3' end);

  insert into public.jobs (customer_id, status, priority, package_size, tasks_total)
  values (c.id, 'pending', v_priority, v_count, v_count)
  returning * into v_job;

  v_business := internal.business_facts(c);
  -- max_attempts = TASKS.retryBudget
  insert into public.job_results (job_id, directory_id, status, attempt, max_attempts, idempotency_key, generation)
  select v_job.id, x.d, 'pending', 0, 3, internal.task_idempotency_key(v_job.id, x.d, v_business, 0), 0
    from unnest(p_directory_ids) with ordinality as x(d, ord)
   order by x.ord;

  perform internal.log_event(v_job.id, null, 'job_created', null, 'pending', null, null,
    jsonb_build_object('priority', v_priority, 'package_size', v_count, 'customer_id', c.id));
  insert into public.queue_history (job_id, task_id, event, from_status, to_status, attempt, details)
  select r.job_id, r.id, 'task_created', null, 'pending', 0,
         jsonb_build_object('directory_id', r.directory_id, 'generation', r.generation)
    from public.job_results r
   where r.job_id = v_job.id;

  select jsonb_agg(jsonb_build_object('task_id', r.id, 'directory_id', r.directory_id) order by x.ord)
    into v_tasks
    from unnest(p_directory_ids) with ordinality as x(d, ord)
    join public.job_results r on r.job_id = v_job.id and r.directory_id = x.d and r.generation = 0;

  return jsonb_build_object(
    'job_id', v_job.id,
    'priority', v_job.priority,
    'created_at', v_job.created_at,
    'tasks', v_tasks
  );
end
$$;

-- ===================================================================================================
-- mark_tasks_enqueued: the outbox step after the SQS messages were sent. pending -> queued only;
-- tasks in any other state (already queued, claimed, finished) are left alone.
-- ===================================================================================================
create or replace function public.mark_tasks_enqueued(p_task_ids uuid[])
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_n int;
begin
  perform internal.check_task_ids('p_task_ids', p_task_ids, 1000);

  with upd as (
    update public.job_results r
       set status = 'queued', queued_at = now()
     where r.id = any (p_task_ids) and r.status = 'pending'
    returning r.id, r.job_id, r.attempt
  ), hist as (
    insert into public.queue_history (job_id, task_id, event, from_status, to_status, attempt)
    select upd.job_id, upd.id, 'enqueued', 'pending', 'queued', upd.attempt from upd
    returning 1
  )
  select count(*) into v_n from hist;

  return jsonb_build_object('enqueued', v_n);
end
$$;

-- ===================================================================================================
-- claim_task: atomic, leased claim. The attempt number it hands out is the fencing token.
-- ===================================================================================================
create or replace function public.claim_task(p_task_id uuid, p_worker_id text, p_lease_seconds int)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  t public.job_results;
  j public.jobs;
  d public.directories;
  c public.customers;
  v_from text;
  v_prev_owner text;
  v_prev_attempt int;
  v_prev_expiry timestamptz;
  v_job_status text;
begin
  if p_task_id is null then
    perform internal.invalid_argument('p_task_id is required');
  end if;
  perform internal.check_worker_id(p_worker_id);
  perform internal.check_lease_seconds(p_lease_seconds);

  -- The row lock makes check-and-claim atomic: a concurrent claim waits here, then sees our lease.
  select * into t from public.job_results where id = p_task_id for update;
  if not found then
    return jsonb_build_object('claimed', false, 'reason', 'not_found', 'status', null);
  end if;
  if t.status in ('submitted', 'needs_manual', 'failed', 'dead_lettered') then
    return jsonb_build_object('claimed', false, 'reason', 'finished', 'status', t.status);
  end if;
  if t.status = 'in_progress' and t.lease_expires_at > now() then
    return jsonb_build_object('claimed', false, 'reason', 'leased', 'status', t.status,
                              'lease_expires_at', t.lease_expires_at);
  end if;

  -- Lock order everywhere: task, then job.
  select * into j from public.jobs where id = t.job_id for update;
  if j.status = 'cancelled' then
    return jsonb_build_object('claimed', false, 'reason', 'finished', 'status', t.status, 'job_status', j.status);
  end if;

  -- An earlier attempt got as far as clicking submit: the listing may exist. Never hand it out for a
  -- blind resubmission; it needs verification first.
  if t.submit_started_at is not null then
    return jsonb_build_object('claimed', false, 'reason', 'needs_verification', 'status', t.status,
                              'submit_started_at', t.submit_started_at);
  end if;

  -- Only reachable by taking over expired leases: the retry budget is spent, so the task fails for good
  -- instead of starting attempt max_attempts + 1.
  if t.attempt >= t.max_attempts then
    v_from := t.status;
    update public.job_results
       set status = 'failed', completed_at = now(), lease_expires_at = null,
           error_class = 'permanent',
           last_error = format('retry budget exhausted: attempt %s of %s did not finish', t.attempt, t.max_attempts)
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'task_failed', v_from, 'failed', t.attempt, p_worker_id,
      jsonb_build_object('reason', 'retry_budget_exhausted', 'error_class', 'permanent',
                         'previous_owner', t.lease_owner));
    v_job_status := internal.record_task_outcome(t.job_id, 'failed', p_worker_id);
    return jsonb_build_object('claimed', false, 'reason', 'finished', 'status', t.status, 'job_status', v_job_status);
  end if;

  v_from := t.status;
  v_prev_owner := t.lease_owner;
  v_prev_attempt := t.attempt;
  v_prev_expiry := t.lease_expires_at;

  update public.job_results
     set status = 'in_progress',
         attempt = attempt + 1,
         lease_owner = p_worker_id,
         lease_expires_at = now() + make_interval(secs => p_lease_seconds),
         heartbeat_at = now(),
         started_at = now(),
         next_attempt_at = null
   where id = t.id
  returning * into t;

  if v_from = 'in_progress' then
    perform internal.log_event(t.job_id, t.id, 'lease_taken_over', 'in_progress', 'in_progress', t.attempt, p_worker_id,
      jsonb_build_object('previous_owner', v_prev_owner, 'previous_attempt', v_prev_attempt,
                         'lease_expired_at', v_prev_expiry));
  end if;
  perform internal.log_event(t.job_id, t.id, 'claimed', v_from, 'in_progress', t.attempt, p_worker_id,
    jsonb_build_object('lease_seconds', p_lease_seconds, 'lease_expires_at', t.lease_expires_at));

  if j.status = 'pending' then
    update public.jobs
       set status = 'in_progress', started_at = coalesce(started_at, now()), version = version + 1
     where id = j.id;
    perform internal.log_event(j.id, null, 'job_started', 'pending', 'in_progress', null, p_worker_id, '{}');
  end if;

  select * into d from public.directories where id = t.directory_id;
  select * into c from public.customers where id = j.customer_id;

  return jsonb_build_object(
    'claimed', true,
    'task', jsonb_build_object(
      'task_id', t.id,
      'job_id', t.job_id,
      'attempt', t.attempt,
      'max_attempts', t.max_attempts,
      'lease_expires_at', t.lease_expires_at,
      'idempotency_key', t.idempotency_key,
      'directory', jsonb_build_object(
        'id', d.id, 'slug', d.slug, 'name', d.name,
        'submission_url', d.submission_url, 'field_mapping', d.field_mapping),
      'customer', jsonb_build_object('id', c.id) || internal.business_facts(c)
    )
  );
end
$$;

-- ===================================================================================================
-- heartbeat_task: extend the lease, only for the current holder.
-- ===================================================================================================
create or replace function public.heartbeat_task(p_task_id uuid, p_worker_id text, p_attempt int, p_lease_seconds int)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  t public.job_results;
  v_reason text;
begin
  perform internal.check_fenced_args(p_task_id, p_worker_id, p_attempt);
  perform internal.check_lease_seconds(p_lease_seconds);

  select * into t from public.job_results where id = p_task_id for update;
  if not found then
    raise exception 'task % not found', p_task_id using errcode = 'P0002';
  end if;
  v_reason := internal.fence_reason(t, p_worker_id, p_attempt);
  if v_reason is not null then
    return jsonb_build_object('ok', false, 'reason', v_reason);
  end if;

  -- A heartbeat is not a state change: no history row (it would flood the audit trail).
  update public.job_results
     set lease_expires_at = now() + make_interval(secs => p_lease_seconds), heartbeat_at = now()
   where id = t.id
  returning * into t;
  return jsonb_build_object('ok', true, 'lease_expires_at', t.lease_expires_at);
end
$$;

-- ===================================================================================================
-- mark_submitting: "about to click submit", recorded before the external side effect.
-- ===================================================================================================
create or replace function public.mark_submitting(p_task_id uuid, p_worker_id text, p_attempt int)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  t public.job_results;
  v_reason text;
begin
  perform internal.check_fenced_args(p_task_id, p_worker_id, p_attempt);

  select * into t from public.job_results where id = p_task_id for update;
  if not found then
    raise exception 'task % not found', p_task_id using errcode = 'P0002';
  end if;
  v_reason := internal.fence_reason(t, p_worker_id, p_attempt);
  if v_reason is not null then
    return jsonb_build_object('ok', false, 'reason', v_reason);
  end if;

  update public.job_results set submit_started_at = now() where id = t.id returning * into t;
  perform internal.log_event(t.job_id, t.id, 'submitting', 'in_progress', 'in_progress', t.attempt, p_worker_id,
    jsonb_build_object('submit_started_at', t.submit_started_at));
  return jsonb_build_object('ok', true, 'submit_started_at', t.submit_started_at);
end
$$;

-- ===================================================================================================
-- complete_task: record the outcome exactly once.
-- ===================================================================================================
create or replace function public.complete_task(
  p_task_id uuid, p_worker_id text, p_attempt int, p_outcome text, p_details jsonb default '{}'
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  t public.job_results;
  v_details jsonb := coalesce(p_details, '{}'::jsonb);
  v_key text;
  v_reason text;
  v_job_status text;
begin
  perform internal.check_fenced_args(p_task_id, p_worker_id, p_attempt);
  if p_outcome is null or p_outcome not in ('submitted', 'needs_manual', 'failed') then
    perform internal.invalid_argument(format('p_outcome must be one of submitted, needs_manual, failed (got %s)',
      coalesce(p_outcome, 'null')));
  end if;
  if jsonb_typeof(v_details) <> 'object' then
    perform internal.invalid_argument('p_details must be a JSON object');
  end if;
  foreach v_key in array array['screenshot_key', 'listing_url', 'message', 'error_class'] loop
    if v_details ? v_key and jsonb_typeof(v_details -> v_key) not in ('string', 'null') then
      perform internal.invalid_argument(format('p_details.%s must be a string', v_key));
    end if;
  end loop;
  if length(v_details ->> 'screenshot_key') > 1024 then
    perform internal.invalid_argument('p_details.screenshot_key must be at most 1024 characters');
  end if;
  if v_details ->> 'listing_url' is not null
     and (length(v_details ->> 'listing_url') > 2048 or (v_details ->> 'listing_url') !~* '^https?://[^[:space:]/]+') then
    perform internal.invalid_argument('p_details.listing_url must be an http(s) URL of at most 2048 characters');
  end if;
  if length(v_details ->> 'error_class') > 64 then
    perform internal.invalid_argument('p_details.error_class must be at most 64 characters');
  end if;

  select * into t from public.job_results where id = p_task_id for update;
  if not found then
    raise exception 'task % not found', p_task_id using errcode = 'P0002';
  end if;
  v_reason := internal.fence_reason(t, p_worker_id, p_attempt);
  if v_reason is not null then
    -- A duplicate delivery of a finished task, or a worker whose lease was taken over: change nothing.
    select status into v_job_status from public.jobs where id = t.job_id;
    return jsonb_build_object('recorded', false, 'reason', v_reason, 'job_status', v_job_status);
  end if;

  update public.job_results
     set status = p_outcome,
         completed_at = now(),
         lease_expires_at = null,
         screenshot_key = coalesce(v_details ->> 'screenshot_key', screenshot_key),
         listing_url = coalesce(v_details ->> 'listing_url', listing_url),
         -- Errors of earlier attempts do not describe a successful submission.
         last_error = case when p_outcome = 'submitted' then null
                           else left(coalesce(v_details ->> 'message', last_error), 2000) end,
         error_class = case when p_outcome = 'submitted' then null
                            else coalesce(v_details ->> 'error_class',
                                          case when p_outcome = 'failed' then 'permanent' end) end
   where id = t.id
  returning * into t;

  perform internal.log_event(t.job_id, t.id, 'task_' || p_outcome, 'in_progress', p_outcome, t.attempt, p_worker_id,
    v_details);
  v_job_status := internal.record_task_outcome(t.job_id, p_outcome, p_worker_id);

  return jsonb_build_object('recorded', true, 'status', t.status, 'job_status', v_job_status);
end
$$;

-- ===================================================================================================
-- fail_task: a classified error. Transient and rate-limited errors go back to the queue while the
-- retry budget lasts; everything else fails the task for good.
-- ===================================================================================================
create or replace function public.fail_task(
  p_task_id uuid, p_worker_id text, p_attempt int, p_error_class text, p_error text, p_retry_delay_seconds int
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  t public.job_results;
  v_reason text;
  v_attempts_left int;
  v_error text;
  v_job_status text;
begin
  perform internal.check_fenced_args(p_task_id, p_worker_id, p_attempt);
  if p_error_class is null or p_error_class not in ('transient', 'permanent', 'rate_limited') then
    perform internal.invalid_argument(format('p_error_class must be one of transient, permanent, rate_limited (got %s)',
      coalesce(p_error_class, 'null')));
  end if;
  if p_error is null or btrim(p_error) = '' then
    perform internal.invalid_argument('p_error is required');
  end if;
  -- 12 hours: the longest SQS visibility timeout, so any delay the queue can express.
  if p_retry_delay_seconds is null or p_retry_delay_seconds < 0 or p_retry_delay_seconds > 43200 then
    perform internal.invalid_argument(format('p_retry_delay_seconds must be between 0 and 43200 (got %s)',
      coalesce(p_retry_delay_seconds::text, 'null')));
  end if;
  -- Browser errors can be huge; the trail keeps the first 2000 characters.
  v_error := left(p_error, 2000);

  select * into t from public.job_results where id = p_task_id for update;
  if not found then
    raise exception 'task % not found', p_task_id using errcode = 'P0002';
  end if;
  v_attempts_left := greatest(t.max_attempts - t.attempt, 0);
  v_reason := internal.fence_reason(t, p_worker_id, p_attempt);
  if v_reason is not null then
    return jsonb_build_object('recorded', false, 'reason', v_reason, 'status', t.status,
                              'attempts_left', v_attempts_left);
  end if;

  if p_error_class in ('transient', 'rate_limited') and v_attempts_left > 0 then
    update public.job_results
       set status = 'queued',
           lease_owner = null,
           lease_expires_at = null,
           queued_at = now(),
           next_attempt_at = now() + make_interval(secs => p_retry_delay_seconds),
           last_error = v_error,
           error_class = p_error_class
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'retry_scheduled', 'in_progress', 'queued', t.attempt, p_worker_id,
      jsonb_build_object('error_class', p_error_class, 'error', v_error, 'attempt', t.attempt,
                         'delay_seconds', p_retry_delay_seconds, 'next_attempt_at', t.next_attempt_at,
                         'attempts_left', v_attempts_left));
    select status into v_job_status from public.jobs where id = t.job_id;
    return jsonb_build_object('recorded', true, 'status', 'queued', 'attempts_left', v_attempts_left,
                              'next_attempt_at', t.next_attempt_at, 'job_status', v_job_status);
  end if;

  update public.job_results
     set status = 'failed',
         completed_at = now(),
         lease_expires_at = null,
         last_error = v_error,
         error_class = p_error_class
   where id = t.id
  returning * into t;
  perform internal.log_event(t.job_id, t.id, 'task_failed', 'in_progress', 'failed', t.attempt, p_worker_id,
    jsonb_build_object('error_class', p_error_class, 'error', v_error, 'attempt', t.attempt,
                       'reason', case when p_error_class = 'permanent' then 'permanent_error'
                                      else 'retry_budget_exhausted' end));
  v_job_status := internal.record_task_outcome(t.job_id, 'failed', p_worker_id);
  return jsonb_build_object('recorded', true, 'status', 'failed', 'attempts_left', v_attempts_left,
                            'job_status', v_job_status);
end
$$;

-- ===================================================================================================
-- get_job: the job with live per-status counts and every task's result. null when absent.
-- ===================================================================================================
create or replace function public.get_job(p_job_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  j public.jobs;
  v_counters jsonb;
  v_results jsonb;
begin
  if p_job_id is null then
    perform internal.invalid_argument('p_job_id is required');
  end if;
  select * into j from public.jobs where id = p_job_id;
  if not found then
    return null;
  end if;

  select jsonb_build_object(
           'total', count(*),
           'pending', count(*) filter (where r.status = 'pending'),
           'queued', count(*) filter (where r.status = 'queued'),
           'in_progress', count(*) filter (where r.status = 'in_progress'),
           'submitted', count(*) filter (where r.status = 'submitted'),
           'needs_manual', count(*) filter (where r.status = 'needs_manual'),
           'failed', count(*) filter (where r.status = 'failed'),
           'dead_lettered', count(*) filter (where r.status = 'dead_lettered')),
         coalesce(jsonb_agg(jsonb_build_object(
           'task_id', r.id,
           'directory', jsonb_build_object('id', d.id, 'slug', d.slug, 'name', d.name),
           'status', r.status,
           'attempt', r.attempt,
           'screenshot_key', r.screenshot_key,
           'listing_url', r.listing_url,
           'last_error', r.last_error,
           'error_class', r.error_class,
           'completed_at', r.completed_at) order by d.slug, r.generation), '[]'::jsonb)
    into v_counters, v_results
    from public.job_results r
    join public.directories d on d.id = r.directory_id
   where r.job_id = j.id;

  return jsonb_build_object(
    'job_id', j.id,
    'customer_id', j.customer_id,
    'status', j.status,
    'priority', j.priority,
    'version', j.version,
    'package_size', j.package_size,
    'created_at', j.created_at,
    'updated_at', j.updated_at,
    'started_at', j.started_at,
    'completed_at', j.completed_at,
    'counters', v_counters,
    'results', v_results
  );
end
$$;

-- ===================================================================================================
-- record_worker_heartbeat: upsert what a worker says it is doing.
-- ===================================================================================================
create or replace function public.record_worker_heartbeat(
  p_worker_id text, p_status text, p_current_job_id uuid default null, p_current_task_id uuid default null,
  p_metadata jsonb default '{}'
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_metadata jsonb := coalesce(p_metadata, '{}'::jsonb);
begin
  perform internal.check_worker_id(p_worker_id);
  if p_status is null or p_status not in ('starting', 'idle', 'running', 'paused', 'error', 'stopped') then
    perform internal.invalid_argument(format(
      'p_status must be one of starting, idle, running, paused, error, stopped (got %s)', coalesce(p_status, 'null')));
  end if;
  if jsonb_typeof(v_metadata) <> 'object' then
    perform internal.invalid_argument('p_metadata must be a JSON object');
  end if;
  if pg_column_size(v_metadata) > 16384 then
    perform internal.invalid_argument('p_metadata must be at most 16 KiB');
  end if;
  if p_current_job_id is not null and not exists (select 1 from public.jobs where id = p_current_job_id) then
    raise exception 'job % not found (p_current_job_id)', p_current_job_id using errcode = 'P0002';
  end if;
  if p_current_task_id is not null and not exists (select 1 from public.job_results where id = p_current_task_id) then
    raise exception 'task % not found (p_current_task_id)', p_current_task_id using errcode = 'P0002';
  end if;

  insert into public.worker_heartbeats as w
         (worker_id, status, current_job_id, current_task_id, last_heartbeat, started_at, metadata)
  values (p_worker_id, p_status, p_current_job_id, p_current_task_id, now(), now(), v_metadata)
  on conflict (worker_id) do update
     set status = excluded.status,
         current_job_id = excluded.current_job_id,
         current_task_id = excluded.current_task_id,
         last_heartbeat = excluded.last_heartbeat,
         -- A worker that says 'starting' again has restarted.
         started_at = case when excluded.status = 'starting' then excluded.started_at else w.started_at end,
         metadata = excluded.metadata;

  return jsonb_build_object('ok', true);
end
$$;

-- ===================================================================================================
-- Privileges: service_role only.
-- ===================================================================================================
revoke all on function public.create_job(uuid, uuid[], text) from public, anon, authenticated;
revoke all on function public.mark_tasks_enqueued(uuid[]) from public, anon, authenticated;
revoke all on function public.claim_task(uuid, text, int) from public, anon, authenticated;
revoke all on function public.heartbeat_task(uuid, text, int, int) from public, anon, authenticated;
revoke all on function public.mark_submitting(uuid, text, int) from public, anon, authenticated;
revoke all on function public.complete_task(uuid, text, int, text, jsonb) from public, anon, authenticated;
revoke all on function public.fail_task(uuid, text, int, text, text, int) from public, anon, authenticated;
revoke all on function public.get_job(uuid) from public, anon, authenticated;
revoke all on function public.record_worker_heartbeat(text, text, uuid, uuid, jsonb) from public, anon, authenticated;

grant execute on function public.create_job(uuid, uuid[], text) to service_role;
grant execute on function public.mark_tasks_enqueued(uuid[]) to service_role;
grant execute on function public.claim_task(uuid, text, int) to service_role;
grant execute on function public.heartbeat_task(uuid, text, int, int) to service_role;
grant execute on function public.mark_submitting(uuid, text, int) to service_role;
grant execute on function public.complete_task(uuid, text, int, text, jsonb) to service_role;
grant execute on function public.fail_task(uuid, text, int, text, text, int) to service_role;
grant execute on function public.get_job(uuid) to service_role;
grant execute on function public.record_worker_heartbeat(text, text, uuid, uuid, jsonb) to service_role;

revoke all on all functions in schema internal from public, anon, authenticated;
grant execute on all functions in schema internal to service_role;
