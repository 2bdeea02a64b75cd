"""Which column holds which field: synonyms, fuzzy matching, a look at the values, memory.

Headers are compared after normalising (accents, case and punctuation removed, "No."/"#"
read as "number") against synonyms in the spellings and languages retail exports use. The
values break ties and overrule a vague header: a column of phone-looking values is a phone
even when it is called "Contact". A mapping the user confirmed is saved under a signature of
the file's headers and offered again for the next file with the same headers.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from lastmile_desktop.importing.dates import parse_date_cell
from lastmile_desktop.importing.model import ColumnGuess, Field
from lastmile_desktop.importing.normalize import cell_text, is_blank, read_count, read_money_cents
from lastmile_desktop.importing.phones import PhoneReader
from lastmile_desktop.spreadsheets.cells import CellValue
from lastmile_desktop.storage.models import SavedMapping
from lastmile_desktop.storage.types import utcnow

SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.CUSTOMER_ID: (
        "customer id", "customer number", "customer ref", "customer reference", "customer code",
        "cust id", "cust number", "client id", "client number", "client ref", "account number",
        "account id", "member id", "member number", "loyalty number", "loyalty card number",
        "card number", "id", "kundennummer", "kunden id", "kundenummer", "numero client",
        "id client", "code client", "ref client", "id cliente", "numero de cliente",
        "codigo cliente", "klantnummer", "klant id", "codice cliente", "numero cliente",
    ),
    Field.FIRST_NAME: (
        "first name", "first names", "firstname", "given", "given name", "given names",
        "forename", "forenames", "first", "christian name", "prenom", "prenoms", "vorname",
        "vornamen", "rufname", "nombre", "nombres", "nombre de pila", "voornaam", "voornamen",
        "roepnaam", "nome", "primeiro nome",
    ),
    Field.LAST_NAME: (
        "last name", "lastname", "surname", "surnames", "family", "family name",
        "family names", "last", "nom", "nom de famille", "nachname", "familienname", "zuname",
        "apellido", "apellidos", "primer apellido", "apellido paterno", "achternaam",
        "familienaam", "geslachtsnaam", "cognome", "sobrenome",
    ),
    Field.FULL_NAME: (
        "name", "full name", "customer name", "client name", "customer", "client", "contact name",
        "member name", "nom complet", "nom du client", "kundenname", "name des kunden",
        "nombre completo", "nombre del cliente", "naam", "klantnaam", "nome completo",
        "nome cliente",
    ),
    Field.PHONE: (
        "phone", "phone number", "telephone", "telephone number", "tel", "tel number", "mobile",
        "mobile number", "mobile phone", "cell", "cell phone", "cellphone", "contact number",
        "primary phone", "main phone", "gsm", "handy", "handynummer", "telefon",
        "telefonnummer", "mobilnummer", "portable", "telephone portable", "numero de telephone",
        "telefono", "movil", "celular", "numero de telefono", "telefoonnummer", "mobiel",
        "mobiele nummer", "cellulare", "numero di telefono",
    ),
    Field.PHONE_ALT: (
        "other phone", "alt phone", "alternative phone", "alternate phone", "second phone",
        "secondary phone", "phone 2", "telephone 2", "tel 2", "home phone", "work phone",
        "landline", "other number", "festnetz", "telefon 2", "telephone fixe", "fixe",
        "autre telephone", "telefono fijo", "otro telefono", "vaste telefoon",
        "telefono fisso", "altro telefono",
    ),
    Field.EMAIL: (
        "email", "e mail", "email address", "e mail address", "mail", "courriel",
        "adresse email", "adresse mail", "correo", "correo electronico", "e mailadres",
        "posta elettronica",
    ),
    Field.STORE: (
        "store", "home store", "store number", "store id", "store code", "store name", "shop",
        "shop number", "branch", "branch number", "location", "site", "outlet",
        "preferred store", "main store", "magasin", "boutique", "filiale", "filialnummer",
        "markt", "tienda", "sucursal", "winkel", "filiaal", "negozio", "punto vendita", "loja",
    ),
    Field.LAST_PURCHASE_DATE: (
        "last purchase", "last purchase date", "date of last purchase", "last visit",
        "last visit date", "last order", "last order date", "last transaction",
        "last transaction date", "last sale", "last sale date", "last bought", "last seen",
        "dernier achat", "date dernier achat", "derniere visite", "letzter kauf",
        "letzter einkauf", "datum letzter kauf", "ultima compra", "fecha ultima compra",
        "laatste aankoop", "ultimo acquisto", "data ultimo acquisto",
    ),
    Field.LIFETIME_SPEND: (
        "lifetime spend", "lifetime value", "ltv", "clv", "total spend", "total spent",
        "total sales", "total revenue", "revenue", "spend", "sales", "amount", "total amount",
        "turnover", "value", "chiffre d affaires", "montant total", "ca total", "umsatz",
        "gesamtumsatz", "gasto total", "importe total", "omzet", "totale speso",
        "valore totale",
    ),
    Field.VISITS: (
        "visits", "visit count", "number of visits", "transactions", "number of transactions",
        "orders", "order count", "number of orders", "purchases", "number of purchases",
        "frequency", "nombre de visites", "visites", "besuche", "anzahl besuche",
        "anzahl einkaufe", "visitas", "numero de visitas", "bezoeken", "aantal bezoeken",
        "visite", "numero visite",
    ),
    Field.NOTES: (
        "notes", "note", "comment", "comments", "remarks", "remark", "memo", "bemerkung",
        "bemerkungen", "notiz", "kommentar", "commentaire", "remarque", "observaciones",
        "comentario", "notas", "opmerking", "opmerkingen", "nota", "commento",
    ),
}  # fmt: skip

# Below this a header says nothing useful about the field.
MATCH_THRESHOLD = 0.62
# A fuzzy match this close is a typo or a variant spelling; below it, only a hint.
FUZZY_CLOSE = 0.85
# What a column's values alone are worth when the header is vague ("Contact", "Col 4").
CONTENT_CONFIDENCE = 0.75
SAMPLE_SIZE = 50
SHOWN_SAMPLES = 5

_ABBREVIATIONS = {"no": "number", "nr": "number", "num": "number", "nbr": "number", "n": "number"}
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def normalise_header(header: str) -> str:
    """'Téléphone N°' -> 'telephone number'; 'Cust. No.' -> 'cust number'; 'E-mail' -> 'e mail'."""
    text = unicodedata.normalize("NFKD", header)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("#", " number ").replace("°", " ").replace("º", " ")
    words = _NOT_ALPHANUMERIC.sub(" ", text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def header_signature(headers: Sequence[str]) -> str:
    """The same list of headers, whatever their case, accents or spacing, gives the same hash."""
    normalised = "\x1f".join(normalise_header(header) for header in headers)
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def normalise_synonyms(synonyms: Sequence[str]) -> tuple[str, ...]:
    """Synonyms as ``synonym_score`` compares them: normalised, each once, in order."""
    return tuple(dict.fromkeys(normalise_header(synonym) for synonym in synonyms))


_NORMALISED_SYNONYMS: dict[Field, tuple[str, ...]] = {
    field: normalise_synonyms(synonyms) for field, synonyms in SYNONYMS.items()
}


def header_score(header: str, field: Field) -> float:
    """How well a (normalised) header names a customer field, 0..1."""
    return synonym_score(header, _NORMALISED_SYNONYMS[field])


def synonym_score(header: str, synonyms: Sequence[str]) -> float:
    """How well a (normalised) header matches any of ``synonyms`` (``normalise_synonyms``).

    1.0 for an exact synonym; a close spelling (a typo) nearly as much; a header that holds
    all words of a synonym ("customer mobile" holds "mobile") well, the more so the more of
    the header it explains. Every list the import reads (customers, sales) scores this way.
    """
    if not header:
        return 0.0
    words = set(header.split())
    best = 0.0
    for synonym in synonyms:
        if header == synonym:
            return 1.0
        score = fuzz.ratio(header, synonym) / 100
        if score < FUZZY_CLOSE:
            # Sharing a word is not enough ("Loyalty tier" against "loyalty number").
            score *= 0.75
        synonym_words = synonym.split()
        if words.issuperset(synonym_words):
            # "customer mobile" holds "mobile": strong, the more of the header it explains.
            covered = len(synonym) / len(header)
            score = max(score, 0.7 + 0.25 * covered)
        best = max(best, score)
    return best


# ---------------------------------------------------------------------------------------------
# What the values look like


@dataclass(frozen=True)
class ColumnContent:
    """Shares of a column's non-empty sample values that look like each kind of field."""

    filled: int
    phones: float
    emails: float
    dates: float
    numbers: float
    whole_numbers: float

    def supports(self, field: Field) -> float:
        """Evidence from the values for ``field``: 1 fits, 0 neutral, negative contradicts."""
        if self.filled == 0:
            return 0.0
        if field in (Field.PHONE, Field.PHONE_ALT):
            return _evidence(self.phones)
        if field is Field.EMAIL:
            return _evidence(self.emails)
        if field is Field.LAST_PURCHASE_DATE:
            return _evidence(self.dates)
        if field in (Field.LIFETIME_SPEND,):
            return _evidence(self.numbers)
        if field is Field.VISITS:
            return _evidence(self.whole_numbers)
        return 0.0


def _evidence(share: float) -> float:
    if share >= 0.8:
        return 1.0
    if share <= 0.2:
        return -1.0
    return 0.0


def sniff_column(values: Sequence[CellValue], phones: PhoneReader) -> ColumnContent:
    filled = [value for value in values if not is_blank(value)][:SAMPLE_SIZE]
    if not filled:
        return ColumnContent(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    count = len(filled)

    def share(test: list[bool]) -> float:
        return sum(test) / count

    return ColumnContent(
        filled=count,
        phones=share([_looks_like_phone(value, phones) for value in filled]),
        emails=share([isinstance(v, str) and "@" in v and "." in v.split("@")[-1] for v in filled]),
        dates=share([_looks_like_date(value) for value in filled]),
        numbers=share([read_money_cents(value) is not None for value in filled]),
        whole_numbers=share([read_count(value) is not None for value in filled]),
    )


_PHONE_LAYOUT = str.maketrans("", "", " -.()/+\u00a0")


def _looks_like_phone(value: CellValue, phones: PhoneReader) -> bool:
    """Shaped like a phone number, valid or not in the region: a list from abroad still has
    its phone column, and its rows are then rejected with a reason that says why."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return 6 <= len(cell_text(value)) <= 15
    if not isinstance(value, str):
        return False
    if phones.read(value).numbers:
        return True
    digits = value.strip().translate(_PHONE_LAYOUT)
    return 6 <= len(digits) <= 15 and digits.isascii() and digits.isdigit()


def _looks_like_date(value: CellValue) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return False  # plain numbers are counts or amounts far more often than dates
    return parse_date_cell(value) is not None


# ---------------------------------------------------------------------------------------------
# Guessing


def guess_mapping(
    headers: Sequence[str], columns: Sequence[Sequence[CellValue]], region: str
) -> list[ColumnGuess]:
    """One guess per header; ``columns[i]`` holds sample values of column ``i``.

    Each field goes to at most one column (a second phone column becomes the other phone);
    the strongest pairs are settled first.
    """
    phones = PhoneReader(region)
    normalised = [normalise_header(header) for header in headers]
    contents = [
        sniff_column(columns[i] if i < len(columns) else [], phones) for i in range(len(headers))
    ]
    candidates: list[tuple[float, int, Field]] = []
    best_scores = [0.0] * len(headers)
    for column, header in enumerate(normalised):
        for field in Field:
            score = _combined_score(header_score(header, field), contents[column].supports(field))
            best_scores[column] = max(best_scores[column], score)
            if score >= MATCH_THRESHOLD:
                candidates.append((score, column, field))
    # Strongest first; on equal scores the leftmost column and the field order decide.
    field_order = {field: index for index, field in enumerate(Field)}
    candidates.sort(key=lambda item: (-item[0], item[1], field_order[item[2]]))

    chosen: dict[int, tuple[Field, float]] = {}
    taken: set[Field] = set()
    for score, column, field in candidates:
        if column in chosen:
            continue
        target = field
        if field in taken:
            if field is Field.PHONE and Field.PHONE_ALT not in taken:
                target = Field.PHONE_ALT
            else:
                continue
        chosen[column] = (target, score)
        taken.add(target)
    _settle_names(chosen, normalised)

    guesses = []
    for column, header in enumerate(headers):
        values = columns[column] if column < len(columns) else []
        samples = [cell_text(value) for value in values if not is_blank(value)][:SHOWN_SAMPLES]
        field_score = chosen.get(column)
        if field_score is None:
            # Sure it is no field when nothing came close.
            confidence = round(1.0 - min(best_scores[column], 1.0), 2)
            guesses.append(ColumnGuess(column, header, None, confidence, samples))
        else:
            field, score = field_score
            guesses.append(ColumnGuess(column, header, field, round(min(score, 1.0), 2), samples))
    return guesses


def _combined_score(from_header: float, from_values: float) -> float:
    if from_values > 0:
        # Values that fit lift a vague header, and settle a tie between two similar ones.
        return max(from_header + 0.05, CONTENT_CONFIDENCE)
    if from_values < 0:
        # Values that do not fit make a header less sure; an exact name still stands.
        return from_header * 0.75
    return from_header


def _settle_names(chosen: dict[int, tuple[Field, float]], normalised: list[str]) -> None:
    """A "Name" column beside a "Surname" column is the first name, not a full name."""
    fields = {field: column for column, (field, _) in chosen.items()}
    full = fields.get(Field.FULL_NAME)
    if full is None:
        return
    has_first, has_last = Field.FIRST_NAME in fields, Field.LAST_NAME in fields
    if has_first and has_last:
        del chosen[full]
    elif has_last:
        chosen[full] = (Field.FIRST_NAME, chosen[full][1])
    elif has_first:
        chosen[full] = (Field.LAST_NAME, chosen[full][1])


def mapping_from_guesses(guesses: Sequence[ColumnGuess]) -> dict[int, Field | None]:
    return {guess.column: guess.field for guess in guesses}


# ---------------------------------------------------------------------------------------------
# Remembered mappings


def remembered_mapping(session: Session, headers: Sequence[str]) -> dict[int, Field | None] | None:
    """The mapping last confirmed for a file with these headers, or None."""
    stored = session.execute(
        select(SavedMapping.mapping).where(
            SavedMapping.header_signature == header_signature(headers)
        )
    ).scalar_one_or_none()
    if stored is None:
        return None
    columns = stored.get("columns", {})
    mapping: dict[int, Field | None] = {}
    for position, name in columns.items():
        column = int(position)
        if column >= len(headers):
            continue
        mapping[column] = Field(name) if name in Field._value2member_map_ else None
    for column in range(len(headers)):
        mapping.setdefault(column, None)
    return mapping


def remember_mapping(
    session: Session, headers: Sequence[str], mapping: dict[int, Field | None]
) -> None:
    """Save (or replace) the mapping for files with these headers."""
    signature = header_signature(headers)
    columns = {
        str(column): None if field is None else field.value for column, field in mapping.items()
    }
    payload = {"headers": list(headers), "columns": columns}
    row = session.execute(
        select(SavedMapping).where(SavedMapping.header_signature == signature)
    ).scalar_one_or_none()
    if row is None:
        session.add(SavedMapping(header_signature=signature, mapping=payload))
    else:
        row.mapping = payload
        row.updated_at = utcnow()
    session.flush()
