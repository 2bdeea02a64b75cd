"""Turning spreadsheet cells into clean values: text, names, stores, money and counts.

Every reader takes a cell as the readers hand it over (``CellValue``) and returns a clean
value, or ``None`` when the cell is empty or cannot be read. Nothing here touches the
database; the import service decides what an unreadable value means for the row. Phones are
read in ``phones`` and dates in ``dates``; the date order rule is re-exported here, where the
wizard has always found it.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time

from lastmile_desktop.importing.dates import region_date_order
from lastmile_desktop.spreadsheets.cells import CellValue
from lastmile_desktop.storage.defaults import STORE_CODE_MAX_LENGTH

__all__ = [
    "StoreRef",
    "cell_text",
    "clean_text",
    "is_blank",
    "read_count",
    "read_money_cents",
    "read_store",
    "region_date_order",
    "split_full_name",
]

# ---------------------------------------------------------------------------------------------
# Text


def is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: CellValue) -> str:
    """A cell as a person would read it: 12.0 is "12", a date is ISO, empty is ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


_SPACES = re.compile(r"\s+")


def clean_text(value: CellValue) -> str | None:
    """Trimmed text with inner runs of spaces made one; Unicode kept (NFC). Empty: None."""
    if value is None:
        return None
    text = value.strip() if type(value) is str else cell_text(value)
    if not text:
        return None
    # Most cells are plain ASCII with single spaces: nothing to change, nothing to scan.
    if text.isascii() and text.isprintable() and "  " not in text:
        return text
    return unicodedata.normalize("NFC", _SPACES.sub(" ", text))


# Words that belong to the family name: "Ludwig van Beethoven", "Juan de la Cruz".
_NAME_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "del", "della", "di", "da", "das", "dos", "du", "la", "le"}
    | {"ten", "ter", "bin", "ibn", "al", "el", "mac", "st"}
)


def split_full_name(value: CellValue) -> tuple[str | None, str | None]:
    """(first, last) from "First Last" or "Last, First"."""
    text = clean_text(value)
    if text is None:
        return None, None
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip() or None, last.strip() or None
    words = text.split(" ")
    if len(words) == 1:
        return None, words[0]
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _NAME_PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])


# ---------------------------------------------------------------------------------------------
# Stores

_STORE_WORDS = (
    r"(?:store|shop|branch|outlet|site|magasin|boutique|filiale|tienda|sucursal|winkel|"
    r"filiaal|negozio|loja|st\.?)"
)
_STORE_NUMBER = re.compile(
    rf"^(?:{_STORE_WORDS}\s*)?(?:no\.?|nr\.?|num(?:ber)?\.?|n°|#)?\s*0*(\d+)$", re.IGNORECASE
)


@dataclass(frozen=True)
class StoreRef:
    """A store as a row names it: ``code`` identifies it, ``name`` is used when it is new."""

    code: str
    name: str
    # How stores are matched: codes compare without regard to case ("MAN01" is "man01").
    key: str = dataclasses.field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.code.casefold())


def read_store(value: CellValue) -> StoreRef | None:
    """12, 12.0, "12", "012", "Store 12" and "store #12" all give code "12", name "Store 12"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    if text is None:
        return None
    match = _STORE_NUMBER.match(text)
    if match:
        number = str(int(match.group(1)))
        return StoreRef(code=number, name=f"Store {number}")
    # Cut to the longest code a store may have, without a space left dangling at the cut.
    return StoreRef(code=text[:STORE_CODE_MAX_LENGTH].rstrip(), name=text)


# ---------------------------------------------------------------------------------------------
# Money and counts

_NOT_NUMBER = re.compile(r"[^\d.,\-+()]")
# Currency codes and the short words written beside amounts; "US$", "C$" and "R$" are dollars
# and reais. Any other letter means the text is not an amount: "C123" is a reference.
_CURRENCY_WORDS = re.compile(
    r"\b(?:eur|euro|euros|usd|gbp|chf|sfr|sek|nok|dkk|isk|pln|czk|huf|ron|jpy|cny|inr|brl|mxn"
    r"|aud|cad|nzd|zar|kr|zl|zł|kc|kč|ft|lei|fr|ct)\b|\b[a-z]{1,3}\$",
    re.IGNORECASE,
)


def _number_from_text(text: str) -> float | None:
    """ "1.234,50 €", "£1,234.50", "1 234,50", "(12.50)", "-3" -> a float; None if not a number."""
    text = _CURRENCY_WORDS.sub("", text)
    if any(ch.isalpha() for ch in text):
        return None
    text = text.replace("'", "").replace("’", "")  # Swiss thousands: 1'234.50
    text = _NOT_NUMBER.sub("", text)
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("+-()")
    if not text or not any(ch.isdigit() for ch in text):
        return None
    if any(ch in "+-()" for ch in text):
        return None
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        # Both appear: whichever comes last separates the decimals.
        decimal = "." if last_dot > last_comma else ","
        thousands = "," if decimal == "." else "."
        text = text.replace(thousands, "").replace(decimal, ".")
    elif last_dot >= 0 or last_comma >= 0:
        separator = "." if last_dot >= 0 else ","
        parts = text.split(separator)
        # One separator followed by exactly three digits is a thousands separator ("1,234").
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) == 3 and parts[0] not in ("", "0")):
            if not all(len(part) == 3 for part in parts[1:]):
                return None
            text = "".join(parts)
        else:
            text = ".".join(parts)
    try:
        number = float(text)
    except ValueError:
        return None
    return -number if negative else number


def _number(value: CellValue) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        return _number_from_text(value)
    return None


def read_money_cents(value: CellValue) -> int | None:
    """An amount in cents from a number or text with a currency sign and either decimal mark."""
    number = _number(value)
    if number is None or abs(number) >= 1e13:
        return None
    return round(number * 100)


def read_count(value: CellValue) -> int | None:
    """A whole, non-negative count (visits): 12, 12.0, "12", "1,234"."""
    number = _number(value)
    if number is None or number < 0 or not number.is_integer() or number >= 2**31:
        return None
    return int(number)
