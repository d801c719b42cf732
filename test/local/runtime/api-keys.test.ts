import { createApiKey, databaseKeyStore } from '../../../local/runtime/api-keys';
import { generateApiKey } from '../../../lambdas/http/auth';
import { createTestDatabase, insertCustomer, type TestDatabase } from '../../support/database';

/** The local gateway's key store: what API Gateway knows about a key, and how long it remembers it. */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

it("knows a new key at once with its tier's plan, remembers it for reuseMs, then reads it again", async () => {
  let clock = 0;
  const store = databaseKeyStore(db.pool, { reuseMs: 10_000, now: () => clock });
  const customer = await insertCustomer(db.pool, { tier: 'starter' });
  const unknown = generateApiKey().key;

  expect(await store(unknown)).toBeUndefined();
  const issued = await createApiKey(db.pool, { role: 'customer', customerId: customer.id, key: unknown });
  const first = await store(unknown); // unknown answers were not remembered
  await db.pool.query("update customers set tier = 'pro' where id = $1", [customer.id]);
  clock = 9_999;
  const remembered = await store(unknown);
  clock = 10_000;
  const reread = await store(unknown);

  expect(first).toEqual({ id: issued.key_id, plan: 'starter' });
  expect(remembered).toEqual({ id: issued.key_id, plan: 'starter' });
  expect(reread).toEqual({ id: issued.key_id, plan: 'pro' });
});

it('puts staff and admin keys on the enterprise plan', async () => {
  const store = databaseKeyStore(db.pool);
  const staff = await createApiKey(db.pool, { role: 'staff' });

  expect(await store(staff.key)).toEqual({ id: staff.key_id, plan: 'enterprise' });
});
