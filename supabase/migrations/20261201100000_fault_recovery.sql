-- Fault recovery (issue 12): the sweeper never "recovers" a task whose message is only waiting in a
-- backlog, attempts lost to our own infrastructure do not spend the directory's retry budget, and
-- every state change is in queue_history whatever order the outbox and the workers run in.
--
-- Conventions as in 20251102090200_task_functions.sql: jsonb results, 22023 naming the argument,
-- a queue_history row for every state change, security invoker, search_path pinned, EXECUTE for
-- service_role only. Each function below is its complete, current definition.
--
-- Constants mirrored from lambdas/shared/system-config.ts (test/sql/fault-recovery.test.ts checks them):
--   TASKS.infrastructureAttempts = 10   -> job_results.max_infrastructure_attempts of new tasks

-- ===================================================================================================
-- Attempts lost to infrastructure
-- ===================================================================================================

-- `attempt` stays the fencing token (+1 per claim, never given back for a lost lease: a zombie worker
-- must never hold a number a later claim hands out again). The attempts the directory answered are
-- attempt - infrastructure_attempts; max_attempts (TASKS.retryBudget) bounds those, and the larger
-- max_infrastructure_attempts bounds the others so a task cannot loop forever.
alter table public.job_results
  add column infrastructure_attempts     int not null default 0 check (infrastructure_attempts >= 0),
  add column max_infrastructure_attempts int not null default 10 check (max_infrastructure_attempts >= 1),
  drop constraint job_results_attempt_within_budget,
  add constraint job_results_attempt_within_budget
    check (attempt - infrastructure_attempts <= max_attempts
           and infrastructure_attempts <= max_infrastructure_attempts);
comment on column public.job_results.infrastructure_attempts is
  'Attempts cut short by our infrastructure (lease expired with no result: worker killed or frozen, database down); they do not spend max_attempts.';

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
-- sweep_stale_tasks: find tasks nobody is working on.
--   * in_progress with a lease expired more than p_lease_grace_seconds ago (the worker died, froze or
--     lost the database): requeued, and that attempt counts as lost to infrastructure; past
--     max_infrastructure_attempts such losses the task fails ('infrastructure_attempts_exhausted');
--   * pending for more than p_pending_seconds (committed, never sent: a crash in create-job);
--   * queued and untouched for more than p_queued_seconds past its retry time, AND its priority's
--     queue cannot be holding a message for every task waiting on it (message lost).
-- The last rule is what keeps a backlog from being "recovered": p_queue_messages is each priority
-- queue's ApproximateNumberOfMessages + NotVisible + Delayed, read at p_queue_counted_at. Every queued
-- (marked before that moment) or in_progress task of a live job should have a message there; when the
-- queue holds fewer, the difference is the number of messages lost, and only that many of the oldest
-- stale queued tasks are returned. Extra messages (a duplicate, a cancelled job's) can only hide a loss
-- until they are delivered, never cause a resend. A priority missing from p_queue_messages (its count
-- could not be read) recovers no lost message this run.
-- A task returned is not changed yet: the caller sends its message, then calls mark_tasks_requeued with
-- the updated_at returned here, so a task a worker picked up meanwhile is left alone.
-- ===================================================================================================
drop function public.sweep_stale_tasks(int, int, int, int);
create function public.sweep_stale_tasks(
  p_lease_grace_seconds int, p_pending_seconds int, p_queued_seconds int, p_limit int,
  p_queue_messages jsonb, p_queue_counted_at timestamptz
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_rec record;
  t public.job_results;
  v_requeue jsonb := '[]'::jsonb;
  v_failed jsonb := '[]'::jsonb;
  v_queues jsonb := '{}'::jsonb;
  v_priority text;
  v_messages bigint;
  v_expected bigint;
  v_lost bigint;
  v_taken int := 0;
  v_key text;
begin
  perform internal.check_seconds('p_lease_grace_seconds', p_lease_grace_seconds, 0, 86400);
  perform internal.check_seconds('p_pending_seconds', p_pending_seconds, 1, 604800);
  perform internal.check_seconds('p_queued_seconds', p_queued_seconds, 1, 604800);
  perform internal.check_seconds('p_limit', p_limit, 1, 5000);
  if p_queue_messages is null or jsonb_typeof(p_queue_messages) <> 'object' then
    perform internal.invalid_argument('p_queue_messages must be a JSON object of message counts by priority');
  end if;
  for v_key in select jsonb_object_keys(p_queue_messages) loop
    if v_key not in ('p1', 'p2', 'p3') then
      perform internal.invalid_argument(format('p_queue_messages has an unknown priority %s', v_key));
    end if;
    if jsonb_typeof(p_queue_messages -> v_key) <> 'number'
       or (p_queue_messages ->> v_key)::numeric < 0
       or (p_queue_messages ->> v_key)::numeric <> trunc((p_queue_messages ->> v_key)::numeric) then
      perform internal.invalid_argument(format('p_queue_messages.%s must be a whole number of messages, 0 or more', v_key));
    end if;
  end loop;
  if p_queue_counted_at is null or p_queue_counted_at > now() + interval '5 minutes' then
    perform internal.invalid_argument('p_queue_counted_at must be the time the queues were counted');
  end if;

  -- Expired leases and never-enqueued tasks. SKIP LOCKED: a task a worker is claiming or completing
  -- right now is not stale; never wait on it.
  for v_rec in
    select r.id, j.priority,
           case r.status when 'in_progress' then 'lease_expired' else 'never_enqueued' end as reason
      from public.job_results r
      join public.jobs j on j.id = r.job_id
     where j.status <> 'cancelled'
       and ((r.status = 'in_progress'
             and r.lease_expires_at < now() - make_interval(secs => p_lease_grace_seconds))
         or (r.status = 'pending' and r.updated_at < now() - make_interval(secs => p_pending_seconds)))
     order by r.updated_at
     limit p_limit
       for update of r skip locked
  loop
    select * into t from public.job_results where id = v_rec.id; -- locked above
    -- The expired lease is one more attempt lost to infrastructure. A task that got as far as clicking
    -- submit is requeued whatever its counts: claim_task hands it to verification, never to a blind
    -- resubmission.
    if t.status = 'in_progress' and t.submit_started_at is null
       and t.infrastructure_attempts + 1 >= t.max_infrastructure_attempts then
      update public.job_results set infrastructure_attempts = infrastructure_attempts + 1 where id = t.id
      returning * into t;
      perform internal.finish_stale_task(t, 'failed', 'infrastructure_attempts_exhausted',
        format('%s attempts lost to infrastructure (lease expired with no result; the directory never refused it), the most allowed',
               t.infrastructure_attempts));
      v_failed := v_failed || jsonb_build_object('task_id', t.id, 'job_id', t.job_id, 'from_status', 'in_progress',
                                                 'attempt', t.attempt, 'reason', 'infrastructure_attempts_exhausted');
    else
      v_requeue := v_requeue || jsonb_build_object(
        'task_id', t.id, 'job_id', t.job_id, 'priority', v_rec.priority, 'from_status', t.status,
        'attempt', t.attempt, 'updated_at', t.updated_at,
        'reason', case when t.submit_started_at is not null then 'needs_verification' else v_rec.reason end);
    end if;
    v_taken := v_taken + 1;
  end loop;

  -- Lost messages, per priority queue: at most as many as the queue is short of.
  foreach v_priority in array array['p1', 'p2', 'p3'] loop
    select count(*) into v_expected
      from public.job_results r
      join public.jobs j on j.id = r.job_id
     where j.priority = v_priority and j.status <> 'cancelled'
       and (r.status = 'in_progress'
            or (r.status = 'queued' and coalesce(r.queued_at, r.created_at) <= p_queue_counted_at));
    v_messages := (p_queue_messages ->> v_priority)::bigint;
    v_lost := case when v_messages is null then 0 else greatest(v_expected - v_messages, 0) end;
    v_queues := v_queues || jsonb_build_object(v_priority, jsonb_build_object(
      'messages', v_messages, 'tasks_waiting', v_expected, 'messages_lost', v_lost));
    continue when v_lost = 0 or v_taken >= p_limit;
    for v_rec in
      select r.id
        from public.job_results r
        join public.jobs j on j.id = r.job_id
       where j.priority = v_priority and j.status <> 'cancelled'
         and r.status = 'queued'
         and coalesce(r.queued_at, r.created_at) <= p_queue_counted_at
         and greatest(r.updated_at, r.next_attempt_at) < now() - make_interval(secs => p_queued_seconds)
       order by greatest(r.updated_at, r.next_attempt_at)
       limit least(v_lost, p_limit - v_taken)
         for update of r skip locked
    loop
      select * into t from public.job_results where id = v_rec.id;
      v_requeue := v_requeue || jsonb_build_object(
        'task_id', t.id, 'job_id', t.job_id, 'priority', v_priority, 'from_status', t.status,
        'attempt', t.attempt, 'updated_at', t.updated_at,
        'reason', case when t.submit_started_at is not null then 'needs_verification' else 'message_lost' end);
      v_taken := v_taken + 1;
    end loop;
  end loop;

  return jsonb_build_object('requeue', v_requeue, 'failed', v_failed, 'queues', v_queues);
end
$$;

-- ===================================================================================================
-- mark_tasks_requeued: after their messages were sent, the swept tasks become queued. Fenced by
-- (status, updated_at) as sweep_stale_tasks returned them: a task claimed, heartbeated or finished in
-- between is skipped (its worker is alive; the extra message is a harmless duplicate delivery).
-- A task taken back from an expired lease counts that attempt as lost to infrastructure.
-- ===================================================================================================
create or replace function public.mark_tasks_requeued(p_tasks jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_item jsonb;
  t public.job_results;
  v_id uuid;
  v_marker timestamptz;
  v_from text;
  v_prev_owner text;
  v_prev_expiry timestamptz;
  v_done int := 0;
  v_skipped jsonb := '[]'::jsonb;
begin
  if p_tasks is null or jsonb_typeof(p_tasks) <> 'array' or jsonb_array_length(p_tasks) = 0 then
    perform internal.invalid_argument('p_tasks must be a non-empty JSON array');
  end if;
  if jsonb_array_length(p_tasks) > 5000 then
    perform internal.invalid_argument('p_tasks has more than 5000 entries');
  end if;
  for v_item in select value from jsonb_array_elements(p_tasks) loop
    v_id := internal.uuid_or_null(v_item ->> 'task_id');
    if v_id is null then
      perform internal.invalid_argument('p_tasks[].task_id must be a UUID');
    end if;
    begin
      v_marker := (v_item ->> 'updated_at')::timestamptz;
    exception when others then
      v_marker := null;
    end;
    if v_marker is null then
      perform internal.invalid_argument('p_tasks[].updated_at must be a timestamp');
    end if;
  end loop;

  for v_item in select value from jsonb_array_elements(p_tasks) loop
    v_id := (v_item ->> 'task_id')::uuid;
    v_marker := (v_item ->> 'updated_at')::timestamptz;
    select * into t from public.job_results where id = v_id for update;
    if not found or t.updated_at <> v_marker or t.status not in ('pending', 'queued', 'in_progress') then
      v_skipped := v_skipped || to_jsonb(v_id);
      continue;
    end if;
    v_from := t.status;
    v_prev_owner := t.lease_owner;
    v_prev_expiry := t.lease_expires_at;
    update public.job_results
       set status = 'queued', lease_owner = null, lease_expires_at = null, queued_at = now(),
           next_attempt_at = null,
           infrastructure_attempts = infrastructure_attempts + case when v_from = 'in_progress' then 1 else 0 end
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'requeued_by_sweeper', v_from, 'queued', t.attempt,
      'stale-task-sweeper',
      jsonb_build_object('reason', case v_from when 'in_progress' then 'lease_expired'
                                               when 'pending' then 'never_enqueued'
                                               else 'message_lost' end,
                         'previous_owner', v_prev_owner, 'lease_expired_at', v_prev_expiry, 'attempt', t.attempt,
                         'attempts_left', internal.attempts_left(t),
                         'infrastructure_attempts', t.infrastructure_attempts,
                         'max_infrastructure_attempts', t.max_infrastructure_attempts));
    v_done := v_done + 1;
  end loop;

  return jsonb_build_object('requeued', v_done, 'skipped', v_skipped);
end
$$;

-- ===================================================================================================
-- claim_task: the definition from 20251102090600_api_surface.sql (pause, politeness gate, fencing),
-- with two changes made before any other check:
--   * a `pending` task whose message a worker received was enqueued, whatever mark_tasks_enqueued
--     has done yet: it becomes queued with an `enqueued` row first, so the trail never jumps from
--     pending to in_progress (mark_tasks_enqueued, arriving later, then finds nothing to do);
--   * an expired lease being taken over is an attempt lost to infrastructure: the task goes back to
--     queued (`lease_taken_over`, infrastructure_attempts + 1) before it is claimed again, and fails
--     with 'infrastructure_attempts_exhausted' once max_infrastructure_attempts were lost. The retry
--     budget (max_attempts) counts only the attempts the directory answered.
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
-- fail_task: the definition from 20251102090300_politeness_and_verification.sql; the retry budget left
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


revoke all on function public.sweep_stale_tasks(int, int, int, int, jsonb, timestamptz) from public, anon, authenticated;
revoke all on function public.mark_tasks_requeued(jsonb) from public, anon, authenticated;
revoke all on function public.claim_task(uuid, text, int) from public, anon, authenticated;
revoke all on function public.fail_task(uuid, text, int, text, text, int) from public, anon, authenticated;
grant execute on function public.sweep_stale_tasks(int, int, int, int, jsonb, timestamptz) to service_role;
grant execute on function public.mark_tasks_requeued(jsonb) to service_role;
grant execute on function public.claim_task(uuid, text, int) to service_role;
grant execute on function public.fail_task(uuid, text, int, text, text, int) to service_role;

revoke all on all functions in schema internal from public, anon, authenticated;
grant execute on all functions in schema internal to service_role;
