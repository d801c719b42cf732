-- The extended business profile (lambdas/submitter/business-profile.ts PROFILE_FIELDS): contact name,
-- second address line, a short description, keywords, opening hours, the year the business was
-- established, social profiles and a logo stored in the assets bucket.
--
--   * new columns on public.customers, each with a CHECK as deep as SQL can see: lengths, jsonb types,
--     array sizes, the shapes of opening hours, social profiles and the logo reference (internal.is_*
--     helpers, immutable, also used by the functions to refuse bad input with a message naming it);
--   * the functions that read or write customers handle them: internal.customer_json,
--     internal.check_customer_fields, create_customer, update_customer, internal.business_facts (the
--     facts submitted, which feed the task idempotency key) and internal.task_payload (what claim_task
--     and claim_verification hand the submitter as task.customer);
--   * set_customer_logo records (or clears) the logo the API stored in the assets bucket;
--   * existing customers get a short_description derived from their description.
--
-- Conventions as in 20251102090200_task_functions.sql: jsonb results, 22023 naming the argument, P0002
-- for unknown rows, a queue_history row for every state change, security invoker, search_path pinned,
-- EXECUTE for service_role only.
--
-- Constants mirrored from lambdas/shared/system-config.ts and business-profile.ts (test/sql/
-- business-profile.test.ts checks they agree):
--   BUCKETS.assets.logoMaxBytes = 184320          -> internal.is_logo_ref
--   PROFILE_FIELD_SCHEMAS lengths and list sizes   -> the column checks and internal.is_* helpers

-- ===================================================================================================
-- shape helpers: immutable, so column CHECKs may call them; true for null (the column is optional)
-- ===================================================================================================

-- Keywords: 1 to 30 strings of 1 to 60 characters, no two the same ignoring case.
create or replace function internal.is_keyword_list(p jsonb)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_item jsonb;
  v_seen text[] := '{}';
begin
  if p is null then
    return true;
  end if;
  -- One check per statement: jsonb_array_length and the like fail on other JSON types, and SQL does not
  -- promise to evaluate an OR from left to right.
  if pg_catalog.jsonb_typeof(p) <> 'array' then
    return false;
  end if;
  if pg_catalog.jsonb_array_length(p) not between 1 and 30 then
    return false;
  end if;
  for v_item in select e from pg_catalog.jsonb_array_elements(p) e loop
    if pg_catalog.jsonb_typeof(v_item) <> 'string'
       or pg_catalog.length(pg_catalog.btrim(v_item #>> '{}')) not between 1 and 60
       or pg_catalog.lower(v_item #>> '{}') = any (v_seen) then
      return false;
    end if;
    v_seen := v_seen || pg_catalog.lower(v_item #>> '{}');
  end loop;
  return true;
end
$$;

-- Opening hours as schema.org's OpeningHoursSpecification: 1 to 14 spans
-- {"days": ["mon", ...], "opens": "HH:MM", "closes": "HH:MM"}, days named once, opens before closes.
create or replace function internal.is_opening_hours(p jsonb)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_span jsonb;
  v_day jsonb;
  v_days text[];
  v_clock constant text := '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
begin
  if p is null then
    return true;
  end if;
  -- One check per statement where a later one would fail on another JSON type (see is_keyword_list).
  if pg_catalog.jsonb_typeof(p) <> 'array' then
    return false;
  end if;
  if pg_catalog.jsonb_array_length(p) not between 1 and 14 then
    return false;
  end if;
  for v_span in select e from pg_catalog.jsonb_array_elements(p) e loop
    if pg_catalog.jsonb_typeof(v_span) <> 'object' then
      return false;
    end if;
    if exists (select 1 from pg_catalog.jsonb_object_keys(v_span) k where k not in ('days', 'opens', 'closes'))
       or pg_catalog.jsonb_typeof(v_span -> 'days') is distinct from 'array'
       or pg_catalog.jsonb_typeof(v_span -> 'opens') is distinct from 'string'
       or pg_catalog.jsonb_typeof(v_span -> 'closes') is distinct from 'string' then
      return false;
    end if;
    if (v_span ->> 'opens') !~ v_clock
       or (v_span ->> 'closes') !~ v_clock
       or (v_span ->> 'opens') >= (v_span ->> 'closes') collate "C"
       or pg_catalog.jsonb_array_length(v_span -> 'days') not between 1 and 7 then
      return false;
    end if;
    v_days := '{}';
    for v_day in select d from pg_catalog.jsonb_array_elements(v_span -> 'days') d loop
      if pg_catalog.jsonb_typeof(v_day) <> 'string'
         or (v_day #>> '{}') not in ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
         or (v_day #>> '{}') = any (v_days) then
        return false;
      end if;
      v_days := v_days || (v_day #>> '{}');
    end loop;
  end loop;
  return true;
end
$$;

-- Social profiles: {network: http(s) URL} for the networks business-profile.ts SOCIAL_NETWORKS names.
-- (Which host each network's URL must be on is checked by the API's schema, not here.)
create or replace function internal.is_social_profiles(p jsonb)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_network text;
  v_url jsonb;
begin
  if p is null then
    return true;
  end if;
  if pg_catalog.jsonb_typeof(p) <> 'object' then
    return false;
  end if;
  for v_network, v_url in select key, value from pg_catalog.jsonb_each(p) loop
    if v_network not in ('facebook', 'instagram', 'linkedin', 'x', 'youtube', 'tiktok', 'pinterest')
       or pg_catalog.jsonb_typeof(v_url) <> 'string'
       or pg_catalog.length(v_url #>> '{}') > 2048
       or (v_url #>> '{}') !~* '^https?://[^[:space:]/]+' then
      return false;
    end if;
  end loop;
  return true;
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

-- The logo reference (business-profile.ts LogoRefSchema): {"key", "content_type", "bytes"}, nothing
-- else. The key is the one the API derives (lambdas/shared/logo-image.ts logoKey): under this customer's
-- prefix, named by the image's SHA-256, so a reference can never point at another customer's file.
-- BUCKETS.assets.logoMaxBytes = 184320.
create or replace function internal.is_logo_ref(p jsonb, p_customer_id uuid)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_extension text;
begin
  if p is null then
    return true;
  end if;
  if pg_catalog.jsonb_typeof(p) <> 'object' then
    return false;
  end if;
  if exists (select 1 from pg_catalog.jsonb_object_keys(p) k where k not in ('key', 'content_type', 'bytes'))
     or pg_catalog.jsonb_typeof(p -> 'key') is distinct from 'string'
     or pg_catalog.jsonb_typeof(p -> 'content_type') is distinct from 'string'
     or pg_catalog.jsonb_typeof(p -> 'bytes') is distinct from 'number' then
    return false;
  end if;
  v_extension := internal.logo_extension(p ->> 'content_type');
  if v_extension is null then
    return false;
  end if;
  -- A uuid's text and the extensions hold no regular-expression syntax.
  return (p ->> 'key') ~ pg_catalog.format('^logos/%s/[0-9a-f]{64}\.%s$', p_customer_id, v_extension)
     and (p ->> 'bytes')::numeric = pg_catalog.trunc((p ->> 'bytes')::numeric)
     and (p ->> 'bytes')::numeric between 1 and 184320;
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
-- schema
-- ===================================================================================================
alter table public.customers
  add column contact_first_name text
    check (contact_first_name is null or pg_catalog.length(pg_catalog.btrim(contact_first_name)) between 1 and 100),
  add column contact_last_name  text
    check (contact_last_name is null or pg_catalog.length(pg_catalog.btrim(contact_last_name)) between 1 and 100),
  add column address_line2      text
    check (address_line2 is null or pg_catalog.length(pg_catalog.btrim(address_line2)) between 1 and 300),
  -- What directories with a "tagline" or short-description field get (the description is up to 5000).
  add column short_description  text
    check (short_description is null or pg_catalog.length(pg_catalog.btrim(short_description)) between 1 and 300),
  add column keywords           jsonb check (internal.is_keyword_list(keywords)),
  add column opening_hours      jsonb check (internal.is_opening_hours(opening_hours)),
  -- The upper bound here is a sanity bound (a CHECK cannot read the clock); create_customer and
  -- update_customer refuse a year after the current one.
  add column year_established   int check (year_established is null or year_established between 1800 and 2200),
  add column social_profiles    jsonb check (internal.is_social_profiles(social_profiles)),
  -- The image itself is in the assets bucket; set only by set_customer_logo.
  add column logo               jsonb check (internal.is_logo_ref(logo, id));

comment on column public.customers.keywords is 'JSON array of 1 to 30 distinct keyword strings.';
comment on column public.customers.opening_hours is
  'JSON array of {"days": ["mon".."sun"], "opens": "HH:MM", "closes": "HH:MM"}; a day without a span is closed.';
comment on column public.customers.social_profiles is 'JSON object: network (facebook, instagram, ...) -> profile URL.';
comment on column public.customers.logo is
  'The logo in the assets bucket: {"key": "logos/<customer id>/<sha-256>.<ext>", "content_type", "bytes"}.';

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

create or replace function internal.customer_json(c public.customers)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object('id', c.id, 'external_ref', c.external_ref)
      || internal.profile_json(c)
      || pg_catalog.jsonb_build_object('tier', c.tier, 'created_at', c.created_at, 'updated_at', c.updated_at);
$$;

-- The business facts that are submitted to a directory: they go into the idempotency key, so a changed
-- profile is a different submission. The eleven original facts always appear (null or not); the newer
-- optional ones only when set, so a profile without them keeps exactly the facts (and the key's
-- canonical form) it had before this migration. The logo's key names its content hash: a new logo is
-- a new fact.
create or replace function internal.business_facts(c public.customers)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'business_name', c.business_name,
    'email', c.email,
    'phone', c.phone,
    'website', c.website,
    'address_line', c.address_line,
    'city', c.city,
    'region', c.region,
    'postal_code', c.postal_code,
    'country', c.country,
    'category', c.category,
    'description', c.description
  ) || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
    'contact_first_name', c.contact_first_name,
    'contact_last_name', c.contact_last_name,
    'address_line2', c.address_line2,
    'short_description', c.short_description,
    'keywords', c.keywords,
    'opening_hours', c.opening_hours,
    'year_established', c.year_established,
    'social_profiles', c.social_profiles,
    'logo', c.logo
  ))
$$;

-- What a worker needs to submit (or verify) a task (as in 20251102090300). task.customer now carries
-- every profile field, null when the profile has none, so the submitter sees one shape.
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
    'customer', pg_catalog.jsonb_build_object('id', c.id) || internal.profile_json(c)
  )
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
-- create_customer, update_customer: as in 20251102090600, with the new fields
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
    jsonb_build_object('customer_id', c.id, 'actor', p_actor,
                       'fields', (select jsonb_agg(k) from jsonb_object_keys(p_changes) k)));
  return internal.customer_json(c);
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

-- ===================================================================================================
-- data: existing customers get a short description derived from their description
-- ===================================================================================================
update public.customers
   set short_description = internal.short_description_from(description)
 where short_description is null
   and internal.short_description_from(description) is not null;

-- ===================================================================================================
-- privileges
-- ===================================================================================================
revoke all on function public.create_customer(jsonb, text) from public, anon, authenticated;
revoke all on function public.update_customer(uuid, jsonb, text) from public, anon, authenticated;
revoke all on function public.set_customer_logo(uuid, jsonb, text) from public, anon, authenticated;
grant execute on function public.create_customer(jsonb, text) to service_role;
grant execute on function public.update_customer(uuid, jsonb, text) to service_role;
grant execute on function public.set_customer_logo(uuid, jsonb, text) to service_role;

revoke all on all functions in schema internal from public, anon, authenticated;
grant execute on all functions in schema internal to service_role;
