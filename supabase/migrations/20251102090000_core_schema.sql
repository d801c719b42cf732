-- DirectoryBolt core schema: the audit's tables (customers, directories, jobs, job_results,
-- worker_heartbeats, queue_history, rate_limit_requests) kept and completed, plus the tables the new
-- design needs (API idempotency keys, DLQ alert de-duplication).
--
-- Forward-only: never edit this file once applied; add a new migration instead (local/migrate.ts refuses
-- an applied migration whose contents changed).

-- Helpers that are not part of the RPC API live in `internal`: the RPC layer (PostgREST on Supabase,
-- local/rpc-server.ts locally) only exposes schema public.
create schema if not exists internal;
comment on schema internal is 'DirectoryBolt helpers (triggers, shared task logic); not exposed over the RPC API.';

-- updated_at is maintained by the database so no caller can forget it or lie about it.
create or replace function internal.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end
$$;

-- ---------------------------------------------------------------------------------------------------
-- customers: the business profile that is submitted to directories.
-- ---------------------------------------------------------------------------------------------------
create table public.customers (
  id            uuid primary key default gen_random_uuid(),
  -- The id the customer has in the portal/billing system (the audit's customer_id, e.g. TEST-CUSTOMER-003).
  external_ref  text unique check (external_ref is null or length(btrim(external_ref)) between 1 and 200),
  business_name text not null check (length(btrim(business_name)) between 1 and 300),
  email         text check (email is null or (length(email) <= 320 and email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$')),
  phone         text check (phone is null or length(phone) <= 50),
  -- The audit: "No URL validation (could submit to malicious sites)".
  website       text check (website is null or (length(website) <= 2048 and website ~* '^https?://[^[:space:]/]+')),
  address_line  text check (address_line is null or length(address_line) <= 300),
  city          text check (city is null or length(city) <= 120),
  region        text check (region is null or length(region) <= 120),
  postal_code   text check (postal_code is null or length(postal_code) <= 32),
  country       text check (country is null or length(country) <= 120),
  category      text check (category is null or length(category) <= 120),
  description   text check (description is null or length(description) <= 5000),
  -- The tier decides the queue (lambdas/shared/system-config.ts PRIORITY_BY_TIER).
  tier          text not null default 'starter' check (tier in ('enterprise', 'pro', 'starter')),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
comment on table public.customers is 'Businesses whose profile DirectoryBolt submits to directories.';

create trigger customers_touch_updated_at before update on public.customers
  for each row execute function internal.touch_updated_at();

-- ---------------------------------------------------------------------------------------------------
-- directories: the catalog of sites a profile can be submitted to.
-- ---------------------------------------------------------------------------------------------------
create table public.directories (
  id               uuid primary key default gen_random_uuid(),
  slug             text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,99}$'),
  name             text not null check (length(btrim(name)) between 1 and 200),
  -- Only http(s): the submitter must never be pointed at file:, data:, javascript: and the like.
  submission_url   text not null check (length(submission_url) <= 2048 and submission_url ~* '^https?://[^[:space:]/]+'),
  domain_authority int check (domain_authority is null or domain_authority between 0 and 100),
  -- The stored form-field mapping; null means "detect fields from labels, names, autocomplete...".
  field_mapping    jsonb check (field_mapping is null or jsonb_typeof(field_mapping) = 'object'),
  active           boolean not null default true,
  max_concurrency  int not null default 1 check (max_concurrency between 1 and 100),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);
comment on table public.directories is 'Directory sites and how to submit to them.';

create trigger directories_touch_updated_at before update on public.directories
  for each row execute function internal.touch_updated_at();

-- ---------------------------------------------------------------------------------------------------
-- jobs: one purchased package (N directories) for one customer.
-- ---------------------------------------------------------------------------------------------------
create table public.jobs (
  id                  uuid primary key default gen_random_uuid(),
  -- The audit: jobs.customer_id -> customers.id (CASCADE DELETE).
  customer_id         uuid not null references public.customers (id) on delete cascade,
  -- The audit's 'complete' is spelled 'completed' here; 'cancelled' is new.
  status              text not null default 'pending'
                        check (status in ('pending', 'in_progress', 'completed', 'failed', 'cancelled')),
  priority            text not null check (priority in ('p1', 'p2', 'p3')),
  package_size        int not null check (package_size > 0),
  -- Counters are updated in the same transaction as the task they count (see internal.record_task_outcome).
  tasks_total         int not null default 0 check (tasks_total >= 0),
  tasks_submitted     int not null default 0 check (tasks_submitted >= 0),
  tasks_needs_manual  int not null default 0 check (tasks_needs_manual >= 0),
  tasks_failed        int not null default 0 check (tasks_failed >= 0),
  tasks_dead_lettered int not null default 0 check (tasks_dead_lettered >= 0),
  -- Optimistic locking (the audit's "no version column"): bumped on every status change; API updates
  -- carry it as ETag / If-Match.
  version             int not null default 1 check (version >= 1),
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  started_at          timestamptz,
  completed_at        timestamptz,
  constraint jobs_terminal_counts_within_total
    check (tasks_submitted + tasks_needs_manual + tasks_failed + tasks_dead_lettered <= tasks_total),
  constraint jobs_finished_has_completed_at
    check (status not in ('completed', 'failed') or completed_at is not null)
);
comment on table public.jobs is 'A package of directory submissions for one customer.';
comment on column public.jobs.version is 'Optimistic-locking version, +1 on every status change.';

create trigger jobs_touch_updated_at before update on public.jobs
  for each row execute function internal.touch_updated_at();

-- The audit's missing index ("jobs created today") and the API's newest-first listings.
create index jobs_created_at_idx on public.jobs (created_at desc);
-- Queue status per customer (GET /queue/{customerId}) and the FK's cascade.
create index jobs_customer_id_created_at_idx on public.jobs (customer_id, created_at desc);
-- Metrics and listings by status.
create index jobs_status_created_at_idx on public.jobs (status, created_at desc);

-- ---------------------------------------------------------------------------------------------------
-- job_results: the tasks. One row per (job, directory, generation).
-- ---------------------------------------------------------------------------------------------------
create table public.job_results (
  id                uuid primary key default gen_random_uuid(),
  job_id            uuid not null references public.jobs (id) on delete cascade,
  -- RESTRICT: a directory with submission history cannot silently disappear; deactivate it instead.
  directory_id      uuid not null references public.directories (id) on delete restrict,
  status            text not null default 'pending'
                      check (status in ('pending', 'queued', 'in_progress', 'submitted', 'needs_manual', 'failed', 'dead_lettered')),
  -- The fencing token: +1 per claim. A worker may write only while its attempt is the current one.
  attempt           int not null default 0 check (attempt >= 0),
  max_attempts      int not null default 3 check (max_attempts >= 1),
  lease_owner       text,
  lease_expires_at  timestamptz,
  heartbeat_at      timestamptz,
  -- "About to submit": set just before the submit click. A task that has it and did not finish is not
  -- blindly resubmitted (it may already be listed); it goes to verification.
  submit_started_at timestamptz,
  -- SHA-256 (hex) over job, directory, the business facts submitted and the generation.
  idempotency_key   text not null unique check (idempotency_key ~ '^[0-9a-f]{64}$'),
  -- Deliberate resubmission creates a new generation (and so a new idempotency key).
  generation        int not null default 0 check (generation >= 0),
  screenshot_key    text,
  listing_url       text,
  last_error        text,
  error_class       text,
  next_attempt_at   timestamptz,
  queued_at         timestamptz,
  started_at        timestamptz,
  completed_at      timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  -- Leading job_id: this index also serves every "tasks of job X" lookup (get_job, counters).
  constraint job_results_job_directory_generation_key unique (job_id, directory_id, generation),
  constraint job_results_attempt_within_budget check (attempt <= max_attempts),
  constraint job_results_in_progress_has_lease
    check (status <> 'in_progress' or (lease_owner is not null and lease_expires_at is not null)),
  constraint job_results_terminal_has_completed_at
    check (status not in ('submitted', 'needs_manual', 'failed', 'dead_lettered') or completed_at is not null)
);
comment on table public.job_results is 'Tasks: one directory submission of a job, with its lease, attempts and outcome.';
comment on column public.job_results.attempt is 'Fencing token: incremented by every claim; writes must present the current value.';

create trigger job_results_touch_updated_at before update on public.job_results
  for each row execute function internal.touch_updated_at();

-- Explicit job_id index, as the design lists it; the unique key above also leads with job_id, but this
-- one is smaller and is what the planner picks for "tasks of job X".
create index job_results_job_id_idx on public.job_results (job_id);
-- Stale-task sweeper: expired leases (status = 'in_progress' and lease_expires_at < now()).
create index job_results_status_lease_expires_at_idx on public.job_results (status, lease_expires_at);
-- Sweeper: pending/queued tasks stuck longer than expected.
create index job_results_unfinished_updated_at_idx on public.job_results (status, updated_at)
  where status in ('pending', 'queued');
-- The RESTRICT foreign key: deleting a directory must not scan all tasks.
create index job_results_directory_id_idx on public.job_results (directory_id);

-- ---------------------------------------------------------------------------------------------------
-- worker_heartbeats: what each submitter says it is doing.
-- ---------------------------------------------------------------------------------------------------
create table public.worker_heartbeats (
  worker_id       text primary key check (length(btrim(worker_id)) between 1 and 200),
  status          text not null check (status in ('starting', 'idle', 'running', 'paused', 'error', 'stopped')),
  -- The audit: worker_heartbeats.current_job_id -> jobs.id (SET NULL).
  current_job_id  uuid references public.jobs (id) on delete set null,
  current_task_id uuid references public.job_results (id) on delete set null,
  last_heartbeat  timestamptz not null default now(),
  started_at      timestamptz not null default now(),
  metadata        jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object')
);
comment on table public.worker_heartbeats is 'Latest heartbeat per worker (one row per worker, upserted).';

-- Stale workers ("no heartbeat > 2 minutes").
create index worker_heartbeats_last_heartbeat_idx on public.worker_heartbeats (last_heartbeat);
-- The SET NULL foreign keys.
create index worker_heartbeats_current_job_id_idx on public.worker_heartbeats (current_job_id);
create index worker_heartbeats_current_task_id_idx on public.worker_heartbeats (current_task_id);

-- The audit's `select * from stale_workers`. security_invoker: the view applies the caller's RLS.
create view public.stale_workers with (security_invoker = true) as
  select *
  from public.worker_heartbeats
  where status not in ('stopped') and last_heartbeat < now() - interval '2 minutes';

-- ---------------------------------------------------------------------------------------------------
-- queue_history: the append-only audit trail; every task and job state change writes one row.
-- ---------------------------------------------------------------------------------------------------
create table public.queue_history (
  id          bigint generated always as identity primary key,
  -- The audit: queue_history.job_id -> jobs.id (CASCADE DELETE). Nullable for events not tied to a job.
  job_id      uuid references public.jobs (id) on delete cascade,
  task_id     uuid references public.job_results (id) on delete cascade,
  event       text not null check (event ~ '^[a-z][a-z0-9_]{0,63}$'),
  from_status text,
  to_status   text,
  attempt     int,
  worker_id   text,
  -- Retry delays, error classes and the like (the audit: "retry delays not logged").
  details     jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
  created_at  timestamptz not null default now()
);
comment on table public.queue_history is 'Append-only audit trail of job and task state changes (UPDATE is refused).';

-- Append-only: history that can be rewritten is not an audit trail. DELETE stays possible for the
-- retention job (archive after 90 days, delete after a year) and for cascades from jobs.
create or replace function internal.queue_history_refuse_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'queue_history is append-only: UPDATE is not allowed'
    using errcode = '0A000', hint = 'Insert a new event instead of changing an old one.';
end
$$;

create trigger queue_history_append_only before update on public.queue_history
  for each row execute function internal.queue_history_refuse_update();

-- A job's history in order (API, runbooks) and the FK's cascade.
create index queue_history_job_id_created_at_idx on public.queue_history (job_id, created_at);
-- A task's history and the task FK's cascade.
create index queue_history_task_id_idx on public.queue_history (task_id);
-- Retention scans by age; BRIN suits an append-only, time-ordered table and stays tiny.
create index queue_history_created_at_brin on public.queue_history using brin (created_at);

-- ---------------------------------------------------------------------------------------------------
-- Tables used by later work (precise per-key/per-route rate limits, API idempotency, DLQ alerting).
-- ---------------------------------------------------------------------------------------------------
-- Fixed-window counters: one row per (key, route, window).
create table public.rate_limit_requests (
  key          text not null check (length(key) between 1 and 200),
  route        text not null check (length(route) between 1 and 200),
  window_start timestamptz not null,
  count        int not null default 0 check (count >= 0),
  constraint rate_limit_requests_key_route_window_key primary key (key, route, window_start)
);
comment on table public.rate_limit_requests is 'Per key/route request counters for fixed rate-limit windows.';
-- Cleanup of expired windows.
create index rate_limit_requests_window_start_idx on public.rate_limit_requests (window_start);

-- Idempotency-Key support for POST /jobs: the first response is stored and replayed.
create table public.api_idempotency_keys (
  principal    text not null check (length(principal) between 1 and 200),
  key          text not null check (length(key) between 1 and 255),
  -- Same key with a different body is a conflict (409), so the request is fingerprinted.
  request_hash text not null,
  -- Null while the first request is still being processed.
  status_code  int check (status_code is null or status_code between 100 and 599),
  response     jsonb,
  created_at   timestamptz not null default now(),
  constraint api_idempotency_keys_pkey primary key (principal, key)
);
comment on table public.api_idempotency_keys is 'Stored responses for API requests sent with an Idempotency-Key.';
-- Expiry of old keys (the audit: "no cleanup of old idempotency records").
create index api_idempotency_keys_created_at_idx on public.api_idempotency_keys (created_at);

-- One Slack alert per dead-lettered SQS message, never the same message twice. No foreign keys on
-- purpose: the de-duplication record must outlive the job it points at.
create table public.dlq_alerts (
  message_id text primary key check (length(message_id) between 1 and 200),
  task_id    uuid,
  job_id     uuid,
  alerted_at timestamptz not null default now(),
  payload    jsonb not null default '{}'
);
comment on table public.dlq_alerts is 'SQS DLQ messages already alerted on (de-duplication).';
create index dlq_alerts_job_id_idx on public.dlq_alerts (job_id);
