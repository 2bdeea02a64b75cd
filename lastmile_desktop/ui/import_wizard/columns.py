"""Spreadsheet column names, so people see "C" where the code counts 2."""

from __future__ import annotations

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def column_letter(position: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA", as Excel names its columns."""
    if position < 0:
        raise ValueError(f"column position must not be negative: {position}")
    letters = ""
    number = position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = ALPHABET[remainder] + letters
    return letters
