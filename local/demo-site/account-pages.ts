/**
 * HTML of the demo site's account directories (/accounts/...): sign-up, log-in, the confirmation
 * pages and the listing form behind a session. Same rules as forms.ts: plain HTML, no external
 * resources, real labels, and field names as real sites spell them (each directory its own).
 */
import type { AccountDirectory } from './accounts';
import { categoryOptions, countryOptions, escapeHtml, page } from './forms';

const alert = (errors: readonly string[]): string =>
  errors.length
    ? `<div class="error" role="alert"><ul>${errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`
    : '';

/**
 * Sign-up: business email, password and its confirmation, company name and a required terms
 * checkbox (whose label holds links the submitter must not follow). A refused sign-up comes back
 * with the errors in an alert and the email and company filled in again, as sites do.
 */
export function signupPage(
  directory: AccountDirectory,
  errors: readonly string[] = [],
  values: { email?: string; company?: string } = {},
): string {
  const f = directory.fields;
  return page(
    `Create your account — ${directory.name}`,
    `<h1>Create your free account</h1>
<p>List your business on ${escapeHtml(directory.name)}. It only takes a minute.</p>
${alert(errors)}
<form method="post" action="${directory.path}/signup" id="signup-form">
  <label for="su-email">Business email *</label><input id="su-email" name="${f.email}" type="email" autocomplete="email" value="${escapeHtml(values.email ?? '')}" required>
  <label for="su-password">Password *</label><input id="su-password" name="${f.password}" type="password" autocomplete="new-password" minlength="8" required>
  <small>At least 8 characters.</small>
  <label for="su-password2">Confirm password *</label><input id="su-password2" name="${f.passwordConfirmation}" type="password" autocomplete="new-password" minlength="8" required>
  <label for="su-company">Company name *</label><input id="su-company" name="${f.company}" autocomplete="organization" value="${escapeHtml(values.company ?? '')}" required>
  <label><input type="checkbox" name="${f.terms}" value="1" required> I agree to the <a href="/terms">Terms of Service</a> and the <a href="/privacy">Privacy Policy</a></label>
  <button type="submit">Create account</button>
</form>
<p>Already have an account? <a href="${directory.path}/login">Log in</a></p>`,
  );
}

/** After a sign-up that needs the email confirmed: nothing to do here but read the mail. */
export function checkInboxPage(directory: AccountDirectory, email: string, linkLifetime?: string): string {
  return page(
    `Check your inbox — ${directory.name}`,
    `<h1>Check your inbox</h1>
<p>We sent a verification link to <strong>${escapeHtml(email)}</strong>. Click it to activate your account${
      linkLifetime ? ` (the link expires in ${escapeHtml(linkLifetime)})` : ''
    }.</p>
<p>Did not get it? Check your spam folder.</p>`,
  );
}

/** After a sign-up with nothing to confirm (/accounts/login-first): log in next. */
export function accountCreatedPage(directory: AccountDirectory): string {
  return page(
    `Account created — ${directory.name}`,
    `<h1>Your account is ready</h1>
<p><a href="${directory.path}/login">Log in</a> to add your business listing.</p>`,
  );
}

/** The confirmation link worked: the account is verified and signed in. */
export function confirmedPage(directory: AccountDirectory, alreadyConfirmed: boolean): string {
  return page(
    `Email confirmed — ${directory.name}`,
    `<h1>${alreadyConfirmed ? 'Your email address was already confirmed' : 'Thanks, your email address is confirmed'}</h1>
<p>You are signed in.</p>
<p><a href="${directory.path}/listing">Add your business listing</a></p>`,
  );
}

export function linkExpiredPage(directory: AccountDirectory): string {
  return page(
    `Link expired — ${directory.name}`,
    `<h1>This link has expired</h1>
<div class="error" role="alert"><p>This link has expired. Verification links are valid for a limited time.</p></div>`,
  );
}

export function invalidLinkPage(directory: AccountDirectory): string {
  return page(
    `Invalid link — ${directory.name}`,
    `<h1>This link is not valid</h1>
<div class="error" role="alert"><p>This link is not valid. Check that you copied the whole address.</p></div>`,
  );
}

/** Log-in: email and password, and where to go next (a hidden field, as sites keep it). */
export function loginPage(directory: AccountDirectory, next: string, errors: readonly string[] = []): string {
  const f = directory.fields;
  return page(
    `Log in — ${directory.name}`,
    `<h1>Log in</h1>
${alert(errors)}
<form method="post" action="${directory.path}/login" id="login-form">
  <label for="li-email">Email</label><input id="li-email" name="${f.email}" type="email" autocomplete="username" required>
  <label for="li-password">Password</label><input id="li-password" name="${f.password}" type="password" autocomplete="current-password" required>
  <input type="hidden" name="next" value="${escapeHtml(next)}">
  <button type="submit">Log in</button>
</form>
<p>New here? <a href="${directory.path}/signup">Create an account</a></p>`,
  );
}

/**
 * The listing form behind a session: the plain form's fields and names (company, contact_email,
 * town...) and its honeypot, under a "signed in as" bar with a log-out link the submitter must not
 * click.
 */
export function accountListingPage(directory: AccountDirectory, accountEmail: string): string {
  return page(
    `Add your business — ${directory.name}`,
    `<nav aria-label="Account">Signed in as <strong>${escapeHtml(accountEmail)}</strong> · <a href="${directory.path}/logout">Log out</a></nav>
<h1>Add your business listing</h1>
<form method="post" action="${directory.path}/listing" id="listing-form">
  <label for="company">Business name *</label><input id="company" name="company" required>
  <label for="contact_email">Public email *</label><input id="contact_email" name="contact_email" type="email" required>
  <label for="phone">Phone *</label><input id="phone" name="phone" type="tel" required>
  <label for="site">Website</label><input id="site" name="site" type="url">
  <label for="street">Street address</label><input id="street" name="street" autocomplete="address-line1">
  <label for="town">City *</label><input id="town" name="town" required>
  <label for="state">State / Province</label><input id="state" name="state">
  <label for="zip">ZIP / Postal code</label><input id="zip" name="zip">
  <label for="country">Country</label><select id="country" name="country">${countryOptions()}</select>
  <label for="category">Category *</label><select id="category" name="category" required>${categoryOptions()}</select>
  <label for="about">Describe your business</label><textarea id="about" name="about" rows="4"></textarea>
  <div class="honeypot" aria-hidden="true"><label for="fax">Leave empty</label><input id="fax" name="fax" tabindex="-1" autocomplete="off"></div>
  <button type="submit">Publish listing</button>
</form>`,
  );
}

export function unsubscribedPage(directory: AccountDirectory): string {
  return page(
    `Unsubscribed — ${directory.name}`,
    `<h1>You have been unsubscribed</h1><p>You will no longer receive newsletters from ${escapeHtml(directory.name)}.</p>`,
  );
}

/** /privacy and /terms: the pages a sign-up form and a mail footer link to. */
export function policyPage(kind: 'privacy' | 'terms'): string {
  return kind === 'privacy'
    ? page(
        'Privacy Policy',
        '<h1>Privacy Policy</h1><p>We store the details you give us to publish your listing.</p>',
      )
    : page('Terms of Service', '<h1>Terms of Service</h1><p>Listings must describe a real business.</p>');
}
