"""How long work reports progress and learns it was cancelled, without knowing about Qt."""

from __future__ import annotations

import threading
from typing import Protocol

from lastmile_desktop.errors import Cancelled


class Progress(Protocol):
    def report(self, done: int, total: int | None, message: str = "") -> None:
        """Say how far the work is; raises ``Cancelled`` if the user cancelled."""
        ...


class NoProgress:
    """For callers that do not watch (the command line without a terminal, tests)."""

    def report(self, done: int, total: int | None, message: str = "") -> None:
        return None


class CancelToken:
    """A progress sink that can be cancelled from another thread."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise Cancelled()
