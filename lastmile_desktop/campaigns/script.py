"""Call-script placeholders: the one catalogue the editor, the call desk and exports share.

A script is plain text with placeholders in braces, ``Hello {first_name}``. The editor
flags the ones it does not know while the lead types; the call screen fills in the known
ones. Anything it cannot fill stays visible in braces, so a caller sees a gap instead of a
sentence that silently lost a word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str
    example: str

    @property
    def token(self) -> str:
        return "{" + self.name + "}"


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("first_name", "The customer's first name", "Maria"),
    Placeholder("last_name", "The customer's last name", "Lopez"),
    Placeholder("full_name", "First and last name together", "Maria Lopez"),
    Placeholder("store", "The customer's home store", "Store 12"),
    Placeholder("manager", "The manager who calls", "Sam Taylor"),
    Placeholder("last_purchase_date", "When the customer last bought", "3 March 2025"),
    Placeholder("days_since_last_purchase", "Days since that purchase", "94"),
    Placeholder("visits", "How many visits the customer made", "7"),
    Placeholder("offer", "The campaign's offer", "20% off your next visit"),
    Placeholder("offer_code", "The code the customer shows at the till", "BACK20"),
)

PLACEHOLDER_NAMES: frozenset[str] = frozenset(p.name for p in PLACEHOLDERS)

# Whatever sits between a pair of braces on one line. Names are matched without regard to
# case or surrounding spaces ("{ First_Name }"), so a harmless typing habit is not flagged.
_TOKEN = re.compile(r"\{([^{}\n]*)\}")


@dataclass(frozen=True)
class PlaceholderUse:
    """One placeholder as written in a script: where it is, and whether it can be filled."""

    start: int  # offset of "{" in the text
    end: int  # offset just after "}"
    name: str  # as written, spaces trimmed
    known: bool


def _canonical(name: str) -> str:
    return name.strip().lower()


def find_placeholders(text: str) -> list[PlaceholderUse]:
    """Every placeholder in ``text`` in order, for underlining the unknown ones while editing."""
    uses = []
    for match in _TOKEN.finditer(text):
        written = match.group(1).strip()
        uses.append(
            PlaceholderUse(
                start=match.start(),
                end=match.end(),
                name=written,
                known=_canonical(written) in PLACEHOLDER_NAMES,
            )
        )
    return uses


def unknown_placeholders(text: str) -> list[str]:
    """Names in braces that the call screen cannot fill, once each, in order of appearance."""
    seen: dict[str, None] = {}
    for use in find_placeholders(text):
        if not use.known:
            seen.setdefault(use.name, None)
    return list(seen)


def format_value(value: object) -> str:
    """How a value reads in a script: dates spelt out ("3 March 2025"), the rest as text."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def render_script(text: str, values: Mapping[str, object]) -> str:
    """Fill the known placeholders from ``values``; unknown or missing ones stay as written."""

    def replace(match: re.Match[str]) -> str:
        name = _canonical(match.group(1))
        value = values.get(name) if name in PLACEHOLDER_NAMES else None
        if value is None or value == "":
            return match.group(0)
        return format_value(value)

    return _TOKEN.sub(replace, text)


class ScriptTemplate:
    """A script read once and filled many times (the queue fills it for every customer).

    ``render`` gives exactly what ``render_script`` gives for the same values.
    """

    def __init__(self, text: str) -> None:
        parts = _TOKEN.split(text)  # alternating literal text and what was between braces
        self._literals = parts[0::2]
        # Per placeholder: the known name to look up (None: never filled) and its text as
        # written, which stays when there is no value.
        self._placeholders = [
            (_canonical(part) if _canonical(part) in PLACEHOLDER_NAMES else None, "{" + part + "}")
            for part in parts[1::2]
        ]

    def render(self, values: Mapping[str, object]) -> str:
        pieces = [self._literals[0]]
        for (name, written), literal in zip(self._placeholders, self._literals[1:], strict=True):
            value = values.get(name) if name is not None else None
            pieces.append(written if value is None or value == "" else format_value(value))
            pieces.append(literal)
        return "".join(pieces)


@dataclass(frozen=True)
class ScriptFacts:
    """What the call screen knows about one call; ``values()`` turns it into placeholder values."""

    first_name: str | None = None
    last_name: str | None = None
    store: str | None = None
    manager: str | None = None
    last_purchase_date: date | None = None
    visits: int | None = None
    offer: str | None = None
    offer_code: str | None = None

    def values(self, today: date) -> dict[str, object]:
        full_name = " ".join(part for part in (self.first_name, self.last_name) if part)
        days = None
        if self.last_purchase_date is not None:
            days = (today - self.last_purchase_date).days
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "full_name": full_name or None,
            "store": self.store,
            "manager": self.manager,
            "last_purchase_date": self.last_purchase_date,
            "days_since_last_purchase": days,
            "visits": self.visits,
            "offer": self.offer,
            "offer_code": self.offer_code,
        }
