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

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.spreadsheets.corpus_support import CorpusWorker, corpus_or_skip_module

CORPUS, CORPUS_FILES = corpus_or_skip_module()
SECONDS_PER_FILE = 20
ADDRESS_SPACE_LIMIT = 400 * 1024 * 1024

_WORKER = """
import json, resource, sys
from pathlib import Path
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from lastmile_desktop.spreadsheets.errors import ImportFileError
from lastmile_desktop.spreadsheets.layout import detect_layout, iter_records
from lastmile_desktop.spreadsheets.readers import open_source
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
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec, so it would report the
    # test run's own size at the moment it started this interpreter.
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(int(row.split()[1]) for row in status if row.startswith("VmHWM:"))
    print(json.dumps(result + [peak]), flush=True)
"""


@dataclass(frozen=True)
class Outcome:
    kind: str  # read, refused, error (another exception), crash (the worker died), hang
    detail: str
    peak_rss_kb: int = 0


@pytest.fixture(scope="module")
def corpus_outcomes() -> Iterator[dict[str, Outcome]]:
    worker = CorpusWorker(_WORKER, ADDRESS_SPACE_LIMIT, SECONDS_PER_FILE)
    try:
        outcomes = {name: Outcome(*worker.run(CORPUS / name)) for name in CORPUS_FILES}
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
