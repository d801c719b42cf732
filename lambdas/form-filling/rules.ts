/**
 * The words that name each kind of form field, as data: one entry per kind, one line per pattern
 * with the languages it serves. Adding a language or a synonym is adding a line here, not code.
 *
 * Modelled on the browsers' autofill rules (Firefox's HeuristicsRegExp, Chromium's regex patterns),
 * written for our own kinds: the business profile's fields, and the fields we must recognize in
 * order never to fill them (payment cards, log-in passwords, search boxes, CAPTCHA answers).
 *
 * Matching happens on normalized text (see normalizeText): lower case, accents removed (é -> e,
 * ü -> u, ß -> ss), anything that is not a letter or digit a single space; for name and id
 * attributes camelCase and letter/digit boundaries are split too ("billZipCode1" -> "bill zip code 1",
 * "SZip" -> "s zip"). So patterns are written in lower case, without accents, with a space (or " ?"
 * when writers glue the words) between words.
 *
 * In a pattern, `\b` means a boundary between a letter or digit and anything else, in any script
 * (JavaScript's own \b only knows ASCII); compileRule() rewrites it.
 */
import type { FieldKind } from './field-kinds';

/** One pattern (a RegExp source, matched anywhere in the text) and the languages it serves. */
export type RuleLine = readonly [pattern: string, languages: string];

export interface KindRule {
  /**
   * Patterns that name the kind in what a person reads: label text, aria-label, the text beside the
   * control, placeholder, title. Strong evidence.
   */
  text: readonly RuleLine[];
  /**
   * Patterns that name it in tokenized name/id attributes, when they differ from `text`
   * (abbreviations writers use in code: "fname", "addr1", "tel", "plz"). `text` is tried on
   * attributes as well.
   */
  attribute?: readonly RuleLine[];
  /**
   * Generic words that suggest the kind only when nothing more specific matches ("name" for the
   * business name on a listing form, "address" for the first address line, "number" ...).
   */
  weak?: readonly RuleLine[];
  /**
   * Patterns that, found in the same piece of text, mean it is NOT this kind even though a pattern
   * above matched ("address line 2" is not the first line, "email" in "email address" is not a
   * street address, "card holder name" is not the contact's name). A negative only cancels matches
   * from the same source: an id saying "addressFormCompany" does not veto a label saying "Company".
   */
  not?: readonly RuleLine[];
}

/** Every kind with rules. `unknown` has none: it is what matches nothing. */
export type Rules = Readonly<Partial<Record<FieldKind, KindRule>>>;

/**
 * The language tags rule lines use (a line's second element: "en", "de, fr", ...). `*` marks words
 * that are the same in every language: brand names (Facebook, WhatsApp), "logo", card codes (CVV).
 */
export const RULE_LANGUAGES = [
  '*',
  'en',
  'de',
  'fr',
  'es',
  'it',
  'nl',
  'pt',
  'pl',
  'sv',
  'da',
  'no',
  'fi',
  'tr',
  'ru',
  'ja',
  'zh',
  'ko',
  'id',
  'hi',
  'ml',
] as const;

// Shared pieces of patterns (RegExp source fragments), so that a word list used by several kinds is
// written once. Each is an alternation without a group: wrap it in (?:...) where it is used.

/** English nouns for a business that form "<noun> name" (the business's name). */
const BUSINESS_NOUN =
  'business|company|organi[sz]ation|firm|store|shop|brand|practice|agency|venue|restaurant|hotel|salon|clinic|studio|establishment|merchant|vendor|employer|entity|charity|institution|listing|trading';

/** What else a form asks "about the business": "Company email" is an email, not the company's name. */
const BUSINESS_ASPECT =
  'e ?mail|phone|telephone|tel|fax|mobile|cell|address|street|city|town|state|zip|postal|post ?code|country|location|web ?site|url|site|home ?page|logo|image|photo|picture|description|category|categories|type|size|hours|opening|registration|reg|number|no|nr|id|vat|tax|ein|abn|license|licence|industry|sector|details|info|information|profile|overview|summary|bio|owner|contact|account|age|established|founded|year|since|slogan|tag ?line|keywords|revenue|employees|structure|activity|model|social|facebook|twitter|instagram|linkedin|youtube|verification|document|certificate|bank';

/** Words that make a field the repetition of the one before it (English). */
const CONFIRM_EN = 'confirm|verify|repeat|re ?enter|re ?type|retype|reconfirm|re ?confirm';

/** The social networks (for "not the website"). */
const SOCIAL =
  'facebook|\\bfb\\b|instagram|\\binsta\\b|linked ?in|twitter|\\bx (profile|url|link|handle|account|page|username)\\b|\\bx com\\b|you ?tube|tik ?tok|pinterest|yelp|tripadvisor|whats ?app|telegram|skype|snapchat|threads|mastodon|bluesky|flickr|vimeo|github|behance|dribbble';

/** A person's name parts (for "not the business name"). */
const PERSON_NAME =
  '\\b(first|last|given|family|middle|full|user|your|contact|person|screen|display|nick|maiden|sur|login|owner|manager|representative|personal|legal first|legal last|customer|member)( )?names?\\b';

/**
 * The rules, one entry per kind (every kind but `unknown`). Conventions:
 * - `text` is tried on labels, placeholders and attributes; `attribute` only on name/id attributes
 *   (their abbreviations: "fname", "addr1", "plz"); `weak` only suggests ("Address", "Name", "Title").
 * - `not` cancels a kind for that piece of text; it carries the classic confusions ("Email address"
 *   is not a street, "Card holder name" not the contact, "Company email" not the company's name).
 * - Patterns see normalized text: lower case, no accents, words separated by single spaces. Devanagari
 *   vowel signs and Japanese (han)dakuten are combining marks, so they are stripped too: "पासवर्ड" is
 *   written "पसवरड", "パスワード" "ハスワート", Cyrillic "й" "и".
 */
export const RULES: Rules = {
  // ===========================================================================================
  // The business
  // ===========================================================================================
  business_name: {
    text: [
      ['\\bകമപന\\b', 'ml'],
      [`\\b(${BUSINESS_NOUN})( s)? ?names?\\b`, 'en'],
      [
        '\\bname of (your |the |this )?(business|company|organi[sz]ation|firm|store|shop|establishment|practice|venue|brand|entity|place|location|restaurant|salon|clinic|office|hotel)\\b',
        'en',
      ],
      ['\\b(company|business|organi[sz]ation|organisation)\\b', 'en'],
      ['\\b(doing business as|trading as|trade name|d b a|dba)\\b', 'en'],
      ['\\b(listing|business|company) title\\b|\\btitle of (your |the )?(listing|business)\\b', 'en'],
      [
        '\\b(firma|firmenname|firmenbezeichnung|unternehmen|unternehmensname|unternehmensbezeichnung|betriebsname|geschaftsname|name (des |ihres |der |ihrer )?(unternehmens|firma|betriebs|geschafts))\\b',
        'de',
      ],
      [
        '\\b(entreprise|societe|raison sociale|nom commercial|enseigne|denomination sociale|nom (de |d )?(l |la |votre |mon |ma )?(entreprise|societe|etablissement|commerce|structure|organisme|organisation|enseigne|association))\\b',
        'fr',
      ],
      [
        '\\b(empresa|compania|razon social|nombre comercial|nombre fiscal|nombre (de |del )?(la |el |tu |su )?(empresa|negocio|comercio|establecimiento|organizacion|compania|local|marca))\\b',
        'es',
      ],
      [
        '\\b(azienda|ragione sociale|denominazione( sociale)?|ditta|impresa|nome (dell |della |del )?(azienda|attivita|impresa|ditta|negozio|struttura|esercizio|locale|societa|organizzazione))\\b',
        'it',
      ],
      [
        '\\b(bedrijf|bedrijfsnaam|organisatie|organisatienaam|onderneming|handelsnaam|firmanaam|naam (van )?(het |uw |je )?(bedrijf|organisatie|onderneming|zaak|winkel))\\b',
        'nl',
      ],
      [
        '\\b(empresa|razao social|nome fantasia|nome (da |do )?(sua |seu )?(empresa|negocio|loja|organizacao|estabelecimento|companhia|marca))\\b',
        'pt',
      ],
      ['\\b(nazwa (firmy|przedsiebiorstwa|dzialalnosci|organizacji|sklepu)|firma|przedsiebiorstwo)\\b', 'pl'],
      ['\\b(foretag|foretagsnamn|firmanamn|organisation|organisationsnamn)\\b', 'sv'],
      ['\\b(virksomhed|virksomhedsnavn|firmanavn|firma)\\b', 'da'],
      ['\\b(bedrift|bedriftsnavn|firmanavn|foretak|foretaksnavn|firma)\\b', 'no'],
      ['\\b(yritys|yrityksen nimi|yrityksesi nimi|toiminimi|organisaation nimi)\\b', 'fi'],
      ['\\b(sirket|firma|isletme|kurum)( adı| adi| ismi| unvanı| unvani)?\\b', 'tr'],
      ['(компани|организаци|фирм[аы]|предприяти)', 'ru'],
      ['(会社|企業|法人|店舗|団体|事業者|組織|貴社|御社)名|屋号|^会社$', 'ja'],
      [
        '(公司|企业|企業|单位|單位|商家|店铺|店舖|机构|機構|组织|組織)(名称|名稱|名)|^(公司|企业|企業|单位|商家)$',
        'zh',
      ],
      ['(회사|업체|기업|상호|단체|사업장|매장) ?(명|이름)|^(회사|상호|업체|기업)$', 'ko'],
      ['\\b(perusahaan|nama (usaha|bisnis|toko|perusahaan|organisasi))\\b', 'id'],
    ],
    attribute: [
      ['\\b(biz|comp|co|org|corp|cmp|bus|bn)( )?name\\b', 'en'],
      ['\\b(org|organi[sz]ation|company|business|firm)$', 'en'],
      ['\\bpost ?title\\b|\\blisting ?(name|title)\\b', 'en'],
    ],
    weak: [
      ['^(name|title|listing|brand|store|shop)$', 'en'],
      ['^(titel|titre|titulo|titolo|naam|nimi)$', 'de, fr, es, it, nl, fi'],
      ['^(名称|名稱|タイトル|标题|標題|제목)$', 'zh, ja, ko'],
    ],
    not: [
      // "LinkedIn company page", "Facebook business page": a social profile's address.
      [SOCIAL, '*'],
      [PERSON_NAME, 'en'],
      ['\\bcard ?holder|\\bname on (the )?card\\b|\\b(domain|file|street|pet|product) ?name', 'en'],
      [
        `\\b(company|business|organi[sz]ation|organisation|firm|store|shop)( s)? (${BUSINESS_ASPECT})\\b`,
        'en',
      ],
      [
        '\\b(type|kind|category|nature|size|age|description|hours|years?|line|sector|area|field|address|email|phone|website|logo|owner|industry|location) (of|in) (your |the |this |my )?(company|business|organi[sz]ation|firm)\\b',
        'en',
      ],
      [
        '\\b(describe|about|tell us about|register|claim|verify|promote|search for|search|find|look up|lookup) (your |the |a |my |this )?(company|business|organi[sz]ation)\\b|\\b(company|business) (com|net|org)\\b',
        'en',
      ],
      [
        '\\bin business (since|for)\\b|\\byears? in business\\b|\\bbusiness (days?|trip|class|plan)\\b|\\bsmall business\\b',
        'en',
      ],
      [
        '\\b(year|date|when) (your |the |this )?(business|company|organi[sz]ation)\\b|\\b(business|company|organi[sz]ation)( was| is| has been)? (established|founded|started|opened|incorporated|registered)\\b',
        'en',
      ],
      [
        '\\b(vorname|nachname|benutzername|ansprechpartner|inhaber)|\\b(adresse|anschrift|telefon|e ?mail|webseite|beschreibung|kategorie|art|branche|grosse|sitz|logo|grundung) (des |der |ihres |ihrer )?(unternehmens|firma|betriebs)\\b',
        'de',
      ],
      [
        '\\b(prenom|nom de famille|nom d utilisateur|titulaire)|\\b(adresse|telephone|tel|e ?mail|courriel|site|logo|description|categorie|secteur|type|taille|numero|siret|siren|tva|ville|pays|code postal|activite|horaires|date|annee|forme juridique|creation) (de |d |du |des )?(l |la |le |votre )?(entreprise|societe|etablissement)',
        'fr',
      ],
      [
        '\\b(apellido|nombre de usuario|titular)|\\b(direccion|telefono|correo|e ?mail|sitio|web|logo|descripcion|categoria|tipo|sector|tamano|numero|nif|cif|ciudad|pais|horario|ano|fecha) (de |del )?(la |el |su |tu )?(empresa|negocio|compania|comercio)\\b',
        'es',
      ],
      [
        '\\b(cognome|nome utente|intestatario)|\\b(indirizzo|telefono|e ?mail|sito|logo|descrizione|categoria|tipo|settore|partita iva|citta|paese|orari|anno) (dell |della |del |di )?(azienda|impresa|ditta|attivita)\\b',
        'it',
      ],
      [
        '\\b(voornaam|achternaam|gebruikersnaam)|\\b(adres|telefoon|e ?mail|website|logo|omschrijving|beschrijving|categorie|type|sector|plaats|land|openingstijden) (van )?(het |uw |je )?(bedrijf|organisatie|onderneming)\\b',
        'nl',
      ],
      [
        '\\b(sobrenome|nome de usuario|nome do usuario)|\\b(endereco|morada|telefone|e ?mail|site|logo|descricao|categoria|tipo|setor|cidade|pais|horario|ano|cnpj|nif) (da |do |de )?(sua |seu )?(empresa|negocio|loja|organizacao)\\b',
        'pt',
      ],
      ['\\b(sirket|firma|isletme) (adres|telefon|e ?posta|web|logo|turu|kategori)', 'tr'],
      ['(адрес|телефон|саит|описание|категория|тип|email|почта) (компании|организации|фирмы)', 'ru'],
      ['(公司|企业|企業)(地址|电话|電話|网址|網址|邮箱|簡介|简介|介绍|介紹|类型|類型|规模|規模)', 'zh'],
      ['(alamat|telepon|email|jenis|kategori|deskripsi) (usaha|perusahaan|bisnis)', 'id'],
    ],
  },

  category: {
    text: [
      ['\\bcategor(y|ies)\\b', 'en'],
      [
        '\\b(business|company|organi[sz]ation|service|listing|primary|main) (type|category|categories|classification)\\b|\\btype of (business|company|organi[sz]ation|establishment|service|activity)\\b',
        'en',
      ],
      [
        '\\bindustry\\b|\\bsector\\b|\\bniche\\b|\\bline of business\\b|\\bclassification\\b|\\bbusiness activity\\b|\\btrade\\b|\\bwhat (do|does) (you|your (business|company)) do\\b|\\b(kind|type) of work\\b|\\bprofession\\b',
        'en',
      ],
      [
        '\\bkategorie|\\bbranche\\b|\\bbranchen\\b|\\brubrik\\b|\\bgeschaftsart\\b|\\bunternehmensart\\b|\\bart des (unternehmens|betriebs|geschafts)\\b|\\btatigkeitsbereich|\\bwirtschaftszweig',
        'de',
      ],
      [
        '\\bcategorie|\\bsecteur( d activite)?\\b|\\brubrique\\b|\\bactivite( principale)?\\b|\\btype (d activite|d entreprise|d etablissement|de commerce)\\b|\\bdomaine d activite\\b',
        'fr',
      ],
      [
        '\\bcategoria|\\bsector\\b|\\brubro\\b|\\bactividad( principal)?\\b|\\btipo de (negocio|empresa|actividad|establecimiento|comercio)\\b',
        'es',
      ],
      ['\\bcategori(a|e)\\b|\\bsettore\\b|\\btipo di (attivita|azienda|impresa)\\b|\\battivita\\b', 'it'],
      [
        '\\bcategorie|\\bbranche\\b|\\brubriek\\b|\\bsector\\b|\\bsoort (bedrijf|onderneming)\\b|\\btype (bedrijf|onderneming)\\b|\\bbedrijfstak\\b|\\bbedrijfstype\\b',
        'nl',
      ],
      [
        '\\bcategoria|\\bsetor\\b|\\bsector\\b|\\bramo( de atividade)?\\b|\\btipo de (negocio|empresa|estabelecimento)\\b|\\batividade\\b|\\bsegmento\\b',
        'pt',
      ],
      ['\\bkategoria|\\bbranza\\b|\\brodzaj dzialalnosci\\b', 'pl'],
      ['\\bkategori|\\bbransch', 'sv'],
      ['\\bkategori|\\bbranche\\b|\\bbransje\\b', 'da, no'],
      ['\\bkategoria|\\btoimiala\\b', 'fi'],
      ['\\bkategori|\\bsektor\\b|\\bfaaliyet alanı\\b|\\bisletme turu\\b', 'tr'],
      ['категори|рубрик|отрасль|сфера деятельности|вид деятельности', 'ru'],
      ['カテコリ|業種|シャンル|分類', 'ja'],
      ['类别|類別|分类|分類|行业|行業|类目|類目', 'zh'],
      ['카테고리|업종|분류|업태', 'ko'],
      ['\\bkategori\\b|\\bbidang usaha\\b|\\bjenis usaha\\b|\\bindustri\\b', 'id'],
      ['\\bशरण\\b', 'hi'],
    ],
    attribute: [
      ['\\bcat( ?(id|ids|name|select))?\\b|\\bbiz ?type\\b|\\bbusiness ?type\\b|\\bindustry\\b', 'en'],
    ],
    weak: [['^(type|kind|genre|art|tipo|soort|typ)$', 'en, de, es, it, pt, nl, pl']],
    not: [
      [SOCIAL, '*'],
      [
        '\\bsub ?categor|\\b(secondary|additional|other|second|more) categor|\\b(cookie|age|price|weight|ticket|job|payment|file) categor',
        'en',
      ],
      [
        '\\bunterkategorie|\\bsous categorie|\\bsubcategoria|\\bsottocategoria|\\bsubcategorie',
        'de, fr, es, it, nl, pt',
      ],
      ['\\bnome (dell |della )?attivita\\b|\\bdata (di )?inizio attivita', 'it'],
      ['\\bdebut d activite\\b|\\binicio de (la )?actividad|\\binicio (da )?atividade', 'fr, es, pt'],
    ],
  },

  description: {
    text: [
      ['\\bdescription\\b|\\bdescribe\\b|\\bdesc\\b', 'en'],
      [
        '\\babout (you|your|us|the) ?(business|company|organi[sz]ation|firm|practice|services?|store|shop)?\\b|^about$',
        'en',
      ],
      [
        '\\b(business|company|listing) (details|overview|profile|summary|bio|information)\\b|\\btell us (about|more)\\b|\\boverview\\b|\\b(long|full|detailed|extended) (description|desc)\\b|\\bbio(graphy)?\\b',
        'en',
      ],
      [
        '\\bbeschreibung|\\bfirmenbeschreibung|\\bunternehmensbeschreibung|\\buber (uns|ihr unternehmen|ihre firma|ihren betrieb)\\b|\\bselbstdarstellung|\\bfirmenprofil|\\bfirmenportrait|\\bbeschreiben sie\\b',
        'de',
      ],
      ['\\bdescription|\\bpresentation\\b|\\ba propos\\b|\\bdecri(vez|re)\\b|\\bdescriptif\\b', 'fr'],
      [
        '\\bdescripcion|\\bacerca de\\b|\\bsobre (nosotros|tu empresa|su empresa|tu negocio|su negocio)\\b|\\bdescrib(a|e)\\b|\\bpresentacion\\b',
        'es',
      ],
      ['\\bdescrizione|\\bchi siamo\\b|\\bpresentazione\\b|\\bdescrivi\\b|\\bdescriva\\b', 'it'],
      [
        '\\bomschrijving|\\bbeschrijving|\\bover (ons|uw bedrijf|je bedrijf)\\b|\\bbeschrijf\\b|\\bbedrijfsomschrijving|\\bbedrijfsbeschrijving',
        'nl',
      ],
      [
        '\\bdescricao|\\bsobre (nos|a empresa|o negocio|a sua empresa)\\b|\\bdescreva\\b|\\bapresentacao\\b',
        'pt',
      ],
      ['\\bopis\\b|\\bopis (firmy|dzialalnosci)\\b|\\bo (nas|firmie)\\b', 'pl'],
      ['\\bbeskrivning|\\bom (oss|foretaget)\\b', 'sv'],
      ['\\bbeskrivelse|\\bom (os|virksomheden)\\b', 'da'],
      ['\\bbeskrivelse|\\bom (oss|bedriften)\\b', 'no'],
      ['\\bkuvaus|\\besittely', 'fi'],
      ['\\bacıklama|\\baciklama|\\bhakkımızda|\\bhakkında|\\btanıtım', 'tr'],
      ['описание|о компании|о нас', 'ru'],
      ['説明|紹介文|紹介|詳細', 'ja'],
      ['描述|简介|簡介|介绍|介紹|说明|說明|详情|詳情', 'zh'],
      ['설명|소개|상세 ?정보', 'ko'],
      ['\\bdeskripsi\\b|\\btentang (kami|usaha|bisnis|perusahaan)\\b|\\bketerangan\\b', 'id'],
      ['\\bववरण\\b', 'hi'],
    ],
    attribute: [
      ['\\bdescr?\\b|\\blong ?desc|\\babout\\b|\\bbio\\b|\\bdescription|\\bpost ?content\\b', 'en'],
    ],
    weak: [
      [
        '\\bdetails\\b|\\bprofile\\b|\\bservices( offered)?\\b|\\bproducts and services\\b|\\bmore (info|information)\\b',
        'en',
      ],
      [
        '\\bleistungen\\b|\\bdienstleistungen\\b|\\bservices\\b|\\bservicios\\b|\\bservizi\\b|\\bdiensten\\b|\\bservicos\\b',
        'de, fr, es, it, nl, pt',
      ],
    ],
    not: [
      [SOCIAL, '*'],
      [
        '\\b(short|brief|one line|one sentence)\\b|\\btag ?line|\\bslogan|\\bsummary\\b|\\bteaser|\\bexcerpt|\\bmeta\\b|\\bseo\\b',
        'en',
      ],
      [
        '\\b(image|photo|picture|logo|video|alt|job|product|item|file|event)( s)? (description|desc)\\b|\\bdescription (of (the |your )?)?(image|photo|logo|video|file|job|product|event)\\b|\\balt text\\b',
        'en',
      ],
      [
        '\\bkurz|\\bcourte\\b|\\bbreve\\b|\\bcorta\\b|\\bcurta\\b|\\bkorte\\b|\\bkort\\b|\\bkrotki\\b|\\blyhyt\\b|\\bkısa\\b',
        'de, fr, es, it, pt, nl, sv, da, no, pl, fi, tr',
      ],
      ['краткое|краткии|短い|简短|簡短|한줄|간단한|singkat', 'ru, ja, zh, ko, id'],
      [
        '\\b(hear|heard|find|found|learn|learned) about us\\b|\\bprofile (picture|photo|image|pic|url|link)\\b|\\b(picture|photo|image|pic)\\b',
        'en',
      ],
    ],
  },

  short_description: {
    text: [
      [
        '\\b(short|brief|one line|one sentence)( business| company| listing)? (description|desc|bio|summary|intro|introduction|text|about)\\b',
        'en',
      ],
      [
        '\\btag ?line\\b|\\bslogan\\b|\\bsummary\\b|\\bmotto\\b|\\bheadline\\b|\\bsub ?title\\b|\\bteaser\\b|\\bexcerpt\\b|\\bintro\\b|\\bsnippet\\b|\\belevator pitch\\b',
        'en',
      ],
      [
        '\\bkurzbeschreibung|\\bkurz ?(text|info|profil|vorstellung|beschreibung)\\b|\\bkurze beschreibung|\\bzusammenfassung|\\bwerbespruch|\\bunterzeile',
        'de',
      ],
      ['\\b(courte|breve) description\\b|\\bdescription (courte|breve)\\b|\\bresume\\b|\\baccroche\\b', 'fr'],
      [
        '\\bdescripcion (corta|breve)\\b|\\bbreve descripcion\\b|\\bresumen\\b|\\beslogan\\b|\\blema\\b',
        'es',
      ],
      ['\\bdescrizione (breve|sintetica)\\b|\\bbreve descrizione\\b|\\bsintesi\\b|\\briassunto\\b', 'it'],
      [
        '\\bkorte (omschrijving|beschrijving)\\b|\\bsamenvatting\\b|\\bkorte tekst\\b|\\bintroductie\\b',
        'nl',
      ],
      ['\\bdescricao (curta|breve)\\b|\\bbreve descricao\\b|\\bresumo\\b', 'pt'],
      ['\\bkrotki opis\\b|\\bpodsumowanie\\b', 'pl'],
      ['\\bkort beskrivning\\b|\\bsammanfattning\\b', 'sv'],
      ['\\bkort beskrivelse\\b|\\bsammendrag\\b|\\bresume\\b', 'da, no'],
      ['\\blyhyt kuvaus\\b|\\btiivistelma\\b', 'fi'],
      ['\\bkısa acıklama\\b|\\bkisa aciklama\\b|\\bozet\\b', 'tr'],
      ['краткое описание|кратко о|слоган', 'ru'],
      ['キャッチコヒー|概要|短い説明|ひとこと', 'ja'],
      ['简短描述|簡短描述|简述|簡述|摘要|口号|口號|标语|標語', 'zh'],
      ['한줄 ?소개|요약|간단한 ?설명|슬로건', 'ko'],
      ['\\bdeskripsi singkat\\b|\\bringkasan\\b', 'id'],
    ],
    attribute: [
      [
        '\\bshort ?desc|\\bsdesc\\b|\\bdesc ?short\\b|\\bshort ?(text|bio|about)\\b|\\btag ?line|\\bsummary|\\bexcerpt|\\bteaser|\\bintro\\b|\\bsubtitle\\b',
        'en',
      ],
    ],
    not: [
      [SOCIAL, '*'],
      [
        '\\b(long|full|detailed|extended)\\b|\\bmeta\\b|\\bseo\\b|\\b(job|order|cart|account|payment|booking) summary\\b|\\bsummary of (changes|order|your order)\\b',
        'en',
      ],
    ],
  },

  keywords: {
    text: [
      [
        '\\bkey ?words?\\b|\\bkey ?phrases?\\b|\\btags\\b|\\bhash ?tags?\\b|\\bsearch (terms|tags|phrases)\\b',
        'en',
      ],
      [
        '\\bschlagw(o|oe)rte?r?\\b|\\bschlagworte?\\b|\\bstichw(o|oe)rte?r?\\b|\\bstichworte?\\b|\\bsuchbegriffe?\\b|\\bschlusselw(o|oe)rte?r?\\b|\\bschlusselbegriffe\\b',
        'de',
      ],
      ['\\bmots? cles?\\b|\\bmots? clefs?\\b|\\betiquettes\\b', 'fr'],
      ['\\bpalabras? claves?\\b|\\betiquetas\\b', 'es'],
      ['\\bparole chiave\\b|\\bparola chiave\\b|\\betichette\\b', 'it'],
      ['\\btrefwoord(en)?\\b|\\bzoekwoord(en)?\\b|\\bsleutelwoord(en)?\\b', 'nl'],
      ['\\bpalavras? chaves?\\b|\\bpalavras chave\\b|\\betiquetas\\b', 'pt'],
      ['\\bsłowa kluczowe\\b|\\bslowa kluczowe\\b|\\btagi\\b', 'pl'],
      ['\\bnyckelord\\b|\\btaggar\\b|\\bsokord\\b', 'sv'],
      ['\\bnøgleord\\b|\\bsøgeord\\b', 'da'],
      ['\\bnøkkelord\\b|\\bsøkeord\\b|\\bstikkord\\b', 'no'],
      ['\\bavainsana(t)?\\b|\\bhakusana(t)?\\b|\\btunnisteet\\b', 'fi'],
      ['\\banahtar kelime(ler)?\\b|\\betiketler\\b', 'tr'],
      ['ключевые слова|теги|метки', 'ru'],
      ['キーワート|タク', 'ja'],
      ['关键词|關鍵詞|关键字|關鍵字|标签|標籤', 'zh'],
      ['키워드|태그', 'ko'],
      ['\\bkata kunci\\b', 'id'],
      ['\\bकवरड\\b', 'hi'],
    ],
    attribute: [['\\bkeywords?\\b|\\bkwds?\\b|\\btags?\\b|\\bmeta ?keywords?\\b', 'en']],
    weak: [['^tag$', 'en']],
    not: [
      [
        '\\bkeyword search\\b|\\bsearch by keyword|\\bsearch for\\b|\\bsearch\\b(?! (terms|tags|phrases|keywords?))|\\btag (manager|id|number)\\b|\\bgeburtstag',
        'en, de',
      ],
    ],
  },

  opening_hours: {
    text: [
      [
        '\\b(opening|business|office|trading|store|shop|working|operating|open|service) (hours|times)\\b|\\bhours of (operation|business)\\b|\\bwhen (are you|is your business) open\\b',
        'en',
      ],
      ['\\boffnungszeiten\\b|\\bgeschaftszeiten\\b|\\bsprechzeiten\\b|\\bservicezeiten\\b', 'de'],
      ['\\bhoraires?( d ouverture)?\\b|\\bheures d ouverture\\b', 'fr'],
      ['\\bhorarios?( de (atencion|apertura|trabajo|servicio))?\\b|\\bhoras de (atencion|apertura)\\b', 'es'],
      ['\\borari( di apertura)?\\b|\\borario( di apertura)?\\b', 'it'],
      ['\\bopeningstijden\\b|\\bopeningsuren\\b|\\bopeningstijd\\b', 'nl'],
      ['\\bhorarios?( de funcionamento| de atendimento| de abertura)?\\b', 'pt'],
      ['\\bgodziny (otwarcia|pracy)\\b', 'pl'],
      ['\\boppettider\\b', 'sv'],
      ['\\babningstider\\b|\\bapningstider\\b', 'da, no'],
      ['\\baukioloajat\\b|\\baukioloaika\\b', 'fi'],
      ['\\bcalısma saatleri\\b|\\bcalisma saatleri\\b|\\bacılıs saatleri\\b', 'tr'],
      ['режим работы|часы работы|время работы', 'ru'],
      ['営業時間|受付時間', 'ja'],
      ['营业时间|營業時間|办公时间|辦公時間', 'zh'],
      ['영업 ?시간|운영 ?시간', 'ko'],
      ['\\bjam (buka|operasional|kerja)\\b', 'id'],
      ['खलन क समय', 'hi'],
    ],
    attribute: [['\\bopening ?hours|\\bopen ?hours|\\bbusiness ?hours|\\bhours ?of ?operation', 'en']],
    weak: [['\\bhours\\b|\\bschedule\\b|\\bzeiten\\b', 'en, de']],
    not: [
      [
        '\\bhours (per|a|each) (week|day|month)\\b|\\bhours worked\\b|\\bnumber of hours\\b|\\bper week\\b|\\bcontact (hours|times)\\b|\\bbest time\\b',
        'en',
      ],
    ],
  },

  year_established: {
    text: [
      [
        '\\byear (your |the )?(business |company )?(was )?(established|founded|started|opened|incorporated)\\b|\\byear of (establishment|foundation|founding|incorporation)\\b',
        'en',
      ],
      [
        '\\b(established|founded)( in| since| year| date)?\\b|\\bfounding (year|date)\\b|\\bdate (established|founded|of establishment|of incorporation)\\b|\\b(in business|open|operating|active) since\\b|\\b(foundation|incorporation) (year|date)\\b',
        'en',
      ],
      [
        '\\bgrundungsjahr\\b|\\bgegrundet\\b|\\bgrundungsdatum\\b|\\bbestehend seit\\b|\\bjahr der grundung\\b',
        'de',
      ],
      [
        '\\bannee de (creation|fondation)\\b|\\bdate de (creation|fondation)\\b|\\bcree(e)? en\\b|\\bfonde(e)? en\\b|\\b(date de )?debut d activite\\b',
        'fr',
      ],
      [
        '\\bano de (fundacion|creacion|constitucion|inicio)\\b|\\bfecha de (fundacion|creacion|constitucion)\\b|\\bfundad(a|o) en\\b|\\binicio de (la )?actividad(es)?\\b',
        'es',
      ],
      [
        '\\banno di (fondazione|costituzione|apertura|inizio attivita)\\b|\\bdata di (fondazione|costituzione)\\b|\\bfondat(a|o) nel\\b',
        'it',
      ],
      ['\\bopgericht\\b|\\boprichtingsjaar\\b|\\boprichtingsdatum\\b|\\bjaar van oprichting\\b', 'nl'],
      [
        '\\bano de (fundacao|criacao|abertura|constituicao)\\b|\\bdata de (fundacao|constituicao)\\b|\\bfundad(a|o) em\\b',
        'pt',
      ],
      ['\\brok (zalozenia|powstania)\\b', 'pl'],
      ['\\bgrundat\\b|\\bgrundandear\\b|\\bstartad\\b', 'sv'],
      ['\\bgrundlagt\\b|\\betableret\\b|\\bstiftet\\b', 'da'],
      ['\\bgrunnlagt\\b|\\betablert\\b|\\bstiftet\\b', 'no'],
      ['\\bperustettu\\b|\\bperustamisvuosi\\b', 'fi'],
      ['\\bkurulus (yılı|yili|tarihi)\\b', 'tr'],
      ['год основания|дата основания|основан[аоы]?\\b', 'ru'],
      ['設立|創業|創立', 'ja'],
      ['成立(时间|時間|年份|日期)|创立|創立|创办|創辦', 'zh'],
      ['설립 ?(연도|년도|일)|창업 ?(연도|년도|일)?', 'ko'],
      ['\\btahun (berdiri|didirikan)\\b|\\bdidirikan\\b|\\bberdiri sejak\\b', 'id'],
      ['\\bसथपन\\b', 'hi'],
    ],
    attribute: [
      [
        '\\b(year|yr) ?(est|estab|established|founded|start|started)\\b|\\b(est|estab|founded|founding|foundation|start) ?(year|yr|date)\\b|\\byear ?founded\\b|\\bfounded\\b|\\bestablished\\b',
        'en',
      ],
    ],
    weak: [['^(since|seit|depuis|desde|sinds|dal)$', 'en, de, fr, es, pt, nl, it']],
    not: [
      [
        '\\bbirth|\\bgeburt|\\bnaissance|\\bnacimiento|\\bnascita|\\bgeboorte|\\bnascimento|\\bexpir|\\bgraduat|\\b(member|customer|client|user) since\\b',
        'en, de, fr, es, it, nl, pt',
      ],
    ],
  },

  logo: {
    text: [
      ['\\blogo(s|type|typ|tipo)?\\b', '*'],
      ['\\b(company|business|brand) (image|picture|icon|mark)\\b|\\bbrand ?mark\\b', 'en'],
      ['\\bfirmenlogo\\b|\\bunternehmenslogo\\b', 'de'],
      ['ロコ|ロコマーク', 'ja'],
      ['标志|標誌|徽标|徽標|商标|商標', 'zh'],
      ['로고', 'ko'],
      ['логотип', 'ru'],
    ],
    attribute: [['\\blogo', '*']],
    weak: [
      [
        '\\bimage\\b|\\bphotos?\\b|\\bpicture\\b|\\bupload\\b|\\bicon\\b|\\bavatar\\b|\\bimg\\b|\\bbanner\\b',
        'en',
      ],
      [
        '\\bbild\\b|\\bimagen\\b|\\bimmagine\\b|\\bafbeelding\\b|\\bfoto\\b|\\bimagem\\b|\\bzdjecie\\b|\\bbilde\\b|\\bkuva\\b|\\bresim\\b|\\bgambar\\b',
        'de, es, it, nl, pt, pl, no, fi, tr, id',
      ],
      ['изображение|фото|画像|图片|圖片|照片|이미지|사진', 'ru, ja, zh, ko'],
    ],
    not: [
      [
        '\\balt text\\b|\\bcaption\\b|\\bdescription\\b|\\bcaptcha|\\bsecurity (image|code)\\b|\\bimage verification\\b|\\bcharacters\\b|\\bnot a robot\\b|\\b(logo|image) (alt|title)\\b',
        'en',
      ],
    ],
  },

  website: {
    text: [
      ['\\bവബസററ\\b', 'ml'],
      [
        '\\bweb ?site\\b|\\bweb ?page\\b|\\bhome ?page\\b|\\burl\\b|\\bweb ?address\\b|\\binternet ?address\\b|\\bwww\\b|\\bweb ?link\\b|\\bwebsites\\b|^https?\\b',
        'en',
      ],
      [
        '\\bwebseite\\b|\\binternetseite\\b|\\binternetadresse\\b|\\binternetauftritt\\b|\\bhomepage\\b|\\bwebadresse\\b',
        'de',
      ],
      ['\\bsite (web|internet)\\b|\\bsite\\b$|\\badresse (web|internet|du site)\\b', 'fr'],
      [
        '\\bsitio (web|de internet)\\b|\\bpagina (web|de internet)\\b|\\bdireccion (web|de internet)\\b',
        'es',
      ],
      ['\\bsito (web|internet)\\b|\\bindirizzo (web|internet|del sito)\\b', 'it'],
      ['\\bwebadres\\b|\\binternetadres\\b', 'nl'],
      [
        '\\bsite\\b|\\bsitio\\b|\\bpagina (web|da internet|na internet)\\b|\\bendereco (do site|web)\\b',
        'pt',
      ],
      ['\\bstrona (www|internetowa|firmowa)\\b|\\bwitryna\\b|\\badres (www|strony)\\b', 'pl'],
      ['\\bwebbplats\\b|\\bhemsida\\b|\\bwebbsida\\b', 'sv'],
      ['\\bhjemmeside\\b|\\bnettside\\b|\\bnettsted\\b', 'da, no'],
      ['\\bverkkosivu(t|sto)?\\b|\\bkotisivu(t)?\\b|\\bwww sivu(t)?\\b', 'fi'],
      ['\\bweb sitesi\\b|\\binternet sitesi\\b', 'tr'],
      ['саит|веб саит|адрес саита', 'ru'],
      ['ウェフサイト|ホームヘーシ|url', 'ja'],
      ['网站|網站|网址|網址|主页|主頁|官网|官網', 'zh'],
      ['웹사이트|홈페이지|웹 ?주소', 'ko'],
      ['\\bsitus( web)?\\b|\\balamat (web|situs)\\b', 'id'],
      ['\\bवबसइट\\b', 'hi'],
    ],
    attribute: [['\\bweb\\b|\\bsite ?url\\b|\\bhomepage\\b|\\bweb ?url\\b|\\bwebsite', 'en']],
    weak: [['\\bsite\\b|\\bweb\\b|\\blink\\b|\\bdomain( name)?\\b', 'en, fr, pt']],
    not: [
      [SOCIAL, '*'],
      [
        '\\blogo|\\bimage|\\bimg\\b|\\bphoto|\\bpicture|\\bvideo|\\bavatar|\\bicon\\b|\\be ?mail|\\bfeed\\b|\\brss\\b|\\bbooking\\b|\\bmenu\\b|\\breservation|\\bcallback|\\bredirect|\\breturn url|\\bgoogle\\b|\\bmaps?\\b|\\b(web ?site|site) (name|title|language)\\b',
        'en',
      ],
    ],
  },

  facebook_url: {
    text: [
      ['facebook|face book|\\bfb\\b', '*'],
      ['フェイスフック|脸书|臉書|페이스북|феисбук', 'ja, zh, ko, ru'],
    ],
  },
  instagram_url: {
    text: [
      ['instagram|\\binsta\\b|\\big (url|handle|link|profile|account|username)\\b', '*'],
      ['インスタクラム|インスタ|인스타그램|инстаграм', 'ja, ko, ru'],
    ],
    attribute: [['\\big\\b', '*']],
  },
  linkedin_url: {
    text: [
      ['linked ?in', '*'],
      ['リンクトイン|领英|領英|링크드인|линкедин', 'ja, zh, ko, ru'],
    ],
  },
  x_url: {
    text: [
      ['twitter|\\bx (profile|url|link|handle|account|page|username)\\b|\\bx com\\b|formerly twitter', '*'],
      ['ツイッター|推特|트위터|твиттер', 'ja, zh, ko, ru'],
    ],
    weak: [['^x$', '*']],
  },
  youtube_url: {
    text: [
      ['you ?tube|\\byt (channel|url|link)\\b', '*'],
      ['ユーチューフ|油管|유튜브|ютуб', 'ja, zh, ko, ru'],
    ],
  },
  tiktok_url: {
    text: [
      ['tik ?tok', '*'],
      ['ティックトック|抖音|틱톡|тикток', 'ja, zh, ko, ru'],
    ],
  },
  pinterest_url: {
    text: [
      ['pinterest', '*'],
      ['ヒンタレスト|핀터레스트|пинтерест', 'ja, ko, ru'],
    ],
  },

  // ===========================================================================================
  // The contact person
  // ===========================================================================================
  contact_name: {
    text: [
      ['\\bപര\\b', 'ml'],
      [
        '\\bfull ?name\\b|\\byour (full )?name\\b|\\bcontact ?(person|name)\\b|\\bname of (the )?(contact|contact person|person)\\b|\\bperson ?name\\b|\\b(primary|main|business) contact\\b|\\bpoint of contact\\b',
        'en',
      ],
      [
        '\\b(first|given) (name )?(and|&) (last|family|sur) ?name\\b|\\bfirst ?and ?last ?name\\b|\\bname \\(?first (and )?last\\)?',
        'en',
      ],
      [
        '\\b(owner|manager|representative|applicant|submitter|requester|author|customer|client|sender|recipient|proprietor)( s)? (full )?name\\b|\\bauthori[sz]ed (representative|person)\\b',
        'en',
      ],
      [
        '\\bvollstandiger name\\b|\\bvor (und |& )?(nach|zu)name\\b|\\bvorname (und |& )?(nach|zu)name\\b|\\bansprechpartner(in)?\\b|\\bkontaktperson\\b|\\bihr name\\b|\\bname des ansprechpartners\\b|\\binhaber(in)?\\b',
        'de',
      ],
      [
        '\\bnom complet\\b|\\bnom (et |& )?prenom\\b|\\bprenom (et |& )?nom\\b|\\bvotre nom\\b|\\bpersonne (a contacter|de contact)\\b|\\binterlocuteur\\b|\\bnom du contact\\b',
        'fr',
      ],
      [
        '\\bnombre completo\\b|\\bnombres? y apellidos?\\b|\\bsu nombre\\b|\\btu nombre\\b|\\bpersona de contacto\\b|\\bnombre (del|de) contacto\\b|\\bnombre del responsable\\b',
        'es',
      ],
      [
        '\\bnome (e |& )?cognome\\b|\\bcognome (e |& )?nome\\b|\\bnome completo\\b|\\bil tuo nome\\b|\\bsuo nome\\b|\\breferente\\b|\\bpersona di (contatto|riferimento)\\b|\\bnominativo\\b',
        'it',
      ],
      [
        '\\bvolledige naam\\b|\\bvoor (en |& )?achternaam\\b|\\bvoornaam (en |& )?achternaam\\b|\\buw naam\\b|\\bje naam\\b|\\bcontactpersoon\\b',
        'nl',
      ],
      [
        '\\bnome completo\\b|\\bseu nome\\b|\\bnome (e |& )?(sobrenome|apelido)\\b|\\bpessoa de conta(c)?to\\b|\\bnome do (contato|contacto|responsavel)\\b',
        'pt',
      ],
      ['\\bimie (i |& )?nazwisko\\b|\\bosoba kontaktowa\\b', 'pl'],
      ['\\bfullstandigt namn\\b|\\bfor (och |& )?efternamn\\b|\\bkontaktperson\\b|\\bditt namn\\b', 'sv'],
      [
        '\\bfulde navn\\b|\\bfor (og |& )?efternavn\\b|\\bfornavn (og |& )?efternavn\\b|\\bkontaktperson\\b|\\bdit navn\\b',
        'da',
      ],
      [
        '\\bfullt navn\\b|\\bfor (og |& )?etternavn\\b|\\bfornavn (og |& )?etternavn\\b|\\bkontaktperson\\b|\\bditt navn\\b',
        'no',
      ],
      ['\\bkoko nimi\\b|\\byhteyshenkilo\\b|\\bnimesi\\b|\\betu (ja |& )?sukunimi\\b', 'fi'],
      ['\\bad(ı|i|ınız|iniz)? (ve )?soyad|\\bisim soyisim\\b|\\byetkili( kisi)?\\b', 'tr'],
      ['\\bфио\\b|контактное лицо|полное имя|ваше имя|имя (и )?фамилия|фамилия (и )?имя', 'ru'],
      ['氏名|お名前|担当者|代表者名|フルネーム', 'ja'],
      ['姓 ?名|联系人|聯絡人|聯繫人|您的名字|你的名字|负责人', 'zh'],
      ['성명|담당자|대표자 ?명', 'ko'],
      ['\\bnama (lengkap|anda|kontak|penanggung jawab|penerima)\\b|\\bnarahubung\\b', 'id'],
      ['\\bपर नम\\b|\\bआपक नम\\b', 'hi'],
    ],
    attribute: [
      [
        '\\b(full|your|contact|customer|cust|owner|bill|billing|ship|shipping|sender|author|applicant|rep)( )?(full )?name\\b|\\bname ?full\\b|\\bperson ?name\\b',
        'en',
      ],
    ],
    weak: [
      ['^(name|your name|names)$|^(contact|owner)$', 'en'],
      ['^(nom|nombre|nome|naam|navn|namn|nimi|imie|isim)$', 'fr, es, it, pt, nl, da, no, sv, fi, pl, tr'],
      ['^(имя|名前|이름|nama)$', 'ru, ja, ko, id'],
    ],
    not: [
      [
        '\\bcard ?(holder|owner)\\b|\\bname on (the |your )?card\\b|\\b(card|cc|account) ?(holder|owner)( s)? name\\b|\\bbank\\b',
        'en',
      ],
      [
        `\\b(${BUSINESS_NOUN}|user|screen|display|nick|login|account|domain|file|street|city|town|product|event|project|site|app|page|pet|school|property|building|team|group|channel|campaign|reference|maiden)( s)? ?names?\\b|\\bname of (your |the )?(${BUSINESS_NOUN}|bank|street|city|product|event|building)\\b`,
        'en',
      ],
      [
        '\\bkarteninhaber|\\btitulaire|\\btitular|\\bintestatario|\\bkaarthouder|\\bkortinnehav',
        'de, fr, es, it, nl, sv',
      ],
      [
        '\\b(nom|nombre|nome|naam|name) (de |del |der |van |da |do |des |dell |della )?(la |l |el |het |ihres |ihrer |votre |su |tu )?(entreprise|empresa|azienda|bedrijf|firma|societe|negocio|unternehmens|organisatie|loja|usuario|utente|utilisateur|gebruiker|benutzer|titular|ansprechpartners)',
        'de, fr, es, it, nl, pt',
      ],
      [
        '\\bbenutzername|\\bnom d utilisateur|\\bnombre de usuario|\\bnome utente|\\bgebruikersnaam|\\bnome de usuario',
        'de, fr, es, it, nl, pt',
      ],
      // One part of the contact's name ("Contact first name", "Vorname des Ansprechpartners").
      [
        '\\b(contact|contact person|ansprechpartner|kontaktperson|contactpersoon|referente|interlocuteur|persona de contacto)( s)? (first|last|given|family|middle|sur|vor|nach)( )?name\\b|\\b(first|last|given|family|middle) ?name (of )?(the )?(contact|contact person)\\b|\\b(vorname|nachname) (des |der )?(ansprechpartners|ansprechpartnerin|kontaktperson|inhabers)\\b',
        'en, de, nl, it, fr, es',
      ],
      ['フリカナ|ふりかな|カナ|かな', 'ja'],
    ],
  },

  contact_first_name: {
    text: [
      [
        '\\bfirst ?names?\\b|\\bgiven ?names?\\b|\\bfore ?names?\\b|\\bname first\\b|\\bchristian name\\b',
        'en',
      ],
      ['\\bvorname|\\brufname\\b', 'de'],
      ['\\bprenoms?\\b', 'fr'],
      ['\\bnombres?\\b|\\bprimer nombre\\b|\\bnombre de pila\\b', 'es'],
      ['\\bnome proprio\\b|\\bnome di battesimo\\b', 'it'],
      ['\\bvoornaam|\\broepnaam\\b', 'nl'],
      ['\\bprimeiro nome\\b|\\bpre ?nome\\b', 'pt'],
      ['\\bimie\\b', 'pl'],
      ['\\bfornamn\\b|\\btilltalsnamn\\b', 'sv'],
      ['\\bfornavn\\b', 'da, no'],
      ['\\betunimi\\b', 'fi'],
      ['\\b(adı|adınız|adiniz|isim|isminiz|ilk ad)\\b', 'tr'],
      ['\\bимя\\b', 'ru'],
      ['^名$|^名 |名 \\(?名\\)?$|下の名前', 'ja'],
      ['^名$|^名字$', 'zh'],
      ['\\bnama depan\\b', 'id'],
      ['\\bपहल नम\\b', 'hi'],
    ],
    attribute: [
      [
        '\\bf ?name\\b|\\bfirst ?nm?\\b|\\bname ?f(irst)?\\b|\\bfirst\\b$|\\bgiven\\b|\\bfn\\b|\\bforename\\b',
        'en',
      ],
      ['\\bvname\\b|\\bvorname\\b|\\bprenom\\b|\\bnombre\\b|\\bvoornaam\\b', 'de, fr, es, nl'],
    ],
    weak: [['^(nome|이름)$', 'it, pt, ko']],
    not: [
      ['карт', 'ru'],
      [
        '\\b(last|family|sur) ?name|\\bsurname\\b|\\bcard\\b|\\bmiddle\\b|\\b(user|company|business|pet) ?name\\b',
        'en',
      ],
      [
        '\\bnachname|\\bnom de famille\\b|\\bapellidos?\\b|\\bcognome\\b|\\bachternaam|\\bsobrenome\\b|\\bnazwisko\\b|\\befternamn\\b|\\befternavn\\b|\\betternavn\\b|\\bsukunimi\\b|\\bsoyad|фамилия|\\bnama belakang\\b',
        'de, fr, es, it, nl, pt, pl, sv, da, no, fi, tr, ru, id',
      ],
      [
        '\\bnombres? (de|del|completo|comercial|fiscal|legal|social)\\b|\\b(segundo|otro) nombre\\b|\\bsegundo\\b|\\bkarte|\\bcarte\\b|\\btarjeta\\b|\\bcarta\\b|\\bcartao\\b',
        'es, de, fr, it, pt',
      ],
      ['\\b(sirket|firma|isletme|kullanıcı|kullanici|urun|kurum|kart uzerindeki) ad', 'tr'],
      ['имя пользователя|отчество|имя (и )?фамилия|фамилия (и )?имя', 'ru'],
      ['フリカナ|ふりかな|カナ|かな', 'ja'],
      [
        '\\bnombres? y apellidos?\\b|\\bnome (e |& )?cognome\\b|\\bcognome (e |& )?nome\\b|\\bimie (i |& )?nazwisko\\b|\\bprenom (et |& )?nom\\b|\\bnom (et |& )?prenom\\b|\\bnome (e |& )?(sobrenome|apelido)\\b|\\bad(ı|i)? (ve )?soyad',
        'es, it, pl, fr, pt, tr',
      ],
    ],
  },

  contact_last_name: {
    text: [
      ['\\bമറപര\\b', 'ml'],
      ['\\blast ?names?\\b|\\bfamily ?names?\\b|\\bsur ?names?\\b|\\bsurename\\b|\\bname last\\b', 'en'],
      ['\\bnach ?name|\\bfamilienname\\b|\\bzuname\\b', 'de'],
      ['\\bnom de famille\\b|\\bnom d usage\\b', 'fr'],
      ['\\bapellidos?\\b|\\bprimer apellido\\b', 'es'],
      ['\\bcognome\\b', 'it'],
      ['\\bachter ?naam|\\bfamilienaam\\b', 'nl'],
      ['\\bsobrenome\\b|\\bapelidos?\\b|\\bultimo nome\\b', 'pt'],
      ['\\bnazwisko\\b', 'pl'],
      ['\\befternamn\\b', 'sv'],
      ['\\befternavn\\b', 'da'],
      ['\\betternavn\\b', 'no'],
      ['\\bsukunimi\\b', 'fi'],
      ['\\bsoyad(ı|i|ınız|iniz)?\\b|\\bsoyisim\\b', 'tr'],
      ['фамилия', 'ru'],
      ['^姓$|^姓 |苗字', 'ja'],
      ['^姓$|^姓氏$', 'zh'],
      ['^성$|^성씨$', 'ko'],
      ['\\bnama belakang\\b', 'id'],
      ['\\bउपनम\\b|\\bअतम नम\\b', 'hi'],
    ],
    attribute: [
      ['\\bl ?name\\b|\\blast ?n\\b|\\bname ?l(ast)?\\b|\\blast\\b$|\\bsurname|\\bfamily\\b', 'en'],
      ['\\bnname\\b|\\bnachname\\b|\\bnom\\b|\\bapellido\\b|\\bachternaam\\b', 'de, fr, es, nl'],
    ],
    weak: [['^(nom|name)$', 'fr, de']],
    not: [
      ['姓 ?名', 'ja, zh'],
      [
        '\\b(first|given) (name )?(and|&) (last|family|sur)|\\bfirst ?and ?last\\b|\\bcard\\b|\\bmaiden\\b|\\bbirth name\\b|\\bsecond (last ?name|surname)\\b',
        'en',
      ],
      [
        '\\bnombres? y apellidos?\\b|\\bnome (e |& )?cognome\\b|\\bcognome (e |& )?nome\\b|\\bimie (i |& )?nazwisko\\b|\\bvor (und |& )?(nach|zu)name\\b|\\bvorname (und |& )?nachname\\b|\\bprenom (et |& )?nom\\b|\\bnom (et |& )?prenom\\b|\\bvoor (en |& )?achternaam\\b|\\bvoornaam (en |& )?achternaam\\b|\\bnome (e |& )?(sobrenome|apelido)\\b',
        'es, it, pl, de, fr, nl, pt',
      ],
      [
        '\\bfor (och|og|&) (efter|etter)|\\bfornavn (og |& )?(efter|etter)|\\betu (ja |& )?suku|\\bad(ı|i)? (ve )?soyad|\\bgeburtsname|\\bnom de naissance|\\bsegundo apellido|\\bapellido materno',
        'sv, da, no, fi, tr, de, fr, es',
      ],
      ['имя (и )?фамилия|фамилия (и )?имя', 'ru'],
      ['フリカナ|ふりかな|カナ|かな', 'ja'],
    ],
  },

  // ===========================================================================================
  // Email
  // ===========================================================================================
  email: {
    text: [
      ['\\bഇ ?മയല\\b|\\bഇമയൽ\\b', 'ml'],
      ['\\be ?mail|\\bmail\\b|\\bemails?\\b', 'en, de, fr, es, it, nl, pt, pl, sv, da, no, fi, id'],
      ['\\bcourriel\\b|\\badresse electronique\\b', 'fr'],
      ['\\bcorreo( electronico)?\\b', 'es'],
      ['\\bposta elettronica\\b', 'it'],
      ['\\bcorreio eletronico\\b|\\bcorreio electronico\\b|\\bendereco (de )?(e ?mail|eletronico)\\b', 'pt'],
      ['\\bpoczta\\b', 'pl'],
      ['\\be ?post(adress|adresse)?\\b', 'sv, da, no'],
      ['\\bsahkoposti', 'fi'],
      ['\\be ?posta\\b', 'tr'],
      ['почт|\\bemail\\b', 'ru'],
      ['メール', 'ja'],
      ['邮箱|邮件|郵件|电子邮|電子郵|電郵|信箱', 'zh'],
      ['이메일|전자 ?우편', 'ko'],
      ['\\bsurel\\b|\\bsurat elektronik\\b', 'id'],
      ['\\bईमल\\b', 'hi'],
    ],
    attribute: [['\\beml\\b|\\bemail|mail\\b', 'en']],
    not: [
      // The "repeat your email" box (the same lines as email_confirm).
      [`\\b(${CONFIRM_EN})( your| the)?( business| contact)? e ?mail\\b`, 'en'],
      ['\\be ?mail( address)? ?(again|confirm(ation)?|repeat|verification|check|re ?enter)\\b', 'en'],
      [
        '\\be ?mail ?(adresse )?(bestatig|wiederhol|erneut|nochmal)|\\b(bestatig|wiederhol)\\w*( sie)?( ihre| die)? e ?mail',
        'de',
      ],
      [
        '\\bconfirm(er|ez) (l |votre |ton |adresse )*(e ?mail|courriel)|\\bconfirmation (de |d |du )(l |votre |ton |adresse )*(e ?mail|courriel)|^confirmation (e ?mail|courriel)$',
        'fr',
      ],
      [
        '\\b(confirm(ar|e|a)|repet(ir)?|repit(a|e)|verific(ar|a|e))( su| tu| el)? (correo|e ?mail)|\\bconfirmacion (de |del )?(correo|e ?mail)',
        'es',
      ],
      ['\\b(conferma|ripeti|ridigita)\\w* (la |il |tua |l |indirizzo )*e ?mail', 'it'],
      [
        '\\b(bevestig|herhaal)\\w* (je |uw |het )?e ?mail|\\be ?mail(adres)? (bevestigen|herhalen|nogmaals|opnieuw)\\b',
        'nl',
      ],
      [
        '\\b(confirm(ar|e|a)|repit(a|e)|repet(ir|e))( o| seu| a| sua)? e ?mail|\\bconfirmacao (do |de )?e ?mail',
        'pt',
      ],
      ['(подтвердите|повторите|подтверждение).{0,20}(почт|e ?mail)', 'ru'],
      ['メール.{0,10}(確認|再入力)', 'ja'],
      ['(确认|確認|重复|再次).{0,6}(邮箱|邮件|郵件)', 'zh'],
      ['이메일 ?(확인|재입력)', 'ko'],
      // Log-in boxes that take either a user name or an email are the user name's.
      ['\\buser ?name (or )?e ?mail\\b|\\be ?mail (or )?user ?name\\b|\\blogin (or )?e ?mail\\b', 'en'],
      ['\\bbenutzername (oder )?e ?mail|\\bidentifiant (ou )?e ?mail|\\busuario (o )?e ?mail', 'de, fr, es'],
      ['\\b(verification|confirmation|activation|security|otp) code\\b', 'en'],
      [
        '\\be ?mail (marketing|newsletter|updates|notifications?|me|subscription|preferences|opt in)\\b|\\bvoice ?mail\\b|\\bnewsletter|\\bsubscribe',
        'en',
      ],
    ],
  },

  email_confirm: {
    text: [
      [`\\b(${CONFIRM_EN})( your| the)?( business| contact)? e ?mail\\b`, 'en'],
      ['\\be ?mail( address)? ?(again|confirm(ation)?|repeat|verification|check|re ?enter)\\b', 'en'],
      [
        '\\be ?mail ?(adresse )?(bestatig|wiederhol|erneut|nochmal)|\\b(bestatig|wiederhol)\\w*( sie)?( ihre| die)? e ?mail',
        'de',
      ],
      [
        '\\bconfirm(er|ez) (l |votre |ton |adresse )*(e ?mail|courriel)|\\bconfirmation (de |d |du )(l |votre |ton |adresse )*(e ?mail|courriel)|^confirmation (e ?mail|courriel)$|\\b(e ?mail|courriel) (\\w+ )?(confirmation|a nouveau|de nouveau)\\b',
        'fr',
      ],
      [
        '\\b(confirm(ar|e|a)|repet(ir)?|repit(a|e)|verific(ar|a|e))( su| tu| el)? (correo|e ?mail)|\\bconfirmacion (de |del )?(correo|e ?mail)|\\b(correo|e ?mail)( electronico)? (de nuevo|otra vez|nuevamente|confirmacion)\\b',
        'es',
      ],
      [
        '\\b(conferma|ripeti|ridigita)\\w* (la |il |tua |l |indirizzo )*e ?mail|\\be ?mail (di nuovo|conferma|ancora)\\b',
        'it',
      ],
      [
        '\\b(bevestig|herhaal)\\w* (je |uw |het )?e ?mail|\\be ?mail(adres)? (bevestigen|herhalen|nogmaals|opnieuw)\\b',
        'nl',
      ],
      [
        '\\b(confirm(ar|e|a)|repit(a|e)|repet(ir|e))( o| seu| a| sua)? e ?mail|\\bconfirmacao (do |de )?e ?mail|\\be ?mail (novamente|de novo|confirmacao)\\b',
        'pt',
      ],
      ['\\b(potwierdz|powtorz)\\w* (adres )?e ?mail', 'pl'],
      ['\\b(bekrafta|upprepa) (din )?(e ?post|e ?mail)', 'sv'],
      ['\\b(bekræft|gentag) (din )?e ?mail', 'da'],
      ['\\b(bekreft|gjenta) (din )?e ?(post|mail)', 'no'],
      ['\\b(vahvista|toista) sahkoposti|\\bsahkoposti(osoite)? uudelleen\\b', 'fi'],
      ['\\be ?posta( adresi)? (tekrar|onay)|\\be ?posta adresini (tekrar|onayla)', 'tr'],
      [
        '(подтвердите|повторите|подтверждение).{0,20}(почт|e ?mail)|(почт|e ?mail).{0,20}(еще раз|повторно)',
        'ru',
      ],
      ['メール.{0,10}(確認|再入力)|確認用メール', 'ja'],
      ['(确认|確認|重复|再次).{0,6}(邮箱|邮件|郵件)', 'zh'],
      ['이메일 ?(확인|재입력)', 'ko'],
      ['\\b(konfirmasi|ulangi) (alamat )?e ?mail', 'id'],
      ['ईमल.{0,10}पषट', 'hi'],
    ],
    attribute: [
      [
        '\\be ?mail ?(2|conf\\w*|again|repeat|verif\\w*|check|retype|re)\\b|\\b(conf|confirm|cnf|re|verify|repeat|retype|check|c) ?e ?mail\\b|\\bemail ?confirm',
        'en',
      ],
    ],
    not: [
      [
        '\\b(will be|we ll|we will|to be) sen[dt]\\b|\\bsend you\\b|\\byou will receive\\b|\\bpassword\\b',
        'en',
      ],
    ],
  },

  // ===========================================================================================
  // Phone
  // ===========================================================================================
  phone: {
    text: [
      ['\\bമബല\\b|\\bഫൺ\\b', 'ml'],
      [
        'phone(?!me|tic)|\\bmobile( phone| number| no)?\\b|\\bcell( ?phone| number)?\\b|\\bcontact (number|no|tel)\\b|\\btel\\b|\\btel ?(no|nr|num|number)\\b',
        'en',
      ],
      ['\\bwhats ?app\\b', '*'],
      ['\\btoll ?free\\b|\\bland ?line\\b', 'en'],
      [
        '\\btelefon|\\bhandy( ?nummer)?\\b|\\bmobil(nummer|telefon|funk|funknummer)?\\b|\\brufnummer\\b|\\bfestnetz',
        'de',
      ],
      [
        '\\btelephone|\\bportable\\b|\\bnumero de (telephone|portable|mobile|tel)\\b|\\btel (fixe|portable|mobile)\\b',
        'fr',
      ],
      ['\\btelefono|\\bmovil\\b|\\bcelular\\b|\\btelf\\b', 'es'],
      ['\\btelefono|\\bcellulare\\b|\\bcell\\b', 'it'],
      ['\\btelefoon|\\bmobiel\\b|\\bmobiele nummer\\b|\\bgsm\\b', 'nl'],
      ['\\btelefone|\\btelemovel\\b|\\bcelular\\b', 'pt'],
      ['\\btelefon|\\bkomorka\\b|\\bkomorkowy\\b|\\bnr tel\\b|\\bnumer telefonu\\b', 'pl'],
      ['\\btelefon|\\bmobil(nummer)?\\b|\\btlf\\b', 'sv, da, no'],
      ['\\bpuhelin|\\bmatkapuhelin|\\bpuh\\b', 'fi'],
      ['\\btelefon|\\bcep (telefonu|no)\\b|\\bgsm\\b', 'tr'],
      ['телефон|мобильн|\\bтел\\b', 'ru'],
      ['電話|携帯', 'ja'],
      ['电话|電話|手机|手機', 'zh'],
      ['전화|휴대폰|핸드폰|연락처|휴대 ?전화', 'ko'],
      [
        '\\btelepon|\\btelp\\b|\\bponsel\\b|\\b(no|nomor) (hp|handphone|wa|whatsapp)\\b|\\bhandphone\\b',
        'id',
      ],
      ['\\bफन\\b|\\bमबइल\\b|\\bटलफन\\b', 'hi'],
    ],
    attribute: [
      [
        '\\btel(no|num|nr)?\\b|\\bph ?(no|num|number)\\b|\\bphn\\b|\\bmob ?(no|num)?\\b|\\bmsisdn\\b|\\bcontact ?no\\b',
        'en',
      ],
    ],
    not: [
      // A fax box, unless the label offers one number for both ("Phone/Fax").
      [
        '^(?!.*\\b(phone|telephone|tel|telefon\\w*|telefono|telefone|telefoon|mobile)\\b.{0,12}\\b(tele)?fax).*\\b(tele)?fa(x|ks)',
        'en, de, fr, es, it, nl, pt, pl, tr',
      ],
      // Parts of a number, the extension, codes sent to the phone, and things that are not numbers.
      [
        '\\b(country|area|dial(l?ing)?|calling|isd|city) ?code\\b|\\bprefix\\b|\\bexchange\\b|\\bext\\b|\\bextension\\b|\\blocal number\\b|\\bline number\\b|\\b(last|first) (3|4|three|four) digits\\b',
        'en',
      ],
      [
        '\\bvorwahl|\\bdurchwahl\\b|\\bindicatif\\b|\\bposte\\b|\\bprefijo\\b|\\bprefisso\\b|\\binterno\\b|\\bnetnummer\\b|\\btoestel|\\bddd\\b|\\bddi\\b|\\bramal\\b|\\bcodigo de area\\b',
        'de, fr, es, it, nl, pt',
      ],
      [
        '\\b(verification|confirmation|security|sms|text|one time|otp|activation|access) (code|pin)\\b|\\bcode (sent|via sms)\\b|\\botp\\b|\\bpin\\b',
        'en',
      ],
      [
        '\\b(phone|mobile|cell) (type|model|brand|make|app|friendly|site|version|device|carrier|provider|operator)\\b|\\btype of phone\\b|\\bsmart ?phone app\\b',
        'en',
      ],
      [
        '国番号|市外局番|内線|区号|區號|分机|分機|내선|지역 ?번호|국가 ?번호|код (страны|города)|добавочн',
        'ja, zh, ko, ru',
      ],
    ],
  },

  phone_country_code: {
    text: [
      [
        '\\bcountry ?(calling |dial(l?ing)? |phone |tel )?code\\b|\\bdial(l?ing)? ?code\\b|\\bcalling code\\b|\\bisd( code)?\\b|\\bintl (dial(l?ing)? )?code\\b|\\binternational (dial(l?ing)? |calling )?(code|prefix)\\b',
        'en',
      ],
      [
        '\\b(phone|tel|telephone|mobile) ?(country|cc)\\b|\\bcountry.{0,10}\\b(phone|tel|telephone|mobile)\\b',
        'en',
      ],
      [
        '\\blandesvorwahl\\b|\\blandervorwahl\\b|\\blanderkennzahl\\b|\\binternationale vorwahl\\b|\\blandercode\\b',
        'de',
      ],
      ['\\bindicatif( (pays|international|telephonique))?\\b|\\bcode pays\\b', 'fr'],
      [
        '\\bprefijo( (internacional|del pais|pais|telefonico))?\\b|\\bcodigo (de |del )?pais\\b|\\bcodigo internacional\\b',
        'es',
      ],
      ['\\bprefisso (internazionale|del paese|paese|nazionale)\\b|\\bcodice (del )?paese\\b', 'it'],
      ['\\blandcode\\b|\\blandnummer\\b|\\blandkengetal\\b|\\binternationaal (nummer|kengetal)\\b', 'nl'],
      ['\\bcodigo (do |de )?pais\\b|\\bddi\\b|\\bindicativo( do pais| internacional)?\\b', 'pt'],
      ['\\bkod kraju\\b|\\bnumer kierunkowy kraju\\b', 'pl'],
      ['\\blandskod\\b|\\blandsnummer\\b|\\blandekode\\b|\\blandskode\\b', 'sv, da, no'],
      ['\\bmaakoodi\\b|\\bmaatunnus\\b', 'fi'],
      ['\\bulke kodu\\b', 'tr'],
      ['код страны|международныи код', 'ru'],
      ['国番号|国コート', 'ja'],
      ['国家代码|國家代碼|国际区号|國際區號|国家区号|國碼|国码', 'zh'],
      ['국가 ?(번호|코드)|국가번호', 'ko'],
      ['\\bkode negara\\b', 'id'],
    ],
    attribute: [
      [
        '\\b(phone|tel|mobile|ph) ?(cc|country|country ?code|prefix|intl)\\b|\\bccode\\b|\\bdial ?code\\b|\\bisd\\b|\\bcountry ?prefix\\b|\\bintl ?code\\b',
        'en',
      ],
    ],
    not: [
      [
        '\\b(postal|zip|post) code\\b|\\biso\\b|\\bcurrency\\b|\\blanguage\\b|\\bverification\\b|\\bsms\\b',
        'en',
      ],
    ],
  },

  phone_area_code: {
    text: [
      ['\\barea ?code\\b|\\bacode\\b', 'en'],
      ['\\bvorwahl\\b|\\bortsvorwahl\\b|\\bortskennzahl\\b', 'de'],
      ['\\bindicatif (regional|local|de zone|interurbain)\\b', 'fr'],
      [
        '\\bcodigo de area\\b|\\bcod area\\b|\\bcaracteristica\\b|\\blada\\b|\\bprefijo (local|provincial|de area)\\b',
        'es',
      ],
      ['\\bprefisso( (telefonico|locale|distrettuale|teleselettivo))?\\b', 'it'],
      ['\\bnetnummer\\b|\\bkengetal\\b', 'nl'],
      ['\\bddd\\b|\\bindicativo (local|regional)\\b', 'pt'],
      ['\\bnumer kierunkowy\\b', 'pl'],
      ['\\briktnummer\\b|\\bretningsnummer\\b|\\bsuuntanumero\\b', 'sv, da, no, fi'],
      ['\\balan kodu\\b', 'tr'],
      ['код (города|региона|зоны)', 'ru'],
      ['市外局番', 'ja'],
      ['区号|區號|地区代码', 'zh'],
      ['지역 ?번호', 'ko'],
      ['\\bkode area\\b', 'id'],
    ],
    attribute: [
      ['\\b(phone|tel|ph|mobile) ?(area|ac|area ?code)\\b|\\bacode\\b|\\barea ?code\\b|\\bnpa\\b', 'en'],
    ],
    not: [
      [
        '\\binternational|\\binternazional|\\binternacional|\\bcountry\\b|\\bpais\\b|\\bpays\\b|\\bpaese\\b|\\blandes|\\blander|\\bddi\\b|\\bpostal\\b|\\bzip\\b',
        'en, de, fr, es, it, pt',
      ],
    ],
  },

  // The number without its country code, beside a country-code box or select. Mostly found by the
  // second pass (neighbours.ts); these are the forms that say it.
  phone_national: {
    text: [
      ['\\bnational (phone |telephone )?(number|no)\\b|\\bnumber without (the |your )?country code\\b', 'en'],
      ['\\bnationale rufnummer\\b|\\b(ruf)?nummer ohne (landesvorwahl|landerkennung)\\b', 'de'],
      ['\\bnumero national\\b|\\bnumero sans (l )?indicatif (du pays|international)\\b', 'fr'],
      ['\\bnumero nacional\\b|\\bnumero sin (el )?(prefijo|codigo) (del pais|internacional)\\b', 'es, pt'],
      ['\\bnumero nazionale\\b|\\bnumero senza prefisso internazionale\\b', 'it'],
      ['\\bnationaal nummer\\b|\\bnummer zonder landcode\\b', 'nl'],
      ['\\bnumero sem (o )?(codigo do pais|ddi)\\b', 'pt'],
    ],
    attribute: [['\\b(phone|tel) ?national\\b|\\bnational ?(phone|number)\\b', 'en']],
  },
  phone_local: {
    text: [
      [
        '\\blocal (phone |telephone )?(number|no)\\b|\\bnumber without (the )?area code\\b|\\bsubscriber number\\b',
        'en',
      ],
      ['\\bteilnehmernummer\\b|\\brufnummer ohne vorwahl\\b|\\bnummer ohne vorwahl\\b', 'de'],
      ['\\bnumero local\\b|\\bnumero sans indicatif\\b', 'fr, es, pt'],
      ['\\bnumero sin (prefijo|codigo de area)\\b', 'es'],
      ['\\bnumero (senza|escluso) prefisso\\b', 'it'],
      ['\\blokale nummer\\b|\\bnummer zonder netnummer\\b|\\babonneenummer\\b', 'nl'],
      ['\\bnumero sem ddd\\b', 'pt'],
    ],
    attribute: [['\\b(phone|tel|ph|mobile) ?local\\b|\\blocal ?(phone|number|tel|num)\\b', 'en']],
    weak: [['^(number|numero|nummer|numer|nr|no)$', 'en, de, fr, es, it, nl, pt, pl, sv, da, no']],
  },

  phone_prefix: {
    text: [
      ['\\b(middle|second) (three|3) digits\\b|\\bexchange (code|number)\\b|\\bcentral office code\\b', 'en'],
    ],
    attribute: [
      [
        '\\b(phone|tel|ph|mobile|fax|cell)? ?prefix\\b|\\bexchange\\b|\\bnxx\\b|\\b(phone|tel|ph|mobile|cell|day ?phone) ?(2|b|mid|middle)\\b',
        'en',
      ],
    ],
    not: [
      [
        '\\bname\\b|\\btitle\\b|\\bsalut|\\bhonorific|\\bcountry\\b|\\binternational\\b|\\bintl\\b|\\bcurrency\\b|\\b(stock|foreign) exchange\\b|\\bexchange rate\\b',
        'en',
      ],
    ],
  },

  phone_line: {
    text: [['\\b(last|final) (four|4) digits\\b|\\bline number\\b', 'en']],
    attribute: [
      [
        '\\b(phone|tel|ph|mobile|cell|day ?phone) ?(3|c|last|line|suffix|sfx)\\b|\\bsuffix\\b|\\bline ?(no|num|number)\\b',
        'en',
      ],
    ],
    not: [
      [
        '\\bname\\b|\\bcard\\b|\\baddress\\b|\\bjr\\b|\\bsr\\b|\\bssn\\b|\\bsocial security\\b|\\baccount\\b|\\biban\\b',
        'en',
      ],
    ],
  },

  phone_extension: {
    text: [
      ['\\bext(n)?\\b|\\bextension\\b', 'en, es'],
      ['\\bdurchwahl\\b|\\bnebenstelle\\b|\\bapparat\\b', 'de'],
      ['\\bposte\\b', 'fr'],
      ['\\banexo\\b|\\binterno\\b', 'es'],
      ['\\binterno\\b', 'it'],
      ['\\btoestel(nummer)?\\b|\\btoestelnr\\b', 'nl'],
      ['\\bramal\\b', 'pt'],
      ['\\bnumer wewnetrzny\\b|\\bwewn\\b', 'pl'],
      ['\\banknytning(snummer)?\\b|\\blokalnummer\\b', 'sv, da'],
      ['\\bsisanumero\\b', 'fi'],
      ['\\bdahili\\b', 'tr'],
      ['добавочн', 'ru'],
      ['内線', 'ja'],
      ['分机|分機', 'zh'],
      ['내선', 'ko'],
    ],
    attribute: [['\\b(phone|tel|ph) ?ext|\\bext ?(no|num|number)?\\b', 'en']],
    not: [
      [
        '\\bfile\\b|\\bbrowser\\b|\\bdomain\\b|\\bdeadline\\b|\\bextension (request|period|of time|date)\\b|\\bposte (occupe|actuel|souhaite|vise)\\b',
        'en, fr',
      ],
    ],
  },

  fax: {
    text: [
      ['\\b(tele)?fax', 'en, de, fr, es, it, nl, pt, sv, da, no, fi'],
      ['\\bfacsimile\\b|\\bfacsimil\\b', 'en, es'],
      ['\\bfaks\\b', 'pl, tr'],
      ['факс', 'ru'],
      ['ファックス|fax', 'ja'],
      ['传真|傳真', 'zh'],
      ['팩스', 'ko'],
    ],
    not: [
      [
        '\\b(phone|telephone|tel|telefon|telefono|telefone|telefoon|mobile)\\b ?(or |and |und |et |y |e |o |ou |of |oder )?(tele)?fax\\b',
        'en, de, fr, es, it, nl, pt',
      ],
    ],
  },

  // ===========================================================================================
  // Address
  // ===========================================================================================
  address_line: {
    text: [
      ['\\bവലസ\\b', 'ml'],
      [
        '\\bstreet\\b|\\baddress ?(line ?)?(1|one)\\b|\\baddr ?(line ?)?1\\b|\\b(first|1st) (address )?line\\b|\\bline ?1\\b|\\baddress line\\b',
        'en',
      ],
      [
        '\\b(business|company|office|shop|store|street|physical|mailing|postal|billing|shipping|home|work|delivery|location|premises|registered) address\\b|\\baddress (of|for) (your |the )?(business|company|office|premises)\\b',
        'en',
      ],
      [
        '\\bhouse (name|number|no)\\b.{0,20}\\bstreet\\b|\\bnumber and street\\b|\\bstreet and (house )?number\\b',
        'en',
      ],
      [
        '^\\d+[a-z]? [a-z ]+ (st|street|ave|avenue|rd|road|blvd|boulevard|lane|ln|dr|drive|way|ct|court|pl|place|hwy|highway)$',
        'en',
      ],
      [
        '\\bstrasse|\\bstrase\\b|\\bstr (und |& )?(haus)?(nr|nummer)\\b|\\bgeschaftsadresse\\b|\\bfirmenadresse\\b',
        'de',
      ],
      [
        '\\brue\\b|\\bvoie\\b|\\bnumero et (nom de )?(rue|voie)\\b|\\badresse (postale|ligne 1)\\b|\\bligne 1\\b',
        'fr',
      ],
      [
        '\\bcalle\\b|\\bdireccion (linea )?1\\b|\\bdomicilio\\b|\\bdireccion de la empresa\\b|\\bdireccion postal\\b|\\bav(enida)?\\b',
        'es',
      ],
      ['^via\\b|\\bvia (e|e numero|e n|n|numero|civico)\\b|\\bindirizzo (1|riga 1|postale)\\b', 'it'],
      ['\\bstraat|\\badresregel 1\\b', 'nl'],
      ['\\brua\\b|\\blogradouro\\b|\\bendereco (1|linha 1)\\b|\\bmorada( 1)?\\b|\\bavenida\\b', 'pt'],
      ['\\bulica\\b|\\badres (1|linia 1)\\b', 'pl'],
      ['\\bgatuadress\\b|\\bgata\\b|\\badressrad 1\\b|\\bbesoksadress\\b', 'sv'],
      [
        '\\bgadenavn\\b|\\bgade\\b|\\bvej\\b|\\bgateadresse\\b|\\bgatenavn\\b|\\bvejnavn\\b|\\badresselinje 1\\b',
        'da, no',
      ],
      ['\\bkatuosoite\\b|\\bkatu\\b|\\blahiosoite\\b', 'fi'],
      ['\\bsokak\\b|\\bcadde\\b|\\bmahalle\\b', 'tr'],
      ['улица|\\bул\\b', 'ru'],
      ['番地|住所 ?1|町名', 'ja'],
      ['街道|地址 ?1|详细地址|詳細地址', 'zh'],
      ['도로명|주소 ?1|기본 ?주소', 'ko'],
      ['\\bjalan\\b|\\balamat (1|jalan|usaha|bisnis|perusahaan|kantor)\\b', 'id'],
    ],
    attribute: [
      [
        '\\baddr(ess)? ?(line )?1\\b|\\badr ?1\\b|\\baddl ?1\\b|\\bstreet ?(1|address|name|line)?\\b|\\bline ?1\\b|\\baddress ?line\\b|\\baddress ?street\\b|\\b(bill|ship|billing|shipping|home|business|company|mail)address\\b',
        'en',
      ],
    ],
    weak: [
      ['\\baddress\\b|\\baddr\\b', 'en'],
      [
        '\\badresse\\b|\\banschrift\\b|\\bdireccion\\b|\\bindirizzo\\b|\\badres\\b|\\bendereco\\b|\\badress\\b|\\bosoite\\b|\\balamat\\b',
        'de, fr, da, no, es, it, nl, pl, tr, pt, sv, fi, id',
      ],
      ['адрес|住所|地址|주소|\\bपत\\b', 'ru, ja, zh, ko, hi'],
    ],
    not: [
      [
        '\\b(address|adres|adresse|direccion|indirizzo) (title|name|label|nickname|basligi|adi|bezeichnung|nom|nombre|nome)\\b|\\b(identificacao|nome|apelido) (do )?endereco\\b',
        'en, tr, de, fr, es, it',
      ],
      [
        '\\be ?mail|\\bcourriel|\\bcorreo|\\beletronico\\b|\\bip\\b|\\bmac\\b|\\bweb\\b|\\bweb ?(site )?address\\b|\\bwebsite\\b|\\burl\\b|\\binternet\\b|\\bwallet\\b|\\bbitcoin\\b|\\bcrypto|\\bethereum\\b',
        'en, fr, es',
      ],
      [
        '\\b(line|ln|address|addr|adr|addl|street|adresse|direccion|indirizzo|endereco|adres|linea|ligne|riga|zeile|regel|linha) ?(line ?)?(2|3|two|three|ii|iii)\\b|\\b(second|2nd|third|3rd) (address )?line\\b',
        'en, de, fr, es, it, nl, pt, pl',
      ],
      [
        '\\b(apartment|apt|suite|unit|building|floor|c o|care of)\\b|\\badresszusatz|\\bzusatz|\\btoevoeging|\\bcomplement|\\b(city|town|state|province|region|zip|postal|post ?code|postcode|country|county)\\b',
        'en, de, nl, fr, pt, es',
      ],
      [
        '\\baddress (book|lookup|finder|search|label|nickname|name|type|verification|proof|history|changed?)\\b|\\b(find|search|lookup|look up) (your |an |the )?address\\b|\\bsame as\\b|\\bdifferent\\b',
        'en',
      ],
      ['\\bplz\\b|\\bort\\b|\\bstadt\\b|\\bland\\b|\\bstrasse 2\\b', 'de'],
      [
        '^(house ?(number|no|nr)|hausnummer|huisnummer|numero civico|civico|numero)$',
        'en, de, nl, it, es, pt',
      ],
      [
        '\\bville\\b|\\bcode postal\\b|\\bpays\\b|\\bciudad\\b|\\bcodigo postal\\b|\\bpais\\b|\\bcitta\\b|\\bcap\\b|\\bcidade\\b|\\bcep\\b',
        'fr, es, it, pt',
      ],
      ['住所 ?[23]|地址 ?[23]|주소 ?[23]|상세|建物|郵便|邮编|우편', 'ja, zh, ko'],
      ['почт|саит|メール|邮|郵|電郵|网|網|이메일|메일|웹', 'ru, ja, zh, ko'],
    ],
  },

  address_line2: {
    text: [
      [
        '\\baddress ?(line ?)?(2|two|ii)\\b|\\baddr ?(line ?)?2\\b|\\bstreet ?(address ?)?2\\b|\\b(second|2nd) (address )?line\\b|\\bline ?(2|two)\\b',
        'en',
      ],
      [
        '\\b(apartment|apt|suite|ste|unit|flat|floor|building|bldg)( (number|no|nr|name|or suite|suite|unit|etc))?\\b|\\bc o\\b|\\bcare of\\b|\\baddress (continued|cont|supplement|complement|extra|addition|2)\\b|\\badditional address\\b',
        'en',
      ],
      [
        '\\badresszusatz\\b|\\bzusatz\\b|\\b(adresse|adresszeile|anschrift|strasse) 2\\b|\\bwohnung\\b|\\betage\\b|\\bgebaude\\b|\\bz hd\\b|\\bstockwerk\\b|\\berganzende angaben\\b|\\bzusatzinformationen?\\b',
        'de',
      ],
      [
        '\\bcomplement (d adresse)?\\b|\\badresse (2|ligne 2|complementaire|suite)\\b|\\bligne 2\\b|\\bbatiment\\b|\\bappartement\\b|\\bappt\\b|\\betage\\b|\\bescalier\\b|\\bresidence\\b',
        'fr',
      ],
      [
        '\\bdireccion (2|linea 2|adicional|complementaria)\\b|\\blinea 2\\b|\\bpiso\\b|\\bpuerta\\b|\\bdepartamento\\b|\\bdepto\\b|\\bdpto\\b|\\binterior\\b|\\bescalera\\b|\\bapartamento\\b',
        'es',
      ],
      [
        '\\bindirizzo (2|riga 2|aggiuntivo)\\b|\\briga 2\\b|\\bpresso\\b|\\bscala\\b|\\bpiano\\b|\\bedificio\\b|\\binterno\\b',
        'it',
      ],
      [
        '\\btoevoeging\\b|\\bhuisnummer ?toevoeging\\b|\\badresregel 2\\b|\\bt a v\\b|\\btav\\b|\\bverdieping\\b|\\bappartement\\b',
        'nl',
      ],
      [
        '\\bcomplemento\\b|\\bendereco (2|linha 2)\\b|\\blinha 2\\b|\\bapto\\b|\\bapartamento\\b|\\bbloco\\b|\\bandar\\b',
        'pt',
      ],
      ['\\b(nr |numer )?(lokalu|mieszkania)\\b|\\badres (2|linia 2)\\b', 'pl'],
      ['\\blagenhet(snummer)?\\b|\\badressrad 2\\b|\\bvaning\\b|\\bc o adress\\b', 'sv'],
      ['\\blejlighed\\b|\\bleilighet\\b|\\bboligbetegnelse\\b|\\badresselinje 2\\b', 'da, no'],
      ['\\bhuoneisto\\b|\\brappu\\b|\\bosoiterivi 2\\b', 'fi'],
      ['\\bdaire\\b|\\bbina\\b|\\bapartman\\b', 'tr'],
      ['квартира|\\bкв\\b|офис|корпус|строение|подъезд|этаж', 'ru'],
      ['住所 ?2|建物名|建物|マンション名|部屋番号|ヒル名', 'ja'],
      ['地址 ?2|公寓|单元|單元|门牌号|楼层|樓層', 'zh'],
      ['주소 ?2|상세 ?주소|나머지 ?주소', 'ko'],
      ['\\balamat (2|tambahan)\\b', 'id'],
    ],
    attribute: [
      [
        '\\baddr(ess)? ?(line )?2\\b|\\badr ?2\\b|\\baddl ?2\\b|\\bstreet ?2\\b|\\bline ?2\\b|\\bapt\\b|\\bsuite\\b|\\bunit\\b',
        'en',
      ],
    ],
    not: [
      [
        '\\b(line|address|addr|street) ?(line ?)?(3|three|iii)\\b|\\bunit (price|cost|of measure|type|s sold)\\b|\\bflat (rate|fee)\\b|\\bnumber of (rooms|floors|units|buildings|apartments)\\b|\\bbuilding (permit|type|size)\\b|\\be ?mail|\\bip\\b',
        'en',
      ],
      ['\\binterno (telefonico|tel)\\b|\\btelefono|\\bpiano (tariffario|di|abbonamento)\\b', 'it, es'],
    ],
    // "Additional information" under an address is its second line; on its own it could be anything.
    weak: [
      [
        '^(additional (info|information|details)|informacion adicional|informations? complementaires?|zusatzangaben|informazioni aggiuntive|aanvullende informatie|informacao adicional)$',
        'en, es, fr, de, it, nl, pt',
      ],
    ],
  },

  address_line3: {
    text: [
      [
        '\\b(address|addr|adresse|adresszeile|direccion|indirizzo|endereco|adres|adresregel|street|line|linea|ligne|riga|zeile|regel|linha|adresselinje|adressrad) ?(line ?)?(3|three|iii|drei|trois|tres|tre|drie)\\b',
        'en, de, fr, es, it, nl, pt, pl, sv, da, no',
      ],
      ['\\b(third|3rd) (address )?line\\b', 'en'],
      ['住所 ?3|地址 ?3|주소 ?3', 'ja, zh, ko'],
    ],
    attribute: [['\\baddr(ess)? ?(line )?3\\b|\\baddl ?3\\b|\\bline ?3\\b|\\bstreet ?3\\b', 'en']],
    not: [['\\be ?mail|\\bip\\b', 'en']],
  },

  street_address: {
    text: [
      [
        '\\b(full|complete|entire|whole) (street |postal |mailing |business )?address\\b|\\baddress (in full|details)\\b|\\bstreet address\\b',
        'en',
      ],
      ['\\bvollstandige (adresse|anschrift)\\b|\\banschrift\\b', 'de'],
      ['\\badresse (complete|postale)\\b', 'fr'],
      ['\\bdireccion (completa|postal)\\b', 'es'],
      ['\\bindirizzo (completo|postale)\\b', 'it'],
      ['\\bvolledig(e)? adres\\b|\\bpostadres\\b', 'nl'],
      ['\\bendereco completo\\b|\\bmorada completa\\b', 'pt'],
      ['\\bpelny adres\\b|\\badres pocztowy\\b', 'pl'],
      ['\\bfullstandig adress\\b|\\bpostadress\\b', 'sv'],
      ['\\bfulde adresse\\b|\\bfull adresse\\b|\\bpostadresse\\b', 'da, no'],
      ['\\bkoko osoite\\b|\\bpostiosoite\\b', 'fi'],
      ['\\bacık adres\\b|\\bacik adres\\b|\\btam adres\\b', 'tr'],
      ['полныи адрес|почтовыи адрес', 'ru'],
      ['完整地址|通讯地址|通訊地址', 'zh'],
      ['전체 ?주소', 'ko'],
      ['\\balamat lengkap\\b', 'id'],
    ],
    attribute: [
      [
        '\\bstreet ?address\\b|\\bfull ?address\\b|\\baddress ?full\\b|\\bcomplete ?address\\b|\\baddress ?text\\b',
        'en',
      ],
    ],
    weak: [
      ['\\baddress\\b', 'en'],
      [
        '\\badresse\\b|\\banschrift\\b|\\bdireccion\\b|\\bindirizzo\\b|\\badres\\b|\\bendereco\\b|\\bmorada\\b|\\badress\\b|\\bosoite\\b|\\balamat\\b',
        'de, fr, da, no, es, it, nl, pl, tr, pt, sv, fi, id',
      ],
      ['адрес|住所|地址|주소|\\bपत\\b', 'ru, ja, zh, ko, hi'],
    ],
    not: [
      [
        '\\b(address|adres|adresse|direccion|indirizzo) (title|name|label|nickname|basligi|adi|bezeichnung|nom|nombre|nome)\\b|\\b(identificacao|nome|apelido) (do )?endereco\\b',
        'en, tr, de, fr, es, it',
      ],
      [
        '\\be ?mail|\\bcourriel|\\bcorreo|\\beletronico\\b|\\bip\\b|\\bmac\\b|\\bweb\\b|\\bweb ?(site )?address\\b|\\bwebsite\\b|\\burl\\b|\\binternet\\b|\\bwallet\\b',
        'en, fr, es',
      ],
      [
        '\\b(line|address|addr|street|adresse|direccion|indirizzo|endereco|adres) ?(line ?)?(2|3|two|three)\\b|\\baddress (book|lookup|finder|search|label|nickname|name|type|verification|proof)\\b',
        'en, de, fr, es, it, nl, pt',
      ],
      ['почт|саит|メール|邮|郵|電郵|网|網|이메일|메일|웹', 'ru, ja, zh, ko'],
      [
        '\\baddress (city|town|state|province|region|zip|postal|post ?code|postcode|country|county|level)\\b|\\bsame as\\b|\\bdifferent\\b',
        'en',
      ],
    ],
  },

  city: {
    text: [
      ['\\bനഗര\\b', 'ml'],
      [
        '\\bcity\\b|\\b(address|ship|shipping|bill|billing|home|work|cust|customer|mail|business|delivery|contact|your|company|user)city\\b|\\btown\\b|\\bsuburb\\b|\\blocality\\b|\\bmunicipality\\b|\\bvillage\\b',
        'en',
      ],
      ['\\bort\\b|\\bstadt\\b|\\bwohnort\\b|\\bortschaft\\b|\\bgemeinde\\b|\\bfirmensitz\\b', 'de'],
      ['\\bville\\b|\\bcommune\\b|\\blocalite\\b', 'fr'],
      ['\\bciudad\\b|\\blocalidad\\b|\\bpoblacion\\b|\\bmunicipio\\b', 'es'],
      ['\\bcitta\\b|\\bcomune\\b|\\blocalita\\b', 'it'],
      ['\\bplaats\\b|\\bwoonplaats\\b|\\bplaatsnaam\\b|\\bstad\\b|\\bgemeente\\b', 'nl'],
      ['\\bcidade\\b|\\blocalidade\\b|\\bmunicipio\\b|\\bconcelho\\b', 'pt'],
      ['\\bmiasto\\b|\\bmiejscowosc\\b|\\bmiejscowosci\\b', 'pl'],
      ['\\bort\\b|\\bstad\\b|\\bpostort\\b', 'sv'],
      ['^by$|\\bbynavn\\b|\\bpostby\\b|\\bpoststed\\b|\\bsted\\b', 'da, no'],
      ['\\bkaupunki\\b|\\bpostitoimipaikka\\b|\\bkunta\\b|\\bpaikkakunta\\b', 'fi'],
      ['\\bsehir\\b|\\bilce\\b|\\bkent\\b', 'tr'],
      ['город|населенн[^ ]* пункт', 'ru'],
      ['市区町村|市町村|市区郡', 'ja'],
      ['城市|^市$|市区|市區|所在城市|县市|縣市', 'zh'],
      ['도시|시 ?군 ?구|^시$', 'ko'],
      ['\\bkota\\b|\\bkabupaten\\b', 'id'],
      ['शहर', 'hi'],
    ],
    attribute: [
      ['\\bcty\\b|\\btown\\b|\\baddress ?level ?2\\b|\\blocality\\b|\\bort\\b|\\bville\\b', 'en, de, fr'],
    ],
    not: [
      [
        '\\b(city|town|place) of (birth|residence)\\b|\\bbirth ?(city|place|town)\\b|\\bcitizenship\\b|\\b(city|town) (hall|council|tax|limits)\\b',
        'en',
      ],
      [
        '\\bgeburtsort\\b|\\blieu de naissance\\b|\\bville de naissance\\b|\\blugar de nacimiento\\b|\\bciudad de nacimiento\\b|\\bluogo di nascita\\b|\\bcitta di nascita\\b|\\bgeboorteplaats\\b|\\bcidade natal\\b',
        'de, fr, es, it, nl, pt',
      ],
    ],
  },

  region: {
    text: [
      ['\\bസസഥന\\b', 'ml'],
      [
        '\\bstate(s| ?code| ?name| ?province| ?prov)?\\b|\\b(address|ship|shipping|bill|billing|home|cust|customer|business|mail)state\\b|\\bprovince\\b|\\bcounty\\b|\\bregion\\b|\\bprefecture\\b|\\bterritory\\b|\\bemirate\\b',
        'en',
      ],
      ['\\bbundesland\\b|\\bkanton\\b|\\bprovinz\\b|\\bregion\\b', 'de'],
      ['\\bdepartement\\b|\\bregion\\b|\\bprovince\\b|\\betat\\b|\\bcanton\\b', 'fr'],
      ['\\bprovincia\\b|\\bestado\\b|\\bregion\\b|\\bcomunidad autonoma\\b', 'es'],
      ['\\bprovincia\\b|\\bregione\\b|\\bsigla provincia\\b', 'it'],
      ['\\bprovincie\\b|\\bregio\\b|\\bdeelstaat\\b', 'nl'],
      ['\\bestado\\b|\\bprovincia\\b|\\bdistrito\\b|\\bregiao\\b|\\buf\\b', 'pt'],
      ['\\bwojewodztwo\\b', 'pl'],
      ['\\blan\\b|\\blandskap\\b', 'sv'],
      ['\\bfylke\\b|\\bregion\\b', 'da, no'],
      ['\\bmaakunta\\b', 'fi'],
      ['\\bil\\b|\\beyalet\\b|\\bbolge\\b', 'tr'],
      ['область|регион|\\bкраи\\b|республика|штат|провинция', 'ru'],
      ['都道府県|^県$|^州$', 'ja'],
      ['省份|^省|^州$|地区|地區|省市', 'zh'],
      ['시 ?도|^도$|^주$', 'ko'],
      ['\\bprovinsi\\b|\\bnegara bagian\\b', 'id'],
      ['\\bरजय\\b', 'hi'],
    ],
    attribute: [
      [
        '\\bprov\\b|\\baddress ?level ?1\\b|\\badmin ?area\\b|\\bstate ?prov|\\bregion ?code\\b|\\bcnty\\b',
        'en',
      ],
    ],
    not: [
      ['\\bmilitary\\b|\\bapo\\b|\\bfpo\\b', 'en'],
      [
        '\\bunited states\\b|\\bstatement|\\b(state|region|province) of (birth|residence|incorporation|origin)\\b|\\bmarital\\b|\\b(please )?state (your|the|why|how|what|a|any|if|whether|reason)\\b|\\bcountry (or |and |/ )?region\\b|\\bstate (of (the )?art|of mind|machine)\\b|\\bestado civil\\b|\\betat civil\\b',
        'en, es, fr',
      ],
      ['\\bcivil\\b|\\bstatus\\b', 'en'],
    ],
  },

  postal_code: {
    text: [
      ['\\bപന ?കഡ\\b', 'ml'],
      [
        '\\bzip\\b|\\bzip ?(code|postal|4)\\b|\\bzipcode\\b|\\b(address|ship|shipping|bill|billing|home|cust|customer|business|mail)zip\\b|\\bpostal ?code\\b|\\bpostalcode\\b|\\bpost ?code\\b|\\bpostcode\\b|\\bpostal\\b(?! (address|mail|service|box))|\\bpin ?code\\b|\\beircode\\b',
        'en',
      ],
      ['\\bplz\\b|\\bpostleitzahl\\b', 'de'],
      ['\\bcode postal\\b|\\bcp\\b|\\bcdp\\b|\\bnpa\\b', 'fr'],
      ['\\bcodigo postal\\b|\\bc p\\b|\\bcod postal\\b|\\bcp\\b', 'es'],
      ['\\bcap\\b|\\bcodice postale\\b|\\bc a p\\b', 'it'],
      ['\\bpostcode\\b', 'nl'],
      ['\\bcep\\b|\\bcodigo postal\\b|\\bcod postal\\b|\\bc postal\\b', 'pt'],
      ['\\bkod pocztowy\\b', 'pl'],
      ['\\bpostnummer\\b|\\bpostnr\\b', 'sv, da, no'],
      ['\\bpostinumero\\b', 'fi'],
      ['\\bposta kodu\\b', 'tr'],
      ['индекс', 'ru'],
      ['郵便番号', 'ja'],
      ['邮政编码|邮编|郵遞區號|郵政編碼|郵編', 'zh'],
      ['우편 ?번호', 'ko'],
      ['\\bkode pos\\b', 'id'],
      ['\\bपन कड\\b', 'hi'],
    ],
    attribute: [
      [
        '\\bzip|\\bpost ?code|\\bpostal|\\bpcode\\b|\\bpost ?nr\\b|\\baddress ?zip\\b|\\bcp\\b|\\bcep\\b|\\bcap\\b|\\bplz\\b',
        'en, de, fr, es, it, pt',
      ],
    ],
    not: [
      [
        '\\bzip (file|archive|folder)\\b|\\bupload|\\battach|\\bfile\\b|\\b(card|sms|verification|security|otp|access|sim) ?(pin ?)?code\\b|\\bcaptcha\\b|\\bcap (table|rate)\\b',
        'en',
      ],
    ],
  },

  country: {
    text: [
      ['\\bരജയ\\b', 'ml'],
      [
        '\\bcountry\\b|\\bcountries\\b|\\b(address|ship|shipping|bill|billing|home|cust|customer|business|mail)country\\b|\\bcountry ?(name|code|id|iso)\\b',
        'en',
      ],
      ['\\bland\\b|\\bstaat\\b', 'de, nl, sv, da, no'],
      ['\\bulke\\b|\\bulce\\b', 'tr'],
      ['\\bpays\\b', 'fr'],
      ['\\bpais\\b', 'es, pt'],
      ['\\bpaese\\b|\\bnazione\\b', 'it'],
      ['\\bkraj\\b|\\bpanstwo\\b', 'pl'],
      ['\\bmaa\\b', 'fi'],
      ['\\bulke(si)?\\b', 'tr'],
      ['страна', 'ru'],
      ['^国$|国名|^国 ?地域|居住国', 'ja'],
      ['国家|國家', 'zh'],
      ['국가|나라', 'ko'],
      ['\\bnegara\\b', 'id'],
      ['\\bदश\\b', 'hi'],
    ],
    attribute: [['\\bctry\\b|\\bcntry\\b|\\bcountry', 'en']],
    weak: [['\\bstato\\b|\\bnation\\b', 'it, en']],
    not: [
      ['\\bland ?marks?\\b', 'en'],
      [
        '\\bcountry of (birth|origin|citizenship|nationality)\\b|\\bbirth ?country\\b|\\bcitizenship\\b|\\bnationalit|\\bcountry ?(calling|dial(l?ing)?|phone|tel) ?code\\b|\\b(phone|tel|telephone|mobile|dial(l?ing)?|calling) ?(country|code)\\b|\\bcountry ?code (for|of) (your )?(phone|tel|mobile)\\b',
        'en',
      ],
      [
        '\\bland ?line\\b|\\blandesvorwahl\\b|\\bindicatif\\b|\\bprefijo\\b|\\bprefisso\\b|\\bddi\\b|\\bnegara bagian\\b',
        'en, de, fr, es, it, pt, id',
      ],
      ['国番号|入国|出国|国籍', 'ja'],
    ],
  },

  // ===========================================================================================
  // Account and sign-up
  // ===========================================================================================
  new_password: {
    text: [
      [
        '\\b(new|create|choose|set|pick|desired|enter a|select a|make a|set up)( a| your)?( new)? (password|pass ?word|passphrase)\\b',
        'en',
      ],
      [
        '\\bneues (passwort|kennwort)\\b|\\b(passwort|kennwort) (erstellen|festlegen|wahlen|vergeben)\\b|\\bgewunschtes (passwort|kennwort)\\b',
        'de',
      ],
      [
        '\\bnouveau mot de passe\\b|\\b(creer|creez|choisir|choisissez|definir|definissez) (un |votre )?mot de passe\\b',
        'fr',
      ],
      [
        '\\bnueva contrasena\\b|\\b(crear|crea|cree|elige|elija|establecer|establece) (una |tu |su )?contrasena\\b',
        'es',
      ],
      ['\\bnuova password\\b|\\b(crea|scegli|imposta) (una |la )?password\\b', 'it'],
      [
        '\\bnieuw wachtwoord\\b|\\bwachtwoord (aanmaken|kiezen|instellen)\\b|\\bkies (een )?wachtwoord\\b',
        'nl',
      ],
      ['\\bnova senha\\b|\\b(crie|criar|escolha|defina) (uma |sua )?senha\\b', 'pt'],
      ['\\bnowe hasło\\b|\\butworz hasło\\b', 'pl'],
      ['\\bnytt losenord\\b|\\bvalj (ett )?losenord\\b', 'sv'],
      ['\\bny adgangskode\\b|\\bnyt kodeord\\b', 'da'],
      ['\\bnytt passord\\b|\\bvelg (et )?passord\\b', 'no'],
      ['\\buusi salasana\\b', 'fi'],
      ['\\byeni (sifre|parola)\\b', 'tr'],
      ['новыи пароль|придумаите пароль', 'ru'],
      ['新しいハスワート', 'ja'],
      ['新密码|新密碼|设置密码|設定密碼', 'zh'],
      ['새 ?비밀번호', 'ko'],
      ['\\bkata sandi baru\\b|\\bbuat kata sandi\\b', 'id'],
    ],
    attribute: [
      [
        '\\bnew ?(pass|pwd|password|pw)\\b|\\b(pass|pwd|password) ?(new|1|create)\\b|\\bcreate ?(pass|password)\\b|\\b(reg|register|signup|sign ?up) ?(pass|password|pwd)\\b',
        'en',
      ],
    ],
    weak: [
      [
        '\\bpass ?word\\b|\\bpassphrase\\b|\\bpwd\\b|\\bpasswd\\b|\\bpass\\b$|\\bpasswort\\b|\\bkennwort\\b|\\bmot de passe\\b|\\bmdp\\b|\\bcontrasena\\b|\\bsenha\\b|\\bwachtwoord\\b|\\bhasło\\b|\\blosenord\\b|\\badgangskode\\b|\\bkodeord\\b|\\bpassord\\b|\\bsalasana\\b|\\bsifre\\b|\\bparola\\b|\\bkata sandi\\b',
        'en, de, fr, es, it, pt, nl, pl, sv, da, no, fi, tr, id',
      ],
      ['пароль|ハスワート|密码|密碼|비밀번호|패스워드|पसवरड', 'ru, ja, zh, ko, hi'],
    ],
    not: [
      [`\\b(${CONFIRM_EN}|again|confirmation)\\b`, 'en'],
      [
        '\\b(current|old|existing|present|previous)\\b|\\bforgot|\\bbestatig|\\bwiederhol|\\baktuell|\\balt(es)?\\b|\\bconfirm|\\bactuel|\\bancien|\\bactual\\b|\\brepet|\\brepit|\\battuale\\b|\\bvecchia\\b|\\bripeti|\\bherhaal|\\bbevestig|\\bhuidig|\\bnovamente\\b',
        'en, de, fr, es, it, nl, pt',
      ],
      [
        'повтор|подтвер|текущ|確認|再入力|确认|確認|重复|再次|확인|재입력|konfirmasi|ulangi',
        'ru, ja, zh, ko, id',
      ],
    ],
  },

  new_password_confirm: {
    text: [
      [`\\b(${CONFIRM_EN})( your| the)?( new)? (password|pass ?word|passphrase|pwd)\\b`, 'en'],
      [
        '\\b(password|pass ?word)( \\w+)? ?(again|confirm(ation)?|repeat|verification|check|re ?enter|re ?type)\\b',
        'en',
      ],
      [
        '\\b(passwort|kennwort) ?(bestatig\\w*|wiederhol\\w*|erneut|nochmals|noch ?mal)|\\b(bestatig|wiederhol)\\w*( sie)?( ihr| das| ihres| neues)? (passwort|kennwort)|\\bpasswortbestatigung\\b|\\bpasswortwiederholung\\b',
        'de',
      ],
      [
        '\\bconfirm\\w* (du |le |votre |de |nouveau |ton )*mot de passe\\b|\\bmot de passe (\\w+ )?(a nouveau|encore|de nouveau|confirmation)\\b|\\b(ressaisi|retape|resaisi|repete)\\w* (le |votre )?mot de passe\\b',
        'fr',
      ],
      [
        '\\b(confirm|repet|repit|verific)\\w* (la |su |tu |nueva )*contrasena\\b|\\bcontrasena (de nuevo|otra vez|nuevamente|confirmacion)\\b',
        'es',
      ],
      [
        '\\b(conferma|ripeti|ridigita|verifica)\\w* (la |nuova )*password\\b|\\bpassword (di nuovo|conferma|ancora)\\b',
        'it',
      ],
      [
        '\\b(bevestig|herhaal)\\w* (je |uw |het |nieuw )*wachtwoord\\b|\\bwachtwoord (bevestigen|herhalen|nogmaals|opnieuw|bevestiging)\\b',
        'nl',
      ],
      [
        '\\b(confirm|repit|repet|verifiq)\\w* (a |sua |nova )*senha\\b|\\bsenha (novamente|de novo|confirmacao)\\b',
        'pt',
      ],
      ['\\b(potwierdz|powtorz)\\w* hasło\\b', 'pl'],
      ['\\b(bekrafta|upprepa) (ditt )?losenord\\b|\\blosenord igen\\b', 'sv'],
      ['\\b(bekræft|gentag) (din )?(adgangskode|kodeord)\\b', 'da'],
      ['\\b(bekreft|gjenta) (ditt )?passord\\b', 'no'],
      ['\\b(vahvista|toista) salasana\\b|\\bsalasana uudelleen\\b', 'fi'],
      ['\\b(sifre|parola)( [^ ]+)? (tekrar|onay)|\\b(sifreyi|parolayı|parolayi) (tekrar|onayla)', 'tr'],
      ['(подтвердите|повторите|подтверждение).{0,20}парол|парол.{0,20}(еще раз|повторно)', 'ru'],
      ['ハスワート.{0,10}(確認|再入力)|確認用ハスワート', 'ja'],
      ['(确认|確認|重复|再次输入|再次輸入).{0,6}(密码|密碼)|(密码|密碼).{0,4}(确认|確認)', 'zh'],
      ['비밀번호 ?(확인|재입력)|(확인|재입력).{0,6}비밀번호', 'ko'],
      ['\\b(konfirmasi|ulangi) kata sandi\\b', 'id'],
      ['पसवरड.{0,10}पषट', 'hi'],
    ],
    attribute: [
      [
        '\\b(confirm|conf|cnf|verify|repeat|re|retype|again|check|c) ?(new )?(pass|pwd|password|pw)\\b|\\b(pass|pwd|password|pw) ?(2|confirm\\w*|conf|again|repeat|verify|check|retype|re)\\b',
        'en',
      ],
    ],
  },

  current_password: {
    text: [
      [
        '\\b(current|old|existing|present|previous)( account)? (password|pass ?word)\\b|\\b(log ?in|sign ?in) password\\b',
        'en',
      ],
      ['\\b(aktuelles|altes|bisheriges|derzeitiges) (passwort|kennwort)\\b', 'de'],
      ['\\bmot de passe (actuel|ancien)\\b|\\bancien mot de passe\\b', 'fr'],
      ['\\bcontrasena (actual|anterior)\\b|\\bantigua contrasena\\b', 'es'],
      ['\\bpassword (attuale|corrente|vecchia)\\b|\\bvecchia password\\b', 'it'],
      ['\\b(huidig|oud) wachtwoord\\b', 'nl'],
      ['\\bsenha (atual|antiga)\\b', 'pt'],
      ['\\b(obecne|aktualne|stare) hasło\\b', 'pl'],
      ['\\b(nuvarande|gammalt) losenord\\b', 'sv'],
      ['\\b(nuværende|gammel) (adgangskode|kodeord)\\b', 'da'],
      ['\\b(naværende|gammelt) passord\\b', 'no'],
      ['\\b(nykyinen|vanha) salasana\\b', 'fi'],
      ['\\b(mevcut|eski) (sifre|parola)\\b', 'tr'],
      ['текущии пароль|старыи пароль', 'ru'],
      ['現在のハスワート|旧ハスワート', 'ja'],
      ['当前密码|原密码|旧密码|目前密碼|舊密碼', 'zh'],
      ['현재 ?비밀번호|기존 ?비밀번호', 'ko'],
      ['\\bkata sandi (saat ini|lama)\\b', 'id'],
    ],
    attribute: [
      [
        '\\b(current|curr|cur|old|existing|login|signin|log ?in) ?(pass|pwd|password|pw)\\b|\\b(pass|password|pwd) ?(current|old)\\b',
        'en',
      ],
    ],
    weak: [
      [
        '\\bpass ?word\\b|\\bpassphrase\\b|\\bpwd\\b|\\bpasswd\\b|\\bpass\\b$|\\bpasswort\\b|\\bkennwort\\b|\\bmot de passe\\b|\\bmdp\\b|\\bcontrasena\\b|\\bsenha\\b|\\bwachtwoord\\b|\\bhasło\\b|\\blosenord\\b|\\badgangskode\\b|\\bkodeord\\b|\\bpassord\\b|\\bsalasana\\b|\\bsifre\\b|\\bparola\\b|\\bkata sandi\\b',
        'en, de, fr, es, it, pt, nl, pl, sv, da, no, fi, tr, id',
      ],
      ['пароль|ハスワート|密码|密碼|비밀번호|패스워드|पसवरड', 'ru, ja, zh, ko, hi'],
    ],
    not: [
      [`\\b(new|create|choose|${CONFIRM_EN}|again|confirmation)\\b|\\bforgot`, 'en'],
      [
        '\\bneues\\b|\\bnouveau\\b|\\bnueva\\b|\\bnuova\\b|\\bnieuw\\b|\\bnova\\b|\\bnowe\\b|\\bnytt?\\b|\\buusi\\b|\\byeni\\b|\\bbestatig|\\bwiederhol|\\bconfirm|\\brepet|\\brepit|\\bripeti|\\bherhaal|\\bbevestig',
        'de, fr, es, it, nl, pt, pl, sv, da, no, fi, tr',
      ],
      [
        'новыи|повтор|подтвер|新しい|確認|再入力|新密|确认|重复|再次|새 ?비밀번호|확인|재입력',
        'ru, ja, zh, ko',
      ],
    ],
  },

  username: {
    text: [
      [
        '\\buser ?names?\\b|\\buser ?id\\b|\\blog ?in (name|id)\\b|\\bscreen ?name\\b|\\bnick ?name\\b|\\baccount (name|id)\\b|\\bmember (name|id)\\b|^(log ?in|sign ?in)$|^user$',
        'en',
      ],
      ['\\b(user ?name|log ?in) (or|/) e ?mail\\b|\\be ?mail (or|/) user ?name\\b', 'en'],
      [
        '\\bbenutzer ?name|\\bbenutzerkennung\\b|\\bbenutzer ?id\\b|\\banmeldename\\b|\\bnutzername\\b|\\bloginname\\b|^benutzer$',
        'de',
      ],
      ['\\bidentifiant\\b|\\bnom d utilisateur\\b|\\bpseudo(nyme)?\\b', 'fr'],
      ['\\bnombre de usuario\\b|^usuario$|\\busuario o (correo|e ?mail)\\b|\\bapodo\\b', 'es'],
      ['\\bnome utente\\b|^utente$|\\bnickname\\b', 'it'],
      ['\\bgebruikers ?naam\\b|\\bgebruikers ?id\\b|^gebruiker$|\\binlognaam\\b', 'nl'],
      ['\\bnome de (usuario|utilizador)\\b|\\bnome do usuario\\b|^(usuario|utilizador)$', 'pt'],
      ['\\bnazwa uzytkownika\\b|^login$', 'pl'],
      ['\\banvandarnamn\\b|\\bbrugernavn\\b|\\bbrukernavn\\b', 'sv, da, no'],
      ['\\bkayttajatunnus\\b|\\bkayttajanimi\\b', 'fi'],
      ['\\bkullanıcı adı\\b|\\bkullanici adi\\b', 'tr'],
      ['имя пользователя|\\bлогин\\b', 'ru'],
      ['ユーサー名|ユーサーid|ロクインid|アカウント名', 'ja'],
      ['用户名|用戶名|帐号|帳號|账号|賬號|账户名|帳戶名', 'zh'],
      ['아이디|사용자 ?(이름|id|명)', 'ko'],
      ['\\bnama pengguna\\b', 'id'],
      ['उपयगकरत नम', 'hi'],
    ],
    attribute: [
      [
        '\\buser ?(name|id|login)\\b|\\buname\\b|\\blogin\\b|\\busr\\b|\\buid\\b|\\bnick\\b|\\bscreen ?name\\b|\\baccount ?(name|id)\\b|\\bu ?name\\b',
        'en',
      ],
    ],
    not: [[`${SOCIAL}|\\b(your|our|the) (business|company)\\b|\\bfull name\\b`, '*']],
  },

  // ===========================================================================================
  // Never filled
  // ===========================================================================================
  credit_card: {
    text: [
      [
        '\\b(credit|debit|payment|bank)? ?card ?(number|no|num|nr|details|holder|owner|name|type|expir\\w*|exp|verification|security|code|cvv|cvc|pin)\\b|\\bcardholder\\b|\\bname on (the )?card\\b|\\bnameoncard\\b',
        'en',
      ],
      ['\\b(cvv2?|cvc2?|cvn|csc|cvd|ccv|cid)\\b', '*'],
      ['карт[аыуео]|владел\\w* карт', 'ru'],
      [
        '\\bname (auf der|der) karte\\b|\\bnom (sur|de) (la )?carte\\b|\\bnombre (de|en) (la )?tarjeta\\b|\\bnome (sulla|della) carta\\b|\\bnaam (op|van) (de )?kaart\\b|\\bnome (no|do) cartao\\b',
        'de, fr, es, it, nl, pt',
      ],
      [
        '\\bcc ?(number|num|no|name|exp\\w*|cvv|cvc|type)\\b|\\bsecurity code\\b|\\bcard (verification|security|identification) (code|number|value)\\b|\\b(credit|debit) ?card\\b',
        'en',
      ],
      [
        '\\bexpir(y|ation|es|ation date)\\b|\\bexp (date|month|year|mm|yy)\\b|\\bvalid (thru|through|until|till|to)\\b|\\b(mm|mo) ?(yy|yyyy|aa|jj)\\b|\\bmmyy\\b',
        'en, es, de',
      ],
      [
        '\\bkarten ?(nummer|nr|inhaber|prufnummer|prufziffer)\\b|\\bkartennummer\\b|\\bkarteninhaber\\b|\\bkreditkarte|\\bgultig (bis|bis zum)\\b|\\bablaufdatum\\b|\\bprufnummer\\b|\\bkk ?nr\\b',
        'de',
      ],
      [
        '\\bnumero de (la )?carte\\b|\\bcarte (bancaire|de credit|bleue)\\b|\\btitulaire\\b|\\bdate d (expiration|echeance)\\b|\\bcryptogramme\\b|\\bcode de securite\\b|\\bdate de validite\\b',
        'fr',
      ],
      [
        '\\bnumero de (la )?tarjeta\\b|\\btarjeta de (credito|debito)\\b|\\btitular de (la )?tarjeta\\b|^titular$|\\bnombre del titular\\b|\\bfecha de (vencimiento|caducidad|expiracion)\\b|\\bcodigo de seguridad\\b|\\bvencimiento\\b|\\bcaducidad\\b',
        'es',
      ],
      [
        '\\bnumero (della )?carta\\b|\\bcarta di (credito|debito)\\b|\\bintestatario( della carta)?\\b|\\btitolare (della )?carta\\b|\\bscadenza\\b|\\bcodice di sicurezza\\b',
        'it',
      ],
      ['\\bkaartnummer\\b|\\bcreditcard\\b|\\bkaarthouder\\b|\\bvervaldatum\\b|\\bgeldig tot\\b', 'nl'],
      [
        '\\bnumero do cartao\\b|\\bcartao de (credito|debito)\\b|\\btitular do cartao\\b|\\bnome (impresso )?no cartao\\b|\\bvalidade\\b|\\bcodigo de seguranca\\b',
        'pt',
      ],
      [
        '\\bnumer karty\\b|\\bkarta kredytowa\\b|\\bwłasciciel karty\\b|\\bdata waznosci\\b|\\bwazna do\\b',
        'pl',
      ],
      [
        '\\bkortnummer\\b|\\bkortinnehavare\\b|\\bkortholder\\b|\\bkortinnehaver\\b|\\bgiltig till\\b|\\budløbsdato\\b|\\butløpsdato\\b',
        'sv, da, no',
      ],
      ['\\bkortin numero\\b|\\bkortinhaltija\\b|\\bvoimassa\\b', 'fi'],
      ['\\bkart (numarası|numarasi|sahibi)\\b|\\bkredi kartı\\b|\\bkredi karti\\b|\\bson kullanma\\b', 'tr'],
      ['номер карты|владелец карты|срок деиствия|имя на карте', 'ru'],
      ['カート番号|有効期限|カート名義|セキュリティコート', 'ja'],
      ['卡号|卡號|信用卡|持卡人|有效期|安全码|安全碼', 'zh'],
      ['카드', 'ko'],
      ['\\bnomor kartu\\b|\\bnama (di|pada) kartu\\b|\\bmasa berlaku\\b|\\bpemegang kartu\\b', 'id'],
    ],
    attribute: [
      [
        '\\bcc ?(num|number|no|name|exp\\w*|cvv|cvc|type|month|year|mm|yy|yyyy|csc)\\b|\\bcard ?(num|number|no|holder|name|exp\\w*|cvv|cvc|type|month|year|code|pin)\\b|\\bcvv|\\bcvc|\\bexp ?(month|year|date|mm|yy|mo|yr)\\b|\\bcreditcard|\\bcardnumber|\\bcardholder|\\bkk ?(nr|nummer|inhaber)\\b',
        'en, de',
      ],
    ],
    not: [
      [
        '\\b(id|identity|loyalty|membership|library|health|insurance|student|gift|business|sim|memory|greeting|report|score|post|sd|key|access|member|customer|club|reward|bonus|payback|discount|recipe|wild) ?cards?\\b|\\bcard ?(game|title)\\b',
        'en',
      ],
      [
        '\\bdd mm\\b|\\bbirth|\\bgeburt|\\bnaissance|\\bnacimiento|\\bnascita|\\bdomain\\b|\\blisting\\b|\\bpassport\\b|\\bdocument|\\blicen[cs]e|\\bsubscription\\b|\\bmembership\\b|\\boffer\\b|\\bcoupon\\b|\\bpromo',
        'en, de, fr, es, it',
      ],
      ['\\btitulaire du compte\\b|\\b(captcha|image|robot)\\b|\\bcharacters\\b', 'fr, en'],
    ],
  },

  coupon: {
    text: [
      [
        '\\bcoupon|\\bpromo(tion(al)?)? ?(code)?\\b|\\bpromocode\\b|\\bvoucher|\\bgift ?(card|cert(ificate)?)s?\\b|\\bdiscount ?(code|coupon)\\b|\\breferral code\\b|\\bredeem|\\bredemption code\\b|\\boffer code\\b',
        'en',
      ],
      ['\\bgutschein|\\brabatt ?code\\b|\\brabattcode\\b|\\baktionscode\\b|\\bgeschenkkarte\\b', 'de'],
      [
        '\\bcode (promo|promotionnel|de reduction|avantage|cadeau)\\b|\\bbon de reduction\\b|\\bcarte cadeau\\b',
        'fr',
      ],
      [
        '\\bcupon\\b|\\bcodigo (promocional|de descuento|de promocion|de regalo)\\b|\\bvale de descuento\\b|\\btarjeta regalo\\b',
        'es',
      ],
      ['\\bcodice (sconto|promozionale|promo|coupon)\\b|\\bbuono( sconto)?\\b|\\bcarta regalo\\b', 'it'],
      ['\\bkortingscode\\b|\\bkortingsbon\\b|\\bcadeaubon\\b|\\bactiecode\\b|\\bwaardebon\\b', 'nl'],
      [
        '\\bcupom\\b|\\bcupao\\b|\\bcodigo (promocional|de desconto)\\b|\\bvale (presente|desconto)\\b|\\bcartao presente\\b',
        'pt',
      ],
      ['\\bkod (rabatowy|promocyjny)\\b|\\bkupon\\b', 'pl'],
      [
        '\\brabattkod\\b|\\bpresentkort\\b|\\bkampanjkod\\b|\\brabatkode\\b|\\brabattkode\\b|\\bgavekort\\b|\\bkampagnekode\\b|\\bkampanjekode\\b',
        'sv, da, no',
      ],
      ['\\balennuskoodi\\b|\\blahjakortti\\b|\\bkampanjakoodi\\b', 'fi'],
      ['\\bkupon\\b|\\bindirim kodu\\b|\\bhediye (ceki|karti|kartı)\\b', 'tr'],
      ['промокод|купон|код скидки|подарочн', 'ru'],
      ['クーホン|フロモーションコート|割引コート|キフト', 'ja'],
      ['优惠码|優惠碼|优惠券|優惠券|折扣码|折扣碼|兑换码|兌換碼|礼品卡|禮品卡', 'zh'],
      ['쿠폰|할인 ?코드|프로모션 ?코드|상품권', 'ko'],
      ['\\bkode (promo|voucher|kupon|diskon)\\b|\\bkupon\\b', 'id'],
    ],
    attribute: [
      [
        '\\bcoupon|\\bpromo|\\bvoucher|\\bdiscount ?code|\\bgift ?card|\\bgift ?cert|\\bredeem|\\brabatt|\\bgutschein',
        'en, de',
      ],
    ],
    not: [['\\bpromot(e|ing)\\b|\\bpromotion(al)? (text|message|description|image|video)\\b', 'en']],
  },

  one_time_code: {
    text: [
      [
        '\\b(one ?time|single ?use) (pass ?code|code|password|pin)\\b|\\botp\\b|\\b(verification|confirmation|activation|authentication|auth|access|login|security) code (sent|we sent|from|received)\\b|\\b(verification|confirmation|activation|authentication|auth|access) code\\b|\\b(sms|text|e ?mail) ?(code|verification code)\\b|\\b2fa\\b|\\btwo ?factor\\b|\\bmfa\\b|\\bpasscode\\b|^pin$|\\bpin (number|sent)\\b|\\benter (the |your )?pin\\b',
        'en',
      ],
      [
        '\\bbestatigungscode\\b|\\bverifizierungscode\\b|\\beinmal(passwort|code|kennwort)\\b|\\bsms ?code\\b|\\btan\\b|\\bfreischaltcode\\b|\\baktivierungscode\\b',
        'de',
      ],
      [
        '\\bcode (de verification|de confirmation|sms|a usage unique|unique|d activation|recu)\\b|\\bmot de passe a usage unique\\b',
        'fr',
      ],
      ['\\bcodigo (de verificacion|de confirmacion|sms|de un solo uso|de activacion|recibido)\\b', 'es'],
      ['\\bcodice (di verifica|di conferma|sms|otp|monouso|di attivazione)\\b', 'it'],
      ['\\b(verificatie|bevestigings|activerings|sms)code\\b|\\beenmalige code\\b', 'nl'],
      ['\\bcodigo (de verificacao|de confirmacao|sms|de ativacao|de uso unico)\\b', 'pt'],
      ['\\bkod (weryfikacyjny|sms|potwierdzajacy|jednorazowy)\\b', 'pl'],
      [
        '\\bverifieringskod\\b|\\bengangskod\\b|\\bbekraftelsekod\\b|\\bengangskode\\b|\\bbekræftelseskode\\b|\\bbekreftelseskode\\b|\\bverifikationskode\\b',
        'sv, da, no',
      ],
      ['\\bvahvistuskoodi\\b|\\bkertakayttokoodi\\b', 'fi'],
      ['\\bdogrulama kodu\\b|\\bonay kodu\\b|\\btek kullanımlık\\b', 'tr'],
      ['код подтверждения|одноразов|код из смс|смс код|sms код', 'ru'],
      ['認証コート|確認コート|ワンタイムハスワート|認証番号', 'ja'],
      ['验证码|驗證碼|动态码|動態碼|校验码|校驗碼', 'zh'],
      ['인증 ?번호|인증 ?코드|확인 ?코드', 'ko'],
      ['\\bkode (verifikasi|otp|konfirmasi)\\b', 'id'],
      ['\\bओटप\\b|सतयपन कड', 'hi'],
    ],
    attribute: [
      [
        '\\botp\\b|\\bone ?time ?(code|password|pin)\\b|\\bverif(y|ication)? ?code\\b|\\bsms ?code\\b|\\bmfa\\b|\\b2fa\\b|\\btotp\\b|\\bauth ?code\\b|\\bpasscode\\b|\\bpin\\b',
        'en',
      ],
    ],
    not: [
      [
        '\\bcaptcha|\\bimage\\b|\\bpicture\\b|\\bcharacters\\b|\\bcard\\b|\\bpostal\\b|\\bzip\\b|\\bpin ?code\\b(?!.{0,20}(sms|sent|verif))|\\brobot\\b',
        'en',
      ],
    ],
  },

  search: {
    text: [
      [
        '\\bsearch\\b|\\bsearch (for|by|here|terms?|query)\\b|\\bkeyword search\\b|\\bsite search\\b|\\bquery\\b|\\bqry\\b',
        'en',
      ],
      ['\\bsuche\\b|\\bsuchen\\b|\\bdurchsuchen\\b|\\bsuchbegriff eingeben\\b', 'de'],
      ['\\brecherche(r)?\\b|\\bchercher\\b', 'fr'],
      ['\\bbuscar\\b|\\bbusqueda\\b|\\bbusca\\b', 'es, pt'],
      ['\\bcerca\\b|\\bricerca\\b', 'it'],
      ['\\bzoeken\\b|\\bzoek\\b|\\bzoekterm\\b', 'nl'],
      ['\\bpesquisar\\b|\\bpesquisa\\b', 'pt'],
      ['\\bszukaj\\b|\\bwyszukaj\\b|\\bwyszukiwanie\\b', 'pl'],
      ['\\bsok\\b|\\bsøg\\b|\\bsøk\\b', 'sv, da, no'],
      ['\\bhae\\b|\\bhaku\\b|\\betsi\\b', 'fi'],
      ['\\barama\\b|\\bara\\b', 'tr'],
      ['поиск|искать|наити', 'ru'],
      ['検索|探す', 'ja'],
      ['搜索|搜尋|查找', 'zh'],
      ['검색', 'ko'],
      ['\\bcari\\b|\\bpencarian\\b', 'id'],
      ['\\bखज\\b', 'hi'],
    ],
    attribute: [['^(q|s|k|kw|term|search ?term|search ?query)$|\\bsearch|\\bsrch\\b|\\bquery\\b', 'en']],
    not: [
      [
        '\\bkeywords\\b|\\bcomma|\\btags\\b|\\bsearch (terms|phrases) (for|that|to)\\b|\\bsearch engine|\\bseo\\b|\\b(how|where) did you (find|hear)\\b|\\bsearch (radius|area)\\b',
        'en',
      ],
    ],
  },

  captcha: {
    text: [
      ['captcha|\\brecaptcha\\b|\\bhcaptcha\\b|\\bturnstile\\b', '*'],
      ['確認碼|确认码|驗證碼|檢查碼|画像認証', 'zh, ja'],
      [
        '\\b(i m|i am) not a robot\\b|\\bnot a robot\\b|\\bare you (a )?human\\b|\\bhuman (verification|check|test)\\b|\\bspam (check|protection|question|filter|prevention)\\b|\\banti ?spam\\b|\\bsecurity question\\b',
        'en',
      ],
      [
        '\\b(type|enter) (in )?the (characters|letters|text|code|word|words|numbers?) (you see|shown|displayed|in the (image|picture|box)|above|below)\\b|\\b(characters|letters|code|text) (shown|displayed|in the (image|picture)|you see)\\b|\\bverification (word|image)\\b|\\bimage verification\\b|\\bsecurity image\\b|\\bsecurity code (shown|in the image|above|below)\\b|^enter the code$',
        'en',
      ],
      [
        '\\bwhat is \\d+ (plus |minus |times |x |\\+ |- )?\\d+\\b|\\b\\d+ (plus|minus|times) \\d+\\b|\\bhow much is \\d+|\\bsolve\\b|\\bmath (question|problem)\\b|\\bsum of\\b',
        'en',
      ],
      [
        '\\bsicherheitsabfrage\\b|\\bspamschutz\\b|\\bspam schutz\\b|\\bzeichen (im bild|eingeben)\\b|\\bich bin kein roboter\\b|\\brechenaufgabe\\b|\\bwie ?viel ist\\b|\\bsicherheitsfrage\\b',
        'de',
      ],
      [
        '\\bje ne suis pas un robot\\b|\\bcaracteres (ci dessus|affiches|de l image)\\b|\\bantispam\\b|\\bcombien (font|fait)\\b|\\bquestion de securite\\b',
        'fr',
      ],
      [
        '\\bno soy un robot\\b|\\bcaracteres (de la imagen|que ves)\\b|\\bcodigo de la imagen\\b|\\bcuanto es\\b|\\bpregunta de seguridad\\b',
        'es',
      ],
      [
        '\\bnon sono un robot\\b|\\bcodice (dell |nell )immagine\\b|\\bcaratteri (dell |nell )immagine\\b|\\bquanto fa\\b|\\bdomanda di sicurezza\\b',
        'it',
      ],
      [
        '\\bik ben geen robot\\b|\\bbeveiligingscode\\b|\\bbeveiligingsvraag\\b|\\bhoeveel is\\b|\\bspamcontrole\\b|\\bspambeveiliging\\b',
        'nl',
      ],
      [
        '\\bnao sou um robo\\b|\\bcodigo da imagem\\b|\\bcaracteres da imagem\\b|\\bquanto e\\b|\\bpergunta de seguranca\\b',
        'pt',
      ],
      ['\\bnie jestem robotem\\b|\\bkod z obrazka\\b|\\bprzepisz kod\\b|\\bile to\\b', 'pl'],
      ['\\bjag ar inte en robot\\b|\\bjeg er ikke en robot\\b|\\ben ole robotti\\b', 'sv, da, no, fi'],
      ['\\bben robot degilim\\b|\\bguvenlik kodu\\b', 'tr'],
      ['я не робот|защитныи код|код с картинки|символы с картинки|капча', 'ru'],
      ['画像認証|キャフチャ|ロホットてはありません', 'ja'],
      ['图形验证码|圖形驗證碼|图片验证|人机验证|我不是机器人', 'zh'],
      ['자동입력 ?방지|보안 ?문자|로봇이 아닙니다|캡차', 'ko'],
      ['\\bsaya bukan robot\\b|\\bkode keamanan\\b', 'id'],
      ['\\bकपच\\b', 'hi'],
    ],
    attribute: [
      [
        'captcha|\\bg recaptcha\\b|\\bh captcha\\b|\\bcf turnstile\\b|\\bspam ?(check|question|protection|answer)\\b|\\bhuman ?(check|verification)\\b|\\bvcode\\b|\\bimg ?code\\b|\\bmath ?(answer|question|captcha)\\b|\\banti ?spam\\b',
        'en',
      ],
    ],
    not: [['\\bsms\\b|\\bsent to\\b|\\bwe sent\\b|\\btext message\\b', 'en']],
  },

  honeypot: {
    text: [
      [
        '\\bleave (this )?(field |box )?(blank|empty)\\b|\\b(do not|don t|dont) (fill|change|enter|type|complete|touch)\\b|\\bif you are (a )?human\\b|\\bhumans? (should|leave)\\b|\\bonly for (bots|robots|spam)\\b|\\bfor bots\\b|\\bbots only\\b|\\bhoney ?pot\\b',
        'en',
      ],
      ['\\bleer lassen\\b|\\bnicht ausfullen\\b|\\bnicht (ausgefullt|verandern)\\b', 'de'],
      ['\\bne pas (remplir|completer|modifier)\\b|\\blaisse[rz]? (ce champ )?vide\\b', 'fr'],
      ['\\bno (rellenar|llenar|completar)\\b|\\bdeja(r)? (este campo )?(en blanco|vacio)\\b', 'es'],
      ['\\bnon (compilare|riempire)\\b|\\blasciare vuoto\\b|\\blascia vuoto\\b', 'it'],
      ['\\bniet (invullen|wijzigen)\\b|\\bleeg laten\\b|\\blaat (dit veld )?leeg\\b', 'nl'],
      ['\\bnao (preencha|preencher)\\b|\\bdeixe (em branco|vazio)\\b', 'pt'],
      ['\\bnie wypełniaj\\b|\\bnie wypelniaj\\b|\\bzostaw puste\\b', 'pl'],
      [
        '\\blamna tomt\\b|\\bfyll inte i\\b|\\blad være tomt\\b|\\bla være tomt\\b|\\bjata tyhjaksi\\b',
        'sv, da, no, fi',
      ],
      ['\\bbos bırakın\\b|\\bbos birakin\\b|\\bdoldurmayın\\b', 'tr'],
      ['не заполняите|оставьте пустым', 'ru'],
      ['入力しないて|空欄のまま', 'ja'],
      ['请勿填写|請勿填寫|留空', 'zh'],
      ['비워 ?두|입력하지 ?마', 'ko'],
      ['\\bjangan diisi\\b|\\bbiarkan kosong\\b', 'id'],
    ],
    attribute: [
      [
        '\\bhoney ?pot|^hp$|\\bhp (field|check|trap|input|test|bot|email|name|website|url|textarea)\\b|\\bgotcha\\b|\\bbot ?(check|field|trap|test|catcher)\\b|\\bspam ?trap\\b|\\bno ?spam\\b|\\banti ?bot\\b|\\bnobot\\b',
        'en',
      ],
    ],
  },

  name_middle: {
    text: [
      ['\\bmiddle ?(name|initial)s?\\b|^m ?i$|\\bmiddle\\b$|\\badditional (first )?names?\\b', 'en'],
      ['\\bzweiter vorname\\b|\\bweitere vornamen\\b', 'de'],
      ['\\b(deuxieme|second|autres?) prenoms?\\b', 'fr'],
      ['\\bsegundo nombre\\b', 'es'],
      ['\\bsecondo nome\\b', 'it'],
      ['\\btussenvoegsel\\b|\\btweede voornaam\\b', 'nl'],
      ['\\bnome do meio\\b', 'pt'],
      ['\\bdrugie imie\\b', 'pl'],
      ['\\bmellannamn\\b|\\bmellemnavn\\b|\\bmellomnavn\\b', 'sv, da, no'],
      ['\\btoinen nimi\\b|\\bmuut etunimet\\b', 'fi'],
      ['\\bikinci ad(ı|i)?\\b', 'tr'],
      ['отчество', 'ru'],
      ['ミトルネーム', 'ja'],
      ['중간 ?이름', 'ko'],
      ['\\bnama tengah\\b', 'id'],
    ],
    attribute: [
      ['\\bm ?name\\b|\\bmiddle|\\bmid ?name\\b|^mi$|\\bmiddle ?(i|in|init)\\b|\\badditional ?name\\b', 'en'],
    ],
  },

  name_prefix: {
    text: [
      [
        '\\bname ?prefix\\b|\\bhonorific( prefix| title)?\\b|\\bsalutation\\b|\\btitle \\(?(mr|mrs|ms|dr)\\b|\\bmr (mrs|ms|miss)\\b|\\bmrs ms\\b|\\bform of address\\b|\\bcourtesy title\\b',
        'en',
      ],
      ['\\banrede\\b|\\b(herr|frau) (frau|herr)\\b', 'de'],
      ['\\bcivilite\\b|\\bmadame monsieur\\b|\\bmonsieur madame\\b|\\bm mme\\b|\\bmme m\\b', 'fr'],
      ['\\btratamiento\\b|\\bencabezamiento\\b|\\bsr sra\\b', 'es'],
      ['\\bappellativo\\b|\\btitolo (di cortesia|onorifico)\\b|\\bsig sig ra\\b', 'it'],
      ['\\baanhef\\b|\\bdhr mevr\\b', 'nl'],
      ['\\btratamento\\b|\\bsaudacao\\b', 'pt'],
      ['\\bzwrot grzecznosciowy\\b', 'pl'],
      ['\\bhitap\\b', 'tr'],
      ['обращение', 'ru'],
      ['敬称', 'ja'],
      ['称谓|稱謂|称呼|稱呼', 'zh'],
      ['호칭', 'ko'],
      ['\\bsapaan\\b|\\bgelar\\b', 'id'],
    ],
    attribute: [['\\bname ?prefix\\b|\\bprefix ?name\\b|\\bsalut|\\bhonou?rific\\b|\\bname ?title\\b', 'en']],
    weak: [['^(title|titel|titre|titulo|titolo)$', 'en, de, nl, fr, es, pt, it']],
    not: [
      [
        '\\b(job|listing|business|page|product|event|post|article|position|ad|website|site|meta|seo|company|book|project|video) title\\b|\\btitle of (the |your )?(listing|business|ad|page|post|event)\\b|\\bphone\\b',
        'en',
      ],
    ],
  },

  birth_date: {
    text: [
      [
        '\\bbirth ?(day|date|month|year)\\b|\\bbirthdate\\b|\\bdate of birth\\b|\\b(day|month|year) of birth\\b|\\bdob\\b|\\bd o b\\b|\\bborn (on|in)\\b',
        'en',
      ],
      ['\\bgeburts(datum|tag|jahr|monat)\\b', 'de'],
      [
        '\\bdate de naissance\\b|\\b(jour|mois|annee) de naissance\\b|\\bnaissance\\b|\\banniversaire\\b',
        'fr',
      ],
      ['\\bfecha de nacimiento\\b|\\bnacimiento\\b|\\bcumpleanos\\b', 'es'],
      ['\\bdata di nascita\\b|\\bnascita\\b|\\bcompleanno\\b', 'it'],
      ['\\bgeboortedatum\\b|\\bgeboorte(dag|jaar|maand)?\\b|\\bverjaardag\\b', 'nl'],
      ['\\bdata de nascimento\\b|\\bnascimento\\b|\\baniversario\\b', 'pt'],
      ['\\bdata urodzenia\\b|\\burodzin\\b|\\burodzenia\\b', 'pl'],
      ['\\bfodelsedatum\\b|\\bfodelsedag\\b|\\bfødselsdato\\b|\\bfødselsdag\\b', 'sv, da, no'],
      ['\\bsyntymaaika\\b|\\bsyntymapaiva\\b', 'fi'],
      ['\\bdogum (tarihi|gunu|yılı|yili)\\b', 'tr'],
      ['дата рождения|день рождения|рождения', 'ru'],
      ['生年月日|誕生日', 'ja'],
      ['出生日期|生日|出生年月', 'zh'],
      ['생년월일|생일', 'ko'],
      ['\\btanggal lahir\\b|\\bhari lahir\\b|\\btgl lahir\\b', 'id'],
      ['\\bजनम तथ\\b|\\bजनमतथ\\b', 'hi'],
    ],
    attribute: [
      ['\\bdob\\b|\\bbirth|\\bbday\\b|\\bb ?date\\b|\\bdate ?of ?birth\\b|\\bgeb ?(datum|dat)\\b', 'en, de'],
    ],
    not: [
      [
        '\\bbirth ?(place|city|country|name)\\b|\\bplace of birth\\b|\\bcountry of birth\\b|\\bgeburtsort\\b|\\bgeburtsname\\b|\\blieu de naissance\\b|\\bnom de naissance\\b|\\blugar de nacimiento\\b|\\bluogo di nascita\\b|\\bgeboorteplaats\\b|\\blocal de nascimento\\b',
        'en, de, fr, es, it, nl, pt',
      ],
    ],
  },

  quantity: {
    text: [
      [
        '\\bqty\\b|\\bquantit(y|ies)\\b|\\bnumber of (items|units|copies|tickets|pieces|guests|people|persons|seats)\\b',
        'en',
      ],
      ['\\bmenge\\b|\\banzahl\\b|\\bstuckzahl\\b', 'de'],
      ['\\bquantite\\b|\\bqte\\b', 'fr'],
      ['\\bcantidad\\b', 'es'],
      ['\\bquantita\\b|\\bqta\\b', 'it'],
      ['\\baantal\\b|\\bhoeveelheid\\b', 'nl'],
      ['\\bquantidade\\b|\\bqtd\\b|\\bqtde\\b', 'pt'],
      ['\\bilosc\\b', 'pl'],
      ['\\bantal\\b|\\bantall\\b|\\bmængde\\b|\\bmengde\\b|\\bkvantitet\\b', 'sv, da, no'],
      ['\\bmaara\\b|\\blukumaara\\b', 'fi'],
      ['\\bmiktar\\b|\\badet\\b', 'tr'],
      ['количество|кол во', 'ru'],
      ['数量|個数', 'ja'],
      ['数量|數量', 'zh'],
      ['수량|개수', 'ko'],
      ['\\bjumlah\\b|\\bkuantitas\\b', 'id'],
      ['\\bमतर\\b', 'hi'],
    ],
    attribute: [['\\bqty|\\bquantity|\\bquant\\b|\\bnum ?items\\b', 'en']],
  },
};

// ---------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------

/**
 * Our `\b`: a boundary between a letter/digit and anything else, in any script. Rules match
 * normalized text (normalizeText), where everything that is not a letter or digit has become a single
 * space, so the boundary is where a non-space meets a space or an end of the text. Written that way
 * rather than with \p{L}/\p{N} classes, which V8 is very slow to compile inside look-arounds: with
 * the ~2,000 boundaries of the rule set, the \p{} form took ~20 s of CPU to compile and first run,
 * this one ~0.2 s, with the same matches on normalized text.
 */
const BOUNDARY = '(?:(?<![^ ])(?=[^ ])|(?<=[^ ])(?![^ ]))';

/** One RegExp from rule lines (undefined for none). */
export function compileLines(lines: readonly RuleLine[] | undefined): RegExp | undefined {
  if (!lines || lines.length === 0) return undefined;
  const source = lines.map(([pattern]) => `(?:${pattern.replace(/\\b/g, BOUNDARY)})`).join('|');
  return new RegExp(source, 'u');
}

export interface CompiledRule {
  text?: RegExp;
  attribute?: RegExp;
  weak?: RegExp;
  not?: RegExp;
}

export function compileRules(rules: Rules): ReadonlyMap<FieldKind, CompiledRule> {
  const compiled = new Map<FieldKind, CompiledRule>();
  for (const [kind, rule] of Object.entries(rules) as Array<[FieldKind, KindRule]>) {
    compiled.set(kind, {
      text: compileLines(rule.text),
      attribute: compileLines(rule.attribute),
      weak: compileLines(rule.weak),
      not: compileLines(rule.not),
    });
  }
  return compiled;
}

/**
 * Text as the rules read it. `attribute: true` also splits camelCase and letter/digit runs, as
 * names and ids glue words ("billZipCode1", "SZip", "addressFormInlineCompany").
 */
export function normalizeText(text: string, options: { attribute?: boolean } = {}): string {
  let value = text;
  if (options.attribute) {
    value = value
      .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2') // billZip -> bill Zip, zip2Code -> zip2 Code
      .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2') // SZip -> S Zip, HTMLName -> HTML Name
      .replace(/(\p{L})(\p{N})/gu, '$1 $2') // address1 -> address 1
      .replace(/(\p{N})(\p{L})/gu, '$1 $2');
  }
  return value
    .toLowerCase() // first: "İ" lower-cases to "i" plus a combining dot, removed below
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // combining marks: é -> e
    .normalize('NFC') // recompose what is not an accent (Hangul syllables)
    .replace(/ß/g, 'ss')
    .replace(/ı/g, 'i') // Turkish dotless i: "Başlığı" reads "basligi"
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
