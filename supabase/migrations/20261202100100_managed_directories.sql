-- Directories can be managed after creation; customer and mapping updates take If-Match (issue 12).
--
-- Until now a directory could only be created: its concurrency and interval limits, its verification
-- rule ("verify, don't resubmit") and `active` could not change through the API. This migration adds
-- get_directory and update_directory (GET and PATCH /directories/{id}), and optimistic locking for
-- directories and customers: a `version` that the API sends as ETag and takes back as If-Match.
--
-- A stale If-Match raises SQLSTATE PT412 (PostgREST answers it with HTTP 412, and the API maps it to
-- 412 precondition_failed): the check and the write are one statement under the row lock, so two
-- editors cannot both win.

-- ===================================================================================================
-- schema
-- ===================================================================================================
alter table public.directories add column version int not null default 1 check (version >= 1);
comment on column public.directories.version is
  'Optimistic-locking version (ETag / If-Match), +1 on every change of what an operator manages.';
alter table public.customers add column version int not null default 1 check (version >= 1);
comment on column public.customers.version is 'Optimistic-locking version (ETag / If-Match), +1 on every change.';

-- The database bumps the version, so no update path can forget it.
create or replace function internal.bump_version()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.version := old.version + 1;
  return new;
end
$$;

-- Only what an operator manages: every claim writes the politeness columns (next_claim_at, breaker),
-- and an ETag that changed on every claim would make PATCH fail with 412 under load.
create trigger directories_bump_version before update on public.directories
  for each row when ((old.slug, old.name, old.submission_url, old.domain_authority, old.field_mapping, old.active,
                      old.max_concurrency, old.min_interval_ms, old.verification)
                     is distinct from
                     (new.slug, new.name, new.submission_url, new.domain_authority, new.field_mapping, new.active,
                      new.max_concurrency, new.min_interval_ms, new.verification))
  execute function internal.bump_version();

-- Named to run before customers_touch_updated_at (triggers fire in name order), so updated_at's own
-- change does not count: an update that changes nothing keeps the version.
create trigger customers_bump_version before update on public.customers
  for each row when (old.* is distinct from new.*)
  execute function internal.bump_version();

-- ===================================================================================================
-- helpers
-- ===================================================================================================
create or replace function internal.directory_json(d public.directories)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('id', d.id, 'slug', d.slug, 'name', d.name, 'submission_url', d.submission_url,
    'domain_authority', d.domain_authority, 'active', d.active, 'max_concurrency', d.max_concurrency,
    'min_interval_ms', d.min_interval_ms, 'has_field_mapping', d.field_mapping is not null, 'version', d.version,
    'created_at', d.created_at, 'updated_at', d.updated_at);
$$;

-- One directory as staff manage it: the listing's fields plus the verification rule and the
-- breaker's state (the lists any key reads leave out how we check directories and how they behave).
create or replace function internal.directory_detail_json(d public.directories)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select internal.directory_json(d) || jsonb_build_object('verification', d.verification,
    'breaker_state', d.breaker_state, 'paused_until', d.paused_until);
$$;

create or replace function internal.customer_json(c public.customers)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object('id', c.id, 'external_ref', c.external_ref)
      || internal.profile_json(c)
      || pg_catalog.jsonb_build_object('tier', c.tier, 'version', c.version, 'created_at', c.created_at,
                                       'updated_at', c.updated_at);
$$;

-- If-Match: p_expected_version null means the caller sent none (allowed where the API keeps it
-- optional); otherwise it must be the row's version.
create or replace function internal.check_expected_version(
  p_what text, p_id uuid, p_version int, p_expected_version int
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_expected_version is not null and p_expected_version <> p_version then
    raise exception 'If-Match: % % is at version %, not %; read it again and retry',
      p_what, p_id, p_version, p_expected_version
      using errcode = 'PT412', hint = pg_catalog.format('current version: %s', p_version);
  end if;
end
$$;

create or replace function internal.check_expected_version_arg(p_expected_version int)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_expected_version is not null and p_expected_version < 1 then
    perform internal.invalid_argument(pg_catalog.format('p_expected_version must be a positive integer (got %s)',
      p_expected_version));
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
      else
        perform internal.invalid_argument(pg_catalog.format('p_changes.%s is not a field a directory update may set', v_key));
    end case;
  end loop;
end
$$;

-- ===================================================================================================
-- get_directory: GET /directories/{id}. null when absent.
-- ===================================================================================================
create or replace function public.get_directory(p_directory_id uuid)
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
  return internal.directory_detail_json(d);
end
$$;

-- ===================================================================================================
-- update_directory: PATCH /directories/{id}. Only the fields present change (domain_authority and
-- verification may be set to null). p_expected_version is required here: the route is new, so every
-- client sends If-Match. Audited in queue_history with who changed what, from what to what.
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
                            then nullif(p_changes -> 'verification', 'null'::jsonb) else verification end
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

-- ===================================================================================================
-- get_directory_mapping / set_directory_mapping: as in 20251102090600_api_surface.sql, plus the
-- directory's version (the mapping's ETag) and an optional expected version (If-Match).
-- ===================================================================================================
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
                            'field_mapping', d.field_mapping, 'version', d.version, 'updated_at', d.updated_at);
end
$$;

drop function public.set_directory_mapping(uuid, jsonb, text);
create or replace function public.set_directory_mapping(
  p_directory_id uuid, p_mapping jsonb, p_actor text, p_expected_version int default null
)
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
  perform internal.check_expected_version_arg(p_expected_version);
  select * into d from public.directories where id = p_directory_id for update;
  if not found then
    raise exception 'directory % not found', p_directory_id using errcode = 'P0002';
  end if;
  perform internal.check_expected_version('directory', d.id, d.version, p_expected_version);
  v_previous := d.field_mapping;
  update public.directories set field_mapping = p_mapping where id = d.id returning * into d;
  perform internal.log_event(null, null, 'directory_mapping_updated', null, null, null, null,
    jsonb_build_object('directory_id', d.id, 'actor', p_actor, 'previous', v_previous, 'version', d.version));
  return jsonb_build_object('directory_id', d.id, 'slug', d.slug, 'field_mapping', d.field_mapping,
                            'version', d.version, 'updated_at', d.updated_at);
end
$$;

-- ===================================================================================================
-- update_customer: as in 20251130090000_business_profile.sql, plus an optional expected version
-- (If-Match). Only the fields present change; a present null clears an optional field. Jobs already
-- created keep their tasks; a listing already made is resubmitted explicitly (resubmit_listing).
-- ===================================================================================================
drop function public.update_customer(uuid, jsonb, text);
create or replace function public.update_customer(
  p_customer_id uuid, p_changes jsonb, p_actor text, p_expected_version int default null
)
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
  perform internal.check_expected_version_arg(p_expected_version);
  select * into c from public.customers where id = p_customer_id for update;
  if not found then
    raise exception 'customer % not found', p_customer_id using errcode = 'P0002';
  end if;
  perform internal.check_expected_version('customer', c.id, c.version, p_expected_version);
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
    tier          = case when p_changes ? 'tier' then coalesce(p_changes ->> 'tier', tier) else tier end,
    contact_first_name = case when p_changes ? 'contact_first_name'
                              then p_changes ->> 'contact_first_name' else contact_first_name end,
    contact_last_name  = case when p_changes ? 'contact_last_name'
                              then p_changes ->> 'contact_last_name' else contact_last_name end,
    address_line2      = case when p_changes ? 'address_line2'
                              then p_changes ->> 'address_line2' else address_line2 end,
    short_description  = case when p_changes ? 'short_description'
                              then p_changes ->> 'short_description' else short_description end,
    keywords           = case when p_changes ? 'keywords'
                              then internal.profile_value(p_changes, 'keywords') else keywords end,
    opening_hours      = case when p_changes ? 'opening_hours'
                              then internal.profile_value(p_changes, 'opening_hours') else opening_hours end,
    year_established   = case when p_changes ? 'year_established'
                              then (p_changes ->> 'year_established')::numeric::int else year_established end,
    social_profiles    = case when p_changes ? 'social_profiles'
                              then internal.profile_value(p_changes, 'social_profiles') else social_profiles end
  where id = c.id
  returning * into c;
  perform internal.log_event(null, null, 'customer_updated', null, null, null, null,
    jsonb_build_object('customer_id', c.id, 'actor', p_actor, 'version', c.version,
                       'fields', (select jsonb_agg(k) from jsonb_object_keys(p_changes) k)));
  return internal.customer_json(c);
end
$$;

-- ===================================================================================================
-- privileges
-- ===================================================================================================
revoke all on function public.get_directory(uuid) from public, anon, authenticated;
revoke all on function public.update_directory(uuid, jsonb, int, text) from public, anon, authenticated;
revoke all on function public.get_directory_mapping(uuid) from public, anon, authenticated;
revoke all on function public.set_directory_mapping(uuid, jsonb, text, int) from public, anon, authenticated;
revoke all on function public.update_customer(uuid, jsonb, text, int) from public, anon, authenticated;
grant execute on function public.get_directory(uuid) to service_role;
grant execute on function public.update_directory(uuid, jsonb, int, text) to service_role;
grant execute on function public.get_directory_mapping(uuid) to service_role;
grant execute on function public.set_directory_mapping(uuid, jsonb, text, int) to service_role;
grant execute on function public.update_customer(uuid, jsonb, text, int) to service_role;

revoke all on all functions in schema internal from public, anon, authenticated;
grant execute on all functions in schema internal to service_role;
