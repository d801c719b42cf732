import { createApiKey, rotateApiKey } from '../../../local/runtime/api-keys';
import { API_ACCESS } from '../../../lambdas/platform/system-config';
import { captureOutput, type CapturedOutput } from '../../support/log-capture';
import { registerSecret } from '../../support/log-scan';
import { call, startApi, type ApiFixture } from './api-client';

/**
 * Key rotation with a grace period and keys with an expiry, over HTTP (local gateway -> real handlers
 * -> Postgres). Time passes on the database's clock: a key's timestamps are moved back, no sleeping.
 */
let api: ApiFixture;
let base: string;
let output: CapturedOutput;

beforeAll(async () => {
  output = captureOutput();
  // WARN: the rotated-key warnings are what one test reads.
  api = await startApi({ logLevel: 'WARN' });
  base = api.gateway.url;
});

afterAll(async () => {
  await api?.stop();
  output?.restore();
});

/** As if the key had been created (and rotated) this long ago. */
async function age(keyId: string, seconds: number) {
  await api.env.db.pool.query(
    `update api_keys set created_at = created_at - make_interval(secs => $2),
            expires_at = expires_at - make_interval(secs => $2) where id = $1`,
    [keyId, seconds],
  );
}

/** The JSON log lines written since `from` (the handlers log to stdout in this process). */
function logLinesSince(from: number): Record<string, unknown>[] {
  return output
    .text()
    .slice(from)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

it('after a rotation both keys work for the grace period, each use of the old one is logged; then only the new one', async () => {
  // Prepare
  const old = await api.key('staff');
  const rotated = await rotateApiKey(api.env.db.pool, old.key_id);
  registerSecret(rotated.key);
  const mark = output.text().length;
  // Act
  const withOld = await call(base, '/jobs?limit=1', { key: old.key });
  const withNew = await call(base, '/jobs?limit=1', { key: rotated.key });
  // Assess
  expect(withOld.status).toBe(200);
  expect(withNew.status).toBe(200);
  const warnings = logLinesSince(mark).filter((line) => line.message === 'API key used after its rotation');
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({
    level: 'WARN',
    key_id: old.key_id,
    replaced_by: rotated.key_id,
    stops_working_at: expect.any(String),
  });
  const graceEnds = new Date(warnings[0]!.stops_working_at as string).getTime();
  expect(graceEnds).toBe(new Date(rotated.old_key_expires_at!).getTime());
  expect(output.text().slice(mark)).not.toContain(old.key);

  // Act: the grace period has passed
  await age(old.key_id, API_ACCESS.rotationGraceSeconds + 1);
  const afterGrace = await call(base, '/jobs?limit=1', { key: old.key });
  // Assess
  expect(afterGrace.status).toBe(403);
  expect(afterGrace.json.error).toMatchObject({ code: 'api_key_expired' });
  expect((await call(base, '/jobs?limit=1', { key: rotated.key })).status).toBe(200);
});

it('a key with an expiry works until it and is refused with 403 api_key_expired after', async () => {
  const issued = await createApiKey(api.env.db.pool, {
    role: 'staff',
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  registerSecret(issued.key);
  expect((await call(base, '/jobs?limit=1', { key: issued.key })).status).toBe(200);

  await age(issued.key_id, 3601);
  const expired = await call(base, '/jobs?limit=1', { key: issued.key, from: '127.0.0.5' });
  expect(expired.status).toBe(403);
  expect(expired.json.error).toMatchObject({ code: 'api_key_expired' });
  expect(expired.headers['x-ratelimit-remaining']).toBe('4'); // a failed attempt for its IP
});

it('a rotation with no grace (a leaked key) stops the old key at once', async () => {
  const old = await api.key('admin');
  const rotated = await rotateApiKey(api.env.db.pool, old.key_id, 0);
  registerSecret(rotated.key);
  const refused = await call(base, '/jobs?limit=1', { key: old.key, from: '127.0.0.6' });
  expect(refused.status).toBe(403);
  expect(refused.json.error).toMatchObject({ code: 'api_key_revoked' });
  expect(rotated.old_key_expires_at).toBeNull();
  expect((await call(base, '/jobs?limit=1', { key: rotated.key })).status).toBe(200);
});
