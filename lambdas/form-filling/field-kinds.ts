/**
 * What a form control asks for: the vocabulary the detector classifies controls into, the stored
 * mappings are keyed by and the test-submission report speaks.
 *
 * A kind is finer than a profile field: one profile phone number fills a whole-number box, or an
 * area-code box, a prefix box and a line-number box; one email fills the email box and its "repeat
 * your email" box. Kinds that match a profile field keep its name, so mappings stored before the
 * split phone and the other kinds existed stay valid.
 *
 * Besides the kinds we fill there are kinds we recognize in order never to fill them (payment cards,
 * log-in passwords, search boxes, CAPTCHA answers, ...): naming them is what keeps a "Card holder
 * name" box from being taken for the contact's name.
 */

/** Kinds the business profile can fill. */
export const FILLABLE_KINDS = [
  'business_name',
  'contact_name',
  'contact_first_name',
  'contact_last_name',
  'email',
  'email_confirm',
  'phone',
  'phone_country_code',
  'phone_national',
  'phone_area_code',
  'phone_local',
  'phone_prefix',
  'phone_line',
  'website',
  'address_line',
  'address_line2',
  'street_address',
  'city',
  'region',
  'postal_code',
  'country',
  'category',
  'description',
  'short_description',
  'keywords',
  'opening_hours',
  'year_established',
  'facebook_url',
  'instagram_url',
  'linkedin_url',
  'x_url',
  'youtube_url',
  'tiktok_url',
  'pinterest_url',
  'logo',
  // A sign-up's own password and its confirmation: filled only when the caller hands the submitter
  // the account's credentials (a directory that needs an account), never otherwise.
  'new_password',
  'new_password_confirm',
] as const;
export type FillableKind = (typeof FILLABLE_KINDS)[number];

/**
 * Kinds recognized so that they are never filled. `unknown` is "nothing we know": also never filled.
 */
export const REFUSED_KINDS = [
  'credit_card', // number, CVC, expiry, card holder, card type: anything of a payment card
  'current_password', // a log-in password
  'username',
  'one_time_code',
  'search',
  'captcha',
  'honeypot',
  'coupon', // promo, voucher, gift card codes
  'fax',
  'phone_extension',
  'name_middle',
  'name_prefix', // Mr/Ms, Herr/Frau
  'birth_date',
  'address_line3',
  'quantity',
  'unknown',
] as const;
export type RefusedKind = (typeof REFUSED_KINDS)[number];

export type FieldKind = FillableKind | RefusedKind;

const FILLABLE = new Set<string>(FILLABLE_KINDS);
export function isFillableKind(kind: string | null | undefined): kind is FillableKind {
  return typeof kind === 'string' && FILLABLE.has(kind);
}

/**
 * The kinds that hold part of the phone number: filled from the one profile number, split.
 * phone_national is the number without its country code (after a country-code box or select);
 * phone_local is the number without its area code (after an area-code box).
 */
export const PHONE_PART_KINDS = [
  'phone_country_code',
  'phone_national',
  'phone_area_code',
  'phone_local',
  'phone_prefix',
  'phone_line',
] as const satisfies readonly FillableKind[];

/**
 * Kinds that may be filled more than once in one form: a confirmation repeats its field, and a
 * form can ask for the same thing twice only through these.
 */
export const REPEATABLE_KINDS: ReadonlySet<FillableKind> = new Set(['email_confirm', 'new_password_confirm']);
