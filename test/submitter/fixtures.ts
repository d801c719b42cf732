import type { BusinessProfile } from '../../lambdas/submitter/business-profile';

export const PROFILE: BusinessProfile = {
  business_name: 'Acme Plumbing LLC',
  email: 'owner@acme-plumbing.example',
  phone: '+1 512 555 0142',
  website: 'https://acme-plumbing.example/',
  address_line: '100 Congress Ave',
  city: 'Austin',
  region: 'TX',
  postal_code: '78701',
  country: 'United States',
  category: 'Plumbing',
  description: 'Family-owned plumbing and drain service in Austin since 1998.',
};

/** What the demo site records for PROFILE: selects hold their option values. */
export const RECORDED = { ...PROFILE, country: 'US', category: 'plumbing' };

export const isPng = (buffer: Buffer): boolean =>
  buffer.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
