import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  KMSServiceException,
  NotFoundException,
  UnsupportedOperationException,
} from '@aws-sdk/client-kms';
import { openCredentials, sealCredentials } from '../../../lambdas/accounts/credential-vault';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/emulators/sqs-s3';
import { MAX_REQUEST_BYTES, startLocalKms, type LocalKms } from '../../../local/emulators/kms';

/** The local KMS, driven by the real @aws-sdk/client-kms and, for what the SDK never sends, raw HTTP. */
let localKms: LocalKms;
let client: KMSClient;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kms-emulator-'));

const clientFor = (kms: LocalKms) =>
  new KMSClient({
    endpoint: kms.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });

beforeAll(async () => {
  localKms = await startLocalKms();
  client = clientFor(localKms);
});

afterAll(async () => {
  client?.destroy();
  await localKms?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** The error `promise` rejects with. */
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as KMSServiceException,
  );

/** A raw request to the emulator, as a client that is not the SDK might send it. */
async function post(body: string, headers: Record<string, string>) {
  const response = await fetch(`${localKms.endpoint}/`, { method: 'POST', body, headers });
  return { status: response.status, body: (await response.json()) as unknown };
}

it('creates and describes symmetric keys, answering with ARNs', async () => {
  const created = await client.send(new CreateKeyCommand({ Description: 'vault key' }));
  const keyId = created.KeyMetadata?.KeyId as string;
  const byId = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  const byArn = await client.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata?.Arn }));

  expect(byId.KeyMetadata).toMatchObject({
    KeyId: keyId,
    Arn: `arn:aws:kms:us-east-1:000000000000:key/${keyId}`,
    Description: 'vault key',
    KeyState: 'Enabled',
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
  });
  expect(byId.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
  expect(byArn.KeyMetadata?.KeyId).toBe(keyId);
});

it('makes data keys that decrypt with the same context, in any key order', async () => {
  const made = await client.send(
    new GenerateDataKeyCommand({
      KeyId: localKms.defaultKeyArn,
      KeySpec: 'AES_256',
      EncryptionContext: { customer_id: 'c1', directory_id: 'd1' },
    }),
  );
  const opened = await client.send(
    new DecryptCommand({
      CiphertextBlob: made.CiphertextBlob,
      EncryptionContext: { directory_id: 'd1', customer_id: 'c1' },
    }),
  );
  const short = await client.send(
    new GenerateDataKeyCommand({ KeyId: localKms.defaultKeyArn, NumberOfBytes: 16 }),
  );

  expect(made.KeyId).toBe(localKms.defaultKeyArn);
  expect(made.Plaintext).toHaveLength(32);
  expect(Buffer.from(opened.Plaintext as Uint8Array)).toEqual(Buffer.from(made.Plaintext as Uint8Array));
  expect(opened.KeyId).toBe(localKms.defaultKeyArn);
  expect(short.Plaintext).toHaveLength(16);
});

it('refuses a changed, missing or extra context with InvalidCiphertextException (400)', async () => {
  const context = { customer_id: 'c1', purpose: 'directory-account' };
  const { CiphertextBlob } = await client.send(
    new GenerateDataKeyCommand({
      KeyId: localKms.defaultKeyArn,
      KeySpec: 'AES_256',
      EncryptionContext: context,
    }),
  );

  const errors = await Promise.all(
    [{ ...context, customer_id: 'c2' }, undefined, { ...context, extra: 'x' }].map((EncryptionContext) =>
      rejection(client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext }))),
    ),
  );

  for (const error of errors) {
    expect(error).toBeInstanceOf(InvalidCiphertextException);
    expect(error?.$metadata.httpStatusCode).toBe(400);
  }
});

it('names the wrong key (IncorrectKeyException) and an unknown one (NotFoundException)', async () => {
  const { CiphertextBlob } = await client.send(
    new GenerateDataKeyCommand({ KeyId: localKms.defaultKeyArn, KeySpec: 'AES_256' }),
  );
  const other = await client.send(new CreateKeyCommand({}));

  const wrongKey = await rejection(
    client.send(new DecryptCommand({ CiphertextBlob, KeyId: other.KeyMetadata?.Arn })),
  );
  const unknown = await rejection(
    client.send(new GenerateDataKeyCommand({ KeyId: randomUUID(), KeySpec: 'AES_256' })),
  );

  expect(wrongKey).toBeInstanceOf(IncorrectKeyException);
  expect(unknown).toBeInstanceOf(NotFoundException);
});

it('asks for exactly one of KeySpec and NumberOfBytes (ValidationException)', async () => {
  const both = await rejection(
    client.send(
      new GenerateDataKeyCommand({ KeyId: localKms.defaultKeyArn, KeySpec: 'AES_256', NumberOfBytes: 32 }),
    ),
  );
  const neither = await rejection(client.send(new GenerateDataKeyCommand({ KeyId: localKms.defaultKeyArn })));

  expect([both?.name, neither?.name]).toEqual(['ValidationException', 'ValidationException']);
  expect(both).toBeInstanceOf(KMSServiceException);
});

it('answers other operations with UnsupportedOperationException, which the SDK raises as its class', async () => {
  const error = await rejection(
    client.send(new EncryptCommand({ KeyId: localKms.defaultKeyArn, Plaintext: Buffer.from('x') })),
  );

  expect(error).toBeInstanceOf(UnsupportedOperationException);
  expect(error?.$metadata.httpStatusCode).toBe(400);
});

it("answers bad JSON, a wrong content type and an oversized body in KMS's error shape", async () => {
  const headers = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'TrentService.DescribeKey',
  };

  const badJson = await post('{"KeyId":', headers);
  const wrongType = await post('{}', { ...headers, 'content-type': 'text/plain' });
  const oversized = await post(' '.repeat(MAX_REQUEST_BYTES + 1), headers);

  expect(badJson).toEqual({
    status: 400,
    body: { __type: 'SerializationException', message: 'The request body is not JSON' },
  });
  expect(wrongType).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
  expect(oversized).toMatchObject({ status: 413, body: { __type: 'RequestEntityTooLargeException' } });
});

it('keeps keys in keyMaterialFile (mode 0600): credentials sealed before a restart open after it', async () => {
  const keyMaterialFile = path.join(tmp, 'persisted', 'kms-keys.json');
  const context = { customerId: randomUUID(), directoryId: randomUUID() };
  const plain = { username: 'listings@submit.directorybolt.test', password: 'kept-across-restarts-1A!' };

  const before = await startLocalKms({ keyMaterialFile });
  const beforeClient = clientFor(before);
  const sealed = await sealCredentials(plain, context, { kms: beforeClient, keyId: before.defaultKeyArn });
  beforeClient.destroy();
  await before.stop();

  const after = await startLocalKms({ keyMaterialFile });
  const afterClient = clientFor(after);
  const opened = await openCredentials(sealed, context, { kms: afterClient });
  afterClient.destroy();
  await after.stop();

  expect(after.defaultKeyArn).toBe(before.defaultKeyArn);
  expect(after.endpoint).not.toBe(before.endpoint);
  expect(opened).toEqual(plain);
  expect(statSync(keyMaterialFile).mode & 0o777).toBe(0o600);
});

it('keeps keys in memory only without a file: after a restart the same envelope is refused', async () => {
  const context = { customerId: randomUUID(), directoryId: randomUUID() };
  const sealed = await sealCredentials({ username: 'u', password: 'p' }, context, {
    kms: client,
    keyId: localKms.defaultKeyArn,
  });
  const fresh = await startLocalKms();
  const freshClient = clientFor(fresh);

  const error = await rejection(openCredentials(sealed, context, { kms: freshClient }));
  freshClient.destroy();
  await fresh.stop();

  expect(error).toMatchObject({ name: 'CredentialVaultError', reason: 'refused' });
});

it('refuses to start on a key file it cannot read, rather than replace the keys', async () => {
  const keyMaterialFile = path.join(tmp, 'corrupt.json');
  writeFileSync(keyMaterialFile, '{"v":1,"keys":[{"id":"x"}]}');

  await expect(startLocalKms({ keyMaterialFile })).rejects.toThrow(/is not a key material file/);
});
