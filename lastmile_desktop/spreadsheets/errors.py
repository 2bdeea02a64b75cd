"""The one error the import engine raises for a file the user sent: a one-line message.

Every message starts with the file's name and says, in plain words, what is wrong with it
and what to do ("save an unprotected copy and import that"). Technical details (a DTD, a
compression ratio, a cell count) go to the log, never into the sentence the user reads.
Anything else escaping the readers is a bug and is reported as one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from lastmile_desktop.errors import UserFacingError

log = logging.getLogger(__name__)

RESAVE = "open it in Excel and save it again as .xlsx"
# A file written to attack the reader (XML entities, external references).
HARMFUL = f"contains instructions that could harm the computer; {RESAVE}"
# A structure no spreadsheet program writes: odd packing, absurd parts, cells past the edges.
UNUSUAL = f"is built in a way no spreadsheet program writes; {RESAVE}"
# Packed so tightly that unpacking it would fill the memory (a "zip bomb").
OVERPACKED = (
    f"unpacks to far more than its size, enough to overload the computer; {RESAVE}, "
    "or ask for the file again"
)


class ImportFileError(UserFacingError):
    """A file that cannot be imported as it is: wrong format, damaged, protected or hostile."""

    def __init__(self, path: Path | str, problem: str, *, detail: str = "") -> None:
        """``problem`` continues the sentence after the file name: "is empty", ": the sheet ...".

        ``detail`` says what exactly was found, for whoever reads the log; it is logged here.
        """
        self.file_name = Path(path).name
        self.problem = problem
        self.detail = detail
        joiner = "" if problem.startswith((":", ",")) else " "
        super().__init__(f"{self.file_name}{joiner}{problem}")
        if detail:
            log.warning("Refused %s: %s", Path(path), detail)


def format_bytes(count: int) -> str:
    """1536 -> "1.5 KB"; 2 ** 31 -> "2 GB"."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


def too_large(
    path: Path | str, expands_to: int, what: str = "the sheet", detail: str = ""
) -> ImportFileError:
    """ "customers.xlsx is too large to be a customer list (the sheet would take 5 GB of
    memory): keep only the list in the file, or split it into smaller files"."""
    size = format_bytes(expands_to)
    return ImportFileError(
        path,
        f"is too large to be a customer list ({what} would take {size} of memory): keep only "
        "the customer list in the file, or split it into smaller files",
        detail=f"{what} would expand to {size}" + (f" ({detail})" if detail else ""),
    )
