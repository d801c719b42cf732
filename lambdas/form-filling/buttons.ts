/**
 * Which element sends the form, and which one only moves to its next step. Real pages act with a
 * <button type=submit> less often than one would hope: a <button type=button> with a click handler,
 * an <a href="#">, a div with role=button, an <input type=image>, or a button outside the form that
 * names it with form="...". The words on the button decide its role (in the languages the engine
 * reads); its type and place break ties.
 *
 * "Continue" is the dangerous word: it may move to a next step or submit the form. The engine treats
 * it as a next step; in a dry run the browser-level guard (dry-run-guard.ts) stops it if it sends.
 */
import type { ScannedButton } from './page-scan';
import { normalizeText } from './rules';

export type ButtonRole = 'submit' | 'next' | 'other';

const SUBMIT_WORDS = new RegExp(
  `(?:^|\\s)(?:${[
    // en
    'submit|send|publish|add (my |your |a )?(business|listing|company|site|entry|store|shop)|list (my|your) (business|company)|get listed|create (my |an? )?(listing|account|profile|entry)|register|sign ?up|join|finish|complete|done|save|post( (it|listing|ad))?|apply|request|claim|confirm|place (my )?(listing|ad)',
    // de
    'absenden|senden|abschicken|eintragen|eintrag (erstellen|speichern)|registrieren|anmelden|speichern|veroffentlichen|fertig|bestatigen|firma eintragen|jetzt eintragen',
    // fr
    'envoyer|soumettre|valider|enregistrer|publier|inscri(re|ption|vez)|ajouter (mon|votre) (entreprise|etablissement|annonce)|terminer|confirmer',
    // es
    'enviar|registrar(se|me)?|guardar|publicar|alta|dar de alta|anadir (mi|su) (empresa|negocio)|finalizar|confirmar',
    // it
    'invia|inviare|registra(ti)?|salva|pubblica|iscriviti|aggiungi (la tua )?(attivita|azienda)|conferma|termina',
    // nl
    'verstuur|versturen|verzenden|opslaan|registreer|aanmelden|inschrijven|toevoegen|bevestig(en)?|plaatsen|publiceren|afronden',
    // pt
    'enviar|submeter|cadastrar|registar|registrar|salvar|guardar|publicar|concluir|finalizar|confirmar',
  ].join('|')})(?=\\s|$)`,
  'u',
);
const NEXT_WORDS =
  /\b(next|continue|proceed|forward|weiter|fortfahren|suivant|continuer|siguiente|continuar|avanti|prosegui|continua|volgende|verder|doorgaan|seguinte|proximo|avancar)\b|[›»→>]\s*$/u;
/** Buttons that must never be clicked for the profile, whatever else they say. */
const NEVER_WORDS =
  /\b(search|find|back|previous|prev|cancel|reset|clear|delete|remove|log ?in|sign ?in|login|subscribe|newsletter|upload|browse|choose file|print|close|logout|log out|sign out|draft|save for later|preview|entwurf|vorschau|brouillon|apercu|borrador|vista previa|bozza|anteprima|concept|voorbeeld|rascunho|pre visualizar|zuruck|abbrechen|suchen|loschen|einloggen|retour|annuler|rechercher|effacer|connexion|se connecter|volver|atras|cancelar|buscar|borrar|iniciar sesion|indietro|annulla|cerca|accedi|terug|annuleren|zoeken|inloggen|voltar|pesquisar|entrar)\b/u;

export interface ClassifiedButton extends ScannedButton {
  role: ButtonRole;
  /** How strongly it is the form's submit (higher first). */
  score: number;
}

export function classifyButton(button: ScannedButton): ClassifiedButton {
  const text = normalizeText(button.text);
  if (!button.visible || !button.enabled || button.type === 'reset' || NEVER_WORDS.test(text)) {
    return { ...button, role: 'other', score: 0 };
  }
  const submitWords = SUBMIT_WORDS.test(text);
  const nextWords = NEXT_WORDS.test(text) || NEXT_WORDS.test(button.text);
  if (nextWords && !submitWords) return { ...button, role: 'next', score: 1 };
  let score = submitWords ? 5 : 0;
  if (button.type === 'submit' || button.type === 'image') score += 3;
  if (button.tag === 'button' || button.tag === 'input') score += 0.5;
  // A nameless submit input or image button ("", "Go", an arrow) still submits its form.
  if (score >= 3) return { ...button, role: 'submit', score };
  return { ...button, role: 'other', score };
}

/**
 * The candidate's buttons (those inside it or linked to its form), classified; the chosen submit
 * and next step. Buttons after the last field weigh more than buttons before it (a "Search" at the
 * top is not the form's action).
 */
export function pickButtons(
  buttons: readonly ScannedButton[],
  inCandidate: (button: ScannedButton) => boolean,
  lastFieldY: number,
): { all: ClassifiedButton[]; submit?: ClassifiedButton; next?: ClassifiedButton } {
  const all = buttons.filter(inCandidate).map(classifyButton);
  const usable = all.filter((b) => b.role !== 'other');
  const below = (b: ClassifiedButton): number => (b.rect.y + b.rect.height >= lastFieldY - 4 ? 1 : 0);
  const submit = usable
    .filter((b) => b.role === 'submit')
    .sort((a, b) => b.score + below(b) - (a.score + below(a)) || a.index - b.index)[0];
  const next = usable
    .filter((b) => b.role === 'next')
    .sort((a, b) => below(b) - below(a) || a.index - b.index)[0];
  return { all, submit, next };
}
