/**
 * The words that tell a verification link from the other links of a sign-up mail, per language.
 * Rules as data: adding a language or a phrasing is adding lines here, not code.
 *
 * Each entry matches the start of a word in the link's text ("confirm" matches "Confirmation",
 * not "unconfirmed"; "activate" not "deactivate") and anywhere in the link's path and query, where
 * words run together ("/emailconfirm"). Matching ignores case and accents ("vérifier" is "verifier",
 * "bestätigen" is "bestatigen"), so each word is listed once in its accented form.
 */
export type LinkLanguage = 'en' | 'de' | 'fr' | 'es' | 'it' | 'pt' | 'nl';
export type WordList = Readonly<Record<LinkLanguage, readonly string[]>>;

/** What a verification link says. */
export const VERIFICATION_WORDS: WordList = {
  en: [
    'verify',
    'verification',
    'confirm',
    'activate',
    'activation',
    'validate',
    'validation',
    'complete registration',
    'complete your registration',
    'complete sign up',
  ],
  de: [
    'bestätigen', // E-Mail-Adresse bestätigen
    'bestätigung',
    'bestaetigen', // spelled without umlaut
    'verifizieren',
    'aktivieren',
    'aktivierung',
    'freischalten',
    'registrierung abschließen',
  ],
  fr: [
    'confirmer',
    'confirmation',
    'vérifier',
    'vérification',
    'activer',
    'valider',
    "finaliser l'inscription",
  ],
  es: [
    'confirmar',
    'confirmación',
    'verificar',
    'verificación',
    'activar',
    'activación',
    'validar',
    'completar registro',
  ],
  it: ['conferma', 'confermare', 'verifica', 'verificare', 'attiva', 'attivare', 'attivazione', 'convalida'],
  pt: ['confirmar', 'confirmação', 'verificar', 'ativar', 'ativação', 'validar', 'concluir cadastro'],
  nl: ['bevestig', 'bevestigen', 'verifiëren', 'activeren', 'valideren', 'registratie voltooien'],
};

/**
 * What a link we must never follow says: leaving a list, legal and help pages, and the "this was
 * not me" or "delete / deactivate" links that would undo the sign-up we are confirming.
 */
export const UNWANTED_WORDS: WordList = {
  en: [
    'unsubscribe',
    'opt out',
    'opt-out',
    'privacy',
    'terms',
    'help',
    'support',
    'faq',
    'deactivate',
    'delete',
    'cancel',
    'not you',
    'not me',
    "wasn't you",
    "didn't sign up",
    'did not sign up',
    'report',
  ],
  de: [
    'abmelden',
    'abbestellen',
    'datenschutz',
    'agb',
    'nutzungsbedingungen',
    'hilfe',
    'deaktivieren',
    'löschen',
  ],
  fr: [
    'désabonner',
    'désinscri',
    'se désinscrire',
    'confidentialité',
    'conditions',
    'aide',
    'désactiver',
    'supprimer',
    'annuler',
  ],
  es: [
    'darse de baja',
    'cancelar suscripción',
    'privacidad',
    'términos',
    'ayuda',
    'desactivar',
    'eliminar',
    'cancelar',
  ],
  it: ['disiscriviti', 'annulla iscrizione', 'termini', 'aiuto', 'disattiva', 'elimina', 'annulla'],
  pt: ['descadastrar', 'cancelar inscrição', 'privacidade', 'termos', 'ajuda', 'desativar', 'excluir'],
  nl: ['afmelden', 'uitschrijven', 'voorwaarden', 'hulp', 'deactiveren', 'verwijderen', 'annuleren'],
};

/** A login link: penalised when it says nothing about verifying ("Log in to your account"). */
export const LOGIN_WORDS: WordList = {
  en: ['log in', 'login', 'sign in', 'signin'],
  de: ['anmelden', 'einloggen'],
  fr: ['connexion', 'se connecter'],
  es: ['iniciar sesión', 'acceder'],
  it: ['accedi', 'accesso'],
  pt: ['entrar', 'fazer login'],
  nl: ['inloggen'],
};

/**
 * A tracking pixel or an image, not a page: words of its URL path (open tracking, beacons) and
 * image file endings. Matched in the URL only.
 */
export const TRACKING_PATTERNS: readonly RegExp[] = [
  /\.(gif|png|jpe?g|webp|svg|ico)$/i,
  /(^|\/)(pixel|beacon|open|track\/open|wf\/open)(\/|\.|$)/i,
];
