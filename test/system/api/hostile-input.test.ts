import { tableCounts } from '../../support/database';
import { call, startApi, type ApiFixture } from './api-client';

/**
 * Hostile input on every parameter of the jobs and queue endpoints: SQL injection strings, script
 * tags, NUL and lone surrogates, huge and deeply nested bodies. Never a 5xx, never a change.
 */
let api: ApiFixture;
let base: string;
let staff: string;
let jobId: string;

const HOSTILE = [
  "' OR 1=1 --",
  "'; drop table jobs; --",
  '<script>alert(1)</script>',
  '\u0000',
  '\ud800',
  '../../etc/passwd',
  '%00',
  '{"$gt":""}',
  'x'.repeat(1500),
];

beforeAll(async () => {
  api = await startApi();
  base = api.gateway.url;
  staff = (await api.key('staff')).key;
  const created = await call(base, '/jobs', {
    method: 'POST',
    key: staff,
    body: { customer_id: api.env.demoCustomerId, directory_ids: [api.env.demoDirectories[0]!.id] },
  });
  jobId = created.json.job_id;
});

afterAll(async () => {
  await api?.stop();
});

async function counts() {
  const jobs = await api.env.db.pool.query(
    'select id, version, notes, priority, status from jobs order by id',
  );
  return { ...(await tableCounts(api.env.db.pool)), jobs: jobs.rows };
}

it('answers hostile values in paths, queries, headers and bodies with 4xx and changes nothing', async () => {
  const before = await counts();
  const statuses: number[] = [];
  // A lone surrogate has no UTF-8 form: in URLs it goes as the bytes an encoder would wrongly produce.
  const enc = (v: string) => {
    try {
      return encodeURIComponent(v);
    } catch {
      return '%ED%A0%80';
    }
  };
  for (const value of HOSTILE) {
    const jsonValue = JSON.stringify(value); // keeps a lone surrogate as its \ud800 escape
    const requests: Parameters<typeof call>[2][] = [
      { method: 'GET' },
      { method: 'PATCH', body: `{"notes":${jsonValue}}`, headers: { 'if-match': '"99"' } },
      { method: 'POST' },
    ];
    const paths = [`/jobs/${enc(value)}`, `/jobs/${enc(value)}/cancel`, `/queue/${enc(value)}`];
    for (const path of paths) {
      for (const init of requests) statuses.push((await call(base, path, { key: staff, ...init })).status);
    }
    for (const param of [
      'status',
      'customer_id',
      'created_from',
      'created_to',
      'limit',
      'cursor',
      enc(value),
    ]) {
      statuses.push((await call(base, `/jobs?${param}=${enc(value)}`, { key: staff })).status);
    }
    const bodies = [
      `{"customer_id":${jsonValue},"directory_ids":["${api.env.demoDirectories[0]!.id}"]}`,
      `{"customer_id":"${api.env.demoCustomerId}","directory_ids":[${jsonValue}]}`,
      `{"customer_id":"${api.env.demoCustomerId}","directory_ids":["${api.env.demoDirectories[0]!.id}"],"priority":${jsonValue}}`,
      `{${jsonValue}:1}`,
    ];
    for (const body of bodies)
      statuses.push((await call(base, '/jobs', { method: 'POST', key: staff, body })).status);
    // Hostile header values.
    const asciiOnly = value.replace(/[^\x20-\x7e]/g, '?');
    statuses.push(
      (
        await call(base, `/jobs/${jobId}`, {
          method: 'PATCH',
          key: staff,
          body: { notes: 'never stored' },
          headers: { 'if-match': asciiOnly.slice(0, 200) },
        })
      ).status,
    );
    statuses.push((await call(base, '/jobs', { key: `${asciiOnly.slice(0, 200)}x` })).status);
  }
  // The stale-but-valid PATCH is a 412; the one real notes value must not have been stored.
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  expect(statuses.every((s) => s >= 400 && s < 500)).toBe(true);
  expect(await counts()).toEqual(before);
});

it('refuses NUL and invalid Unicode in strings, naming the field', async () => {
  const response = await call(base, `/jobs/${jobId}`, {
    method: 'PATCH',
    key: staff,
    body: '{"notes":"a\\u0000b"}',
    headers: { 'if-match': '"1"' },
  });
  const surrogate = await call(base, `/jobs/${jobId}`, {
    method: 'PATCH',
    key: staff,
    body: '{"notes":"\\udc00"}',
    headers: { 'if-match': '"1"' },
  });
  expect(response.status).toBe(400);
  expect(response.json.error.message).toContain('notes');
  expect(surrogate.status).toBe(400);
});

it('refuses deeply nested and oversized bodies without a 5xx', async () => {
  const before = await counts();
  const deep = `{"customer_id":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  const wide = JSON.stringify({
    customer_id: api.env.demoCustomerId,
    directory_ids: Array.from({ length: 5000 }, () => crypto.randomUUID()),
  });
  const huge = JSON.stringify({ notes: 'x'.repeat(300 * 1024) });

  const nested = await call(base, '/jobs', { method: 'POST', key: staff, body: deep });
  const tooMany = await call(base, '/jobs', { method: 'POST', key: staff, body: wide });
  const tooLarge = await call(base, `/jobs/${jobId}`, {
    method: 'PATCH',
    key: staff,
    body: huge,
    headers: { 'if-match': '"1"' },
  });
  const longUrl = await call(base, `/jobs?cursor=${'a'.repeat(2100)}`, { key: staff });

  expect(nested.status).toBe(400);
  expect(nested.json.error.message).toContain('nested');
  expect(tooMany.status).toBe(400);
  expect(tooMany.json.error.message).toContain('directory_ids');
  expect(tooLarge.status).toBe(413);
  expect(longUrl.status).toBe(414);
  for (const r of [nested, tooMany, tooLarge, longUrl]) {
    expect(r.json.error.correlation_id).toEqual(expect.any(String));
    expect(r.text).not.toMatch(/\bat .+\.ts:\d+/);
  }
  expect(await counts()).toEqual(before);
});
