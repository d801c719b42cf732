-- Demo data for the local runtime (and `supabase db reset`). Idempotent: fixed ids, upserts.
--
-- The demo directories point at the local demo site. Its real origin is only known once it runs, so the
-- rows carry a placeholder origin (http://127.0.0.1:4700) and local/runtime/database.ts seedDemoData() re-points
-- them at the running demo site with an UPDATE (path kept, origin replaced).

insert into public.customers
  (id, external_ref, business_name, email, phone, website, address_line, city, region, postal_code,
   country, category, description, tier, contact_first_name, contact_last_name, address_line2,
   short_description, keywords, opening_hours, year_established, social_profiles)
values
  ('00000000-0000-4000-8000-000000000001', 'DEMO-CUSTOMER-001', 'Bolt Bakery & Café',
   'hello@boltbakery.example', '+1 555 010 2030', 'https://boltbakery.example',
   '123 Market Street', 'Springfield', 'IL', '62701', 'United States', 'Bakery',
   'Neighbourhood bakery and café: sourdough, pastries and espresso, baked fresh every morning since 2012. '
   'Wholesale bread for local restaurants, celebration cakes to order, and a sunny patio for breakfast.',
   'pro', 'Maya', 'Okafor', 'Unit 2',
   'Neighbourhood bakery and café: sourdough, pastries and espresso, baked fresh every morning since 2012.',
   '["bakery", "café", "sourdough", "pastries", "espresso", "celebration cakes", "breakfast"]',
   '[{"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "07:00", "closes": "18:00"},
     {"days": ["sat"], "opens": "08:00", "closes": "16:00"},
     {"days": ["sun"], "opens": "08:00", "closes": "13:00"}]',
   2012,
   '{"facebook": "https://www.facebook.com/boltbakery", "instagram": "https://www.instagram.com/boltbakery"}')
on conflict (id) do update set
  external_ref = excluded.external_ref,
  business_name = excluded.business_name,
  email = excluded.email,
  phone = excluded.phone,
  website = excluded.website,
  address_line = excluded.address_line,
  city = excluded.city,
  region = excluded.region,
  postal_code = excluded.postal_code,
  country = excluded.country,
  category = excluded.category,
  description = excluded.description,
  tier = excluded.tier,
  contact_first_name = excluded.contact_first_name,
  contact_last_name = excluded.contact_last_name,
  address_line2 = excluded.address_line2,
  short_description = excluded.short_description,
  keywords = excluded.keywords,
  opening_hours = excluded.opening_hours,
  year_established = excluded.year_established,
  social_profiles = excluded.social_profiles;
  -- The logo is not seeded: it is an image in the assets bucket (PUT /customers/{id}/logo).

insert into public.directories
  (id, slug, name, submission_url, domain_authority, field_mapping, active, max_concurrency)
values
  -- A plain form with name/id attributes and labels: detection works from names alone.
  ('00000000-0000-4000-8000-000000000101', 'demo-plain', 'Demo Directory (plain form)',
   'http://127.0.0.1:4700/forms/plain', 40, null, true, 2),
  -- Inputs without useful names: only the labels say what a field is.
  ('00000000-0000-4000-8000-000000000102', 'demo-labels', 'Demo Directory (labels only)',
   'http://127.0.0.1:4700/forms/labels-only', 35, null, true, 2),
  -- A two-step wizard.
  ('00000000-0000-4000-8000-000000000103', 'demo-multistep', 'Demo Directory (multi-step)',
   'http://127.0.0.1:4700/forms/multi-step', 55, null, true, 1)
on conflict (id) do update set
  slug = excluded.slug,
  name = excluded.name,
  submission_url = excluded.submission_url,
  domain_authority = excluded.domain_authority,
  field_mapping = excluded.field_mapping,
  active = excluded.active,
  max_concurrency = excluded.max_concurrency;

-- Demo directories that need an account before the listing form (local/demo-site/accounts.ts): sign-up
-- with the business's submission address, email verification through the mailed link, log-in. Not in
-- `npm start`'s demo job (that one shows a plain submission); submit to them with a job of your own.
insert into public.directories
  (id, slug, name, submission_url, domain_authority, active, max_concurrency, account)
values
  ('00000000-0000-4000-8000-000000000104', 'demo-accounts-verify', 'Demo Directory (sign-up, email verification)',
   'http://127.0.0.1:4700/accounts/verify/listing', 45, true, 1,
   '{"signup_url": "http://127.0.0.1:4700/accounts/verify/signup",
     "login_url": "http://127.0.0.1:4700/accounts/verify/login",
     "email_verification": true, "login_before_listing": true}'),
  ('00000000-0000-4000-8000-000000000105', 'demo-accounts-login', 'Demo Directory (sign-up, log-in first)',
   'http://127.0.0.1:4700/accounts/login-first/listing', 45, true, 1,
   '{"signup_url": "http://127.0.0.1:4700/accounts/login-first/signup",
     "login_url": "http://127.0.0.1:4700/accounts/login-first/login",
     "email_verification": false, "login_before_listing": true}'),
  ('00000000-0000-4000-8000-000000000106', 'demo-accounts-expiring', 'Demo Directory (verification link expires)',
   'http://127.0.0.1:4700/accounts/expiring/listing', 45, true, 1,
   '{"signup_url": "http://127.0.0.1:4700/accounts/expiring/signup",
     "login_url": "http://127.0.0.1:4700/accounts/expiring/login",
     "email_verification": true, "login_before_listing": true}')
on conflict (id) do update set
  slug = excluded.slug,
  name = excluded.name,
  submission_url = excluded.submission_url,
  domain_authority = excluded.domain_authority,
  active = excluded.active,
  max_concurrency = excluded.max_concurrency,
  account = excluded.account;
