"""The one error the import engine raises for a file the user sent: a one-line message.

Every message starts with the file's name and says what is wrong with it, and where the
user can do something about it, what to do ("save an unprotected copy and import that").
Anything else escaping the readers is a bug and is reported as one.
"""

from __future__ import annotations

from pathlib import Path

from lastmile_desktop.errors import UserFacingError


class ImportFileError(UserFacingError):
    """A file that cannot be imported as it is: wrong format, damaged, protected or hostile."""

    def __init__(self, path: Path | str, problem: str) -> None:
        """``problem`` continues the sentence after the file name: "is empty", ": the sheet ..."."""
        self.file_name = Path(path).name
        self.problem = problem
        joiner = "" if problem.startswith((":", ",")) else " "
        super().__init__(f"{self.file_name}{joiner}{problem}")


def format_bytes(count: int) -> str:
    """1536 -> "1.5 KB"; 2 ** 31 -> "2 GB"."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


def too_large(
    path: Path | str, expands_to: int, what: str = "the sheet", detail: str = ""
) -> ImportFileError:
    """ "customers.xlsx is too large to be a customer list (the sheet would expand to 5 GB)"."""
    extra = f": {detail}" if detail else ""
    return ImportFileError(
        path,
        f"is too large to be a customer list ({what} would expand to "
        f"{format_bytes(expands_to)}{extra})",
    )
