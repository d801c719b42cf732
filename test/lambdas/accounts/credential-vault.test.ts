import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { generateAccountPassword } from '../../../lambdas/accounts/account-password';
import {
  CredentialVaultError,
  openCredentials,
  sealCredentials,
  sealedCredentialsSchema,
  type SealedCredentials,
} from '../../../lambdas/accounts/credential-vault';
import { kms as lazyKms } from '../../../lambdas/platform/kms-client';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/emulators/sqs-s3';
import { startLocalKms, type LocalKms } from '../../../local/emulators/kms';
import { registered } from '../../support/log-scan';

/**
 * The credential vault through the real @aws-sdk/client-kms against the local KMS emulator: what is
 * sealed opens only for the same customer and directory, and any alteration is refused.
 */
let localKms: LocalKms;
let client: KMSClient;
let deps: { kms: KMSClient; keyId: string };

const plain = {
  username: 'listings+3f2a@submit.directorybolt.test',
  password: registered(generateAccountPassword()),
};
const context = { customerId: randomUUID(), directoryId: randomUUID() };

beforeAll(async () => {
  localKms = await startLocalKms();
  client = new KMSClient({
    endpoint: localKms.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  deps = { kms: client, keyId: localKms.defaultKeyArn };
});

afterAll(async () => {
  client?.destroy();
  await localKms?.stop();
});

/** The error `promise` rejects with, which must be a CredentialVaultError. */
async function vaultError(promise: Promise<unknown>): Promise<CredentialVaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialVaultError);
  return error as CredentialVaultError;
}

/** Nothing secret or sealed in an error's message. */
function expectNoSecretIn(message: string, sealed?: SealedCredentials): void {
  for (const secret of [
    plain.password,
    plain.username,
    ...(sealed ? [sealed.ct, sealed.edk, sealed.tag] : []),
  ]) {
    expect(message.includes(secret)).toBe(false);
  }
}

/** `sealed` with one byte of a base64 field flipped. */
function flipped(sealed: SealedCredentials, field: 'ct' | 'tag' | 'edk', at = 0): SealedCredentials {
  const bytes = Buffer.from(sealed[field], 'base64');
  bytes[at] = (bytes[at] as number) ^ 0x01;
  return { ...sealed, [field]: bytes.toString('base64') };
}

it('seals into a versioned JSON envelope that opens to the same credentials', async () => {
  const sealed = await sealCredentials(plain, context, deps);
  const stored: unknown = JSON.parse(JSON.stringify(sealed)); // as a jsonb column gives it back

  expect(sealed).toEqual({
    v: 1,
    alg: 'AES-256-GCM',
    key_id: localKms.defaultKeyArn,
    edk: expect.any(String),
    iv: expect.any(String),
    tag: expect.any(String),
    ct: expect.any(String),
  });
  expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
  expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
  expect(JSON.stringify(sealed).includes(plain.password)).toBe(false);
  expect(await openCredentials(stored, context, deps)).toEqual(plain);
});

it('uses a fresh data key and IV for every seal', async () => {
  const first = await sealCredentials(plain, context, deps);
  const second = await sealCredentials(plain, context, deps);

  expect(second.edk).not.toBe(first.edk);
  expect(second.iv).not.toBe(first.iv);
  expect(second.ct).not.toBe(first.ct);
});

it('opens with the ids in any letter case (UUIDs), since the context is lowercased', async () => {
  const sealed = await sealCredentials(plain, context, deps);
  const upper = {
    customerId: context.customerId.toUpperCase(),
    directoryId: context.directoryId.toUpperCase(),
  };

  expect(await openCredentials(sealed, upper, deps)).toEqual(plain);
});

it.each([
  ['another customer', { ...context, customerId: randomUUID() }],
  ['another directory', { ...context, directoryId: randomUUID() }],
])('refuses to open for %s (KMS refuses the context)', async (_, otherContext) => {
  const sealed = await sealCredentials(plain, context, deps);

  const error = await vaultError(openCredentials(sealed, otherContext, deps));

  expect(error.reason).toBe('refused');
  expect(error.message).toContain('InvalidCiphertextException');
  expectNoSecretIn(error.message, sealed);
});

it.each(['ct', 'tag'] as const)('refuses an altered %s: the GCM tag does not verify', async (field) => {
  const sealed = await sealCredentials(plain, context, deps);

  const error = await vaultError(openCredentials(flipped(sealed, field, 3), context, deps));

  expect(error.reason).toBe('refused');
  expect(error.message).toMatch(/failed authentication/);
  expectNoSecretIn(error.message, sealed);
});

it('refuses an altered edk: KMS does not decrypt it', async () => {
  const sealed = await sealCredentials(plain, context, deps);

  const inBody = await vaultError(openCredentials(flipped(sealed, 'edk', 60), context, deps));
  const inKeyId = await vaultError(openCredentials(flipped(sealed, 'edk', 5), context, deps));

  expect([inBody.reason, inKeyId.reason]).toEqual(['refused', 'refused']);
  expectNoSecretIn(inBody.message, sealed);
});

it("refuses another envelope's edk with this ciphertext (a different data key)", async () => {
  const sealed = await sealCredentials(plain, context, deps);
  const other = await sealCredentials({ username: 'other', password: 'other-password-1A!' }, context, deps);

  const error = await vaultError(openCredentials({ ...sealed, edk: other.edk }, context, deps));

  expect(error.reason).toBe('refused');
  expect(error.message).toMatch(/failed authentication/);
});

it('refuses an envelope whose key_id names another key (KMS IncorrectKeyException)', async () => {
  const sealed = await sealCredentials(plain, context, deps);
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ Description: 'another key' }));

  const error = await vaultError(openCredentials({ ...sealed, key_id: KeyMetadata?.Arn }, context, deps));

  expect(error.reason).toBe('refused');
  expect(error.message).toContain('IncorrectKeyException');
});

describe('the sealed envelope schema', () => {
  const valid: SealedCredentials = {
    v: 1,
    alg: 'AES-256-GCM',
    key_id: 'arn:aws:kms:us-east-1:000000000000:key/1',
    edk: Buffer.alloc(40, 1).toString('base64'),
    iv: Buffer.alloc(12, 2).toString('base64'),
    tag: Buffer.alloc(16, 3).toString('base64'),
    ct: Buffer.alloc(30, 4).toString('base64'),
  };

  it('accepts what a seal writes', () => {
    expect(sealedCredentialsSchema.safeParse(valid).success).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['null', null, '(root)'],
    ['a string', JSON.stringify(valid), '(root)'],
    ['another version', { ...valid, v: 2 }, 'v'],
    ['another algorithm', { ...valid, alg: 'AES-128-CBC' }, 'alg'],
    ['an 8-byte IV', { ...valid, iv: Buffer.alloc(8).toString('base64') }, 'iv'],
    ['a tag that is not base64', { ...valid, tag: '!'.repeat(24) }, 'tag'],
    ['no edk', { ...valid, edk: undefined }, 'edk'],
    ['an unknown field', { ...valid, plaintext: 'x' }, '(root)'],
    ['a ciphertext too long for credentials', { ...valid, ct: 'AAAA'.repeat(2049) }, 'ct'],
  ])('refuses %s as malformed, naming the field', async (_, junk, field) => {
    const error = await vaultError(openCredentials(junk, context, deps));

    expect(sealedCredentialsSchema.safeParse(junk).success).toBe(false);
    expect(error.reason).toBe('malformed');
    expect(error.message).toContain(`${field}:`);
  });
});

it('seals and opens the longest credentials it accepts, even in escaped characters', async () => {
  const longest = { username: '\u0001'.repeat(320), password: '\u0002'.repeat(256) };

  const sealed = await sealCredentials(longest, context, deps);

  expect(await openCredentials(sealed, context, deps)).toEqual(longest);
});

it('refuses invalid input to seal: ids that are not UUIDs, an empty password', async () => {
  const badContext = await vaultError(sealCredentials(plain, { ...context, customerId: 'cust-1' }, deps));
  const emptyPassword = await vaultError(sealCredentials({ ...plain, password: '' }, context, deps));

  expect([badContext.reason, emptyPassword.reason]).toEqual(['invalid-input', 'invalid-input']);
  expect(badContext.message).toContain('customerId:');
  expect(emptyPassword.message).toContain('password:');
  expectNoSecretIn(badContext.message);
});

it('reports KMS being unreachable or misconfigured as kms-failed, with the SDK error as cause', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const unreachable = new KMSClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });

  const down = await vaultError(sealCredentials(plain, context, { kms: unreachable, keyId: deps.keyId }));
  const unknownKey = await vaultError(sealCredentials(plain, context, { ...deps, keyId: randomUUID() }));
  unreachable.destroy();

  expect(down.reason).toBe('kms-failed');
  expect(down.cause).toBeInstanceOf(Error);
  expect(unknownKey.reason).toBe('kms-failed');
  expect(unknownKey.message).toContain('NotFoundException');
});

it('works through the lambdas’ lazy KMS client, configured only by the SDK’s environment variables', async () => {
  const names = ['AWS_ENDPOINT_URL_KMS', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
  const saved = names.map((name) => process.env[name]);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_KMS: localKms.endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
  try {
    const sealed = await sealCredentials(plain, context, { kms: lazyKms, keyId: localKms.defaultKeyArn });

    expect(await openCredentials(sealed, context, { kms: client })).toEqual(plain);
  } finally {
    names.forEach((name, i) => {
      if (saved[i] === undefined) delete process.env[name];
      else process.env[name] = saved[i];
    });
  }
});
