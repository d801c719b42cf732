-- Directory accounts and email verification.
--
-- Many directories take a listing only from an account: sign up (email and password), confirm the email
-- address by following a link the directory mails, sometimes log in, then the listing form. Each customer
-- gets a submission address on our receiving domain (`<submission_local_part>@<MAIL_DOMAIN>`); the
-- submitter signs up with it and a generated password, which is stored sealed (envelope encryption under
-- a KMS key, lambdas/accounts/credential-vault.ts) and never leaves the database except sealed. The
-- directory's mail reaches the inbound-mail Lambda (SES in AWS, local/emulators/ses-inbound.ts locally),
-- which records it here and wakes the task that waits for it:
--
--   in_progress --sign-up sent--> awaiting_verification --link recorded--> queued --> in_progress
--       (follow the link in the guarded browser, log in if the directory asks, fill the listing form)
--   awaiting_verification --deadline passed (expire_verification_waits, run by the sweeper)--> needs_manual
--
-- No secret is written to queue_history: events name the directory and the link's host, never the
-- password, the sealed envelope or the link itself (a verification link is a bearer credential).

-- ---------------------------------------------------------------------------------------------------
-- The customer's submission address.
-- ---------------------------------------------------------------------------------------------------

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

alter table public.customers
  add column submission_local_part text not null default internal.new_submission_local_part()
    constraint customers_submission_local_part_format check (submission_local_part ~ '^b-[a-z2-7]{16}$');
alter table public.customers
  add constraint customers_submission_local_part_key unique (submission_local_part);
comment on column public.customers.submission_local_part is
  'Local part of the address directories see for this business (<local part>@MAIL_DOMAIN); their mail comes to us.';

-- ---------------------------------------------------------------------------------------------------
-- What a directory asks before its listing form (directories.account).
-- ---------------------------------------------------------------------------------------------------

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

alter table public.directories
  add column account jsonb constraint directories_account_shape check (account is null or internal.is_directory_account(account));
comment on column public.directories.account is
  'What the directory asks before its listing form: sign-up, email verification, log-in (null: nothing).';

-- ---------------------------------------------------------------------------------------------------
-- Tasks may wait for a verification mail.
-- ---------------------------------------------------------------------------------------------------

alter table public.job_results drop constraint job_results_status_check;
alter table public.job_results
  add constraint job_results_status_check
    check (status in ('pending', 'queued', 'in_progress', 'awaiting_verification', 'submitted', 'needs_manual',
                      'failed', 'dead_lettered', 'already_listed'));
alter table public.job_results add column verification_deadline timestamptz;
alter table public.job_results
  add constraint job_results_waiting_has_deadline
    check (status <> 'awaiting_verification' or verification_deadline is not null);
comment on column public.job_results.verification_deadline is
  'While awaiting_verification: when the task stops waiting for the directory''s mail and goes to a human.';
-- expire_verification_waits and the dashboard's count read only the waiting tasks.
create index job_results_awaiting_verification_idx on public.job_results (verification_deadline)
  where status = 'awaiting_verification';

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

-- Privileges and row level security, as for every table (20261205100000_baseline_schema.sql).
revoke all on public.directory_accounts, public.inbound_mail from public, anon, authenticated;
grant select, insert, update, delete on public.directory_accounts, public.inbound_mail to service_role;
alter table public.directory_accounts enable row level security;
alter table public.inbound_mail enable row level security;
create policy service_role_all on public.directory_accounts as permissive for all to service_role using (true) with check (true);
create policy anon_none on public.directory_accounts as restrictive for all to anon using (false) with check (false);
create policy authenticated_none on public.directory_accounts as restrictive for all to authenticated using (false) with check (false);
create policy service_role_all on public.inbound_mail as permissive for all to service_role using (true) with check (true);
create policy anon_none on public.inbound_mail as restrictive for all to anon using (false) with check (false);
create policy authenticated_none on public.inbound_mail as restrictive for all to authenticated using (false) with check (false);

-- ===================================================================================================
-- get_directory_account: the account of a business on a directory, sealed, for the submitter.
-- ===================================================================================================
create or replace function public.get_directory_account(p_customer_id uuid, p_directory_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  a public.directory_accounts;
begin
  if p_customer_id is null or p_directory_id is null then
    perform internal.invalid_argument('p_customer_id and p_directory_id are required');
  end if;
  select * into a from public.directory_accounts where customer_id = p_customer_id and directory_id = p_directory_id;
  if not found then
    return null;
  end if;
  return jsonb_build_object(
    'login_email', a.login_email, 'sealed_credentials', a.sealed_credentials, 'status', a.status,
    'verification_link', a.verification_link, 'link_received_at', a.link_received_at,
    'link_followed_at', a.link_followed_at, 'verified_at', a.verified_at, 'failure_reason', a.failure_reason,
    'created_at', a.created_at);
end
$$;

-- ===================================================================================================
-- begin_directory_sign_up: stores the account (sealed) before the sign-up form is sent, so a crash after
-- sending leaves credentials that can log in, never a second account. Fenced like every worker write.
-- An existing account is returned unchanged (created = false): the caller reuses it.
-- ===================================================================================================
create or replace function public.begin_directory_sign_up(
  p_task_id uuid, p_worker_id text, p_attempt int, p_login_email text, p_sealed_credentials jsonb
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
  v_reason text;
  v_created boolean;
begin
  perform internal.check_fenced_args(p_task_id, p_worker_id, p_attempt);
  if p_login_email is null or length(p_login_email) > 320 or p_login_email !~ '^[^@[:space:]]+@[^@[:space:]]+$' then
    perform internal.invalid_argument('p_login_email must be an email address');
  end if;
  if p_sealed_credentials is null or jsonb_typeof(p_sealed_credentials) <> 'object'
     or not (p_sealed_credentials ? 'edk' and p_sealed_credentials ? 'ct') or p_sealed_credentials ? 'password' then
    perform internal.invalid_argument('p_sealed_credentials must be a sealed envelope');
  end if;

  select * into t from public.job_results where id = p_task_id for update;
  v_reason := internal.fence_reason(t, p_worker_id, p_attempt);
  if v_reason is not null then
    return jsonb_build_object('recorded', false, 'reason', v_reason, 'status', t.status);
  end if;
  select * into j from public.jobs where id = t.job_id;

  insert into public.directory_accounts (customer_id, directory_id, login_email, sealed_credentials)
  values (j.customer_id, t.directory_id, lower(p_login_email), p_sealed_credentials)
  on conflict (customer_id, directory_id) do nothing;
  v_created := found;
  if v_created then
    perform internal.log_event(t.job_id, t.id, 'account_sign_up_started', t.status, t.status, t.attempt, p_worker_id,
      jsonb_build_object('directory_id', t.directory_id));
  end if;
  return jsonb_build_object('recorded', true, 'created', v_created,
                            'account', public.get_directory_account(j.customer_id, t.directory_id));
end
$$;

-- ===================================================================================================
-- await_email_verification: the sign-up was sent and the directory mails a link. The task stops holding
-- a lease and waits, visibly, until the link arrives (record_inbound_mail) or its deadline passes
-- (expire_verification_waits). When the mail came first (it can beat this call), there is nothing to
-- wait for: the answer says link_ready and the task keeps its lease.
-- ===================================================================================================
create or replace function public.await_email_verification(
  p_task_id uuid, p_worker_id text, p_attempt int, p_timeout_seconds int
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
  a public.directory_accounts;
  v_reason text;
begin
  perform internal.check_fenced_args(p_task_id, p_worker_id, p_attempt);
  perform internal.check_seconds('p_timeout_seconds', p_timeout_seconds, 60, 14 * 86400);

  select * into t from public.job_results where id = p_task_id for update;
  v_reason := internal.fence_reason(t, p_worker_id, p_attempt);
  if v_reason is not null then
    return jsonb_build_object('recorded', false, 'reason', v_reason, 'status', t.status);
  end if;
  select * into j from public.jobs where id = t.job_id;
  select * into a from public.directory_accounts
   where customer_id = j.customer_id and directory_id = t.directory_id for update;
  if not found then
    perform internal.invalid_argument('the task has no directory account: begin_directory_sign_up first');
  end if;
  if a.status = 'verified' or (a.verification_link is not null and a.link_followed_at is null) then
    return jsonb_build_object('recorded', true, 'status', t.status, 'link_ready', true);
  end if;

  update public.directory_accounts
     set status = 'awaiting_verification', waiting_task_id = t.id
   where customer_id = a.customer_id and directory_id = a.directory_id;
  update public.job_results
     set status = 'awaiting_verification', lease_owner = null, lease_expires_at = null,
         verification_deadline = now() + make_interval(secs => p_timeout_seconds)
   where id = t.id
  returning * into t;
  perform internal.log_event(t.job_id, t.id, 'verification_awaited', 'in_progress', 'awaiting_verification',
    t.attempt, p_worker_id,
    jsonb_build_object('directory_id', t.directory_id, 'verification_deadline', t.verification_deadline));
  return jsonb_build_object('recorded', true, 'status', t.status, 'link_ready', false,
                            'verification_deadline', t.verification_deadline);
end
$$;

-- ===================================================================================================
-- verification_waits: for the inbound-mail Lambda, the accounts of the business a mail was sent to that
-- expect a verification mail, with the hosts their directory may send links from. null: no business has
-- this submission address.
-- ===================================================================================================
create or replace function public.verification_waits(p_local_part text)
returns jsonb
language plpgsql
stable
security invoker
set search_path = public
as $$
declare
  c public.customers;
begin
  if p_local_part is null or p_local_part !~ '^b-[a-z2-7]{16}$' then
    perform internal.invalid_argument('p_local_part must be a submission address''s local part');
  end if;
  select * into c from public.customers where submission_local_part = p_local_part;
  if not found then
    return null;
  end if;
  return jsonb_build_object(
    'customer_id', c.id,
    'waits', coalesce((
      select jsonb_agg(jsonb_build_object(
               'task_id', a.waiting_task_id,
               'directory_id', a.directory_id,
               'directory_hosts', (select coalesce(jsonb_agg(distinct h), '[]'::jsonb)
                                     from unnest(array[internal.url_host(d.submission_url),
                                                       internal.url_host(d.account ->> 'signup_url'),
                                                       internal.url_host(d.account ->> 'login_url')]) h
                                    where h is not null),
               'directory_urls', (select coalesce(jsonb_agg(u), '[]'::jsonb)
                                    from unnest(array[d.submission_url, d.account ->> 'signup_url',
                                                      d.account ->> 'login_url']) u
                                   where u is not null),
               'signed_up_at', a.created_at)
             order by a.created_at desc)
        from public.directory_accounts a
        join public.directories d on d.id = a.directory_id
       where a.customer_id = c.id and a.status in ('signing_up', 'awaiting_verification')), '[]'::jsonb));
end
$$;

-- ===================================================================================================
-- record_inbound_mail: one received message, once (by SES message id). A matched verification mail
-- stores its link on the account and queues the waiting task again; the caller then sends the task's
-- message (a lost send leaves a queued task, which the sweeper enqueues). Unmatched and rejected mail is
-- recorded with its reason.
--
-- p_mail: {message_id, s3_key, recipient, sender_domain, subject, outcome: matched|unmatched|rejected,
--          reason, customer_id, directory_id, verification_link}
-- ===================================================================================================
create or replace function public.record_inbound_mail(p_mail jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_outcome text := p_mail ->> 'outcome';
  v_link text := p_mail ->> 'verification_link';
  v_customer uuid;
  v_directory uuid;
  v_mail public.inbound_mail;
  a public.directory_accounts;
  t public.job_results;
  j public.jobs;
  v_woken boolean := false;
begin
  if p_mail is null or jsonb_typeof(p_mail) <> 'object' then
    perform internal.invalid_argument('p_mail must be an object');
  end if;
  perform internal.check_text('message_id', p_mail ->> 'message_id', 200);
  if v_outcome is null or v_outcome not in ('matched', 'unmatched', 'rejected') then
    perform internal.invalid_argument('outcome must be matched, unmatched or rejected');
  end if;
  if (p_mail ->> 'reason') is not null and (p_mail ->> 'reason') !~ '^[a-z][a-z_]{0,63}$' then
    perform internal.invalid_argument('reason must be a word like no_waiting_task');
  end if;
  v_customer := internal.uuid_or_null(p_mail ->> 'customer_id');
  v_directory := internal.uuid_or_null(p_mail ->> 'directory_id');
  if v_outcome = 'matched' and (v_customer is null or v_directory is null or not internal.is_web_url(v_link)) then
    perform internal.invalid_argument('a matched mail needs customer_id, directory_id and an http(s) verification_link');
  end if;

  insert into public.inbound_mail (message_id, s3_key, recipient, sender_domain, subject, outcome, reason,
                                   customer_id, directory_id, link_host)
  values (p_mail ->> 'message_id', left(p_mail ->> 's3_key', 1024), left(lower(p_mail ->> 'recipient'), 320),
          left(lower(p_mail ->> 'sender_domain'), 255), left(p_mail ->> 'subject', 300), v_outcome,
          p_mail ->> 'reason',
          (select id from public.customers where id = v_customer),
          (select id from public.directories where id = v_directory),
          internal.url_host(v_link))
  on conflict (message_id) do nothing
  returning * into v_mail;
  if not found then
    return jsonb_build_object('recorded', false, 'duplicate', true);
  end if;
  if v_outcome <> 'matched' then
    return jsonb_build_object('recorded', true, 'duplicate', false, 'mail_id', v_mail.id, 'outcome', v_outcome);
  end if;

  -- Lock order everywhere: task, then job, then the rest. The waiting task is read first without a lock
  -- to know which row to lock.
  select * into a from public.directory_accounts where customer_id = v_customer and directory_id = v_directory;
  if not found or a.status not in ('signing_up', 'awaiting_verification') then
    update public.inbound_mail set outcome = 'unmatched', reason = 'no_waiting_task' where id = v_mail.id;
    return jsonb_build_object('recorded', true, 'duplicate', false, 'mail_id', v_mail.id, 'outcome', 'unmatched',
                              'reason', 'no_waiting_task');
  end if;
  if a.waiting_task_id is not null then
    select * into t from public.job_results where id = a.waiting_task_id for update;
  end if;
  select * into a from public.directory_accounts
   where customer_id = v_customer and directory_id = v_directory for update;
  update public.directory_accounts
     set verification_link = v_link, verification_mail_id = v_mail.id, link_received_at = now(),
         link_followed_at = null
   where customer_id = a.customer_id and directory_id = a.directory_id;
  update public.inbound_mail set task_id = t.id where id = v_mail.id and t.id is not null;

  if t.id is not null and t.status = 'awaiting_verification' then
    update public.job_results
       set status = 'queued', queued_at = now(), verification_deadline = null, next_attempt_at = null
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'verification_link_received', 'awaiting_verification', 'queued',
      t.attempt, 'inbound-mail',
      jsonb_build_object('directory_id', t.directory_id, 'mail_id', v_mail.id, 'link_host', v_mail.link_host));
    v_woken := true;
  end if;
  select * into j from public.jobs where id = t.job_id;
  return jsonb_build_object('recorded', true, 'duplicate', false, 'mail_id', v_mail.id, 'outcome', 'matched',
    'woken', v_woken,
    'task', case when v_woken then jsonb_build_object('task_id', t.id, 'job_id', t.job_id, 'priority', j.priority) end);
end
$$;

-- ===================================================================================================
-- finish_email_verification: the submitter followed the link. verified: the account is ready for every
-- later job. link_expired / link_refused: the directory did not take it; the account needs a human (the
-- caller then ends the task as needs_manual with complete_task).
-- ===================================================================================================
create or replace function public.finish_email_verification(
  p_task_id uuid, p_worker_id text, p_attempt int, p_outcome text, p_reason text default null
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
  v_reason text;
  v_status text;
begin
  perform internal.check_fenced_args(p_task_id, p_worker_id, p_attempt);
  if p_outcome is null or p_outcome not in ('verified', 'link_expired', 'link_refused') then
    perform internal.invalid_argument('p_outcome must be verified, link_expired or link_refused');
  end if;
  if length(p_reason) > 500 then
    perform internal.invalid_argument('p_reason must be at most 500 characters');
  end if;
  select * into t from public.job_results where id = p_task_id for update;
  v_reason := internal.fence_reason(t, p_worker_id, p_attempt);
  if v_reason is not null then
    return jsonb_build_object('recorded', false, 'reason', v_reason, 'status', t.status);
  end if;
  select * into j from public.jobs where id = t.job_id;
  v_status := case when p_outcome = 'verified' then 'verified' else 'verification_failed' end;
  update public.directory_accounts
     set status = v_status, link_followed_at = now(), verification_link = null,
         verified_at = case when v_status = 'verified' then now() end,
         failure_reason = case when v_status = 'verified' then null else coalesce(p_reason, p_outcome) end,
         waiting_task_id = null
   where customer_id = j.customer_id and directory_id = t.directory_id;
  if not found then
    perform internal.invalid_argument('the task has no directory account');
  end if;
  perform internal.log_event(t.job_id, t.id,
    case when v_status = 'verified' then 'account_verified' else 'account_verification_failed' end,
    t.status, t.status, t.attempt, p_worker_id,
    jsonb_build_object('directory_id', t.directory_id, 'outcome', p_outcome));
  return jsonb_build_object('recorded', true, 'account_status', v_status);
end
$$;

-- ===================================================================================================
-- expire_verification_waits: run by the stale-task sweeper. A task whose link did not come before its
-- deadline ends as needs_manual (a human can finish the sign-up), counted on its job like any outcome.
-- Returns how many ended and how many still wait (the dashboard's TasksAwaitingVerification).
-- ===================================================================================================
create or replace function public.expire_verification_waits(p_limit int)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  t public.job_results;
  v_expired int := 0;
  v_waiting int;
  v_ids uuid[] := '{}';
begin
  if p_limit is null or p_limit not between 1 and 1000 then
    perform internal.invalid_argument('p_limit must be between 1 and 1000');
  end if;
  for t in
    select * from public.job_results
     where status = 'awaiting_verification' and verification_deadline <= now()
     order by verification_deadline
     limit p_limit
       for update skip locked
  loop
    update public.job_results
       set status = 'needs_manual', completed_at = now(), error_class = 'verification_timeout',
           last_error = format('the directory''s verification mail did not arrive by %s: finish the sign-up by hand',
                               t.verification_deadline)
     where id = t.id;
    update public.directory_accounts a
       set status = 'verification_failed', failure_reason = 'no verification mail before the deadline',
           waiting_task_id = null
      from public.jobs j
     where j.id = t.job_id and a.customer_id = j.customer_id and a.directory_id = t.directory_id
       and a.status <> 'verified';
    perform internal.log_event(t.job_id, t.id, 'verification_timed_out', 'awaiting_verification', 'needs_manual',
      t.attempt, 'operations',
      jsonb_build_object('directory_id', t.directory_id, 'verification_deadline', t.verification_deadline));
    perform internal.record_task_outcome(t.job_id, 'needs_manual', 'operations');
    v_expired := v_expired + 1;
    v_ids := v_ids || t.id;
  end loop;
  select count(*) into v_waiting from public.job_results where status = 'awaiting_verification';
  return jsonb_build_object('expired', v_expired, 'expired_task_ids', to_jsonb(v_ids), 'waiting', v_waiting);
end
$$;

-- ===================================================================================================
-- reveal_directory_account: an admin's explicit request for an account's credentials (to finish a
-- sign-up by hand). Returns the sealed envelope (the API opens it with KMS) and writes who asked and
-- why to queue_history; the credentials themselves are never written anywhere.
-- ===================================================================================================
create or replace function public.reveal_directory_account(
  p_customer_id uuid, p_directory_id uuid, p_actor text, p_reason text
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  a public.directory_accounts;
begin
  if p_customer_id is null or p_directory_id is null then
    perform internal.invalid_argument('p_customer_id and p_directory_id are required');
  end if;
  perform internal.check_text('p_actor', p_actor, 200);
  if p_reason is null or length(btrim(p_reason)) not between 3 and 500 then
    perform internal.invalid_argument('p_reason must say why, in 3 to 500 characters');
  end if;
  select * into a from public.directory_accounts where customer_id = p_customer_id and directory_id = p_directory_id;
  if not found then
    return null;
  end if;
  perform internal.log_event(null, null, 'account_credentials_revealed', null, null, null, p_actor,
    jsonb_build_object('customer_id', p_customer_id, 'directory_id', p_directory_id, 'actor', p_actor,
                       'reason', btrim(p_reason)));
  return jsonb_build_object('login_email', a.login_email, 'sealed_credentials', a.sealed_credentials,
                            'status', a.status);
end
$$;

-- ===================================================================================================
-- task_payload, redefined: the directory's account requirements and the business's submission address
-- travel with the claimed task.
-- ===================================================================================================
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
      'verification', d.verification, 'account', d.account),
    'customer', pg_catalog.jsonb_build_object('id', c.id) || internal.profile_json(c),
    'submission_local_part', c.submission_local_part
  )
$$;

-- ===================================================================================================
-- claim_task, redefined: a task awaiting its verification mail is not claimed.
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
  -- Waiting for the directory's verification mail: record_inbound_mail queues it again when the link
  -- arrives, and expire_verification_waits ends it at its deadline. A stray message must not claim it.
  if t.status = 'awaiting_verification' then
    return jsonb_build_object('claimed', false, 'reason', 'awaiting_verification', 'status', t.status,
                              'verification_deadline', t.verification_deadline);
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

  -- The message reached a worker before the outbox marked the task: it was enqueued.
  if t.status = 'pending' then
    update public.job_results set status = 'queued', queued_at = now() where id = t.id returning * into t;
    perform internal.log_event(t.job_id, t.id, 'enqueued', 'pending', 'queued', t.attempt, p_worker_id,
      jsonb_build_object('recorded_by', 'claim_task'));
  end if;

  -- The previous attempt's worker died, froze or lost the database before it could record a result.
  if t.status = 'in_progress' then
    v_prev_owner := t.lease_owner;
    v_prev_attempt := t.attempt;
    v_prev_expiry := t.lease_expires_at;
    update public.job_results
       set status = 'queued', lease_owner = null, lease_expires_at = null, queued_at = now(),
           infrastructure_attempts = infrastructure_attempts + 1
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'lease_taken_over', 'in_progress', 'queued', t.attempt, p_worker_id,
      jsonb_build_object('previous_owner', v_prev_owner, 'previous_attempt', v_prev_attempt,
                         'lease_expired_at', v_prev_expiry,
                         'infrastructure_attempts', t.infrastructure_attempts,
                         'max_infrastructure_attempts', t.max_infrastructure_attempts));
    if t.infrastructure_attempts >= t.max_infrastructure_attempts then
      update public.job_results
         set status = 'failed', completed_at = now(), error_class = 'permanent',
             last_error = format('%s attempts lost to infrastructure (lease expired with no result; the directory never refused it), the most allowed',
                                 t.infrastructure_attempts)
       where id = t.id
      returning * into t;
      perform internal.log_event(t.job_id, t.id, 'task_failed', 'queued', 'failed', t.attempt, p_worker_id,
        jsonb_build_object('reason', 'infrastructure_attempts_exhausted', 'error_class', 'permanent',
                           'infrastructure_attempts', t.infrastructure_attempts));
      v_job_status := internal.record_task_outcome(t.job_id, 'failed', p_worker_id);
      return jsonb_build_object('claimed', false, 'reason', 'finished', 'status', t.status, 'job_status', v_job_status);
    end if;
  end if;

  -- The directory's answers spent the retry budget (not reachable through fail_task, which ends such a
  -- task itself; kept so no path can start attempt max_attempts + 1 of answered attempts).
  if internal.attempts_left(t) = 0 then
    v_from := t.status;
    update public.job_results
       set status = 'failed', completed_at = now(), lease_expires_at = null,
           error_class = 'permanent',
           last_error = format('retry budget exhausted: %s of %s attempts answered by the directory',
                               t.attempt - t.infrastructure_attempts, t.max_attempts)
     where id = t.id
    returning * into t;
    perform internal.log_event(t.job_id, t.id, 'task_failed', v_from, 'failed', t.attempt, p_worker_id,
      jsonb_build_object('reason', 'retry_budget_exhausted', 'error_class', 'permanent'));
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
-- cancel_job, redefined: a task waiting for its verification mail is cancelled like a queued one.
-- ===================================================================================================
create or replace function public.cancel_job(p_job_id uuid, p_customer_id uuid default null, p_reason text default null)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  j public.jobs;
  v_from text;
  v_cancelled int;
  v_running int;
  v_reason text := coalesce(nullif(btrim(p_reason), ''), 'cancelled by request');
begin
  if p_job_id is null then
    perform internal.invalid_argument('p_job_id is required');
  end if;
  if length(p_reason) > 500 then
    perform internal.invalid_argument('p_reason must be at most 500 characters');
  end if;

  -- Lock order everywhere: task, then job. Lock the job's unfinished tasks first.
  perform 1 from public.job_results where job_id = p_job_id and status in ('pending', 'queued', 'in_progress', 'awaiting_verification')
    order by id for update;
  select * into j from public.jobs where id = p_job_id for update;
  if not found or (p_customer_id is not null and j.customer_id <> p_customer_id) then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  if j.status not in ('pending', 'in_progress') then
    return jsonb_build_object('outcome', 'already_finished', 'job', internal.job_summary(j));
  end if;

  v_from := j.status;
  with upd as (
    update public.job_results r
       set status = 'failed', completed_at = now(), lease_expires_at = null, verification_deadline = null,
           error_class = 'cancelled', last_error = v_reason, next_attempt_at = null
      from (select o.id, o.status from public.job_results o
             where o.job_id = j.id and o.status in ('pending', 'queued', 'awaiting_verification')) old
     where r.id = old.id
    returning r.id, r.attempt, old.status as from_status
  ), hist as (
    insert into public.queue_history (job_id, task_id, event, from_status, to_status, attempt, details)
    select j.id, upd.id, 'task_cancelled', upd.from_status, 'failed', upd.attempt, jsonb_build_object('reason', v_reason)
      from upd
    returning 1
  )
  select count(*) into v_cancelled from hist;
  select count(*) into v_running from public.job_results where job_id = j.id and status = 'in_progress';

  update public.jobs
     set status = 'cancelled', tasks_failed = tasks_failed + v_cancelled,
         completed_at = now(), version = version + 1
   where id = j.id
  returning * into j;
  perform internal.log_event(j.id, null, 'job_cancelled', v_from, 'cancelled', null, null,
    jsonb_build_object('reason', v_reason, 'tasks_cancelled', v_cancelled, 'tasks_running', v_running));
  return jsonb_build_object('outcome', 'cancelled', 'job', internal.job_summary(j),
                            'tasks_cancelled', v_cancelled, 'tasks_running', v_running);
end
$$;

-- ===================================================================================================
-- resubmit_listing, redefined: a submission waiting for its verification mail is still in flight.
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
    if h.status in ('pending', 'queued', 'in_progress', 'awaiting_verification', 'dead_lettered') then
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

-- Who may call the new functions: service_role only.
revoke all on function internal.new_submission_local_part() from public, anon, authenticated;
revoke all on function internal.is_directory_account(jsonb) from public, anon, authenticated;
revoke all on function internal.is_web_url(text) from public, anon, authenticated;
revoke all on function internal.url_host(text) from public, anon, authenticated;
grant execute on function internal.new_submission_local_part() to service_role;
grant execute on function internal.is_directory_account(jsonb) to service_role;
grant execute on function internal.is_web_url(text) to service_role;
grant execute on function internal.url_host(text) to service_role;
revoke all on function public.get_directory_account(uuid, uuid) from public, anon, authenticated;
revoke all on function public.begin_directory_sign_up(uuid, text, int, text, jsonb) from public, anon, authenticated;
revoke all on function public.await_email_verification(uuid, text, int, int) from public, anon, authenticated;
revoke all on function public.verification_waits(text) from public, anon, authenticated;
revoke all on function public.record_inbound_mail(jsonb) from public, anon, authenticated;
revoke all on function public.finish_email_verification(uuid, text, int, text, text) from public, anon, authenticated;
revoke all on function public.expire_verification_waits(int) from public, anon, authenticated;
revoke all on function public.reveal_directory_account(uuid, uuid, text, text) from public, anon, authenticated;
grant execute on function public.get_directory_account(uuid, uuid) to service_role;
grant execute on function public.begin_directory_sign_up(uuid, text, int, text, jsonb) to service_role;
grant execute on function public.await_email_verification(uuid, text, int, int) to service_role;
grant execute on function public.verification_waits(text) to service_role;
grant execute on function public.record_inbound_mail(jsonb) to service_role;
grant execute on function public.finish_email_verification(uuid, text, int, text, text) to service_role;
grant execute on function public.expire_verification_waits(int) to service_role;
grant execute on function public.reveal_directory_account(uuid, uuid, text, text) to service_role;
