import { createHash, randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { API, BUCKETS } from '../../../lambdas/platform/system-config';
import type { LogoRef } from '../../../lambdas/customers/business-profile';
import { insertCustomer, rpc } from '../../support/database';
import { call, startApi, type ApiFixture, type ApiResponse } from './api-client';

/**
 * The extended business profile over HTTP: local gateway -> real handlers -> RPC -> Postgres, and the
 * logo upload into the assets bucket in fauxqs' S3, read back by the submitter's loadLogo. Every new
 * field good and bad on create and update, null clearing, and the logo's checks (image type by magic
 * number, size, who may upload).
 */
let api: ApiFixture;
let base: string;
let loadLogo: typeof import('../../../lambdas/customers/profile-assets').loadLogo;

beforeAll(async () => {
  api = await startApi({ routes: /^\/customers/ });
  base = api.gateway.url;
  // The module reads ASSETS_BUCKET at load: import it once the handler environment is set.
  ({ loadLogo } = await import('../../../lambdas/customers/profile-assets'));
});
afterAll(async () => {
  await api?.stop();
});

/** Staff routes allow 30 requests per key and route a minute: a fresh staff key per request. */
async function asStaff(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiResponse> {
  return call(base, path, { ...init, key: (await api.key('staff')).key });
}

const THIS_YEAR = new Date().getUTCFullYear();
const profile = {
  business_name: 'Blue Door Bakery',
  email: 'hello@bluedoor.example',
  website: 'https://bluedoor.example',
  description: 'Fresh bread daily. Sourdough, rye and pastries.',
};
const extended = {
  contact_first_name: 'Ada',
  contact_last_name: 'Lovelace',
  address_line2: 'Unit 4',
  short_description: 'Fresh bread daily.',
  keywords: ['bakery', 'sourdough'],
  opening_hours: [{ days: ['mon', 'tue'], opens: '07:30', closes: '17:00' }],
  year_established: 1998,
  social_profiles: {
    instagram: 'https://www.instagram.com/bluedoor',
    linkedin: 'https://linkedin.com/company/bd',
  },
};
const NEW_FIELDS = Object.keys(extended) as (keyof typeof extended)[];
/** `extended` as column values for a direct insert (jsonb columns take JSON text). */
const extendedRow = Object.fromEntries(
  Object.entries(extended).map(([field, value]) => [
    field,
    typeof value === 'object' ? JSON.stringify(value) : value,
  ]),
);

const customerRow = async (id: string) =>
  (await api.env.db.pool.query('select * from customers where id = $1', [id])).rows[0];
const customerCount = async () =>
  (await api.env.db.pool.query('select count(*)::int n from customers')).rows[0].n as number;

/** A value for a test's title: a long one by its start and length. */
const short = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text.length <= 60 ? text : `${text.slice(0, 20)}… (${text.length} characters)`;
};

describe('the new profile fields', () => {
  it('POST stores them (free texts as plain text) and GET returns them, to staff and to the customer itself', async () => {
    // Act
    const created = await asStaff('/customers', {
      method: 'POST',
      body: {
        ...profile,
        ...extended,
        short_description: '<b>Fresh</b> bread <script>alert(1)</script>daily.',
        keywords: ['<i>bakery</i>', 'sourdough'],
      },
    });
    // Assess
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ ...extended, short_description: 'Fresh bread daily.', logo: null });
    const id = created.json.id as string;
    const read = await asStaff(`/customers/${id}`);
    expect(read.json).toEqual(created.json);
    const own = await call(base, `/customers/${id}`, { key: (await api.key('customer', id)).key });
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject(extended);
    const stored = await customerRow(id);
    expect(stored).toMatchObject({ ...extended, keywords: ['bakery', 'sourdough'] });
  });

  // [field, a bad value, what the message must contain]; long values are shortened in the titles
  const bad: [string, unknown, string][] = [
    ['contact_first_name', '', 'contact_first_name'],
    ['contact_first_name', 'x'.repeat(101), 'contact_first_name'],
    ['contact_last_name', 42, 'contact_last_name'],
    ['address_line2', '   ', 'address_line2'],
    ['short_description', 'x'.repeat(301), 'short_description'],
    ['short_description', '<script>alert(1)</script>', 'short_description has no text'],
    ['keywords', 'bakery', 'keywords'],
    ['keywords', [], 'keywords'],
    ['keywords', ['bakery', 'Bakery'], 'a keyword is listed twice'],
    ['keywords', ['x'.repeat(61)], 'keywords.0'],
    ['keywords', Array.from({ length: 31 }, (_, i) => `k${i}`), 'keywords'],
    ['opening_hours', [], 'opening_hours'],
    ['opening_hours', [{ days: ['mon'], opens: '9am', closes: '17:00' }], 'opening_hours.0.opens'],
    ['opening_hours', [{ days: ['mon'], opens: '18:00', closes: '09:00' }], 'opens must be before closes'],
    ['opening_hours', [{ days: ['mon', 'mon'], opens: '09:00', closes: '17:00' }], 'a day is named twice'],
    ['opening_hours', [{ days: ['funday'], opens: '09:00', closes: '17:00' }], 'opening_hours.0.days.0'],
    ['opening_hours', [{ days: ['mon'], opens: '09:00', closes: '17:00', note: 'x' }], 'opening_hours.0'],
    ['year_established', 1799, 'year_established'],
    ['year_established', THIS_YEAR + 1, 'year_established is in the future'],
    ['year_established', 1998.5, 'year_established'],
    ['year_established', '1998', 'year_established'],
    [
      'social_profiles',
      { facebook: 'https://evil.example/bluedoor' },
      'facebook must be a URL on facebook.com',
    ],
    ['social_profiles', { x: 'javascript:alert(1)' }, 'social_profiles.x'],
    ['social_profiles', { myspace: 'https://myspace.com/bd' }, 'myspace'],
    ['social_profiles', ['https://x.com/bd'], 'social_profiles'],
    // The logo is uploaded, never given as a reference.
    ['logo', { key: 'logos/x/y.png', content_type: 'image/png', bytes: 1 }, 'logo'],
  ];

  it.each(bad.map(([field, value, message]) => [field, short(value), value, message] as const))(
    'refuses %s = %s with 400 naming it, on create and on update, and changes nothing',
    async (field, _label, value, message) => {
      // Prepare
      const existing = await insertCustomer(api.env.db.pool, extendedRow);
      const before = await customerRow(existing.id);
      const count = await customerCount();
      // Act
      const created = await asStaff('/customers', { method: 'POST', body: { ...profile, [field]: value } });
      const patched = await asStaff(`/customers/${existing.id}`, {
        method: 'PATCH',
        body: { [field]: value },
      });
      // Assess
      for (const response of [created, patched]) {
        expect(response.status).toBe(400);
        expect(response.json.error.message).toContain(message);
        expect(response.json.error.correlation_id).toEqual(expect.any(String));
      }
      expect(await customerCount()).toBe(count);
      expect(await customerRow(existing.id)).toEqual(before);
    },
  );

  it('accepts the edges: this year, 24:00, two spans on one day, every network on its own host', async () => {
    const body = {
      ...profile,
      year_established: THIS_YEAR,
      opening_hours: [
        { days: ['sat'], opens: '08:00', closes: '12:00' },
        { days: ['sat'], opens: '13:00', closes: '24:00' },
      ],
      social_profiles: {
        facebook: 'https://fb.com/bd',
        instagram: 'https://instagram.com/bd',
        linkedin: 'https://www.linkedin.com/company/bd',
        x: 'https://twitter.com/bd',
        youtube: 'https://youtu.be/bd',
        tiktok: 'https://www.tiktok.com/@bd',
        pinterest: 'https://pinterest.com/bd',
      },
    };
    const created = await asStaff('/customers', { method: 'POST', body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      year_established: body.year_established,
      opening_hours: body.opening_hours,
      social_profiles: body.social_profiles,
    });
  });

  it('PATCH changes only what is given, and null clears each new field', async () => {
    // Prepare
    const created = (await asStaff('/customers', { method: 'POST', body: { ...profile, city: 'Portland' } }))
      .json;
    // Act
    const set = await asStaff(`/customers/${created.id}`, { method: 'PATCH', body: extended });
    const cleared = await asStaff(`/customers/${created.id}`, {
      method: 'PATCH',
      body: Object.fromEntries(NEW_FIELDS.map((field) => [field, null])),
    });
    // Assess
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ ...extended, city: 'Portland', description: profile.description });
    expect(cleared.status).toBe(200);
    const nulls = Object.fromEntries(NEW_FIELDS.map((field) => [field, null]));
    expect(cleared.json).toMatchObject({ ...nulls, city: 'Portland', business_name: profile.business_name });
    expect((await asStaff(`/customers/${created.id}`)).json).toMatchObject(nulls);
    // The name is not optional: null is refused.
    const noName = await asStaff(`/customers/${created.id}`, {
      method: 'PATCH',
      body: { business_name: null },
    });
    expect(noName.status).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------------
// images
// ---------------------------------------------------------------------------------------------------
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A real PNG of random RGB pixels (incompressible: about width x height x 3 bytes). */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows = Buffer.alloc((width * 3 + 1) * height);
  const pixels = randomBytes(rows.length);
  for (let y = 0; y < height; y++)
    pixels.copy(rows, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// A 1x1 GIF and a 1x1 lossless WebP as encoders write them; the JPEG is only a JFIF header and frame
// markers (the API, like the submitter, checks an image's type by its magic number, not by decoding).
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=',
  'base64',
);

const upload = (id: string, contentType: string, bytes: Buffer | string, key?: string) =>
  api.key('staff').then(({ key: staffKey }) =>
    call(base, `/customers/${id}/logo`, {
      method: 'PUT',
      key: key ?? staffKey,
      body: {
        content_type: contentType,
        data_base64: typeof bytes === 'string' ? bytes : bytes.toString('base64'),
      },
    }),
  );

async function storedKeys(customerId: string): Promise<string[]> {
  const listed = await api.env.aws.s3.send(
    new ListObjectsV2Command({ Bucket: api.env.aws.assetsBucket, Prefix: `logos/${customerId}/` }),
  );
  return (listed.Contents ?? []).map((object) => object.Key!);
}

async function storedObject(key: string): Promise<{ bytes: Buffer; contentType: string | undefined }> {
  const object = await api.env.aws.s3.send(
    new GetObjectCommand({ Bucket: api.env.aws.assetsBucket, Key: key }),
  );
  return { bytes: Buffer.from(await object.Body!.transformToByteArray()), contentType: object.ContentType };
}

describe('PUT /customers/{id}/logo', () => {
  it('stores the image in the assets bucket, records it in the profile, and loadLogo reads the same bytes', async () => {
    // Prepare
    const customer = await insertCustomer(api.env.db.pool);
    const image = png(128, 128);
    expect(image.length).toBeGreaterThan(40_000);
    const sha = createHash('sha256').update(image).digest('hex');
    // Act
    const response = await upload(customer.id, 'image/png', image);
    // Assess
    expect(response.status).toBe(200);
    const ref: LogoRef = {
      key: `logos/${customer.id}/${sha}.png`,
      content_type: 'image/png',
      bytes: image.length,
    };
    expect(response.json).toMatchObject({ id: customer.id, logo: ref });
    expect((await asStaff(`/customers/${customer.id}`)).json.logo).toEqual(ref);
    expect((await customerRow(customer.id)).logo).toEqual(ref);
    const stored = await storedObject(ref.key);
    expect(stored.contentType).toBe('image/png');
    expect(stored.bytes.equals(image)).toBe(true);
    const loaded = await loadLogo(ref);
    expect(loaded.buffer.equals(image)).toBe(true);
    expect(loaded).toMatchObject({ mimeType: 'image/png', name: 'logo.png' });
    const audit = await api.env.db.pool.query(
      "select details from queue_history where event = 'customer_logo_set' and details->>'customer_id' = $1",
      [customer.id],
    );
    expect(audit.rows[0]?.details).toMatchObject({ logo: ref, actor: expect.stringMatching(/^staff:/) });
  });

  it.each([
    ['image/jpeg', JPEG, 'jpg'],
    ['image/gif', GIF, 'gif'],
    ['image/webp', WEBP, 'webp'],
  ] as const)('takes %s too, and a new image replaces the reference', async (type, image, extension) => {
    const customer = await insertCustomer(api.env.db.pool);
    expect((await upload(customer.id, 'image/png', png(4, 4))).status).toBe(200);
    // Act
    const response = await upload(customer.id, type, image);
    // Assess
    expect(response.status).toBe(200);
    expect(response.json.logo).toMatchObject({ content_type: type, bytes: image.length });
    expect(response.json.logo.key).toMatch(new RegExp(`^logos/${customer.id}/[0-9a-f]{64}\\.${extension}$`));
    const loaded = await loadLogo(response.json.logo);
    expect(loaded.buffer.equals(image)).toBe(true);
    expect(loaded).toMatchObject({ mimeType: type, name: `logo.${extension}` });
    // Both images are kept (earlier tasks may name the first); the profile names the second.
    expect(await storedKeys(customer.id)).toHaveLength(2);
  });

  it('refuses what is not the declared image with 400, storing nothing', async () => {
    // Prepare
    const customer = await insertCustomer(api.env.db.pool);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    const cases: [string, Buffer | string, string][] = [
      ['image/png', Buffer.from('hello, not an image'), 'data_base64: not a PNG, JPEG, WebP or GIF image'],
      ['image/png', svg, 'data_base64: not a PNG'],
      ['image/png', Buffer.concat([Buffer.from('x'), png(2, 2)]), 'data_base64: not a PNG'],
      ['image/jpeg', png(2, 2), 'content_type: the image is image/png, not the declared image/jpeg'],
      ['image/webp', GIF, 'content_type: the image is image/gif'],
      ['image/svg+xml', svg, 'content_type'],
      ['image/png', 'not base64!', 'data_base64'],
      ['image/png', 'iVBORw0KGgo', 'data_base64'], // unpadded
      ['image/png', '', 'data_base64'],
    ];
    for (const [type, data, message] of cases) {
      // Act
      const response = await upload(customer.id, type, data);
      // Assess
      expect([type, message, response.status]).toEqual([type, message, 400]);
      expect(response.json.error.message).toContain(message);
    }
    const extra = await asStaff(`/customers/${customer.id}/logo`, {
      method: 'PUT',
      body: { content_type: 'image/gif', data_base64: GIF.toString('base64'), url: 'https://evil.example' },
    });
    expect(extra.status).toBe(400);
    expect(await storedKeys(customer.id)).toEqual([]);
    expect((await customerRow(customer.id)).logo).toBeNull();
  });

  it('takes an image of exactly BUCKETS.assets.logoMaxBytes and refuses one byte more (413) or a body over the API limit (413)', async () => {
    // Prepare
    const customer = await insertCustomer(api.env.db.pool);
    const max = BUCKETS.assets.logoMaxBytes;
    const image = (bytes: number) =>
      Buffer.concat([PNG_SIGNATURE, randomBytes(bytes - PNG_SIGNATURE.length)]);
    // The largest logo fits in a body, with room to spare for the JSON around it.
    expect(Math.ceil(max / 3) * 4 + 100).toBeLessThan(API.maxBodyBytes);
    // Act
    const atMax = await upload(customer.id, 'image/png', image(max));
    const over = await upload(customer.id, 'image/png', image(max + 1));
    const huge = await upload(customer.id, 'image/png', image(200 * 1024));
    // Assess
    expect(atMax.status).toBe(200);
    expect(atMax.json.logo.bytes).toBe(max);
    expect(over.status).toBe(413);
    expect(over.json.error).toMatchObject({ code: 'payload_too_large' });
    expect(over.json.error.message).toContain(String(max));
    expect(huge.status).toBe(413);
    expect(await storedKeys(customer.id)).toEqual([atMax.json.logo.key]);
    expect((await customerRow(customer.id)).logo).toEqual(atMax.json.logo);
  });

  it('answers 404 for an unknown customer and stores nothing', async () => {
    const id = '00000000-0000-4000-8000-00000000beef';
    const response = await upload(id, 'image/gif', GIF);
    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe('not_found');
    expect(await storedKeys(id)).toEqual([]);
  });

  it('is for staff and admin: a customer key is refused (403), even for its own profile, and no key is 401', async () => {
    // Prepare
    const customer = await insertCustomer(api.env.db.pool);
    const own = (await api.key('customer', customer.id)).key;
    // Act
    const asCustomer = await upload(customer.id, 'image/gif', GIF, own);
    const clearAsCustomer = await call(base, `/customers/${customer.id}/logo`, {
      method: 'DELETE',
      key: own,
    });
    const anonymous = await call(base, `/customers/${customer.id}/logo`, {
      method: 'PUT',
      body: { content_type: 'image/gif', data_base64: GIF.toString('base64') },
    });
    const asAdmin = await upload(customer.id, 'image/gif', GIF, (await api.key('admin')).key);
    // Assess
    expect(asCustomer.status).toBe(403);
    expect(clearAsCustomer.status).toBe(403);
    expect(anonymous.status).toBe(401);
    expect(asAdmin.status).toBe(200);
    expect(await storedKeys(customer.id)).toEqual([asAdmin.json.logo.key]);
  });
});

describe('DELETE /customers/{id}/logo', () => {
  it('clears the profile’s logo (again: still cleared) and keeps the image', async () => {
    // Prepare
    const customer = await insertCustomer(api.env.db.pool);
    const uploaded = await upload(customer.id, 'image/gif', GIF);
    // Act
    const cleared = await asStaff(`/customers/${customer.id}/logo`, { method: 'DELETE' });
    const again = await asStaff(`/customers/${customer.id}/logo`, { method: 'DELETE' });
    // Assess
    expect(cleared.status).toBe(200);
    expect(cleared.json).toMatchObject({ id: customer.id, logo: null });
    expect(again.status).toBe(200);
    expect((await asStaff(`/customers/${customer.id}`)).json.logo).toBeNull();
    expect(await storedKeys(customer.id)).toEqual([uploaded.json.logo.key]);
    expect(
      (await asStaff('/customers/00000000-0000-4000-8000-00000000beef/logo', { method: 'DELETE' })).status,
    ).toBe(404);
  });
});

describe('DELETE /customers/{id}', () => {
  it("deletes every logo the customer uploaded, and no one else's", async () => {
    // Prepare
    const customer = await insertCustomer(api.env.db.pool);
    const neighbour = await insertCustomer(api.env.db.pool);
    await upload(customer.id, 'image/gif', GIF);
    await upload(customer.id, 'image/webp', WEBP); // the first stays stored: tasks may name it
    const kept = await upload(neighbour.id, 'image/gif', GIF);
    expect(await storedKeys(customer.id)).toHaveLength(2);
    // Act
    const deleted = await asStaff(`/customers/${customer.id}`, { method: 'DELETE' });
    // Assess
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({
      customer_id: customer.id,
      deleted: true,
      jobs_deleted: 0,
      logos_deleted: 2,
    });
    expect(await storedKeys(customer.id)).toEqual([]);
    expect(await storedKeys(neighbour.id)).toEqual([kept.json.logo.key]);
  });

  it('a refused deletion (a job in progress: 409) leaves the customer and its logos as they were', async () => {
    // Prepare
    const customer = await insertCustomer(api.env.db.pool);
    const uploaded = await upload(customer.id, 'image/gif', GIF);
    const directory = await api.env.db.pool.query<{ id: string }>('select id from directories limit 1');
    await rpc(api.env.db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [directory.rows[0]!.id],
    });
    // Act
    const refused = await asStaff(`/customers/${customer.id}`, { method: 'DELETE' });
    // Assess
    expect(refused.status).toBe(409);
    expect((await asStaff(`/customers/${customer.id}`)).json.logo.key).toBe(uploaded.json.logo.key);
    expect(await storedKeys(customer.id)).toEqual([uploaded.json.logo.key]);
  });

  it('removeCustomerLogos throws when S3 refuses (here: no such bucket), so the deletion can say so', async () => {
    const { removeCustomerLogos } = await import('../../../lambdas/customers/logo-removal');
    await expect(
      removeCustomerLogos(
        api.env.aws.s3,
        'directorybolt-no-such-bucket',
        '00000000-0000-4000-8000-000000000001',
      ),
    ).rejects.toThrow();
  });
});

describe('loadLogo', () => {
  it('refuses a stored object that is not what its reference says, and a reference that is not one', async () => {
    // Prepare: a reference recorded for one image, whose object was then overwritten by other bytes
    const customer = await insertCustomer(api.env.db.pool);
    const ref = (await upload(customer.id, 'image/gif', GIF)).json.logo as LogoRef;
    await api.env.aws.s3.send(
      new PutObjectCommand({
        Bucket: api.env.aws.assetsBucket,
        Key: ref.key,
        Body: Buffer.from('GIF89a but not'),
      }),
    );
    // Act / Assess
    await expect(loadLogo(ref)).rejects.toThrow(/is not the/);
    await expect(loadLogo({ ...ref, key: `logos/${customer.id}/missing.gif` })).rejects.toThrow();
    await expect(loadLogo({ ...ref, content_type: 'image/svg+xml' } as unknown as LogoRef)).rejects.toThrow();
  });
});
