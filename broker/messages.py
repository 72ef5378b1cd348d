"""What a rejection code means, for people: English, French and Italian, naming the field.

A dead letter answers the sending agency in its own language (the sending region's working
language) and the operators in English. Each message says what is wrong, which rule (and its
source when it is a convention or a law) and what to do. ``{field}`` is the failing field
path; ``{regions}`` and ``{languages}`` are read from the region registry.
"""

from __future__ import annotations

from collections.abc import Sequence

from broker.errors import RejectedEvent, Violation
from broker.regions import regions

LANGUAGES = ("en", "fr", "it")
"""Languages every message exists in; a region speaking another one gets English."""

MESSAGES: dict[str, dict[str, str]] = {
    "EVENT_REJECTED": {
        "en": "The event was rejected ({field}).",
        "fr": "L'événement a été refusé ({field}).",
        "it": "L'evento è stato rifiutato ({field}).",
    },
    "VALUE_EMPTY": {
        "en": "The record has no value (empty or tombstone). Send the event encoded in Avro "
        "Single Object Encoding.",
        "fr": "L'enregistrement n'a pas de valeur (vide ou tombstone). Envoyez l'événement "
        "encodé en Avro (Single Object Encoding).",
        "it": "Il record non ha alcun valore (vuoto o tombstone). Inviate l'evento codificato "
        "in Avro (Single Object Encoding).",
    },
    "MAGIC_UNKNOWN": {
        "en": "The value starts neither with the Avro Single Object Encoding marker (C3 01) "
        "nor with the Confluent marker (00). Encode events with the schemas in schemas/avro.",
        "fr": "La valeur ne commence ni par le marqueur Avro Single Object Encoding (C3 01) ni "
        "par le marqueur Confluent (00). Encodez les événements avec les schémas de "
        "schemas/avro.",
        "it": "Il valore non inizia né con il marcatore Avro Single Object Encoding (C3 01) né "
        "con quello Confluent (00). Codificate gli eventi con gli schemi di schemas/avro.",
    },
    "TRUNCATED": {
        "en": "The value is truncated: it ends before its header or its Avro body is complete. "
        "Check that the producer sends the whole message.",
        "fr": "La valeur est tronquée : elle s'arrête avant la fin de son en-tête ou de son "
        "corps Avro. Vérifiez que le producteur envoie le message entier.",
        "it": "Il valore è troncato: termina prima della fine dell'intestazione o del corpo "
        "Avro. Verificate che il producer invii il messaggio completo.",
    },
    "SCHEMA_UNKNOWN": {
        "en": "The schema fingerprint (or Confluent schema id) is not a published MARE schema. "
        "Use a schema from schemas/avro, or ask the operators to register your schema id.",
        "fr": "L'empreinte du schéma (ou l'identifiant de schéma Confluent) ne correspond à "
        "aucun schéma MARE publié. Utilisez un schéma de schemas/avro, ou demandez aux "
        "opérateurs d'enregistrer votre identifiant de schéma.",
        "it": "L'impronta dello schema (o l'id di schema Confluent) non corrisponde ad alcuno "
        "schema MARE pubblicato. Usate uno schema di schemas/avro, o chiedete agli operatori "
        "di registrare il vostro id di schema.",
    },
    "BODY_MALFORMED": {
        "en": "The Avro body does not match the schema named in its header, or has bytes "
        "after its end. Encode it with exactly that schema.",
        "fr": "Le corps Avro ne correspond pas au schéma indiqué dans son en-tête, ou contient "
        "des octets après sa fin. Encodez-le avec exactement ce schéma.",
        "it": "Il corpo Avro non corrisponde allo schema indicato nell'intestazione, o contiene "
        "byte dopo la fine. Codificatelo esattamente con quello schema.",
    },
    "FIELD_MISSING": {
        "en": "The field {field} is missing or empty. Fill it in: it is mandatory here.",
        "fr": "Le champ {field} est manquant ou vide. Renseignez-le : il est obligatoire ici.",
        "it": "Il campo {field} è mancante o vuoto. Compilatelo: qui è obbligatorio.",
    },
    "FIELD_INVALID": {
        "en": "The field {field} has an invalid value (format, range or pattern). See its doc "
        "in the schema for the accepted values.",
        "fr": "Le champ {field} a une valeur invalide (format, plage ou motif). Consultez sa "
        "documentation dans le schéma pour les valeurs acceptées.",
        "it": "Il campo {field} ha un valore non valido (formato, intervallo o modello). "
        "Consultate la sua documentazione nello schema per i valori ammessi.",
    },
    "TEXT_EMPTY": {
        "en": "The text {field} is empty or blank. Write it: it is mandatory.",
        "fr": "Le texte {field} est vide. Rédigez-le : il est obligatoire.",
        "it": "Il testo {field} è vuoto. Compilatelo: è obbligatorio.",
    },
    "TEXT_TOO_LONG": {
        "en": "The text {field} is too long. Shorten it to the maximum length in its schema "
        "doc (200 characters for a title, 10,000 for a description).",
        "fr": "Le texte {field} est trop long. Raccourcissez-le à la longueur maximale "
        "indiquée dans le schéma (200 caractères pour un intitulé, 10 000 pour un "
        "descriptif).",
        "it": "Il testo {field} è troppo lungo. Accorciatelo alla lunghezza massima indicata "
        "nello schema (200 caratteri per un titolo, 10.000 per una descrizione).",
    },
    "REGION_UNKNOWN": {
        "en": "The region in {field} is not a partner region of the network. Use one of: "
        "{regions}.",
        "fr": "La région indiquée dans {field} n'est pas une région partenaire du réseau. "
        "Utilisez l'une de : {regions}.",
        "it": "La regione indicata in {field} non è una regione partner della rete. Usate una "
        "tra: {regions}.",
    },
    "LANGUAGE_UNSUPPORTED": {
        "en": "The language in {field} is not a working language of the network. Use one of: "
        "{languages}.",
        "fr": "La langue indiquée dans {field} n'est pas une langue de travail du réseau. "
        "Utilisez l'une de : {languages}.",
        "it": "La lingua indicata in {field} non è una lingua di lavoro della rete. Usate una "
        "tra: {languages}.",
    },
    "LANGUAGE_MISMATCH": {
        "en": "The language of the delivery ({field}) is not the destination region's working "
        "language.",
        "fr": "La langue de la livraison ({field}) n'est pas la langue de travail de la région "
        "de destination.",
        "it": "La lingua della consegna ({field}) non è la lingua di lavoro della regione di "
        "destinazione.",
    },
    "NUTS_MISMATCH": {
        "en": "The NUTS-2 code ({field}) is not the code of the place of work's region. Use the "
        "region's NUTS-2 code (e.g. FRL0 for paca, ITC3 for liguria).",
        "fr": "Le code NUTS-2 ({field}) n'est pas celui de la région du lieu de travail. "
        "Utilisez le code NUTS-2 de la région (par ex. FRL0 pour paca, ITC3 pour liguria).",
        "it": "Il codice NUTS-2 ({field}) non è quello della regione del luogo di lavoro. "
        "Usate il codice NUTS-2 della regione (ad es. FRL0 per paca, ITC3 per liguria).",
    },
    "MUNICIPALITY_CODE_INVALID": {
        "en": "The municipality code ({field}) has the wrong format for the region's country: "
        "France uses the 5-character INSEE code (2A/2B in Corsica), Italy the 6-digit ISTAT "
        "code.",
        "fr": "Le code commune ({field}) n'a pas le format du pays de la région : code INSEE à "
        "5 caractères en France (2A/2B en Corse), code ISTAT à 6 chiffres en Italie.",
        "it": "Il codice comune ({field}) non ha il formato del paese della regione: codice "
        "INSEE di 5 caratteri in Francia (2A/2B in Corsica), codice ISTAT di 6 cifre in "
        "Italia.",
    },
    "SIRET_INVALID": {
        "en": "The employer's SIRET ({field}) is invalid: wrong length, format or check digit. "
        "Check the 14 digits, without spaces.",
        "fr": "Le SIRET de l'employeur ({field}) est invalide : longueur, format ou clé de "
        "contrôle erronés. Vérifiez les 14 chiffres, sans espaces.",
        "it": "Il SIRET del datore di lavoro ({field}) non è valido: lunghezza, formato o cifra "
        "di controllo errati. Verificate le 14 cifre, senza spazi.",
    },
    "PARTITA_IVA_INVALID": {
        "en": "The employer's Partita IVA ({field}) is invalid: wrong length, format or check "
        "digit. Check the 11 digits, without the IT prefix or spaces.",
        "fr": "La Partita IVA de l'employeur ({field}) est invalide : longueur, format ou "
        "chiffre de contrôle erronés. Vérifiez les 11 chiffres, sans préfixe IT ni espaces.",
        "it": "La Partita IVA del datore di lavoro ({field}) non è valida: lunghezza, formato "
        "o cifra di controllo errati. Verificate le 11 cifre, senza prefisso IT né spazi.",
    },
    "EMPLOYER_SCHEME_MISMATCH": {
        "en": "The employer identifier scheme ({field}) does not fit the region's country: "
        "SIRET for a French region, PARTITA_IVA for an Italian one.",
        "fr": "Le type d'identifiant de l'employeur ({field}) ne correspond pas au pays de la "
        "région : SIRET pour une région française, PARTITA_IVA pour une région italienne.",
        "it": "Il tipo di identificativo del datore di lavoro ({field}) non corrisponde al "
        "paese della regione: SIRET per una regione francese, PARTITA_IVA per una italiana.",
    },
    "CONTRACT_CODE_UNKNOWN": {
        "en": "The contract code ({field}) is not a code of the contract's country: France "
        "Travail typeContrat (CDI, CDD, MIS, SAI…) or Comunicazioni Obbligatorie (A.01.00, "
        "A.02.00…).",
        "fr": "Le code de contrat ({field}) n'est pas un code du pays du contrat : typeContrat "
        "de France Travail (CDI, CDD, MIS, SAI…) ou Comunicazioni Obbligatorie (A.01.00, "
        "A.02.00…).",
        "it": "Il codice contratto ({field}) non è un codice del paese del contratto: "
        "typeContrat di France Travail (CDI, CDD, MIS, SAI…) o Comunicazioni Obbligatorie "
        "(A.01.00, A.02.00…).",
    },
    "CONTRACT_COUNTRY_MISMATCH": {
        "en": "The contract ({field}) is under another country's law than the place of work's. "
        "Use the contract codes of the country where the work is done.",
        "fr": "Le contrat ({field}) relève du droit d'un autre pays que celui du lieu de "
        "travail. Utilisez les codes de contrat du pays où le travail est effectué.",
        "it": "Il contratto ({field}) è regolato dal diritto di un paese diverso da quello del "
        "luogo di lavoro. Usate i codici contratto del paese in cui si svolge il lavoro.",
    },
    "DURATION_REQUIRED": {
        "en": "A fixed-term contract (CDD, MIS, SAI, A.02.00…) must state its duration in "
        "months ({field}), a mandatory offer field (PACA convention, art. 17).",
        "fr": "Un contrat à durée déterminée (CDD, MIS, SAI, A.02.00…) doit indiquer sa durée "
        "en mois ({field}), mention obligatoire de l'offre (convention PACA, art. 17).",
        "it": "Un contratto a tempo determinato (CDD, MIS, SAI, A.02.00…) deve indicare la "
        "durata in mesi ({field}), campo obbligatorio dell'offerta (convenzione PACA, "
        "art. 17).",
    },
    "OCCUPATION_MISSING": {
        "en": "The occupation ({field}) has no code. Give at least one of esco_uri, isco08, "
        "rome_code or cp_code.",
        "fr": "Le métier ({field}) n'a aucun code. Indiquez au moins l'un de esco_uri, isco08, "
        "rome_code ou cp_code.",
        "it": "La professione ({field}) non ha alcun codice. Indicate almeno uno tra esco_uri, "
        "isco08, rome_code o cp_code.",
    },
    "SALARY_RANGE_INVALID": {
        "en": "The salary range is inverted: {field} is below the minimum. Put the lower "
        "amount in min_cents and the higher in max_cents.",
        "fr": "La fourchette de salaire est inversée : {field} est inférieur au minimum. "
        "Mettez le montant le plus bas dans min_cents et le plus haut dans max_cents.",
        "it": "La fascia retributiva è invertita: {field} è inferiore al minimo. Mettete "
        "l'importo più basso in min_cents e quello più alto in max_cents.",
    },
    "DATES_OUT_OF_ORDER": {
        "en": "The date {field} is out of order with a related date (an end before its start, "
        "an offer that expires on or before its publication day). Correct the dates.",
        "fr": "La date {field} est incohérente avec une date liée (une fin avant son début, "
        "une offre qui expire le jour de sa publication ou avant). Corrigez les dates.",
        "it": "La data {field} è incoerente con una data collegata (una fine prima "
        "dell'inizio, un'offerta che scade il giorno della pubblicazione o prima). Correggete "
        "le date.",
    },
    "PSEUDONYM_INVALID": {
        "en": "The candidate pseudonym ({field}) is not an opaque pseudonym: use 8 to 64 "
        "letters, digits, '_' or '-', never a name, an e-mail address or a phone number "
        "(GDPR, data minimisation).",
        "fr": "Le pseudonyme du candidat ({field}) n'est pas un pseudonyme opaque : utilisez "
        "8 à 64 lettres, chiffres, « _ » ou « - », jamais un nom, une adresse e-mail ou un "
        "numéro de téléphone (RGPD, minimisation des données).",
        "it": "Lo pseudonimo del candidato ({field}) non è uno pseudonimo opaco: usate da 8 a "
        "64 lettere, cifre, «_» o «-», mai un nome, un indirizzo e-mail o un numero di "
        "telefono (GDPR, minimizzazione dei dati).",
    },
    "CONSENT_MISSING": {
        "en": "The candidate has not consented to cross-border sharing ({field} lacks "
        "CROSS_BORDER_SHARING), so the referral cannot leave the home region. Collect the "
        "candidate's consent first (GDPR art. 7).",
        "fr": "Le candidat n'a pas consenti au partage transfrontalier ({field} sans "
        "CROSS_BORDER_SHARING) : la candidature ne peut pas quitter la région d'origine. "
        "Recueillez d'abord son consentement (RGPD art. 7).",
        "it": "Il candidato non ha acconsentito alla condivisione transfrontaliera ({field} "
        "senza CROSS_BORDER_SHARING): la segnalazione non può lasciare la regione di origine. "
        "Raccogliete prima il suo consenso (GDPR art. 7).",
    },
    "CONSENT_EXPIRED": {
        "en": "The candidate's consent had expired ({field}) when the event occurred. Renew "
        "the consent before sending the referral again.",
        "fr": "Le consentement du candidat avait expiré ({field}) à la date de l'événement. "
        "Renouvelez le consentement avant de renvoyer la candidature.",
        "it": "Il consenso del candidato era scaduto ({field}) alla data dell'evento. "
        "Rinnovate il consenso prima di inviare di nuovo la segnalazione.",
    },
    "LINK_MISSING": {
        "en": "The mobility request names neither an offer nor a referral ({field}). Fill in "
        "offer_id, referral_id or both.",
        "fr": "La demande de mobilité ne cite ni offre ni candidature ({field}). Renseignez "
        "offer_id, referral_id ou les deux.",
        "it": "La richiesta di mobilità non indica né un'offerta né una segnalazione "
        "({field}). Compilate offer_id, referral_id o entrambi.",
    },
    "CLOUDEVENT_HEADERS_INVALID": {
        "en": "The CloudEvents headers are incomplete or malformed ({field}). Send "
        "ce_specversion, ce_id, ce_source and ce_type in UTF-8, and ce_time in RFC 3339.",
        "fr": "Les en-têtes CloudEvents sont incomplets ou mal formés ({field}). Envoyez "
        "ce_specversion, ce_id, ce_source et ce_type en UTF-8, et ce_time au format "
        "RFC 3339.",
        "it": "Le intestazioni CloudEvents sono incomplete o malformate ({field}). Inviate "
        "ce_specversion, ce_id, ce_source e ce_type in UTF-8, e ce_time in formato RFC 3339.",
    },
    "EVENT_ID_NOT_DERIVED": {
        "en": "The delivery's event id ({field}) is not derived from the original event: it "
        "must be uuid5(original event_id, destination_region), so replays deduplicate.",
        "fr": "L'identifiant de la livraison ({field}) n'est pas dérivé de l'événement "
        "d'origine : il doit valoir uuid5(event_id d'origine, destination_region), pour que "
        "les rejeux soient dédupliqués.",
        "it": "L'identificativo della consegna ({field}) non è derivato dall'evento originale: "
        "deve essere uuid5(event_id originale, destination_region), perché i replay siano "
        "deduplicati.",
    },
    "SOURCE_REGION_MISMATCH": {
        "en": "The event's source region ({field}) is not the region of the inbound topic it "
        "was sent to. Publish on your own region's topic, mare.<region>.<kind>.in.",
        "fr": "La région d'origine de l'événement ({field}) n'est pas celle du topic d'entrée "
        "sur lequel il a été envoyé. Publiez sur le topic de votre région, "
        "mare.<région>.<type>.in.",
        "it": "La regione di origine dell'evento ({field}) non è quella del topic di ingresso "
        "su cui è stato inviato. Pubblicate sul topic della vostra regione, "
        "mare.<regione>.<tipo>.in.",
    },
    "KIND_MISMATCH": {
        "en": "The event type does not belong on this inbound topic ({field}): offers go to "
        "*.offer.in, referrals to *.referral.in, mobility requests to *.mobility.in, "
        "acknowledgements to *.ack.in.",
        "fr": "Ce type d'événement n'a pas sa place sur ce topic d'entrée ({field}) : les "
        "offres vont sur *.offer.in, les candidatures sur *.referral.in, les demandes de "
        "mobilité sur *.mobility.in, les accusés de réception sur *.ack.in.",
        "it": "Questo tipo di evento non appartiene a questo topic di ingresso ({field}): le "
        "offerte vanno su *.offer.in, le segnalazioni su *.referral.in, le richieste di "
        "mobilità su *.mobility.in, le ricevute su *.ack.in.",
    },
    "OFFER_OWNER_UNKNOWN": {
        "en": "The referral names an offer ({field}) the network has never routed, and no "
        "target_offer_region says where to send it. Check the offer_id or fill in "
        "target_offer_region.",
        "fr": "La candidature cite une offre ({field}) que le réseau n'a jamais acheminée, et "
        "aucune target_offer_region n'indique où l'envoyer. Vérifiez l'offer_id ou "
        "renseignez target_offer_region.",
        "it": "La segnalazione indica un'offerta ({field}) che la rete non ha mai instradato, e "
        "nessuna target_offer_region dice dove inviarla. Verificate l'offer_id o compilate "
        "target_offer_region.",
    },
    "DESTINATION_IS_SOURCE": {
        "en": "The only destination ({field}) is the source region itself, so nothing would "
        "cross the network. Name another partner region, or leave the list empty for all.",
        "fr": "La seule destination ({field}) est la région d'origine elle-même : rien ne "
        "traverserait le réseau. Indiquez une autre région partenaire, ou laissez la liste "
        "vide pour toutes.",
        "it": "L'unica destinazione ({field}) è la regione di origine stessa: nulla "
        "attraverserebbe la rete. Indicate un'altra regione partner, o lasciate la lista vuota "
        "per tutte.",
    },
    "SUBJECT_UNKNOWN": {
        "en": "The acknowledgement is about an offer, referral or request ({field}) the network "
        "never delivered to your region. Check subject_kind and subject_id.",
        "fr": "L'accusé de réception porte sur une offre, une candidature ou une demande "
        "({field}) que le réseau n'a jamais livrée à votre région. Vérifiez subject_kind et "
        "subject_id.",
        "it": "La ricevuta riguarda un'offerta, una segnalazione o una richiesta ({field}) che "
        "la rete non ha mai consegnato alla vostra regione. Verificate subject_kind e "
        "subject_id.",
    },
}

_SUMMARY = {
    "en": "{count} problems: ",
    "fr": "{count} problèmes : ",
    "it": "{count} problemi: ",
}
_MORE = {
    "en": "… and {count} more.",
    "fr": "… et {count} autres.",
    "it": "… e altri {count}.",
}
MAX_LISTED = 10
"""Violations spelled out in one message; the rest are counted (all are in ``fields``)."""


def language_for(region: str | None) -> str:
    """The language to answer a region in: its working language, or English."""
    if region is None or region not in regions():
        return "en"
    language = regions().get(region).language
    return language if language in LANGUAGES else "en"


def message_for(code: str, language: str, field: str | None = None) -> str:
    """The message for one code, naming the field; English if the language has none."""
    table = MESSAGES.get(code) or MESSAGES["EVENT_REJECTED"]
    template = table.get(language) or table["en"]
    return template.format(
        field=field or "(event)",
        regions=", ".join(regions().keys()),
        languages=", ".join(sorted({r.language for r in regions().region})),
    )


def explain(error: RejectedEvent, language: str) -> str:
    """The whole rejection in one language: every violation, or the framing problem."""
    violations: Sequence[Violation] = error.violations
    if not violations:
        return message_for(error.code, language, error.field)
    distinct = list(dict.fromkeys((v.code, v.field) for v in violations))
    if len(distinct) == 1:
        code, field = distinct[0]
        return message_for(code, language, field)
    lang = language if language in _SUMMARY else "en"
    listed = [
        f"({n}) {message_for(code, language, field)}"
        for n, (code, field) in enumerate(distinct[:MAX_LISTED], start=1)
    ]
    text = _SUMMARY[lang].format(count=len(distinct)) + " ".join(listed)
    if len(distinct) > MAX_LISTED:
        text += " " + _MORE[lang].format(count=len(distinct) - MAX_LISTED)
    return text
