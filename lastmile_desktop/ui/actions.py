"""One way to run a user action in the window (the role Anki's ``CollectionOp`` plays).

    UserAction(context, lambda: close_campaign(db, campaign_id, profile), parent=self)
        .announces(lambda info: Changed(ChangeKind.CAMPAIGN_CHANGED, campaign_id=info.id))
        .undoable(lambda info: UndoStep("Close campaign", undo=..., redo=..., changes=...))
        .on_success(self._show_closed)
        .run()

The service call runs here (``run``, for quick actions) or in a worker thread
(``run_in_background``, for work that can take seconds). Then, on the GUI thread:

- success: the undo step is pushed onto the window's undo stack, the changes are announced
  to every page (they refresh), then ``on_success`` gets the service's result;
- a ``UserFacingError``: its message is shown (in a message box, or wherever
  ``on_user_error`` puts it); nothing changed, so nothing is announced;
- any other exception: a bug, handed to the app's error reporter (``sys.excepthook``).

``on_failure`` runs first on either failure, for tidying up (closing a progress dialog
before the message appears). Pages never catch service errors or wire refreshes themselves.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import shiboken6
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QMessageBox, QWidget

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.ui.changes import Changed
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.errors import open_user_error
from lastmile_desktop.ui.worker import Task, prepare_task

T = TypeVar("T")

# What an action changed, worked out from its result.
ChangesOf = Callable[[T], Changed | Iterable[Changed] | None]


@dataclass(frozen=True)
class UndoStep:
    """How to reverse an action and do it again, as service calls, and what each changes."""

    text: str  # shown as "Undo <text>" in the Edit menu
    undo: Callable[[], object]
    # None: the step cannot be done again (a phone call happened once); it leaves the stack
    # once undone, and Redo passes over it.
    redo: Callable[[], object] | None
    changes: tuple[Changed, ...] = ()
    # The service waits on the disk (a committed call outcome): it runs off the GUI thread.
    in_background: bool = False
    # After the undo succeeded, on the GUI thread (the page that made the step shows it).
    undone: Callable[[], None] | None = None
    # Where a refusal is shown instead of a message box (a status line in the call loop).
    refused: Callable[[UserFacingError], None] | None = None


class ServiceUndoCommand(QUndoCommand):
    """An undo step on the window's QUndoStack.

    It is pushed after the action already ran, so the stack's first ``redo`` does nothing.
    Undoing or redoing runs through ``UserAction`` too: a refusal is shown as a message and
    the step leaves the stack (what it would reverse has changed meanwhile). A step run in
    the background leaves the stack at its next turn (Qt drops an obsolete command before
    running it), and one without a redo as soon as it is undone.
    """

    def __init__(self, context: AppContext, step: UndoStep, parent: QWidget | None) -> None:
        super().__init__(step.text)
        self.context = context
        self.step = step
        self.parent_widget = parent
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # the action itself did the work
            return
        if self.step.redo is not None:
            self._run(self.step.redo, after=None)

    def undo(self) -> None:
        if self.step.redo is None:
            self.setObsolete(True)  # Qt deletes the command once this returns
        self._run(self.step.undo, after=self.step.undone)

    def _run(self, service: Callable[[], object], after: Callable[[], None] | None) -> None:
        step = self.step  # not self: Qt may delete the command before a background run ends
        action: UserAction[object] = UserAction(self.context, service, parent=self.parent_widget)
        action.announces(lambda _result: step.changes)
        action.on_failure(lambda _error: self._give_up())
        if step.refused is not None:
            action.on_user_error(step.refused)
        if after is not None:
            action.on_success(lambda _result: after())
        if step.in_background:
            action.run_in_background()
        else:
            action.run()

    def _give_up(self) -> None:
        if shiboken6.isValid(self):
            self.setObsolete(True)


class UserAction(Generic[T]):
    """A service call made for the user, with its message, its announcement and its undo."""

    _running: ClassVar[set[UserAction[Any]]] = set()

    def __init__(
        self,
        context: AppContext,
        service: Callable[[], T],
        *,
        parent: QWidget | None = None,
    ) -> None:
        self.context = context
        self.parent = parent
        self._work: Callable[[Progress], T] = lambda _progress: service()
        self._changes: ChangesOf[T] = lambda _result: None
        self._undo: Callable[[T], UndoStep | None] | None = None
        self._success: Callable[[T], None] | None = None
        self._user_error: Callable[[UserFacingError], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self.message_box: QMessageBox | None = None  # the message shown last (tests read it)

    @classmethod
    def with_progress(
        cls,
        context: AppContext,
        work: Callable[[Progress], T],
        *,
        parent: QWidget | None = None,
    ) -> UserAction[T]:
        """For ``run_in_background``: ``work`` reports progress and may be cancelled."""
        action: UserAction[T] = cls(context, lambda: work(NoProgress()), parent=parent)
        action._work = work
        return action

    # -- what happens after -----------------------------------------------------------------
    def announces(self, changes: Changed | ChangesOf[T]) -> UserAction[T]:
        self._changes = changes if callable(changes) else (lambda _result: changes)
        return self

    def undoable(self, make_step: Callable[[T], UndoStep | None]) -> UserAction[T]:
        self._undo = make_step
        return self

    def on_success(self, callback: Callable[[T], None]) -> UserAction[T]:
        self._success = callback
        return self

    def on_user_error(self, callback: Callable[[UserFacingError], None]) -> UserAction[T]:
        """Show the refusal somewhere else than in a message box (a line under a form)."""
        self._user_error = callback
        return self

    def on_failure(self, callback: Callable[[BaseException], None]) -> UserAction[T]:
        """Tidy up after any failure, before the message is shown or the bug reported."""
        self._failure = callback
        return self

    # -- running ----------------------------------------------------------------------------
    def run(self) -> T | None:
        """Runs the service now, on this thread; returns its result, or None if it failed."""
        try:
            result = self._work(NoProgress())
        except Exception as error:  # shown or reported, never lost
            self._failed(error)
            return None
        self._succeeded(result)
        return result

    def run_in_background(
        self,
        *,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
    ) -> Task[T]:
        """Runs the service in a worker thread; the rest happens back on the GUI thread."""
        task = self.background_task(on_progress=on_progress, on_cancel=on_cancel)
        task.start()
        return task

    def background_task(
        self,
        *,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
    ) -> Task[T]:
        """The worker task, not started yet: keep it (to cancel it), then ``start()`` it."""
        task = prepare_task(
            self._work,
            on_success=self._succeeded,
            on_error=self._failed,
            on_cancel=on_cancel,
            on_progress=on_progress,
        )
        # Signals hold bound methods weakly: keep this action until its task has finished.
        UserAction._running.add(self)
        task.signals.finished.connect(lambda: UserAction._running.discard(self))
        return task

    def _succeeded(self, result: T) -> None:
        if self._undo is not None:
            step = self._undo(result)
            if step is not None:
                command = ServiceUndoCommand(self.context, step, self.parent)
                self.context.undo_stack.push(command)
        changes = self._changes(result)
        if isinstance(changes, Changed):
            changes = (changes,)
        self.context.announce(*(changes or ()))
        if self._success is not None:
            self._success(result)

    def _failed(self, error: BaseException) -> None:
        if self._failure is not None:
            self._failure(error)
        if isinstance(error, UserFacingError):
            if self._user_error is not None:
                self._user_error(error)
            else:
                self.message_box = open_user_error(self.parent, error)
        else:
            sys.excepthook(type(error), error, error.__traceback__)
