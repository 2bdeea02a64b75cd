"""Ctrl+Z on the desk: each logged outcome is an undo command built on the service's answer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from lastmile_desktop.calling.log import LoggedCall


class LoggedOutcomeCommand(QUndoCommand):
    """An outcome already committed; undoing it asks the service to take the attempt back.

    There is no redo: the call happened once, and logging it again is a new key press on the
    customer, who is back in the queue. The command is dropped from the stack once undone.
    """

    def __init__(
        self, text: str, logged: LoggedCall, undo_logged: Callable[[LoggedCall], None]
    ) -> None:
        super().__init__(text)
        self.logged = logged
        self._undo_logged = undo_logged

    def redo(self) -> None:
        # QUndoStack.push calls redo once; the outcome was logged before the push.
        return

    def undo(self) -> None:
        self.setObsolete(True)
        self._undo_logged(self.logged)
