/**
 * The second pass: what a field cannot tell alone, its neighbours can. Like Firefox's FieldScanner
 * walking the fields with a cursor, this corrects classifications in a container from the fields
 * around them:
 * - a phone split over boxes on one line (area code / prefix / line, or country code + number):
 *   the label names only the first box;
 * - an unlabelled box right after the street address is its second line;
 * - a second email right after the first is its confirmation; two password boxes in a sign-up are
 *   the new password and its confirmation, and a lone password box is a log-in's;
 * - "Name: [ ] [ ]" is a first and a last name; a first name followed by an unlabelled box is
 *   followed by the last name;
 * - a bare "Name" on a listing form with no business-name field is the business's name.
 */
import { matchText, type Classification } from './classify';
import type { FieldKind } from './field-kinds';
import type { ScannedControl } from './page-scan';

const TEXT_TYPES = new Set(['text', 'tel', 'number', 'email', '']);
const PHONE_KINDS = new Set<FieldKind>([
  'phone',
  'phone_area_code',
  'phone_country_code',
  'phone_local',
  'phone_national',
]);

function isTextBox(control: ScannedControl): boolean {
  return control.tag === 'input' && TEXT_TYPES.has(control.type);
}

/** On the same visual line (their vertical centres within half a box of each other). */
function sameRow(a: ScannedControl, b: ScannedControl): boolean {
  const ca = a.rect.y + a.rect.height / 2;
  const cb = b.rect.y + b.rect.height / 2;
  return Math.abs(ca - cb) <= Math.max(8, Math.min(a.rect.height, b.rect.height) / 2) && b.rect.x >= a.rect.x;
}

/** The box's capacity in characters: maxlength, else size, else its width at about 8 px a character. */
function capacity(control: ScannedControl): number {
  if (control.maxLength !== null) return control.maxLength;
  if (control.size !== null) return control.size;
  return Math.max(1, Math.round(control.rect.width / 8));
}

/** Names that number the parts of one thing: phone1/phone2/phone3, PhonePart1, tel_2 ... */
function numberedSibling(a: ScannedControl, b: ScannedControl): boolean {
  const stem = (s: string) => s.replace(/\d+$/, '').replace(/(part|box|field)$/i, '');
  const na = a.name || a.id;
  const nb = b.name || b.id;
  return /\d$/.test(na) && /\d$/.test(nb) && stem(na) === stem(nb) && stem(na).length > 0;
}

/** A box that says nothing at all: no label, placeholder or words beside it (punctuation aside). */
function saysNothing(control: ScannedControl): boolean {
  const own = `${control.labels} ${control.labelledBy} ${control.ariaLabel} ${control.placeholder}`.trim();
  return own === '' && !/[\p{L}]{2,}/u.test(control.layoutText);
}

/** A box with no words of its own (only punctuation like "-" or ")" beside it). */
function hasNoOwnWords(control: ScannedControl, cls: Classification): boolean {
  const own = `${control.labels} ${control.labelledBy} ${control.ariaLabel} ${control.placeholder}`.trim();
  return cls.kind === 'unknown' || (own === '' && !/[\p{L}]{2,}/u.test(control.layoutText));
}

const CONFIRM =
  /\b(confirm|repeat|retype|re ?enter|verify|again|bestatig|wiederhol|confirmer|confirmar|conferma|ripeti|bevestig|herhaal|repita)/i;

export function applyNeighbours(
  controls: readonly ScannedControl[],
  classes: Map<number, Classification>,
): void {
  const list = controls.filter((c) => c.visible && c.editable && c.tag !== undefined);
  const get = (c: ScannedControl): Classification => classes.get(c.index)!;
  const set = (c: ScannedControl, kind: FieldKind, confidence?: number): void => {
    const before = get(c);
    classes.set(c.index, {
      ...before,
      kind,
      confidence: confidence ?? Math.max(0.6, Math.min(before.confidence || 0.75, 0.85)),
      source: 'neighbours',
    });
  };

  splitPhones(list, get, set);
  sharedLabels(list, get, set);

  for (let i = 0; i < list.length; i += 1) {
    const control = list[i]!;
    const cls = get(control);
    const next = list[i + 1];
    const nextCls = next ? get(next) : undefined;

    // Address line 2: an unlabelled box (or one with the same "Address" words) right after line 1.
    if (
      (cls.kind === 'address_line' || cls.kind === 'street_address') &&
      control.tag === 'input' &&
      next &&
      nextCls &&
      isTextBox(next)
    ) {
      // Only a box that says nothing of its own: "Recipient name" below a street is not its line 2.
      if (
        (nextCls.kind === 'unknown' && saysNothing(next)) ||
        (nextCls.kind === cls.kind && hasNoOwnWords(next, nextCls)) ||
        (nextCls.kind === 'address_line' && !next.labels)
      ) {
        set(next, 'address_line2');
        const third = list[i + 2];
        const thirdCls = third ? get(third) : undefined;
        if (
          third &&
          thirdCls &&
          isTextBox(third) &&
          (thirdCls.kind === 'unknown' || thirdCls.kind === 'address_line')
        ) {
          if (hasNoOwnWords(third, thirdCls)) set(third, 'address_line3');
        }
      }
    }

    // "Title" right before a person's name is Mr/Ms, not a listing's title.
    if (
      cls.kind === 'business_name' &&
      cls.score < 1 &&
      next &&
      nextCls &&
      ['contact_first_name', 'contact_name', 'contact_last_name'].includes(nextCls.kind)
    ) {
      set(control, 'name_prefix', 0.6);
    }

    // Names: "Name: [first] [last]", "First name [ ] [unlabelled]"; a tiny box between a first and
    // a last name is the middle initial.
    if (next && nextCls && isTextBox(next) && sameRow(control, next) && hasNoOwnWords(next, nextCls)) {
      const lastFollows = list.slice(i + 2, i + 4).some((c) => get(c).kind === 'contact_last_name');
      if (
        (cls.kind === 'contact_name' || cls.kind === 'contact_first_name') &&
        (lastFollows || capacity(next) <= 2)
      ) {
        if (cls.kind === 'contact_name') set(control, 'contact_first_name');
        set(next, 'name_middle');
      } else if (cls.kind === 'contact_name' || cls.kind === 'contact_first_name') {
        if (cls.kind === 'contact_name') set(control, 'contact_first_name');
        set(next, 'contact_last_name');
      } else if (cls.kind === 'contact_last_name' && nextCls.kind === 'unknown' && saysNothing(next)) {
        set(next, 'contact_first_name');
      }
    }
    if (cls.kind === 'contact_name' && next && nextCls?.kind === 'contact_name' && sameRow(control, next)) {
      set(control, 'contact_first_name');
      set(next, 'contact_last_name');
    }
  }

  // Payment sections: a name or address box among card fields is the card's ("Name on card",
  // the card's billing postcode), never the business's.
  for (let i = 0; i < list.length; i += 1) {
    const control = list[i]!;
    const kind = get(control).kind;
    if (
      !['contact_name', 'contact_first_name', 'contact_last_name', 'business_name', 'postal_code'].includes(
        kind,
      )
    )
      continue;
    const around = [...list.slice(Math.max(0, i - 2), i), ...list.slice(i + 1, i + 3)];
    const cards = around.filter((c) => get(c).kind === 'credit_card').length;
    // Only what a person reads decides: a billing contact's name next to the card is the billing
    // address's ("Name on card" is the card's).
    const cardWords =
      /\b(on (the )?card|card ?holder|karteninhaber|auf der karte|titulaire|sur la carte|titular|en la tarjeta|intestatario|sulla carta|kaarthouder|op de kaart|no cartao|nome impresso)\b/i;
    if (
      cards >= 1 &&
      cardWords.test(`${control.labels} ${control.layoutText} ${control.placeholder} ${control.ariaLabel}`)
    ) {
      set(control, 'credit_card', 0.8);
    } else if (
      kind === 'contact_name' &&
      get(list[i + 1] ?? control).kind === 'credit_card' &&
      list[i + 1] !== undefined
    ) {
      // A full name right before the card number is the card holder's.
      set(control, 'credit_card', 0.7);
    }
  }

  // A second email box is the confirmation of the first (said, or right after it).
  const emails = list.filter((c) => get(c).kind === 'email' || get(c).kind === 'email_confirm');
  emails.forEach((c, i) => {
    const words = `${c.labels} ${c.labelledBy} ${c.ariaLabel} ${c.layoutText} ${c.placeholder} ${c.name} ${c.id}`;
    if (i === 0) {
      if (get(c).kind === 'email_confirm' && !CONFIRM.test(words)) set(c, 'email');
      return;
    }
    const previous = list[list.indexOf(c) - 1];
    if (CONFIRM.test(words) || previous === emails[i - 1]) set(c, 'email_confirm');
  });

  // Passwords: a sign-up's new password and its confirmation, or a log-in's current password.
  const passwords = list.filter((c) => c.type === 'password');
  const signUp =
    passwords.length >= 2 ||
    list.some((c) =>
      ['contact_first_name', 'contact_last_name', 'email_confirm', 'business_name'].includes(get(c).kind),
    );
  if (passwords.length >= 3) {
    set(passwords[0]!, 'current_password');
    set(passwords[1]!, 'new_password');
    set(passwords[2]!, 'new_password_confirm');
  } else if (passwords.length === 2) {
    const [first, second] = passwords as [ScannedControl, ScannedControl];
    if (get(first).kind === 'current_password' && get(second).kind === 'new_password') {
      // a change-password pair: keep
    } else {
      set(first, 'new_password');
      set(second, 'new_password_confirm');
    }
  } else if (passwords.length === 1 && get(passwords[0]!).source !== 'autocomplete') {
    // A lone password box is a log-in's, unless the form around it is a sign-up.
    const kind = get(passwords[0]!).kind;
    if (kind === 'current_password' && signUp) set(passwords[0]!, 'new_password');
    else if (kind === 'new_password' && !signUp) set(passwords[0]!, 'current_password');
  }

  // One street box for the whole street address ("100 Congress Ave, Suite 200"), or line 1 of two:
  // a text box's label cannot tell, the presence of a second line can.
  const hasLine2 = list.some((c) => get(c).kind === 'address_line2');
  for (const c of list) {
    const kind = get(c).kind;
    // The page's own autocomplete says which it is: that is not overridden.
    if (c.tag !== 'input' || get(c).source === 'autocomplete') continue;
    if (kind === 'street_address' && hasLine2) set(c, 'address_line');
    else if (
      kind === 'address_line' &&
      !hasLine2 &&
      list.filter((o) => get(o).kind === 'address_line').length === 1
    ) {
      set(c, 'street_address');
    }
  }

  // "Nome" beside "Cognome", "Name" beside "Surname": the generic name is the first name.
  if (
    list.some((c) => get(c).kind === 'contact_last_name') &&
    !list.some((c) => get(c).kind === 'contact_first_name')
  ) {
    const generic = list.filter((c) => get(c).kind === 'contact_name');
    if (generic.length === 1) set(generic[0]!, 'contact_first_name');
  }

  // A bare "Name" on a listing form without a business-name field is the business's name.
  const kinds = new Set(list.map((c) => get(c).kind));
  if (!kinds.has('business_name') && !kinds.has('contact_first_name') && !kinds.has('contact_last_name')) {
    // Said by words, not only by a textarea's shape: a contact form's "Message" box is no listing.
    const listing = list.some(
      (c) =>
        ['website', 'category', 'description', 'short_description', 'opening_hours'].includes(get(c).kind) &&
        get(c).source !== 'type',
    );
    const names = list.filter((c) => get(c).kind === 'contact_name');
    if (listing && names.length === 1 && get(names[0]!).score < 1.2) set(names[0]!, 'business_name', 0.6);
  }
}

/** Phones split over several boxes on one line. */
function splitPhones(
  list: readonly ScannedControl[],
  get: (c: ScannedControl) => Classification,
  set: (c: ScannedControl, kind: FieldKind, confidence?: number) => void,
): void {
  for (let i = 0; i < list.length; i += 1) {
    const first = list[i]!;
    const firstKind = get(first).kind;
    if (!PHONE_KINDS.has(firstKind) || !(isTextBox(first) || first.tag === 'select')) continue;
    const group: ScannedControl[] = [first];
    for (let j = i + 1; j < list.length && group.length < 4; j += 1) {
      const candidate = list[j]!;
      const cls = get(candidate);
      const previous = group[group.length - 1]!;
      if (!isTextBox(candidate)) break;
      const joined =
        (sameRow(previous, candidate) || numberedSibling(previous, candidate)) &&
        (hasNoOwnWords(candidate, cls) ||
          PHONE_KINDS.has(cls.kind) ||
          ['phone_prefix', 'phone_line'].includes(cls.kind) ||
          numberedSibling(previous, candidate));
      if (!joined) break;
      group.push(candidate);
    }
    if (group.length < 2) continue;
    const sizes = group.map(capacity);
    // The last box of a split number is never tiny; a box of 1-5 after a full number is an extension.
    if (firstKind === 'phone' && sizes[0]! >= 10) continue;
    const countryFirst =
      firstKind === 'phone_country_code' ||
      first.tag === 'select' ||
      (sizes[0]! <= 4 &&
        (/^\s*\+/.test(first.placeholder || first.value) ||
          /intl|international|country|dial|landesvorwahl|indicatif/i.test(`${first.name} ${first.id}`)));
    let kinds: FieldKind[];
    if (group.length === 2) {
      kinds = countryFirst
        ? ['phone_country_code', 'phone_national']
        : sizes[1]! >= 6
          ? ['phone_area_code', 'phone_local']
          : ['phone', 'phone_extension'];
    } else if (group.length === 3) {
      kinds =
        countryFirst && sizes[1]! >= 6
          ? ['phone_country_code', 'phone_area_code', 'phone_local']
          : ['phone_area_code', 'phone_prefix', 'phone_line'];
    } else if (sizes[0]! <= 3 && sizes[1]! <= 3 && sizes[2]! >= 4) {
      kinds = ['phone_area_code', 'phone_prefix', 'phone_line', 'phone_extension']; // 3-3-4 and an extension
    } else {
      kinds = ['phone_country_code', 'phone_area_code', 'phone_prefix', 'phone_line'];
    }
    group.forEach((c, k) => set(c, kinds[k]!, 0.85));
    i += group.length - 1;
  }
}

/**
 * One label for several boxes in a row: "City / State / Zip", "Postleitzahl/Ort", "CP - Ville". The
 * kinds the label names, in its order, go to the box and the unlabelled boxes after it.
 */
function sharedLabels(
  list: readonly ScannedControl[],
  get: (c: ScannedControl) => Classification,
  set: (c: ScannedControl, kind: FieldKind, confidence?: number) => void,
): void {
  for (let i = 0; i < list.length; i += 1) {
    const control = list[i]!;
    const label = control.labels || control.labelledBy || control.ariaLabel || control.layoutText;
    const parts = label
      .split(/\s*(?:\/|,|&|\||\+)\s*|\s+(?:-|and|und|et|y|e|en)\s+/i)
      .filter((p) => p.trim());
    if (parts.length < 2 || parts.length > 4) continue;
    const kinds = parts.map((part) => {
      const matches = matchText(part, false).filter((m) => m.strong);
      return matches.length === 1 ? matches[0]!.kind : undefined;
    });
    if (kinds.some((k) => k === undefined) || new Set(kinds).size !== kinds.length) continue;
    const boxes = [control];
    for (let j = i + 1; j < list.length && boxes.length < kinds.length; j += 1) {
      const next = list[j]!;
      if (!hasNoOwnWords(next, get(next)) && get(next).kind !== 'unknown') break;
      if (next.labels || next.labelledBy || next.ariaLabel) break;
      boxes.push(next);
    }
    if (boxes.length !== kinds.length) continue;
    boxes.forEach((box, k) => set(box, kinds[k]!, 0.75));
    i += boxes.length - 1;
  }
}
