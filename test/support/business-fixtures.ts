import type { BusinessProfile, ProfileField } from '../../lambdas/customers/business-profile';

/** A profile with the required fields only: what every form of the demo site asks for. */
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

/** PROFILE with every optional field too: none of it may land in a field that asks for something else. */
export const FULL_PROFILE: BusinessProfile = {
  ...PROFILE,
  contact_first_name: 'Dana',
  contact_last_name: 'Reyes',
  address_line2: 'Suite 400',
  short_description: 'Plumbing and drain repair in Austin.',
  keywords: ['plumbing', 'drain cleaning', 'water heaters'],
  opening_hours: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '08:00', closes: '18:00' },
    { days: ['sat'], opens: '09:00', closes: '13:00' },
  ],
  year_established: 1998,
  social_profiles: { facebook: 'https://www.facebook.com/acmeplumbing' },
};

/**
 * What the demo site records for PROFILE on a form that asks for all of it. The site records each
 * submission under the profile's field names (PROFILE_FIELDS), but only the names its forms post:
 * the eleven required fields, selects holding their option values.
 */
export const RECORDED: Partial<Record<ProfileField, string>> = {
  business_name: PROFILE.business_name,
  email: PROFILE.email,
  phone: PROFILE.phone,
  website: PROFILE.website,
  address_line: PROFILE.address_line,
  city: PROFILE.city,
  region: PROFILE.region,
  postal_code: PROFILE.postal_code,
  country: 'US',
  category: 'plumbing',
  description: PROFILE.description,
};

export const isPng = (buffer: Buffer): boolean =>
  buffer.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
