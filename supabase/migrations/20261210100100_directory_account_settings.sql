-- Directory accounts through the API: a directory's `account` (what it asks before its listing form:
-- sign-up, email verification, log-in; 20261210100000_directory_accounts.sql) is set with
-- POST /directories and PATCH /directories/{id} (null clears it) and read with GET /directories/{id};
-- a customer's submission_local_part is part of the customer as the API reads it (GET /customers/{id}
-- builds the whole submission address from it and the receiving domain).
--
-- The API validates `account` with DirectoryAccountSchema (lambdas/accounts/directory-account.ts) and
-- answers 400 naming the field; these functions refuse the same with 22023 naming p_directory.account or
-- p_changes.account before any write, so a bad object never reaches the table's check (23514, which the
-- API could only answer without naming the field).
--
-- Redefined whole (create or replace): internal.directory_detail_json, internal.customer_json,
-- internal.check_directory_changes, public.create_directory, public.update_directory. New:
-- internal.check_directory_account. The version trigger of directories is recreated to count `account`.

-- ---------------------------------------------------------------------------------------------------
-- The version behind ETag / If-Match counts the account: a PATCH that changes only the account must
-- make every earlier If-Match stale, as a change of any other managed field does.
-- ---------------------------------------------------------------------------------------------------
drop trigger directories_bump_version on public.directories;
create trigger directories_bump_version before update on public.directories
  for each row when ((old.slug, old.name, old.submission_url, old.domain_authority, old.field_mapping, old.active,
                      old.max_concurrency, old.min_interval_ms, old.verification, old.account)
                     is distinct from
                     (new.slug, new.name, new.submission_url, new.domain_authority, new.field_mapping, new.active,
                      new.max_concurrency, new.min_interval_ms, new.verification, new.account))
  execute function internal.bump_version();

-- ===================================================================================================
-- JSON views
-- ===================================================================================================

-- One directory as staff manage it: the listing's fields plus the verification rule, the account it
-- asks for and the breaker's state (the lists any key reads leave out how we check directories, how we
-- sign up to them and how they behave).
create or replace function internal.directory_detail_json(d public.directories)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select internal.directory_json(d) || pg_catalog.jsonb_build_object('verification', d.verification,
    'account', d.account, 'breaker_state', d.breaker_state, 'paused_until', d.paused_until);
$$;

-- The customer as the API reads it. submission_local_part is not a secret (directories see the whole
-- address) and is the customer's own: the API builds the address from it (lambdas/mail/submission-address.ts).
create or replace function internal.customer_json(c public.customers)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object('id', c.id, 'external_ref', c.external_ref)
      || internal.profile_json(c)
      || pg_catalog.jsonb_build_object('tier', c.tier, 'submission_local_part', c.submission_local_part,
                                       'version', c.version, 'created_at', c.created_at,
                                       'updated_at', c.updated_at);
$$;

-- ===================================================================================================
-- checks
-- ===================================================================================================

-- A directory's account as a create or an update gives it (p_name names it in the error): JSON null
-- (none) or what internal.is_directory_account accepts, and a log-in before the listing needs the page
-- to log in at. The submitter would otherwise skip the log-in and fail on the listing form.
create or replace function internal.check_directory_account(p_name text, p_account jsonb)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_account is null or pg_catalog.jsonb_typeof(p_account) = 'null' then
    return;
  end if;
  if not internal.is_directory_account(p_account) then
    perform internal.invalid_argument(pg_catalog.format(
      '%s must be null or {"signup_url": an http(s) URL, "login_url": an http(s) URL or null, '
      '"email_verification": true or false, "login_before_listing": true or false, '
      '"verification_hours": 1 to 336}, only signup_url required and no other field', p_name));
  end if;
  if p_account -> 'login_before_listing' = 'true'::jsonb
     and pg_catalog.jsonb_typeof(p_account -> 'login_url') is distinct from 'string' then
    perform internal.invalid_argument(pg_catalog.format(
      '%s.login_url is required when login_before_listing is true', p_name));
  end if;
end
$$;

-- The fields PATCH /directories/{id} may change, each checked by name (22023) before any write.
create or replace function internal.check_directory_changes(p_changes jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_key text;
  v_value jsonb;
  v_number numeric;
  v_min int;
  v_max int;
begin
  if p_changes is null or jsonb_typeof(p_changes) <> 'object' then
    perform internal.invalid_argument('p_changes must be a JSON object');
  end if;
  if p_changes = '{}'::jsonb then
    perform internal.invalid_argument('p_changes must name at least one field');
  end if;
  for v_key, v_value in select * from jsonb_each(p_changes) loop
    case v_key
      when 'name' then
        if jsonb_typeof(v_value) <> 'string' or length(btrim(v_value #>> '{}')) not between 1 and 200 then
          perform internal.invalid_argument('p_changes.name must be a string of 1 to 200 characters');
        end if;
      when 'submission_url' then
        if jsonb_typeof(v_value) <> 'string' or length(v_value #>> '{}') > 2048
           or (v_value #>> '{}') !~* '^https?://[^[:space:]/]+' then
          perform internal.invalid_argument('p_changes.submission_url must be an http(s) URL of at most 2048 characters');
        end if;
      when 'active' then
        if jsonb_typeof(v_value) <> 'boolean' then
          perform internal.invalid_argument('p_changes.active must be true or false');
        end if;
      when 'domain_authority', 'max_concurrency', 'min_interval_ms' then
        if v_key = 'domain_authority' and jsonb_typeof(v_value) = 'null' then
          continue;
        end if;
        if jsonb_typeof(v_value) <> 'number' then
          perform internal.invalid_argument(pg_catalog.format('p_changes.%s must be an integer', v_key));
        end if;
        v_number := (v_value #>> '{}')::numeric;
        v_min := (jsonb_build_object('domain_authority', 0, 'max_concurrency', 1, 'min_interval_ms', 0) ->> v_key)::int;
        v_max := (jsonb_build_object('domain_authority', 100, 'max_concurrency', 100, 'min_interval_ms', 86400000)
                  ->> v_key)::int;
        if v_number <> trunc(v_number) or v_number < v_min or v_number > v_max then
          perform internal.invalid_argument(pg_catalog.format('p_changes.%s must be an integer between %s and %s (got %s)',
            v_key, v_min, v_max, v_number));
        end if;
      when 'verification' then
        if jsonb_typeof(v_value) = 'null' then
          continue;
        end if;
        if jsonb_typeof(v_value) <> 'object' or (select count(*) from jsonb_object_keys(v_value)) <> 1
           or jsonb_typeof(v_value -> 'lookup_url') <> 'string' or length(v_value ->> 'lookup_url') > 2048
           or (v_value ->> 'lookup_url') !~* '^https?://[^[:space:]/]+' then
          perform internal.invalid_argument(
            'p_changes.verification must be null or {"lookup_url": an http(s) URL of at most 2048 characters}');
        end if;
      when 'account' then
        perform internal.check_directory_account('p_changes.account', v_value);
      else
        perform internal.invalid_argument(pg_catalog.format('p_changes.%s is not a field a directory update may set', v_key));
    end case;
  end loop;
end
$$;

-- ===================================================================================================
-- create_directory: POST /directories. Answers the directory as GET /directories/{id} does, so the
-- caller sees the account it set (and the version for a later If-Match).
-- ===================================================================================================
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
  perform internal.check_directory_account('p_directory.account', p_directory -> 'account');
  if exists (select 1 from public.directories where slug = p_directory ->> 'slug') then
    raise exception 'a directory with slug % already exists', p_directory ->> 'slug' using errcode = '23505';
  end if;
  -- The table's checks (slug pattern, http(s) URL, ranges) refuse the rest with 23514 (22xxx/23xxx
  -- are the client's input to the API).
  insert into public.directories (slug, name, submission_url, domain_authority, active, max_concurrency,
                                  min_interval_ms, field_mapping, account)
  values (p_directory ->> 'slug', p_directory ->> 'name', p_directory ->> 'submission_url',
          (p_directory ->> 'domain_authority')::int, coalesce((p_directory ->> 'active')::boolean, true),
          coalesce((p_directory ->> 'max_concurrency')::int, 1),
          coalesce((p_directory ->> 'min_interval_ms')::int, 0),
          case when jsonb_typeof(p_directory -> 'field_mapping') = 'object' then p_directory -> 'field_mapping' end,
          case when jsonb_typeof(p_directory -> 'account') = 'object' then p_directory -> 'account' end)
  returning * into d;
  perform internal.log_event(null, null, 'directory_created', null, null, null, null,
    jsonb_build_object('directory_id', d.id, 'slug', d.slug, 'actor', p_actor,
                       'account', d.account));
  return internal.directory_detail_json(d);
end
$$;

-- ===================================================================================================
-- update_directory: PATCH /directories/{id}. Only the fields present change (domain_authority,
-- verification and account may be set to null). p_expected_version is required here: the route is new,
-- so every client sends If-Match. Audited in queue_history with who changed what, from what to what
-- (an account holds addresses and switches, nothing secret).
-- ===================================================================================================
create or replace function public.update_directory(
  p_directory_id uuid, p_changes jsonb, p_expected_version int, p_actor text
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  d public.directories;
  v_before jsonb;
  v_diff jsonb;
begin
  if p_directory_id is null then
    perform internal.invalid_argument('p_directory_id is required');
  end if;
  perform internal.check_directory_changes(p_changes);
  if p_expected_version is null then
    perform internal.invalid_argument('p_expected_version is required (the If-Match of the directory read)');
  end if;
  perform internal.check_expected_version_arg(p_expected_version);
  perform internal.check_text('p_actor', p_actor, 200);

  select * into d from public.directories where id = p_directory_id for update;
  if not found then
    raise exception 'directory % not found', p_directory_id using errcode = 'P0002';
  end if;
  perform internal.check_expected_version('directory', d.id, d.version, p_expected_version);

  v_before := internal.directory_detail_json(d);
  update public.directories set
    name             = case when p_changes ? 'name' then btrim(p_changes ->> 'name') else name end,
    submission_url   = case when p_changes ? 'submission_url' then p_changes ->> 'submission_url' else submission_url end,
    domain_authority = case when p_changes ? 'domain_authority'
                            then (p_changes ->> 'domain_authority')::numeric::int else domain_authority end,
    active           = case when p_changes ? 'active' then (p_changes ->> 'active')::boolean else active end,
    max_concurrency  = case when p_changes ? 'max_concurrency'
                            then (p_changes ->> 'max_concurrency')::numeric::int else max_concurrency end,
    min_interval_ms  = case when p_changes ? 'min_interval_ms'
                            then (p_changes ->> 'min_interval_ms')::numeric::int else min_interval_ms end,
    verification     = case when p_changes ? 'verification'
                            then nullif(p_changes -> 'verification', 'null'::jsonb) else verification end,
    account          = case when p_changes ? 'account'
                            then nullif(p_changes -> 'account', 'null'::jsonb) else account end
  where id = d.id
  returning * into d;

  -- What really changed, old and new value of each field.
  select coalesce(jsonb_object_agg(k, jsonb_build_object('from', v_before -> k,
                                                         'to', internal.directory_detail_json(d) -> k)), '{}'::jsonb)
    into v_diff
    from jsonb_object_keys(p_changes) k
   where v_before -> k is distinct from internal.directory_detail_json(d) -> k;
  perform internal.log_event(null, null, 'directory_updated', null, null, null, p_actor,
    jsonb_build_object('directory_id', d.id, 'slug', d.slug, 'actor', p_actor, 'version', d.version,
                       'changes', v_diff));
  return internal.directory_detail_json(d);
end
$$;

-- Who may call them: service_role only (20261205100500_baseline_function_privileges.sql). create or
-- replace keeps a function's grants; they are stated again so this file says who may call what.
revoke all on function internal.directory_detail_json(public.directories) from public, anon, authenticated;
revoke all on function internal.customer_json(public.customers) from public, anon, authenticated;
revoke all on function internal.check_directory_account(text, jsonb) from public, anon, authenticated;
revoke all on function internal.check_directory_changes(jsonb) from public, anon, authenticated;
revoke all on function public.create_directory(jsonb, text) from public, anon, authenticated;
revoke all on function public.update_directory(uuid, jsonb, int, text) from public, anon, authenticated;
grant execute on function internal.directory_detail_json(public.directories) to service_role;
grant execute on function internal.customer_json(public.customers) to service_role;
grant execute on function internal.check_directory_account(text, jsonb) to service_role;
grant execute on function internal.check_directory_changes(jsonb) to service_role;
grant execute on function public.create_directory(jsonb, text) to service_role;
grant execute on function public.update_directory(uuid, jsonb, int, text) to service_role;
