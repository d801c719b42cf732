/**
 * Logo images: what the API accepts (the bytes must really be the declared image type), where one is
 * stored in the assets bucket, and the reference recorded in customers.logo. Shared by the upload
 * route and the submitter's reader (lambdas/customers/profile-assets.ts). Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import type { LogoRef } from './business-profile';
import { BUCKETS } from '../platform/system-config';

export type LogoContentType = LogoRef['content_type'];

/** The extension a logo of each type is stored (and offered to a directory's file input) with. */
export const LOGO_EXTENSIONS: Record<LogoContentType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

const startsWith = (bytes: Buffer, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/**
 * The image type the bytes are, by their magic number, whatever anyone says they are; undefined for
 * anything else (SVG, which can carry script, is deliberately not an image type here).
 */
export function sniffImageType(bytes: Buffer): LogoContentType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  // RIFF <4-byte size> WEBP
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return undefined;
}

/** Why an upload is refused: the caller turns it into its 400 or 413. */
export class LogoRejected extends Error {
  constructor(
    readonly reason: 'too_large' | 'not_an_image' | 'type_mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'LogoRejected';
  }
}

/** Where all of a customer's logos are, and nothing else: the prefix of every key logoRef names. */
export const logoPrefix = (customerId: string): string => `logos/${customerId}/`;

/**
 * Checks decoded upload bytes against the declared type and BUCKETS.assets.logoMaxBytes, and names
 * where they are stored: `logos/<customer id>/<SHA-256 hex>.<ext>`. The same image uploaded twice is
 * the same object; a different image never overwrites one a task may still be reading.
 */
export function logoRef(customerId: string, declared: LogoContentType, bytes: Buffer): LogoRef {
  const max = BUCKETS.assets.logoMaxBytes;
  if (bytes.length > max) {
    throw new LogoRejected('too_large', `The logo must be at most ${max} bytes (got ${bytes.length})`);
  }
  const actual = sniffImageType(bytes);
  if (actual === undefined) {
    throw new LogoRejected('not_an_image', 'data_base64: not a PNG, JPEG, WebP or GIF image');
  }
  if (actual !== declared) {
    throw new LogoRejected(
      'type_mismatch',
      `content_type: the image is ${actual}, not the declared ${declared}`,
    );
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  return {
    key: `${logoPrefix(customerId)}${hash}.${LOGO_EXTENSIONS[declared]}`,
    content_type: declared,
    bytes: bytes.length,
  };
}
