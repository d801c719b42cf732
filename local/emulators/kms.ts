/**
 * A small KMS on loopback, so the credential vault (lambdas/accounts/credential-vault.ts) runs locally
 * through the same @aws-sdk/client-kms calls as in AWS: AWS_ENDPOINT_URL_KMS points the SDK here.
 *
 * What it reproduces: the JSON 1.1 protocol (POST /, `X-Amz-Target: TrentService.<Op>`, base64
 * blobs, errors as `{"__type", "message"}` with KMS's exception names, so the SDK raises its own
 * exception classes) for CreateKey, DescribeKey, GenerateDataKey and Decrypt of symmetric keys; key
 * ids as ids or ARNs; ciphertext blobs that carry their key id and are bound to the encryption
 * context (any change to either, or to the blob, is an InvalidCiphertextException, as in KMS).
 *
 * What it leaves out: SigV4 signatures are not checked (any credentials do), nor IAM, key policies,
 * grants or dry runs; no aliases, key rotation, Encrypt/ReEncrypt, asymmetric or HMAC keys, nor
 * CloudTrail. Every other operation answers UnsupportedOperationException. Blobs are not KMS's
 * format and open only here.
 *
 * Master keys are random per key and live in memory, or in `keyMaterialFile` (mode 0600) when given,
 * so credentials sealed into a kept local database still open after a restart. That file is the
 * only protection of those credentials: it is for local data, never for real customers'.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { LOCAL_REGION } from './sqs-s3';

/** The account in key ARNs: the placeholder AWS's own local tools use. */
export const LOCAL_KMS_ACCOUNT = '000000000000';
/** Larger than any request of the four operations (a Decrypt blob is at most 6144 bytes in base64). */
export const MAX_REQUEST_BYTES = 64 * 1024;

export interface LocalKms {
  endpoint: string;
  /** ARN of a key that always exists: the first key in keyMaterialFile, created on first start. */
  defaultKeyArn: string;
  stop(): Promise<void>;
}

interface MasterKey {
  id: string;
  material: Buffer;
  /** Seconds since the epoch, as KMS reports CreationDate. */
  created: number;
  description: string;
}

const keyFileSchema = z.strictObject({
  v: z.literal(1),
  keys: z.array(
    z.strictObject({
      id: z.uuid(),
      material: z.base64().refine((value) => Buffer.from(value, 'base64').length === 32, '32 bytes'),
      created: z.number(),
      description: z.string(),
    }),
  ),
});

/** A KMS error: its exception name, its message, its status. */
class KmsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const BLOB_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_CHARS = 36;
const BLOB_HEADER_BYTES = 1 + KEY_ID_CHARS + IV_BYTES + TAG_BYTES;
const MAX_BLOB_BYTES = 6144;
const CIPHERTEXT_MISMATCH =
  'The ciphertext is invalid, altered, or was made with another key or encryption context';

const base64Blob = z.base64().min(1);
const keyIdField = z.string().min(1).max(2048);
/** KMS: string keys and values, at most 8192 characters in all. */
const encryptionContext = z
  .record(z.string().min(1), z.string())
  .refine(
    (context) => Object.entries(context).reduce((n, [k, v]) => n + k.length + v.length, 0) <= 8192,
    'EncryptionContext over 8192 characters',
  );

const requests = {
  CreateKey: z.looseObject({
    Description: z.string().max(8192).optional(),
    KeyUsage: z.literal('ENCRYPT_DECRYPT').optional(),
    KeySpec: z.literal('SYMMETRIC_DEFAULT').optional(),
  }),
  DescribeKey: z.looseObject({ KeyId: keyIdField }),
  GenerateDataKey: z.looseObject({
    KeyId: keyIdField,
    KeySpec: z.enum(['AES_256', 'AES_128']).optional(),
    NumberOfBytes: z.number().int().min(1).max(1024).optional(),
    EncryptionContext: encryptionContext.optional(),
  }),
  Decrypt: z.looseObject({
    CiphertextBlob: base64Blob,
    KeyId: keyIdField.optional(),
    EncryptionContext: encryptionContext.optional(),
    EncryptionAlgorithm: z.literal('SYMMETRIC_DEFAULT').optional(),
  }),
};
type Operation = keyof typeof requests;

/** Starts the emulator on 127.0.0.1 (`port` 0: any free port). */
export async function startLocalKms(
  options: { port?: number; keyMaterialFile?: string } = {},
): Promise<LocalKms> {
  const keys = loadKeys(options.keyMaterialFile);
  const save = () => {
    if (options.keyMaterialFile) saveKeys(options.keyMaterialFile, keys);
  };
  const createKey = (description: string) => {
    const key = {
      id: randomUUID(),
      material: randomBytes(32),
      created: Math.floor(Date.now() / 1000),
      description,
    };
    keys.set(key.id, key);
    save();
    return key;
  };
  const defaultKey = keys.values().next().value ?? createKey('default key of the local runtime');

  const operations: { [Op in Operation]: (input: z.infer<(typeof requests)[Op]>) => object } = {
    CreateKey: (input) => ({ KeyMetadata: metadata(createKey(input.Description ?? '')) }),
    DescribeKey: (input) => ({ KeyMetadata: metadata(findKey(keys, input.KeyId)) }),
    GenerateDataKey: (input) => {
      const key = findKey(keys, input.KeyId);
      const bytes = dataKeyBytes(input.KeySpec, input.NumberOfBytes);
      const plaintext = randomBytes(bytes);
      const blob = seal(key, plaintext, input.EncryptionContext ?? {});
      return {
        KeyId: arn(key.id),
        Plaintext: plaintext.toString('base64'),
        CiphertextBlob: blob.toString('base64'),
      };
    },
    Decrypt: (input) => {
      const blob = Buffer.from(input.CiphertextBlob, 'base64');
      if (blob.length > MAX_BLOB_BYTES)
        throw new KmsFault('ValidationException', 'CiphertextBlob is too long');
      const { keyId, open } = unpack(blob);
      const key = keys.get(keyId);
      if (!key) throw new KmsFault('InvalidCiphertextException', CIPHERTEXT_MISMATCH);
      if (input.KeyId !== undefined && findKey(keys, input.KeyId).id !== key.id) {
        throw new KmsFault(
          'IncorrectKeyException',
          'The key ID in the request does not identify the key that encrypted the ciphertext',
        );
      }
      const plaintext = open(key, input.EncryptionContext ?? {});
      return {
        KeyId: arn(key.id),
        Plaintext: plaintext.toString('base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
  };

  const server = createServer((request, response) => {
    void handle(request, response, operations).catch(() => {
      if (!response.headersSent)
        reply(response, 500, { __type: 'KMSInternalException', message: 'internal error' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    defaultKeyArn: arn(defaultKey.id),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  operations: { [Op in Operation]: (input: never) => object },
): Promise<void> {
  try {
    if (request.method !== 'POST' || request.url !== '/') {
      throw new KmsFault('UnsupportedOperationException', 'KMS answers POST / only');
    }
    const body = await readBody(request);
    const contentType = String(request.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim();
    if (contentType !== 'application/x-amz-json-1.1') {
      throw new KmsFault('SerializationException', 'Content-Type must be application/x-amz-json-1.1');
    }
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
    if (!Object.hasOwn(requests, operation)) {
      throw new KmsFault(
        'UnsupportedOperationException',
        `${target || 'No X-Amz-Target'} is not supported here`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new KmsFault('SerializationException', 'The request body is not JSON');
    }
    const parsed = requests[operation as Operation].safeParse(json);
    if (!parsed.success) {
      // Field names only: a request's values may be key material.
      const fields = parsed.error.issues.map((issue) => issue.path.join('.') || 'body');
      throw new KmsFault('ValidationException', `Invalid value for ${[...new Set(fields)].join(', ')}`);
    }
    reply(response, 200, operations[operation as Operation](parsed.data as never));
  } catch (error) {
    if (!(error instanceof KmsFault)) throw error;
    if (error.status === 413) response.setHeader('connection', 'close');
    reply(response, error.status, { __type: error.type, message: error.message });
  }
}

function reply(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
  });
  response.end(JSON.stringify(body));
}

/** The request body, refused past MAX_REQUEST_BYTES without reading the rest. */
async function readBody(request: IncomingMessage): Promise<Buffer> {
  const tooLarge = () =>
    new KmsFault('RequestEntityTooLargeException', `Request body over ${MAX_REQUEST_BYTES} bytes`, 413);
  if (Number(request.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function dataKeyBytes(keySpec: 'AES_256' | 'AES_128' | undefined, numberOfBytes: number | undefined): number {
  if ((keySpec === undefined) === (numberOfBytes === undefined)) {
    throw new KmsFault('ValidationException', 'Specify either KeySpec or NumberOfBytes, but not both');
  }
  return keySpec === 'AES_128' ? 16 : keySpec === 'AES_256' ? 32 : (numberOfBytes as number);
}

const arn = (id: string) => `arn:aws:kms:${LOCAL_REGION}:${LOCAL_KMS_ACCOUNT}:key/${id}`;

/** A key by id or ARN, as KMS accepts them. */
function findKey(keys: Map<string, MasterKey>, keyId: string): MasterKey {
  const id = keyId.startsWith(`arn:aws:kms:${LOCAL_REGION}:${LOCAL_KMS_ACCOUNT}:key/`)
    ? keyId.slice(keyId.lastIndexOf('/') + 1)
    : keyId;
  const key = keys.get(id);
  if (!key)
    throw new KmsFault(
      'NotFoundException',
      `Key '${keyId.includes(':') ? keyId : arn(keyId)}' does not exist`,
    );
  return key;
}

function metadata(key: MasterKey) {
  return {
    AWSAccountId: LOCAL_KMS_ACCOUNT,
    KeyId: key.id,
    Arn: arn(key.id),
    CreationDate: key.created,
    Enabled: true,
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

/**
 * The additional data of a blob: its key id and the encryption context with sorted keys, so KMS's
 * rule holds: the same pairs in any order decrypt, any other context does not.
 */
function additionalData(keyId: string, context: Record<string, string>): Buffer {
  const sorted = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify([keyId, sorted]), 'utf8');
}

/** Blob: version (1 byte), key id (36 ASCII), IV (12), tag (16), encrypted data key. */
function seal(key: MasterKey, plaintext: Buffer, context: Record<string, string>): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.material, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(key.id, context));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([
    Buffer.from([BLOB_VERSION]),
    Buffer.from(key.id, 'ascii'),
    iv,
    cipher.getAuthTag(),
    ct,
  ]);
}

/** The key id a blob names, and how to open it; anything malformed is InvalidCiphertextException. */
function unpack(blob: Buffer): {
  keyId: string;
  open(key: MasterKey, context: Record<string, string>): Buffer;
} {
  const invalid = () => new KmsFault('InvalidCiphertextException', CIPHERTEXT_MISMATCH);
  if (blob.length <= BLOB_HEADER_BYTES || blob[0] !== BLOB_VERSION) throw invalid();
  const keyId = blob.subarray(1, 1 + KEY_ID_CHARS).toString('ascii');
  const iv = blob.subarray(1 + KEY_ID_CHARS, 1 + KEY_ID_CHARS + IV_BYTES);
  const tag = blob.subarray(1 + KEY_ID_CHARS + IV_BYTES, BLOB_HEADER_BYTES);
  const ct = blob.subarray(BLOB_HEADER_BYTES);
  return {
    keyId,
    open: (key, context) => {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.material, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(additionalData(key.id, context));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ct), decipher.final()]);
      } catch {
        throw invalid();
      }
    },
  };
}

function loadKeys(file: string | undefined): Map<string, MasterKey> {
  const keys = new Map<string, MasterKey>();
  if (!file) return keys;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return keys;
    throw error;
  }
  let stored: z.infer<typeof keyFileSchema>;
  try {
    stored = keyFileSchema.parse(JSON.parse(text));
  } catch {
    // Starting with fresh keys would leave every credential sealed under the old ones unopenable.
    throw new Error(
      `${file} is not a key material file of the local KMS; move it away to start with new keys`,
    );
  }
  for (const key of stored.keys) keys.set(key.id, { ...key, material: Buffer.from(key.material, 'base64') });
  return keys;
}

/** Written to a temporary file first, so a crash mid-write never leaves half a key file. */
function saveKeys(file: string, keys: Map<string, MasterKey>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const stored: z.infer<typeof keyFileSchema> = {
    v: 1,
    keys: [...keys.values()].map((key) => ({ ...key, material: key.material.toString('base64') })),
  };
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true }); // a leftover would keep its mode: 'wx' creates it with ours
  writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, file);
}
