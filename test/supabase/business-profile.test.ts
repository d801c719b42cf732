/**
 * The business profile on a real Postgres (supabase/migrations/*_baseline_functions_profiles.sql): the extended profile through
 * create_customer, update_customer, get_customer and set_customer_logo (accepted, returned, refused
 * with 22023 naming the field and changing nothing), the column checks behind them, the facts that
 * feed the idempotency key, what claim_task hands the submitter, the short description derived from
 * the description, and the demo customer.
 */
import { createHash } from 'node:crypto';
import { BUCKETS } from '../../lambdas/platform/system-config';
import { BusinessProfileSchema, PROFILE_FIELDS } from '../../lambdas/customers/business-profile';
import { seedDemoData } from '../../local/runtime/database';
import {
  createTestDatabase,
  insertCustomer,
  insertDirectories,
  json,
  pgError,
  rpc,
  type TestDatabase,
} from '../support/database';

const THIS_YEAR = new Date().getUTCFullYear();

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const extended = {
  contact_first_name: 'Maya',
  contact_last_name: 'Okafor',
  address_line2: 'Unit 2',
  short_description: 'Sourdough and espresso since 2012.',
  keywords: ['bakery', 'sourdough', 'café'],
  opening_hours: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '07:00', closes: '18:00' },
    { days: ['sat'], opens: '08:00', closes: '12:00' },
    { days: ['sat'], opens: '13:00', closes: '16:00' },
  ],
  year_established: 2012,
  social_profiles: { facebook: 'https://www.facebook.com/bolt', x: 'https://x.com/bolt' },
};
const NEW_FIELDS = Object.keys(extended) as (keyof typeof extended)[];

let refSeq = 0;
const createCustomer = async (profile: Record<string, unknown> = {}) =>
  rpc(db.pool, 'create_customer', {
    p_profile: { business_name: 'Bolt Bakery', external_ref: `BP-${++refSeq}-${Date.now()}`, ...profile },
    p_actor: 'staff:test',
  });

const logoFor = (customerId: string, overrides: Record<string, unknown> = {}) => ({
  key: `logos/${customerId}/${'ab'.repeat(32)}.png`,
  content_type: 'image/png',
  bytes: 1234,
  ...overrides,
});

const row = async (id: string) =>
  (await db.pool.query('select * from public.customers where id = $1', [id])).rows[0];
const historyCount = async () =>
  (await db.pool.query('select count(*)::int n from public.queue_history')).rows[0].n as number;

describe('create_customer, get_customer and update_customer with the new fields', () => {
  it('stores and returns every new field, and every profile field is in the answer', async () => {
    // Act
    const created = await createCustomer(extended);
    const read = await rpc(db.pool, 'get_customer', { p_customer_id: created.id });
    // Assess
    expect(created).toMatchObject({ ...extended, logo: null });
    expect(read).toEqual(created);
    for (const field of PROFILE_FIELDS) expect(read).toHaveProperty(field);
    const stored = await row(created.id);
    expect(stored.keywords).toEqual(extended.keywords);
    expect(stored.opening_hours).toEqual(extended.opening_hours);
    expect(stored.year_established).toBe(2012);
  });

  it('leaves the new fields null when not given', async () => {
    const created = await createCustomer();
    for (const field of [...NEW_FIELDS, 'logo']) expect([field, created[field]]).toEqual([field, null]);
  });

  it('update_customer sets the given fields only, and a present null clears each of them', async () => {
    // Prepare
    const created = await createCustomer({ city: 'Springfield' });
    // Act
    const set = await rpc(db.pool, 'update_customer', {
      p_customer_id: created.id,
      p_changes: extended,
      p_actor: 'staff:test',
    });
    const cleared = await rpc(db.pool, 'update_customer', {
      p_customer_id: created.id,
      p_changes: Object.fromEntries(NEW_FIELDS.map((field) => [field, null])),
      p_actor: 'staff:test',
    });
    // Assess
    expect(set).toMatchObject({ ...extended, city: 'Springfield' });
    expect(cleared).toMatchObject({
      ...Object.fromEntries(NEW_FIELDS.map((f) => [f, null])),
      city: 'Springfield',
    });
    const stored = await row(created.id);
    for (const field of NEW_FIELDS) expect([field, stored[field]]).toEqual([field, null]);
  });

  it('stores an empty social_profiles object as none', async () => {
    const created = await createCustomer({ social_profiles: {} });
    expect(created.social_profiles).toBeNull();
  });

  it('refuses wrong JSON types, bad shapes, unknown keys and the logo with 22023 naming the field, and changes nothing', async () => {
    // Prepare
    const customer = await createCustomer(extended);
    const before = await row(customer.id);
    const customersBefore = (await db.pool.query('select count(*)::int n from public.customers')).rows[0].n;
    const historyBefore = await historyCount();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ contact_first_name: 42 }, /p_profile\.contact_first_name must be a string or null/],
      [{ contact_last_name: 'x'.repeat(101) }, /p_profile\.contact_last_name must be 1 to 100 characters/],
      [{ address_line2: '   ' }, /p_profile\.address_line2 must be 1 to 300/],
      [{ short_description: 'x'.repeat(301) }, /p_profile\.short_description must be 1 to 300/],
      [{ keywords: 'bakery' }, /p_profile\.keywords must be an array or null/],
      [{ keywords: [] }, /p_profile\.keywords must be 1 to 30 strings/],
      [{ keywords: ['bakery', 'Bakery'] }, /p_profile\.keywords/],
      [{ keywords: [1] }, /p_profile\.keywords/],
      [{ keywords: ['x'.repeat(61)] }, /p_profile\.keywords/],
      [{ keywords: Array.from({ length: 31 }, (_, i) => `k${i}`) }, /p_profile\.keywords/],
      [{ opening_hours: { mon: '9-5' } }, /p_profile\.opening_hours must be an array or null/],
      [{ opening_hours: [{ days: ['mon'], opens: '9:00', closes: '17:00' }] }, /p_profile\.opening_hours/],
      [{ opening_hours: [{ days: ['mon'], opens: '18:00', closes: '09:00' }] }, /opens before closes/],
      [
        { opening_hours: [{ days: ['mon', 'mon'], opens: '09:00', closes: '17:00' }] },
        /p_profile\.opening_hours/,
      ],
      [
        { opening_hours: [{ days: ['funday'], opens: '09:00', closes: '17:00' }] },
        /p_profile\.opening_hours/,
      ],
      [{ opening_hours: [{ days: 'mon', opens: '09:00', closes: '17:00' }] }, /p_profile\.opening_hours/],
      [
        { opening_hours: [{ days: ['mon'], opens: '09:00', closes: '17:00', note: 'x' }] },
        /p_profile\.opening_hours/,
      ],
      [{ opening_hours: [] }, /p_profile\.opening_hours/],
      [{ social_profiles: ['https://x.com/a'] }, /p_profile\.social_profiles must be an object or null/],
      [{ social_profiles: { myspace: 'https://myspace.com/a' } }, /p_profile\.social_profiles/],
      [{ social_profiles: { x: 'javascript:alert(1)' } }, /p_profile\.social_profiles/],
      [{ social_profiles: { x: 7 } }, /p_profile\.social_profiles/],
      [{ year_established: '2012' }, /p_profile\.year_established must be a number or null/],
      [{ year_established: 1799 }, /p_profile\.year_established must be a whole year from 1800/],
      [{ year_established: THIS_YEAR + 1 }, /p_profile\.year_established/],
      [{ year_established: 2012.5 }, /p_profile\.year_established/],
      [{ logo: logoFor(customer.id) }, /p_profile\.logo is not set here/],
      [{ favourite_colour: 'blue' }, /p_profile\.favourite_colour is not a customer field/],
    ];
    for (const [changes, message] of cases) {
      // Act
      const onCreate = await pgError(createCustomer(changes));
      const onUpdate = await pgError(
        rpc(db.pool, 'update_customer', { p_customer_id: customer.id, p_changes: changes, p_actor: 'a' }),
      );
      // Assess
      for (const error of [onCreate, onUpdate]) {
        expect([changes, error.code]).toEqual([changes, '22023']);
        expect(error.message).toMatch(message);
      }
    }
    expect(await row(customer.id)).toEqual(before);
    expect((await db.pool.query('select count(*)::int n from public.customers')).rows[0].n).toBe(
      customersBefore,
    );
    expect(await historyCount()).toBe(historyBefore);
  });

  it('accepts the edges: this year, 1800, 24:00, 30 keywords of 60 characters, every network', async () => {
    const created = await createCustomer({
      year_established: THIS_YEAR,
      keywords: Array.from({ length: 30 }, (_, i) => `${i}`.padEnd(60, 'k')),
      opening_hours: [{ days: ['sun'], opens: '00:00', closes: '24:00' }],
      social_profiles: Object.fromEntries(
        ['facebook', 'instagram', 'linkedin', 'x', 'youtube', 'tiktok', 'pinterest'].map((n) => [
          n,
          `https://${n}.com/bolt`,
        ]),
      ),
    });
    expect(created.year_established).toBe(THIS_YEAR);
    expect(created.keywords).toHaveLength(30);
    const old = await createCustomer({ year_established: 1800 });
    expect(old.year_established).toBe(1800);
  });
});

describe('column checks (what any writer, not only the functions, must respect)', () => {
  it.each([
    ['contact_first_name', "''"],
    ['address_line2', "repeat('x', 301)"],
    ['short_description', "'   '"],
    ['keywords', `'"bakery"'::jsonb`],
    ['keywords', `'["a", "A"]'::jsonb`],
    ['opening_hours', `'[{"days": ["mon"], "opens": "17:00", "closes": "09:00"}]'::jsonb`],
    ['opening_hours', `'{"mon": "9-5"}'::jsonb`],
    ['year_established', '1492'],
    ['social_profiles', `'{"x": "ftp://x.com/a"}'::jsonb`],
    ['logo', `'{"key": "elsewhere.png", "content_type": "image/png", "bytes": 1}'::jsonb`],
  ])('refuses customers.%s = %s (23514)', async (column, value) => {
    const customer = await insertCustomer(db.pool);
    const error = await pgError(
      db.pool.query(`update public.customers set ${column} = ${value} where id = $1`, [customer.id]),
    );
    expect(error.code).toBe('23514');
  });
});

describe('set_customer_logo', () => {
  it('records a logo, returns it with the customer, logs it, and null clears it', async () => {
    // Prepare
    const customer = await createCustomer();
    const logo = logoFor(customer.id);
    // Act
    const set = await rpc(db.pool, 'set_customer_logo', {
      p_customer_id: customer.id,
      p_logo: logo,
      p_actor: 'staff:k1',
    });
    const again = await rpc(db.pool, 'set_customer_logo', {
      p_customer_id: customer.id,
      p_logo: logo,
      p_actor: 'staff:k1',
    });
    const cleared = await rpc(db.pool, 'set_customer_logo', {
      p_customer_id: customer.id,
      p_logo: null,
      p_actor: 'staff:k1',
    });
    // Assess
    expect(set.logo).toEqual(logo);
    expect(again.logo).toEqual(logo);
    expect(cleared.logo).toBeNull();
    expect((await row(customer.id)).logo).toBeNull();
    const events = await db.pool.query(
      `select event, details from public.queue_history where details->>'customer_id' = $1 and event like 'customer_logo%' order by id`,
      [customer.id],
    );
    // Setting the same logo twice changes nothing, so it is recorded once.
    expect(events.rows.map((r) => r.event)).toEqual(['customer_logo_set', 'customer_logo_cleared']);
    expect(events.rows[0].details).toMatchObject({ actor: 'staff:k1', logo, previous: null });
    expect(events.rows[1].details).toMatchObject({ logo: null, previous: logo });
  });

  it('accepts every image type with its extension, up to BUCKETS.assets.logoMaxBytes', async () => {
    const customer = await createCustomer();
    for (const [type, ext] of [
      ['image/png', 'png'],
      ['image/jpeg', 'jpg'],
      ['image/webp', 'webp'],
      ['image/gif', 'gif'],
    ]) {
      const logo = logoFor(customer.id, {
        key: `logos/${customer.id}/${'cd'.repeat(32)}.${ext}`,
        content_type: type,
        bytes: BUCKETS.assets.logoMaxBytes,
      });
      const set = await rpc(db.pool, 'set_customer_logo', {
        p_customer_id: customer.id,
        p_logo: logo,
        p_actor: 'a',
      });
      expect(set.logo).toEqual(logo);
    }
  });

  it('refuses a reference that is not this customer’s logo with 22023, and an unknown customer with P0002', async () => {
    // Prepare
    const customer = await createCustomer();
    const other = await createCustomer();
    const before = await row(customer.id);
    const historyBefore = await historyCount();
    const bad = [
      logoFor(customer.id, { key: `logos/${other.id}/${'ab'.repeat(32)}.png` }),
      logoFor(customer.id, { key: `logos/${customer.id}/${'ab'.repeat(32)}.jpg` }),
      logoFor(customer.id, { key: `logos/${customer.id}/../secret.png` }),
      logoFor(customer.id, { key: `logos/${customer.id}/.png` }),
      logoFor(customer.id, { content_type: 'image/svg+xml' }),
      logoFor(customer.id, { bytes: BUCKETS.assets.logoMaxBytes + 1 }),
      logoFor(customer.id, { bytes: 0 }),
      logoFor(customer.id, { bytes: 1.5 }),
      logoFor(customer.id, { bytes: '1234' }),
      logoFor(customer.id, { url: 'https://evil.example/logo.png' }),
    ];
    for (const logo of bad) {
      // Act
      const error = await pgError(
        rpc(db.pool, 'set_customer_logo', { p_customer_id: customer.id, p_logo: logo, p_actor: 'a' }),
      );
      // Assess
      expect([logo, error.code]).toEqual([logo, '22023']);
      expect(error.message).toMatch(/p_logo must be/);
    }
    const listed = await pgError(
      rpc(db.pool, 'set_customer_logo', {
        p_customer_id: customer.id,
        p_logo: json([logoFor(customer.id)]),
        p_actor: 'a',
      }),
    );
    expect(listed.code).toBe('22023');
    const missingId = '00000000-0000-4000-8000-00000000dead';
    const unknown = await pgError(
      rpc(db.pool, 'set_customer_logo', {
        p_customer_id: missingId,
        p_logo: logoFor(missingId),
        p_actor: 'a',
      }),
    );
    expect(unknown.code).toBe('P0002');
    expect(await row(customer.id)).toEqual(before);
    expect(await historyCount()).toBe(historyBefore);
  });

  it('is for service_role only', async () => {
    for (const role of ['anon', 'authenticated'] as const) {
      const error = await pgError(
        rpc(db.pool, 'set_customer_logo', { p_customer_id: null, p_logo: null, p_actor: 'a' }, role),
      );
      expect(error.code).toBe('42501');
    }
  });
});

describe('the facts submitted and the task the submitter claims', () => {
  const facts = async (id: string) =>
    (await db.pool.query('select internal.business_facts(c) f from public.customers c where id = $1', [id]))
      .rows[0].f as Record<string, unknown>;
  const keyOfNewJob = async (customerId: string, directoryId: string) => {
    const job = await rpc(db.pool, 'create_job', {
      p_customer_id: customerId,
      p_directory_ids: [directoryId],
    });
    return (
      await db.pool.query('select idempotency_key, id from public.job_results where job_id = $1', [
        job.job_id,
      ])
    ).rows[0] as { idempotency_key: string; id: string };
  };

  it('a profile without the new fields keeps exactly the eleven facts it had (so the same canonical key)', async () => {
    const customer = await insertCustomer(db.pool);
    expect(Object.keys(await facts(customer.id)).sort()).toEqual(
      [
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
      ].sort(),
    );
  });

  it('the new fields are facts the submitter gets; the idempotency key names the listing, not the facts', async () => {
    // Prepare
    const customer = await createCustomer({ ...extended, email: 'a@bolt.example' });
    const [directory] = await insertDirectories(db.pool, 1);
    expect(await facts(customer.id)).toMatchObject(extended);
    // Act
    const first = await keyOfNewJob(customer.id, directory!.id);
    // Assess: the stored key is the documented SHA-256 over customer, directory and listing generation
    // (changed facts are resubmitted explicitly: resubmit_listing).
    const canonical = (
      await db.pool.query(
        `select jsonb_build_object('customer_id', j.customer_id, 'directory_id', r.directory_id, 'generation', 1)::text t
           from public.job_results r join public.jobs j on j.id = r.job_id
          where r.id = $1`,
        [first.id],
      )
    ).rows[0].t as string;
    expect(first.idempotency_key).toBe(createHash('sha256').update(canonical, 'utf8').digest('hex'));
    // Two jobs of an unchanged profile differ only by their job id; the facts are the same.
    const factsBefore = await facts(customer.id);
    await rpc(db.pool, 'update_customer', {
      p_customer_id: customer.id,
      p_changes: { keywords: ['bakery'] },
      p_actor: 'a',
    });
    expect(await facts(customer.id)).not.toEqual(factsBefore);
    await rpc(db.pool, 'set_customer_logo', {
      p_customer_id: customer.id,
      p_logo: logoFor(customer.id),
      p_actor: 'a',
    });
    expect((await facts(customer.id)).logo).toEqual(logoFor(customer.id));
  });

  it('claim_task hands the submitter every profile field, the new ones included', async () => {
    // Prepare
    const customer = await createCustomer({ ...extended, email: 'owner@bolt.example' });
    await rpc(db.pool, 'set_customer_logo', {
      p_customer_id: customer.id,
      p_logo: logoFor(customer.id),
      p_actor: 'a',
    });
    const bare = await createCustomer();
    const [directory] = await insertDirectories(db.pool, 1, { max_concurrency: 5 });
    const claimOf = async (customerId: string) => {
      const { id } = await keyOfNewJob(customerId, directory!.id);
      return rpc(db.pool, 'claim_task', { p_task_id: id, p_worker_id: 'w', p_lease_seconds: 60 });
    };
    // Act
    const full = await claimOf(customer.id);
    const empty = await claimOf(bare.id);
    // Assess
    expect(full.claimed).toBe(true);
    expect(full.task.customer).toMatchObject({ id: customer.id, ...extended, logo: logoFor(customer.id) });
    expect(Object.keys(full.task.customer).sort()).toEqual(['id', ...PROFILE_FIELDS].sort());
    expect(empty.task.customer).toMatchObject(Object.fromEntries(NEW_FIELDS.map((f) => [f, null])));
    expect(Object.keys(empty.task.customer).sort()).toEqual(['id', ...PROFILE_FIELDS].sort());
  });
});

describe('short description derived from the description', () => {
  const derive = async (text: string | null, max?: number) =>
    (
      await db.pool.query('select internal.short_description_from($1, coalesce($2, 300)) s', [
        text,
        max ?? null,
      ])
    ).rows[0].s as string | null;

  it('is the first sentence, on one line', async () => {
    expect(await derive('Family bakery. Fresh bread daily!')).toBe('Family bakery.');
    expect(await derive('Open daily!  Call us.')).toBe('Open daily!');
    expect(await derive('Wait… what?')).toBe('Wait…');
    // A dot inside a number or a name does not end a sentence.
    expect(await derive('Version 2.5 of our menu, 1.5 km from the station. More below')).toBe(
      'Version 2.5 of our menu, 1.5 km from the station.',
    );
    expect(await derive('  Line one\nstill one sentence\n\nand more  ')).toBe(
      'Line one still one sentence and more',
    );
    expect(await derive(null)).toBeNull();
    expect(await derive(' \n\t ')).toBeNull();
  });

  it('is cut at a word boundary to at most 300 characters, ending in an ellipsis', async () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const cut = (await derive(`${words}. Second sentence.`))!;
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut.endsWith('…')).toBe(true);
    const kept = cut.slice(0, -1);
    expect(words.startsWith(kept)).toBe(true);
    expect(words[kept.length]).toBe(' '); // the cut is between two words
    expect(kept.length).toBeGreaterThan(280);
    // A separator is not left dangling before the ellipsis.
    expect(await derive(`${'a'.repeat(250)}, ${'b'.repeat(60)}`)).toBe(`${'a'.repeat(250)}…`);
    // One giant word is cut where it is.
    expect(await derive('x'.repeat(400))).toBe(`${'x'.repeat(299)}…`);
  });

  it('counts as JavaScript does: emoji take two units, so the submitter’s schema accepts it', async () => {
    const cut = (await derive('😀'.repeat(200)))!;
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(BusinessProfileSchema.shape.short_description.safeParse(cut).success).toBe(true);
  });
});

describe('demo data', () => {
  it('the demo customer carries the extended profile, and its claimed task parses as the submitter’s profile', async () => {
    // Prepare
    const directories = await seedDemoData(db.pool, { demoSiteUrl: 'http://127.0.0.1:39124' });
    const demo = (
      await db.pool.query("select * from public.customers where external_ref = 'DEMO-CUSTOMER-001'")
    ).rows[0];
    // Act
    const job = await rpc(db.pool, 'create_job', {
      p_customer_id: demo.id,
      p_directory_ids: [directories[0]!.id],
    });
    const claim = await rpc(db.pool, 'claim_task', {
      p_task_id: job.tasks[0].task_id,
      p_worker_id: 'w',
      p_lease_seconds: 30,
    });
    // Assess
    for (const field of NEW_FIELDS) expect([field, demo[field]]).not.toEqual([field, null]);
    const parsed = BusinessProfileSchema.safeParse(claim.task.customer);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data).toMatchObject({
      contact_first_name: 'Maya',
      year_established: 2012,
      keywords: expect.arrayContaining(['sourdough']),
    });
    expect(parsed.data!.short_description!.length).toBeLessThanOrEqual(300);
  });
});
