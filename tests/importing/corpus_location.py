"""Where the shared corpus of real spreadsheets is, and which of its files the tests open.

The corpus (files from other projects' test suites: odd, broken and hostile) is not part of
this repository. It is found through $LASTMILE_CORPUS, else ../shared/corpus beside the
repository; a test module that needs it is skipped without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
# The corpus's own description of itself, not spreadsheets to open.
_CORPUS_NOTES = ("MANIFEST.tsv", "README.md")


def corpus_folder() -> Path:
    return Path(os.environ.get("LASTMILE_CORPUS") or REPOSITORY.parent / "shared" / "corpus")


def corpus_or_skip_module() -> tuple[Path, list[str]]:
    """The corpus folder and its files (relative POSIX paths, sorted); skips the calling
    module, at import time, when there is no corpus."""
    corpus = corpus_folder()
    if not corpus.is_dir():
        pytest.skip(
            f"no spreadsheet corpus at {corpus} (set LASTMILE_CORPUS to run these)",
            allow_module_level=True,
        )
    files = sorted(
        path.relative_to(corpus).as_posix()
        for path in corpus.rglob("*")
        if path.is_file() and path.name not in _CORPUS_NOTES
    )
    return corpus, files
