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
