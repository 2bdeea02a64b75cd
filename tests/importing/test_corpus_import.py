"""Every file of the shared corpus imports or is refused with a clear message, never worse.

The corpus (real spreadsheets from other projects' test suites, some broken or hostile on
purpose) is found through $LASTMILE_CORPUS, else ../shared/corpus beside the repository;
without it this module is skipped. Each file goes through ``inspect_file`` and then
``run_import`` into a fresh database (a copy of one migrated empty database), in a worker
process with a time limit per file: a crash or a hang is that file's failure, not the run's.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.importing.corpus_location import REPOSITORY, corpus_or_skip_module

CORPUS, CORPUS_FILES = corpus_or_skip_module()
SECONDS_PER_FILE = 30
ADDRESS_SPACE_LIMIT = 1024 * 1024 * 1024

_WORKER = """
import json, resource, shutil, sys, tempfile
from pathlib import Path
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import ImportOptions
from lastmile_desktop.importing.service import inspect_file, run_import
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import connect, open_database

folder = Path(tempfile.mkdtemp(prefix="lastmile-corpus-"))
template = folder / "template.sqlite3"
db, _ = open_database(to_url(template))
db.dispose()
options = ImportOptions(region="GB")
for number, line in enumerate(sys.stdin):
    path = Path(line.rstrip("\\n"))
    copy = folder / f"db{number}.sqlite3"
    shutil.copyfile(template, copy)
    db = connect(to_url(copy))
    try:
        preview = inspect_file(db, path, options)
        summary = run_import(db, path, options)
        counts = summary.counts
        assert counts.accounted_for, counts
        assert preview.counts == counts, (preview.counts, counts)
        result = ["imported", f"{counts.rows_read} rows: {counts.imported} imported, "
                  f"{counts.rejected} rejected, {counts.duplicates} duplicates"]
    except UserFacingError as error:
        result = ["refused", str(error)]
    except BaseException as error:
        result = ["error", f"{type(error).__name__}: {error}"]
    finally:
        db.dispose()
        copy.unlink(missing_ok=True)
    print(json.dumps(result), flush=True)
shutil.rmtree(folder, ignore_errors=True)
"""


@dataclass(frozen=True)
class Outcome:
    kind: str  # imported, refused, error (another exception), crash, hang
    detail: str


class Worker:
    """The worker process; started again after a crash or a hang."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _WORKER, str(ADDRESS_SPACE_LIMIT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=REPOSITORY,
            )
        return self.process

    def run(self, path: Path) -> Outcome:
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(f"{path}\n")
        process.stdin.flush()
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=SECONDS_PER_FILE)
        if not ready:
            self.stop()
            return Outcome("hang", f"no answer within {SECONDS_PER_FILE} s")
        line = process.stdout.readline()
        if not line:
            stderr = process.stderr.read() if process.stderr else ""
            self.stop()
            return Outcome("crash", f"exit {process.returncode}: {stderr[-500:]}")
        kind, detail = json.loads(line)
        return Outcome(kind, detail)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    running = Worker()
    yield running
    running.stop()


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_a_corpus_file_imports_or_is_refused_with_a_clear_message(
    worker: Worker, name: str
) -> None:
    outcome = worker.run(CORPUS / name)
    assert outcome.kind in ("imported", "refused"), f"{name}: {outcome.kind}: {outcome.detail}"
    if outcome.kind == "refused":
        message = outcome.detail
        assert message and "\n" not in message, message
        assert "Traceback" not in message
