/**
 * Directory account credentials, sealed for storage and opened for the submitter.
 *
 * Envelope encryption: KMS makes a fresh data key per seal (GenerateDataKey), the credentials are
 * encrypted here with it (AES-256-GCM), and only the data key encrypted under the KMS key (edk) is
 * stored beside them. Why:
 * - one KMS call per seal and one per open, whatever the size of what is sealed, and no plaintext
 *   key at rest: opening needs KMS (and the function's IAM permission on the key) every time;
 * - the encryption context {customer_id, directory_id, purpose} is bound into the edk by KMS and
 *   into the ciphertext as AES-GCM additional data, so a sealed row copied to another customer or
 *   directory does not open (KMS refuses the edk), and CloudTrail records whose secret was opened.
 * The plaintext data key is zeroed as soon as the cipher has it. The credentials themselves pass
 * through JavaScript strings, which cannot be zeroed: callers keep them no longer than needed and
 * never log them. Errors name what failed, never a secret, a key or a ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { ClientPort } from '../platform/lazy-client';
import * as z from '../platform/zod';

export const SEALED_CREDENTIALS_VERSION = 1;
const ALGORITHM = 'AES-256-GCM';
const IV_BYTES = 12; // GCM's native nonce size: random 96-bit IVs, one data key per seal
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
/**
 * Recorded in the encryption context: a data key made for these credentials opens nothing else. The
 * stacks grant the key's use only with this purpose (lib/constructs/accounts/credentials-key.ts).
 */
export const PURPOSE = 'directory-account';

export interface AccountCredentials {
  username: string;
  password: string;
}

export interface CredentialContext {
  customerId: string;
  directoryId: string;
}

export interface VaultDeps {
  kms: ClientPort<KMSClient>;
  /** The KMS key (id, ARN or alias) new credentials are sealed under. Opening uses the envelope's key_id. */
  keyId: string;
}

/** Base64 of exactly `bytes` bytes, as Buffer.toString('base64') writes it. */
const base64Of = (bytes: number) => {
  const chars = Math.ceil(bytes / 3) * 4;
  const padding = (3 - (bytes % 3)) % 3;
  return z
    .string()
    .check(z.regex(new RegExp(`^[A-Za-z0-9+/]{${chars - padding}}${'='.repeat(padding)}$`), 'not base64'));
};
const base64Up = (maxChars: number) =>
  z
    .string()
    .check(
      z.maxLength(maxChars),
      z.regex(/^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'not base64'),
    );

/** What is stored (a jsonb column): every field checked before any of it reaches KMS or the cipher. */
export const sealedCredentialsSchema = z.strictObject({
  v: z.literal(SEALED_CREDENTIALS_VERSION),
  alg: z.literal(ALGORITHM),
  /** The KMS key ARN that made the data key: opening asks KMS to use exactly this key. */
  key_id: z.string().check(z.minLength(1), z.maxLength(2048)),
  /** The encrypted data key, KMS's CiphertextBlob (at most 6144 bytes). */
  edk: base64Up(8192),
  iv: base64Of(IV_BYTES),
  tag: base64Of(TAG_BYTES),
  /**
   * The credentials' JSON, encrypted. The limits below keep it under 3.5 KiB even if every character
   * were escaped as \uXXXX, so whatever a seal writes passes here.
   */
  ct: base64Up(8192),
});
export type SealedCredentials = z.infer<typeof sealedCredentialsSchema>;

const credentialsSchema = z.strictObject({
  username: z.string().check(z.minLength(1), z.maxLength(320)),
  password: z.string().check(z.minLength(1), z.maxLength(256)),
});

const contextSchema = z.strictObject({ customerId: z.uuid(), directoryId: z.uuid() });

export type CredentialVaultFailure = 'invalid-input' | 'malformed' | 'refused' | 'kms-failed';

/**
 * Why credentials could not be sealed or opened. `reason`: `invalid-input` (the caller's data),
 * `malformed` (stored data that is not a sealed envelope), `refused` (tampered, or sealed for another
 * customer, directory or key), `kms-failed` (KMS unreachable, throttled, access denied: `cause` is
 * the SDK's error, which carries no key material; worth retrying later).
 */
export class CredentialVaultError extends Error {
  override readonly name = 'CredentialVaultError';
  constructor(
    readonly reason: CredentialVaultFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Encrypts `plain` for storage, bound to its customer and directory. */
export async function sealCredentials(
  plain: AccountCredentials,
  context: CredentialContext,
  deps: VaultDeps,
): Promise<SealedCredentials> {
  const credentials = checked(credentialsSchema, plain, 'credentials');
  const encryptionContext = toEncryptionContext(context);
  const { GenerateDataKeyCommand } = await import('@aws-sdk/client-kms');
  const dataKey = await callKms('GenerateDataKey', () =>
    deps.kms.send(
      new GenerateDataKeyCommand({
        KeyId: deps.keyId,
        KeySpec: 'AES_256',
        EncryptionContext: encryptionContext,
      }),
    ),
  );
  const key = dataKey.Plaintext;
  const plaintext = Buffer.from(JSON.stringify(credentials), 'utf8');
  try {
    if (key?.length !== DATA_KEY_BYTES || !dataKey.CiphertextBlob?.length || !dataKey.KeyId) {
      throw new CredentialVaultError('kms-failed', 'KMS GenerateDataKey answered without a 256-bit data key');
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    key.fill(0);
    cipher.setAAD(additionalData(encryptionContext));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      v: SEALED_CREDENTIALS_VERSION,
      alg: ALGORITHM,
      key_id: dataKey.KeyId,
      edk: Buffer.from(dataKey.CiphertextBlob).toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
    };
  } finally {
    key?.fill(0);
    plaintext.fill(0);
  }
}

/** Decrypts what sealCredentials made for the same customer and directory. */
export async function openCredentials(
  sealed: unknown,
  context: CredentialContext,
  deps: Pick<VaultDeps, 'kms'>,
): Promise<AccountCredentials> {
  const envelope = checked(sealedCredentialsSchema, sealed, 'sealed credentials', 'malformed');
  const encryptionContext = toEncryptionContext(context);
  const { DecryptCommand } = await import('@aws-sdk/client-kms');
  // KeyId pins the key: KMS refuses an edk made under any other (IncorrectKeyException). Which keys
  // the function may use at all is its IAM policy's decision.
  const decrypted = await callKms('Decrypt', () =>
    deps.kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(envelope.edk, 'base64'),
        EncryptionContext: encryptionContext,
        KeyId: envelope.key_id,
      }),
    ),
  );
  const key = decrypted.Plaintext;
  let plaintext: Buffer | undefined;
  try {
    if (key?.length !== DATA_KEY_BYTES) {
      throw new CredentialVaultError('kms-failed', 'KMS Decrypt answered without a 256-bit data key');
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'), {
      authTagLength: TAG_BYTES,
    });
    key.fill(0);
    decipher.setAAD(additionalData(encryptionContext));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    try {
      plaintext = Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]);
    } catch {
      throw new CredentialVaultError(
        'refused',
        'Sealed credentials failed authentication: altered, or sealed for another customer or directory',
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(plaintext.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    return checked(credentialsSchema, parsed, 'opened credentials', 'malformed');
  } finally {
    key?.fill(0);
    plaintext?.fill(0);
  }
}

/**
 * The KMS encryption context. UUIDs are compared as KMS compares strings (exactly), so they are
 * lowercased: the same ids must bind the same way whatever case a caller had them in.
 */
function toEncryptionContext(context: CredentialContext): Record<string, string> {
  const { customerId, directoryId } = checked(contextSchema, context, 'credential context');
  return { customer_id: customerId.toLowerCase(), directory_id: directoryId.toLowerCase(), purpose: PURPOSE };
}

/**
 * The same context as the cipher's additional data, in a fixed order. The key id is left out on
 * purpose: re-wrapping the edk under a new KMS key (ReEncrypt) must not invalidate the ciphertext.
 */
function additionalData(context: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify([context.purpose, context.customer_id, context.directory_id]), 'utf8');
}

/**
 * KMS's answers to Decrypt that mean "this edk does not open here" (altered, another context, another
 * key), as opposed to KMS being unavailable. At GenerateDataKey the same answers mean the configured
 * key is wrong or disabled: a `kms-failed`, for whoever configures it.
 */
const DECRYPT_REFUSALS = new Set([
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'NotFoundException',
  'InvalidArnException',
  'DisabledException',
  'KMSInvalidStateException',
]);

async function callKms<T>(operation: 'GenerateDataKey' | 'Decrypt', call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // Only the error's name goes into the message: SDK messages are KMS's own text, but a name is
    // all a reader needs and certainly carries nothing of the request.
    const name = error instanceof Error ? error.name : 'unknown error';
    if (operation === 'Decrypt' && DECRYPT_REFUSALS.has(name)) {
      throw new CredentialVaultError(
        'refused',
        `KMS refused the data key (${name}): altered, or sealed for another customer, directory or key`,
      );
    }
    throw new CredentialVaultError('kms-failed', `KMS ${operation} failed (${name})`, { cause: error });
  }
}

/** Parses with `schema`; the error lists the failing fields and checks, never their values. */
function checked<T>(
  schema: z.ZodMiniType<T>,
  value: unknown,
  what: string,
  reason: CredentialVaultFailure = 'invalid-input',
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`);
  throw new CredentialVaultError(reason, `Invalid ${what} (${problems.join(', ')})`);
}
