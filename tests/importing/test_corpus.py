"""Every file of the shared corpus of real spreadsheets reads or is refused with a clear message.

The corpus (about 250 files from other projects' test suites: odd, broken and hostile) is not
part of this repository. It is found through $LASTMILE_CORPUS, else ../shared/corpus next to
the repository; without it this module is skipped.

The files run in a worker process that may not map more than 400 MB, one file at a time with
a time limit each: a crash, an abort or a hang shows up as that file's failure instead of
taking the test run down. Each file goes through open_source, detect_layout and a full
iter_records, as an import does.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.importing.corpus_location import REPOSITORY, corpus_or_skip_module

CORPUS, CORPUS_FILES = corpus_or_skip_module()
SECONDS_PER_FILE = 20
ADDRESS_SPACE_LIMIT = 400 * 1024 * 1024

_WORKER = """
import json, resource, sys
from pathlib import Path
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from lastmile_desktop.importing.errors import ImportFileError
from lastmile_desktop.importing.layout import detect_layout, iter_records
from lastmile_desktop.importing.readers import open_source
for line in sys.stdin:
    path = Path(line.rstrip("\\n"))
    try:
        with open_source(path) as source:
            layout = detect_layout(source)
            records = sum(1 for _ in iter_records(source, layout))
        result = ["read", f"sheet {layout.sheet!r}, header row {layout.header_row}, "
                  f"{records} records"]
    except ImportFileError as error:
        result = ["refused", str(error)]
    except BaseException as error:
        result = ["error", f"{type(error).__name__}: {error}"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result + [peak]), flush=True)
"""


@dataclass(frozen=True)
class Outcome:
    kind: str  # read, refused, error (another exception), crash (the worker died), hang
    detail: str
    peak_rss_kb: int = 0


class Worker:
    """The worker process; started again after a crash or a hang."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self.process is None or self.process.poll() is not None:
            command = [sys.executable, "-c", _WORKER, str(ADDRESS_SPACE_LIMIT)]
            self.process = subprocess.Popen(
                command,
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
        kind, detail, peak = json.loads(line)
        return Outcome(kind, detail, peak)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture(scope="module")
def corpus_outcomes() -> Iterator[dict[str, Outcome]]:
    worker = Worker()
    try:
        outcomes = {name: worker.run(CORPUS / name) for name in CORPUS_FILES}
    finally:
        worker.stop()
    counts = Counter(outcome.kind for outcome in outcomes.values())
    peak = max(outcome.peak_rss_kb for outcome in outcomes.values())
    print(
        f"\ncorpus: {len(outcomes)} files, {counts['read']} read, {counts['refused']} refused "
        f"with a message, {len(outcomes) - counts['read'] - counts['refused']} failed; "
        f"worker peak RSS {peak // 1024} MB"
    )
    yield outcomes


def test_the_corpus_is_there_and_not_empty() -> None:
    assert len(CORPUS_FILES) > 100


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_a_corpus_file_reads_or_is_refused_with_a_clear_message(
    corpus_outcomes: dict[str, Outcome], name: str
) -> None:
    outcome = corpus_outcomes[name]

    assert outcome.kind in ("read", "refused"), f"{name}: {outcome.kind}: {outcome.detail}"
    if outcome.kind == "refused":
        assert outcome.detail.startswith(Path(name).name), outcome.detail
        assert "\n" not in outcome.detail and len(outcome.detail) < 300, outcome.detail
    assert outcome.peak_rss_kb < ADDRESS_SPACE_LIMIT // 1024
