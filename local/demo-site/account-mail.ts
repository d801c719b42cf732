/**
 * The mails the demo account directories send, worded and laid out as real sign-up mails are: a
 * text and an HTML part, the link both as a button and spelled out, and a footer with the
 * unsubscribe and privacy links the inbound-mail parser must tell from the confirmation link.
 */
import { escapeHtml } from './forms';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface MailLinks {
  unsubscribeUrl: string;
  privacyUrl: string;
}

/** "90 seconds", "1 minute", "2 hours": a link lifetime as a mail says it. */
export function describeDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  const [value, unit] =
    seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds % 60 === 0
        ? [seconds / 60, 'minute']
        : [seconds, 'second'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

const footerText = (directoryName: string, links: MailLinks): string =>
  `You are receiving this email because an account was created on ${directoryName} with this address.
Unsubscribe: ${links.unsubscribeUrl}
Privacy policy: ${links.privacyUrl}`;

const footerHtml = (directoryName: string, links: MailLinks): string =>
  `<hr><p style="font-size:12px;color:#777">You are receiving this email because an account was created on ${escapeHtml(directoryName)} with this address.<br>
<a href="${escapeHtml(links.unsubscribeUrl)}">Unsubscribe</a> · <a href="${escapeHtml(links.privacyUrl)}">Privacy policy</a></p>`;

const htmlDocument = (title: string, body: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:sans-serif;max-width:36rem">${body}</body></html>`;

export function verificationMail(options: {
  directoryName: string;
  companyName: string;
  confirmUrl: string;
  /** Set when the link expires, e.g. "1 minute". */
  linkLifetime?: string;
  links: MailLinks;
}): MailContent {
  const { directoryName, companyName, confirmUrl, linkLifetime, links } = options;
  const subject = `Confirm your email address for ${directoryName}`;
  const expiry = linkLifetime ? `This link expires in ${linkLifetime}.` : '';
  const text = `Hi ${companyName},

Thanks for signing up for ${directoryName}. Please confirm your email address to activate your account:

${confirmUrl}

${expiry ? `${expiry}\n\n` : ''}If you did not create an account, you can ignore this email.

The ${directoryName} team

${footerText(directoryName, links)}
`;
  const html = htmlDocument(
    subject,
    `<p>Hi ${escapeHtml(companyName)},</p>
<p>Thanks for signing up for ${escapeHtml(directoryName)}. Please confirm your email address to activate your account.</p>
<p><a href="${escapeHtml(confirmUrl)}" style="background:#0a6;color:#fff;padding:10px 16px;text-decoration:none;border-radius:4px">Confirm my email address</a></p>
<p>If the button does not work, copy this address into your browser:<br>${escapeHtml(confirmUrl)}</p>
${expiry ? `<p>${escapeHtml(expiry)}</p>\n` : ''}<p>If you did not create an account, you can ignore this email.</p>
<p>The ${escapeHtml(directoryName)} team</p>
${footerHtml(directoryName, links)}`,
  );
  return { subject, text, html };
}

/** The mail a directory without confirmation sends: nothing to click but the way to log in. */
export function welcomeMail(options: {
  directoryName: string;
  companyName: string;
  loginUrl: string;
  links: MailLinks;
}): MailContent {
  const { directoryName, companyName, loginUrl, links } = options;
  const subject = `Welcome to ${directoryName}`;
  const text = `Hi ${companyName},

Your ${directoryName} account is ready. Log in to add your business listing:

${loginUrl}

The ${directoryName} team

${footerText(directoryName, links)}
`;
  const html = htmlDocument(
    subject,
    `<p>Hi ${escapeHtml(companyName)},</p>
<p>Your ${escapeHtml(directoryName)} account is ready. <a href="${escapeHtml(loginUrl)}">Log in</a> to add your business listing.</p>
<p>The ${escapeHtml(directoryName)} team</p>
${footerHtml(directoryName, links)}`,
  );
  return { subject, text, html };
}
