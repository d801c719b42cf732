/**
 * supabase/seed.sql and local/runtime/database.ts seedDemoData().
 */
import { seedDemoData } from '../../local/runtime/database';
import { seed } from '../../local/runtime/migrate';
import { createTestDatabase, rpc, type TestDatabase } from '../support/database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('seed', () => {
  it('creates the demo customer and directories, and is idempotent', async () => {
    // Act
    await seed(db.url);
    await seed(db.pool);
    // Assess
    const customers = (
      await db.pool.query(`select * from public.customers where external_ref = 'DEMO-CUSTOMER-001'`)
    ).rows;
    expect(customers).toHaveLength(1);
    expect(customers[0]).toMatchObject({ tier: 'pro' });
    for (const field of [
      'business_name',
      'email',
      'phone',
      'website',
      'address_line',
      'city',
      'region',
      'postal_code',
      'country',
      'category',
      'description',
    ]) {
      expect(customers[0][field]).toEqual(expect.any(String));
    }
    const dirs = (
      await db.pool.query(
        `select slug, submission_url, active from public.directories where slug like 'demo-%' order by slug`,
      )
    ).rows;
    expect(dirs).toEqual([
      {
        slug: 'demo-accounts-expiring',
        submission_url: 'http://127.0.0.1:4700/accounts/expiring/listing',
        active: true,
      },
      {
        slug: 'demo-accounts-login',
        submission_url: 'http://127.0.0.1:4700/accounts/login-first/listing',
        active: true,
      },
      {
        slug: 'demo-accounts-verify',
        submission_url: 'http://127.0.0.1:4700/accounts/verify/listing',
        active: true,
      },
      { slug: 'demo-labels', submission_url: 'http://127.0.0.1:4700/forms/labels-only', active: true },
      { slug: 'demo-multistep', submission_url: 'http://127.0.0.1:4700/forms/multi-step', active: true },
      { slug: 'demo-plain', submission_url: 'http://127.0.0.1:4700/forms/plain', active: true },
    ]);
  });

  it('seedDemoData re-points the demo directories at the running demo site, keeping paths', async () => {
    // Act
    const dirs = await seedDemoData(db.pool, { demoSiteUrl: 'http://127.0.0.1:39123/some/where?x=1' });
    // Assess
    expect(dirs.map((d) => [d.slug, d.submission_url])).toEqual([
      ['demo-labels', 'http://127.0.0.1:39123/forms/labels-only'],
      ['demo-multistep', 'http://127.0.0.1:39123/forms/multi-step'],
      ['demo-plain', 'http://127.0.0.1:39123/forms/plain'],
    ]);
    // the account directories' listing, sign-up and log-in pages move with the demo site too
    const accountDirs = (
      await db.pool.query(
        `select slug, submission_url, account from public.directories where slug like 'demo-accounts-%' order by slug`,
      )
    ).rows;
    expect(
      accountDirs.map((d) => [d.slug, d.submission_url, d.account.signup_url, d.account.login_url]),
    ).toEqual([
      [
        'demo-accounts-expiring',
        'http://127.0.0.1:39123/accounts/expiring/listing',
        'http://127.0.0.1:39123/accounts/expiring/signup',
        'http://127.0.0.1:39123/accounts/expiring/login',
      ],
      [
        'demo-accounts-login',
        'http://127.0.0.1:39123/accounts/login-first/listing',
        'http://127.0.0.1:39123/accounts/login-first/signup',
        'http://127.0.0.1:39123/accounts/login-first/login',
      ],
      [
        'demo-accounts-verify',
        'http://127.0.0.1:39123/accounts/verify/listing',
        'http://127.0.0.1:39123/accounts/verify/signup',
        'http://127.0.0.1:39123/accounts/verify/login',
      ],
    ]);
    // and the demo data is usable end to end
    const customer = (
      await db.pool.query(`select id from public.customers where external_ref = 'DEMO-CUSTOMER-001'`)
    ).rows[0];
    const job = await rpc(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: dirs.map((d) => d.id),
    });
    expect(job.priority).toBe('p2');
    const claim = await rpc(db.pool, 'claim_task', {
      p_task_id: job.tasks[0].task_id,
      p_worker_id: 'w',
      p_lease_seconds: 30,
    });
    expect(claim.task.directory.submission_url).toMatch(/^http:\/\/127\.0\.0\.1:39123\/forms\//);
  });

  it('seedDemoData refuses a non-http(s) URL', async () => {
    // Act / Assess
    await expect(seedDemoData(db.pool, { demoSiteUrl: 'file:///etc' })).rejects.toThrow(/demoSiteUrl/);
  });
});
