/**
 * From classified controls to a plan: which control gets which value. Plain functions, no browser.
 *
 * - Each kind is filled once per form (its first, most confident control), except confirmations
 *   and the parts of one split phone; a form that asks for the phone twice gets it once.
 * - Never typed into: payment-card fields, passwords (unless the caller hands in a sign-up's
 *   credentials), hidden or honeypot fields, disabled or read-only ones, other forms' fields.
 * - Values are fitted to each field (values.ts): length limits, patterns, option lists. A value that
 *   cannot fit is left out and the field reported, rather than typed wrong.
 */
import type { BusinessProfile } from '../customers/business-profile';
import type { Classification, EvidenceSource } from './classify';
import {
  isFillableKind,
  PHONE_PART_KINDS,
  REPEATABLE_KINDS,
  type FieldKind,
  type FillableKind,
} from './field-kinds';
import type { ScannedControl } from './page-scan';
import { chooseOption, fitValue, valueCandidates } from './values';

/** A sign-up's credentials, when the caller creates an account on the directory. */
export interface Credentials {
  password: string;
}

export type PlannedAction =
  | { action: 'type'; value: string }
  | { action: 'select'; value: string; label: string }
  | { action: 'check'; value: string; label: string; member: ScannedControl }
  | { action: 'upload' };

export interface PlannedFill {
  control: ScannedControl;
  kind: FillableKind;
  source: EvidenceSource | 'stored';
  confidence: number;
  plan: PlannedAction;
}

export interface Skipped {
  control: ScannedControl;
  kind: FieldKind;
  reason: string;
}

export interface Plan {
  fills: PlannedFill[];
  skipped: Skipped[];
}

const NEVER_TYPED: ReadonlySet<FieldKind> = new Set([
  'credit_card',
  'current_password',
  'username',
  'one_time_code',
  'search',
  'captcha',
  'honeypot',
  'coupon',
  'fax',
  'phone_extension',
  'name_middle',
  'name_prefix',
  'birth_date',
  'address_line3',
  'quantity',
  'unknown',
]);

/** Radio groups and checkbox groups as one select-like control each: their boxes are the options. */
export interface ChoiceGroup {
  control: ScannedControl;
  members: ScannedControl[];
}

/** Group controls are numbered apart from the page's controls (their members keep their own). */
export const GROUP_INDEX_BASE = 1_000_000;

export function choiceGroups(controls: readonly ScannedControl[]): ChoiceGroup[] {
  const byName = new Map<string, ScannedControl[]>();
  for (const c of controls) {
    if (
      c.tag !== 'input' ||
      (c.type !== 'radio' && c.type !== 'checkbox') ||
      !c.name ||
      !c.visible ||
      !c.editable
    )
      continue;
    const key = `${c.formIndex}|${c.type}|${c.name}`;
    byName.set(key, [...(byName.get(key) ?? []), c]);
  }
  const groups: ChoiceGroup[] = [];
  for (const members of byName.values()) {
    if (members.length < 2) continue; // one checkbox is a yes/no question, not a choice
    const first = members[0]!;
    groups.push({
      members,
      control: {
        ...first,
        index: GROUP_INDEX_BASE + first.index,
        selector: first.groupSelector || first.selector,
        tag: 'select',
        type: first.type === 'radio' ? 'radio-group' : 'checkbox-group',
        labels: first.group,
        labelledBy: '',
        ariaLabel: '',
        placeholder: '',
        id: '',
        required: members.some((m) => m.required),
        value: members.some((m) => m.checked) ? 'checked' : '',
        options: members.map((m) => ({ value: m.value, label: m.labels || m.followingText || m.value })),
      },
    });
  }
  return groups;
}

export function planFills(
  controls: readonly ScannedControl[],
  classes: Map<number, Classification>,
  profile: BusinessProfile,
  options: { lang?: string; credentials?: Credentials; groups?: readonly ChoiceGroup[] } = {},
): Plan {
  const fills: PlannedFill[] = [];
  const skipped: Skipped[] = [];
  const usedKinds = new Set<FillableKind>();
  let phoneGroupEnd = -1; // the last control of the first split phone that was filled

  const groupOf = new Map((options.groups ?? []).map((g) => [g.control.index, g]));
  const ordered = [...controls].sort((a, b) => a.index - b.index);
  for (const control of ordered) {
    const cls = classes.get(control.index);
    if (!cls) continue;
    const kind = cls.kind;
    const group = groupOf.get(control.index);
    if (!control.visible) {
      if (kind !== 'unknown') skipped.push({ control, kind, reason: control.hiddenReason || 'not visible' });
      continue;
    }
    if (!control.editable) {
      if (kind !== 'unknown') skipped.push({ control, kind, reason: 'disabled or read-only' });
      continue;
    }
    if (control.tag === 'input' && (control.type === 'checkbox' || control.type === 'radio') && !group)
      continue;
    if (NEVER_TYPED.has(kind) || !isFillableKind(kind)) {
      if (kind !== 'unknown')
        skipped.push({ control, kind, reason: `never filled: ${kind.replace(/_/g, ' ')}` });
      continue;
    }
    const isPhonePart = (PHONE_PART_KINDS as readonly string[]).includes(kind);
    if (usedKinds.has(kind) && !REPEATABLE_KINDS.has(kind)) {
      const sameGroup = isPhonePart && control.index <= phoneGroupEnd;
      if (!sameGroup) {
        skipped.push({ control, kind, reason: 'the form asks for it again; filled once' });
        continue;
      }
    }
    const planned = planOne(control, kind, profile, options, group);
    if ('reason' in planned) {
      skipped.push({ control, kind, reason: planned.reason });
      continue;
    }
    usedKinds.add(kind);
    if (isPhonePart) phoneGroupEnd = Math.max(phoneGroupEnd, nextPhonePartEnd(ordered, control, classes));
    fills.push({ control, kind, source: cls.source ?? 'type', confidence: cls.confidence, plan: planned });
  }
  return { fills, skipped };
}

/** Where the split phone that starts at `control` ends (its consecutive phone parts). */
function nextPhonePartEnd(
  ordered: readonly ScannedControl[],
  control: ScannedControl,
  classes: Map<number, Classification>,
): number {
  let end = control.index;
  for (const c of ordered) {
    if (c.index <= control.index) continue;
    const kind = classes.get(c.index)?.kind;
    if (!kind || !(PHONE_PART_KINDS as readonly string[]).includes(kind)) break;
    end = c.index;
  }
  return end;
}

function planOne(
  control: ScannedControl,
  kind: FillableKind,
  profile: BusinessProfile,
  options: { lang?: string; credentials?: Credentials },
  group: ChoiceGroup | undefined,
): PlannedAction | { reason: string } {
  if (kind === 'logo') {
    if (control.type !== 'file') return { reason: 'a logo goes into a file field' };
    return profile.logo ? { action: 'upload' } : { reason: 'the profile has no logo' };
  }
  if (kind === 'new_password' || kind === 'new_password_confirm') {
    return options.credentials
      ? { action: 'type', value: options.credentials.password }
      : { reason: 'a password is typed only when the directory account is being created' };
  }
  const candidates = valueCandidates(kind, profile, control, options.lang);
  if (candidates.length === 0) return { reason: `the profile has no ${kind.replace(/_/g, ' ')}` };
  if (control.tag === 'select') {
    const chosen = firstOption(candidates, control, kind, profile);
    if (chosen === undefined) return { reason: `no option means "${candidates[0]}"` };
    const label = control.options.find((o) => o.value === chosen)?.label ?? chosen;
    if (group) {
      const member = group.members[group.control.options.findIndex((o) => o.value === chosen)];
      if (!member) return { reason: `no option means "${candidates[0]}"` };
      return { action: 'check', value: chosen, label, member };
    }
    return { action: 'select', value: chosen, label };
  }
  const value = fitValue(candidates, kind, control);
  if (value === undefined) {
    return {
      reason: `"${candidates[0]!.slice(0, 40)}" does not fit the field${control.maxLength !== null ? ` (at most ${control.maxLength} characters)` : ''}${control.pattern ? ` or its pattern` : ''}`,
    };
  }
  return { action: 'type', value };
}

function firstOption(
  candidates: readonly string[],
  control: ScannedControl,
  kind: FillableKind,
  profile: BusinessProfile,
): string | undefined {
  for (const candidate of candidates) {
    const chosen = chooseOption(control.options, candidate, kind, profile);
    if (chosen !== undefined) return chosen;
  }
  return undefined;
}
