/**
 * Directory accounts through the API (local gateway -> real handlers -> RPC -> Postgres, the local KMS,
 * Chromium for the dry run): a directory's `account` set, read and cleared; the admin's reveal of an
 * account's credentials, audited and never logged; the customer's submission address; and the dry run
 * of a directory that signs up first.
 */
import { randomUUID } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { generateAccountPassword } from '../../../lambdas/accounts/account-password';
import { sealCredentials } from '../../../lambdas/accounts/credential-vault';
import { startLocalKms, type LocalKms } from '../../../local/emulators/kms';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/emulators/sqs-s3';
import { insertCustomer, insertDirectories, tableCounts } from '../../support/database';
import { captureOutput, leakedSecrets, type CapturedOutput } from '../../support/log-capture';
import { registered } from '../../support/log-scan';
import { call, startApi, type ApiFixture } from './api-client';

let api: ApiFixture;
let base: string;
let output: CapturedOutput;
let localKms: LocalKms;
let sealer: KMSClient;
let staff: string;
/** Every secret this suite handles: none may be in its output. */
const secrets: string[] = [];

/** Admin routes allow 10 requests per key and route per minute: a fresh admin key where a test needs many. */
async function newKey(role: 'customer' | 'staff' | 'admin', customerId?: string) {
  const issued = await api.key(role, customerId);
  secrets.push(issued.key);
  return issued;
}

beforeAll(async () => {
  output = captureOutput();
  localKms = await startLocalKms();
  // The receiving domain: GET /customers/{id} reads it when its module loads (in startApi).
  process.env.MAIL_DOMAIN ??= 'mail.directorybolt.test';
  api = await startApi({
    routes: /^\/(customers|directories|admin\/directory-accounts)\b/,
    logLevel: 'DEBUG',
  });
  base = api.gateway.url;
  // What the stacks give a function with opensCredentials (the reveal reads it per request; the KMS
  // client is made on its first use, after this).
  process.env.CREDENTIALS_KEY_ID = localKms.defaultKeyArn;
  process.env.AWS_ENDPOINT_URL_KMS = localKms.endpoint;
  sealer = new KMSClient({
    endpoint: localKms.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  staff = (await newKey('staff')).key;
});

afterAll(async () => {
  // The test-submission handler's warm browser and its SSRF proxy live as long as the process.
  await (await import('../../../lambdas/browser/browser')).closeBrowser();
  await (await import('../../../lambdas/browser/submit-in-browser')).ssrfGuard.close();
  sealer?.destroy();
  await localKms?.stop().catch(() => undefined);
  await api?.stop();
  output?.restore();
});

const account = {
  signup_url: 'https://join.dir.example/signup',
  login_url: 'https://join.dir.example/login',
  email_verification: true,
  login_before_listing: true,
  verification_hours: 24,
};

async function directoryCount(): Promise<number> {
  return (await api.env.db.pool.query('select count(*)::int n from public.directories')).rows[0].n;
}

describe('a directory\u2019s account', () => {
  it('POST /directories stores it and answers it; GET /directories/{id} reads it', async () => {
    const { key: admin } = await newKey('admin');
    const body = {
      slug: `acct-${Date.now()}`,
      name: 'Account Dir',
      submission_url: 'https://dir.example/add',
    };

    const created = await call(base, '/directories', {
      method: 'POST',
      key: admin,
      body: { ...body, account },
    });
    const plain = await call(base, '/directories', {
      method: 'POST',
      key: admin,
      body: { ...body, slug: `${body.slug}-plain` },
    });

    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ slug: body.slug, account, version: 1 });
    const read = await call(base, `/directories/${created.json.id}`, { key: staff });
    expect(read.status).toBe(200);
    expect(read.json.account).toEqual(account);
    expect(plain.status).toBe(201);
    expect(plain.json.account).toBeNull();
  });

  it('POST /directories refuses a bad account with 400 naming the field, and creates nothing', async () => {
    const { key: admin } = await newKey('admin');
    const before = await directoryCount();
    const body = { slug: `bad-${Date.now()}`, name: 'Bad', submission_url: 'https://dir.example/add' };
    for (const [bad, field] of [
      [{ signup_url: 'ftp://dir.example/join' }, 'account.signup_url'],
      [{ signup_url: 'https://dir.example/join', verification_hours: 0 }, 'account.verification_hours'],
      [{ signup_url: 'https://dir.example/join', login_before_listing: true }, 'account.login_url'],
      [{ signup_url: 'https://dir.example/join', password: 'x' }, 'account'],
      ['https://dir.example/join', 'account'],
    ] as const) {
      const response = await call(base, '/directories', {
        method: 'POST',
        key: admin,
        body: { ...body, account: bad },
      });
      expect([bad, response.status, response.json.error.code]).toEqual([bad, 400, 'invalid_body']);
      expect(response.json.error.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}\\b`));
    }
    expect(await directoryCount()).toBe(before);
  });

  it('PATCH /directories/{id} sets it under If-Match (a new ETag), null clears it, both audited', async () => {
    const { key: admin } = await newKey('admin');
    const [dir] = await insertDirectories(api.env.db.pool, 1);
    const path = `/directories/${dir!.id}`;

    const set = await call(base, path, {
      method: 'PATCH',
      key: admin,
      body: { account },
      headers: { 'if-match': '"1"' },
    });
    const stale = await call(base, path, {
      method: 'PATCH',
      key: admin,
      body: { account: null },
      headers: { 'if-match': '"1"' },
    });
    const cleared = await call(base, path, {
      method: 'PATCH',
      key: admin,
      body: { account: null },
      headers: { 'if-match': set.headers.etag! },
    });

    expect(set.status).toBe(200);
    expect(set.headers.etag).toBe('"2"');
    expect(set.json.account).toEqual(account);
    expect(stale.status).toBe(412);
    expect(cleared.status).toBe(200);
    expect(cleared.headers.etag).toBe('"3"');
    expect(cleared.json.account).toBeNull();
    expect((await call(base, path, { key: staff })).json).toMatchObject({ account: null, version: 3 });
    const audit = await api.env.db.pool.query(
      `select worker_id, details from public.queue_history
        where event = 'directory_updated' and details ->> 'directory_id' = $1 order by id`,
      [dir!.id],
    );
    expect(audit.rows.map((row) => row.details.changes)).toEqual([
      { account: { from: null, to: account } },
      { account: { from: account, to: null } },
    ]);
    expect(audit.rows[0].worker_id).toMatch(/^admin:/);
  });

  it('PATCH /directories/{id} refuses a bad account with 400 naming the field, and changes nothing', async () => {
    const { key: admin } = await newKey('admin');
    const [dir] = await insertDirectories(api.env.db.pool, 1, { account: JSON.stringify(account) });
    const path = `/directories/${dir!.id}`;
    for (const [bad, field] of [
      [{ ...account, signup_url: 'javascript:alert(1)' }, 'account.signup_url'],
      [{ ...account, login_url: 'http://169.254.169.254/latest' }, 'account.login_url'],
      [{ ...account, verification_hours: 337 }, 'account.verification_hours'],
      [{ ...account, email_verification: 'yes' }, 'account.email_verification'],
      [{ ...account, login_url: null }, 'account.login_url'],
      [{ login_url: account.login_url }, 'account.signup_url'],
    ] as const) {
      const response = await call(base, path, {
        method: 'PATCH',
        key: admin,
        body: { account: bad },
        headers: { 'if-match': '"1"' },
      });
      expect([bad, response.status]).toEqual([bad, 400]);
      expect(response.json.error.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}\\b`));
    }
    expect((await call(base, path, { key: staff })).json).toMatchObject({ account, version: 1 });
  });
});

describe('GET /customers/{id}', () => {
  it('shows the submission address on the receiving domain, to staff and to the customer\u2019s own key', async () => {
    const customer = await insertCustomer(api.env.db.pool);
    const own = (await newKey('customer', customer.id)).key;
    const expected = `${customer.submission_local_part as string}@${process.env.MAIL_DOMAIN!}`;

    const byStaff = await call(base, `/customers/${customer.id}`, { key: staff });
    const byOwner = await call(base, `/customers/${customer.id}`, { key: own });

    expect(byStaff.status).toBe(200);
    expect(byStaff.json).toMatchObject({
      submission_local_part: customer.submission_local_part,
      submission_address: expected,
    });
    expect(byOwner.json.submission_address).toBe(expected);
  });
});

describe('POST /admin/directory-accounts/reveal', () => {
  let customerId: string;
  let directoryId: string;
  let password: string;
  const loginEmail = 'b-abcdefghijklmnop@mail.directorybolt.test';

  beforeAll(async () => {
    customerId = (await insertCustomer(api.env.db.pool)).id;
    directoryId = (await insertDirectories(api.env.db.pool, 1, { account: JSON.stringify(account) }))[0]!.id;
    password = registered(generateAccountPassword());
    secrets.push(password);
    const sealed = await sealCredentials(
      { username: loginEmail, password },
      { customerId, directoryId },
      { kms: sealer, keyId: localKms.defaultKeyArn },
    );
    await api.env.db.pool.query(
      `insert into public.directory_accounts (customer_id, directory_id, login_email, sealed_credentials, status)
       values ($1, $2, $3, $4, 'verification_failed')`,
      [customerId, directoryId, loginEmail, JSON.stringify(sealed)],
    );
  });

  const reveal = (key: string | undefined, body: unknown) =>
    call(base, '/admin/directory-accounts/reveal', { method: 'POST', key, body });
  const revealsOf = async (directory: string) =>
    (
      await api.env.db.pool.query(
        `select worker_id, details from public.queue_history
          where event = 'account_credentials_revealed' and details ->> 'directory_id' = $1 order by id`,
        [directory],
      )
    ).rows;

  it('is for admin keys only: 401 without a key, 403 for staff and customer keys, nothing audited', async () => {
    const body = { customer_id: customerId, directory_id: directoryId, reason: 'finish the sign-up' };
    const ownerKey = (await newKey('customer', customerId)).key;

    expect((await reveal(undefined, body)).status).toBe(401);
    expect((await reveal(staff, body)).status).toBe(403);
    const byCustomer = await reveal(ownerKey, body);
    expect(byCustomer.status).toBe(403);
    expect(byCustomer.text).not.toContain(password);
    expect(await revealsOf(directoryId)).toHaveLength(0);
  });

  it('refuses a bad body with 400 naming the field; an unknown account is 404, not audited', async () => {
    const { key: admin } = await newKey('admin');
    for (const [body, field] of [
      [{ customer_id: customerId, directory_id: directoryId, reason: 'no' }, 'reason'],
      [{ customer_id: customerId, directory_id: directoryId }, 'reason'],
      [{ customer_id: 'x', directory_id: directoryId, reason: 'finish it' }, 'customer_id'],
      [{ customer_id: customerId, directory_id: directoryId, reason: 'finish it', as: 'root' }, 'body'],
    ] as const) {
      const response = await reveal(admin, body);
      expect([body, response.status]).toEqual([body, 400]);
      if (field !== 'body') expect(response.json.error.message).toMatch(new RegExp(`^${field}\\b`));
    }
    const unknown = await reveal(admin, {
      customer_id: customerId,
      directory_id: randomUUID(),
      reason: 'finish the sign-up',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not_found');
    expect(await revealsOf(directoryId)).toHaveLength(0);
  });

  it('answers an admin with the password that was sealed (no-store), audited with actor and reason only', async () => {
    const { key: admin, key_id: adminKeyId } = await newKey('admin');
    const reason = 'the verification mail never came: finish the sign-up by hand';

    const response = await reveal(admin, { customer_id: customerId, directory_id: directoryId, reason });

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ login_email: loginEmail, password, status: 'verification_failed' });
    expect(response.headers['cache-control']).toBe('no-store');
    const audit = await revealsOf(directoryId);
    expect(audit).toHaveLength(1);
    expect(audit[0].worker_id).toBe(`admin:${adminKeyId}`);
    expect(audit[0].details).toEqual({
      customer_id: customerId,
      directory_id: directoryId,
      actor: `admin:${adminKeyId}`,
      reason,
    });
    expect(JSON.stringify(audit)).not.toContain(password);
  });

  it('credentials that do not open here (sealed for another directory) are a 500 that shows nothing', async () => {
    const { key: admin } = await newKey('admin');
    const [other] = await insertDirectories(api.env.db.pool, 1);
    const sealedElsewhere = await sealCredentials(
      { username: loginEmail, password },
      { customerId, directoryId: randomUUID() },
      { kms: sealer, keyId: localKms.defaultKeyArn },
    );
    await api.env.db.pool.query(
      `insert into public.directory_accounts (customer_id, directory_id, login_email, sealed_credentials)
       values ($1, $2, $3, $4)`,
      [customerId, other!.id, loginEmail, JSON.stringify(sealedElsewhere)],
    );

    const response = await reveal(admin, {
      customer_id: customerId,
      directory_id: other!.id,
      reason: 'finish the sign-up',
    });

    expect(response.status).toBe(500);
    expect(response.json.error.code).toBe('credentials_unreadable');
    expect(response.text).not.toContain(password);
    expect(response.text).not.toContain(sealedElsewhere.ct);
  });

  it('KMS out of reach is a 503 with a safe message (run last: it stops the local KMS)', async () => {
    const { key: admin } = await newKey('admin');
    await localKms.stop();

    const response = await reveal(admin, {
      customer_id: customerId,
      directory_id: directoryId,
      reason: 'finish the sign-up',
    });

    expect(response.status).toBe(503);
    expect(response.json.error).toMatchObject({ code: 'credentials_unavailable' });
    expect(response.json.error.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|arn:/);
    expect(response.text).not.toContain(password);
  });
});

describe('POST /admin/directory-accounts/mark-verified', () => {
  let customerId: string;
  const sealed = JSON.stringify({ v: 1, edk: 'eA==', ct: 'eQ==' });

  /** An account on a new directory, in the given status. */
  async function accountIn(status: string): Promise<string> {
    const [directory] = await insertDirectories(api.env.db.pool, 1, { account: JSON.stringify(account) });
    await api.env.db.pool.query(
      `insert into public.directory_accounts
         (customer_id, directory_id, login_email, sealed_credentials, status, failure_reason, verification_link)
       values ($1, $2, 'b-abcdefghijklmnop@mail.directorybolt.test', $3, $4,
               case when $4 = 'verification_failed' then 'verification_timeout' end,
               'https://join.dir.example/confirm?token=t0k3n')`,
      [customerId, directory!.id, sealed, status],
    );
    return directory!.id;
  }
  const stored = async (directoryId: string) =>
    (
      await api.env.db.pool.query(
        `select status, verified_at is not null as verified, failure_reason, verification_link
           from public.directory_accounts where customer_id = $1 and directory_id = $2`,
        [customerId, directoryId],
      )
    ).rows[0];
  const audited = async (directoryId: string) =>
    (
      await api.env.db.pool.query(
        `select worker_id, from_status, to_status, details from public.queue_history
          where event = 'account_verified_by_hand' and details ->> 'directory_id' = $1 order by id`,
        [directoryId],
      )
    ).rows;
  const mark = (key: string | undefined, body: unknown) =>
    call(base, '/admin/directory-accounts/mark-verified', { method: 'POST', key, body });

  beforeAll(async () => {
    customerId = (await insertCustomer(api.env.db.pool)).id;
  });

  it('is for admin keys only: 401 without a key, 403 for staff and customer keys, nothing changed', async () => {
    const directoryId = await accountIn('verification_failed');
    const body = { customer_id: customerId, directory_id: directoryId, reason: 'confirmed by hand' };
    const before = await stored(directoryId);

    expect((await mark(undefined, body)).status).toBe(401);
    expect((await mark(staff, body)).status).toBe(403);
    expect((await mark((await newKey('customer', customerId)).key, body)).status).toBe(403);
    expect(await stored(directoryId)).toEqual(before);
    expect(await audited(directoryId)).toEqual([]);
  });

  it('refuses a bad body with 400 naming the field; an unknown account is 404', async () => {
    const { key: admin } = await newKey('admin');
    const directoryId = await accountIn('verification_failed');
    const before = await stored(directoryId);
    for (const [body, field] of [
      [{ customer_id: customerId, directory_id: directoryId, reason: ' x ' }, 'reason'],
      [{ customer_id: customerId, directory_id: 'nope', reason: 'confirmed by hand' }, 'directory_id'],
    ] as const) {
      const response = await mark(admin, body);
      expect([body, response.status]).toEqual([body, 400]);
      expect(response.json.error.message).toMatch(new RegExp(`^${field}\\b`));
    }
    const unknown = await mark(admin, {
      customer_id: customerId,
      directory_id: randomUUID(),
      reason: 'confirmed by hand',
    });
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'not_found']);
    expect(await stored(directoryId)).toEqual(before);
    expect(await audited(directoryId)).toEqual([]);
  });

  it('an account whose sign-up task still owns it (signing up, waiting) is 409 and stays as it is', async () => {
    const { key: admin } = await newKey('admin');
    for (const status of ['signing_up', 'awaiting_verification']) {
      const directoryId = await accountIn(status);
      const before = await stored(directoryId);
      const response = await mark(admin, {
        customer_id: customerId,
        directory_id: directoryId,
        reason: 'confirmed by hand',
      });
      expect([status, response.status, response.json.error.code]).toEqual([status, 409, 'conflict']);
      expect(response.json.error.message).toContain(status);
      expect(await stored(directoryId)).toEqual(before);
      expect(await audited(directoryId)).toEqual([]);
    }
  });

  it('marks a failed verification verified (link and failure cleared), audited once; again changes nothing', async () => {
    const { key: admin, key_id: adminKeyId } = await newKey('admin');
    const directoryId = await accountIn('verification_failed');
    const reason = 'logged in and confirmed the address by hand after verification_timeout';
    const body = { customer_id: customerId, directory_id: directoryId, reason };

    const first = await mark(admin, body);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      customer_id: customerId,
      directory_id: directoryId,
      status: 'verified',
      verified_at: expect.any(String),
      changed: true,
    });
    expect(await stored(directoryId)).toEqual({
      status: 'verified',
      verified: true,
      failure_reason: null,
      verification_link: null,
    });
    const again = await mark(admin, body);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...first.json, changed: false });
    expect(await audited(directoryId)).toEqual([
      {
        worker_id: `admin:${adminKeyId}`,
        from_status: 'verification_failed',
        to_status: 'verified',
        details: { customer_id: customerId, directory_id: directoryId, actor: `admin:${adminKeyId}`, reason },
      },
    ]);
  });
});

describe('POST /directories/{id}/test-submission for a directory that signs up first', () => {
  it('dry-runs the sign-up form with the sample profile and password, reports account_step, sends nothing', async () => {
    const site = api.env.demoSite.url;
    const signup = {
      signup_url: `${site}/accounts/verify/signup`,
      email_verification: true,
      verification_hours: 12,
    };
    const [dir] = await insertDirectories(api.env.db.pool, 1, {
      submission_url: `${site}/accounts/verify/listing`,
      account: JSON.stringify(signup),
    });
    // Imported here: a static import would load the handlers' logger before startApi sets its level.
    const { SAMPLE_PASSWORD } = await import('../../../lambdas/form-filling/test-submission');
    const before = await tableCounts(api.env.db.pool);
    const posted = api.env.demoSite.submissions().length;

    const response = await call(base, `/directories/${dir!.id}/test-submission`, {
      method: 'POST',
      key: staff,
    });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      directory_id: dir!.id,
      submission_url: `${site}/accounts/verify/listing`,
      account_step: 'sign_up',
      form_url: signup.signup_url,
      mapping: { source: 'detected' },
    });
    expect(['filled', 'stopped_before_sending']).toContain(response.json.outcome);
    expect(response.json.note).toMatch(/sign-up form only/);
    expect(response.json.note).toMatch(/12 hours for the directory's verification mail/);
    expect(response.json.note).toContain(`listing form at ${site}/accounts/verify/listing`);
    expect(response.json.container).toMatchObject({ selector: '#signup-form' });
    const passwords = (response.json.controls as Array<{ selector: string; value: string | null }>).filter(
      (control) => ['#su-password', '#su-password2'].includes(control.selector),
    );
    expect(passwords.map((control) => control.value)).toEqual([SAMPLE_PASSWORD, SAMPLE_PASSWORD]);
    // Nothing sent: no account on the directory, no post, nothing written here.
    expect(api.env.demoSite.accounts()).toEqual([]);
    expect(api.env.demoSite.submissions()).toHaveLength(posted);
    expect(await tableCounts(api.env.db.pool)).toEqual(before);
    expect(
      (
        await api.env.db.pool.query(
          'select count(*)::int n from public.directory_accounts where directory_id = $1',
          [dir!.id],
        )
      ).rows[0].n,
    ).toBe(0);
  });

  it('refuses a candidate mapping (it describes the listing form, not the sign-up): 422', async () => {
    const site = api.env.demoSite.url;
    const [dir] = await insertDirectories(api.env.db.pool, 1, {
      submission_url: `${site}/accounts/verify/listing`,
      account: JSON.stringify({ signup_url: `${site}/accounts/verify/signup` }),
    });
    const response = await call(base, `/directories/${dir!.id}/test-submission`, {
      method: 'POST',
      key: staff,
      body: { field_mapping: { fields: { business_name: '#company' } } },
    });
    expect(response.status).toBe(422);
    expect(response.json.error.code).toBe('mapping_not_for_sign_up');
  });
});

describe('logs', () => {
  it('the output of this suite has the reveal\u2019s log line and none of the secrets it handled', () => {
    const text = output.text();
    expect(text).toMatch(/Directory account credentials revealed/);
    expect(leakedSecrets(text, secrets)).toEqual([]);
  });
});
