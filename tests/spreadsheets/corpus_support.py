"""Where the shared corpus of real spreadsheets is, which of its files the tests open, and
the child process that opens them.

The corpus (files from other projects' test suites: odd, broken and hostile) is not part of
this repository. It is found through $LASTMILE_CORPUS, else ../shared/corpus beside the
repository; a test module that needs it is skipped without it.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from pathlib import Path
from typing import Any

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


class CorpusWorker:
    """A child process that opens corpus files one at a time, so a crash, a hang or runaway
    memory in a reader ends that file's check and not the test run.

    ``script`` reads one path per line on stdin and answers with one JSON list per path,
    whose first two items are a kind and a detail. The worker is started again after a crash
    or a hang.
    """

    def __init__(self, script: str, address_space_limit: int, seconds_per_file: float) -> None:
        self.script = script
        self.address_space_limit = address_space_limit
        self.seconds_per_file = seconds_per_file
        self.process: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-c", self.script, str(self.address_space_limit)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=REPOSITORY,
            )
        return self.process

    def run(self, path: Path) -> list[Any]:
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(f"{path}\n")
        process.stdin.flush()
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=self.seconds_per_file)
        if not ready:
            self.stop()
            return ["hang", f"no answer within {self.seconds_per_file} s"]
        line = process.stdout.readline()
        if not line:
            stderr = process.stderr.read() if process.stderr else ""
            self.stop()
            return ["crash", f"exit {process.returncode}: {stderr[-500:]}"]
        answer: list[Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
