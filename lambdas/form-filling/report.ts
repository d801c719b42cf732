/**
 * What a run tells an admin about the form: every control of the chosen form with its selector, its
 * label, the kind it was matched to and from what, how sure, and the value written (or why none);
 * the buttons and the one that would be clicked; what a dry run stopped; and a mapping built from
 * it that `PUT /directories/{id}/mapping` accepts unchanged.
 */
import type { FieldMapping } from '../customers/business-profile';
import type { PlannedFill, Skipped } from './assign';
import type { ClassifiedButton } from './buttons';
import type { Classification } from './classify';
import { displayLabel } from './classify';
import type { Candidate } from './containers';
import type { WouldHaveSent } from './dry-run-guard';
import { isFillableKind, type FillableKind } from './field-kinds';
import type { ScannedControl } from './page-scan';

export type RunOutcome =
  'submitted' | 'filled' | 'needs_manual' | 'stopped_before_sending' | 'no_form' | 'failed';

export interface ControlReport {
  selector: string;
  tag: string;
  type: string;
  label: string;
  /** The kind it was matched to (a fillable kind), or null. */
  field: FillableKind | null;
  /** What it was recognized as when that is a kind we never fill (credit_card, current_password ...). */
  recognized_as: string | null;
  source: string | null;
  confidence: number;
  /** The value written (selects: the option's value; files: the file name), or null. */
  value: string | null;
  required: boolean;
  /** Why nothing was written, when something could have been. */
  skipped?: string;
}

export interface ButtonReport {
  selector: string;
  text: string;
  role: 'submit' | 'next' | 'other';
  chosen: boolean;
}

export interface FillReport {
  outcome: RunOutcome;
  /** The chosen form or section. */
  container: { selector: string; purpose: string; score: number; shape: string } | null;
  /** The candidates considered, best first (at most ten). */
  candidates: Array<{ selector: string; purpose: string; score: number; shape: string; controls: number }>;
  controls: ControlReport[];
  buttons: ButtonReport[];
  /** Requests a dry run stopped: what would have been sent. */
  wouldHaveSent: WouldHaveSent[];
  /** A stored mapping built from this run (detected fields only), or null when nothing was filled. */
  proposedMapping: FieldMapping | null;
  /** How many Next steps were taken. */
  steps: number;
  humanCheck: string | null;
}

export function emptyReport(): FillReport {
  return {
    outcome: 'failed',
    container: null,
    candidates: [],
    controls: [],
    buttons: [],
    wouldHaveSent: [],
    proposedMapping: null,
    steps: 0,
    humanCheck: null,
  };
}

/** One step's controls, merged into the report (later steps add; the same selector is updated). */
export function reportStep(
  report: FillReport,
  candidate: Candidate,
  classes: Map<number, Classification>,
  written: ReadonlyMap<number, { fill: PlannedFill; value: string }>,
  skipped: readonly Skipped[],
): void {
  const skippedBy = new Map(skipped.map((s) => [s.control.index, s.reason]));
  for (const control of candidate.controls) {
    if (!control.visible && classes.get(control.index)?.kind !== 'honeypot') continue;
    const entry = controlReport(
      control,
      classes.get(control.index),
      written.get(control.index),
      skippedBy.get(control.index),
    );
    const at = report.controls.findIndex((c) => c.selector === entry.selector);
    if (at >= 0) {
      // Seen on an earlier step: keep what was written there unless this step wrote something.
      if (entry.value !== null || report.controls[at]!.value === null) report.controls[at] = entry;
    } else report.controls.push(entry);
  }
}

function controlReport(
  control: ScannedControl,
  cls: Classification | undefined,
  written: { fill: PlannedFill; value: string } | undefined,
  skipped: string | undefined,
): ControlReport {
  const kind = written?.fill.kind ?? cls?.kind ?? 'unknown';
  const fillable = isFillableKind(kind);
  return {
    selector: control.selector,
    tag: control.tag,
    type: control.type,
    label: cls?.label ?? displayLabel(control),
    field: fillable ? kind : null,
    recognized_as: !fillable && kind !== 'unknown' ? kind : null,
    source: written?.fill.source ?? cls?.source ?? null,
    confidence: written?.fill.confidence ?? cls?.confidence ?? 0,
    value: written ? written.value : null,
    required: control.required,
    ...(skipped && !written ? { skipped } : {}),
  };
}

export function reportButtons(
  buttons: readonly ClassifiedButton[],
  chosen: ClassifiedButton | undefined,
): ButtonReport[] {
  return buttons.map((b) => ({ selector: b.selector, text: b.text, role: b.role, chosen: b === chosen }));
}

/**
 * The mapping an admin can store: the selector of each field written (radio and checkbox groups by
 * their group's selector), and the submit button the run chose. Stored selectors a run used are
 * part of it, so storing the proposal never loses a field.
 */
export function proposeMapping(
  filled: ReadonlyArray<{ fill: PlannedFill; selector: string }>,
  submitSelector: string | undefined,
): FieldMapping | null {
  const fields: Partial<Record<FillableKind, string>> = {};
  for (const { fill, selector } of filled) fields[fill.kind] ??= selector;
  if (Object.keys(fields).length === 0) return null;
  return { fields, ...(submitSelector ? { submit: submitSelector } : {}) };
}
