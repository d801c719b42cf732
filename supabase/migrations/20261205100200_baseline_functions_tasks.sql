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
-- Constants mirrored from lambdas/platform/system-config.ts (a test asserts they agree):
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
-- profile is a different submission. The eleven original facts always appear (null or not); the newer
-- optional ones only when set, so a profile without them keeps exactly the facts (and the key's
-- canonical form) it had before the profile was extended. The logo's key names its content hash: a new logo is
-- a new fact.
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
  ) || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
    'contact_first_name', c.contact_first_name,
    'contact_last_name', c.contact_last_name,
    'address_line2', c.address_line2,
    'short_description', c.short_description,
    'keywords', c.keywords,
    'opening_hours', c.opening_hours,
    'year_established', c.year_established,
    'social_profiles', c.social_profiles,
    'logo', c.logo
  ))
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
-- already_listed counts as terminal, and as a success (the
-- business is on the directory, or is being put there by the task that holds the listing).
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
     set tasks_submitted      = tasks_submitted      + (p_outcome = 'submitted')::int,
         tasks_needs_manual   = tasks_needs_manual   + (p_outcome = 'needs_manual')::int,
         tasks_failed         = tasks_failed         + (p_outcome = 'failed')::int,
         tasks_dead_lettered  = tasks_dead_lettered  + (p_outcome = 'dead_lettered')::int,
         tasks_already_listed = tasks_already_listed + (p_outcome = 'already_listed')::int
   where id = p_job_id
  returning * into j;
  if not found then
    raise exception 'job % not found', p_job_id using errcode = 'P0002';
  end if;

  if j.status in ('pending', 'in_progress')
     and j.tasks_submitted + j.tasks_needs_manual + j.tasks_failed + j.tasks_dead_lettered
         + j.tasks_already_listed >= j.tasks_total then
    v_from := j.status;
    -- A job is a success if at least one directory got the profile (or needs a human to finish it,
    -- or already had it).
    v_to := case when j.tasks_submitted + j.tasks_needs_manual + j.tasks_already_listed > 0
                 then 'completed' else 'failed' end;
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
        'tasks_dead_lettered', j.tasks_dead_lettered,
        'tasks_already_listed', j.tasks_already_listed));
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

-- Hex SHA-256 over (customer, directory, generation): the key of one listing generation, whichever job
-- carries it. jsonb's text form is canonical, so equal inputs always give the same key.
create or replace function internal.listing_idempotency_key(p_customer_id uuid, p_directory_id uuid, p_generation int)
returns text
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
    pg_catalog.jsonb_build_object(
      'customer_id', p_customer_id,
      'directory_id', p_directory_id,
      'generation', p_generation
    )::text, 'UTF8')), 'hex')
$$;

-- Whether a task still holds its listing. Only a task that failed before it ever clicked submit
-- (a permanent refusal, a cancelled job, a spent retry budget) leaves the directory without our
-- listing; every other state is a listing that exists, may exist, or is being made: submitted,
-- in flight, awaiting verification, needs_manual (a human finishes it) and dead_lettered (an operator
-- redrives it).
create or replace function internal.holds_listing(t public.job_results)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select t.id is not null and (t.status <> 'failed' or t.submit_started_at is not null)
$$;

-- ===================================================================================================
-- create_job: the job and one task per directory in one transaction. Each task either becomes the
-- holder of its business listing (pending, to be enqueued) or, when another task holds it, ends at
-- once as already_listed. Returned tasks carry their status: only pending ones are to be enqueued.
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
  v_listed int;
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
  perform internal.log_event(v_job.id, null, 'job_created', null, 'pending', null, null,
    jsonb_build_object('priority', v_priority, 'package_size', v_count, 'customer_id', c.id));

  -- The listing rows are the lock: a concurrent create_job for the same business and directory waits
  -- here (on the insert's conflict or the FOR UPDATE) until this one commits, then sees its holder.
  -- Directory order, so two jobs naming the same directories take their locks in one order.
  insert into public.business_listings (customer_id, directory_id, generation)
  select c.id, x.d, 1 from unnest(p_directory_ids) x(d) order by x.d
  on conflict (customer_id, directory_id) do nothing;
  perform 1 from public.business_listings
   where customer_id = c.id and directory_id = any (p_directory_ids)
   order by directory_id
     for update;

  -- One set-based statement for up to 500 tasks: each either holds its listing or is a duplicate.
  -- max_attempts = TASKS.retryBudget
  with plan as (
    select x.d, x.ord, l.generation, h.id as holder_id, h.job_id as holder_job_id, h.status as holder_status,
           coalesce(internal.holds_listing(h), false) as held
      from unnest(p_directory_ids) with ordinality as x(d, ord)
      join public.business_listings l on l.customer_id = c.id and l.directory_id = x.d
      left join public.job_results h on h.id = l.task_id
  ), ins as (
    insert into public.job_results (job_id, directory_id, status, attempt, max_attempts, idempotency_key, generation,
                                    listing_task_id, completed_at, last_error)
    select v_job.id, p.d, case when p.held then 'already_listed' else 'pending' end, 0, 3,
           internal.listing_idempotency_key(c.id, p.d, p.generation), p.generation,
           case when p.held then p.holder_id end, case when p.held then now() end,
           case when p.held then format('already listed: task %s of job %s holds this listing (%s)',
                                        p.holder_id, p.holder_job_id, p.holder_status) end
      from plan p
     order by p.ord
    returning id, directory_id, status, generation
  ), took as (
    update public.business_listings l set task_id = ins.id
      from ins
     where ins.status = 'pending' and l.customer_id = c.id and l.directory_id = ins.directory_id
    returning l.directory_id
  )
  select jsonb_agg(jsonb_build_object('task_id', ins.id, 'directory_id', ins.directory_id, 'status', ins.status,
                                      'generation', ins.generation, 'holder_id', p.holder_id,
                                      'holder_job_id', p.holder_job_id, 'holder_status', p.holder_status)
                   order by p.ord)
    into v_tasks
    from ins join plan p on p.d = ins.directory_id;

  insert into public.queue_history (job_id, task_id, event, from_status, to_status, attempt, details)
  select v_job.id, t.task_id, 'task_created', null, 'pending', 0,
         jsonb_strip_nulls(jsonb_build_object('directory_id', t.directory_id, 'generation', t.generation,
           'previous_listing_task_id', case when t.status = 'pending' then t.holder_id end))
    from jsonb_to_recordset(v_tasks) as t(task_id uuid, directory_id uuid, status text, generation int, holder_id uuid)
   order by t.task_id;
  insert into public.queue_history (job_id, task_id, event, from_status, to_status, attempt, details)
  select v_job.id, t.task_id, 'task_already_listed', 'pending', 'already_listed', 0,
         jsonb_build_object('directory_id', t.directory_id, 'generation', t.generation, 'listing_task_id', t.holder_id,
                            'listing_job_id', t.holder_job_id, 'listing_task_status', t.holder_status)
    from jsonb_to_recordset(v_tasks)
           as t(task_id uuid, directory_id uuid, status text, generation int, holder_id uuid, holder_job_id uuid,
                holder_status text)
   where t.status = 'already_listed';
  select count(*) filter (where t.status = 'already_listed') into v_listed
    from jsonb_to_recordset(v_tasks) as t(status text);

  if v_listed > 0 then
    update public.jobs set tasks_already_listed = v_listed where id = v_job.id;
    -- Every directory already had the listing: nothing to do, the job is finished.
    if v_listed = v_count then
      update public.jobs set status = 'completed', completed_at = now(), version = version + 1
       where id = v_job.id
      returning * into v_job;
      perform internal.log_event(v_job.id, null, 'job_completed', 'pending', 'completed', null, null,
        jsonb_build_object('tasks_total', v_count, 'tasks_already_listed', v_listed));
    end if;
  end if;

  select jsonb_agg(jsonb_build_object('task_id', x ->> 'task_id', 'directory_id', x ->> 'directory_id',
                                      'status', x ->> 'status'))
    into v_tasks
    from jsonb_array_elements(v_tasks) x;
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

-- What a worker needs to submit (or verify) a task. task.customer carries
-- every profile field, null when the profile has none, so the submitter sees one shape.
create or replace function internal.task_payload(t public.job_results, d public.directories, c public.customers)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'task_id', t.id,
    'job_id', t.job_id,
    'attempt', t.attempt,
    'max_attempts', t.max_attempts,
    'lease_expires_at', t.lease_expires_at,
    'idempotency_key', t.idempotency_key,
    'directory', pg_catalog.jsonb_build_object(
      'id', d.id, 'slug', d.slug, 'name', d.name,
      'submission_url', d.submission_url, 'field_mapping', d.field_mapping,
      'verification', d.verification, 'account', d.account),
    'customer', pg_catalog.jsonb_build_object('id', c.id) || internal.profile_json(c),
    'submission_local_part', c.submission_local_part
  )
$$;

-- Whether the task's directory takes one more claim now. Locks the directory row: lock order everywhere
-- is task, job, directory, and the lock serializes the claims of one directory, so the concurrency count
-- and the rate slot cannot be raced. Allowed: reserves the rate slot and answers {allowed: true}.
-- Refused: records next_attempt_at and a claim_deferred row (status and attempt unchanged) and answers
-- {allowed: false, reason, retry_after_seconds}.
create or replace function internal.directory_gate(
  p_task public.job_results, p_worker_id text, p_busy_retry_seconds int default 10,
  p_jitter_ratio numeric default 0.2
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  d public.directories;
  v_reason text;
  v_retry int;
  v_busy int;
  v_limit int;
  v_half_open boolean := false;
begin
  if p_busy_retry_seconds is null or p_busy_retry_seconds < 1 or p_busy_retry_seconds > 43200 then
    perform internal.invalid_argument(pg_catalog.format('p_busy_retry_seconds must be between 1 and 43200 (got %s)',
      coalesce(p_busy_retry_seconds::text, 'null')));
  end if;
  -- FOR NO KEY UPDATE: exclusive among claims (the caps are checked and counted atomically), yet
  -- create_job's foreign-key checks on the directory (KEY SHARE) do not wait behind it.
  select * into d from public.directories where id = p_task.directory_id for no key update;

  if d.breaker_state = 'open' then
    if d.paused_until > pg_catalog.now() then
      v_reason := 'directory_paused';
      v_retry := pg_catalog.ceil(extract(epoch from d.paused_until - pg_catalog.now()))::int;
    else
      -- Cooldown over: let one probe through. Its success closes the breaker, its failure reopens it.
      update public.directories set breaker_state = 'half_open' where id = d.id returning * into d;
      v_half_open := true;
      perform internal.log_event(p_task.job_id, p_task.id, 'directory_half_open', 'open', 'half_open', p_task.attempt,
        p_worker_id, pg_catalog.jsonb_build_object('directory_id', d.id, 'directory_slug', d.slug,
          'consecutive_failures', d.consecutive_failures));
    end if;
  end if;
  if v_reason is null and d.next_claim_at > pg_catalog.now() then
    v_reason := 'directory_rate_limited';
    v_retry := pg_catalog.ceil(extract(epoch from d.next_claim_at - pg_catalog.now()))::int;
  end if;
  if v_reason is null then
    select pg_catalog.count(*) into v_busy
      from public.job_results r
     where r.directory_id = d.id and r.status = 'in_progress' and r.lease_expires_at > pg_catalog.now()
       and r.id <> p_task.id;
    -- A half-open breaker lets exactly one probe run.
    v_limit := case when d.breaker_state = 'half_open' then 1 else d.max_concurrency end;
    if v_busy >= v_limit then
      v_reason := 'directory_busy';
      v_retry := p_busy_retry_seconds;
    end if;
  end if;

  if v_reason is not null then
    -- Jitter on top: tasks refused together must not all come back in the same second.
    v_retry := greatest(v_retry, 1);
    v_retry := v_retry + pg_catalog.floor(pg_catalog.random() * (v_retry * p_jitter_ratio + 1))::int;
    update public.job_results
       set next_attempt_at = pg_catalog.now() + pg_catalog.make_interval(secs => v_retry)
     where id = p_task.id;
    perform internal.log_event(p_task.job_id, p_task.id, 'claim_deferred', p_task.status, p_task.status, p_task.attempt,
      p_worker_id, pg_catalog.jsonb_build_object('reason', v_reason, 'delay_seconds', v_retry,
        'directory_id', d.id, 'directory_slug', d.slug, 'breaker_state', d.breaker_state,
        'paused_until', d.paused_until, 'next_claim_at', d.next_claim_at, 'live_leases', v_busy,
        'concurrency_limit', v_limit));
    return pg_catalog.jsonb_build_object('allowed', false, 'reason', v_reason, 'retry_after_seconds', v_retry,
      'directory_id', d.id);
  end if;

  if d.min_interval_ms > 0 then
    update public.directories
       set next_claim_at = pg_catalog.now() + pg_catalog.make_interval(secs => d.min_interval_ms / 1000.0)
     where id = d.id;
  end if;
  return pg_catalog.jsonb_build_object('allowed', true, 'directory_half_open', v_half_open);
end
$$;

-- {"<key>": true} when the breaker reply says so, else {}.
create or replace function internal.breaker_flag(p_breaker jsonb, p_key text)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case when coalesce((p_breaker ->> p_key)::boolean, false)
              then pg_catalog.jsonb_build_object(p_key, true) else '{}'::jsonb end
$$;

-- The directory's retry budget left: attempts it answered are attempt - infrastructure_attempts.
create or replace function internal.attempts_left(t public.job_results)
returns int
language sql
immutable
set search_path = ''
as $$
  select greatest(t.max_attempts - (t.attempt - t.infrastructure_attempts), 0)
$$;

-- ===================================================================================================
-- claim_task: take a task under a lease, in this order:
--   * a `pending` task whose message a worker received was enqueued, whatever mark_tasks_enqueued
--     has done yet: it becomes queued with an `enqueued` row first, so the trail never jumps from
--     pending to in_progress (mark_tasks_enqueued, arriving later, then finds nothing to do);
--   * an expired lease being taken over is an attempt lost to infrastructure: the task goes back to
--     queued (`lease_taken_over`, infrastructure_attempts + 1) before it is claimed again, and fails
--     with 'infrastructure_attempts_exhausted' once max_infrastructure_attempts were lost. The retry
--     budget (max_attempts) counts only the attempts the directory answered;
--   * then the operator's pauses, the directory's politeness gate (concurrency, interval, breaker) and
--     the fencing token (attempt + 1).
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
  v_gate jsonb;
  v_pause public.processing_pauses;
  v_retry int;
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
  -- Waiting for the directory's verification mail: record_inbound_mail queues it again when the link
  -- arrives, and expire_verification_waits ends it at its deadline. A stray message must not claim it.
  if t.status = 'awaiting_verification' then
    return jsonb_build_object('claimed', false, 'reason', 'awaiting_verification', 'status', t.status,
                              'verification_deadline', t.verification_deadline);
  end if;
  if t.status = 'in_progress' and t.lease_expires_at > now() then
    return jsonb_build_object('claimed', false, 'reason', 'leased', 'status', t.status,
                              'lease_expires_at', t.lease_expires_at);
  end if;

  -- Lock order everywhere: task, then job, then directory. The job row is read without a lock: a claim
  -- changes the job only while it is still pending (the conditional update below), and locking it on
  -- every claim serialized all the claims of one job (bench/suites/claims.ts measured it).
  select * into j from public.jobs where id = t.job_id;
  if j.status = 'cancelled' then
    return jsonb_build_object('claimed', false, 'reason', 'finished', 'status', t.status, 'job_status', j.status);
  end if;

  -- An earlier attempt got as far as clicking submit: the listing may exist. Never hand it out for a
  -- blind resubmission; it needs verification first (claim_verification).
  if t.submit_started_at is not null then
    return jsonb_build_object('claimed', false, 'reason', 'needs_verification', 'status', t.status,
                              'submit_started_at', t.submit_started_at);
  end if;

  -- The message reached a worker before the outbox marked the task: it was enqueued.
  if t.status = 'pending' then
    update public.job_results set status = 'queued', queued_at = now() where id = t.id returning * into t;
    perform internal.log_event(t.job_id, t.id, 'enqueued', 'pending', 'queued', t.attempt, p_worker_id,
      jsonb_build_object('recorded_by', 'claim_task'));
  end if;

  -- The previous attempt's worker died, froze or lost the database before it could record a result.
  if t.status = 'in_progress' then
    v_prev_owner := t.lease_owner;
    v_prev_attempt := t.attempt;
    v_prev_expiry := t.lease_expires_at;
    update public.job_results
       set status = 'queued', lease_owner = null, lease_expires_at = null, queued_at = now(),
           infrastructure_attempts = infrastructure_attempts + 1
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'lease_taken_over', 'in_progress', 'queued', t.attempt, p_worker_id,
      jsonb_build_object('previous_owner', v_prev_owner, 'previous_attempt', v_prev_attempt,
                         'lease_expired_at', v_prev_expiry,
                         'infrastructure_attempts', t.infrastructure_attempts,
                         'max_infrastructure_attempts', t.max_infrastructure_attempts));
    if t.infrastructure_attempts >= t.max_infrastructure_attempts then
      update public.job_results
         set status = 'failed', completed_at = now(), error_class = 'permanent',
             last_error = format('%s attempts lost to infrastructure (lease expired with no result; the directory never refused it), the most allowed',
                                 t.infrastructure_attempts)
       where id = t.id
      returning * into t;
      perform internal.log_event(t.job_id, t.id, 'task_failed', 'queued', 'failed', t.attempt, p_worker_id,
        jsonb_build_object('reason', 'infrastructure_attempts_exhausted', 'error_class', 'permanent',
                           'infrastructure_attempts', t.infrastructure_attempts));
      v_job_status := internal.record_task_outcome(t.job_id, 'failed', p_worker_id);
      return jsonb_build_object('claimed', false, 'reason', 'finished', 'status', t.status, 'job_status', v_job_status);
    end if;
  end if;

  -- The directory's answers spent the retry budget (not reachable through fail_task, which ends such a
  -- task itself; kept so no path can start attempt max_attempts + 1 of answered attempts).
  if internal.attempts_left(t) = 0 then
    v_from := t.status;
    update public.job_results
       set status = 'failed', completed_at = now(), lease_expires_at = null,
           error_class = 'permanent',
           last_error = format('retry budget exhausted: %s of %s attempts answered by the directory',
                               t.attempt - t.infrastructure_attempts, t.max_attempts)
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'task_failed', v_from, 'failed', t.attempt, p_worker_id,
      jsonb_build_object('reason', 'retry_budget_exhausted', 'error_class', 'permanent'));
    v_job_status := internal.record_task_outcome(t.job_id, 'failed', p_worker_id);
    return jsonb_build_object('claimed', false, 'reason', 'finished', 'status', t.status, 'job_status', v_job_status);
  end if;

  -- Operator pause (pause_processing). API_SURFACE.pauseRecheckSeconds, with the gate's jitter.
  select x.* into v_pause
    from public.processing_pauses x
   where (x.scope = 'priority' and x.priority = j.priority)
      or (x.scope = 'directory' and x.directory_id = t.directory_id)
   order by x.paused_at
   limit 1;
  if found then
    v_retry := 30 + floor(random() * 7)::int;
    update public.job_results set next_attempt_at = now() + make_interval(secs => v_retry) where id = t.id;
    perform internal.log_event(t.job_id, t.id, 'claim_deferred', t.status, t.status, t.attempt, p_worker_id,
      jsonb_build_object('reason', 'processing_paused', 'delay_seconds', v_retry, 'pause_scope', v_pause.scope,
                         'priority', v_pause.priority, 'directory_id', v_pause.directory_id));
    return jsonb_build_object('claimed', false, 'reason', 'processing_paused', 'status', t.status,
                              'retry_after_seconds', v_retry, 'directory_id', t.directory_id);
  end if;

  -- Politeness and the breaker: a refused claim leaves status and attempt as they are.
  v_gate := internal.directory_gate(t, p_worker_id);
  if not (v_gate ->> 'allowed')::boolean then
    return jsonb_build_object('claimed', false, 'reason', v_gate ->> 'reason', 'status', t.status,
                              'retry_after_seconds', (v_gate ->> 'retry_after_seconds')::int,
                              'directory_id', v_gate ->> 'directory_id');
  end if;

  v_from := t.status;
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
  perform internal.log_event(t.job_id, t.id, 'claimed', v_from, 'in_progress', t.attempt, p_worker_id,
    jsonb_build_object('lease_seconds', p_lease_seconds, 'lease_expires_at', t.lease_expires_at));

  if j.status = 'pending' then
    update public.jobs
       set status = 'in_progress', started_at = coalesce(started_at, now()), version = version + 1
     where id = j.id and status = 'pending';
    if found then
      perform internal.log_event(j.id, null, 'job_started', 'pending', 'in_progress', null, p_worker_id, '{}');
    end if;
  end if;

  select * into d from public.directories where id = t.directory_id;
  select * into c from public.customers where id = j.customer_id;

  return jsonb_build_object('claimed', true, 'task', internal.task_payload(t, d, c))
         || internal.breaker_flag(v_gate, 'directory_half_open');
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

-- The directory answered: the failure streak ends and an open or half-open breaker closes.
create or replace function internal.breaker_success(p_task public.job_results, p_worker_id text)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  d public.directories;
  v_from text;
begin
  -- The common case (closed, no streak) writes nothing and takes no lock.
  select * into d from public.directories where id = p_task.directory_id;
  if d.breaker_state = 'closed' and d.consecutive_failures = 0 then
    return pg_catalog.jsonb_build_object('directory_resumed', false);
  end if;
  select * into d from public.directories where id = p_task.directory_id for no key update;
  v_from := d.breaker_state;
  update public.directories set breaker_state = 'closed', consecutive_failures = 0, paused_until = null
   where id = d.id;
  if v_from = 'closed' then
    return pg_catalog.jsonb_build_object('directory_resumed', false);
  end if;
  perform internal.log_event(p_task.job_id, p_task.id, 'directory_resumed', v_from, 'closed', p_task.attempt, p_worker_id,
    pg_catalog.jsonb_build_object('directory_id', d.id, 'directory_slug', d.slug, 'reason', 'success',
      'consecutive_failures', d.consecutive_failures));
  return pg_catalog.jsonb_build_object('directory_resumed', true, 'directory_id', d.id);
end
$$;

-- ===================================================================================================
-- complete_task: the worker's outcome; a submitted or needs_manual outcome also closes the directory's
-- breaker.
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
  v_breaker jsonb := '{}'::jsonb;
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
  -- The directory answered (a listing, or a human check): its failure streak is over.
  if p_outcome in ('submitted', 'needs_manual') then
    v_breaker := internal.breaker_success(t, p_worker_id);
  end if;

  -- The key only when it happened: callers that compare the whole reply keep working.
  return jsonb_build_object('recorded', true, 'status', t.status, 'job_status', v_job_status)
         || internal.breaker_flag(v_breaker, 'directory_resumed');
end
$$;

-- One more consecutive transient failure of the task's directory; opens the breaker at the threshold
-- (or at once when half-open: the probe failed).
create or replace function internal.breaker_failure(
  p_task public.job_results, p_worker_id text, p_threshold int default 5, p_cooldown_seconds int default 300
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  d public.directories;
  v_from text;
begin
  update public.directories set consecutive_failures = consecutive_failures + 1
   where id = p_task.directory_id
  returning * into d;
  if d.breaker_state = 'open' or d.consecutive_failures < p_threshold then
    return pg_catalog.jsonb_build_object('directory_paused', false, 'consecutive_failures', d.consecutive_failures);
  end if;
  v_from := d.breaker_state;
  update public.directories
     set breaker_state = 'open', paused_until = pg_catalog.now() + pg_catalog.make_interval(secs => p_cooldown_seconds)
   where id = d.id
  returning * into d;
  perform internal.log_event(p_task.job_id, p_task.id, 'directory_paused', v_from, 'open', p_task.attempt, p_worker_id,
    pg_catalog.jsonb_build_object('directory_id', d.id, 'directory_slug', d.slug,
      'consecutive_failures', d.consecutive_failures, 'cooldown_seconds', p_cooldown_seconds,
      'paused_until', d.paused_until));
  return pg_catalog.jsonb_build_object('directory_paused', true, 'consecutive_failures', d.consecutive_failures,
    'paused_until', d.paused_until, 'directory_id', d.id);
end
$$;

-- ===================================================================================================
-- fail_task: a transient error is retried with backoff while the budget lasts; the retry budget left
-- counts only the attempts the directory answered (internal.attempts_left), not those lost to
-- infrastructure.
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
  v_breaker jsonb := '{}'::jsonb;
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
  v_attempts_left := internal.attempts_left(t);
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
    if p_error_class = 'transient' then
      v_breaker := internal.breaker_failure(t, p_worker_id);
    end if;
    select status into v_job_status from public.jobs where id = t.job_id;
    return jsonb_build_object('recorded', true, 'status', 'queued', 'attempts_left', v_attempts_left,
                              'next_attempt_at', t.next_attempt_at, 'job_status', v_job_status)
           || internal.breaker_flag(v_breaker, 'directory_paused');
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
  if p_error_class = 'transient' then
    v_breaker := internal.breaker_failure(t, p_worker_id);
  end if;
  return jsonb_build_object('recorded', true, 'status', 'failed', 'attempts_left', v_attempts_left,
                            'job_status', v_job_status)
         || internal.breaker_flag(v_breaker, 'directory_paused');
end
$$;

-- The holder as the API shows it beside an already_listed task.
create or replace function internal.listing_holder_json(p_task_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object('task_id', h.id, 'job_id', h.job_id, 'status', h.status,
           'generation', h.generation, 'listing_url', h.listing_url, 'completed_at', h.completed_at)
    from public.job_results h
   where h.id = p_task_id
$$;

-- ===================================================================================================
-- get_job: a job with its counters (already_listed included) and its tasks, each with its listing
-- generation and, for an already_listed task, the task holding the listing (already_listed_by).
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
           'dead_lettered', count(*) filter (where r.status = 'dead_lettered'),
           'already_listed', count(*) filter (where r.status = 'already_listed')),
         coalesce(jsonb_agg(jsonb_build_object(
           'task_id', r.id,
           'directory', jsonb_build_object('id', d.id, 'slug', d.slug, 'name', d.name),
           'status', r.status,
           'attempt', r.attempt,
           'generation', r.generation,
           'screenshot_key', r.screenshot_key,
           'listing_url', r.listing_url,
           'last_error', r.last_error,
           'error_class', r.error_class,
           'completed_at', r.completed_at)
           || case when r.status = 'already_listed'
                   then jsonb_build_object('already_listed_by', internal.listing_holder_json(r.listing_task_id))
                   else '{}'::jsonb end
           order by d.slug, r.generation), '[]'::jsonb)
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
-- defer_rate_limited: the directory answered 429. A 429 means the request was not processed, so the
-- attempt is given back, the "about to submit" marker is cleared, and the directory takes no claim
-- before Retry-After has passed. After p_max_deferrals of them the task spends attempts again (through
-- fail_task), so a directory that always answers 429 cannot hold a task forever.
-- ===================================================================================================
create or replace function public.defer_rate_limited(
  p_task_id uuid, p_worker_id text, p_attempt int, p_retry_after_seconds int, p_error text,
  p_max_deferrals int default 10, p_delay_seconds int default null
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
  v_error text;
  v_job_status text;
  v_next_claim timestamptz;
  v_delay int := coalesce(p_delay_seconds, p_retry_after_seconds);
begin
  perform internal.check_fenced_args(p_task_id, p_worker_id, p_attempt);
  if p_retry_after_seconds is null or p_retry_after_seconds < 1 or p_retry_after_seconds > 43200 then
    perform internal.invalid_argument(format('p_retry_after_seconds must be between 1 and 43200 (got %s)',
      coalesce(p_retry_after_seconds::text, 'null')));
  end if;
  -- The delay chosen (Retry-After plus jitter) may be longer than Retry-After, never shorter.
  if v_delay < p_retry_after_seconds or v_delay > 43200 then
    perform internal.invalid_argument(format('p_delay_seconds must be between p_retry_after_seconds and 43200 (got %s)',
      v_delay));
  end if;
  if p_error is null or btrim(p_error) = '' then
    perform internal.invalid_argument('p_error is required');
  end if;
  if p_max_deferrals is null or p_max_deferrals < 0 or p_max_deferrals > 1000 then
    perform internal.invalid_argument(format('p_max_deferrals must be between 0 and 1000 (got %s)',
      coalesce(p_max_deferrals::text, 'null')));
  end if;
  v_error := left(p_error, 2000);

  select * into t from public.job_results where id = p_task_id for update;
  if not found then
    raise exception 'task % not found', p_task_id using errcode = 'P0002';
  end if;
  v_reason := internal.fence_reason(t, p_worker_id, p_attempt);
  if v_reason is not null then
    return jsonb_build_object('recorded', false, 'reason', v_reason, 'status', t.status);
  end if;

  if t.rate_limited_count >= p_max_deferrals then
    return public.fail_task(p_task_id, p_worker_id, p_attempt, 'rate_limited', v_error, v_delay)
           || jsonb_build_object('attempt_refunded', false, 'delay_seconds', v_delay);
  end if;

  update public.job_results
     set status = 'queued',
         attempt = attempt - 1,
         lease_owner = null,
         lease_expires_at = null,
         submit_started_at = null,
         queued_at = now(),
         next_attempt_at = now() + make_interval(secs => v_delay),
         rate_limited_count = rate_limited_count + 1,
         last_error = v_error,
         error_class = 'rate_limited'
   where id = t.id
  returning * into t;
  -- Retry-After speaks for the whole site: no task of this directory is claimed before it.
  update public.directories
     set next_claim_at = greatest(coalesce(next_claim_at, now()), now() + make_interval(secs => p_retry_after_seconds))
   where id = t.directory_id
  returning next_claim_at into v_next_claim;
  perform internal.log_event(t.job_id, t.id, 'rate_limited', 'in_progress', 'queued', p_attempt, p_worker_id,
    jsonb_build_object('error_class', 'rate_limited', 'error', v_error, 'attempt', p_attempt,
                       'attempt_refunded', true, 'retry_after_seconds', p_retry_after_seconds,
                       'delay_seconds', v_delay, 'next_attempt_at', t.next_attempt_at,
                       'rate_limited_count', t.rate_limited_count, 'directory_id', t.directory_id,
                       'directory_next_claim_at', v_next_claim));
  select status into v_job_status from public.jobs where id = t.job_id;
  return jsonb_build_object('recorded', true, 'status', 'queued', 'attempt_refunded', true,
                            'attempts_left', internal.attempts_left(t),
                            'delay_seconds', v_delay, 'next_attempt_at', t.next_attempt_at,
                            'job_status', v_job_status);
end
$$;

-- ===================================================================================================
-- claim_verification: lease a task whose earlier attempt may have submitted, to look it up. The lookup
-- spends no attempt (the attempt number stays the fencing token of this lease together with the owner).
-- No rule, or p_max_attempts lookups failed: needs_manual, since nobody can tell automatically.
-- ===================================================================================================
create or replace function public.claim_verification(
  p_task_id uuid, p_worker_id text, p_lease_seconds int, p_max_attempts int default 3
)
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
  v_gate jsonb;
  v_message text;
  v_job_status text;
begin
  if p_task_id is null then
    perform internal.invalid_argument('p_task_id is required');
  end if;
  perform internal.check_worker_id(p_worker_id);
  perform internal.check_lease_seconds(p_lease_seconds);
  if p_max_attempts is null or p_max_attempts < 1 or p_max_attempts > 100 then
    perform internal.invalid_argument(format('p_max_attempts must be between 1 and 100 (got %s)',
      coalesce(p_max_attempts::text, 'null')));
  end if;

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
  select * into j from public.jobs where id = t.job_id for update;
  if j.status = 'cancelled' then
    return jsonb_build_object('claimed', false, 'reason', 'finished', 'status', t.status, 'job_status', j.status);
  end if;
  if t.submit_started_at is null then
    -- Nothing to verify: claim_task hands it out normally.
    return jsonb_build_object('claimed', false, 'reason', 'not_needed', 'status', t.status);
  end if;

  select * into d from public.directories where id = t.directory_id;
  if d.verification is null or t.verification_attempts >= p_max_attempts then
    v_message := case when d.verification is null
                      then 'may have been submitted; verify by hand'
                      else format('may have been submitted; %s lookups failed; verify by hand', t.verification_attempts) end;
    v_from := t.status;
    update public.job_results
       set status = 'needs_manual', completed_at = now(), lease_expires_at = null, last_error = v_message,
           error_class = null
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'task_needs_manual', v_from, 'needs_manual', t.attempt, p_worker_id,
      jsonb_build_object('message', v_message, 'submit_started_at', t.submit_started_at,
                         'verification_attempts', t.verification_attempts,
                         'previous_owner', t.lease_owner));
    v_job_status := internal.record_task_outcome(t.job_id, 'needs_manual', p_worker_id);
    return jsonb_build_object('claimed', false, 'reason', 'finished', 'status', t.status, 'job_status', v_job_status);
  end if;

  -- The lookup is a request to the directory too: same politeness and breaker.
  v_gate := internal.directory_gate(t, p_worker_id);
  if not (v_gate ->> 'allowed')::boolean then
    return jsonb_build_object('claimed', false, 'reason', v_gate ->> 'reason', 'status', t.status,
                              'retry_after_seconds', (v_gate ->> 'retry_after_seconds')::int,
                              'directory_id', v_gate ->> 'directory_id');
  end if;

  v_from := t.status;
  v_prev_owner := t.lease_owner;
  update public.job_results
     set status = 'in_progress',
         lease_owner = p_worker_id,
         lease_expires_at = now() + make_interval(secs => p_lease_seconds),
         heartbeat_at = now(),
         next_attempt_at = null,
         verification_attempts = verification_attempts + 1
   where id = t.id
  returning * into t;
  perform internal.log_event(t.job_id, t.id, 'verification_claimed', v_from, 'in_progress', t.attempt, p_worker_id,
    jsonb_build_object('lease_seconds', p_lease_seconds, 'lease_expires_at', t.lease_expires_at,
                       'submit_started_at', t.submit_started_at, 'verification_attempt', t.verification_attempts,
                       'previous_owner', v_prev_owner));

  select * into c from public.customers where id = j.customer_id;
  return jsonb_build_object('claimed', true, 'verification_attempt', t.verification_attempts,
                            'task', internal.task_payload(t, d, c))
         || internal.breaker_flag(v_gate, 'directory_half_open');
end
$$;

-- ===================================================================================================
-- record_verification: what the lookup found, fenced like every worker write.
--   found     -> submitted (with the listing URL), history verified_submitted
--   not_found -> the earlier attempt never reached the directory: marker cleared, queued for a normal
--                claim, history verified_not_submitted
--   error     -> queued; looked up again after p_retry_delay_seconds, history verification_failed
-- ===================================================================================================
create or replace function public.record_verification(
  p_task_id uuid, p_worker_id text, p_attempt int, p_outcome text, p_details jsonb default '{}',
  p_retry_delay_seconds int default 0
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
  v_marker timestamptz;
  v_breaker jsonb := '{}'::jsonb;
begin
  perform internal.check_fenced_args(p_task_id, p_worker_id, p_attempt);
  if p_outcome is null or p_outcome not in ('found', 'not_found', 'error') then
    perform internal.invalid_argument(format('p_outcome must be one of found, not_found, error (got %s)',
      coalesce(p_outcome, 'null')));
  end if;
  if jsonb_typeof(v_details) <> 'object' then
    perform internal.invalid_argument('p_details must be a JSON object');
  end if;
  foreach v_key in array array['listing_url', 'lookup_url', 'error'] loop
    if v_details ? v_key and jsonb_typeof(v_details -> v_key) not in ('string', 'null') then
      perform internal.invalid_argument(format('p_details.%s must be a string', v_key));
    end if;
    if length(v_details ->> v_key) > 2048 then
      perform internal.invalid_argument(format('p_details.%s must be at most 2048 characters', v_key));
    end if;
  end loop;
  if v_details ->> 'listing_url' is not null and (v_details ->> 'listing_url') !~* '^https?://[^[:space:]/]+' then
    perform internal.invalid_argument('p_details.listing_url must be an http(s) URL');
  end if;
  if p_outcome = 'error' and coalesce(btrim(v_details ->> 'error'), '') = '' then
    perform internal.invalid_argument('p_details.error is required when p_outcome is error');
  end if;
  if p_retry_delay_seconds is null or p_retry_delay_seconds < 0 or p_retry_delay_seconds > 43200 then
    perform internal.invalid_argument(format('p_retry_delay_seconds must be between 0 and 43200 (got %s)',
      coalesce(p_retry_delay_seconds::text, 'null')));
  end if;

  select * into t from public.job_results where id = p_task_id for update;
  if not found then
    raise exception 'task % not found', p_task_id using errcode = 'P0002';
  end if;
  v_reason := internal.fence_reason(t, p_worker_id, p_attempt);
  if v_reason is null and t.submit_started_at is null then
    -- The holder of an ordinary claim has nothing to verify.
    v_reason := 'not_verifying';
  end if;
  if v_reason is not null then
    select status into v_job_status from public.jobs where id = t.job_id;
    return jsonb_build_object('recorded', false, 'reason', v_reason, 'status', t.status, 'job_status', v_job_status);
  end if;
  v_marker := t.submit_started_at;

  if p_outcome = 'found' then
    update public.job_results
       set status = 'submitted', completed_at = now(), lease_expires_at = null,
           listing_url = coalesce(v_details ->> 'listing_url', listing_url),
           last_error = null, error_class = null
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'verified_submitted', 'in_progress', 'submitted', t.attempt, p_worker_id,
      v_details || jsonb_build_object('submit_started_at', v_marker));
    v_job_status := internal.record_task_outcome(t.job_id, 'submitted', p_worker_id);
    v_breaker := internal.breaker_success(t, p_worker_id);
    return jsonb_build_object('recorded', true, 'status', 'submitted', 'job_status', v_job_status)
           || internal.breaker_flag(v_breaker, 'directory_resumed');
  end if;

  if p_outcome = 'not_found' then
    update public.job_results
       set status = 'queued', lease_owner = null, lease_expires_at = null, submit_started_at = null,
           queued_at = now(), next_attempt_at = null
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'verified_not_submitted', 'in_progress', 'queued', t.attempt, p_worker_id,
      v_details || jsonb_build_object('submit_started_at', v_marker));
    select status into v_job_status from public.jobs where id = t.job_id;
    return jsonb_build_object('recorded', true, 'status', 'queued', 'job_status', v_job_status);
  end if;

  update public.job_results
     set status = 'queued', lease_owner = null, lease_expires_at = null, queued_at = now(),
         next_attempt_at = now() + make_interval(secs => p_retry_delay_seconds),
         last_error = left(v_details ->> 'error', 2000)
   where id = t.id
  returning * into t;
  perform internal.log_event(t.job_id, t.id, 'verification_failed', 'in_progress', 'queued', t.attempt, p_worker_id,
    v_details || jsonb_build_object('delay_seconds', p_retry_delay_seconds, 'next_attempt_at', t.next_attempt_at,
                                    'verification_attempt', t.verification_attempts));
  select status into v_job_status from public.jobs where id = t.job_id;
  return jsonb_build_object('recorded', true, 'status', 'queued', 'next_attempt_at', t.next_attempt_at,
                            'job_status', v_job_status);
end
$$;

-- ===================================================================================================
-- resubmit_listing: the deliberate resubmission (the directory lost the listing, the business changed
-- its facts). Bumps the listing's generation, releases it, creates a one-directory job whose task
-- becomes the new holder (and so submits again, with a new idempotency key), and audits who did it and
-- why in queue_history. Refused (conflict) while the holder is still in flight or redrivable: that
-- submission is not over, and a second one now would be the duplicate this table exists to prevent.
-- Returns {outcome: 'resubmitted', generation, previous_generation, job: <create_job's answer>},
-- {outcome: 'not_found'} (no listing: create a job instead) or {outcome: 'conflict', reason, holder}.
-- ===================================================================================================
create or replace function public.resubmit_listing(
  p_customer_id uuid, p_directory_id uuid, p_reason text, p_actor text, p_priority text default null
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  l public.business_listings;
  h public.job_results;
  v_job jsonb;
  v_task_id uuid;
begin
  if p_customer_id is null then
    perform internal.invalid_argument('p_customer_id is required');
  end if;
  if p_directory_id is null then
    perform internal.invalid_argument('p_directory_id is required');
  end if;
  if p_reason is null or length(btrim(p_reason)) not between 3 and 500 then
    perform internal.invalid_argument('p_reason must say why, in 3 to 500 characters');
  end if;
  perform internal.check_text('p_actor', p_actor, 200);
  if p_priority is not null and p_priority not in ('p1', 'p2', 'p3') then
    perform internal.invalid_argument(format('p_priority must be one of p1, p2, p3 (got %s)', p_priority));
  end if;

  select * into l from public.business_listings
   where customer_id = p_customer_id and directory_id = p_directory_id for update;
  if not found then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  if l.task_id is not null then
    select * into h from public.job_results where id = l.task_id;
    if h.status in ('pending', 'queued', 'in_progress', 'awaiting_verification', 'dead_lettered') then
      return jsonb_build_object('outcome', 'conflict',
        'reason', format('the listing''s current submission (task %s) is %s: let it finish (or cancel its job) first',
                         h.id, h.status),
        'holder', internal.listing_holder_json(h.id));
    end if;
  end if;

  update public.business_listings set generation = generation + 1, task_id = null
   where customer_id = l.customer_id and directory_id = l.directory_id;
  -- create_job validates the customer and the directory (P0002 unknown, 22023 inactive) and, the
  -- listing now being free, makes its task the holder of the new generation.
  v_job := public.create_job(p_customer_id, array[p_directory_id], p_priority);
  v_task_id := (v_job -> 'tasks' -> 0 ->> 'task_id')::uuid;
  perform internal.log_event((v_job ->> 'job_id')::uuid, v_task_id, 'listing_resubmitted', null, 'pending', 0,
    p_actor, jsonb_build_object('customer_id', p_customer_id, 'directory_id', p_directory_id,
      'previous_generation', l.generation, 'generation', l.generation + 1, 'previous_task_id', l.task_id,
      'previous_task_status', h.status, 'reason', btrim(p_reason), 'actor', p_actor));
  return jsonb_build_object('outcome', 'resubmitted', 'generation', l.generation + 1,
                            'previous_generation', l.generation, 'job', v_job);
end
$$;
