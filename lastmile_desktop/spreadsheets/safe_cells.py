"""Text from a customer list or a note never runs as a formula in a spreadsheet.

OWASP's CSV and formula injection guidance: a cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is run as a formula by Excel and LibreOffice when the file is
opened. A CSV cannot say "this is text", so such a value is written with a leading
apostrophe; a workbook can, so it is written as a text cell.
"""

from __future__ import annotations

# A cell starting with one of these is run as a formula by Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text``, typed into a cell, as a formula."""
    return text.startswith(FORMULA_STARTS)


def safe_cell(text: str) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if looks_like_formula(text) else text
