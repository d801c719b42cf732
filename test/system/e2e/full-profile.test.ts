import { createHash, randomUUID } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type pg from 'pg';
import type { DemoSubmission } from '../../../local/demo-site/server';
import { createTestDatabase } from '../../support/database';
import { startLocalProcess, type LocalProcess } from '../../support/local-process';

/**
 * The extended business profile end to end on the local stack, driven over HTTP as a client would:
 * POST /customers with every optional field, PUT its logo (a real PNG, into the assets bucket),
 * POST /jobs for a directory whose form is the demo site's /forms/full, and the submitter fills and
 * sends it in Chromium. The demo site's record is the proof: each field as the profile has it and the
 * uploaded file's hash equal to the logo's. Then a dry run of the same directory sends nothing.
 */
describe('the full business profile, end to end on the local stack', () => {
  const staffKey = `e2e-${randomUUID()}`;
  let stack: LocalProcess;
  let database: { url: string; pool: pg.Pool; drop(): Promise<void> };
  let api: string;
  let demoSite: string;
  let adminKey: string;
  let customerId: string;
  let directoryId: string;
  const logo = png();

  const PROFILE = {
    business_name: 'Lone Star Plumbing Co.',
    contact_first_name: 'Rosa',
    contact_last_name: 'Delgado',
    email: 'office@lonestarplumbing.example',
    phone: '+1 512 555 0142',
    website: 'https://lonestarplumbing.example',
    address_line: '4100 Guadalupe Street',
    address_line2: 'Suite 210',
    city: 'Austin',
    region: 'Texas',
    postal_code: '78751',
    country: 'United States',
    category: 'Plumbing',
    short_description: 'Licensed plumbers for homes and small businesses in Austin, since 1987.',
    description:
      'Family-run plumbing company serving Austin and Round Rock. Leak repair, water heaters, drain ' +
      'cleaning, repiping and bathroom remodels. Same-day service, upfront prices.',
    keywords: ['plumber', 'water heater repair', 'drain cleaning', 'leak detection'],
    opening_hours: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '08:00', closes: '18:00' },
      { days: ['sat'], opens: '09:00', closes: '13:00' },
    ],
    year_established: 1987,
    social_profiles: {
      facebook: 'https://www.facebook.com/lonestarplumbing',
      instagram: 'https://www.instagram.com/lonestarplumbing',
      linkedin: 'https://www.linkedin.com/company/lonestar-plumbing',
    },
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    stack = await startLocalProcess({
      DATABASE_URL: database.url,
      PORT: '0',
      LOCAL_API_KEY: staffKey,
      LOCAL_DEMO_JOB: 'false',
    });
    api = stack.banner('API');
    adminKey = stack.banner('admin key');
    demoSite = stack.banner('demo site');

    // Not a seeded demo directory: the seed's list of demo directories is asserted elsewhere.
    const directory = await call('/directories', {
      method: 'POST',
      key: adminKey,
      body: {
        slug: 'demo-full-profile',
        name: 'Demo Directory (full profile)',
        submission_url: `${demoSite}/forms/full`,
      },
    });
    expect(directory.status).toBe(201);
    directoryId = directory.json.id;
  }, 180_000);

  afterAll(async () => {
    const code = await stack?.stop();
    await database?.drop();
    expect(code).toBe(0);
  });

  async function call(path: string, init: { method?: string; body?: unknown; key?: string } = {}) {
    const response = await fetch(`${api}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', 'x-api-key': init.key ?? staffKey },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    // Answers are asserted field by field; typing each route's answer here would only restate them.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, json: (await response.json()) as any };
  }
  const received = async () => (await (await fetch(`${demoSite}/_submissions`)).json()) as DemoSubmission[];

  it('creates the customer with every optional field and stores its logo', async () => {
    const created = await call('/customers', { method: 'POST', body: PROFILE });
    expect(created.status).toBe(201);
    customerId = created.json.id;

    const uploaded = await call(`/customers/${customerId}/logo`, {
      method: 'PUT',
      body: { content_type: 'image/png', data_base64: logo.toString('base64') },
    });

    expect(uploaded.status).toBe(200);
    const stored = await call(`/customers/${customerId}`);
    expect(stored.json).toMatchObject({
      ...PROFILE,
      logo: { content_type: 'image/png', bytes: logo.length, key: expect.stringContaining(sha256(logo)) },
    });
  });

  it('submits the profile once, the stored logo as the file, and records the listing', async () => {
    const created = await call('/jobs', {
      method: 'POST',
      body: { customer_id: customerId, directory_ids: [directoryId] },
    });
    expect(created.status).toBe(201);

    const job = await waitForJob(created.json.job_id, 45_000);

    expect(job.results).toMatchObject([{ status: 'submitted', attempt: 1 }]);
    const submissions = await received();
    expect(submissions).toMatchObject([{ form: 'full', accepted: true, errors: [] }]);
    expect(submissions[0]!.files).toEqual([
      {
        field: 'logo',
        filename: 'logo.png',
        contentType: 'image/png',
        size: logo.length,
        sha256: sha256(logo),
      },
    ]);
    expect(job.results[0]!.listing_url).toBe(`${demoSite}/listings/${submissions[0]!.id}`);
  });

  it('wrote every field as the profile has it, fitted to the form', async () => {
    const [submission] = (await received()).filter((s) => s.accepted);

    expect(submission?.fields).toEqual({
      contact_first_name: 'Rosa',
      contact_last_name: 'Delgado',
      business_name: PROFILE.business_name,
      email: PROFILE.email,
      phone: '5125550142', // three boxes: 512 / 555 / 0142
      website: PROFILE.website,
      address_line: PROFILE.address_line,
      address_line2: 'Suite 210',
      city: 'Austin',
      region: 'TX', // "Texas" chosen in a <select> whose values are codes
      postal_code: '78751',
      country: 'US',
      category: 'plumbing',
      short_description: PROFILE.short_description,
      description: PROFILE.description,
      keywords: 'plumber, water heater repair, drain cleaning, leak detection',
      // values.ts formatOpeningHours, English day names (the page is lang="en")
      opening_hours: 'Mon-Fri 08:00-18:00, Sat 09:00-13:00',
      year_established: '1987',
      facebook_url: PROFILE.social_profiles.facebook,
      instagram_url: PROFILE.social_profiles.instagram,
      linkedin_url: PROFILE.social_profiles.linkedin,
    });
  });

  it('dry-runs the directory with the sample profile: reports the logo input, sends nothing', async () => {
    const before = (await received()).length;

    const report = await call(`/directories/${directoryId}/test-submission`, {
      method: 'POST',
      key: adminKey,
    });

    expect(report.status).toBe(200);
    // The sample profile's category (Software) is not among this directory's: said, not guessed.
    expect(report.json).toMatchObject({ outcome: 'needs_manual', unmapped_required_fields: ['Category *'] });
    expect(report.json.buttons).toContainEqual(
      expect.objectContaining({ text: 'Submit listing', role: 'submit', chosen: true }),
    );
    expect(report.json.controls).toContainEqual(
      expect.objectContaining({ selector: '#logo', type: 'file', field: 'logo', value: null }),
    );
    expect(report.json.would_have_sent).toEqual([]);
    expect(await received()).toHaveLength(before);
  });

  interface JobView {
    status: string;
    results: { status: string; attempt: number; listing_url: string | null; last_error: string | null }[];
  }

  async function waitForJob(jobId: string, timeoutMs: number): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status, json: job } = (await call(`/jobs/${jobId}`)) as { status: number; json: JobView };
      expect(status).toBe(200);
      if (job.status === 'completed' || job.status === 'failed') return job;
      if (Date.now() > deadline) throw new Error(`job still ${job.status}: ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A real 16x16 PNG (a red-to-blue gradient), small as logos go. */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const size = 16;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows = Buffer.concat(
    Array.from({ length: size }, (_, y) =>
      Buffer.from([0, ...Array.from({ length: size }, (_, x) => [x * 16, 64, y * 16]).flat()]),
    ),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
