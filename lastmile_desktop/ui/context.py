"""What every page is given: the open database and the app-wide signals. Not a singleton."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack

from lastmile_desktop.calling.outbox import Outbox, open_outbox
from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.change_watch import ChangeWatch, watch_changes
from lastmile_desktop.ui.changes import Changed, ChangeKind

T = TypeVar("T")

# A change another PC made, heard from the server, is shown this long after the first notice
# of a burst: a run of calls logged together makes one refresh.
LIVE_REFRESH_DELAY_MS = 300


class AppContext(QObject):
    # Something changed the data; carries a ``Changed``. Pages refresh what it touches.
    changed = Signal(object)
    # After every announcement, for code that only needs to know that something changed.
    data_changed = Signal()
    # A file was chosen or dropped anywhere in the window and should be imported.
    import_file_requested = Signal(str)
    # Ask the main window to show the page with this key.
    navigate_requested = Signal(str)
    # Ask the Assign page to show this campaign and start Assign now (after an import).
    assign_requested = Signal(int)
    # Someone else is now using the app (the lead or a store manager): pages reload.
    profile_changed = Signal(object)
    # A service refused the profile in use (a manager deactivated meanwhile, say); carries the
    # service's sentence. The window shows it and offers to pick another profile.
    profile_refused = Signal(str)
    # The window's database is being let go of (the window closes or opens another one):
    # pages let go of what they hold in it (the call desk, its customer's claim).
    closing = Signal()
    # The watch heard of a commit elsewhere (emitted from its thread; handled on this one).
    outside_change_heard = Signal()
    # An outcome went into the outbox or left it (the server could not be reached).
    outbox_changed = Signal()

    def __init__(
        self,
        db: Database,
        parent: QObject | None = None,
        *,
        profile: Profile | None = None,
        watch: ChangeWatch | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        # Who is using the app; services filter by it, the UI only passes it on.
        self.profile = profile or Profile.lead()
        # Undoable actions of this window, whichever page made them (Edit > Undo).
        self.undo_stack = QUndoStack(self)
        self._undo_actions: tuple[QAction, QAction] | None = None
        # Commits made elsewhere (the command line, another window) show up here.
        self.watch = watch if watch is not None else watch_changes(db)
        self.watch.mark_seen()
        # A server's watch says at once when another PC commits, whether or not the window
        # is in front (the leaderboard on the shop's screen); SQLite's is polled by the window.
        self._live_refresh = QTimer(self)
        self._live_refresh.setSingleShot(True)
        self._live_refresh.setInterval(LIVE_REFRESH_DELAY_MS)
        self._live_refresh.timeout.connect(self.check_for_outside_changes)
        self.outside_change_heard.connect(self._refresh_soon, Qt.ConnectionType.QueuedConnection)
        self.watch.subscribe(lambda _note: self.outside_change_heard.emit())
        # Outcomes logged while a database server cannot be reached wait here; a database
        # file has none.
        self.outbox = outbox if outbox is not None else open_outbox(db.url)

    def undo_actions(self) -> tuple[QAction, QAction]:
        """Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z) on ``undo_stack``: the Edit menu's entries.

        One action each, added to every place that offers them (the Edit menu, the call
        desk's Undo button), so each key has one owner wherever the keyboard is.
        """
        if self._undo_actions is None:
            undo = self.undo_stack.createUndoAction(self, "&Undo")
            undo.setShortcut(QKeySequence("Ctrl+Z"))
            redo = self.undo_stack.createRedoAction(self, "&Redo")
            redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
            self._undo_actions = (undo, redo)
        return self._undo_actions

    def set_profile(self, profile: Profile) -> None:
        if profile != self.profile:
            self.profile = profile
            self.profile_changed.emit(profile)

    def read(self, load: Callable[[], T], refused: T) -> T:
        """``load()``, a service read for the current profile; ``refused`` when the service
        refuses the profile, which ``profile_refused`` then announces."""
        try:
            return load()
        except AccessDenied as error:
            self.profile_refused.emit(str(error))
            return refused

    def announce(self, *changes: Changed) -> None:
        """Tell every page what changed; they refresh before this returns."""
        if not changes:
            return
        if any(change.kind is not ChangeKind.EXTERNAL for change in changes):
            # Our own commit moved the database's version on: not news from elsewhere. Taken
            # before the pages refresh, so whatever they read includes anything newer.
            self.watch.mark_seen()
        for change in changes:
            self.changed.emit(change)
        self.data_changed.emit()

    def quietly(self, write: Callable[[], T]) -> T:
        """``write()``, a commit of this window's that changes nothing a page shows (the call
        desk's claim of the customer on its card): it is not taken for news from elsewhere,
        while anything committed elsewhere before it is still announced."""
        news = self.watch.poll()
        try:
            return write()
        finally:
            self.watch.mark_seen()
            if news:
                self.announce(Changed(ChangeKind.EXTERNAL))

    def check_for_outside_changes(self) -> bool:
        """Announce an EXTERNAL change when another process committed since the last look."""
        if self.watch.poll():
            self.announce(Changed(ChangeKind.EXTERNAL))
            return True
        return False

    def _refresh_soon(self) -> None:
        if not self._live_refresh.isActive():
            self._live_refresh.start()

    def close(self) -> None:
        self.closing.emit()
        self._live_refresh.stop()
        self.watch.close()
