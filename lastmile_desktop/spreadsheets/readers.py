"""Open any file a head office sends as a ``TableSource``, or refuse it with a clear message.

``open_source`` decides the format from the file's bytes (``safety.files``), refuses hostile
and protected files before a reader touches them, then hands back a spreadsheet reader
(calamine) or a CSV reader. Both yield rows in the same conventions (``TableSource``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lastmile_desktop.spreadsheets.errors import ImportFileError
from lastmile_desktop.spreadsheets.readers_csv import CsvSource
from lastmile_desktop.spreadsheets.readers_workbook import WorkbookSource
from lastmile_desktop.spreadsheets.safety.files import FileKind, identify_file
from lastmile_desktop.spreadsheets.table_source import TableSource

__all__ = ["ImportFileError", "TableSource", "file_sha256", "open_source"]

_HASH_CHUNK = 1024 * 1024


def open_source(path: Path) -> TableSource:
    """The rows of ``path``, whatever spreadsheet or CSV it is; ``ImportFileError`` otherwise."""
    path = Path(path)
    kind = identify_file(path)
    if kind is FileKind.CSV:
        return CsvSource(path)
    return WorkbookSource(path, kind)


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of the file's bytes: the same file imported twice has the same hash."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
    except OSError as error:
        raise ImportFileError(path, f"could not be read ({error.strerror or error})") from None
    return digest.hexdigest()
