/**
 * Which part of the page to fill. Real pages carry several forms (a header search, a newsletter box,
 * a log-in, the listing form) and script-driven sites carry none: every form and every form-less
 * section is a candidate, and so is a form together with the form-less fields of the section around
 * it (pages that put some fields outside their <form>). Each candidate is scored by how much of the
 * profile it asks for; search, newsletter, log-in and payment forms are recognized and never chosen
 * for the profile.
 */
import type { Classification } from './classify';
import { isFillableKind, type FieldKind, type FillableKind } from './field-kinds';
import type { ScanResult, ScannedContainer, ScannedControl } from './page-scan';

export type ContainerPurpose = 'listing' | 'login' | 'search' | 'newsletter' | 'payment' | 'empty';

export interface Candidate {
  /** The element that holds it (the form's selector, or the section's). */
  container: ScannedContainer;
  /** Its controls, in document order. */
  controls: ScannedControl[];
  purpose: ContainerPurpose;
  score: number;
  /** How it was built: one form or section, a form with its section's form-less fields, all form-less fields. */
  shape: 'container' | 'form and section' | 'form-less fields';
}

/** How much each kind says "this is the form for the profile". */
const IMPORTANCE: Partial<Record<FillableKind, number>> = {
  business_name: 3,
  email: 2,
  phone: 2,
  website: 2.5,
  address_line: 2,
  street_address: 2,
  city: 1.5,
  postal_code: 1.5,
  region: 1,
  country: 1,
  category: 2,
  description: 2.5,
  short_description: 1.5,
  email_confirm: 0.3,
  new_password: 0.3,
  new_password_confirm: 0.3,
  phone_area_code: 1,
  phone_prefix: 0.3,
  phone_line: 0.3,
  phone_local: 0.5,
  phone_country_code: 0.3,
};

/** Below this no candidate is the profile's form. */
export const MIN_CONTAINER_SCORE = 2;

const SEARCH_WORDS = /\b(search|suche|recherche|buscar|busca|cerca|zoek|pesquis|find)\b|(^|\s)q(\s|$)/i;
const NEWSLETTER_WORDS =
  /newsletter|subscri|abonn|inscri(bete|ption|vez)|iscriviti|aanmelden|nieuwsbrief|mailing list|stay (in touch|updated)/i;

export function candidatesOf(scan: ScanResult, classes: Map<number, Classification>): Candidate[] {
  const byContainer = new Map<number, ScannedControl[]>();
  for (const control of scan.controls) {
    if (!control.visible && !isTrap(control, classes)) continue;
    const list = byContainer.get(control.container) ?? [];
    list.push(control);
    byContainer.set(control.container, list);
  }
  const candidates: Candidate[] = [];
  const push = (container: ScannedContainer, controls: ScannedControl[], shape: Candidate['shape']): void => {
    if (controls.length === 0) return;
    const sorted = [...controls].sort((a, b) => a.index - b.index);
    const { purpose, score } = judge(container, sorted, classes);
    candidates.push({
      container,
      controls: sorted,
      purpose,
      score: shape === 'container' ? score : score * 0.98,
      shape,
    });
  };
  for (const container of scan.containers) {
    push(container, byContainer.get(container.index) ?? [], 'container');
    if (container.kind === 'form' && container.parent >= 0) {
      const around = byContainer.get(container.parent) ?? [];
      if (around.length > 0) {
        push(container, [...(byContainer.get(container.index) ?? []), ...around], 'form and section');
      }
    }
  }
  const formless = scan.containers.filter(
    (c) => c.kind === 'section' && (byContainer.get(c.index)?.length ?? 0) > 0,
  );
  if (formless.length > 1) {
    const body = scan.containers.find((c) => c.selector === 'body') ?? formless[0]!;
    push(
      body,
      formless.flatMap((c) => byContainer.get(c.index) ?? []),
      'form-less fields',
    );
  }
  return candidates.sort((a, b) => b.score - a.score || b.controls.length - a.controls.length);
}

function isTrap(control: ScannedControl, classes: Map<number, Classification>): boolean {
  return classes.get(control.index)?.kind === 'honeypot';
}

function judge(
  container: ScannedContainer,
  controls: readonly ScannedControl[],
  classes: Map<number, Classification>,
): { purpose: ContainerPurpose; score: number } {
  const visible = controls.filter((c) => c.visible && c.editable);
  const kinds = visible.map((c) => classes.get(c.index)?.kind ?? 'unknown');
  const best = new Map<FillableKind, number>();
  for (const c of visible) {
    const cls = classes.get(c.index);
    if (!cls || !isFillableKind(cls.kind)) continue;
    best.set(cls.kind, Math.max(best.get(cls.kind) ?? 0, cls.confidence));
  }
  let score = 0;
  for (const [kind, confidence] of best) score += (IMPORTANCE[kind] ?? 1) * Math.max(confidence, 0.5);
  const has = (kind: FieldKind): boolean => kinds.includes(kind);
  const textInputs = visible.filter(
    (c) => c.tag !== 'select' && !['checkbox', 'radio', 'file'].includes(c.type),
  );
  const words = `${container.signature} ${container.heading} ${container.action}`;

  if (visible.length === 0) return { purpose: 'empty', score: 0 };
  if (has('search') && best.size <= 1) return { purpose: 'search', score: 0 };
  if (textInputs.length <= 2 && best.size <= 1 && SEARCH_WORDS.test(words) && !has('email')) {
    return { purpose: 'search', score: 0 };
  }
  // A form of one or two boxes asking only for a place (a ZIP, a city): a store or dealer finder.
  if (textInputs.length <= 2 && best.size === 1 && ['postal_code', 'city'].includes([...best.keys()][0]!)) {
    return { purpose: 'search', score: 0 };
  }
  if (
    has('current_password') &&
    !has('new_password') &&
    best.size <= 2 &&
    ![...best.keys()].some((k) => !['email', 'contact_name'].includes(k))
  ) {
    return { purpose: 'login', score: score * 0.1 };
  }
  const personal = [...best.keys()].every((k) =>
    ['email', 'contact_name', 'contact_first_name', 'contact_last_name'].includes(k),
  );
  if (
    personal &&
    best.has('email') &&
    textInputs.length <= 3 &&
    (NEWSLETTER_WORDS.test(`${words} ${container.text}`) || textInputs.length === 1)
  ) {
    return { purpose: 'newsletter', score: score * 0.2 };
  }
  const cards = kinds.filter((k) => k === 'credit_card').length;
  if (cards >= 2 && best.size <= 2) return { purpose: 'payment', score: score * 0.3 };
  return { purpose: 'listing', score };
}

/** The candidate to fill: the best scored listing-like one, if any scores enough. */
export function chooseCandidate(candidates: readonly Candidate[]): Candidate | undefined {
  const best = candidates.find((c) => c.purpose === 'listing');
  return best && best.score >= MIN_CONTAINER_SCORE ? best : undefined;
}
