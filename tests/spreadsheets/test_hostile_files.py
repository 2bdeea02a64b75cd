"""Hostile, damaged and protected files fail fast, with a clear message and bounded memory."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lastmile_desktop.spreadsheets.errors import ImportFileError
from lastmile_desktop.spreadsheets.layout import detect_layout, iter_records
from lastmile_desktop.spreadsheets.readers import open_source
from tests.spreadsheets.workbook_builders import (
    CUSTOMER_HEADER,
    compound_file,
    customer_rows,
    write_absurd_dimension_xlsx,
    write_billion_laughs_xlsx,
    write_binary_csv,
    write_cell_below_its_row_xlsx,
    write_encrypted_ods,
    write_encrypted_xls,
    write_excel_2_worksheet,
    write_external_entity_xlsx,
    write_far_cell_xls,
    write_looping_ole_xls,
    write_million_columns_xlsx,
    write_password_protected_xlsx,
    write_prefixed_corners_xlsx,
    write_prefixed_shared_string_bomb_xlsx,
    write_repeated_cells_ods,
    write_repeated_text_ods,
    write_shared_string_bomb_xls,
    write_shared_string_bomb_xlsx,
    write_text_renamed_xlsx,
    write_truncated_xlsx,
    write_word_document_named_xlsx,
    write_xlsx,
    write_zip_bomb_xlsx,
)

PROTECTED = "is protected with a password: save an unprotected copy and import that"
RESAVE = "open it in Excel and save it again as .xlsx"
HARMFUL = f"contains instructions that could harm the computer; {RESAVE}"
TOO_LARGE = "is too large to be a customer list"
WHAT_TO_DO_IF_TOO_LARGE = "keep only the customer list in the file, or split it into smaller files"
# Words a person who was sent a file should not have to look up.
JARGON = ("dtd", "xxe", "entity", "zip bomb", "xml", "inflate", "prologue")

# (file name, builder, what the message says after the file name)
HOSTILE_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("laughs.xlsx", write_billion_laughs_xlsx, HARMFUL),
    ("xxe.xlsx", write_external_entity_xlsx, HARMFUL),
    (
        "bomb.xlsx",
        write_zip_bomb_xlsx,
        f"{TOO_LARGE} (its sheets would take 2 GB of memory): {WHAT_TO_DO_IF_TOO_LARGE}",
    ),
    (
        "dense_bomb.xlsx",
        lambda path: write_zip_bomb_xlsx(path, 300 * 1024 * 1024),
        "unpacks to far more than its size, enough to overload the computer; "
        f"{RESAVE}, or ask for the file again",
    ),
    (
        "corners.xlsx",
        write_absurd_dimension_xlsx,
        f"{TOO_LARGE} (a sheet would take 512 GB of memory): {WHAT_TO_DO_IF_TOO_LARGE}",
    ),
    (
        "prefixed_corners.xlsx",
        write_prefixed_corners_xlsx,
        f"{TOO_LARGE} (a sheet would take 512 GB of memory",
    ),
    (
        "below.xlsx",
        write_cell_below_its_row_xlsx,
        f"{TOO_LARGE} (a sheet would take 832 MB of memory",
    ),
    (
        "wide.xlsx",
        write_million_columns_xlsx,
        "has cells beyond Excel's last row or column in a sheet, which no spreadsheet program "
        f"writes; {RESAVE}",
    ),
    (
        "far.xls",
        write_far_cell_xls,
        f"{TOO_LARGE} (the sheet 'Customers' would take 512 MB of memory",
    ),
    (
        "repeats.ods",
        lambda path: write_repeated_cells_ods(path, 100_000, 1_000),
        f"{TOO_LARGE} (the sheet 'Customers' would take 3 GB of memory",
    ),
    (
        "texts.ods",
        write_repeated_text_ods,
        f"{TOO_LARGE} (the text of the sheet 'Customers' would take",
    ),
    (
        "strings.xlsx",
        write_shared_string_bomb_xlsx,
        f"{TOO_LARGE} (the text of a sheet would take",
    ),
    (
        "prefixed_strings.xlsx",
        write_prefixed_shared_string_bomb_xlsx,
        f"{TOO_LARGE} (the text of a sheet would take",
    ),
    (
        "strings.xls",
        write_shared_string_bomb_xls,
        f"{TOO_LARGE} (the text of the sheet 'Customers' would take",
    ),
    (
        "customers.xlsx",
        write_text_renamed_xlsx,
        "is not an Excel workbook (it looks like a text file): "
        "if it is a CSV export, rename it to .csv and import that",
    ),
    ("cut.xlsx", write_truncated_xlsx, "is damaged or incomplete"),
    ("secret.xlsx", write_password_protected_xlsx, PROTECTED),
    ("secret.xls", write_encrypted_xls, PROTECTED),
    ("secret.ods", write_encrypted_ods, PROTECTED),
    ("loop.xls", write_looping_ole_xls, "is damaged (its Excel 97-2003 container is broken)"),
    ("binary.csv", write_binary_csv, "is not a text file (it looks like binary data)"),
    ("letter.xlsx", write_word_document_named_xlsx, "is a Word document, not a spreadsheet"),
    ("old.xls", write_excel_2_worksheet, "is an Excel 2.x to 5.0 worksheet"),
]


def import_whole(path: Path) -> int:
    with open_source(path) as source:
        layout = detect_layout(source)
        return sum(1 for _ in iter_records(source, layout))


@pytest.mark.parametrize(
    ("name", "build", "problem"), HOSTILE_FILES, ids=[name for name, _, _ in HOSTILE_FILES]
)
def test_a_hostile_file_is_refused_with_a_message_naming_it(
    tmp_path: Path, name: str, build: Callable[[Path], Path], problem: str
) -> None:
    path = build(tmp_path / name)

    with pytest.raises(ImportFileError) as raised:
        import_whole(path)

    message = str(raised.value)
    assert message.startswith(f"{name} {problem}")
    assert "\n" not in message
    said = message.removeprefix(name).lower()
    assert not [word for word in JARGON if word in said], message


@pytest.mark.parametrize(
    ("name", "build", "logged"),
    [
        ("laughs.xlsx", write_billion_laughs_xlsx, "document type declaration (DTD)"),
        ("xxe.xlsx", write_external_entity_xlsx, "external entities (XXE)"),
        ("dense_bomb.xlsx", lambda path: write_zip_bomb_xlsx(path, 300 * 1024 * 1024), "zip bomb"),
        ("wide.xlsx", write_million_columns_xlsx, "12,356,630 columns"),
        ("corners.xlsx", write_absurd_dimension_xlsx, "cells in memory"),
    ],
)
def test_what_exactly_made_a_file_hostile_goes_to_the_log_not_the_message(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    name: str,
    build: Callable[[Path], Path],
    logged: str,
) -> None:
    path = build(tmp_path / name)
    caplog.set_level(logging.WARNING, logger="lastmile_desktop.spreadsheets.errors")

    with pytest.raises(ImportFileError) as raised:
        import_whole(path)

    assert logged in raised.value.detail
    assert logged not in str(raised.value)
    assert any(
        str(path) in record.getMessage() and logged in record.getMessage()
        for record in caplog.records
    )


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    path.write_bytes(b"")
    with pytest.raises(ImportFileError) as raised:
        import_whole(path)
    assert str(raised.value) == "customers.xlsx is empty (0 bytes): ask for the file again"


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("report.xlsx", b"%PDF-1.7\n...", "is a PDF document, not a spreadsheet"),
        ("export.xls", b"<html><body><table><tr><td>x</td></tr></table>", "(it is a web page)"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "is not a text file"),
        ("list.docx", b"Name,Phone\n", "is not a file that can be imported"),
        (
            "old.xml.xls",
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:'
            b'office:spreadsheet"/>',
            "is an Excel 2003 XML spreadsheet",
        ),
    ],
)
def test_other_files_say_what_they_are(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as raised:
        import_whole(path)
    assert problem in str(raised.value)
    assert str(raised.value).startswith(name)


def test_a_zip_that_is_no_workbook_says_to_unpack_it(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "lists.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("customers.csv", "Name,Phone\n")
    with pytest.raises(ImportFileError, match="is a zip archive, not a spreadsheet: unpack it"):
        import_whole(path)


def test_an_ole_file_without_a_workbook_is_not_an_excel_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xls"
    path.write_bytes(compound_file(["Contents"]))
    with pytest.raises(ImportFileError, match="with no workbook inside"):
        import_whole(path)


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("corners.xlsx", write_absurd_dimension_xlsx),
        ("prefixed_corners.xlsx", write_prefixed_corners_xlsx),
        ("below.xlsx", write_cell_below_its_row_xlsx),
        ("wide.xlsx", write_million_columns_xlsx),
        ("far.xls", write_far_cell_xls),
        ("repeats.ods", lambda path: write_repeated_cells_ods(path, 100_000, 1_000)),
        ("bomb.xlsx", write_zip_bomb_xlsx),
        ("strings.xlsx", write_shared_string_bomb_xlsx),
        ("prefixed_strings.xlsx", write_prefixed_shared_string_bomb_xlsx),
        ("strings.xls", write_shared_string_bomb_xls),
        ("texts.ods", write_repeated_text_ods),
    ],
)
def test_oversized_files_are_refused_before_the_reader_opens_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, build: Callable[[Path], Path]
) -> None:
    # calamine would try to lay these out in memory (and abort the process); the checks
    # must refuse them without ever calling it.
    import python_calamine

    def must_not_open(*_: object, **__: object) -> None:
        raise AssertionError("calamine was asked to open a hostile file")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", must_not_open)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", must_not_open)
    path = build(tmp_path / name)

    with pytest.raises(ImportFileError):
        import_whole(path)


def test_a_styled_tail_of_a_million_rows_is_not_mistaken_for_a_huge_sheet(tmp_path: Path) -> None:
    # Empty styled cells cost calamine nothing; only cells holding values count.
    from tests.spreadsheets.workbook_builders import sheet_xml, write_raw_xlsx

    content = sheet_xml([CUSTOMER_HEADER, *customer_rows(3)]).replace(
        b"</sheetData>",
        b'<row r="1048576"><c r="A1048576" s="1"/><c r="XFD1048576" s="1"/></row></sheetData>',
    )
    path = write_raw_xlsx(tmp_path / "tail.xlsx", {"Customers": content})

    assert import_whole(path) == 3


def test_a_list_with_one_long_note_is_read(tmp_path: Path) -> None:
    # The quick bound (every reference to the longest text) is exceeded; the exact count is not.
    rows = [[*CUSTOMER_HEADER, "Notes"], *[[*row, "call"] for row in customer_rows(2000)]]
    rows[1][-1] = "n" * 30_000
    path = write_xlsx(tmp_path / "notes.xlsx", {"Customers": rows})

    assert import_whole(path) == 2000


def test_shared_strings_of_an_xls_are_measured_across_continue_records(tmp_path: Path) -> None:
    import xlwt

    from lastmile_desktop.spreadsheets.safety.ole_container import (
        CompoundFile,
        walk_workbook_stream,
    )

    texts = ["a" * 9000, "é" * 5000, "short", "中" * 7000, "b"]  # crosses 8 KB records
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("S")
    for row, text in enumerate(texts):
        sheet.write(row, 0, text)
        sheet.write(row, 1, text)
    path = tmp_path / "texts.xls"
    workbook.save(str(path))

    stream = CompoundFile(path.read_bytes()).stream("Workbook")
    facts = walk_workbook_stream(stream or b"")

    assert facts.string_sizes == [3 * len(text) + 16 for text in texts]
    assert facts.sheets["S"].references == dict.fromkeys(range(5), 2)


def test_a_normal_large_list_passes_the_checks(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", {"Customers": [CUSTOMER_HEADER, *customer_rows(3000)]})
    assert import_whole(path) == 3000


_WORKER = """
import json, resource, sys
from pathlib import Path
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from lastmile_desktop.spreadsheets.errors import ImportFileError
from lastmile_desktop.spreadsheets.layout import detect_layout, iter_records
from lastmile_desktop.spreadsheets.readers import open_source
for name in sys.argv[2:]:
    try:
        with open_source(Path(name)) as source:
            layout = detect_layout(source)
            sum(1 for _ in iter_records(source, layout))
        outcome = "accepted"
    except ImportFileError as error:
        outcome = "refused: " + str(error)
    print(json.dumps([Path(name).name, outcome]), flush=True)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec, so it would report the test
# run's own size at the moment it started this interpreter.
with open("/proc/self/status", encoding="ascii") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps(["peak_rss_kb", peak]))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limits need Linux")
def test_every_hostile_file_is_refused_within_400_mb_of_address_space(tmp_path: Path) -> None:
    # A fresh interpreter that cannot map more than 400 MB: a reader that tried to inflate
    # or lay out any of these files would die, not refuse.
    paths = [build(tmp_path / name) for name, build, _ in HOSTILE_FILES]
    result = subprocess.run(
        [sys.executable, "-c", _WORKER, str(400 * 1024 * 1024), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    outcomes = dict(lines[:-1])
    assert sorted(outcomes) == sorted(name for name, _, _ in HOSTILE_FILES)
    assert all(outcome.startswith("refused: ") for outcome in outcomes.values()), outcomes
    assert lines[-1][0] == "peak_rss_kb" and lines[-1][1] < 400 * 1024
