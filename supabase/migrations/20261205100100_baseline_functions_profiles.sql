-- The business profile and the directories' catalog: the shape helpers and JSON views of customers and
-- directories, their checks, and the functions that read and write them (customers and their logo,
-- directories and their field mappings, with optimistic locking through If-Match).
--
-- A stale If-Match raises SQLSTATE PT412 (PostgREST answers it with HTTP 412, and the API maps it to
-- 412 precondition_failed): the check and the write are one statement under the row lock, so two
-- editors cannot both win.
--
-- Conventions (the Lambda code is written against them): every function returns jsonb with snake_case
-- keys; bad arguments raise SQLSTATE 22023 (invalid_parameter_value) with a message naming the argument
-- and change nothing; unknown referenced rows raise P0002 (no_data_found); every state change writes a
-- queue_history row in the same transaction; security invoker, search_path pinned; EXECUTE for
-- service_role only (20261205100500_baseline_function_privileges.sql).
--
-- Constants mirrored from lambdas/platform/system-config.ts and business-profile.ts (test/supabase/
-- business-profile.test.ts checks they agree):
--   BUCKETS.assets.logoMaxBytes = 184320          -> internal.is_logo_ref
--   PROFILE_FIELD_SCHEMAS lengths and list sizes   -> the column checks and internal.is_* helpers
--
-- Listed in dependency order: a SQL-language function's body is checked when it is created, so what
-- it calls comes first.

-- ===================================================================================================
-- reading and writing customers
-- ===================================================================================================

-- Every profile field (business-profile.ts PROFILE_FIELDS), nulls included.
create or replace function internal.profile_json(c public.customers)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'business_name', c.business_name,
    'contact_first_name', c.contact_first_name,
    'contact_last_name', c.contact_last_name,
    'email', c.email,
    'phone', c.phone,
    'website', c.website,
    'address_line', c.address_line,
    'address_line2', c.address_line2,
    'city', c.city,
    'region', c.region,
    'postal_code', c.postal_code,
    'country', c.country,
    'category', c.category,
    'short_description', c.short_description,
    'description', c.description
  ) || pg_catalog.jsonb_build_object(
    'keywords', c.keywords,
    'opening_hours', c.opening_hours,
    'year_established', c.year_established,
    'social_profiles', c.social_profiles,
    'logo', c.logo
  )
$$;

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

-- The fields a create or update may set, each with the JSON type it must have; anything else in the
-- object is refused by name, and so is a value of the wrong type or shape. The logo is not among them:
-- it is recorded by set_customer_logo once its image is stored.
create or replace function internal.check_customer_fields(p_profile jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_key text;
  v_value jsonb;
  v_max int;
  v_year numeric;
begin
  if p_profile is null or pg_catalog.jsonb_typeof(p_profile) <> 'object' then
    perform internal.invalid_argument('p_profile must be a JSON object');
  end if;
  for v_key, v_value in select key, value from pg_catalog.jsonb_each(p_profile) loop
    if v_key in ('external_ref', 'business_name', 'email', 'phone', 'website', 'address_line', 'city',
                 'region', 'postal_code', 'country', 'category', 'description', 'tier',
                 'contact_first_name', 'contact_last_name', 'address_line2', 'short_description') then
      if pg_catalog.jsonb_typeof(v_value) not in ('string', 'null') then
        perform internal.invalid_argument(pg_catalog.format('p_profile.%s must be a string or null', v_key));
      end if;
      v_max := case v_key when 'contact_first_name' then 100 when 'contact_last_name' then 100
                          when 'address_line2' then 300 when 'short_description' then 300 end;
      if v_max is not null and pg_catalog.jsonb_typeof(v_value) = 'string'
         and pg_catalog.length(pg_catalog.btrim(v_value #>> '{}')) not between 1 and v_max then
        perform internal.invalid_argument(pg_catalog.format('p_profile.%s must be 1 to %s characters', v_key, v_max));
      end if;
    elsif v_key = 'keywords' then
      if pg_catalog.jsonb_typeof(v_value) not in ('array', 'null') then
        perform internal.invalid_argument('p_profile.keywords must be an array or null');
      end if;
      if not internal.is_keyword_list(nullif(v_value, 'null'::jsonb)) then
        perform internal.invalid_argument(
          'p_profile.keywords must be 1 to 30 strings of 1 to 60 characters, none listed twice');
      end if;
    elsif v_key = 'opening_hours' then
      if pg_catalog.jsonb_typeof(v_value) not in ('array', 'null') then
        perform internal.invalid_argument('p_profile.opening_hours must be an array or null');
      end if;
      if not internal.is_opening_hours(nullif(v_value, 'null'::jsonb)) then
        perform internal.invalid_argument(
          'p_profile.opening_hours must be 1 to 14 spans {"days": [mon..sun], "opens": "HH:MM", "closes": "HH:MM"}, '
          'each day named once and opens before closes');
      end if;
    elsif v_key = 'social_profiles' then
      if pg_catalog.jsonb_typeof(v_value) not in ('object', 'null') then
        perform internal.invalid_argument('p_profile.social_profiles must be an object or null');
      end if;
      if not internal.is_social_profiles(nullif(v_value, 'null'::jsonb)) then
        perform internal.invalid_argument(
          'p_profile.social_profiles must map facebook, instagram, linkedin, x, youtube, tiktok or pinterest '
          'to an http(s) URL');
      end if;
    elsif v_key = 'year_established' then
      if pg_catalog.jsonb_typeof(v_value) not in ('number', 'null') then
        perform internal.invalid_argument('p_profile.year_established must be a number or null');
      end if;
      if pg_catalog.jsonb_typeof(v_value) = 'number' then
        v_year := (v_value #>> '{}')::numeric;
        -- The year in UTC, as the API's schema counts it.
        if v_year <> pg_catalog.trunc(v_year)
           or v_year not between 1800 and extract(year from pg_catalog.now() at time zone 'UTC') then
          perform internal.invalid_argument(pg_catalog.format(
            'p_profile.year_established must be a whole year from 1800 to %s',
            extract(year from pg_catalog.now() at time zone 'UTC')));
        end if;
      end if;
    elsif v_key = 'logo' then
      perform internal.invalid_argument(
        'p_profile.logo is not set here: upload the image (PUT /customers/{id}/logo, set_customer_logo)');
    else
      perform internal.invalid_argument(pg_catalog.format('p_profile.%s is not a customer field', v_key));
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
-- get_directory_mapping / set_directory_mapping: a directory's stored field mapping, with the
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

-- A JSON value as a column value: JSON null (a present null) is SQL null. An empty social_profiles
-- object says as much as none, and is stored as none.
create or replace function internal.profile_value(p_profile jsonb, p_key text)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case when p_key = 'social_profiles' and p_profile -> p_key = '{}'::jsonb then null
              else nullif(p_profile -> p_key, 'null'::jsonb) end
$$;

-- ===================================================================================================
-- create_customer, update_customer: the business profile, every field validated
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
                                region, postal_code, country, category, description, tier,
                                contact_first_name, contact_last_name, address_line2, short_description,
                                keywords, opening_hours, year_established, social_profiles)
  values (p_profile ->> 'external_ref', p_profile ->> 'business_name', p_profile ->> 'email',
          p_profile ->> 'phone', p_profile ->> 'website', p_profile ->> 'address_line', p_profile ->> 'city',
          p_profile ->> 'region', p_profile ->> 'postal_code', p_profile ->> 'country',
          p_profile ->> 'category', p_profile ->> 'description', coalesce(p_profile ->> 'tier', 'starter'),
          p_profile ->> 'contact_first_name', p_profile ->> 'contact_last_name', p_profile ->> 'address_line2',
          p_profile ->> 'short_description',
          internal.profile_value(p_profile, 'keywords'),
          internal.profile_value(p_profile, 'opening_hours'),
          (p_profile ->> 'year_established')::numeric::int,
          internal.profile_value(p_profile, 'social_profiles'))
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

-- The file extension a logo of this content type is stored with.
create or replace function internal.logo_extension(p_content_type text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case p_content_type
           when 'image/png' then 'png'
           when 'image/jpeg' then 'jpg'
           when 'image/webp' then 'webp'
           when 'image/gif' then 'gif'
         end
$$;

-- Length in UTF-16 code units, as JavaScript (and so zod's max) counts: characters outside the Basic
-- Multilingual Plane (emoji) count twice.
create or replace function internal.utf16_length(p text)
returns int
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.length(p) + pg_catalog.length(pg_catalog.regexp_replace(p, '[\u0001-\uffff]', '', 'g'))
$$;

-- A short description from a long one: its first sentence on one line, cut at a word boundary (and
-- marked with an ellipsis) when longer than p_max UTF-16 units; null when there is no text. The first
-- sentence ends at the first . ! ? or … followed by a space or the end, so "2.5 km" or "v1.0" do not
-- end it (an abbreviation such as "St. Louis" does: the result is still a sentence start).
create or replace function internal.short_description_from(p_description text, p_max int default 300)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_text text;
  v_sentence text;
  v_cut text;
begin
  v_text := pg_catalog.btrim(pg_catalog.regexp_replace(coalesce(p_description, ''), '\s+', ' ', 'g'));
  if v_text = '' then
    return null;
  end if;
  v_sentence := coalesce(pg_catalog.substring(v_text, '^.*?[.!?…](?= |$)'), v_text);
  if internal.utf16_length(v_sentence) <= p_max then
    return v_sentence;
  end if;
  -- Room for the ellipsis; astral characters take two units, so shorten until it fits.
  v_cut := pg_catalog.left(v_sentence, p_max - 1);
  while internal.utf16_length(v_cut) > p_max - 1 loop
    v_cut := pg_catalog.left(v_cut, -1);
  end loop;
  -- Unless the cut fell on a space, drop the word it split (one giant word is cut where it is).
  if pg_catalog.substr(v_sentence, pg_catalog.length(v_cut) + 1, 1) <> ' ' and v_cut ~ ' ' then
    v_cut := pg_catalog.regexp_replace(v_cut, ' [^ ]*$', '');
  end if;
  -- No dangling separator before the ellipsis ("bread, …" reads "bread…").
  v_cut := pg_catalog.rtrim(v_cut, ' ,;:-–—');
  return v_cut || '…';
end
$$;

-- ===================================================================================================
-- set_customer_logo: PUT /customers/{id}/logo after the image is in the assets bucket (p_logo the
-- reference), DELETE /customers/{id}/logo (p_logo null). The object is not deleted: tasks created
-- earlier name it in their facts, and a claim in flight may be reading it.
-- ===================================================================================================
create or replace function public.set_customer_logo(p_customer_id uuid, p_logo jsonb, p_actor text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  c public.customers;
  v_previous jsonb;
begin
  if p_customer_id is null then
    perform internal.invalid_argument('p_customer_id is required');
  end if;
  p_logo := nullif(p_logo, 'null'::jsonb);
  if not internal.is_logo_ref(p_logo, p_customer_id) then
    perform internal.invalid_argument(pg_catalog.format(
      'p_logo must be {"key": "logos/%s/<sha-256 hex>.<png|jpg|webp|gif>", "content_type": "image/png|jpeg|webp|gif", '
      '"bytes": 1..184320} with the extension of its content type, or null', p_customer_id));
  end if;
  perform internal.check_text('p_actor', p_actor, 200);
  select * into c from public.customers where id = p_customer_id for update;
  if not found then
    raise exception 'customer % not found', p_customer_id using errcode = 'P0002';
  end if;
  v_previous := c.logo;
  if v_previous is not distinct from p_logo then
    return internal.customer_json(c);
  end if;
  update public.customers set logo = p_logo where id = c.id returning * into c;
  perform internal.log_event(null, null,
    case when p_logo is null then 'customer_logo_cleared' else 'customer_logo_set' end, null, null, null, null,
    jsonb_build_object('customer_id', c.id, 'actor', p_actor, 'logo', p_logo, 'previous', v_previous));
  return internal.customer_json(c);
end
$$;

-- One directory as staff manage it: the listing's fields plus the verification rule and the
-- breaker's state (the lists any key reads leave out how we check directories and how they behave).
create or replace function internal.directory_detail_json(d public.directories)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select internal.directory_json(d) || pg_catalog.jsonb_build_object('verification', d.verification,
    'account', d.account, 'breaker_state', d.breaker_state, 'paused_until', d.paused_until);
$$;

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
