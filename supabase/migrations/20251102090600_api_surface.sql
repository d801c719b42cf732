-- The rest of the API surface (issue 5, part 2): directories and their field mappings, customers,
-- submissions, metrics, admin views of workers and dead letters, and an app-level pause of processing
-- per priority or per directory that claim_task honours.
--
-- Conventions as in 20251102090200_task_functions.sql: jsonb results, 22023 naming the argument,
-- P0002 for unknown referenced rows, a queue_history row for every state change, security invoker,
-- search_path pinned, EXECUTE for service_role only. Conflicts the API answers with 409 raise 23505
-- (duplicate) or 55006 (object in use).
--
-- Constants mirrored from lambdas/shared/system-config.ts (test/sql/api-surface.test.ts checks them):
--   API_SURFACE.page.max = 200, API_SURFACE.pauseRecheckSeconds = 30

-- ---------------------------------------------------------------------------------------------------
-- processing_pauses: an operator's "stop taking this work" switch. One row per paused scope; a resume
-- deletes the row (the pause and the resume are both in queue_history, with who and why).
-- ---------------------------------------------------------------------------------------------------
create table public.processing_pauses (
  id           uuid primary key default gen_random_uuid(),
  scope        text not null check (scope in ('priority', 'directory')),
  priority     text check (priority in ('p1', 'p2', 'p3')),
  directory_id uuid references public.directories (id) on delete cascade,
  reason       text check (reason is null or length(reason) <= 500),
  paused_by    text not null check (length(btrim(paused_by)) between 1 and 200),
  paused_at    timestamptz not null default now(),
  constraint processing_pauses_scope_target check (
    (scope = 'priority' and priority is not null and directory_id is null)
    or (scope = 'directory' and directory_id is not null and priority is null))
);
comment on table public.processing_pauses is 'Operator pauses of task processing per priority or per directory.';
create unique index processing_pauses_priority_key on public.processing_pauses (priority) where scope = 'priority';
create unique index processing_pauses_directory_key on public.processing_pauses (directory_id) where scope = 'directory';

alter table public.processing_pauses enable row level security;
create policy service_role_all on public.processing_pauses as permissive for all to service_role using (true) with check (true);
create policy anon_none on public.processing_pauses as restrictive for all to anon using (false) with check (false);
create policy authenticated_none on public.processing_pauses as restrictive for all to authenticated using (false) with check (false);
revoke all on public.processing_pauses from public, anon, authenticated;
grant select, insert, update, delete on public.processing_pauses to service_role;

-- GET /submissions pages by (created_at desc, id desc), filtered by job or status.
create index job_results_created_at_id_idx on public.job_results (created_at desc, id desc);
create index job_results_status_created_at_idx on public.job_results (status, created_at desc, id desc);

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

create or replace function internal.directory_json(d public.directories)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('id', d.id, 'slug', d.slug, 'name', d.name, 'submission_url', d.submission_url,
    'domain_authority', d.domain_authority, 'active', d.active, 'max_concurrency', d.max_concurrency,
    'min_interval_ms', d.min_interval_ms, 'has_field_mapping', d.field_mapping is not null,
    'created_at', d.created_at, 'updated_at', d.updated_at);
$$;

create or replace function internal.customer_json(c public.customers)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('id', c.id, 'external_ref', c.external_ref, 'business_name', c.business_name,
    'email', c.email, 'phone', c.phone, 'website', c.website, 'address_line', c.address_line,
    'city', c.city, 'region', c.region, 'postal_code', c.postal_code, 'country', c.country,
    'category', c.category, 'description', c.description, 'tier', c.tier,
    'created_at', c.created_at, 'updated_at', c.updated_at);
$$;

-- The profile columns a create or update may set; anything else in the object is refused by name.
create or replace function internal.check_customer_fields(p_profile jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_key text;
begin
  if p_profile is null or jsonb_typeof(p_profile) <> 'object' then
    perform internal.invalid_argument('p_profile must be a JSON object');
  end if;
  for v_key in select jsonb_object_keys(p_profile) loop
    if v_key not in ('external_ref', 'business_name', 'email', 'phone', 'website', 'address_line', 'city',
                     'region', 'postal_code', 'country', 'category', 'description', 'tier') then
      perform internal.invalid_argument(pg_catalog.format('p_profile.%s is not a customer field', v_key));
    end if;
    if jsonb_typeof(p_profile -> v_key) not in ('string', 'null') then
      perform internal.invalid_argument(pg_catalog.format('p_profile.%s must be a string or null', v_key));
    end if;
  end loop;
end
$$;

-- ===================================================================================================
-- directories
-- ===================================================================================================
create or replace function public.list_directories(
  p_include_inactive boolean default false, p_after_slug text default null, p_limit int default 50
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
  perform internal.check_page(p_limit);
  select coalesce(jsonb_agg(s.j order by s.slug), '[]'::jsonb), count(*) into v_rows, v_count
    from (select internal.directory_json(d) as j, d.slug
            from public.directories d
           where (coalesce(p_include_inactive, false) or d.active)
             and (p_after_slug is null or d.slug > p_after_slug)
           order by d.slug
           limit p_limit + 1) s;
  if v_count > p_limit then
    v_rows := v_rows - p_limit;
    return jsonb_build_object('directories', v_rows, 'next', v_rows -> (p_limit - 1) ->> 'slug');
  end if;
  return jsonb_build_object('directories', v_rows, 'next', null);
end
$$;

create or replace function public.create_directory(p_directory jsonb, p_actor text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  d public.directories;
begin
  if p_directory is null or jsonb_typeof(p_directory) <> 'object' then
    perform internal.invalid_argument('p_directory must be a JSON object');
  end if;
  perform internal.check_text('p_actor', p_actor, 200);
  perform internal.check_text('p_directory.slug', p_directory ->> 'slug', 100);
  if exists (select 1 from public.directories where slug = p_directory ->> 'slug') then
    raise exception 'a directory with slug % already exists', p_directory ->> 'slug' using errcode = '23505';
  end if;
  -- The table's checks (slug pattern, http(s) URL, ranges) refuse the rest with 23514 (22xxx/23xxx
  -- are the client's input to the API).
  insert into public.directories (slug, name, submission_url, domain_authority, active, max_concurrency,
                                  min_interval_ms, field_mapping)
  values (p_directory ->> 'slug', p_directory ->> 'name', p_directory ->> 'submission_url',
          (p_directory ->> 'domain_authority')::int, coalesce((p_directory ->> 'active')::boolean, true),
          coalesce((p_directory ->> 'max_concurrency')::int, 1),
          coalesce((p_directory ->> 'min_interval_ms')::int, 0),
          case when jsonb_typeof(p_directory -> 'field_mapping') = 'object' then p_directory -> 'field_mapping' end)
  returning * into d;
  perform internal.log_event(null, null, 'directory_created', null, null, null, null,
    jsonb_build_object('directory_id', d.id, 'slug', d.slug, 'actor', p_actor));
  return internal.directory_json(d);
end
$$;

create or replace function public.get_directory_mapping(p_directory_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  d public.directories;
begin
  if p_directory_id is null then
    perform internal.invalid_argument('p_directory_id is required');
  end if;
  select * into d from public.directories where id = p_directory_id;
  if not found then
    return null;
  end if;
  return jsonb_build_object('directory_id', d.id, 'slug', d.slug, 'submission_url', d.submission_url,
                            'field_mapping', d.field_mapping, 'updated_at', d.updated_at);
end
$$;

create or replace function public.set_directory_mapping(p_directory_id uuid, p_mapping jsonb, p_actor text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  d public.directories;
  v_previous jsonb;
begin
  if p_directory_id is null then
    perform internal.invalid_argument('p_directory_id is required');
  end if;
  if p_mapping is not null and jsonb_typeof(p_mapping) <> 'object' then
    perform internal.invalid_argument('p_mapping must be a JSON object or null');
  end if;
  perform internal.check_text('p_actor', p_actor, 200);
  select * into d from public.directories where id = p_directory_id for update;
  if not found then
    raise exception 'directory % not found', p_directory_id using errcode = 'P0002';
  end if;
  v_previous := d.field_mapping;
  update public.directories set field_mapping = p_mapping where id = d.id returning * into d;
  perform internal.log_event(null, null, 'directory_mapping_updated', null, null, null, null,
    jsonb_build_object('directory_id', d.id, 'actor', p_actor, 'previous', v_previous));
  return jsonb_build_object('directory_id', d.id, 'slug', d.slug, 'field_mapping', d.field_mapping,
                            'updated_at', d.updated_at);
end
$$;

-- ===================================================================================================
-- customers
-- ===================================================================================================
create or replace function public.create_customer(p_profile jsonb, p_actor text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  c public.customers;
begin
  perform internal.check_customer_fields(p_profile);
  perform internal.check_text('p_actor', p_actor, 200);
  if p_profile ->> 'external_ref' is not null
     and exists (select 1 from public.customers where external_ref = p_profile ->> 'external_ref') then
    raise exception 'a customer with external_ref % already exists', p_profile ->> 'external_ref'
      using errcode = '23505';
  end if;
  insert into public.customers (external_ref, business_name, email, phone, website, address_line, city,
                                region, postal_code, country, category, description, tier)
  values (p_profile ->> 'external_ref', p_profile ->> 'business_name', p_profile ->> 'email',
          p_profile ->> 'phone', p_profile ->> 'website', p_profile ->> 'address_line', p_profile ->> 'city',
          p_profile ->> 'region', p_profile ->> 'postal_code', p_profile ->> 'country',
          p_profile ->> 'category', p_profile ->> 'description', coalesce(p_profile ->> 'tier', 'starter'))
  returning * into c;
  perform internal.log_event(null, null, 'customer_created', null, null, null, null,
    jsonb_build_object('customer_id', c.id, 'actor', p_actor));
  return internal.customer_json(c);
end
$$;

create or replace function public.get_customer(p_customer_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  c public.customers;
begin
  if p_customer_id is null then
    perform internal.invalid_argument('p_customer_id is required');
  end if;
  select * into c from public.customers where id = p_customer_id;
  if not found then
    return null;
  end if;
  return internal.customer_json(c);
end
$$;

-- Only the fields present change; a present null clears an optional field. Jobs already created keep
-- the idempotency keys they were given (business facts at creation time): a resubmission is explicit.
create or replace function public.update_customer(p_customer_id uuid, p_changes jsonb, p_actor text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  c public.customers;
begin
  if p_customer_id is null then
    perform internal.invalid_argument('p_customer_id is required');
  end if;
  perform internal.check_customer_fields(p_changes);
  if p_changes = '{}'::jsonb then
    perform internal.invalid_argument('p_changes must name at least one field');
  end if;
  perform internal.check_text('p_actor', p_actor, 200);
  select * into c from public.customers where id = p_customer_id for update;
  if not found then
    raise exception 'customer % not found', p_customer_id using errcode = 'P0002';
  end if;
  if p_changes ? 'external_ref' and p_changes ->> 'external_ref' is not null
     and exists (select 1 from public.customers
                  where external_ref = p_changes ->> 'external_ref' and id <> c.id) then
    raise exception 'a customer with external_ref % already exists', p_changes ->> 'external_ref'
      using errcode = '23505';
  end if;
  update public.customers set
    external_ref  = case when p_changes ? 'external_ref'  then p_changes ->> 'external_ref'  else external_ref end,
    business_name = case when p_changes ? 'business_name' then p_changes ->> 'business_name' else business_name end,
    email         = case when p_changes ? 'email'         then p_changes ->> 'email'         else email end,
    phone         = case when p_changes ? 'phone'         then p_changes ->> 'phone'         else phone end,
    website       = case when p_changes ? 'website'       then p_changes ->> 'website'       else website end,
    address_line  = case when p_changes ? 'address_line'  then p_changes ->> 'address_line'  else address_line end,
    city          = case when p_changes ? 'city'          then p_changes ->> 'city'          else city end,
    region        = case when p_changes ? 'region'        then p_changes ->> 'region'        else region end,
    postal_code   = case when p_changes ? 'postal_code'   then p_changes ->> 'postal_code'   else postal_code end,
    country       = case when p_changes ? 'country'       then p_changes ->> 'country'       else country end,
    category      = case when p_changes ? 'category'      then p_changes ->> 'category'      else category end,
    description   = case when p_changes ? 'description'   then p_changes ->> 'description'   else description end,
    tier          = case when p_changes ? 'tier' then coalesce(p_changes ->> 'tier', tier) else tier end
  where id = c.id
  returning * into c;
  perform internal.log_event(null, null, 'customer_updated', null, null, null, null,
    jsonb_build_object('customer_id', c.id, 'actor', p_actor,
                       'fields', (select jsonb_agg(k) from jsonb_object_keys(p_changes) k)));
  return internal.customer_json(c);
end
$$;

-- The delete rule: refused (55006) while any of the customer's jobs is pending or in progress (a
-- worker may be typing the profile into a form right now); otherwise the customer, its finished jobs
-- with their results and history, and its API keys are deleted (the schema's cascades). Cancel the
-- running jobs first to delete a busy customer. The deletion itself stays in queue_history.
create or replace function public.delete_customer(p_customer_id uuid, p_actor text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  c public.customers;
  v_active int;
  v_jobs int;
begin
  if p_customer_id is null then
    perform internal.invalid_argument('p_customer_id is required');
  end if;
  perform internal.check_text('p_actor', p_actor, 200);
  select * into c from public.customers where id = p_customer_id for update;
  if not found then
    raise exception 'customer % not found', p_customer_id using errcode = 'P0002';
  end if;
  select count(*) filter (where status in ('pending', 'in_progress')), count(*)
    into v_active, v_jobs
    from public.jobs where customer_id = c.id;
  if v_active > 0 then
    raise exception 'customer % has % job(s) pending or in progress; cancel them first', c.id, v_active
      using errcode = '55006';
  end if;
  delete from public.customers where id = c.id;
  perform internal.log_event(null, null, 'customer_deleted', null, null, null, null,
    jsonb_build_object('customer_id', c.id, 'actor', p_actor, 'jobs_deleted', v_jobs));
  return jsonb_build_object('customer_id', c.id, 'deleted', true, 'jobs_deleted', v_jobs);
end
$$;

-- ===================================================================================================
-- submissions: the tasks (job_results) with their outcome, newest first, keyset-paginated.
-- p_customer_id scopes to one customer (customer keys always pass their own).
-- ===================================================================================================
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
                                               'failed', 'dead_lettered') then
    perform internal.invalid_argument(format(
      'p_status must be one of pending, queued, in_progress, submitted, needs_manual, failed, dead_lettered (got %s)',
      p_status));
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
                   'created_at', r.created_at, 'started_at', r.started_at, 'completed_at', r.completed_at) as j,
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

-- ===================================================================================================
-- metrics: counts by status, today's outcomes, backlog per priority, and the pauses in force.
-- ===================================================================================================
create or replace function public.api_metrics()
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
begin
  select coalesce(jsonb_object_agg(s.status, coalesce(x.n, 0)), '{}'::jsonb) into v_jobs
    from (values ('pending'), ('in_progress'), ('completed'), ('failed'), ('cancelled')) s(status)
    left join (select status, count(*) n from public.jobs group by status) x on x.status = s.status;
  select coalesce(jsonb_object_agg(s.status, coalesce(x.n, 0)), '{}'::jsonb) into v_tasks
    from (values ('pending'), ('queued'), ('in_progress'), ('submitted'), ('needs_manual'), ('failed'),
                 ('dead_lettered')) s(status)
    left join (select status, count(*) n from public.job_results group by status) x on x.status = s.status;
  select jsonb_build_object(
           'jobs_completed', (select count(*) from public.jobs where status = 'completed' and completed_at >= v_today),
           'jobs_failed', (select count(*) from public.jobs where status = 'failed' and completed_at >= v_today),
           'tasks_submitted', count(*) filter (where r.status = 'submitted'),
           'tasks_needs_manual', count(*) filter (where r.status = 'needs_manual'),
           'tasks_failed', count(*) filter (where r.status in ('failed', 'dead_lettered')))
    into v_today_json
    from public.job_results r
   where r.completed_at >= v_today;
  select jsonb_object_agg(p.priority, jsonb_build_object(
           'waiting', (select count(*) from public.job_results r join public.jobs j on j.id = r.job_id
                        where r.status in ('pending', 'queued') and j.priority = p.priority),
           'in_progress', (select count(*) from public.job_results r join public.jobs j on j.id = r.job_id
                            where r.status = 'in_progress' and j.priority = p.priority),
           'oldest_waiting_seconds', (select floor(extract(epoch from now() - min(coalesce(r.queued_at, r.created_at))))
                                        from public.job_results r join public.jobs j on j.id = r.job_id
                                       where r.status in ('pending', 'queued') and j.priority = p.priority),
           'paused', exists (select 1 from public.processing_pauses x where x.scope = 'priority' and x.priority = p.priority)))
    into v_backlog
    from (values ('p1'), ('p2'), ('p3')) p(priority);
  return jsonb_build_object('jobs_by_status', v_jobs, 'tasks_by_status', v_tasks, 'today', v_today_json,
                            'backlog_by_priority', v_backlog,
                            'paused_directories', (select count(*) from public.processing_pauses where scope = 'directory'),
                            'database_time', now());
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
-- claim_task: the definition from 20251102090300_politeness_and_verification.sql with every check it
-- has, plus one: an operator pause of the task's priority or directory refuses the claim like the
-- politeness gate does (status and attempt untouched, next_attempt_at set, a claim_deferred row), so
-- the submitter's existing deferral path re-sends the message with the delay. The pause is checked
-- after the retry-budget check, so a task whose budget is spent still fails instead of waiting.
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

revoke all on function public.list_directories(boolean, text, int) from public, anon, authenticated;
revoke all on function public.create_directory(jsonb, text) from public, anon, authenticated;
revoke all on function public.get_directory_mapping(uuid) from public, anon, authenticated;
revoke all on function public.set_directory_mapping(uuid, jsonb, text) from public, anon, authenticated;
revoke all on function public.create_customer(jsonb, text) from public, anon, authenticated;
revoke all on function public.get_customer(uuid) from public, anon, authenticated;
revoke all on function public.update_customer(uuid, jsonb, text) from public, anon, authenticated;
revoke all on function public.delete_customer(uuid, text) from public, anon, authenticated;
revoke all on function public.list_submissions(uuid, uuid, text, timestamptz, uuid, int) from public, anon, authenticated;
revoke all on function public.api_metrics() from public, anon, authenticated;
revoke all on function public.list_workers(int) from public, anon, authenticated;
revoke all on function public.list_dead_letters(int) from public, anon, authenticated;
revoke all on function public.pause_processing(text, text, uuid, text, text) from public, anon, authenticated;
revoke all on function public.resume_processing(text, text, uuid, text) from public, anon, authenticated;
revoke all on function public.list_processing_pauses() from public, anon, authenticated;
revoke all on function public.claim_task(uuid, text, int) from public, anon, authenticated;

grant execute on function public.list_directories(boolean, text, int) to service_role;
grant execute on function public.create_directory(jsonb, text) to service_role;
grant execute on function public.get_directory_mapping(uuid) to service_role;
grant execute on function public.set_directory_mapping(uuid, jsonb, text) to service_role;
grant execute on function public.create_customer(jsonb, text) to service_role;
grant execute on function public.get_customer(uuid) to service_role;
grant execute on function public.update_customer(uuid, jsonb, text) to service_role;
grant execute on function public.delete_customer(uuid, text) to service_role;
grant execute on function public.list_submissions(uuid, uuid, text, timestamptz, uuid, int) to service_role;
grant execute on function public.api_metrics() to service_role;
grant execute on function public.list_workers(int) to service_role;
grant execute on function public.list_dead_letters(int) to service_role;
grant execute on function public.pause_processing(text, text, uuid, text, text) to service_role;
grant execute on function public.resume_processing(text, text, uuid, text) to service_role;
grant execute on function public.list_processing_pauses() to service_role;
grant execute on function public.claim_task(uuid, text, int) to service_role;

revoke all on all functions in schema internal from public, anon, authenticated;
grant execute on all functions in schema internal to service_role;
