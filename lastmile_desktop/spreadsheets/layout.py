"""Where the list sits: which sheet, which header row, and the records below it.

Head-office exports put a title block (often a merged cell) and blank rows above the
header, a read-me sheet before the list, blank rows inside it and a styled but empty tail
after it. The header is the first row wide enough to head the table below it whose cells
are all labels (text that is not a number or a date), preferring rows with the words lists
use (name, phone, customer, store...). The sheet is the visible one whose table looks most
like a customer list.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time

from lastmile_desktop.spreadsheets.cells import CellValue, SheetInfo
from lastmile_desktop.spreadsheets.errors import ImportFileError
from lastmile_desktop.spreadsheets.table_source import TableSource

# Rows read from the top of each sheet to find the header; title blocks are a few rows.
SAMPLE_ROWS = 60
# Data rows after the header that must look like the table for the header to count.
_SUPPORT_ROWS = 20
_MAX_LABEL_CHARS = 80

# Words that appear in the column names of customer lists and sales extracts (English, Dutch,
# French, German, Spanish, Italian, Portuguese), compared against each word of a header cell.
_HEADER_WORD_LINES = (
    "name names first last full surname given forename family customer client clients",
    "member account id no number nr ref code phone telephone tel mobile cell cellphone",
    "landline gsm email mail e-mail address street city town zip postcode postal country",
    "region store shop branch location outlet date last purchase purchased visit visits",
    "spend spent lifetime value total amount revenue sales orders order notes note comment",
    "comments remarks title gender birthday dob age segment status since joined",
    "receipt transaction till ticket invoice line sale sold price paid time",
    "naam voornaam achternaam klant klantnummer telefoon mobiel winkel filiaal datum",
    "nom prénom prenom téléphone portable magasin courriel adresse ville",
    "kunde kundennummer vorname nachname telefon handy filiale geschäft",
    "nombre apellido apellidos cliente teléfono telefono móvil movil tienda correo fecha",
    "nome cognome sobrenome telefone cellulare celular negozio loja data ultimo acquisto",
)
HEADER_WORDS = frozenset(word for line in _HEADER_WORD_LINES for word in line.split())
_NOTES_SHEET = re.compile(
    r"read\s*_?me|notes?|instructions?|info|about|help|legend|explanation|toelichting|"
    r"lisez|hinweis|leeme|léame|cover|summary",
    re.IGNORECASE,
)
_LIST_SHEET = re.compile(
    r"customer|client|list|data|export|klant|kunde|lapsed|sales|transactions", re.IGNORECASE
)
_NUMBER_TEXT = re.compile(r"[\s+\-(]*[\d.,:/\s()\-%€$£]+")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?", re.UNICODE)


@dataclass(frozen=True)
class SheetLayout:
    """Where the list sits in a sheet. Row numbers are 1-based, as the spreadsheet shows them."""

    sheet: str
    header_row: int
    headers: list[str]


def is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_blank_row(row: Sequence[CellValue]) -> bool:
    """True for a row with no cell holding anything but spaces."""
    # A loop, not all(is_blank(...)): it runs for every row of an import.
    for value in row:
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


def cell_text(value: CellValue) -> str:
    """A cell as a label: whitespace and line breaks collapsed; dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, date | time):
        return value.isoformat()
    return " ".join(str(value).split())


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA": how the spreadsheet names column ``index``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _is_label(value: CellValue) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(text) and len(text) <= _MAX_LABEL_CHARS and not _NUMBER_TEXT.fullmatch(text)


def _header_word_hits(row: Sequence[CellValue]) -> int:
    hits = 0
    for value in row:
        if isinstance(value, str) and not any(char.isdigit() for char in value):
            words = _WORD.findall(value.lower())
            if words and len(words) <= 5 and any(word in HEADER_WORDS for word in words):
                hits += 1
    return hits


def _filled_columns(row: Sequence[CellValue]) -> set[int]:
    return {index for index, value in enumerate(row) if not is_blank(value)}


@dataclass(frozen=True)
class _TableGuess:
    """The best header found in one sheet, and how much it looks like a customer list."""

    sheet: SheetInfo
    header_row: int
    headers: list[str]
    word_hits: int
    data_rows: int  # data rows after the header within the sample
    score: float


def _headers_for(
    header: Sequence[CellValue], data_rows: Sequence[Sequence[CellValue]]
) -> list[str]:
    """The header labels, widened to columns that hold data but no label ("Column F")."""
    width = len(header)
    for row in data_rows:
        filled = _filled_columns(row)
        if filled:
            width = max(width, max(filled) + 1)
    with_data = set().union(*(_filled_columns(row) for row in data_rows)) if data_rows else set()
    headers = []
    for index in range(width):
        label = cell_text(header[index]) if index < len(header) else ""
        if not label and index in with_data:
            label = f"Column {column_letter(index)}"
        headers.append(label)
    return headers


def _find_header(sample: list[list[CellValue]]) -> int | None:
    """The 0-based index in ``sample`` of the header row, or None when no row heads a table.

    A header is wide enough (at least half the table's usual width), holds only labels, and
    the rows below it fill its columns. The first such row wins, unless a later one names at
    least two more customer fields. A header with nothing below it counts only when nothing
    but title rows sit above it (the sheet then has "a header but no rows").
    """
    widths = [len(_filled_columns(row)) for row in sample if not is_blank_row(row)]
    if not widths:
        return None
    # The table's usual width: the most common width among rows of two cells or more.
    typical = Counter(width for width in widths if width >= 2).most_common(1)
    typical_width = typical[0][0] if typical else 1
    needed = max(2, (typical_width + 1) // 2) if typical_width >= 2 else 1
    supported: tuple[int, int] | None = None  # (word hits, index)
    alone: int | None = None
    for index, row in enumerate(sample):
        filled = _filled_columns(row)
        if len(filled) < needed or not all(_is_label(row[column]) for column in filled):
            continue
        below = [row for row in sample[index + 1 :] if not is_blank_row(row)]
        if below:
            if _has_support(below[:_SUPPORT_ROWS], filled):
                hits = _header_word_hits(row)
                if needed == 1 and hits == 0 and _mostly_labels(below[:_SUPPORT_ROWS]):
                    continue  # lines of text under a title: notes, not a one-column list
                # The first candidate stands unless a later one clearly names more fields: a
                # data row can hold a word like "shop", a header rarely lacks two field names.
                if supported is None or hits >= supported[0] + 2:
                    supported = (hits, index)
        elif (
            alone is None
            and (len(filled) >= 2 or _header_word_hits(row))
            and all(len(_filled_columns(above)) <= 1 for above in sample[:index])
        ):
            alone = index
    return supported[1] if supported is not None else alone


def _mostly_labels(rows: list[list[CellValue]]) -> bool:
    labels = sum(1 for row in rows if all(_is_label(value) for value in row if not is_blank(value)))
    return labels * 2 > len(rows)


def _has_support(below: list[list[CellValue]], filled: set[int]) -> bool:
    """Whether most rows below fill some of the header's columns: a table, not a lone label."""
    sharing = sum(1 for row in below if _filled_columns(row) & filled)
    return sharing * 2 >= len(below)


def _guess_table(
    source: TableSource, sheet: SheetInfo, header_row: int | None
) -> _TableGuess | None:
    rows = source.rows(sheet.name)
    sample = list(itertools.islice(rows, max(SAMPLE_ROWS, header_row or 0)))
    if header_row is None:
        header_index = _find_header(sample)
        if header_index is None:
            return None
    else:
        header_index = header_row - 1
        _check_explicit_header(source, sheet, header_row, sample)
    header = sample[header_index]
    data = [row for row in sample[header_index + 1 :] if not is_blank_row(row)]
    data_rows = len(data)
    if data_rows == 0 and any(not is_blank_row(row) for row in rows):
        data_rows = 1  # the data starts below the sample; one row is enough to say "has rows"
    headers = _headers_for(header, data[:_SUPPORT_ROWS])
    word_hits = _header_word_hits(header)
    score = (
        3.0 * word_hits
        + min(len(_filled_columns(header)), 15)
        + 0.5 * min(data_rows, _SUPPORT_ROWS)
        + (2.0 if _LIST_SHEET.search(sheet.name) else 0.0)
        - (5.0 if _NOTES_SHEET.search(sheet.name) else 0.0)
        - (20.0 if data_rows == 0 else 0.0)
    )
    return _TableGuess(sheet, header_index + 1, headers, word_hits, data_rows, score)


def _check_explicit_header(
    source: TableSource, sheet: SheetInfo, header_row: int, sample: list[list[CellValue]]
) -> None:
    if header_row < 1:
        raise ImportFileError(source.path, f": the header row must be 1 or more, not {header_row}")
    if header_row > len(sample):
        raise ImportFileError(
            source.path,
            f": the sheet '{sheet.name}' has only {len(sample)} rows, "
            f"so row {header_row} cannot be the header",
        )
    if is_blank_row(sample[header_row - 1]):
        raise ImportFileError(
            source.path,
            f": row {header_row} of the sheet '{sheet.name}' is empty: "
            "choose the row that holds the column names",
        )


def _sheet_named(source: TableSource, sheets: list[SheetInfo], name: str) -> SheetInfo:
    for sheet in sheets:
        if sheet.name == name:
            return sheet
    for sheet in sheets:
        if sheet.name.strip().casefold() == name.strip().casefold():
            return sheet
    names = ", ".join(f"'{sheet.name}'" for sheet in sheets)
    raise ImportFileError(source.path, f"has no sheet named '{name}' (its sheets: {names})")


def detect_layout(
    source: TableSource, sheet: str | None = None, header_row: int | None = None
) -> SheetLayout:
    """The sheet holding the list and its header row; explicit choices are honoured.

    Raises ``ImportFileError`` when no sheet holds a table, or the table has a header but
    no rows.
    """
    sheets = source.sheets()
    if not sheets:
        raise ImportFileError(source.path, "has no worksheets: there is nothing to import")
    if sheet is None and header_row is not None:
        # A header row chosen without a sheet applies to the sheet that would be chosen.
        try:
            sheet = detect_layout(source).sheet
        except ImportFileError:
            sheet = ([info for info in sheets if info.visible] or sheets)[0].name
    if sheet is not None:
        candidates = [_sheet_named(source, sheets, sheet)]
    else:
        visible = [info for info in sheets if info.visible]
        candidates = visible or sheets
    guesses = [guess for info in candidates if (guess := _guess_table(source, info, header_row))]
    if not guesses and sheet is None and len(candidates) < len(sheets):
        hidden = [info for info in sheets if info not in candidates]
        guesses = [guess for info in hidden if (guess := _guess_table(source, info, header_row))]
    if not guesses:
        if sheet is not None:
            raise ImportFileError(
                source.path,
                f": the sheet '{candidates[0].name}' holds no table (a header row with rows "
                "below it): choose another sheet",
            )
        raise ImportFileError(
            source.path,
            "holds no table to import (no sheet has a header row with rows below it)",
        )
    best = max(guesses, key=lambda guess: (guess.data_rows > 0, guess.score, -guess.sheet.index))
    if best.data_rows == 0:
        raise ImportFileError(
            source.path, f": the sheet '{best.sheet.name}' has a header but no rows"
        )
    return SheetLayout(sheet=best.sheet.name, header_row=best.header_row, headers=best.headers)


def iter_records(source: TableSource, layout: SheetLayout) -> Iterator[tuple[int, list[CellValue]]]:
    """Each data row below the header as (sheet row number, one value per header).

    Blank rows are skipped; rows are padded with ``None`` or cut to the header's width.
    """
    width = len(layout.headers)
    rows = enumerate(source.rows(layout.sheet), start=1)
    for number, row in itertools.islice(rows, layout.header_row, None):
        length = len(row)
        if length == width:
            values = row
        elif not length:
            continue  # readers trim empty cells: a blank row is []
        elif length < width:
            values = row + [None] * (width - length)
        else:
            values = row[:width]
        if not is_blank_row(values):
            yield number, values
