-- Self-healing operations: the stale-task sweeper, the DLQ monitor's durable alert outbox and
-- redrive, retention, and health. Called by lambdas/handlers/operations/* and lambdas/handlers/api/health*.ts through RPC.
--
-- Conventions (the Lambda code is written against them): every function returns jsonb with snake_case
-- keys; bad arguments raise SQLSTATE 22023 (invalid_parameter_value) with a message naming the argument
-- and change nothing; unknown referenced rows raise P0002 (no_data_found); every state change writes a
-- queue_history row in the same transaction; security invoker, search_path pinned; EXECUTE for
-- service_role only (20261205100500_baseline_function_privileges.sql).
--
-- Thresholds are arguments, never constants here: they are defined once in
-- lambdas/platform/system-config.ts (OPERATIONS, TASKS) and passed in by the callers.

-- ===================================================================================================
-- internal helpers
-- ===================================================================================================
create or replace function internal.check_seconds(p_name text, p_value int, p_min int, p_max int)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_value is null or p_value < p_min or p_value > p_max then
    perform internal.invalid_argument(pg_catalog.format('%s must be between %s and %s (got %s)',
      p_name, p_min, p_max, coalesce(p_value::text, 'null')));
  end if;
end
$$;

create or replace function internal.check_text(p_name text, p_value text, p_max int)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_value is null or pg_catalog.btrim(p_value) = '' then
    perform internal.invalid_argument(pg_catalog.format('%s is required', p_name));
  end if;
  if pg_catalog.length(p_value) > p_max then
    perform internal.invalid_argument(pg_catalog.format('%s must be at most %s characters', p_name, p_max));
  end if;
end
$$;

-- The uuid in a JSON field of a message body, or null (poison messages may carry anything).
create or replace function internal.uuid_or_null(p_text text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case when p_text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              then p_text::uuid end
$$;

create or replace function internal.jsonb_or_null(p_text text)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
begin
  return p_text::jsonb;
exception when others then
  return null;
end
$$;

-- queue_history for events that may point at a job or task that has since been deleted (dlq_alerts
-- has no foreign keys on purpose): only ids that still exist are written.
create or replace function internal.log_ops_event(
  p_job_id uuid, p_task_id uuid, p_event text, p_from_status text, p_to_status text, p_details jsonb
)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_job uuid := case when exists (select 1 from public.jobs where id = p_job_id) then p_job_id end;
  v_task uuid := case when exists (select 1 from public.job_results where id = p_task_id) then p_task_id end;
begin
  perform internal.log_event(v_job, v_task, p_event, p_from_status, p_to_status, null, 'operations', p_details);
end
$$;

-- Ends a stale task for good, counting it on its job like complete_task does. The caller holds the
-- task's row lock.
create or replace function internal.finish_stale_task(t public.job_results, p_outcome text, p_reason text, p_error text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_from text := t.status;
begin
  update public.job_results
     set status = p_outcome, completed_at = pg_catalog.now(), lease_owner = null, lease_expires_at = null,
         last_error = pg_catalog.left(p_error, 2000),
         error_class = case when p_outcome = 'failed' then 'permanent' else error_class end
   where id = t.id;
  perform internal.log_event(t.job_id, t.id,
    case when p_outcome = 'failed' then 'failed_by_sweeper' else 'needs_verification_by_sweeper' end,
    v_from, p_outcome, t.attempt, 'stale-task-sweeper',
    pg_catalog.jsonb_build_object('reason', p_reason, 'previous_owner', t.lease_owner,
                                  'lease_expired_at', t.lease_expires_at, 'attempt', t.attempt,
                                  'max_attempts', t.max_attempts));
  perform internal.record_task_outcome(t.job_id, p_outcome, 'stale-task-sweeper');
end
$$;

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
-- list_stale_workers: workers that said they were starting or running and then went silent.
-- idle and stopped workers are not stale: a Lambda environment that is frozen or recycled after an
-- invocation simply stops reporting.
-- ===================================================================================================
create or replace function public.list_stale_workers(p_stale_seconds int)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  v_result jsonb;
begin
  perform internal.check_seconds('p_stale_seconds', p_stale_seconds, 1, 604800);
  select coalesce(jsonb_agg(jsonb_build_object(
           'worker_id', w.worker_id, 'status', w.status, 'last_heartbeat', w.last_heartbeat,
           'silent_seconds', floor(extract(epoch from now() - w.last_heartbeat)),
           'current_job_id', w.current_job_id, 'current_task_id', w.current_task_id)
           order by w.last_heartbeat), '[]'::jsonb)
    into v_result
    from public.worker_heartbeats w
   where w.status in ('starting', 'running', 'paused', 'error')
     and w.last_heartbeat < now() - make_interval(secs => p_stale_seconds);
  return v_result;
end
$$;

-- ===================================================================================================
-- record_dead_letter: a message the DLQ monitor read from the DLQ. In one transaction: the outbox row
-- (de-duplicated by SQS message id, so a message read twice is recorded once), the task marked
-- dead_lettered and counted on its job (as complete_task counts outcomes), and the alert's contents.
-- ===================================================================================================
create or replace function public.record_dead_letter(
  p_message_id text, p_body text, p_receive_count int default null, p_source_queue text default null
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  a public.dlq_alerts;
  t public.job_results;
  j public.jobs;
  c public.customers;
  d public.directories;
  v_body jsonb;
  v_task_id uuid;
  v_from text;
  v_payload jsonb;
  v_job_status text;
begin
  perform internal.check_text('p_message_id', p_message_id, 200);
  if p_body is null then
    perform internal.invalid_argument('p_body is required');
  end if;
  if length(p_body) > 262144 then
    perform internal.invalid_argument('p_body must be at most 262144 characters');
  end if;
  if p_receive_count is not null and p_receive_count < 0 then
    perform internal.invalid_argument(format('p_receive_count must not be negative (got %s)', p_receive_count));
  end if;
  if length(p_source_queue) > 300 then
    perform internal.invalid_argument('p_source_queue must be at most 300 characters');
  end if;

  select * into a from public.dlq_alerts where message_id = p_message_id;
  if found then
    return jsonb_build_object('recorded', false, 'reason', 'duplicate', 'alert_status', a.alert_status);
  end if;

  v_body := internal.jsonb_or_null(p_body);
  if jsonb_typeof(v_body) = 'object' then
    v_task_id := internal.uuid_or_null(v_body ->> 'task_id');
  end if;

  if v_task_id is not null then
    select * into t from public.job_results where id = v_task_id for update;
  end if;
  if t.id is not null then
    select * into j from public.jobs where id = t.job_id;
    select * into c from public.customers where id = j.customer_id;
    select * into d from public.directories where id = t.directory_id;
    v_from := t.status;
    if t.status in ('pending', 'queued', 'in_progress') then
      update public.job_results
         set status = 'dead_lettered', completed_at = now(), lease_owner = null, lease_expires_at = null
       where id = t.id
      returning * into t;
      perform internal.log_event(t.job_id, t.id, 'dead_lettered', v_from, 'dead_lettered', t.attempt, 'dlq-monitor',
        jsonb_build_object('message_id', p_message_id, 'receive_count', p_receive_count,
                           'source_queue', p_source_queue));
      v_job_status := internal.record_task_outcome(t.job_id, 'dead_lettered', 'dlq-monitor');
    else
      v_job_status := j.status;
    end if;
  end if;

  v_payload := jsonb_build_object(
    'message_id', p_message_id,
    'task_id', t.id,
    'job_id', t.job_id,
    'customer_id', j.customer_id,
    'customer_name', c.business_name,
    'directory', case when d.id is null then null
                      else jsonb_build_object('id', d.id, 'slug', d.slug, 'name', d.name) end,
    'attempts', t.attempt,
    'max_attempts', t.max_attempts,
    'receive_count', p_receive_count,
    'last_error', t.last_error,
    'task_status_before', v_from,
    'task_status', t.status,
    'job_status', v_job_status,
    'source_queue', p_source_queue,
    -- Without a task there is nothing else to show; the start of the body helps whoever investigates.
    'body_excerpt', case when t.id is null then left(p_body, 300) end);

  insert into public.dlq_alerts (message_id, task_id, job_id, payload, receive_count, source_queue, message_body)
  values (p_message_id, t.id, t.job_id, v_payload, p_receive_count, p_source_queue, p_body)
  returning * into a;
  perform internal.log_ops_event(t.job_id, t.id, 'dlq_alert_queued', null, 'pending',
    jsonb_build_object('message_id', p_message_id));

  return jsonb_build_object('recorded', true, 'alert', v_payload);
end
$$;

-- ===================================================================================================
-- The alert outbox: claim due alerts, then mark each sent or failed.
-- ===================================================================================================
create or replace function public.claim_dlq_alerts(p_limit int, p_claim_seconds int)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_result jsonb;
begin
  perform internal.check_seconds('p_limit', p_limit, 1, 1000);
  perform internal.check_seconds('p_claim_seconds', p_claim_seconds, 1, 3600);
  -- A claim is a state change, but not one worth a history row per run: it only decides which run sends.
  with due as (
    select a.message_id
      from public.dlq_alerts a
     where a.alert_status = 'pending'
       and (a.next_attempt_at is null or a.next_attempt_at <= now())
       and (a.claimed_until is null or a.claimed_until < now())
     order by a.next_attempt_at nulls first, a.alerted_at
     limit p_limit
       for update skip locked
  ), claimed as (
    update public.dlq_alerts a
       set claimed_until = now() + make_interval(secs => p_claim_seconds)
      from due
     where a.message_id = due.message_id
    returning a.message_id, a.payload, a.send_attempts, a.alerted_at
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'message_id', message_id, 'payload', payload, 'send_attempts', send_attempts,
           'recorded_at', alerted_at) order by alerted_at), '[]'::jsonb)
    into v_result
    from claimed;
  return v_result;
end
$$;

create or replace function public.mark_dlq_alert_sent(p_message_id text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  a public.dlq_alerts;
begin
  perform internal.check_text('p_message_id', p_message_id, 200);
  select * into a from public.dlq_alerts where message_id = p_message_id for update;
  if not found then
    raise exception 'dlq alert % not found', p_message_id using errcode = 'P0002';
  end if;
  if a.alert_status = 'sent' then
    return jsonb_build_object('ok', true, 'already_sent', true);
  end if;
  update public.dlq_alerts
     set alert_status = 'sent', sent_at = now(), claimed_until = null, send_attempts = send_attempts + 1
   where message_id = p_message_id;
  perform internal.log_ops_event(a.job_id, a.task_id, 'dlq_alert_sent', 'pending', 'sent',
    jsonb_build_object('message_id', p_message_id, 'send_attempts', a.send_attempts + 1));
  return jsonb_build_object('ok', true, 'already_sent', false);
end
$$;

create or replace function public.mark_dlq_alert_failed(
  p_message_id text, p_error text, p_retry_base_seconds int, p_retry_cap_seconds int
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  a public.dlq_alerts;
  v_delay int;
begin
  perform internal.check_text('p_message_id', p_message_id, 200);
  perform internal.check_text('p_error', p_error, 100000);
  perform internal.check_seconds('p_retry_base_seconds', p_retry_base_seconds, 1, 86400);
  perform internal.check_seconds('p_retry_cap_seconds', p_retry_cap_seconds, 1, 86400);
  select * into a from public.dlq_alerts where message_id = p_message_id for update;
  if not found then
    raise exception 'dlq alert % not found', p_message_id using errcode = 'P0002';
  end if;
  if a.alert_status = 'sent' then
    return jsonb_build_object('ok', false, 'reason', 'already_sent');
  end if;
  -- Exponential, capped: Slack that is down for hours is asked a handful of times, not every run.
  v_delay := least(p_retry_cap_seconds::numeric,
                   p_retry_base_seconds * power(2::numeric, least(a.send_attempts, 20)))::int;
  update public.dlq_alerts
     set send_attempts = send_attempts + 1, last_send_error = left(p_error, 500), claimed_until = null,
         next_attempt_at = now() + make_interval(secs => v_delay)
   where message_id = p_message_id
  returning * into a;
  perform internal.log_ops_event(a.job_id, a.task_id, 'dlq_alert_failed', 'pending', 'pending',
    jsonb_build_object('message_id', p_message_id, 'send_attempts', a.send_attempts,
                       'error', left(p_error, 500), 'next_attempt_at', a.next_attempt_at));
  return jsonb_build_object('ok', true, 'send_attempts', a.send_attempts, 'next_attempt_at', a.next_attempt_at);
end
$$;

-- A run that stopped sending (Slack down) hands back the alerts it claimed but did not try, so the
-- next run does not wait for the claim to expire.
create or replace function public.release_dlq_alerts(p_message_ids text[])
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_n int;
begin
  if p_message_ids is null or cardinality(p_message_ids) = 0 then
    perform internal.invalid_argument('p_message_ids must contain at least one id');
  end if;
  if cardinality(p_message_ids) > 1000 then
    perform internal.invalid_argument('p_message_ids has more than 1000 ids');
  end if;
  update public.dlq_alerts set claimed_until = null
   where message_id = any (p_message_ids) and alert_status = 'pending';
  get diagnostics v_n = row_count;
  return jsonb_build_object('released', v_n);
end
$$;

-- ===================================================================================================
-- redrive_dead_letters: an operator asks to retry dead-lettered tasks (by SQS message ids, or all).
-- The task goes back to queued with a fresh retry budget (p_retry_budget = TASKS.retryBudget), its job
-- is reopened when it had finished, and the redrive is audited on the task's history and on the
-- dlq_alerts row. The caller sends one task message per redriven task; should that fail, the task is
-- `queued` without a message and the sweeper resends it.
-- ===================================================================================================
create or replace function public.redrive_dead_letters(
  p_message_ids text[], p_requested_by text, p_retry_budget int, p_limit int
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  a public.dlq_alerts;
  t public.job_results;
  j public.jobs;
  v_redriven jsonb := '[]'::jsonb;
  v_skipped jsonb := '[]'::jsonb;
  v_from text;
  v_id text;
begin
  perform internal.check_text('p_requested_by', p_requested_by, 200);
  perform internal.check_seconds('p_retry_budget', p_retry_budget, 1, 100);
  perform internal.check_seconds('p_limit', p_limit, 1, 1000);
  if p_message_ids is not null then
    if cardinality(p_message_ids) = 0 then
      perform internal.invalid_argument('p_message_ids must contain at least one id (or be null for all)');
    end if;
    if cardinality(p_message_ids) > p_limit then
      perform internal.invalid_argument(format('p_message_ids has %s ids; at most %s are allowed',
        cardinality(p_message_ids), p_limit));
    end if;
    if array_position(p_message_ids, null) is not null then
      perform internal.invalid_argument('p_message_ids must not contain null');
    end if;
    foreach v_id in array p_message_ids loop
      if not exists (select 1 from public.dlq_alerts where message_id = v_id) then
        raise exception 'dead-lettered message % not found (p_message_ids)', v_id using errcode = 'P0002';
      end if;
    end loop;
  end if;

  for a in
    select * from public.dlq_alerts x
     where (p_message_ids is null and exists (
              select 1 from public.job_results r where r.id = x.task_id and r.status = 'dead_lettered'))
        or x.message_id = any (p_message_ids)
     order by x.alerted_at
     limit p_limit
       for update
  loop
    if a.task_id is null then
      v_skipped := v_skipped || jsonb_build_object('message_id', a.message_id, 'reason', 'no_task');
      continue;
    end if;
    select * into t from public.job_results where id = a.task_id for update;
    if not found or t.status <> 'dead_lettered' then
      v_skipped := v_skipped || jsonb_build_object('message_id', a.message_id,
        'reason', case when t.id is null then 'task_not_found' else 'task_not_dead_lettered' end,
        'task_status', t.status);
      continue;
    end if;
    -- Lock order everywhere: task, then job.
    select * into j from public.jobs where id = t.job_id for update;
    if j.status = 'cancelled' then
      v_skipped := v_skipped || jsonb_build_object('message_id', a.message_id, 'reason', 'job_cancelled');
      continue;
    end if;

    update public.job_results
       set status = 'queued', completed_at = null, lease_owner = null, lease_expires_at = null,
           queued_at = now(), next_attempt_at = null,
           max_attempts = greatest(max_attempts, attempt + p_retry_budget)
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'dlq_redriven', 'dead_lettered', 'queued', t.attempt, p_requested_by,
      jsonb_build_object('message_id', a.message_id, 'requested_by', p_requested_by,
                         'max_attempts', t.max_attempts));

    v_from := j.status;
    update public.jobs
       set tasks_dead_lettered = tasks_dead_lettered - 1,
           status = case when status in ('completed', 'failed') then 'in_progress' else status end,
           completed_at = case when status in ('completed', 'failed') then null else completed_at end,
           version = version + (status in ('completed', 'failed'))::int
     where id = j.id
    returning * into j;
    if v_from in ('completed', 'failed') then
      perform internal.log_event(j.id, null, 'job_reopened', v_from, j.status, null, p_requested_by,
        jsonb_build_object('reason', 'dlq_redrive', 'message_id', a.message_id));
    end if;

    update public.dlq_alerts
       set redriven_at = now(), redriven_by = p_requested_by, redrive_count = redrive_count + 1
     where message_id = a.message_id;
    v_redriven := v_redriven || jsonb_build_object('message_id', a.message_id, 'task_id', t.id,
                                                   'job_id', t.job_id, 'priority', j.priority);
  end loop;

  return jsonb_build_object('redriven', v_redriven, 'skipped', v_skipped);
end
$$;

-- ===================================================================================================
-- Retention: queue_history older than p_older_than_days is archived (the caller writes the rows to S3
-- as JSON lines) and only then deleted, by id, so a row is never deleted without its archive.
-- ===================================================================================================
create or replace function public.select_history_for_archive(p_older_than_days int, p_limit int)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  v_result jsonb;
begin
  perform internal.check_seconds('p_older_than_days', p_older_than_days, 1, 3650);
  perform internal.check_seconds('p_limit', p_limit, 1, 50000);
  select coalesce(jsonb_agg(to_jsonb(h) order by h.id), '[]'::jsonb) into v_result
    from (select * from public.queue_history
           where created_at < now() - make_interval(days => p_older_than_days)
           order by id
           limit p_limit) h;
  return v_result;
end
$$;

create or replace function public.delete_archived_history(p_ids bigint[], p_older_than_days int, p_archive_key text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_deleted int;
begin
  if p_ids is null or cardinality(p_ids) = 0 then
    perform internal.invalid_argument('p_ids must contain at least one id');
  end if;
  if cardinality(p_ids) > 50000 then
    perform internal.invalid_argument('p_ids has more than 50000 ids');
  end if;
  perform internal.check_seconds('p_older_than_days', p_older_than_days, 1, 3650);
  perform internal.check_text('p_archive_key', p_archive_key, 1024);

  -- The age condition again: an id that is not old enough is never deleted, whatever the caller sent.
  delete from public.queue_history
   where id = any (p_ids) and created_at < now() - make_interval(days => p_older_than_days);
  get diagnostics v_deleted = row_count;
  perform internal.log_event(null, null, 'history_archived', null, null, null, 'retention',
    jsonb_build_object('archive_key', p_archive_key, 'rows', v_deleted,
                       'older_than_days', p_older_than_days));
  return jsonb_build_object('deleted', v_deleted);
end
$$;

create or replace function public.purge_expired_rows(
  p_rate_limit_days int, p_idempotency_days int, p_dlq_alert_days int, p_inbound_mail_days int
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_rate int;
  v_idem int;
  v_dlq int;
  v_mail int;
begin
  perform internal.check_seconds('p_rate_limit_days', p_rate_limit_days, 1, 3650);
  perform internal.check_seconds('p_idempotency_days', p_idempotency_days, 1, 3650);
  perform internal.check_seconds('p_dlq_alert_days', p_dlq_alert_days, 1, 3650);
  perform internal.check_seconds('p_inbound_mail_days', p_inbound_mail_days, 1, 3650);

  delete from public.rate_limit_requests where window_start < now() - make_interval(days => p_rate_limit_days);
  get diagnostics v_rate = row_count;
  delete from public.api_idempotency_keys where created_at < now() - make_interval(days => p_idempotency_days);
  get diagnostics v_idem = row_count;
  -- Only delivered alerts: a pending one is still owed to Slack.
  delete from public.dlq_alerts
   where alert_status = 'sent' and sent_at < now() - make_interval(days => p_dlq_alert_days);
  get diagnostics v_dlq = row_count;
  -- The record of a received mail goes when the mail itself leaves the mail bucket (its lifecycle rule):
  -- by then SES has long stopped retrying it, and no verification wait lasts that long. An account
  -- keeps its verified_at; only its link to the mail's row is cleared (on delete set null).
  delete from public.inbound_mail where received_at < now() - make_interval(days => p_inbound_mail_days);
  get diagnostics v_mail = row_count;

  if v_rate + v_idem + v_dlq + v_mail > 0 then
    perform internal.log_event(null, null, 'retention_purged', null, null, null, 'retention',
      jsonb_build_object('rate_limit_requests', v_rate, 'api_idempotency_keys', v_idem, 'dlq_alerts', v_dlq,
                         'inbound_mail', v_mail));
  end if;
  return jsonb_build_object('rate_limit_requests', v_rate, 'api_idempotency_keys', v_idem, 'dlq_alerts', v_dlq,
                            'inbound_mail', v_mail);
end
$$;

-- ===================================================================================================
-- Health
-- ===================================================================================================
create or replace function public.health_ping()
returns jsonb
language sql
stable
security invoker
set search_path = public
as $$
  select jsonb_build_object('ok', true, 'now', now())
$$;

create or replace function public.health_details(p_lease_grace_seconds int, p_stale_worker_seconds int)
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
  v_workers jsonb;
  v_oldest jsonb;
  v_dlq jsonb;
begin
  perform internal.check_seconds('p_lease_grace_seconds', p_lease_grace_seconds, 0, 86400);
  perform internal.check_seconds('p_stale_worker_seconds', p_stale_worker_seconds, 1, 604800);

  select jsonb_build_object(
           'pending', (select count(*) from public.jobs where status = 'pending'),
           'in_progress', (select count(*) from public.jobs where status = 'in_progress'),
           'completed_today', (select count(*) from public.jobs where status = 'completed' and completed_at >= v_today),
           'failed_today', (select count(*) from public.jobs where status = 'failed' and completed_at >= v_today))
    into v_jobs;

  select jsonb_build_object(
           'pending', (select count(*) from public.job_results where status = 'pending'),
           'queued', (select count(*) from public.job_results where status = 'queued'),
           'in_progress', (select count(*) from public.job_results where status = 'in_progress'),
           'stale_leases', (select count(*) from public.job_results
                             where status = 'in_progress'
                               and lease_expires_at < now() - make_interval(secs => p_lease_grace_seconds)))
    into v_tasks;

  select jsonb_build_object(
           'active', count(*) filter (where w.status in ('starting', 'running')
                                        and w.last_heartbeat >= now() - make_interval(secs => p_stale_worker_seconds)),
           'stale', count(*) filter (where w.status in ('starting', 'running', 'paused', 'error')
                                       and w.last_heartbeat < now() - make_interval(secs => p_stale_worker_seconds)))
    into v_workers
    from public.worker_heartbeats w;

  -- What the database knows about waiting work per priority (SQS's own oldest-message age is a
  -- CloudWatch metric; the API reports it separately where CloudWatch is available).
  select jsonb_object_agg(p.priority, (
           select floor(extract(epoch from now() - min(coalesce(r.queued_at, r.created_at))))
             from public.job_results r join public.jobs j on j.id = r.job_id
            where r.status in ('pending', 'queued') and j.priority = p.priority))
    into v_oldest
    from (values ('p1'), ('p2'), ('p3')) p(priority);

  select jsonb_build_object(
           'alerts_pending', count(*) filter (where alert_status = 'pending'),
           'dead_lettered_tasks', (select count(*) from public.job_results where status = 'dead_lettered'))
    into v_dlq
    from public.dlq_alerts;

  return jsonb_build_object('jobs', v_jobs, 'tasks', v_tasks, 'workers', v_workers,
                            'oldest_waiting_task_age_seconds', v_oldest, 'dead_letters', v_dlq,
                            'database_time', now());
end
$$;
