"""Decide what a file really is from its bytes, and refuse hostile files before a reader opens them.

The suffix only says what the sender meant; the first bytes say what the file is: a zip
package (xlsx, xlsm, xlsb, ods), an OLE compound file (xls, or a password-protected xlsx),
or text (CSV). Zip packages are checked from their directory before any reader inflates
them (zip bombs), and their XML parts are checked for DTDs (entity expansion, XXE), which no
spreadsheet program writes.
"""

from __future__ import annotations

import enum
import mmap
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import defusedxml.ElementTree as defused_etree
from defusedxml import DefusedXmlException

from lastmile_desktop.spreadsheets.errors import (
    HARMFUL,
    OVERPACKED,
    UNUSUAL,
    ImportFileError,
    format_bytes,
    too_large,
)
from lastmile_desktop.spreadsheets.safety.ole_container import (
    CompoundFile,
    DamagedContainer,
    walk_workbook_stream,
)
from lastmile_desktop.spreadsheets.safety.shared_text import (
    MAX_SHEET_TEXT_BYTES,
    check_sheet_text,
    text_bytes,
    worst_case_text_bytes,
    xlsb_string_sizes,
    xlsx_shared_text_bytes,
    xlsx_string_sizes,
)
from lastmile_desktop.spreadsheets.safety.sheet_extent import (
    check_extent,
    ods_sheet_extents,
    xlsb_sheet_extent,
)
from lastmile_desktop.spreadsheets.safety.sheet_extent_xlsx import xlsx_sheet_extent

# A customer list of 500,000 rows in 10 columns expands to about 250 MB of sheet XML; twice
# that leaves room for a wider list, more is not a customer list.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
# Real sheets compress 5 to 20 times, a styled empty tail up to about 200 times; a zip bomb
# approaches deflate's limit of about 1,000. The ratio only matters for big parts.
MAX_COMPRESSION_RATIO = 250
RATIO_CHECK_FROM_BYTES = 64 * 1024 * 1024
MAX_ZIP_ENTRIES = 20_000
# The distinct texts of 500,000 customers (ids, names, e-mails) take about 60 MB of XML.
MAX_SHARED_STRINGS_BYTES = 128 * 1024 * 1024
# xlsb sheets are walked record by record in memory; binary cells take about 15 bytes.
MAX_XLSB_SHEET_BYTES = 256 * 1024 * 1024
# The prologue (XML declaration, comments) before the root element is a few hundred bytes.
MAX_XML_PROLOGUE_BYTES = 64 * 1024

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
WHAT_TO_SEND = (
    "choose an Excel workbook (.xlsx, .xlsm, .xlsb, .xls), "
    "an OpenDocument spreadsheet (.ods) or a CSV file"
)
ASK_FOR_LIST = "ask for the customer list as an Excel workbook or a CSV file"

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class FileKind(enum.Enum):
    XLSX = "xlsx"  # also xlsm: the same package with macros
    XLSB = "xlsb"
    ODS = "ods"
    XLS = "xls"
    CSV = "csv"

    @property
    def is_zip_package(self) -> bool:
        return self in (FileKind.XLSX, FileKind.XLSB, FileKind.ODS)


def identify_file(path: Path) -> FileKind:
    """What ``path`` holds, judged from its content; ``ImportFileError`` when it is nothing we read.

    Zip packages and OLE files are also checked here for the hostile and protected cases,
    so a kind returned is safe to hand to a reader.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8192)
    except FileNotFoundError:
        raise ImportFileError(path, "was not found: check the name and the folder") from None
    except IsADirectoryError:
        raise ImportFileError(path, "is a folder, not a file") from None
    except OSError as error:
        raise ImportFileError(path, f"could not be opened ({error.strerror or error})") from None
    if size == 0:
        raise ImportFileError(path, "is empty (0 bytes): ask for the file again")
    if head.startswith(_ZIP_MAGICS):
        return check_zip_package(path)
    if head.startswith(_OLE_MAGIC):
        return check_ole_file(path)
    return _identify_non_container(path, head)


def _identify_non_container(path: Path, head: bytes) -> FileKind:
    suffix = path.suffix.lower()
    lowered = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(b"%pdf"):
        raise ImportFileError(
            path, "is a PDF document, not a spreadsheet: ask for the list as Excel"
        )
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        raise ImportFileError(
            path,
            "is an Excel 2003 XML spreadsheet, which cannot be read: "
            "open it in Excel and save it as .xlsx",
        )
    if lowered.startswith((b"<!doctype html", b"<html", b"<table")) or b"<html" in lowered[:512]:
        what = "an Excel workbook" if suffix in SPREADSHEET_SUFFIXES else "a CSV file"
        raise ImportFileError(
            path,
            f"is not {what} (it is a web page): open it in Excel and save it as .xlsx",
        )
    if head[:1] == b"\x09" and head[1:2] in b"\x00\x02\x04\x08" and head[3:4] == b"\x00":
        raise ImportFileError(
            path,
            "is an Excel 2.x to 5.0 worksheet, a format too old to read: "
            "open it in Excel or LibreOffice and save it as .xlsx",
        )
    text = looks_like_text(head)
    if suffix in SPREADSHEET_SUFFIXES:
        what = "an OpenDocument spreadsheet" if suffix == ".ods" else "an Excel workbook"
        if text:
            raise ImportFileError(
                path,
                f"is not {what} (it looks like a text file): "
                "if it is a CSV export, rename it to .csv and import that",
            )
        raise ImportFileError(
            path, f"is not {what} (its content is not a spreadsheet format): export it again"
        )
    if suffix in TEXT_SUFFIXES:
        if not text:
            raise ImportFileError(
                path,
                "is not a text file (it looks like binary data): export the list as CSV again",
            )
        return FileKind.CSV
    raise ImportFileError(path, f"is not a file that can be imported: {WHAT_TO_SEND}")


def wide_text_encoding(head: bytes) -> str | None:
    """ "utf-32"/"utf-16" (with BOM) or their -le/-be forms when NULs fall where text puts them.

    Excel's "Unicode text" is UTF-16; some exports have no BOM. ASCII text in UTF-16LE has
    a NUL after every byte, in UTF-32LE three after every byte.
    """
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[: len(head) - len(head) % 4]
    if len(sample) < 8:
        return None

    def nul_share(offset: int, step: int) -> float:
        picked = sample[offset::step]
        return picked.count(0) / len(picked)

    if nul_share(0, 4) < 0.1 and min(nul_share(1, 4), nul_share(2, 4), nul_share(3, 4)) > 0.9:
        return "utf-32-le"
    if nul_share(3, 4) < 0.1 and min(nul_share(0, 4), nul_share(1, 4), nul_share(2, 4)) > 0.9:
        return "utf-32-be"
    if nul_share(0, 2) < 0.1 and nul_share(1, 2) > 0.5:
        return "utf-16-le"
    if nul_share(1, 2) < 0.1 and nul_share(0, 2) > 0.5:
        return "utf-16-be"
    return None


_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1a")


def looks_like_text(head: bytes) -> bool:
    """True for bytes that read as text: UTF-16/32, or hardly any NULs and control codes."""
    if wide_text_encoding(head):
        return True
    controls = sum(1 for byte in head if byte < 0x20 and byte not in _TEXT_CONTROLS)
    return controls <= max(2, len(head) // 100)


# --- zip packages: xlsx, xlsm, xlsb, ods ----------------------------------------------------


def _damaged(path: Path) -> ImportFileError:
    return ImportFileError(
        path,
        "is damaged or incomplete (perhaps cut short when it was copied): ask for the file again",
        detail="its zip structure is broken",
    )


def check_zip_package(path: Path) -> FileKind:
    """Check a zip package's directory and XML prologues; return which spreadsheet it is."""
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise ImportFileError(
                    path,
                    UNUSUAL,
                    detail=f"{len(entries):,} parts in the zip package "
                    f"(more than {MAX_ZIP_ENTRIES:,})",
                )
            kind = _package_kind(path, package)
            _check_sizes(path, entries)
            for entry in entries:
                if entry.filename.lower().endswith(_XML_SUFFIXES):
                    check_xml_prologue(path, package, entry)
            if kind is FileKind.ODS:
                _check_encrypted_ods(path, package)
            check_package_sheets(path, package, kind)
            return kind
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error):
        raise _damaged(path) from None
    except (NotImplementedError, RuntimeError):
        # Unsupported compression method, or zip-level encryption of the parts.
        raise ImportFileError(
            path,
            UNUSUAL,
            detail="zip-level encryption or a compression method no spreadsheet program uses",
        ) from None


def _normalized_names(package: zipfile.ZipFile) -> dict[str, str]:
    """Part names lowercased with "/" separators (some writers use "\\"), to the real names."""
    return {name.replace("\\", "/").lower().lstrip("/"): name for name in package.namelist()}


_OFFICE_DOCUMENT = "/officedocument"


def _relationship_targets(
    package: zipfile.ZipFile, names: dict[str, str], part: str, type_suffix: str
) -> list[str]:
    """The normalized parts that ``part`` relates to with a type ending in ``type_suffix``."""
    folder, file_name = posixpath.split(part)
    rels = names.get(posixpath.join(folder, "_rels", f"{file_name}.rels"))
    if rels is None:
        return []
    with package.open(rels) as stream:
        content = stream.read(_MAX_SMALL_PART)
    try:
        tree = defused_etree.fromstring(content)
    except (defused_etree.ParseError, DefusedXmlException):
        return []  # calamine reads the same relations and reports them as damaged
    targets = []
    for relation in tree:
        if str(relation.get("Type", "")).lower().endswith(type_suffix):
            target = str(relation.get("Target", "")).replace("\\", "/")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            targets.append(resolved.lower())
    return targets


def _workbook_part(package: zipfile.ZipFile, names: dict[str, str]) -> str | None:
    """The workbook part of an Office Open XML package: where _rels/.rels points, else by name."""
    for target in _relationship_targets(package, names, ".rels", _OFFICE_DOCUMENT):
        if target in names:
            return target
    for name in sorted(names, key=len):
        if posixpath.basename(name) in ("workbook.xml", "workbook.bin"):
            return name
    return None


def _package_kind(path: Path, package: zipfile.ZipFile) -> FileKind:
    names = _normalized_names(package)
    if "word/document.xml" in names:
        raise ImportFileError(path, f"is a Word document, not a spreadsheet: {ASK_FOR_LIST}")
    if "ppt/presentation.xml" in names:
        raise ImportFileError(
            path, f"is a PowerPoint presentation, not a spreadsheet: {ASK_FOR_LIST}"
        )
    if "mimetype" in names:
        mimetype = package.read(names["mimetype"])[:200].strip()
        if mimetype == _ODS_MIMETYPE:
            return FileKind.ODS
        if mimetype.startswith(b"application/vnd.oasis.opendocument."):
            raise ImportFileError(
                path, f"is an OpenDocument file of another kind, not a spreadsheet: {ASK_FOR_LIST}"
            )
    if "content.xml" in names and "meta-inf/manifest.xml" in names:
        return FileKind.ODS
    workbook = _workbook_part(package, names)
    if workbook is not None:
        return FileKind.XLSB if workbook.endswith(".bin") else FileKind.XLSX
    if "[content_types].xml" in names or any(name.startswith("xl/") for name in names):
        raise ImportFileError(
            path, "is an Office file without a workbook part: it is damaged, ask for it again"
        )
    raise ImportFileError(
        path, "is a zip archive, not a spreadsheet: unpack it and import the workbook inside"
    )


def _check_sizes(path: Path, entries: list[zipfile.ZipInfo]) -> None:
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise too_large(path, total, "its sheets")
    for entry in entries:
        base = posixpath.basename(entry.filename.replace("\\", "/")).lower()
        if base.startswith("sharedstrings") and entry.file_size > MAX_SHARED_STRINGS_BYTES:
            raise too_large(path, entry.file_size, "its table of texts")
        if entry.file_size < RATIO_CHECK_FROM_BYTES:
            continue
        ratio = entry.file_size / max(entry.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO:
            raise ImportFileError(
                path,
                OVERPACKED,
                detail=f"the part {entry.filename} inflates {ratio:,.0f} times "
                f"(to {format_bytes(entry.file_size)}): a zip bomb",
            )


def _check_encrypted_ods(path: Path, package: zipfile.ZipFile) -> None:
    manifest = _normalized_names(package).get("meta-inf/manifest.xml")
    if manifest and b"encryption-data" in package.read(manifest)[:_MAX_SMALL_PART]:
        raise _protected(path)


_MAX_SMALL_PART = 16 * 1024 * 1024
_WORKSHEET_RELATIONSHIP = "/worksheet"


def _xlsb_worksheet_parts(package: zipfile.ZipFile, names: dict[str, str]) -> set[str]:
    """The real names of an xlsb's worksheet parts: related from the workbook, or by folder."""
    workbook = _workbook_part(package, names)
    related = (
        _relationship_targets(package, names, workbook, _WORKSHEET_RELATIONSHIP) if workbook else []
    )
    parts = {names[target] for target in related if target in names}
    parts.update(
        real
        for name, real in names.items()
        if "/worksheets/" in f"/{name}" and name.endswith(".bin")
    )
    return parts


def _shared_strings_part(package: zipfile.ZipFile, names: dict[str, str]) -> str | None:
    """The real name of the shared string table: where the workbook points, else by name."""
    workbook = _workbook_part(package, names)
    if workbook:
        for target in _relationship_targets(package, names, workbook, "/sharedstrings"):
            if target in names:
                return names[target]
    for name, real in names.items():
        if posixpath.basename(name) in ("sharedstrings.xml", "sharedstrings.bin"):
            return real
    return None


class _SharedStrings:
    """The sizes of a package's shared strings, read the first time a sheet refers to them."""

    def __init__(self, package: zipfile.ZipFile, names: dict[str, str], kind: FileKind) -> None:
        self._package, self._names, self._kind = package, names, kind
        self._sizes: Sequence[int] | None = None

    @property
    def sizes(self) -> Sequence[int]:
        if self._sizes is None:
            part = _shared_strings_part(self._package, self._names)
            self._sizes = ()
            if part is not None:
                with self._package.open(part) as stream:
                    if self._kind is FileKind.XLSB:
                        self._sizes = xlsb_string_sizes(stream.read())
                    else:
                        self._sizes = xlsx_string_sizes(stream)
        return self._sizes


def check_package_sheets(path: Path, package: zipfile.ZipFile, kind: FileKind) -> None:
    """Measure every worksheet before calamine lays it out: cells (``sheet_extent``) and the
    text its cells copy from the shared strings (``shared_text``).

    In an xlsx every XML part is measured, whatever its name: the sheet a relation points
    to can sit anywhere in the package, and parts without cells measure nothing.
    """
    names = _normalized_names(package)
    if kind is FileKind.ODS:
        content = names.get("content.xml")
        if content is not None:
            with package.open(content) as stream:
                for sheet, extent in ods_sheet_extents(stream).items():
                    check_extent(path, extent, sheet)
                    check_sheet_text(path, extent.text_bytes, sheet)
        return
    shared = _SharedStrings(package, names, kind)
    if kind is FileKind.XLSB:
        for part in sorted(_xlsb_worksheet_parts(package, names)):
            size = package.getinfo(part).file_size
            if size > MAX_XLSB_SHEET_BYTES:
                raise too_large(path, size, "a sheet")
            with package.open(part) as stream:
                extent = xlsb_sheet_extent(stream)
            check_extent(path, extent)
            if extent.shared_cells:
                check_sheet_text(path, text_bytes(shared.sizes, extent.references))
        return
    for name, real in sorted(names.items()):
        if not name.endswith(".xml"):
            continue
        # Text inside the part takes no more memory than the part's size: only measured
        # when the part alone could exceed the limit.
        whole_part = package.getinfo(real).file_size > MAX_SHEET_TEXT_BYTES
        with package.open(real) as stream:
            extent = xlsx_sheet_extent(stream, measure_inline_text=whole_part)
        check_extent(path, extent)
        inline = extent.text_bytes
        if not extent.shared_cells:
            check_sheet_text(path, inline)
            continue
        worst_case = inline + worst_case_text_bytes(shared.sizes, extent.shared_cells)
        if worst_case > MAX_SHEET_TEXT_BYTES:
            # The quick bound is exceeded (one long note is enough): count each reference.
            with package.open(real) as stream:
                check_sheet_text(path, inline + xlsx_shared_text_bytes(stream, shared.sizes))


_DECLARATION_END = {"<?": "?>", "<!--": "-->"}


def check_xml_prologue(path: Path, package: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """Refuse an XML part that declares a DTD; reads only the bytes before the root element."""
    with package.open(entry) as stream:
        head = stream.read(MAX_XML_PROLOGUE_BYTES)
        more = bool(stream.read(1))
    text = _decode_prologue(head)
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        rest = text[position : position + 9]
        if rest.upper().startswith(("<!DOCTYPE", "<!ENTITY")):
            raise ImportFileError(
                path,
                HARMFUL,
                detail=f"the XML part {entry.filename} has a document type declaration (DTD), "
                "which can hide entity expansion or external entities (XXE)",
            )
        opener = next((start for start in _DECLARATION_END if rest.startswith(start)), None)
        if opener is None:
            return  # the root element, or something the reader will reject as bad XML
        end = text.find(_DECLARATION_END[opener], position + len(opener))
        if end < 0:
            if more or len(head) >= MAX_XML_PROLOGUE_BYTES:
                raise ImportFileError(
                    path,
                    UNUSUAL,
                    detail=f"the XML part {entry.filename} starts with over "
                    f"{format_bytes(MAX_XML_PROLOGUE_BYTES)} of comments or declarations",
                )
            return
        position = end + len(_DECLARATION_END[opener])


def _decode_prologue(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


# --- OLE compound files: xls, and xlsx protected with a password ----------------------------

# Directory entries are 128 bytes and start on 128-byte boundaries; each begins with its
# UTF-16LE name, NUL terminated. When the container is too damaged to parse, matching names
# there still tells an encrypted package from a broken workbook.
_DIRECTORY_ENTRY_SIZE = 128
_ENCRYPTED_STREAMS = re.compile(
    b"(?:"
    + re.escape("EncryptedPackage".encode("utf-16-le"))
    + b"|"
    + re.escape("EncryptionInfo".encode("utf-16-le"))
    + b")\x00\x00",
    re.IGNORECASE,
)


def _protected(path: Path) -> ImportFileError:
    return ImportFileError(
        path, "is protected with a password: save an unprotected copy and import that"
    )


def _names_encrypted_package(path: Path) -> bool:
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return any(
            match.start() % _DIRECTORY_ENTRY_SIZE == 0
            for match in _ENCRYPTED_STREAMS.finditer(data)
        )


def check_ole_file(path: Path) -> FileKind:
    """An OLE file is an .xls workbook, unless it wraps an encrypted xlsx or is another document.

    The workbook's records are walked once: an encrypted .xls is refused here, and so is a
    sheet whose cells span more than a customer list could.
    """
    try:
        container = CompoundFile(path.read_bytes())
    except (DamagedContainer, struct.error):
        if _names_encrypted_package(path):
            raise _protected(path) from None
        raise ImportFileError(
            path, "is damaged (its Excel 97-2003 container is broken): ask for the file again"
        ) from None
    names = {entry.name.casefold() for entry in container.entries if entry.kind == 2}
    if {"encryptedpackage", "encryptioninfo"} & names:
        raise _protected(path)
    if not {"workbook", "book"} & names:
        if "worddocument" in names:
            raise ImportFileError(path, f"is a Word document, not a spreadsheet: {ASK_FOR_LIST}")
        if "powerpoint document" in names:
            raise ImportFileError(
                path, f"is a PowerPoint presentation, not a spreadsheet: {ASK_FOR_LIST}"
            )
        raise ImportFileError(
            path, "is not an Excel workbook (it is an Office container with no workbook inside)"
        )
    try:
        stream = container.stream("Workbook", "Book")
    except (DamagedContainer, struct.error):
        raise ImportFileError(
            path, "is damaged (its workbook stream is broken): ask for the file again"
        ) from None
    facts = walk_workbook_stream(stream or b"")
    if facts.encrypted:
        raise _protected(path)
    for sheet, extent in facts.sheets.items():
        check_extent(path, extent, sheet)
        check_sheet_text(path, text_bytes(facts.string_sizes, extent.references), sheet)
    return FileKind.XLS
