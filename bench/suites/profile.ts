import type { BusinessProfile } from '../../lambdas/customers/business-profile';

/** The business the benchmarks submit (the demo customer's facts). */
export const BENCH_PROFILE: BusinessProfile = {
  business_name: 'Bolt Bakery & Café',
  contact_first_name: 'Maria',
  contact_last_name: 'Lopez',
  email: 'hello@boltbakery.example',
  phone: '+1 217 555 0130',
  website: 'https://boltbakery.example',
  address_line: '123 Market Street',
  address_line2: 'Unit 4',
  city: 'Springfield',
  region: 'IL',
  postal_code: '62701',
  country: 'United States',
  category: 'Bakery',
  short_description: 'Neighbourhood bakery and café in Springfield.',
  description: 'Neighbourhood bakery and café: sourdough, pastries and espresso, baked fresh every morning.',
  keywords: ['bakery', 'sourdough', 'café'],
  opening_hours: [{ days: ['tue', 'wed', 'thu', 'fri', 'sat'], opens: '07:00', closes: '15:00' }],
  year_established: 2011,
  social_profiles: { instagram: 'https://www.instagram.com/boltbakery' },
};
