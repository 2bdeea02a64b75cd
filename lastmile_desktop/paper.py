"""Paper sizes for what the app prints: A4, or US Letter where offices use it.

The one place that knows which countries use Letter; the computer's locale picks the default
(``usual_paper``), the command line's ``--paper`` and the window's save dialog override it.
"""

from __future__ import annotations

from enum import StrEnum

from lastmile_desktop.countries import locale_country


class Paper(StrEnum):
    A4 = "a4"
    LETTER = "letter"

    @property
    def label(self) -> str:
        return "A4" if self is Paper.A4 else "US Letter"


# Letter is the office paper of North America and of countries that took it from the US;
# the rest of the world uses ISO 216's A4.
LETTER_COUNTRIES = frozenset(
    {"US", "CA", "MX", "PH", "PR", "CL", "CO", "VE", "CR", "DO", "GT", "SV", "NI", "PA"}
)


def usual_paper(country: str | None = None) -> Paper:
    """The paper offices in ``country`` use (default: the computer's locale); A4 when unknown."""
    code = country if country is not None else locale_country()
    return Paper.LETTER if code is not None and code.upper() in LETTER_COUNTRIES else Paper.A4
