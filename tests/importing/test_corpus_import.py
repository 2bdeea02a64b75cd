"""Every file of the shared corpus imports or is refused with a clear message, never worse.

The corpus (real spreadsheets from other projects' test suites, some broken or hostile on
purpose) is found through $LASTMILE_CORPUS, else ../shared/corpus beside the repository;
without it this module is skipped. Each file goes through ``inspect_file`` and then
``run_import`` into a fresh database (a copy of one migrated empty database), in a worker
process with a time limit per file: a crash or a hang is that file's failure, not the run's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.spreadsheets.corpus_support import CorpusWorker, corpus_or_skip_module

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


@pytest.fixture(scope="module")
def worker() -> Iterator[CorpusWorker]:
    running = CorpusWorker(_WORKER, ADDRESS_SPACE_LIMIT, SECONDS_PER_FILE)
    yield running
    running.stop()


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_a_corpus_file_imports_or_is_refused_with_a_clear_message(
    worker: CorpusWorker, name: str
) -> None:
    outcome = Outcome(*worker.run(CORPUS / name))
    assert outcome.kind in ("imported", "refused"), f"{name}: {outcome.kind}: {outcome.detail}"
    if outcome.kind == "refused":
        message = outcome.detail
        assert message and "\n" not in message, message
        assert "Traceback" not in message
