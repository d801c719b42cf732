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
  -- A wait that began after the first read: await_email_verification held this row until it committed,
  -- so its task waits now, and read no link (there was none yet). It is woken here, or never: lock it
  -- too. Out of the usual order, but only after the waiting transaction has ended; a deadlock with
  -- another one (rare) fails this call with 40P01 and the inbound-mail Lambda's retry records the mail.
  if a.waiting_task_id is not null and t.id is distinct from a.waiting_task_id then
    select * into t from public.job_results where id = a.waiting_task_id for update;
  end if;
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
-- What a person's request about an account must carry (reveal_directory_account,
-- mark_directory_account_verified): which account, who asks, and why, in words worth keeping.
-- ===================================================================================================
create or replace function internal.check_account_request(
  p_customer_id uuid, p_directory_id uuid, p_actor text, p_reason text
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if p_customer_id is null or p_directory_id is null then
    perform internal.invalid_argument('p_customer_id and p_directory_id are required');
  end if;
  perform internal.check_text('p_actor', p_actor, 200);
  if p_reason is null or pg_catalog.length(pg_catalog.btrim(p_reason)) not between 3 and 500 then
    perform internal.invalid_argument('p_reason must say why, in 3 to 500 characters');
  end if;
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
  perform internal.check_account_request(p_customer_id, p_directory_id, p_actor, p_reason);
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

-- ---------------------------------------------------------------------------------------------------
-- mark_directory_account_verified: a person finished a sign-up by hand (the runbook's "verification
-- timed out": revealed the credentials, confirmed the address on the directory), so the next
-- submission logs in instead of stopping at "never verified". Only an account whose verification
-- failed: one still signing up or waiting has a task that owns it (55006). Audited like a reveal;
-- an account already verified is answered as it is, changing nothing.
-- ---------------------------------------------------------------------------------------------------
create or replace function public.mark_directory_account_verified(
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
  v_from text;
begin
  perform internal.check_account_request(p_customer_id, p_directory_id, p_actor, p_reason);
  select * into a from public.directory_accounts
   where customer_id = p_customer_id and directory_id = p_directory_id
     for update;
  if not found then
    return null;
  end if;
  if a.status = 'verified' then
    return jsonb_build_object('status', a.status, 'verified_at', a.verified_at, 'changed', false);
  end if;
  if a.status <> 'verification_failed' then
    raise exception 'the account of customer % on directory % is %: its sign-up task still owns it; wait for it to finish or time out',
      p_customer_id, p_directory_id, a.status
      using errcode = '55006';
  end if;
  v_from := a.status;
  -- The link was a credential for the failed wait; the wait itself is over.
  update public.directory_accounts
     set status = 'verified', verified_at = now(), failure_reason = null, waiting_task_id = null,
         verification_link = null
   where customer_id = p_customer_id and directory_id = p_directory_id
  returning * into a;
  perform internal.log_event(null, null, 'account_verified_by_hand', v_from, a.status, null, p_actor,
    jsonb_build_object('customer_id', p_customer_id, 'directory_id', p_directory_id, 'actor', p_actor,
                       'reason', btrim(p_reason)));
  return jsonb_build_object('status', a.status, 'verified_at', a.verified_at, 'changed', true);
end
$$;
