-- Politeness, the circuit breaker, rate-limited deferrals and verification of uncertain submissions.
--
--   * Per-directory limits, enforced atomically in claim_task under the directory's row lock: at most
--     directories.max_concurrency live leases, and at least directories.min_interval_ms between two
--     claims. A refused claim changes neither the task's status nor its attempt; it answers with
--     retry_after_seconds and writes a claim_deferred row, and the submitter re-sends the message with
--     that delay (a fresh message: waiting must not spend SQS receive counts).
--   * Circuit breaker per directory: closed -> open after N consecutive transient failures (paused for a
--     cooldown: its tasks are deferred instead of burning attempts) -> half_open when the cooldown is
--     over (one probe at a time) -> closed on the next success, or open again on the next transient
--     failure. Every transition writes queue_history (directory_paused, directory_half_open,
--     directory_resumed) with the job and task that caused it and the directory in details.
--   * Rate limited (HTTP 429): defer_rate_limited gives the attempt back, and the directory takes no new
--     claim before the Retry-After has passed.
--   * Verification: a task whose earlier attempt got as far as clicking submit is never resubmitted
--     blindly. claim_verification leases it for a lookup (directories.verification), and
--     record_verification records what the lookup found: the listing (submitted), nothing (the marker is
--     cleared and the task is submitted normally), or an error (looked up again later). A directory
--     without a rule ends such a task as needs_manual.
--
-- Constants mirrored from lambdas/shared/system-config.ts as argument defaults (test/sql/politeness.test.ts
-- asserts they agree):
--   POLITENESS.busyRetrySeconds = 10             -> internal.directory_gate(p_busy_retry_seconds)
--   POLITENESS.deferralJitterRatio = 0.2         -> internal.directory_gate(p_jitter_ratio)
--   POLITENESS.breakerFailureThreshold = 5       -> internal.breaker_failure(p_threshold)
--   POLITENESS.breakerCooldownSeconds = 300      -> internal.breaker_failure(p_cooldown_seconds)
--   TASKS.rateLimit.maxDeferrals = 10            -> defer_rate_limited(p_max_deferrals)
--   TASKS.maxVerificationAttempts = 3            -> claim_verification(p_max_attempts)

-- ===================================================================================================
-- schema
-- ===================================================================================================
alter table public.directories
  -- {"lookup_url": "https://dir.example/listings?email={email}"}: a GET answering
  -- {"listings": [{"id", "url", "business_name"}]}. Placeholders are the business facts' names.
  add column verification jsonb
    check (verification is null or (
      jsonb_typeof(verification) = 'object'
      and jsonb_typeof(verification -> 'lookup_url') = 'string'
      and length(verification ->> 'lookup_url') <= 2048
      and (verification ->> 'lookup_url') ~* '^https?://[^[:space:]/]+')),
  -- 0: no rate limit beyond max_concurrency.
  add column min_interval_ms int not null default 0 check (min_interval_ms between 0 and 86400000),
  -- The earliest next claim: the rate limit's slot, pushed further by a 429's Retry-After.
  add column next_claim_at timestamptz,
  add column breaker_state text not null default 'closed' check (breaker_state in ('closed', 'open', 'half_open')),
  add column consecutive_failures int not null default 0 check (consecutive_failures >= 0),
  add column paused_until timestamptz,
  add constraint directories_open_breaker_has_paused_until
    check (breaker_state <> 'open' or paused_until is not null);

comment on column public.directories.verification is
  'How to find out whether a submission arrived: {"lookup_url": "...{email}..."} answering {"listings": [...]}.';
comment on column public.directories.min_interval_ms is 'Least time between two claims of tasks of this directory.';
comment on column public.directories.breaker_state is 'Circuit breaker: closed, open (paused until paused_until), half_open (one probe).';

alter table public.job_results
  -- 429 deferrals so far: each gives its attempt back, so they are bounded separately.
  add column rate_limited_count int not null default 0 check (rate_limited_count >= 0),
  -- Lookups of an uncertain submission so far (they spend no attempt either).
  add column verification_attempts int not null default 0 check (verification_attempts >= 0);

-- The concurrency check of every claim: live leases of one directory.
create index job_results_directory_in_progress_idx on public.job_results (directory_id, lease_expires_at)
  where status = 'in_progress';

-- ===================================================================================================
-- internal helpers
-- ===================================================================================================

-- What a worker needs to submit (or verify) a task.
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
      'verification', d.verification),
    'customer', pg_catalog.jsonb_build_object('id', c.id) || internal.business_facts(c)
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

-- ===================================================================================================
-- claim_task: as before (atomic, leased, fenced), now behind the directory gate.
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

  -- Politeness and the breaker: a refused claim leaves status and attempt as they are.
  v_gate := internal.directory_gate(t, p_worker_id);
  if not (v_gate ->> 'allowed')::boolean then
    return jsonb_build_object('claimed', false, 'reason', v_gate ->> 'reason', 'status', t.status,
                              'retry_after_seconds', (v_gate ->> 'retry_after_seconds')::int,
                              'directory_id', v_gate ->> 'directory_id');
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
-- complete_task: as before; a submitted or needs_manual outcome also closes the directory's breaker.
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

-- ===================================================================================================
-- fail_task: as before; a transient failure also counts towards the directory's breaker.
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
                            'attempts_left', greatest(t.max_attempts - t.attempt, 0),
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
-- Privileges: service_role only (replaced functions keep theirs).
-- ===================================================================================================
revoke all on function public.defer_rate_limited(uuid, text, int, int, text, int, int) from public, anon, authenticated;
revoke all on function public.claim_verification(uuid, text, int, int) from public, anon, authenticated;
revoke all on function public.record_verification(uuid, text, int, text, jsonb, int) from public, anon, authenticated;
grant execute on function public.defer_rate_limited(uuid, text, int, int, text, int, int) to service_role;
grant execute on function public.claim_verification(uuid, text, int, int) to service_role;
grant execute on function public.record_verification(uuid, text, int, text, jsonb, int) to service_role;

revoke all on function internal.task_payload(public.job_results, public.directories, public.customers) from public, anon, authenticated;
revoke all on function internal.directory_gate(public.job_results, text, int, numeric) from public, anon, authenticated;
revoke all on function internal.breaker_failure(public.job_results, text, int, int) from public, anon, authenticated;
revoke all on function internal.breaker_success(public.job_results, text) from public, anon, authenticated;
revoke all on function internal.breaker_flag(jsonb, text) from public, anon, authenticated;
grant execute on function internal.task_payload(public.job_results, public.directories, public.customers) to service_role;
grant execute on function internal.directory_gate(public.job_results, text, int, numeric) to service_role;
grant execute on function internal.breaker_failure(public.job_results, text, int, int) to service_role;
grant execute on function internal.breaker_success(public.job_results, text) to service_role;
grant execute on function internal.breaker_flag(jsonb, text) to service_role;
