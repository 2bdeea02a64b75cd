"""Small workbooks and CSV files of every kind the importer meets, written by the tests.

Other import tests reuse these; keep the names and signatures stable. Each writer takes the
target path, writes the file and returns the path. Rows are lists of plain Python values
(``None`` for an empty cell); a ``Formula`` cell carries the result Excel would have cached.

- ``write_xlsx`` (openpyxl; also .xlsm), ``write_xls`` (xlwt), ``write_ods`` (odfpy),
  ``write_csv`` (by hand, any encoding and separator).
- ``write_raw_xlsx`` writes the package XML itself, for what openpyxl cannot write: formula
  cells with cached values (openpyxl saves formulas without results), 1904 date systems,
  lying dimensions, DTDs.
- ``write_*`` hostile files: billion laughs, XXE, zip bombs, absurd dimensions, a password
  protected (encrypted) package, a truncated zip, binary data named .csv, text named .xlsx.
"""

from __future__ import annotations

import random
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

CUSTOMER_HEADER = [
    "Customer ID",
    "First name",
    "Last name",
    "Phone",
    "Email",
    "Store",
    "Last purchase",
    "Lifetime spend",
    "Visits",
]

Rows = Sequence[Sequence[object]]


def customer_rows(count: int, *, start: int = 1) -> list[list[object]]:
    """``count`` plausible customers matching ``CUSTOMER_HEADER``, numbered from ``start``."""
    rows: list[list[object]] = []
    for number in range(start, start + count):
        rows.append(
            [
                f"C{number:05d}",
                ["Ann", "Bram", "Chloé", "Dirk", "Eva"][number % 5],
                ["Smith", "de Vries", "Müller", "O'Brien", "Janssen"][number % 5],
                f"06{12345000 + number:08d}",
                f"customer{number}@example.com",
                number % 7 + 1,
                date(2024, 1, 1) + timedelta(days=number % 300),
                round(10 + number * 1.25, 2),
                number % 9 + 1,
            ]
        )
    return rows


@dataclass(frozen=True)
class Formula:
    """A formula cell as Excel saves it: the formula and the result of its last calculation."""

    formula: str
    cached: object


# --- regular workbooks -----------------------------------------------------------------------


def write_xlsx(
    path: Path,
    sheets: Mapping[str, Rows],
    *,
    hidden: Iterable[str] = (),
    merged: Mapping[str, Iterable[str]] | None = None,
    styled_empty_rows: int = 0,
) -> Path:
    """An .xlsx (or .xlsm) through openpyxl, sheets in the mapping's order.

    ``merged`` maps a sheet to ranges such as "A1:F1"; ``styled_empty_rows`` gives every sheet
    that many bold but empty rows below its data, as exports that format whole blocks do.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    hidden_names = set(hidden)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row_number, row in enumerate(rows, start=1):
            for column_number, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row_number, column_number, value)
        width = max((len(row) for row in rows), default=1)
        for row_number in range(len(rows) + 1, len(rows) + 1 + styled_empty_rows):
            for column_number in range(1, width + 1):
                sheet.cell(row_number, column_number).font = bold
        for cell_range in (merged or {}).get(name, ()):
            sheet.merge_cells(cell_range)
        if name in hidden_names:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def write_xls(path: Path, sheets: Mapping[str, Rows]) -> Path:
    """An Excel 97-2003 .xls through xlwt; dates become date cells."""
    import xlwt

    workbook = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    datetime_style = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    for name, rows in sheets.items():
        sheet = workbook.add_sheet(name)
        for row_index, row in enumerate(rows):
            for column_index, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    sheet.write(row_index, column_index, value, datetime_style)
                elif isinstance(value, date):
                    sheet.write(row_index, column_index, value, date_style)
                else:
                    sheet.write(row_index, column_index, value)
    workbook.save(str(path))
    return path


def write_ods(path: Path, sheets: Mapping[str, Rows]) -> Path:
    """An OpenDocument spreadsheet through odfpy, with typed number, date and text cells."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            table_row = TableRow()
            for value in row:
                if value is None:
                    cell = TableCell()
                elif isinstance(value, bool):
                    cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
                elif isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=value)
                elif isinstance(value, date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat())
                else:
                    cell = TableCell(valuetype="string")
                if value is not None:
                    cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def write_csv(
    path: Path,
    rows: Rows,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
    line_ending: str = "\r\n",
) -> Path:
    """A delimited text file written by hand; fields with the separator or quotes are quoted."""

    def field(value: object) -> str:
        text = "" if value is None else str(value)
        if any(special in text for special in (delimiter, '"', "\n", "\r")):
            return '"' + text.replace('"', '""') + '"'
        return text

    text = "".join(delimiter.join(field(value) for value in row) + line_ending for row in rows)
    data = text.encode(encoding)
    if bom:
        data = "\ufeff".encode(encoding) + data
    path.write_bytes(data)
    return path


# --- xlsx written XML by XML ----------------------------------------------------------------

_SHEET_NS = (
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs></styleSheet>"
)
_DATE_STYLE, _DATETIME_STYLE, _TIME_STYLE = 1, 2, 3


def cell_reference(row: int, column: int) -> str:
    """(1, 1) -> "A1"; row and column 1-based."""
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"{letters}{row}"


def _serial(value: date, date1904: bool) -> float:
    epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    return (moment - epoch).total_seconds() / 86400


def cell_xml(reference: str, value: object, *, date1904: bool = False) -> str:
    """One ``<c>`` element for ``value``: text inline, numbers, booleans, dates, times, formulas."""
    if isinstance(value, Formula):
        formula = f"<f>{escape(value.formula.removeprefix('='))}</f>"
        cached = value.cached
        if isinstance(cached, bool):
            return f'<c r="{reference}" t="b">{formula}<v>{int(cached)}</v></c>'
        if isinstance(cached, int | float):
            return f'<c r="{reference}">{formula}<v>{cached}</v></c>'
        return f'<c r="{reference}" t="str">{formula}<v>{escape(str(cached))}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    if isinstance(value, time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return f'<c r="{reference}" s="{_TIME_STYLE}"><v>{seconds / 86400!r}</v></c>'
    if isinstance(value, date):
        style = _DATETIME_STYLE if isinstance(value, datetime) else _DATE_STYLE
        return f'<c r="{reference}" s="{style}"><v>{_serial(value, date1904)!r}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(
    rows: Rows,
    *,
    dimension: str | None = None,
    prologue: str = "",
    date1904: bool = False,
    extra_cells: Iterable[tuple[str, object]] = (),
) -> bytes:
    """A worksheet part; ``extra_cells`` adds (reference, value) cells in a last row of their own.

    ``prologue`` goes between the XML declaration and the root element (for DTD tests).
    """
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prologue}']
    parts.append(f"<worksheet {_SHEET_NS}>")
    if dimension:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts.append("<sheetData>")
    for row_number, row in enumerate(rows, start=1):
        cells = "".join(
            cell_xml(cell_reference(row_number, column), value, date1904=date1904)
            for column, value in enumerate(row, start=1)
            if value is not None
        )
        parts.append(f'<row r="{row_number}">{cells}</row>')
    extra = list(extra_cells)
    for reference, value in extra:
        row_number = int("".join(char for char in reference if char.isdigit()))
        parts.append(f'<row r="{row_number}">{cell_xml(reference, value)}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode()


def _content_types(sheet_count: int, shared_strings: bool) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for number in range(1, sheet_count + 1)
    )
    if shared_strings:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )


_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def raw_xlsx_parts(
    sheets: Mapping[str, bytes],
    *,
    date1904: bool = False,
    hidden: Iterable[str] = (),
    shared_strings: bytes | None = None,
) -> dict[str, bytes]:
    """The parts of a minimal xlsx package holding the given worksheet parts."""
    hidden_names = set(hidden)
    sheet_entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{number}" r:id="rId{number}"'
        + (' state="hidden"' if name in hidden_names else "")
        + "/>"
        for number, name in enumerate(sheets, start=1)
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<workbook {_SHEET_NS}>"
        + ('<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>")
        + f"<sheets>{sheet_entries}</sheets></workbook>"
    )
    relationships = "".join(
        f'<Relationship Id="rId{number}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/worksheet" Target="worksheets/sheet{number}.xml"/>'
        for number in range(1, len(sheets) + 1)
    )
    count = len(sheets)
    relationships += (
        f'<Relationship Id="rId{count + 1}" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    )
    if shared_strings is not None:
        relationships += (
            f'<Relationship Id="rId{count + 2}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        )
    parts = {
        "[Content_Types].xml": _content_types(count, shared_strings is not None).encode(),
        "_rels/.rels": _PACKAGE_RELS.encode(),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            f'"http://schemas.openxmlformats.org/package/2006/relationships">{relationships}'
            "</Relationships>"
        ).encode(),
        "xl/styles.xml": _STYLES.encode(),
    }
    for number, content in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{number}.xml"] = content
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    return parts


def write_raw_xlsx(
    path: Path,
    sheets: Mapping[str, bytes | Rows],
    *,
    date1904: bool = False,
    hidden: Iterable[str] = (),
    shared_strings: bytes | None = None,
) -> Path:
    """An xlsx whose XML is written here: each sheet is ``sheet_xml`` bytes or plain rows."""
    parts = raw_xlsx_parts(
        {
            name: content if isinstance(content, bytes) else sheet_xml(content, date1904=date1904)
            for name, content in sheets.items()
        },
        date1904=date1904,
        hidden=hidden,
        shared_strings=shared_strings,
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return path


# --- hostile files -----------------------------------------------------------------------------

BILLION_LAUGHS_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{level} "' + f"&lol{level - 1};" * 10 + '">' for level in range(2, 10)
    ).replace("&lol1;", "&lol;")
    + "]>\n"
)


def write_billion_laughs_xlsx(path: Path) -> Path:
    """An xlsx whose sheet declares nested entities that would expand to gigabytes."""
    rows = [["Name", "Phone"], ["&lol9;", "0612345678"]]
    content = sheet_xml(rows, prologue=BILLION_LAUGHS_DTD).replace(b"&amp;lol9;", b"&lol9;")
    return write_raw_xlsx(path, {"Customers": content})


def write_external_entity_xlsx(path: Path) -> Path:
    """An xlsx whose shared strings try to pull in a local file (XXE)."""
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE sst [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>&secret;</t></si></sst>'
    )
    content = sheet_xml([["Name", "Phone"]]).replace(
        b'<row r="1">', b'<row r="2"><c r="A2" t="s"><v>0</v></c></row><row r="1">', 1
    )
    return write_raw_xlsx(path, {"Customers": content}, shared_strings=shared)


def write_absurd_dimension_xlsx(path: Path) -> Path:
    """An xlsx declaring A1:XFD1048576 with a real value in both corners (17 billion cells)."""
    content = sheet_xml(
        [["Name", "Phone"], ["Ann", "0612345678"]],
        dimension="A1:XFD1048576",
        extra_cells=[("XFD1048576", "corner")],
    )
    return write_raw_xlsx(path, {"Customers": content})


def prefixed_xml(xml: bytes, prefix: str = "x") -> bytes:
    """``xml`` with every element in a prefixed namespace (``<x:c>``), as some generators write."""
    renamed = re.sub(rb"<(/?)(?=[A-Za-z])", rb"<\1" + prefix.encode() + b":", xml)
    return renamed.replace(b'xmlns="', f'xmlns:{prefix}="'.encode(), 1)


def write_prefixed_corners_xlsx(path: Path) -> Path:
    """The two-corner sheet of ``write_absurd_dimension_xlsx`` with prefixed element names."""
    content = sheet_xml([["Name", "Phone"], ["Ann", "0612345678"]], extra_cells=[("XFD1048576", 1)])
    return write_raw_xlsx(path, {"Customers": prefixed_xml(content)})


def write_cell_below_its_row_xlsx(path: Path) -> Path:
    """A cell in row 2's tag whose own reference puts it in the last row (calamine believes the
    cell): 27 million cells once laid out."""
    content = sheet_xml([["Name", "Phone"], ["Ann", "0612345678"]]).replace(
        b'<c r="B2"', b'<c r="Z1048576"'
    )
    return write_raw_xlsx(path, {"Customers": content})


def write_prefixed_shared_string_bomb_xlsx(path: Path) -> Path:
    """``write_shared_string_bomb_xlsx`` with prefixed element names in both parts."""
    write_shared_string_bomb_xlsx(path)
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    for name in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"):
        parts[name] = prefixed_xml(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return path


def write_million_columns_xlsx(path: Path) -> Path:
    """An xlsx with a value in column ZZZZZ (about 12 million), far past Excel's XFD."""
    content = sheet_xml([["Name", "Phone"], ["Ann", "0612345678"]], extra_cells=[("ZZZZZ3", 1)])
    return write_raw_xlsx(path, {"Customers": content})


def write_text_renamed_xlsx(path: Path) -> Path:
    """A CSV export saved under an .xlsx name."""
    path.write_text("Name,Phone\nAnn,0612345678\n", encoding="utf-8")
    return path


def write_truncated_xlsx(path: Path) -> Path:
    """A real xlsx cut in half, as an interrupted download leaves it."""
    full = write_xlsx(path, {"Customers": [CUSTOMER_HEADER, *customer_rows(200)]}).read_bytes()
    path.write_bytes(full[: len(full) // 2])
    return path


def write_binary_csv(path: Path) -> Path:
    """Random bytes (with NULs and control codes) under a .csv name."""
    path.write_bytes(random.Random(20240501).randbytes(8192))
    return path


# An OLE compound file (CFB) with 512-byte sectors: header, one FAT sector, one directory
# sector. Encrypted OOXML (an xlsx saved with a password) is exactly such a container with
# "EncryptionInfo" and "EncryptedPackage" streams; their content does not matter here.
_FREE, _END_OF_CHAIN, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _directory_entry(
    name: str, kind: int, child: int = _NO_STREAM, right: int = _NO_STREAM
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NO_STREAM, right, child)
        + bytes(16 + 4 + 8 + 8)
        + struct.pack("<IQ", _END_OF_CHAIN, 0)
    )


def compound_file(stream_names: Sequence[str]) -> bytes:
    """A minimal valid CFB holding empty streams with the given names (up to three)."""
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END_OF_CHAIN, 0, _END_OF_CHAIN, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", _FREE) * 108
    )
    fat = struct.pack("<II", _FAT_SECTOR, _END_OF_CHAIN) + struct.pack("<I", _FREE) * 126
    entries = [_directory_entry("Root Entry", 5, child=1 if stream_names else _NO_STREAM)]
    for index, name in enumerate(stream_names, start=1):
        right = index + 1 if index < len(stream_names) else _NO_STREAM
        entries.append(_directory_entry(name, 2, right=right))
    while len(entries) < 4:
        entries.append(_directory_entry("", 0))
    return header + fat + b"".join(entries)


def write_password_protected_xlsx(path: Path) -> Path:
    """An xlsx saved with a password: an OLE container with the encrypted package inside."""
    path.write_bytes(compound_file(["EncryptionInfo", "EncryptedPackage"]))
    return path


# Zip bombs: a sheet part of gigabytes of spaces that deflates about 1,000 times. Writing
# gigabytes through zlib would take seconds, so one 16 MB block is compressed once and its
# byte-aligned output repeated; the CRC of the repeats comes from crc32_combine.
_BOMB_BLOCK = 16 * 1024 * 1024


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, index = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[index]
        vector >>= 1
        index += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, row) for row in matrix]


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A+B from crc(A), crc(B) and len(B), as zlib's crc32_combine."""
    if length2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << bit for bit in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _gf2_square(even)
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def _repeated_crc(crc: int, length: int, times: int) -> int:
    """The CRC-32 of a block repeated ``times`` times, by doubling."""
    result, result_length = 0, 0
    while times:
        if times & 1:
            result = crc32_combine(result, crc, length) if result_length else crc
            result_length += length
        crc = crc32_combine(crc, crc, length)
        length *= 2
        times >>= 1
    return result


def _write_deflated_zip(path: Path, members: Sequence[tuple[str, bytes, int, int]]) -> None:
    """A zip of (name, raw deflate data, crc32, inflated size) members, sizes under 4 GB."""
    central, offset = [], 0
    with path.open("wb") as handle:
        for name, data, crc, size in members:
            encoded = name.encode()
            fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(data), size)
            local = b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded
            handle.write(local)
            handle.write(data)
            central.append(
                b"PK\x01\x02"
                + struct.pack("<H", 20)
                + fields
                + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset)
                + encoded
            )
            offset += len(local) + len(data)
        directory = b"".join(central)
        handle.write(directory)
        handle.write(
            b"PK\x05\x06"
            + struct.pack("<HHHHIIH", 0, 0, len(central), len(central), len(directory), offset, 0)
        )


def write_zip_bomb_xlsx(path: Path, inflated_bytes: int = 2 * 1024**3) -> Path:
    """A valid xlsx whose sheet1.xml inflates to about ``inflated_bytes`` of whitespace."""
    head = sheet_xml([["Name", "Phone"], ["Ann", "0612345678"]]).removesuffix(
        b"</sheetData></worksheet>"
    )
    tail = b"</sheetData></worksheet>"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head_data = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = b" " * _BOMB_BLOCK
    block_data = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail_data = compressor.compress(tail) + compressor.flush(zlib.Z_FINISH)
    repeats = max(1, inflated_bytes // _BOMB_BLOCK)
    crc = crc32_combine(
        zlib.crc32(head),
        _repeated_crc(zlib.crc32(block), len(block), repeats),
        repeats * len(block),
    )
    crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
    sheet_size = len(head) + repeats * _BOMB_BLOCK + len(tail)
    sheet_data = head_data + block_data * repeats + tail_data

    members = []
    for name, content in raw_xlsx_parts({"Customers": b""}).items():
        if name == "xl/worksheets/sheet1.xml":
            members.append((name, sheet_data, crc & 0xFFFFFFFF, sheet_size))
        else:
            deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
            data = deflater.compress(content) + deflater.flush()
            members.append((name, data, zlib.crc32(content), len(content)))
    _write_deflated_zip(path, members)
    return path


def write_far_cell_xls(path: Path) -> Path:
    """An .xls with a small list and one value at the last cell BIFF8 allows (IV65536)."""
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Customers")
    for row_index, row in enumerate([["Name", "Phone"], ["Ann", "0612345678"]]):
        for column_index, value in enumerate(row):
            sheet.write(row_index, column_index, value)
    sheet.write(65535, 255, "corner")
    workbook.save(str(path))
    return path


def write_encrypted_xls(path: Path) -> Path:
    """An .xls whose globals carry a FILEPASS record, as Excel writes for a password.

    xlwt cannot encrypt, so its CODEPAGE record (type 0x42, two bytes) is turned into a
    FILEPASS (0x2F) in place: the container stays valid, the workbook says "encrypted".
    """
    write_xls(path, {"Customers": [["Name", "Phone"], ["Ann", "0612345678"]]})
    data = path.read_bytes()
    codepage = b"\x42\x00\x02\x00"
    position = data.index(codepage, 512)
    path.write_bytes(data[:position] + b"\x2f\x00\x02\x00" + data[position + 4 :])
    return path


def write_looping_ole_xls(path: Path) -> Path:
    """An OLE file whose directory sector chain points back to itself."""
    data = bytearray(compound_file(["Workbook"]))
    fat_start = 512
    data[fat_start + 4 : fat_start + 8] = struct.pack("<I", 1)  # sector 1 -> sector 1
    path.write_bytes(bytes(data))
    return path


_ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Customers">'
    "{rows}</table:table></office:spreadsheet></office:body></office:document-content>"
)
_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
    "{encryption}</manifest:file-entry></manifest:manifest>"
)


def _write_ods_package(path: Path, rows_xml: str, encryption: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        package.writestr("META-INF/manifest.xml", _ODS_MANIFEST.format(encryption=encryption))
        package.writestr("content.xml", _ODS_CONTENT.format(rows=rows_xml))
    return path


def write_repeated_cells_ods(path: Path, rows: int, columns: int) -> Path:
    """An ODS whose one value cell repeats ``columns`` times in a row repeated ``rows`` times."""
    row = (
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell office:value-type="string" table:number-columns-repeated="{columns}">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
    )
    return _write_ods_package(path, row)


def write_encrypted_ods(path: Path) -> Path:
    """An ODS saved with a password: its manifest describes how content.xml is encrypted."""
    encryption = (
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AA==">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" '
        'manifest:initialisation-vector="AA=="/></manifest:encryption-data>'
    )
    return _write_ods_package(path, "<table:table-row/>", encryption)


def write_word_document_named_xlsx(path: Path) -> Path:
    """A .docx saved under an .xlsx name."""
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<document/>")
    return path


def write_excel_2_worksheet(path: Path) -> Path:
    """The start of an Excel 2.x (BIFF2) worksheet: a raw record stream without a container."""
    path.write_bytes(b"\x09\x00\x04\x00\x02\x00\x10\x00" + b"\x01\x00\x00\x00" * 8)
    return path


def write_shared_string_bomb_xlsx(
    path: Path, references: int = 20_000, length: int = 32_000
) -> Path:
    """An xlsx whose cells all refer to one long shared string: tiny on disk, huge once copied."""
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        f'uniqueCount="1"><si><t>{"x" * length}</t></si></sst>'
    ).encode()
    columns = "ABCDEFGHIJ"
    rows = "".join(
        f'<row r="{row}">'
        + "".join(f'<c r="{column}{row}" t="s"><v>0</v></c>' for column in columns)
        + "</row>"
        for row in range(1, references // len(columns) + 1)
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<worksheet {_SHEET_NS}><sheetData>{rows}</sheetData></worksheet>"
    ).encode()
    return write_raw_xlsx(path, {"Customers": content}, shared_strings=shared)


def write_shared_string_bomb_xls(
    path: Path, references: int = 20_000, length: int = 32_000
) -> Path:
    """The same in an .xls: xlwt stores the text once in its SST, split by CONTINUE records."""
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Customers")
    text = "x" * length
    for index in range(references):
        sheet.write(index // 10, index % 10, text)
    workbook.save(str(path))
    return path


def write_repeated_text_ods(path: Path, rows: int = 100, columns: int = 1_000) -> Path:
    """An ODS whose one long text cell repeats across a block: every repeat is a copy."""
    row = (
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell office:value-type="string" table:number-columns-repeated="{columns}">'
        f"<text:p>{'x' * 30_000}</text:p></table:table-cell></table:table-row>"
    )
    return _write_ods_package(path, row)
