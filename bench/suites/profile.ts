import type { BusinessProfile } from '../../lambdas/submitter/business-profile';

/** The business the benchmarks submit (the demo customer's facts). */
export const BENCH_PROFILE: BusinessProfile = {
  business_name: 'Bolt Bakery & Café',
  email: 'hello@boltbakery.example',
  phone: '+1 555 010 2030',
  website: 'https://boltbakery.example',
  address_line: '123 Market Street',
  city: 'Springfield',
  region: 'IL',
  postal_code: '62701',
  country: 'United States',
  category: 'Bakery',
  description: 'Neighbourhood bakery and café: sourdough, pastries and espresso, baked fresh every morning.',
};
