/**
 * The rule data (lambdas/form-filling/rules.ts): every rule compiles, and a table of real-world labels
 * and name/id attributes, across the languages, names the kind it should (and not the kinds it is
 * classically confused with). The helper below only asks "which kinds' words are in this text"; the
 * classifier that weighs sources against each other lives in classify.ts.
 */
import { FILLABLE_KINDS, REFUSED_KINDS, type FieldKind } from '../../../lambdas/form-filling/field-kinds';
import {
  RULE_LANGUAGES,
  RULES,
  compileLines,
  compileRules,
  normalizeText,
  type KindRule,
} from '../../../lambdas/form-filling/rules';

const COMPILED = compileRules(RULES);

interface Matches {
  /** Kinds whose `text` (or, for attributes, `attribute`) patterns match and no `not` cancels. */
  strong: FieldKind[];
  /** Kinds whose `weak` patterns match and no `not` cancels. */
  weak: FieldKind[];
}

/** Which kinds the rules see in one piece of text (a label, or a name/id attribute). */
function matchKinds(raw: string, options: { attribute?: boolean } = {}): Matches {
  const text = normalizeText(raw, options);
  const strong: FieldKind[] = [];
  const weak: FieldKind[] = [];
  for (const [kind, rule] of COMPILED) {
    if (rule.not?.test(text)) continue;
    if (rule.text?.test(text) || (options.attribute && rule.attribute?.test(text))) strong.push(kind);
    else if (rule.weak?.test(text)) weak.push(kind);
  }
  return { strong, weak };
}

interface Case {
  /** The label text (or, with attr, the name/id attribute as written in the page). */
  in: string;
  /** The kind the rules must name (omit for "names none of `not`" cases). */
  kind?: FieldKind;
  /** The kind is only suggested (a `weak` line): generic words such as "Address" or "Name". */
  weak?: boolean;
  attr?: boolean;
  /** Kinds that must not match (strongly or weakly). */
  not?: FieldKind[];
}

const CASES: Case[] = [
  // ---- English: the business ----
  { in: 'Business name', kind: 'business_name', not: ['contact_name'] },
  { in: 'Company', kind: 'business_name' },
  { in: 'Company Name *', kind: 'business_name', not: ['contact_name', 'contact_first_name'] },
  { in: 'Name of your business', kind: 'business_name', not: ['contact_name'] },
  { in: 'Organization', kind: 'business_name' },
  { in: 'Legal business name', kind: 'business_name' },
  { in: 'Listing title', kind: 'business_name', not: ['name_prefix'] },
  { in: 'DBA (doing business as)', kind: 'business_name' },
  { in: 'Business email', kind: 'email', not: ['business_name'] },
  { in: 'Business phone number', kind: 'phone', not: ['business_name'] },
  { in: 'Business address', kind: 'address_line', not: ['business_name', 'email'] },
  { in: 'Business hours', kind: 'opening_hours', not: ['business_name'] },
  { in: 'Type of business', kind: 'category', not: ['business_name'] },
  { in: 'Business category', kind: 'category', not: ['business_name'] },
  { in: 'Describe your business', kind: 'description', not: ['business_name'] },
  { in: 'About your business', kind: 'description', not: ['business_name'] },
  { in: 'Year business was established', kind: 'year_established', not: ['business_name'] },
  { in: 'Upload your company logo', kind: 'logo', not: ['business_name'] },
  { in: 'Company website', kind: 'website', not: ['business_name'] },
  { in: 'Title', kind: 'business_name', weak: true },
  { in: 'Name', kind: 'business_name', weak: true },
  // ---- English: the contact person ----
  { in: 'Your name', kind: 'contact_name', not: ['business_name'] },
  { in: 'Full name', kind: 'contact_name', not: ['business_name'] },
  { in: 'Contact person', kind: 'contact_name', not: ['business_name'] },
  { in: 'Name', kind: 'contact_name', weak: true },
  { in: 'First and last name', kind: 'contact_name', not: ['contact_first_name', 'contact_last_name'] },
  { in: 'Card holder name', kind: 'credit_card', not: ['contact_name', 'business_name'] },
  { in: 'Name on card', kind: 'credit_card', not: ['contact_name'] },
  { in: 'Username', kind: 'username', not: ['contact_name', 'business_name'] },
  { in: 'Username or email', kind: 'username', not: ['email', 'contact_name'] },
  { in: 'First name', kind: 'contact_first_name', not: ['contact_last_name', 'business_name'] },
  { in: 'Last name', kind: 'contact_last_name', not: ['contact_first_name', 'business_name'] },
  { in: 'Surname', kind: 'contact_last_name' },
  { in: 'Middle name', kind: 'name_middle', not: ['contact_first_name'] },
  { in: 'Salutation', kind: 'name_prefix' },
  { in: 'Title', kind: 'name_prefix', weak: true },
  { in: 'Job title', not: ['name_prefix', 'business_name'] },
  // ---- English: email ----
  { in: 'Email address', kind: 'email', not: ['address_line', 'street_address', 'address_line2'] },
  { in: 'E-mail', kind: 'email' },
  { in: 'Confirm email', kind: 'email_confirm', not: ['email'] },
  { in: 'Re-enter your email address', kind: 'email_confirm', not: ['email', 'address_line'] },
  { in: 'Email (again)', kind: 'email_confirm', not: ['email'] },
  {
    in: 'We will send a confirmation email to this address',
    kind: 'email',
    not: ['email_confirm', 'address_line'],
  },
  // ---- English: phone ----
  { in: 'Phone', kind: 'phone' },
  { in: 'Telephone number', kind: 'phone' },
  { in: 'Mobile', kind: 'phone' },
  { in: 'Hotel', not: ['phone'] },
  { in: 'Fax', kind: 'fax', not: ['phone'] },
  { in: 'Fax number', kind: 'fax', not: ['phone'] },
  { in: 'Phone / Fax', kind: 'phone', not: ['fax'] },
  { in: 'Ext.', kind: 'phone_extension' },
  { in: 'Phone extension', kind: 'phone_extension', not: ['phone'] },
  { in: 'Mobile verification code', kind: 'one_time_code', not: ['phone'] },
  { in: 'Area code', kind: 'phone_area_code', not: ['phone'] },
  { in: 'Country code', kind: 'phone_country_code' },
  { in: 'Phone country code', kind: 'phone_country_code', not: ['phone', 'country'] },
  { in: 'Local number', kind: 'phone_local', not: ['phone'] },
  // ---- English: web ----
  { in: 'Website', kind: 'website' },
  { in: 'Website URL', kind: 'website' },
  { in: 'Facebook page URL', kind: 'facebook_url', not: ['website'] },
  { in: 'Instagram', kind: 'instagram_url' },
  { in: 'LinkedIn profile', kind: 'linkedin_url', not: ['website'] },
  { in: 'X (Twitter) handle', kind: 'x_url', not: ['website', 'username'] },
  { in: 'Twitter username', kind: 'x_url', not: ['username'] },
  { in: 'YouTube channel', kind: 'youtube_url' },
  { in: 'TikTok', kind: 'tiktok_url' },
  { in: 'Pinterest', kind: 'pinterest_url' },
  { in: 'Logo URL', kind: 'logo', not: ['website'] },
  // ---- English: address ----
  { in: 'Street address', kind: 'address_line' },
  { in: 'Address line 1', kind: 'address_line', not: ['address_line2', 'address_line3'] },
  { in: 'Address line 2', kind: 'address_line2', not: ['address_line', 'address_line3'] },
  { in: 'Apartment, suite, unit, building, floor, etc.', kind: 'address_line2', not: ['address_line'] },
  { in: 'Address line 3', kind: 'address_line3', not: ['address_line', 'address_line2'] },
  { in: 'Address', kind: 'address_line', weak: true },
  { in: 'Address', kind: 'street_address', weak: true },
  { in: 'IP address', not: ['address_line', 'street_address'] },
  { in: 'Full address', kind: 'street_address' },
  { in: 'City', kind: 'city' },
  { in: 'Town/City', kind: 'city' },
  { in: 'Ethnicity', not: ['city'] },
  { in: 'Capacity', not: ['city'] },
  { in: 'State', kind: 'region' },
  { in: 'State / Province / Region', kind: 'region' },
  { in: 'Statement', not: ['region'] },
  { in: 'County', kind: 'region', not: ['country'] },
  { in: 'ZIP code', kind: 'postal_code' },
  { in: 'Postcode', kind: 'postal_code' },
  { in: 'Upload a .zip file', not: ['postal_code'] },
  { in: 'Country', kind: 'country', not: ['region'] },
  { in: 'Country/Region', kind: 'country', not: ['region'] },
  // ---- English: listing content ----
  { in: 'Category', kind: 'category' },
  { in: 'Primary category', kind: 'category' },
  { in: 'Sub category', not: ['category'] },
  { in: 'Industry', kind: 'category' },
  { in: 'Description', kind: 'description', not: ['short_description'] },
  { in: 'Short description', kind: 'short_description', not: ['description'] },
  { in: 'Tagline', kind: 'short_description' },
  { in: 'Keywords', kind: 'keywords', not: ['search'] },
  { in: 'Tags (comma separated)', kind: 'keywords', not: ['search'] },
  { in: 'Keyword search', kind: 'search', not: ['keywords'] },
  { in: 'Opening hours', kind: 'opening_hours' },
  { in: 'Hours of operation', kind: 'opening_hours' },
  { in: 'Year established', kind: 'year_established' },
  { in: 'Founded in', kind: 'year_established' },
  { in: 'Logo', kind: 'logo' },
  // ---- English: never filled ----
  { in: 'Password', kind: 'current_password', weak: true },
  { in: 'Password', kind: 'new_password', weak: true },
  { in: 'Create a password', kind: 'new_password', not: ['current_password'] },
  { in: 'Confirm password', kind: 'new_password_confirm', not: ['new_password', 'current_password'] },
  { in: 'Current password', kind: 'current_password', not: ['new_password'] },
  { in: 'Verification code', kind: 'one_time_code' },
  { in: 'Enter the characters you see in the image', kind: 'captcha', not: ['logo'] },
  { in: "I'm not a robot", kind: 'captcha' },
  { in: 'What is 3 plus 4?', kind: 'captcha' },
  { in: 'Promo code', kind: 'coupon' },
  { in: 'Gift card number', kind: 'coupon', not: ['credit_card'] },
  { in: 'Card number', kind: 'credit_card' },
  { in: 'CVV', kind: 'credit_card' },
  { in: 'Expiration date (MM/YY)', kind: 'credit_card' },
  { in: 'Date of birth', kind: 'birth_date', not: ['credit_card', 'year_established'] },
  { in: 'Quantity', kind: 'quantity' },
  { in: 'Search', kind: 'search' },
  { in: 'Leave this field blank', kind: 'honeypot' },

  // ---- Attributes (name/id) ----
  { in: 'fname', attr: true, kind: 'contact_first_name' },
  { in: 'lname', attr: true, kind: 'contact_last_name' },
  { in: 'first_name', attr: true, kind: 'contact_first_name' },
  { in: 'firstname', attr: true, kind: 'contact_first_name' },
  { in: 'lastName', attr: true, kind: 'contact_last_name' },
  { in: 'billing_address_1', attr: true, kind: 'address_line', not: ['address_line2'] },
  { in: 'address2', attr: true, kind: 'address_line2', not: ['address_line'] },
  { in: 'addr1', attr: true, kind: 'address_line' },
  { in: 'street', attr: true, kind: 'address_line' },
  { in: 'address', attr: true, kind: 'address_line', weak: true },
  { in: 'billZipCode', attr: true, kind: 'postal_code' },
  { in: 'SZip', attr: true, kind: 'postal_code' },
  { in: 'zipcode', attr: true, kind: 'postal_code' },
  { in: 'postcode', attr: true, kind: 'postal_code' },
  { in: 'plz', attr: true, kind: 'postal_code' },
  { in: 'cp', attr: true, kind: 'postal_code' },
  { in: 'ort', attr: true, kind: 'city' },
  { in: 'billing_city', attr: true, kind: 'city' },
  { in: 'shipcity', attr: true, kind: 'city' },
  { in: 'billing_state', attr: true, kind: 'region' },
  { in: 'billing_country', attr: true, kind: 'country' },
  { in: 'tel', attr: true, kind: 'phone' },
  { in: 'phoneNumber', attr: true, kind: 'phone' },
  { in: 'phonenumber', attr: true, kind: 'phone' },
  { in: 'txtEmail', attr: true, kind: 'email' },
  { in: 'emailaddress', attr: true, kind: 'email', not: ['address_line', 'street_address'] },
  { in: 'email_confirm', attr: true, kind: 'email_confirm', not: ['email'] },
  { in: 'confirmEmail', attr: true, kind: 'email_confirm', not: ['email'] },
  { in: 'companyName', attr: true, kind: 'business_name', not: ['contact_name'] },
  { in: 'billing_company', attr: true, kind: 'business_name' },
  { in: 'contact_name', attr: true, kind: 'contact_name' },
  { in: 'fullname', attr: true, kind: 'contact_name' },
  { in: 'user_login', attr: true, kind: 'username' },
  { in: 'q', attr: true, kind: 'search' },
  { in: 's', attr: true, kind: 'search' },
  { in: 'cc-number', attr: true, kind: 'credit_card' },
  { in: 'cvc', attr: true, kind: 'credit_card' },
  { in: 'exp_month', attr: true, kind: 'credit_card' },
  { in: 'coupon_code', attr: true, kind: 'coupon' },
  { in: 'honeypot', attr: true, kind: 'honeypot' },
  { in: 'hp', attr: true, kind: 'honeypot' },
  { in: 'g-recaptcha-response', attr: true, kind: 'captcha' },
  { in: 'website', attr: true, kind: 'website' },
  { in: 'url', attr: true, kind: 'website' },
  { in: 'fb_url', attr: true, kind: 'facebook_url', not: ['website'] },
  { in: 'yearEstablished', attr: true, kind: 'year_established' },
  { in: 'short_description', attr: true, kind: 'short_description', not: ['description'] },
  { in: 'opening_hours', attr: true, kind: 'opening_hours' },
  { in: 'keywords', attr: true, kind: 'keywords' },
  { in: 'phone2', attr: true, kind: 'phone_prefix' },
  { in: 'phone3', attr: true, kind: 'phone_line' },
  { in: 'areaCode', attr: true, kind: 'phone_area_code', not: ['phone'] },
  { in: 'password2', attr: true, kind: 'new_password_confirm' },
  { in: 'new_password', attr: true, kind: 'new_password', not: ['current_password'] },
  { in: 'current_password', attr: true, kind: 'current_password', not: ['new_password'] },
  { in: 'dob', attr: true, kind: 'birth_date' },
  { in: 'qty', attr: true, kind: 'quantity' },
  { in: 'otp', attr: true, kind: 'one_time_code' },
  { in: 'logo', attr: true, kind: 'logo' },
  { in: 'category_id', attr: true, kind: 'category' },
  { in: 'description', attr: true, kind: 'description' },

  // ---- German ----
  { in: 'Firmenname', kind: 'business_name' },
  { in: 'Firma', kind: 'business_name' },
  { in: 'Ansprechpartner', kind: 'contact_name', not: ['business_name'] },
  { in: 'Vorname', kind: 'contact_first_name' },
  { in: 'Nachname', kind: 'contact_last_name' },
  { in: 'Vor- und Nachname', kind: 'contact_name', not: ['contact_first_name', 'contact_last_name'] },
  { in: 'E-Mail-Adresse', kind: 'email', not: ['address_line', 'street_address'] },
  { in: 'E-Mail-Adresse wiederholen', kind: 'email_confirm', not: ['email'] },
  { in: 'Telefonnummer', kind: 'phone' },
  { in: 'Straße und Hausnummer', kind: 'address_line' },
  { in: 'Adresszusatz', kind: 'address_line2', not: ['address_line'] },
  { in: 'PLZ', kind: 'postal_code' },
  { in: 'Ort', kind: 'city' },
  { in: 'PLZ / Ort', kind: 'postal_code' },
  { in: 'PLZ / Ort', kind: 'city' },
  { in: 'Bundesland', kind: 'region' },
  { in: 'Land', kind: 'country' },
  { in: 'Webseite', kind: 'website' },
  { in: 'Branche', kind: 'category' },
  { in: 'Beschreibung', kind: 'description' },
  { in: 'Kurzbeschreibung', kind: 'short_description', not: ['description'] },
  { in: 'Schlagworte', kind: 'keywords' },
  { in: 'Öffnungszeiten', kind: 'opening_hours' },
  { in: 'Gründungsjahr', kind: 'year_established' },
  { in: 'Passwort wiederholen', kind: 'new_password_confirm', not: ['new_password', 'current_password'] },
  { in: 'Benutzername', kind: 'username', not: ['contact_name', 'business_name'] },
  { in: 'Geburtsdatum', kind: 'birth_date' },
  { in: 'Anrede', kind: 'name_prefix' },
  { in: 'Gutscheincode', kind: 'coupon' },
  { in: 'Karteninhaber', kind: 'credit_card', not: ['contact_name'] },
  { in: 'Vorwahl', kind: 'phone_area_code', not: ['phone'] },
  { in: 'Durchwahl', kind: 'phone_extension', not: ['phone'] },
  { in: 'Suche', kind: 'search' },
  { in: 'Menge', kind: 'quantity' },
  { in: 'Bitte leer lassen', kind: 'honeypot' },

  // ---- French ----
  { in: "Nom de l'entreprise", kind: 'business_name', not: ['contact_name', 'contact_last_name'] },
  { in: 'Raison sociale', kind: 'business_name' },
  { in: 'Prénom', kind: 'contact_first_name' },
  { in: 'Nom', kind: 'contact_last_name', weak: true },
  { in: 'Nom de famille', kind: 'contact_last_name' },
  { in: 'Nom et prénom', kind: 'contact_name', not: ['contact_first_name', 'contact_last_name'] },
  { in: 'Adresse e-mail', kind: 'email', not: ['address_line', 'street_address'] },
  { in: "Confirmer l'adresse e-mail", kind: 'email_confirm', not: ['email'] },
  { in: 'Téléphone', kind: 'phone' },
  { in: 'Portable', kind: 'phone' },
  { in: 'Adresse', kind: 'address_line', weak: true },
  { in: "Complément d'adresse", kind: 'address_line2', not: ['address_line'] },
  { in: 'Code postal', kind: 'postal_code' },
  { in: 'Ville', kind: 'city' },
  { in: 'Pays', kind: 'country' },
  { in: 'Site web', kind: 'website' },
  { in: 'Catégorie', kind: 'category' },
  { in: "Secteur d'activité", kind: 'category' },
  { in: 'Mots-clés', kind: 'keywords' },
  { in: "Horaires d'ouverture", kind: 'opening_hours' },
  { in: 'Année de création', kind: 'year_established' },
  { in: 'Confirmez le mot de passe', kind: 'new_password_confirm' },
  { in: "Nom d'utilisateur", kind: 'username', not: ['contact_name', 'contact_last_name'] },
  { in: 'Date de naissance', kind: 'birth_date' },
  { in: 'Civilité', kind: 'name_prefix' },
  { in: 'Code promo', kind: 'coupon' },
  { in: 'Numéro de carte', kind: 'credit_card' },
  { in: 'Indicatif', kind: 'phone_country_code' },
  { in: 'Rechercher', kind: 'search' },
  { in: 'Quantité', kind: 'quantity' },

  // ---- Spanish ----
  { in: 'Nombre de la empresa', kind: 'business_name', not: ['contact_first_name', 'contact_name'] },
  { in: 'Nombre', kind: 'contact_first_name' },
  { in: 'Apellidos', kind: 'contact_last_name' },
  { in: 'Nombre y apellidos', kind: 'contact_name', not: ['contact_first_name', 'contact_last_name'] },
  { in: 'Correo electrónico', kind: 'email' },
  { in: 'Confirmar correo electrónico', kind: 'email_confirm', not: ['email'] },
  { in: 'Teléfono', kind: 'phone' },
  { in: 'Móvil', kind: 'phone' },
  { in: 'Dirección', kind: 'address_line', weak: true },
  { in: 'Calle', kind: 'address_line' },
  { in: 'Piso / Puerta', kind: 'address_line2' },
  { in: 'Código postal', kind: 'postal_code' },
  { in: 'Ciudad', kind: 'city' },
  { in: 'Localidad', kind: 'city' },
  { in: 'Provincia', kind: 'region' },
  { in: 'País', kind: 'country' },
  { in: 'Sitio web', kind: 'website' },
  { in: 'Categoría', kind: 'category' },
  { in: 'Descripción', kind: 'description' },
  { in: 'Palabras clave', kind: 'keywords' },
  { in: 'Horario', kind: 'opening_hours' },
  { in: 'Año de fundación', kind: 'year_established' },
  { in: 'Repetir contraseña', kind: 'new_password_confirm' },
  { in: 'Nombre de usuario', kind: 'username', not: ['contact_first_name', 'contact_name'] },
  { in: 'Fecha de nacimiento', kind: 'birth_date', not: ['credit_card'] },
  { in: 'Cupón de descuento', kind: 'coupon' },
  { in: 'Número de tarjeta', kind: 'credit_card' },
  { in: 'Fecha de caducidad', kind: 'credit_card' },
  { in: 'Buscar', kind: 'search' },
  { in: 'Cantidad', kind: 'quantity' },

  // ---- Italian ----
  { in: 'Ragione sociale', kind: 'business_name' },
  { in: "Nome dell'azienda", kind: 'business_name', not: ['contact_name'] },
  { in: 'Nome', kind: 'contact_first_name', weak: true },
  { in: 'Cognome', kind: 'contact_last_name' },
  { in: 'Nome e cognome', kind: 'contact_name', not: ['contact_last_name'] },
  { in: 'Indirizzo email', kind: 'email', not: ['address_line', 'street_address'] },
  { in: 'Conferma email', kind: 'email_confirm', not: ['email'] },
  { in: 'Telefono', kind: 'phone' },
  { in: 'Cellulare', kind: 'phone' },
  { in: 'Indirizzo', kind: 'address_line', weak: true },
  { in: 'Via e numero civico', kind: 'address_line' },
  { in: 'CAP', kind: 'postal_code' },
  { in: 'Città', kind: 'city' },
  { in: 'Comune', kind: 'city' },
  { in: 'Provincia', kind: 'region' },
  { in: 'Paese', kind: 'country' },
  { in: 'Sito web', kind: 'website' },
  { in: 'Descrizione', kind: 'description' },
  { in: 'Parole chiave', kind: 'keywords' },
  { in: 'Orari di apertura', kind: 'opening_hours' },
  { in: 'Anno di fondazione', kind: 'year_established' },
  { in: 'Nome utente', kind: 'username', not: ['contact_name'] },
  { in: 'Data di nascita', kind: 'birth_date' },
  { in: 'Codice sconto', kind: 'coupon' },
  { in: 'Prefisso', kind: 'phone_area_code' },
  { in: 'Cerca', kind: 'search' },
  { in: 'Quantità', kind: 'quantity' },

  // ---- Dutch ----
  { in: 'Bedrijfsnaam', kind: 'business_name' },
  { in: 'Voornaam', kind: 'contact_first_name' },
  { in: 'Achternaam', kind: 'contact_last_name' },
  { in: 'Tussenvoegsel', kind: 'name_middle' },
  { in: 'E-mailadres', kind: 'email', not: ['address_line'] },
  { in: 'Telefoonnummer', kind: 'phone' },
  { in: 'Straat', kind: 'address_line' },
  { in: 'Huisnummer toevoeging', kind: 'address_line2', not: ['address_line'] },
  { in: 'Postcode', kind: 'postal_code' },
  { in: 'Woonplaats', kind: 'city' },
  { in: 'Plaats', kind: 'city' },
  { in: 'Provincie', kind: 'region' },
  { in: 'Categorie', kind: 'category' },
  { in: 'Omschrijving', kind: 'description' },
  { in: 'Korte omschrijving', kind: 'short_description', not: ['description'] },
  { in: 'Trefwoorden', kind: 'keywords' },
  { in: 'Openingstijden', kind: 'opening_hours' },
  { in: 'Opgericht in', kind: 'year_established' },
  { in: 'Wachtwoord herhalen', kind: 'new_password_confirm' },
  { in: 'Gebruikersnaam', kind: 'username' },
  { in: 'Geboortedatum', kind: 'birth_date' },
  { in: 'Kortingscode', kind: 'coupon' },
  { in: 'Kaartnummer', kind: 'credit_card' },
  { in: 'Netnummer', kind: 'phone_area_code' },
  { in: 'Zoeken', kind: 'search' },
  { in: 'Aantal', kind: 'quantity' },

  // ---- Portuguese ----
  { in: 'Nome da empresa', kind: 'business_name', not: ['contact_name'] },
  { in: 'Razão social', kind: 'business_name' },
  { in: 'Nome completo', kind: 'contact_name' },
  { in: 'Sobrenome', kind: 'contact_last_name' },
  { in: 'Telefone', kind: 'phone' },
  { in: 'Celular', kind: 'phone' },
  { in: 'Endereço', kind: 'address_line', weak: true },
  { in: 'Rua', kind: 'address_line' },
  { in: 'Logradouro', kind: 'address_line' },
  { in: 'Complemento', kind: 'address_line2' },
  { in: 'CEP', kind: 'postal_code' },
  { in: 'Cidade', kind: 'city' },
  { in: 'Estado', kind: 'region' },
  { in: 'Site', kind: 'website' },
  { in: 'Descrição', kind: 'description' },
  { in: 'Palavras-chave', kind: 'keywords' },
  { in: 'Horário de funcionamento', kind: 'opening_hours' },
  { in: 'Ano de fundação', kind: 'year_established' },
  { in: 'Confirme a senha', kind: 'new_password_confirm' },
  { in: 'Nome de usuário', kind: 'username', not: ['contact_name'] },
  { in: 'Data de nascimento', kind: 'birth_date' },
  { in: 'Cupom', kind: 'coupon' },
  { in: 'Número do cartão', kind: 'credit_card' },
  { in: 'DDD', kind: 'phone_area_code' },
  { in: 'Pesquisar', kind: 'search' },
  { in: 'Quantidade', kind: 'quantity' },

  // ---- Polish, Swedish, Danish, Norwegian, Finnish ----
  { in: 'Nazwa firmy', kind: 'business_name' },
  { in: 'Imię', kind: 'contact_first_name' },
  { in: 'Nazwisko', kind: 'contact_last_name' },
  { in: 'Imię i nazwisko', kind: 'contact_name', not: ['contact_first_name', 'contact_last_name'] },
  { in: 'Adres e-mail', kind: 'email', not: ['address_line'] },
  { in: 'Ulica', kind: 'address_line' },
  { in: 'Kod pocztowy', kind: 'postal_code' },
  { in: 'Miejscowość', kind: 'city' },
  { in: 'Województwo', kind: 'region' },
  { in: 'Kraj', kind: 'country' },
  { in: 'Strona www', kind: 'website' },
  { in: 'Słowa kluczowe', kind: 'keywords' },
  { in: 'Företagsnamn', kind: 'business_name' },
  { in: 'Förnamn', kind: 'contact_first_name' },
  { in: 'Efternamn', kind: 'contact_last_name' },
  { in: 'E-postadress', kind: 'email' },
  { in: 'Gatuadress', kind: 'address_line' },
  { in: 'Postnummer', kind: 'postal_code' },
  { in: 'Öppettider', kind: 'opening_hours' },
  { in: 'Användarnamn', kind: 'username' },
  { in: 'Virksomhedsnavn', kind: 'business_name' },
  { in: 'Fornavn', kind: 'contact_first_name' },
  { in: 'Etternavn', kind: 'contact_last_name' },
  { in: 'Postnr.', kind: 'postal_code' },
  { in: 'By', kind: 'city' },
  { in: 'Hjemmeside', kind: 'website' },
  { in: 'Åbningstider', kind: 'opening_hours' },
  { in: 'Brukernavn', kind: 'username' },
  { in: 'Yrityksen nimi', kind: 'business_name' },
  { in: 'Etunimi', kind: 'contact_first_name' },
  { in: 'Sukunimi', kind: 'contact_last_name' },
  { in: 'Sähköposti', kind: 'email' },
  { in: 'Puhelinnumero', kind: 'phone' },
  { in: 'Postinumero', kind: 'postal_code' },
  { in: 'Postitoimipaikka', kind: 'city' },

  // ---- Turkish ----
  { in: 'Şirket adı', kind: 'business_name', not: ['contact_first_name'] },
  { in: 'Ad Soyad', kind: 'contact_name', not: ['contact_last_name'] },
  { in: 'Soyadı', kind: 'contact_last_name' },
  { in: 'E-posta', kind: 'email' },
  { in: 'Posta kodu', kind: 'postal_code' },
  { in: 'İl', kind: 'region' },
  { in: 'İlçe', kind: 'city' },
  { in: 'Ülke', kind: 'country' },
  { in: 'Kullanıcı adı', kind: 'username', not: ['contact_first_name'] },
  { in: 'Doğum tarihi', kind: 'birth_date' },
  { in: 'Açıklama', kind: 'description' },

  // ---- Russian ----
  { in: 'Название компании', kind: 'business_name' },
  { in: 'Имя', kind: 'contact_first_name' },
  { in: 'Фамилия', kind: 'contact_last_name' },
  { in: 'ФИО', kind: 'contact_name' },
  { in: 'Электронная почта', kind: 'email' },
  { in: 'Телефон', kind: 'phone' },
  { in: 'Улица', kind: 'address_line' },
  { in: 'Почтовый индекс', kind: 'postal_code' },
  { in: 'Город', kind: 'city' },
  { in: 'Область', kind: 'region' },
  { in: 'Страна', kind: 'country' },
  { in: 'Сайт', kind: 'website' },
  { in: 'Описание', kind: 'description' },
  { in: 'Ключевые слова', kind: 'keywords' },
  { in: 'Режим работы', kind: 'opening_hours' },
  { in: 'Повторите пароль', kind: 'new_password_confirm' },
  { in: 'Имя пользователя', kind: 'username', not: ['contact_first_name'] },
  { in: 'Дата рождения', kind: 'birth_date' },
  { in: 'Промокод', kind: 'coupon' },
  { in: 'Поиск', kind: 'search' },
  { in: 'Количество', kind: 'quantity' },

  // ---- Japanese ----
  { in: '会社名', kind: 'business_name' },
  { in: '氏名', kind: 'contact_name' },
  { in: '姓', kind: 'contact_last_name' },
  { in: '名', kind: 'contact_first_name' },
  { in: 'メールアドレス', kind: 'email' },
  { in: 'メールアドレス（確認用）', kind: 'email_confirm', not: ['email'] },
  { in: '電話番号', kind: 'phone' },
  { in: '郵便番号', kind: 'postal_code' },
  { in: '都道府県', kind: 'region' },
  { in: '市区町村', kind: 'city' },
  { in: '番地', kind: 'address_line' },
  { in: '建物名', kind: 'address_line2' },
  { in: 'パスワード（確認）', kind: 'new_password_confirm' },
  { in: 'ホームページ', kind: 'website' },
  { in: '営業時間', kind: 'opening_hours' },
  { in: '生年月日', kind: 'birth_date' },
  { in: 'カテゴリ', kind: 'category' },
  { in: 'キーワード', kind: 'keywords' },
  { in: 'ユーザー名', kind: 'username' },

  // ---- Chinese ----
  { in: '公司名称', kind: 'business_name' },
  { in: '公司地址', not: ['business_name'] },
  { in: '姓名', kind: 'contact_name' },
  { in: '联系人', kind: 'contact_name' },
  { in: '电子邮箱', kind: 'email' },
  { in: '手机号码', kind: 'phone' },
  { in: '邮政编码', kind: 'postal_code' },
  { in: '城市', kind: 'city' },
  { in: '省份', kind: 'region' },
  { in: '国家', kind: 'country' },
  { in: '网站', kind: 'website' },
  { in: '关键词', kind: 'keywords' },
  { in: '确认密码', kind: 'new_password_confirm' },
  { in: '用户名', kind: 'username' },
  { in: '验证码', kind: 'one_time_code' },
  { in: '搜索', kind: 'search' },

  // ---- Korean ----
  { in: '회사명', kind: 'business_name' },
  { in: '성명', kind: 'contact_name' },
  { in: '이메일', kind: 'email' },
  { in: '전화번호', kind: 'phone' },
  { in: '상세주소', kind: 'address_line2', not: ['address_line'] },
  { in: '우편번호', kind: 'postal_code' },
  { in: '비밀번호 확인', kind: 'new_password_confirm' },
  { in: '아이디', kind: 'username' },
  { in: '영업시간', kind: 'opening_hours' },

  // ---- Indonesian, Hindi ----
  { in: 'Nama perusahaan', kind: 'business_name' },
  { in: 'Nama lengkap', kind: 'contact_name' },
  { in: 'Nomor HP', kind: 'phone' },
  { in: 'Kode pos', kind: 'postal_code' },
  { in: 'Kota', kind: 'city' },
  { in: 'Provinsi', kind: 'region' },
  { in: 'Nama pengguna', kind: 'username' },
  { in: 'Tanggal lahir', kind: 'birth_date' },
  { in: 'Kata kunci', kind: 'keywords' },
  { in: 'ईमेल', kind: 'email' },
  { in: 'फ़ोन नंबर', kind: 'phone' },
  { in: 'शहर', kind: 'city' },
  { in: 'पिन कोड', kind: 'postal_code' },
  { in: 'पूरा नाम', kind: 'contact_name' },
];

describe('rule data', () => {
  it('compiles, with the u flag', () => {
    const compiled = compileRules(RULES);
    expect(compiled.size).toBeGreaterThan(0);
    for (const [kind, rule] of compiled) {
      for (const source of ['text', 'attribute', 'weak', 'not'] as const) {
        const re = rule[source];
        if (re) expect({ kind, source, flags: re.flags }).toEqual({ kind, source, flags: 'u' });
      }
    }
  });

  it('has a rule for every kind but unknown', () => {
    const kinds = [...FILLABLE_KINDS, ...REFUSED_KINDS].filter((kind) => kind !== 'unknown');
    const missing = kinds.filter((kind) => (RULES[kind]?.text.length ?? 0) === 0);
    expect(missing).toEqual([]);
    expect(RULES.unknown).toBeUndefined();
  });

  const lines = Object.entries(RULES).flatMap(([kind, rule]) =>
    (['text', 'attribute', 'weak', 'not'] as const).flatMap((source) =>
      ((rule as KindRule)[source] ?? []).map(([pattern, languages]) => ({
        kind,
        source,
        pattern,
        languages,
      })),
    ),
  );

  it('tags every line with known languages', () => {
    const known = new Set<string>(RULE_LANGUAGES);
    const bad = lines.filter(
      (line) => line.languages.split(/, */).some((language) => !known.has(language)) || line.languages === '',
    );
    expect(bad).toEqual([]);
  });

  it('writes patterns as normalizeText leaves text: lower case, no accents', () => {
    const bad = lines.filter(({ pattern }) => {
      const normalized = pattern
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .normalize('NFC')
        .toLowerCase()
        .replace(/ß/g, 'ss');
      return normalized !== pattern;
    });
    expect(bad).toEqual([]);
  });

  it('has no line that matches everything', () => {
    const bad = lines.filter(({ pattern }) => {
      const re = compileLines([[pattern, '']]);
      return !re || re.test('') || re.test('qqq') || re.test('7');
    });
    expect(bad).toEqual([]);
  });
});

describe('what the rules name', () => {
  it('has a broad table', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
  });

  it.each(CASES.map((c) => [c.attr ? `[${c.in}]` : c.in, c.kind ?? '-', c] as const))(
    '%s -> %s',
    (_label, _kind, c) => {
      const found = matchKinds(c.in, { attribute: c.attr });
      if (c.kind) {
        const where = c.weak ? found.weak : found.strong;
        expect({ in: c.in, kinds: where }).toEqual({ in: c.in, kinds: expect.arrayContaining([c.kind]) });
      }
      for (const other of c.not ?? []) {
        expect({ in: c.in, matched: other, strong: found.strong.includes(other) }).toEqual({
          in: c.in,
          matched: other,
          strong: false,
        });
        expect({ in: c.in, matched: other, weak: found.weak.includes(other) }).toEqual({
          in: c.in,
          matched: other,
          weak: false,
        });
      }
    },
  );
});
