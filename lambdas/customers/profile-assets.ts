/**
 * The profile's stored files, read from the assets bucket for a form's file inputs (the logo).
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { optionalEnv } from '../platform/env';
import { LOGO_EXTENSIONS, sniffImageType } from './logo-image';
import { s3 } from '../platform/s3-client';
import { BUCKETS } from '../platform/system-config';
import { LogoRefSchema, type LogoRef } from './business-profile';

// Read once at load. Not required at start-up: this module is reachable from every function that
// fills forms (the test-submission dry run too, which types a sample profile without a logo), and
// only the ones that fill a real profile are given the bucket; loadLogo says so when it is missing.
const assetsBucket = optionalEnv('ASSETS_BUCKET');

export interface LoadedFile {
  buffer: Buffer;
  mimeType: string;
  /** The file name a form's file input is given. */
  name: string;
}

/**
 * The logo's bytes, exactly as uploaded, as Playwright's setInputFiles takes them. Refuses a
 * reference that is not one (a task's payload is data), an object larger than any logo the API
 * accepts, and bytes that are not what the reference says (size or image type).
 */
export async function loadLogo(ref: LogoRef): Promise<LoadedFile> {
  const logo = LogoRefSchema.parse(ref);
  if (assetsBucket === undefined) {
    throw new Error('ASSETS_BUCKET is not set: this function was not given the assets bucket');
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: assetsBucket, Key: logo.key }));
  if (!object.Body) throw new Error(`Logo ${logo.key} has no body`);
  if (object.ContentLength !== undefined && object.ContentLength > BUCKETS.assets.logoMaxBytes) {
    // Never buffer what cannot be a logo; release the connection instead.
    await object.Body.transformToWebStream().cancel();
    throw new Error(`Logo ${logo.key} is ${object.ContentLength} bytes, more than a logo can be`);
  }
  const buffer = Buffer.from(await object.Body.transformToByteArray());
  if (buffer.length !== logo.bytes || sniffImageType(buffer) !== logo.content_type) {
    throw new Error(
      `Logo ${logo.key} is not the ${logo.bytes}-byte ${logo.content_type} its reference names`,
    );
  }
  return { buffer, mimeType: logo.content_type, name: `logo.${LOGO_EXTENSIONS[logo.content_type]}` };
}
