"""The streaming xlsx measures agree with calamine's way of counting, whatever the chunking."""

from __future__ import annotations

import io
import random

import pytest

from lastmile_desktop.spreadsheets.safety import sheet_extent
from lastmile_desktop.spreadsheets.safety.shared_text import (
    STRING_OVERHEAD,
    InlineTextMeter,
    xlsx_shared_text_bytes,
    xlsx_string_sizes,
)
from lastmile_desktop.spreadsheets.safety.sheet_extent import Extent, without_prefixes, xml_chunks
from lastmile_desktop.spreadsheets.safety.sheet_extent_xlsx import (
    _Cursor,
    _walk_tags,
    column_letters,
    xlsx_sheet_extent,
)
from tests.spreadsheets.workbook_builders import prefixed_xml


def tag_by_tag(xml: bytes) -> tuple[int, int]:
    """(rows, columns) of cells holding values, every tag followed in order as calamine does."""
    extent = Extent()
    _walk_tags(without_prefixes(xml), 0, extent, _Cursor())
    return extent.rows, extent.columns


def random_cell(rng: random.Random, row: int, column: int) -> str:
    reference = f"{column_letters(column)}{row}"
    style = rng.random()
    if style < 0.1:
        return "<c><v>1</v></c>"  # no reference: the next column
    if style < 0.15:
        return f'<c r="{column_letters(column)}"><v>1</v></c>'  # letters only
    if style < 0.3:
        return f'<c r="{reference}" s="2"/>'  # styled, empty
    if style < 0.35:
        return f'<c s="1" r="{reference}" t="s"><v>0</v></c>'  # reference not first
    return f'<c r="{reference}" t="s"><v>{rng.randrange(5)}</v></c>'


def random_sheet(rng: random.Random, *, usual_only: bool) -> bytes:
    rows = rng.sample(range(1, 3000), 60)
    if rng.random() < 0.6:
        rows.sort()  # most sheets are sorted; unsorted ones must measure the same
    parts = ['<?xml version="1.0"?><worksheet xmlns="urn:main"><sheetData>']
    for row in rows:
        columns = sorted(rng.sample(range(1, 800), rng.randrange(1, 12)))
        cells = "".join(
            f'<c r="{column_letters(column)}{row}"><v>1</v></c>'
            if usual_only
            else random_cell(rng, row, column)
            for column in columns
        )
        opening = f'<row r="{row}">' if usual_only or rng.random() < 0.8 else "<row>"
        parts.append(f"{opening}{cells}</row>")
    parts.append('<row r="4000" s="1" customFormat="1"/></sheetData></worksheet>')
    return "".join(parts).encode()


@pytest.mark.parametrize("seed", range(40))
def test_the_streamed_extent_matches_calamines_counting_at_every_chunk_size(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    xml = random_sheet(rng, usual_only=seed % 2 == 0)
    if seed % 5 == 0:
        xml = prefixed_xml(xml)
    monkeypatch.setattr(sheet_extent, "_CHUNK", rng.choice([64, 333, 4096]))

    extent = xlsx_sheet_extent(io.BytesIO(xml))

    assert (extent.rows, extent.columns) == tag_by_tag(xml)
    assert extent.rows > 0


def test_a_value_past_the_last_rows_of_a_chunk_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first guess (the last cells) is too small: the search must still find the far cell.
    monkeypatch.setattr(sheet_extent, "_CHUNK", 1 << 20)
    rows = [f'<row r="{row}"><c r="A{row}"><v>1</v></c></row>' for row in range(1, 200)]
    rows.insert(5, '<row r="90000"><c r="AB90000"><v>1</v></c><c r="XFD90000" s="1"/></row>')
    xml = f"<worksheet><sheetData>{''.join(rows)}</sheetData></worksheet>".encode()

    extent = xlsx_sheet_extent(io.BytesIO(xml))

    assert (extent.rows, extent.columns) == (90000, 28)


def test_styled_empty_cells_do_not_widen_the_sheet() -> None:
    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1" s="1"/></row>'
        b'<row r="1048576"><c r="XFD1048576" s="3"/></row></sheetData></worksheet>'
    )
    extent = xlsx_sheet_extent(io.BytesIO(xml))
    assert (extent.rows, extent.columns) == (1, 1)


def test_cells_referring_to_shared_strings_are_counted() -> None:
    xml = b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    assert xlsx_sheet_extent(io.BytesIO(xml)).shared_cells == 2


def test_xml_chunks_cut_before_tags_and_drop_prefixes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_extent, "_CHUNK", 10)
    xml = b'<x:row r="1"><x:c r="A1"><x:v>12345</x:v></x:c></x:row>'

    chunks = list(xml_chunks(io.BytesIO(xml), local_names=True))

    assert b"".join(chunks) == b'<row r="1"><c r="A1"><v>12345</v></c></row>'
    assert all(chunk.startswith(b"<") for chunk in chunks)


@pytest.mark.parametrize("chunk_size", [7, 50, 1 << 20])
def test_shared_string_sizes_bound_each_string_across_chunks(
    monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    monkeypatch.setattr(sheet_extent, "_CHUNK", chunk_size)
    texts = ["Anna", "", "é" * 40, "x" * 500, "Smith"]
    items = [
        "<si><t>Anna</t></si>",
        "<si/>",
        f'<si><t xml:space="preserve">{texts[2]}</t></si>',
        f"<si><r><t>{'x' * 250}</t></r><r><t>{'x' * 250}</t></r></si>",
        '<si foo="1"><t>Smith</t></si>',
    ]
    xml = f'<?xml version="1.0"?><sst count="5">{"".join(items)}</sst>'.encode()

    sizes = list(xlsx_string_sizes(io.BytesIO(xml)))

    assert len(sizes) == len(texts)
    for size, text, item in zip(sizes, texts, items, strict=True):
        largest = len(item.encode()) + 2 * STRING_OVERHEAD
        assert len(text.encode()) + STRING_OVERHEAD <= size <= largest


def test_prefixed_shared_strings_are_measured() -> None:
    xml = prefixed_xml(b'<sst xmlns="urn:main"><si><t>aaaa</t></si><si><t>b</t></si></sst>')
    assert len(xlsx_string_sizes(io.BytesIO(xml))) == 2


@pytest.mark.parametrize("chunk_size", [5, 64, 1 << 20])
def test_inline_text_is_added_up_across_chunks(
    monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    monkeypatch.setattr(sheet_extent, "_CHUNK", chunk_size)
    texts = ["a" * 300, "bb", "c" * 1000]
    cells = "".join(
        f'<c r="A{row}" t="inlineStr"><is><t>{text}</t></is></c>'
        for row, text in enumerate(texts, start=1)
    )
    meter = InlineTextMeter()
    for chunk in xml_chunks(io.BytesIO(f"<sheetData>{cells}</sheetData>".encode())):
        meter.add(chunk)

    body = len("<t></t>")
    assert meter.total == sum(len(text) + body + STRING_OVERHEAD for text in texts)


def test_shared_text_counts_each_reference_and_the_worst_case_for_unreadable_ones() -> None:
    sizes = [100, 20, 5000]
    cells = (
        '<c r="A1" t="s"><v>0</v></c><c r="A2" t="s"><v>0</v></c><c r="A3" t="s"><v>1</v></c>'
        '<c r="A4" t="s"><v>99</v></c>'  # past the table: copies nothing
        '<c r="A5" t="s"><is><t>odd</t></is></c>'  # no index: counted as the longest string
    )
    xml = f"<sheetData><row>{cells}</row></sheetData>".encode()

    assert xlsx_shared_text_bytes(io.BytesIO(xml), sizes) == 100 + 100 + 20 + 5000
