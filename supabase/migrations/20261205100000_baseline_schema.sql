-- DirectoryBolt schema: the tables, their indexes, triggers and comments, the functions the tables
-- themselves need (triggers, CHECK helpers), row level security and privileges. The audit's tables
-- (customers, directories, jobs, job_results, worker_heartbeats, queue_history, rate_limit_requests)
-- kept and completed, plus what the design needs (API keys and idempotency, DLQ alert outbox,
-- processing pauses, one listing per business and directory).
--
-- Baseline: the state that the migrations before it left, folded into one definition per object.
-- Forward-only from the first deploy on: never edit this file once applied; add a new migration
-- (supabase/README.md).

-- Helpers that are not part of the RPC API live in `internal`: the RPC layer (PostgREST on Supabase,
-- local/emulators/supabase-rpc.ts locally) only exposes schema public.
create schema if not exists internal;
comment on schema internal is 'DirectoryBolt helpers (triggers, shared task logic); not exposed over the RPC API.';

-- ===================================================================================================
-- functions the tables need (triggers, CHECK helpers)
-- ===================================================================================================

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

-- The logo reference (business-profile.ts LogoRefSchema): {"key", "content_type", "bytes"}, nothing
-- else. The key is the one the API derives (lambdas/customers/logo-image.ts logoKey): under this customer's
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

-- already_listed is final. No message is ever sent for such a task, but some task functions
-- (claim_task, the sweeper, redrive) do not list it among the finished states; this
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

-- The submission address and the directory's account settings (see customers, directories).
-- 'b-' and 16 base32 characters (80 random bits): unguessable, case-insensitive, and not the customer's
-- id (the address goes to third parties). gen_random_uuid() is the random source Postgres has without
-- pgcrypto; its bytes 6 and 8 carry the version and variant bits, so they are skipped. 256 is a multiple
-- of 32, so `byte % 32` is unbiased. lambdas/mail/submission-address.ts parses the same format.
create or replace function internal.new_submission_local_part()
returns text
language sql
volatile
set search_path = ''
as $$
  select 'b-' || pg_catalog.string_agg(
           pg_catalog.substr('abcdefghijklmnopqrstuvwxyz234567', pg_catalog.get_byte(r.b, i.n) % 32 + 1, 1), ''
           order by i.o)
    from (select pg_catalog.uuid_send(pg_catalog.gen_random_uuid())
                 operator(pg_catalog.||) pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) as b) r,
         unnest(array[0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17]) with ordinality as i(n, o)
$$;

create or replace function internal.is_web_url(p text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p is not null and pg_catalog.length(p) <= 2048 and p ~* '^https?://[^[:space:]/]+[^[:space:]]*$'
$$;

-- {"signup_url": "https://dir.example/join", "login_url": "https://dir.example/login",
--  "email_verification": true, "login_before_listing": false, "verification_hours": 48}
-- signup_url is required; the rest is optional (no verification, no login, 48 hours).
-- lambdas/accounts/directory-account.ts (DirectoryAccountSchema) states the same for the API.
create or replace function internal.is_directory_account(p jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.jsonb_typeof(p) = 'object'
     and (select pg_catalog.count(*) = 0 from pg_catalog.jsonb_object_keys(p) k
           where k not in ('signup_url', 'login_url', 'email_verification', 'login_before_listing',
                           'verification_hours'))
     and pg_catalog.jsonb_typeof(p -> 'signup_url') = 'string'
     and internal.is_web_url(p ->> 'signup_url')
     and (p -> 'login_url' is null or pg_catalog.jsonb_typeof(p -> 'login_url') = 'null'
          or (pg_catalog.jsonb_typeof(p -> 'login_url') = 'string' and internal.is_web_url(p ->> 'login_url')))
     and (p -> 'email_verification' is null or pg_catalog.jsonb_typeof(p -> 'email_verification') = 'boolean')
     and (p -> 'login_before_listing' is null or pg_catalog.jsonb_typeof(p -> 'login_before_listing') = 'boolean')
     and (p -> 'verification_hours' is null
          or (pg_catalog.jsonb_typeof(p -> 'verification_hours') = 'number'
              and (p ->> 'verification_hours') ~ '^[0-9]{1,3}$'
              and (p ->> 'verification_hours')::int between 1 and 336))
$$;

-- The host of an http(s) URL, lower-cased; null for anything else.
create or replace function internal.url_host(p text)
returns text
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.lower(pg_catalog.substring(p, '^[hH][tT][tT][pP][sS]?://(?:[^/@?#]*@)?([^/:?#]+)'))
$$;

-- ---------------------------------------------------------------------------------------------------
-- customers: the business profile that is submitted to directories.
-- ---------------------------------------------------------------------------------------------------
create table public.customers (
  id            uuid primary key default gen_random_uuid(),
  -- The local part of the address directories see for this business (<local part>@MAIL_DOMAIN).
  submission_local_part text not null default internal.new_submission_local_part()
    constraint customers_submission_local_part_key unique
    constraint customers_submission_local_part_format check (submission_local_part ~ '^b-[a-z2-7]{16}$'),
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
  -- The tier decides the queue (lambdas/platform/system-config.ts PRIORITY_BY_TIER).
  tier          text not null default 'starter' check (tier in ('enterprise', 'pro', 'starter')),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  contact_first_name text
    check (contact_first_name is null or pg_catalog.length(pg_catalog.btrim(contact_first_name)) between 1 and 100),
  contact_last_name  text
    check (contact_last_name is null or pg_catalog.length(pg_catalog.btrim(contact_last_name)) between 1 and 100),
  address_line2      text
    check (address_line2 is null or pg_catalog.length(pg_catalog.btrim(address_line2)) between 1 and 300),
  -- What directories with a "tagline" or short-description field get (the description is up to 5000).
  short_description  text
    check (short_description is null or pg_catalog.length(pg_catalog.btrim(short_description)) between 1 and 300),
  keywords           jsonb check (internal.is_keyword_list(keywords)),
  opening_hours      jsonb check (internal.is_opening_hours(opening_hours)),
  -- The upper bound here is a sanity bound (a CHECK cannot read the clock); create_customer and
  -- update_customer refuse a year after the current one.
  year_established   int check (year_established is null or year_established between 1800 and 2200),
  social_profiles    jsonb check (internal.is_social_profiles(social_profiles)),
  -- The image itself is in the assets bucket; set only by set_customer_logo.
  logo               jsonb check (internal.is_logo_ref(logo, id)),
  -- Optimistic locking for PATCH /customers/{id} (ETag / If-Match).
  version            int not null default 1 check (version >= 1)
);
comment on table public.customers is 'Businesses whose profile DirectoryBolt submits to directories.';
comment on column public.customers.keywords is 'JSON array of 1 to 30 distinct keyword strings.';
comment on column public.customers.opening_hours is
  'JSON array of {"days": ["mon".."sun"], "opens": "HH:MM", "closes": "HH:MM"}; a day without a span is closed.';
comment on column public.customers.social_profiles is 'JSON object: network (facebook, instagram, ...) -> profile URL.';
comment on column public.customers.logo is
  'The logo in the assets bucket: {"key": "logos/<customer id>/<sha-256>.<ext>", "content_type", "bytes"}.';
comment on column public.customers.version is 'Optimistic-locking version (ETag / If-Match), +1 on every change.';

create trigger customers_touch_updated_at before update on public.customers
  for each row execute function internal.touch_updated_at();
-- Named to run before customers_touch_updated_at (triggers fire in name order), so updated_at's own
-- change does not count: an update that changes nothing keeps the version.
create trigger customers_bump_version before update on public.customers
  for each row when (old.* is distinct from new.*)
  execute function internal.bump_version();

-- ---------------------------------------------------------------------------------------------------
-- directories: the catalog of sites a profile can be submitted to.
-- ---------------------------------------------------------------------------------------------------
create table public.directories (
  id               uuid primary key default gen_random_uuid(),
  -- What the directory asks before its listing form: sign-up, email verification, log-in (null: nothing).
  account          jsonb constraint directories_account_shape check (account is null or internal.is_directory_account(account)),
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
  updated_at       timestamptz not null default now(),
  -- {"lookup_url": "https://dir.example/listings?email={email}"}: a GET answering
  -- {"listings": [{"id", "url", "business_name"}]}. Placeholders are the business facts' names.
  verification     jsonb
    check (verification is null or (
      jsonb_typeof(verification) = 'object'
      and jsonb_typeof(verification -> 'lookup_url') = 'string'
      and length(verification ->> 'lookup_url') <= 2048
      and (verification ->> 'lookup_url') ~* '^https?://[^[:space:]/]+')),
  -- 0: no rate limit beyond max_concurrency.
  min_interval_ms  int not null default 0 check (min_interval_ms between 0 and 86400000),
  -- The earliest next claim: the rate limit's slot, pushed further by a 429's Retry-After.
  next_claim_at    timestamptz,
  breaker_state    text not null default 'closed' check (breaker_state in ('closed', 'open', 'half_open')),
  consecutive_failures int not null default 0 check (consecutive_failures >= 0),
  paused_until     timestamptz,
  -- Optimistic locking for PATCH /directories/{id} (ETag / If-Match).
  version          int not null default 1 check (version >= 1),
  constraint directories_open_breaker_has_paused_until
    check (breaker_state <> 'open' or paused_until is not null)
);
comment on table public.directories is 'Directory sites and how to submit to them.';
comment on column public.directories.verification is
  'How to find out whether a submission arrived: {"lookup_url": "...{email}..."} answering {"listings": [...]}.';
comment on column public.directories.min_interval_ms is 'Least time between two claims of tasks of this directory.';
comment on column public.directories.breaker_state is 'Circuit breaker: closed, open (paused until paused_until), half_open (one probe).';
comment on column public.directories.version is
  'Optimistic-locking version (ETag / If-Match), +1 on every change of what an operator manages.';

create trigger directories_touch_updated_at before update on public.directories
  for each row execute function internal.touch_updated_at();
-- Only what an operator manages: every claim writes the politeness columns (next_claim_at, breaker),
-- and an ETag that changed on every claim would make PATCH fail with 412 under load.
create trigger directories_bump_version before update on public.directories
  for each row when ((old.slug, old.name, old.submission_url, old.domain_authority, old.field_mapping, old.active,
                      old.max_concurrency, old.min_interval_ms, old.verification, old.account)
                     is distinct from
                     (new.slug, new.name, new.submission_url, new.domain_authority, new.field_mapping, new.active,
                      new.max_concurrency, new.min_interval_ms, new.verification, new.account))
  execute function internal.bump_version();

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
  -- Free-text notes on a job (PATCH /jobs/{id}).
  notes               text check (notes is null or length(notes) <= 2000),
  -- Tasks that ended at once because another task already holds their listing (business_listings).
  tasks_already_listed int not null default 0 check (tasks_already_listed >= 0),
  constraint jobs_terminal_counts_within_total
    check (tasks_submitted + tasks_needs_manual + tasks_failed + tasks_dead_lettered + tasks_already_listed
           <= tasks_total),
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
-- Health details: jobs completed / failed today.
create index jobs_status_completed_at_idx on public.jobs (status, completed_at)
  where completed_at is not null;
-- GET /jobs pages newest first with (created_at, id) as the keyset; id breaks ties between jobs
-- created in the same microsecond, so no job is skipped or shown twice across pages.
create index jobs_created_at_id_idx on public.jobs (created_at desc, id desc);
create index jobs_customer_created_at_id_idx on public.jobs (customer_id, created_at desc, id desc);

-- ---------------------------------------------------------------------------------------------------
-- job_results: the tasks. One row per (job, directory, generation).
-- ---------------------------------------------------------------------------------------------------
create table public.job_results (
  id                uuid primary key default gen_random_uuid(),
  job_id            uuid not null references public.jobs (id) on delete cascade,
  -- RESTRICT: a directory with submission history cannot silently disappear; deactivate it instead.
  directory_id      uuid not null references public.directories (id) on delete restrict,
  status            text not null default 'pending'
                      check (status in ('pending', 'queued', 'in_progress', 'awaiting_verification', 'submitted',
                                        'needs_manual', 'failed', 'dead_lettered', 'already_listed')),
  -- While awaiting_verification: when the task stops waiting for the directory's mail and goes to a human.
  verification_deadline timestamptz,
  -- The fencing token: +1 per claim. A worker may write only while its attempt is the current one.
  attempt           int not null default 0 check (attempt >= 0),
  max_attempts      int not null default 3 check (max_attempts >= 1),
  lease_owner       text,
  lease_expires_at  timestamptz,
  heartbeat_at      timestamptz,
  -- "About to submit": set just before the submit click. A task that has it and did not finish is not
  -- blindly resubmitted (it may already be listed); it goes to verification.
  submit_started_at timestamptz,
  -- Names the listing generation, so every task of one generation shares it; uniqueness of the listing
  -- is business_listings' primary key.
  idempotency_key   text not null check (idempotency_key ~ '^[0-9a-f]{64}$'),
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
  -- 429 deferrals so far: each gives its attempt back, so they are bounded separately.
  rate_limited_count int not null default 0 check (rate_limited_count >= 0),
  -- Lookups of an uncertain submission so far (they spend no attempt either).
  verification_attempts int not null default 0 check (verification_attempts >= 0),
  -- `attempt` stays the fencing token (+1 per claim, never given back for a lost lease: a zombie worker
  -- must never hold a number a later claim hands out again). The attempts the directory answered are
  -- attempt - infrastructure_attempts; max_attempts (TASKS.retryBudget) bounds those, and the larger
  -- max_infrastructure_attempts (TASKS.infrastructureAttempts) bounds the others so a task cannot loop
  -- forever.
  infrastructure_attempts     int not null default 0 check (infrastructure_attempts >= 0),
  max_infrastructure_attempts int not null default 10 check (max_infrastructure_attempts >= 1),
  -- For an already_listed task: the task that holds the listing (submitted it or is submitting it).
  listing_task_id   uuid references public.job_results (id) on delete set null,
  -- Leading job_id: this index also serves every "tasks of job X" lookup (get_job, counters).
  constraint job_results_job_directory_generation_key unique (job_id, directory_id, generation),
  constraint job_results_attempt_within_budget
    check (attempt - infrastructure_attempts <= max_attempts
           and infrastructure_attempts <= max_infrastructure_attempts),
  constraint job_results_in_progress_has_lease
    check (status <> 'in_progress' or (lease_owner is not null and lease_expires_at is not null)),
  constraint job_results_terminal_has_completed_at
    check (status not in ('submitted', 'needs_manual', 'failed', 'dead_lettered', 'already_listed')
           or completed_at is not null),
  constraint job_results_waiting_has_deadline
    check (status <> 'awaiting_verification' or verification_deadline is not null)
);
comment on table public.job_results is 'Tasks: one directory submission of a job, with its lease, attempts and outcome.';
comment on column public.job_results.attempt is 'Fencing token: incremented by every claim; writes must present the current value.';
comment on column public.job_results.idempotency_key is
  'SHA-256 (hex) over customer, directory and listing generation (internal.listing_idempotency_key).';
comment on column public.job_results.infrastructure_attempts is
  'Attempts cut short by our infrastructure (lease expired with no result: worker killed or frozen, database down); they do not spend max_attempts.';

-- expire_verification_waits and the dashboard's count read only the waiting tasks.
create index job_results_awaiting_verification_idx on public.job_results (verification_deadline)
  where status = 'awaiting_verification';

create trigger job_results_touch_updated_at before update on public.job_results
  for each row execute function internal.touch_updated_at();
create trigger job_results_already_listed_is_final before update of status on public.job_results
  for each row when (old.status = 'already_listed' and new.status is distinct from old.status)
  execute function internal.already_listed_is_final();

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
-- The concurrency check of every claim: live leases of one directory.
create index job_results_directory_in_progress_idx on public.job_results (directory_id, lease_expires_at)
  where status = 'in_progress';
-- GET /submissions pages by (created_at desc, id desc), filtered by job or status.
create index job_results_created_at_id_idx on public.job_results (created_at desc, id desc);
create index job_results_status_created_at_idx on public.job_results (status, created_at desc, id desc);
create index job_results_listing_task_id_idx on public.job_results (listing_task_id)
  where listing_task_id is not null;

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
-- A durable outbox: a DLQ message is recorded once (primary key message_id), its Slack alert is
-- `pending` until Slack took it, then `sent`. The DLQ message is deleted only after the row is
-- committed, so a crash anywhere loses nothing and the primary key keeps it from doubling.
create table public.dlq_alerts (
  message_id text primary key check (length(message_id) between 1 and 200),
  task_id    uuid,
  job_id     uuid,
  alerted_at timestamptz not null default now(),
  payload    jsonb not null default '{}',
  alert_status    text not null default 'pending' check (alert_status in ('pending', 'sent')),
  send_attempts   int not null default 0 check (send_attempts >= 0),
  next_attempt_at timestamptz,
  -- A monitor run that is sending this alert holds it until then (two runs never send the same alert).
  claimed_until   timestamptz,
  sent_at         timestamptz,
  last_send_error text check (last_send_error is null or length(last_send_error) <= 500),
  receive_count   int,
  source_queue    text check (source_queue is null or length(source_queue) <= 300),
  -- The message as it was dead-lettered (SQS bodies are at most 256 KiB), kept for diagnosis.
  message_body    text check (message_body is null or length(message_body) <= 262144),
  redriven_at     timestamptz,
  redriven_by     text check (redriven_by is null or length(redriven_by) <= 200),
  redrive_count   int not null default 0 check (redrive_count >= 0),
  constraint dlq_alerts_sent_has_sent_at check (alert_status <> 'sent' or sent_at is not null)
);
comment on table public.dlq_alerts is 'SQS DLQ messages already alerted on (de-duplication).';
comment on column public.dlq_alerts.alerted_at is 'When the dead-lettered message was recorded (its alert created).';
comment on column public.dlq_alerts.alert_status is 'Slack delivery: pending (in the outbox) or sent.';
create index dlq_alerts_job_id_idx on public.dlq_alerts (job_id);
-- The outbox scan: pending alerts that are due.
create index dlq_alerts_pending_idx on public.dlq_alerts (next_attempt_at nulls first)
  where alert_status = 'pending';
-- Redrive of "all": dead letters per task.
create index dlq_alerts_task_id_idx on public.dlq_alerts (task_id);
-- Retention of delivered alerts.
create index dlq_alerts_sent_at_idx on public.dlq_alerts (sent_at) where alert_status = 'sent';

-- ---------------------------------------------------------------------------------------------------
-- api_keys: only the SHA-256 of a key is stored. The key itself (256 random bits, generated by
-- lambdas/http/auth.ts generateApiKey) is shown once at creation; a leaked table leaks no key.
-- A key's state, from its columns and the database clock (internal.api_key_state):
--   active   accepted;
--   rotated  replaced by a new key and still inside its grace period (expires_at): accepted, and the
--            API logs each use so the client that still holds it can be found;
--   expired  past expires_at (an expiry given at creation, or the end of a rotation's grace): refused;
--   revoked  refused at once.
-- ---------------------------------------------------------------------------------------------------
create table public.api_keys (
  id          uuid primary key default gen_random_uuid(),
  key_hash    text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
  -- The first characters of the key, so people can tell keys apart in listings and logs.
  key_prefix  text not null check (key_prefix ~ '^[A-Za-z0-9_-]{4,16}$'),
  role        text not null check (role in ('customer', 'staff', 'admin')),
  -- A customer key is bound to its customer; staff and admin keys are not.
  customer_id uuid references public.customers (id) on delete cascade,
  label       text check (label is null or length(btrim(label)) between 1 and 200),
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz,
  -- Rotation: the key that replaced this one.
  replaced_by uuid references public.api_keys (id) on delete set null,
  expires_at  timestamptz,
  constraint api_keys_customer_matches_role check ((role = 'customer') = (customer_id is not null)),
  constraint api_keys_expires_after_creation check (expires_at is null or expires_at > created_at)
);

comment on table public.api_keys is 'API keys (SHA-256 only) and the principal each one stands for.';
comment on column public.api_keys.expires_at is
  'The key is refused from this moment: an expiry set at creation, or the end of a rotation''s grace period.';

create index api_keys_customer_id_idx on public.api_keys (customer_id);
create index api_keys_replaced_by_idx on public.api_keys (replaced_by);

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

-- ---------------------------------------------------------------------------------------------------
-- business_listings: one listing per business and directory. The external effect of a task is a
-- listing on a directory, and directories punish duplicates, so:
--   - one row per (customer, directory) holds the resubmission generation and the task that holds the
--     listing for that generation;
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
-- ---------------------------------------------------------------------------------------------------
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

-- ---------------------------------------------------------------------------------------------------
-- directory_accounts: one account per business and directory, created once and reused by every job.
-- ---------------------------------------------------------------------------------------------------
create table public.directory_accounts (
  customer_id        uuid not null references public.customers (id) on delete cascade,
  directory_id       uuid not null references public.directories (id) on delete restrict,
  -- The submission address the account was opened with.
  login_email        text not null check (length(login_email) between 3 and 320 and login_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  -- The password, sealed: {v, alg, key_id, edk, iv, tag, ct} (lambdas/accounts/credential-vault.ts), bound
  -- to this customer and directory by the KMS encryption context. Never the password itself.
  sealed_credentials jsonb not null
    check (jsonb_typeof(sealed_credentials) = 'object' and sealed_credentials ? 'edk' and sealed_credentials ? 'ct'
           and not sealed_credentials ? 'password'),
  status             text not null default 'signing_up'
    check (status in ('signing_up', 'awaiting_verification', 'verified', 'verification_failed')),
  -- The task that waits for the verification mail (record_inbound_mail wakes it).
  waiting_task_id    uuid references public.job_results (id) on delete set null,
  -- The link the directory mailed; a bearer credential, so it is kept here only, never logged.
  verification_link  text check (verification_link is null or internal.is_web_url(verification_link)),
  verification_mail_id uuid,
  link_received_at   timestamptz,
  link_followed_at   timestamptz,
  verified_at        timestamptz,
  failure_reason     text check (failure_reason is null or length(failure_reason) <= 500),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  constraint directory_accounts_pkey primary key (customer_id, directory_id),
  constraint directory_accounts_verified_has_time check (status <> 'verified' or verified_at is not null)
);
comment on table public.directory_accounts is
  'Accounts opened on directories for a business: the login email and the sealed password, and the email verification''s progress.';

create trigger directory_accounts_touch_updated_at before update on public.directory_accounts
  for each row execute function internal.touch_updated_at();
create index directory_accounts_directory_id_idx on public.directory_accounts (directory_id);
create index directory_accounts_waiting_task_id_idx on public.directory_accounts (waiting_task_id);

-- ---------------------------------------------------------------------------------------------------
-- inbound_mail: every message the receiving domain got, matched or not. Nothing is dropped silently:
-- unmatched and rejected mail is kept (the raw message stays in the mail bucket under s3_key) and
-- counted (metric UnmatchedMail).
-- ---------------------------------------------------------------------------------------------------
create table public.inbound_mail (
  id            uuid primary key default gen_random_uuid(),
  -- SES's message id (the object's name in the mail bucket): a retried delivery is recorded once.
  message_id    text not null unique check (length(message_id) between 1 and 200),
  s3_key        text check (s3_key is null or length(s3_key) <= 1024),
  received_at   timestamptz not null default now(),
  recipient     text check (recipient is null or length(recipient) <= 320),
  sender_domain text check (sender_domain is null or length(sender_domain) <= 255),
  subject       text check (subject is null or length(subject) <= 300),
  outcome       text not null check (outcome in ('matched', 'unmatched', 'rejected')),
  reason        text check (reason is null or reason ~ '^[a-z][a-z_]{0,63}$'),
  customer_id   uuid references public.customers (id) on delete set null,
  directory_id  uuid references public.directories (id) on delete set null,
  task_id       uuid references public.job_results (id) on delete set null,
  -- Only the link's host: the link itself is a credential (directory_accounts.verification_link).
  link_host     text check (link_host is null or length(link_host) <= 255),
  constraint inbound_mail_matched_has_directory
    check (outcome <> 'matched' or (customer_id is not null and directory_id is not null))
);
comment on table public.inbound_mail is 'Mail received for the submission addresses: what it matched, or why nothing.';
create index inbound_mail_received_at_idx on public.inbound_mail (received_at desc);
create index inbound_mail_customer_id_idx on public.inbound_mail (customer_id);
create index inbound_mail_directory_id_idx on public.inbound_mail (directory_id);
create index inbound_mail_task_id_idx on public.inbound_mail (task_id);

alter table public.directory_accounts
  add constraint directory_accounts_verification_mail_id_fkey
    foreign key (verification_mail_id) references public.inbound_mail (id) on delete set null;
create index directory_accounts_verification_mail_id_idx on public.directory_accounts (verification_mail_id);

-- ===================================================================================================
-- Who may touch what. The backend reaches the database only as service_role (the Lambdas' service key
-- through PostgREST, or local/emulators/supabase-rpc.ts locally). anon and authenticated (the public/browser keys)
-- get nothing for now: there is no customer-facing data path yet.
--
-- Two layers, on purpose: table privileges (anon/authenticated have none) and RLS on every table (so a
-- privilege granted later by accident, e.g. by Supabase's default privileges for new tables, still
-- exposes no rows).
-- ===================================================================================================

grant usage on schema public to anon, authenticated, service_role;
-- internal holds helpers the public functions call (security invoker), so the caller needs them.
revoke all on schema internal from public;
grant usage on schema internal to service_role;

-- Table privileges -----------------------------------------------------------------------------------
revoke all on all tables in schema public from public, anon, authenticated;
grant select, insert, update, delete on all tables in schema public to service_role;
grant usage, select on all sequences in schema public to service_role;
-- queue_history is append-only for everyone; the trigger refuses UPDATE even for the owner.
revoke update, truncate on public.queue_history from service_role;

-- Objects created later by the role running migrations must not be granted to the API roles by default
-- (Supabase grants new tables and functions in public to anon and authenticated unless told otherwise).
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
alter default privileges in schema public revoke execute on functions from anon, authenticated;
alter default privileges revoke execute on functions from public;

-- Row level security ---------------------------------------------------------------------------------
-- Every table: service_role may do everything (it bypasses RLS anyway; the policy states the intent
-- and keeps working if BYPASSRLS is ever dropped), anon and authenticated see and change nothing.
-- queue_history is the exception: service_role may read, insert and (retention) delete, never update.
do $$
declare
  t text;
begin
  foreach t in array array[
    'customers', 'directories', 'jobs', 'job_results', 'worker_heartbeats', 'queue_history',
    'rate_limit_requests', 'api_idempotency_keys', 'dlq_alerts', 'api_keys', 'processing_pauses',
    'business_listings', 'directory_accounts', 'inbound_mail'
  ]
  loop
    execute format('alter table public.%I enable row level security', t);
    if t <> 'queue_history' then
      execute format(
        'create policy service_role_all on public.%I as permissive for all to service_role using (true) with check (true)', t);
    end if;
    execute format(
      'create policy anon_none on public.%I as restrictive for all to anon using (false) with check (false)', t);
    execute format(
      'create policy authenticated_none on public.%I as restrictive for all to authenticated using (false) with check (false)', t);
  end loop;
end
$$;

create policy service_role_read on public.queue_history as permissive for select to service_role using (true);
create policy service_role_append on public.queue_history as permissive for insert to service_role with check (true);
create policy service_role_retention on public.queue_history as permissive for delete to service_role using (true);

-- Timeouts for the roles the system uses (the audit: "no query timeout; set statement_timeout = 30s").
-- PostgREST applies these role settings when it switches to the role; so does local/emulators/supabase-rpc.ts.
-- anon/authenticated get Supabase's defaults.
alter role service_role set statement_timeout = '30s';
-- A claim waits on a row lock at most this long instead of piling up behind a stuck transaction.
alter role service_role set lock_timeout = '10s';
alter role authenticated set statement_timeout = '8s';
alter role anon set statement_timeout = '3s';
