"""Keep CPython's garbage collector from freezing the window while background work runs.

Reading 100k rows builds millions of small objects, and CPython's full (generation 2)
collections over them hold the GIL: the GUI thread stood still for 110 to 520 ms at a time
(measured by benchmarks/bench_wizard_responsiveness.py). The import's objects hold no
reference cycles worth collecting; reference counting frees them when the work returns. So
automatic collection is paused while such work runs.

When the last such work ends, the objects still alive (the app's own: modules, Qt wrappers,
phone metadata) are frozen into the permanent generation before collection resumes. A full
collection over them took 170 ms; frozen, they are not scanned again. Objects frozen this way
are still freed by reference counting; only cyclic garbage alive at that moment (a few
hundred objects per import, measured) is never reclaimed.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager


class _GcPause:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._resume = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._resume:
                    gc.freeze()
                    gc.enable()


_pause = _GcPause()


def automatic_gc_paused() -> AbstractContextManager[None]:
    """Pause automatic garbage collection while the block runs; nests across threads."""
    return _pause.paused()
