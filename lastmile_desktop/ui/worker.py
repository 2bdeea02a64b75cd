"""One way to run long work off the GUI thread: progress, Cancel, result or error back.

``run_task(fn, ...)`` calls ``fn(progress)`` in a pool thread. ``progress.report`` raises
``Cancelled`` once the user cancelled, so the work stops at its next report and its
transaction rolls back. The result, the exception or the cancellation comes back on the GUI
thread through a signal; an exception with no handler goes to the app's error reporter, so
it is never lost.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from lastmile_desktop.errors import Cancelled
from lastmile_desktop.progress import CancelToken, Progress
from lastmile_desktop.ui.gc_pause import automatic_gc_paused

T = TypeVar("T")

# Repainting a progress bar more often than this only slows the work down.
PROGRESS_INTERVAL_S = 0.05


class TaskSignals(QObject):
    progress = Signal(int, int, str)  # done, total (-1 when unknown), message
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    finished = Signal()  # after any of the three above


class _ThrottledProgress:
    def __init__(self, token: CancelToken, signals: TaskSignals) -> None:
        self._token = token
        self._signals = signals
        self._last = 0.0

    def report(self, done: int, total: int | None, message: str = "") -> None:
        self._token.check()
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL_S or (total is not None and done >= total):
            self._last = now
            self._signals.progress.emit(done, -1 if total is None else total, message)


class _Runner(QRunnable, Generic[T]):
    def __init__(self, task: Task[T]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task = task

    def run(self) -> None:
        task = self._task
        try:
            # Big work makes millions of objects; full collections over them would hold the
            # GIL and freeze the window (see gc_pause).
            with automatic_gc_paused():
                result = task.function(_ThrottledProgress(task.token, task.signals))
        except Cancelled:
            task.signals.cancelled.emit()
        except BaseException as error:  # delivered to the GUI thread, never swallowed
            task.signals.failed.emit(error)
        else:
            task.signals.succeeded.emit(result)
        task.signals.finished.emit()


class Task(Generic[T]):
    """A running piece of work. Keep it (or let ``run_task`` keep it) until it finishes."""

    _running: ClassVar[set[Task[Any]]] = set()

    def __init__(self, function: Callable[[Progress], T]) -> None:
        self.function = function
        self.token = CancelToken()
        self.signals = TaskSignals()
        self.done = False
        self.signals.finished.connect(self._on_finished)

    def cancel(self) -> None:
        self.token.cancel()

    def _on_finished(self) -> None:
        self.done = True
        Task._running.discard(self)

    def start(self, pool: QThreadPool | None = None) -> None:
        Task._running.add(self)
        (pool or QThreadPool.globalInstance()).start(_Runner(self))


def _report_unhandled(error: BaseException) -> None:
    sys.excepthook(type(error), error, error.__traceback__)


def run_task(
    function: Callable[[Progress], T],
    *,
    on_success: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_cancel: Callable[[], None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> Task[T]:
    task = prepare_task(
        function,
        on_success=on_success,
        on_error=on_error,
        on_cancel=on_cancel,
        on_progress=on_progress,
    )
    task.start()
    return task


def prepare_task(
    function: Callable[[Progress], T],
    *,
    on_success: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_cancel: Callable[[], None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> Task[T]:
    """``run_task`` without the start: the caller keeps the task, then calls ``start()``."""
    task: Task[T] = Task(function)
    if on_success is not None:
        task.signals.succeeded.connect(on_success)
    task.signals.failed.connect(on_error or _report_unhandled)
    if on_cancel is not None:
        task.signals.cancelled.connect(on_cancel)
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    return task
