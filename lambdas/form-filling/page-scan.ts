/**
 * What the page tells us, read in one pass inside the browser: every form control with every piece
 * of text that could name it, every button-like element, the containers they belong to (forms and
 * form-less sections) and the human checks on the page. Classification happens outside the page,
 * in plain functions over these descriptors (classify.ts), so it is testable without a browser.
 *
 * Label text is gathered from every source a browser's autofill reads (Chromium's
 * InferLabelForElement, Firefox's LabelUtils): <label for>, a wrapping <label>, aria-labelledby,
 * aria-label, and, for the many real pages that link nothing, the nearest text before the control
 * in document order (a <label> beside the input, a table cell to its left, a <div> above it), and
 * the header cell of its column in table layouts.
 *
 * In-page code is passed to page.evaluate as a string: transpilers (swc in jest, esbuild in the
 * Lambda bundle, tsx) may inject helpers into functions, which do not exist inside the page.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ScannedControl {
  /** Position among all scanned controls (document order); stable within one scan only. */
  index: number;
  /** A CSS selector that finds this element alone. */
  selector: string;
  /** For radios and checkboxes with a name: the selector of their whole group (stored mappings use it). */
  groupSelector: string;
  tag: 'input' | 'select' | 'textarea';
  /** input type (lower case; 'text' when absent), 'select' or 'textarea'. */
  type: string;
  name: string;
  id: string;
  autocomplete: string;
  placeholder: string;
  title: string;
  ariaLabel: string;
  /** Text of <label for> and wrapping <label>s (their controls' own text left out). */
  labels: string;
  /** Text of the aria-labelledby elements. */
  labelledBy: string;
  /** Text of the aria-describedby elements (hints, formats). */
  describedBy: string;
  /** The nearest text before the control in the layout (what a person reads as its label). */
  layoutText: string;
  /** How far (px) the layout text's block is from the control. */
  layoutGap: number;
  /** Text a little further back (a section heading, an instruction) for context. */
  contextText: string;
  /** The header cell of the control's column, in tables whose first row names the columns. */
  columnHeader: string;
  /** Text right after the control (checkbox labels, units, "(optional)"). */
  followingText: string;
  /** The nearest heading or legend before the control. */
  heading: string;
  maxLength: number | null;
  size: number | null;
  pattern: string;
  inputMode: string;
  accept: string;
  required: boolean;
  visible: boolean;
  /** Why it is not visible, or what makes it look like a trap for bots. */
  hiddenReason: string;
  /** Signs of a honeypot on a visible control (off-screen, tabindex -1 with aria-hidden ...). */
  trap: string;
  editable: boolean;
  value: string;
  /** The value the page was served with (defaultValue / defaultSelected / defaultChecked). */
  initialValue: string;
  checked: boolean;
  multiple: boolean;
  options: Array<{ value: string; label: string }>;
  /** For radios and checkboxes: the group's legend or radiogroup label. */
  group: string;
  /** Index into ScanResult.containers. */
  container: number;
  /** Index into document.forms (via the element's form owner, so form="id" counts), or -1. */
  formIndex: number;
  rect: Rect;
}

export interface ScannedButton {
  index: number;
  selector: string;
  tag: string;
  /** submit, button, reset, image for buttons and inputs; 'link' for anchors; 'role' for [role=button]. */
  type: string;
  text: string;
  visible: boolean;
  enabled: boolean;
  container: number;
  formIndex: number;
  rect: Rect;
}

export interface ScannedContainer {
  index: number;
  kind: 'form' | 'section';
  selector: string;
  /** Index into document.forms for forms; -1 for sections. */
  formIndex: number;
  /** For a section: the container index of the form it holds, if any (a form's surrounding section). */
  parent: number;
  /** id, class, name, action, role and aria-label of the element: words that tell its purpose. */
  signature: string;
  /** The nearest heading before or at the top of the container. */
  heading: string;
  /** Its visible text, cut short. */
  text: string;
  method: string;
  action: string;
  visible: boolean;
  rect: Rect;
}

export interface HumanCheck {
  /** What was seen (a widget's selector or "challenge text"). */
  description: string;
  rect: Rect;
  visible: boolean;
  /** The container the widget is inside, or -1. */
  container: number;
}

export interface ScanResult {
  url: string;
  /** The document's language (html lang), lower case. */
  lang: string;
  controls: ScannedControl[];
  buttons: ScannedButton[];
  containers: ScannedContainer[];
  humanChecks: HumanCheck[];
  /** The page's change counter when it was scanned (see CHANGES_JS). */
  changes: number;
}

/** Most options kept per select (a country list has about 250; a year list a few hundred). */
const MAX_OPTIONS = 400;

/**
 * Shared in-page helpers. `isVisible` is what a person could see and type into; `trapOf` what makes
 * a visible control a trap for bots (honeypots are often visible to the DOM but not to a person).
 */
export const PAGE_HELPERS_JS = `
  const textOf = (el) => (el ? (el.innerText || el.textContent || '') : '').replace(/\\s+/g, ' ').trim();
  const rectOf = (el) => { const r = el.getBoundingClientRect(); return { x: Math.round(r.left + window.scrollX), y: Math.round(r.top + window.scrollY), width: Math.round(r.width), height: Math.round(r.height) }; };
  // Computed styles are read many times per element (visibility, blocks, honeypots): once each.
  const styles = new Map();
  const styleOf = (el) => { let s = styles.get(el); if (!s) { s = getComputedStyle(el); styles.set(el, s); } return s; };
  // Ancestors hidden by opacity or a clip (the usual honeypot and "visually hidden" tricks).
  const concealed = new Map();
  const concealedBy = (el) => {
    if (!el || el === document.documentElement) return '';
    if (concealed.has(el)) return concealed.get(el);
    const s = styleOf(el);
    let reason = '';
    if (Number(s.opacity) === 0) reason = 'transparent';
    else if ((s.clipPath && s.clipPath !== 'none' && /inset\\(50%|circle\\(0/.test(s.clipPath)) || (s.clip && /rect\\(0(px)?,? 0(px)?,? 0(px)?,? 0(px)?\\)/.test(s.clip))) reason = 'clipped';
    else reason = concealedBy(el.parentElement);
    concealed.set(el, reason);
    return reason;
  };
  const hiddenReasonOf = (el) => {
    if (el.type === 'hidden') return 'type hidden';
    // checkVisibility covers display:none and content-visibility on the element and its ancestors.
    if (el.checkVisibility ? !el.checkVisibility({ visibilityProperty: true }) : el.getClientRects().length === 0) {
      return el.closest('[hidden]') ? 'hidden attribute' : (styleOf(el).visibility !== 'visible' ? 'visibility hidden' : 'display none');
    }
    const c = concealedBy(el);
    if (c) return c;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return 'no size';
    if (r.right + window.scrollX < 0 || r.bottom + window.scrollY < 0) return 'off screen';
    if (r.left + window.scrollX > Math.max(document.documentElement.scrollWidth, 4000)) return 'off screen';
    return '';
  };
  const isVisible = (el) => hiddenReasonOf(el) === '';
  const trapOf = (el) => {
    const reasons = [];
    if (el.getAttribute('tabindex') === '-1' && (el.getAttribute('aria-hidden') === 'true' || el.closest('[aria-hidden="true"]'))) reasons.push('tabindex -1 and aria-hidden');
    else if (el.closest('[aria-hidden="true"]') && el.getAttribute('autocomplete') === 'off') reasons.push('aria-hidden and autocomplete off');
    const r = el.getBoundingClientRect();
    const s = styleOf(el);
    if ((s.position === 'absolute' || s.position === 'fixed') && (r.left < -500 || r.top + window.scrollY < -500)) reasons.push('positioned off screen');
    return reasons.join(', ');
  };
  const cssId = (value) => (window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/[^a-zA-Z0-9_-]/g, '\\\\$&'));
  const attrValue = (value) => '"' + value.replace(/\\\\/g, '\\\\\\\\').replace(/"/g, '\\\\"') + '"';
  const unique = (selector, el) => { try { const found = document.querySelectorAll(selector); return found.length === 1 && found[0] === el; } catch { return false; } };
  const selectorOf = (el) => {
    const tag = el.tagName.toLowerCase();
    if (el.id && unique('#' + cssId(el.id), el)) return '#' + cssId(el.id);
    const name = el.getAttribute('name');
    if (name) {
      const byName = tag + '[name=' + attrValue(name) + ']';
      if (unique(byName, el)) return byName;
      const value = el.getAttribute('value');
      if (value !== null && unique(byName + '[value=' + attrValue(value) + ']', el)) return byName + '[value=' + attrValue(value) + ']';
      const form = el.form || el.closest('form');
      if (form && form.id && unique('#' + cssId(form.id) + ' ' + byName, el)) return '#' + cssId(form.id) + ' ' + byName;
    }
    // A path of :nth-of-type steps up to the nearest ancestor with a unique id (or the body).
    const steps = [];
    let node = el;
    while (node && node.nodeType === 1 && node !== document.body && node !== document.documentElement) {
      if (node !== el && node.id && unique('#' + cssId(node.id), node)) { steps.unshift('#' + cssId(node.id)); break; }
      const parent = node.parentElement;
      const t = node.tagName.toLowerCase();
      if (!parent) { steps.unshift(t); break; }
      const same = Array.from(parent.children).filter((c) => c.tagName === node.tagName);
      steps.unshift(same.length > 1 ? t + ':nth-of-type(' + (same.indexOf(node) + 1) + ')' : t);
      node = parent;
      if (node === document.body) steps.unshift('body');
    }
    return steps.join(' > ');
  };
`;

/**
 * How many changes the page's DOM has had since the first scan (controls added or removed, or
 * shown, hidden, enabled, retyped by attribute): when it has not changed since a scan, that scan
 * still describes the page and need not be taken again. The counter lives under a symbol, out of
 * the page's own names.
 */
const CHANGES_JS = `(() => {
    const key = Symbol.for('directorybolt.changes');
    if (!window[key]) {
      const counter = { n: 0 };
      new MutationObserver((records) => { counter.n += records.length; }).observe(document.documentElement, {
        subtree: true, childList: true, attributes: true, attributeFilter: ['style', 'class', 'hidden', 'disabled', 'type', 'readonly'],
      });
      window[key] = counter;
    }
    return window[key].n;
  })()`;

/** Changes since the first scan (see CHANGES_JS). */
export const CHANGES_COUNT_JS = CHANGES_JS;

/** The in-page scan: returns a ScanResult. */
export const SCAN_JS = `(() => {
  ${PAGE_HELPERS_JS}
  const CONTROL = 'input, select, textarea';
  // Text that is never a field's label: code, options, buttons and links (a "Sign In" link-button
  // above a form is not the name of its first field), hidden text.
  const SKIP_TEXT_IN = 'script, style, noscript, template, option, select, textarea, button, a[href], [role="button"], [onclick], [class*="button" i], [class*="btn" i], [aria-hidden="true"]';
  const BLOCK = /^(block|flex|grid|table|table-row|table-cell|list-item|table-caption|flow-root)$/;
  const forms = Array.from(document.forms);
  const all = Array.from(document.querySelectorAll(CONTROL));
  const isControlEl = (el) => el.nodeType === 1 && el.matches(CONTROL) && el.type !== 'hidden' && isVisible(el);
  const isButtonEl = (el) => el.nodeType === 1 && el.matches('button, input[type=submit], input[type=button], input[type=image], input[type=reset]') && isVisible(el);
  const textVisibility = new Map();
  const textVisible = (node) => {
    const parent = node.parentElement;
    if (!parent) return false;
    let visible = textVisibility.get(parent);
    if (visible === undefined) {
      visible = !parent.closest(SKIP_TEXT_IN) && (parent.checkVisibility ? parent.checkVisibility({ visibilityProperty: true }) : parent.getClientRects().length > 0);
      textVisibility.set(parent, visible);
    }
    return visible;
  };
  const blocks = new Map();
  const blockOf = (node) => {
    let el = node.nodeType === 1 ? node : node.parentElement;
    const start = el;
    if (blocks.has(start)) return blocks.get(start);
    while (el && el !== document.body) {
      if (BLOCK.test(styleOf(el).display)) break;
      el = el.parentElement;
    }
    const block = el || document.body;
    blocks.set(start, block);
    return block;
  };
  // The text of a label element without the text of the controls it wraps.
  // The visible text of a label element, without the text of the controls it wraps: labels often
  // carry hidden error messages ("City  Please enter a ZIP code") that must not name the field.
  const labelElementText = (label) => {
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    const parts = [];
    let node;
    while ((node = walker.nextNode())) {
      if (node.parentElement && node.parentElement.closest('input, select, textarea, button')) continue;
      if (!textVisible(node)) continue;
      parts.push(node.nodeValue);
    }
    const visible = parts.join(' ').replace(/\\s+/g, ' ').trim();
    if (visible) return visible;
    // A hidden label (a honeypot's "Leave this empty", a visually hidden label): all its text.
    const clone = label.cloneNode(true);
    for (const inner of Array.from(clone.querySelectorAll('input, select, textarea, option, button, script, style'))) inner.remove();
    return (clone.textContent || '').replace(/\\s+/g, ' ').trim();
  };
  const idsText = (ids) => ids ? ids.split(/\\s+/).map((id) => textOf(document.getElementById(id))).filter(Boolean).join(' ') : '';

  // Text inside a <label> of another control ("Use as billing address" after its checkbox) is that
  // control's, not the next field's.
  const labelsAnother = (node, el) => {
    const label = node.parentElement && node.parentElement.closest('label');
    return !!label && !!label.control && label.control !== el;
  };
  // Walk back through the document from the control, collecting visible text until another
  // control or button: the nearest block of text is the layout label, the rest is context.
  const precedingText = (el) => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    walker.currentNode = el;
    const chunks = [];
    let total = 0;
    let firstBlock = null;
    let near = '';
    let nearDone = false;
    let node;
    while ((node = walker.previousNode())) {
      if (node.nodeType === 1) {
        if (node.contains(el)) continue; // an ancestor: keep going back
        if (isControlEl(node) || isButtonEl(node)) {
          // Text right after a checkbox or radio is its label, not this field's.
          if ((node.type === 'checkbox' || node.type === 'radio') && firstBlock && !firstBlock.contains(el) && (firstBlock.contains(node) || blockOf(node) === firstBlock)) near = '';
          break;
        }
        continue;
      }
      if (!textVisible(node)) continue;
      if (labelsAnother(node, el)) continue;
      const t = node.nodeValue.replace(/\\s+/g, ' ').trim();
      if (!t) continue;
      const block = blockOf(node);
      if (firstBlock === null) firstBlock = block;
      if (block === firstBlock && !nearDone) near = t + (near ? ' ' + near : '');
      else nearDone = true;
      chunks.unshift(t);
      total += t.length;
      if (total > 240 || chunks.length > 12) break;
    }
    // How far the near text is from the control (px): a heading far above is no label.
    let gap = 0;
    if (firstBlock && !firstBlock.contains(el)) {
      const a = firstBlock.getBoundingClientRect();
      const b = el.getBoundingClientRect();
      const dx = Math.max(0, b.left - a.right, a.left - b.right);
      const dy = Math.max(0, b.top - a.bottom, a.top - b.bottom);
      gap = Math.round(Math.max(dx, dy));
    }
    return { near: near.slice(-160), context: chunks.join(' ').slice(-240), gap };
  };
  const followingText = (el) => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    walker.currentNode = el;
    let text = '';
    let node;
    while ((node = walker.nextNode())) {
      if (node.nodeType === 1) {
        if (el.contains(node)) continue;
        if (isControlEl(node) || isButtonEl(node)) break;
        continue;
      }
      if (!textVisible(node)) continue;
      if (labelsAnother(node, el)) continue;
      const t = node.nodeValue.replace(/\\s+/g, ' ').trim();
      if (!t) continue;
      text += (text ? ' ' : '') + t;
      if (text.length > 80) break;
    }
    return text.slice(0, 120);
  };
  const columnHeader = (el) => {
    const cell = el.closest('td, th');
    const row = cell && cell.parentElement;
    const table = row && row.closest('table');
    if (!cell || !table) return '';
    const rows = Array.from(table.rows);
    const at = rows.indexOf(row);
    for (let i = at - 1; i >= 0 && i >= at - 3; i -= 1) {
      const above = rows[i].cells[cell.cellIndex];
      if (!above) continue;
      if (above.querySelector(CONTROL)) break;
      const t = textOf(above);
      if (t) return t.slice(0, 80);
    }
    return '';
  };
  // The nearest heading (or legend) before each control, from one pass over the document.
  const headings = new Map();
  {
    const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_ELEMENT);
    let current = '';
    let node = walker.currentNode;
    while (node) {
      if (/^(H[1-6]|LEGEND)$/.test(node.tagName) || (node.getAttribute && node.getAttribute('role') === 'heading')) {
        const t = textOf(node);
        if (t) current = t.slice(0, 120);
      } else if (node.matches && node.matches(CONTROL)) headings.set(node, current);
      node = walker.nextNode();
    }
  }
  const headingOf = (el) => {
    const set = el.closest('fieldset');
    const legend = set && set.querySelector('legend');
    if (legend && textOf(legend)) return textOf(legend).slice(0, 120);
    return headings.get(el) || '';
  };
  const groupText = (el) => {
    const set = el.closest('fieldset');
    const legend = set && set.querySelector('legend');
    if (legend) return textOf(legend);
    const group = el.closest('[role="radiogroup"], [role="group"]');
    if (!group) return '';
    return idsText(group.getAttribute('aria-labelledby')) || group.getAttribute('aria-label') || '';
  };

  // Containers: every form, then form-less sections. A form-less control belongs to its nearest
  // landmark-like ancestor (a section, fieldset, dialog, ARIA region ...) or the body.
  const LANDMARK = 'section, article, aside, main, header, footer, nav, fieldset, dialog, [role=form], [role=dialog], [role=region], [role=search], [role=main], [role=banner], [role=contentinfo], [role=complementary], [role=navigation]';
  const containers = [];
  const containerOfElement = new Map();
  const describeContainer = (el, kind, formIndex) => {
    const idx = containers.length;
    const signature = [el.id, el.getAttribute('class'), el.getAttribute('name'), el.getAttribute('action'), el.getAttribute('role'), el.getAttribute('aria-label'), el.tagName.toLowerCase()].filter(Boolean).join(' ');
    containers.push({
      index: idx, kind, selector: el === document.body ? 'body' : selectorOf(el), formIndex, parent: -1,
      signature: signature.slice(0, 300), heading: '', text: textOf(el).slice(0, 400),
      method: kind === 'form' ? (el.getAttribute('method') || 'get').toLowerCase() : '',
      action: kind === 'form' ? (el.getAttribute('action') || '') : '',
      visible: el === document.body || el.getClientRects().length > 0, rect: rectOf(el),
    });
    containerOfElement.set(el, idx);
    return idx;
  };
  forms.forEach((form, i) => describeContainer(form, 'form', i));
  const sectionFor = (el) => {
    const landmark = (el.parentElement && el.parentElement.closest(LANDMARK)) || document.body;
    if (containerOfElement.has(landmark)) return containerOfElement.get(landmark);
    return describeContainer(landmark, 'section', -1);
  };
  const ownerForm = (el) => el.form || el.closest('form');
  for (const c of containers.slice()) {
    if (c.kind !== 'form') continue;
    const form = forms[c.formIndex];
    const landmark = (form.parentElement && form.parentElement.closest(LANDMARK)) || document.body;
    if (containerOfElement.has(landmark)) c.parent = containerOfElement.get(landmark);
    else c.parent = describeContainer(landmark, 'section', -1);
  }
  for (const c of containers) {
    const el = c.kind === 'form' ? forms[c.formIndex] : document.querySelector(c.selector);
    if (el) { const first = el.querySelector(CONTROL); c.heading = first ? headingOf(first) : ''; }
  }

  const controls = all.map((el, index) => {
    const tag = el.tagName.toLowerCase();
    const type = tag === 'input' ? (el.getAttribute('type') || 'text').toLowerCase() : tag;
    const form = ownerForm(el);
    const formIndex = forms.indexOf(form);
    const hiddenReason = hiddenReasonOf(el);
    const visible = hiddenReason === '';
    const texts = visible ? precedingText(el) : { near: '', context: '', gap: 0 };
    const labels = Array.from(el.labels || []).map(labelElementText).filter(Boolean).join(' ');
    const options = tag === 'select' ? Array.from(el.options).slice(0, ${MAX_OPTIONS}).map((o) => ({ value: o.value, label: (o.label || o.textContent || '').replace(/\\s+/g, ' ').trim() })) : [];
    let initialValue = '';
    if (tag === 'select') { const d = Array.from(el.options).find((o) => o.defaultSelected); initialValue = d ? d.value : (el.options[0] ? el.options[0].value : ''); }
    else if (type === 'checkbox' || type === 'radio') initialValue = el.defaultChecked ? 'checked' : '';
    else if (type !== 'file') initialValue = el.defaultValue || '';
    const maxLength = el.maxLength > 0 && el.maxLength < 524288 ? el.maxLength : null;
    const sizeAttr = Number(el.getAttribute('size'));
    return {
      index, selector: selectorOf(el),
      groupSelector: ((type === 'radio' || type === 'checkbox') && el.name) ? (form && form.id ? '#' + cssId(form.id) + ' ' : '') + 'input[type=' + type + '][name=' + attrValue(el.name) + ']' : '',
      tag, type,
      name: el.getAttribute('name') || '', id: el.id || '',
      autocomplete: (el.getAttribute('autocomplete') || '').trim().toLowerCase(),
      placeholder: el.getAttribute('placeholder') || '', title: el.getAttribute('title') || '',
      ariaLabel: el.getAttribute('aria-label') || '',
      labels: labels.slice(0, 200),
      labelledBy: idsText(el.getAttribute('aria-labelledby')).slice(0, 200),
      describedBy: idsText(el.getAttribute('aria-describedby')).slice(0, 200),
      layoutText: texts.near, layoutGap: texts.gap, contextText: texts.context,
      columnHeader: visible ? columnHeader(el) : '',
      followingText: visible ? followingText(el) : '',
      heading: visible ? headingOf(el) : '',
      maxLength, size: Number.isFinite(sizeAttr) && sizeAttr > 0 ? sizeAttr : null,
      pattern: el.getAttribute('pattern') || '', inputMode: el.getAttribute('inputmode') || '',
      accept: el.getAttribute('accept') || '',
      required: !!el.required || el.getAttribute('aria-required') === 'true',
      visible, hiddenReason, trap: visible ? trapOf(el) : '',
      editable: !el.disabled && !el.readOnly && !el.closest('fieldset[disabled]'),
      value: type === 'file' ? (el.files && el.files.length ? String(el.files.length) : '') : (el.value || ''),
      initialValue,
      checked: !!el.checked, multiple: !!el.multiple,
      options,
      group: (type === 'radio' || type === 'checkbox') ? groupText(el) : '',
      container: formIndex >= 0 ? formIndex : sectionFor(el),
      formIndex,
      rect: rectOf(el),
    };
  });

  const buttonEls = Array.from(document.querySelectorAll('button, input[type=submit], input[type=button], input[type=image], input[type=reset], [role=button], a[href], a[onclick], [onclick]:not(input):not(select):not(textarea):not(form):not(body)'));
  const seen = new Set();
  const buttons = [];
  for (const el of buttonEls) {
    if (seen.has(el)) continue;
    seen.add(el);
    const tag = el.tagName.toLowerCase();
    let type;
    if (tag === 'button') type = (el.getAttribute('type') || 'submit').toLowerCase();
    else if (tag === 'input') type = (el.getAttribute('type') || '').toLowerCase();
    else if (tag === 'a') {
      // Links are navigation unless they behave as buttons.
      const href = el.getAttribute('href') || '';
      const looksLikeButton = el.getAttribute('role') === 'button' || el.hasAttribute('onclick') || /^(#|javascript:)/i.test(href) || /\\b(btn|button|submit)/i.test(el.getAttribute('class') || '');
      if (!looksLikeButton) continue;
      type = 'link';
    } else type = 'role';
    if (tag !== 'input' && tag !== 'button' && tag !== 'a' && el.getAttribute('role') !== 'button') {
      // [onclick] on a plain element: only small clickable things, not whole sections.
      if (el.querySelector(CONTROL) || textOf(el).length > 60) continue;
    }
    const form = el.form || el.closest('form');
    const formIndex = forms.indexOf(form);
    const text = (tag === 'input' ? (el.value || el.getAttribute('alt') || el.getAttribute('aria-label') || el.getAttribute('title') || '') : (textOf(el) || el.getAttribute('aria-label') || el.getAttribute('title') || el.getAttribute('value') || ((el.querySelector('img[alt]') || {}).alt) || ''));
    buttons.push({
      index: buttons.length, selector: selectorOf(el), tag, type,
      text: text.replace(/\\s+/g, ' ').trim().slice(0, 80),
      visible: isVisible(el),
      enabled: !el.disabled && el.getAttribute('aria-disabled') !== 'true',
      container: formIndex >= 0 ? formIndex : sectionFor(el),
      formIndex, rect: rectOf(el),
    });
  }

  const containerOf = (el) => {
    const form = el.closest('form');
    if (form) return forms.indexOf(form);
    const landmark = (el.parentElement && el.parentElement.closest(LANDMARK)) || document.body;
    return containerOfElement.has(landmark) ? containerOfElement.get(landmark) : -1;
  };
  const humanChecks = [];
  const widgets = document.querySelectorAll(
    'iframe[src*="recaptcha"], iframe[src*="hcaptcha"], iframe[src*="turnstile"], iframe[src*="challenges.cloudflare.com"], iframe[src*="arkoselabs"], iframe[src*="funcaptcha"], iframe[title*="captcha" i], iframe[title*="challenge" i], ' +
    '.g-recaptcha, .h-captcha, .cf-turnstile, .frc-captcha, [data-sitekey], [data-hcaptcha-widget-id], img[src*="captcha" i], img[alt*="captcha" i], canvas[id*="captcha" i]'
  );
  for (const el of Array.from(widgets)) {
    const box = el.tagName === 'IFRAME' ? el : (el.querySelector('iframe') || el);
    const visible = isVisible(box) || (el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && getComputedStyle(el).display !== 'none');
    humanChecks.push({
      description: el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(/\\s+/)[0] : '') + (el.id ? '#' + el.id : ''),
      rect: rectOf(el), visible, container: containerOf(el),
    });
  }
  const CHALLENGE = /(i'?m not a robot|verify (that )?you are (a )?human|human verification|complete the captcha|prove you('| a)re human|ich bin kein roboter|je ne suis pas un robot|no soy un robot|non sono un robot|ik ben geen robot|nao sou um robo)/i;
  for (const c of containers) {
    const el = c.kind === 'form' ? forms[c.formIndex] : document.querySelector(c.selector);
    if (!el || !c.visible) continue;
    if (CHALLENGE.test(el.innerText || '')) humanChecks.push({ description: 'challenge text', rect: rectOf(el), visible: true, container: c.index });
  }

  return { url: location.href, lang: (document.documentElement.getAttribute('lang') || '').toLowerCase(), controls, buttons, containers, humanChecks, changes: ${CHANGES_JS} };
})()`;
