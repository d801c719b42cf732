-- One listing per business and directory (issue 12).
--
-- The external effect of a task is a listing on a directory, and directories punish duplicates. Until
-- now the task idempotency key covered the job, so two jobs for the same business and directory (an
-- order placed twice, a staff retry) submitted twice. From here on:
--   - public.business_listings holds one row per (customer, directory): the resubmission generation
--     and the task that holds the listing for that generation;
--   - create_job makes each new task the holder of its listing, unless another task already holds it
--     (submitted, or in flight); then the new task ends at once as `already_listed`, linked to the
--     holder (listing_task_id), counted on its job and written to queue_history. It is never enqueued;
--   - the task idempotency key is SHA-256 over (customer, directory, generation): the same for every
--     task of one listing generation, so it names the listing, not the job;
--   - a deliberate resubmission (resubmit_listing, POST /customers/{id}/listings/{directoryId}/resubmit)
--     bumps the generation, audits who and why, and creates the job that submits it.
--
-- Why the holder is chosen when the job is created rather than when a worker claims: the decision is
-- made once, under the listing row's lock, and the duplicate is visible (and its job's counters right)
-- the moment the job exists. A task that never became the holder has no message and cannot be claimed.
--
-- Purge safety: the listing row is the record that a submission happened. It is never purged (only a
-- deleted customer takes it along), and its holder task cannot be deleted while the row points at it
-- (the foreign key below has no ON DELETE action), so no retention job, now or later, can make a
-- second submission possible by deleting old rows (api_idempotency_keys, jobs or tasks).

-- ===================================================================================================
-- schema
-- ===================================================================================================
alter table public.job_results drop constraint job_results_status_check;
alter table public.job_results add constraint job_results_status_check
  check (status in ('pending', 'queued', 'in_progress', 'submitted', 'needs_manual', 'failed', 'dead_lettered',
                    'already_listed'));
alter table public.job_results drop constraint job_results_terminal_has_completed_at;
alter table public.job_results add constraint job_results_terminal_has_completed_at
  check (status not in ('submitted', 'needs_manual', 'failed', 'dead_lettered', 'already_listed')
         or completed_at is not null);

-- The key names the listing generation now, so every task of one generation shares it; uniqueness of
-- the listing is business_listings' primary key.
alter table public.job_results drop constraint job_results_idempotency_key_key;
comment on column public.job_results.idempotency_key is
  'SHA-256 (hex) over customer, directory and listing generation (internal.listing_idempotency_key).';

alter table public.job_results
  -- For an already_listed task: the task that holds the listing (submitted it or is submitting it).
  add column listing_task_id uuid references public.job_results (id) on delete set null;
-- already_listed is final. No message is ever sent for such a task, but the task functions written
-- before this status (claim_task, the sweeper, redrive) do not list it among the finished states; this
-- guard makes sure no path, present or future, can turn a duplicate back into a submission.
create or replace function internal.already_listed_is_final()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'task % is already_listed (a duplicate of task %): it never runs', old.id, old.listing_task_id
    using errcode = '55000', hint = 'Resubmit the listing (resubmit_listing) to submit it again.';
end
$$;

create trigger job_results_already_listed_is_final before update of status on public.job_results
  for each row when (old.status = 'already_listed' and new.status is distinct from old.status)
  execute function internal.already_listed_is_final();

create index job_results_listing_task_id_idx on public.job_results (listing_task_id)
  where listing_task_id is not null;

alter table public.jobs add column tasks_already_listed int not null default 0 check (tasks_already_listed >= 0);
alter table public.jobs drop constraint jobs_terminal_counts_within_total;
alter table public.jobs add constraint jobs_terminal_counts_within_total
  check (tasks_submitted + tasks_needs_manual + tasks_failed + tasks_dead_lettered + tasks_already_listed
         <= tasks_total);

create table public.business_listings (
  customer_id  uuid not null references public.customers (id) on delete cascade,
  -- RESTRICT like job_results: a directory with listings is deactivated, never deleted.
  directory_id uuid not null references public.directories (id) on delete restrict,
  generation   int not null default 1 check (generation >= 0),
  -- The task holding this generation's submission; null after a resubmission until a job takes it.
  -- No ON DELETE action on purpose: deleting the holder while it holds the listing is refused.
  task_id      uuid references public.job_results (id),
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  constraint business_listings_pkey primary key (customer_id, directory_id)
);
comment on table public.business_listings is
  'One listing per business and directory: its resubmission generation and the task holding it.';

create trigger business_listings_touch_updated_at before update on public.business_listings
  for each row execute function internal.touch_updated_at();
-- The foreign keys: a directory's listings (RESTRICT check) and a task's listing.
create index business_listings_directory_id_idx on public.business_listings (directory_id);
create unique index business_listings_task_id_idx on public.business_listings (task_id);

alter table public.business_listings enable row level security;
create policy service_role_all on public.business_listings as permissive for all to service_role
  using (true) with check (true);
create policy anon_none on public.business_listings as restrictive for all to anon using (false) with check (false);
create policy authenticated_none on public.business_listings as restrictive for all to authenticated
  using (false) with check (false);
revoke all on public.business_listings from public, anon, authenticated;
grant select, insert, update, delete on public.business_listings to service_role;

-- ===================================================================================================
-- helpers
-- ===================================================================================================
drop function internal.task_idempotency_key(uuid, uuid, jsonb, int);

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

-- Count one terminal task outcome on its job, and finish the job when it was the last one. As in
-- 20251102090200_task_functions.sql, plus already_listed: counted as terminal, and a success (the
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
    if h.status in ('pending', 'queued', 'in_progress', 'dead_lettered') then
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

-- ===================================================================================================
-- get_job: as in 20251102090200_task_functions.sql, plus the already_listed counter, each task's listing generation, and for an already_listed task the task holding the
-- listing (already_listed_by).
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
-- data: the listings of the tasks created before this migration. For each business and directory the
-- newest task that holds its listing (else the newest task) becomes the holder, at its generation.
-- ===================================================================================================
insert into public.business_listings (customer_id, directory_id, generation, task_id)
select distinct on (j.customer_id, r.directory_id) j.customer_id, r.directory_id, r.generation, r.id
  from public.job_results r
  join public.jobs j on j.id = r.job_id
 order by j.customer_id, r.directory_id, internal.holds_listing(r) desc, r.created_at desc, r.id desc;

-- ===================================================================================================
-- privileges
-- ===================================================================================================
revoke all on function public.create_job(uuid, uuid[], text) from public, anon, authenticated;
revoke all on function public.get_job(uuid) from public, anon, authenticated;
revoke all on function public.resubmit_listing(uuid, uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.create_job(uuid, uuid[], text) to service_role;
grant execute on function public.get_job(uuid) to service_role;
grant execute on function public.resubmit_listing(uuid, uuid, text, text, text) to service_role;

revoke all on all functions in schema internal from public, anon, authenticated;
grant execute on all functions in schema internal to service_role;
