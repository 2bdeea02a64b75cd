"""Changes reach a page at once while it is on screen, and when it is shown again otherwise.

Some pages take a long time to read again (the Assign page: over half a second at 100,000
customers). Refreshing them behind the call desk after every logged call would make the desk
wait for screens nobody is looking at. So a page (or a tab) that is off screen, behind another
page or tab of a window that is shown, only notes what changed; when it is shown it refreshes
once, from all of it, before it is painted, so it is never stale when looked at.

A widget whose window is not on screen at all (being built, or a test's own window) gets each
change at once: nothing is gained by waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from lastmile_desktop.ui.changes import Changed, merged
from lastmile_desktop.ui.context import AppContext

ApplyChanges = Callable[[Sequence[Changed]], None]


class RefreshWhenShown(QObject):
    """Hands ``apply`` the changes announced through ``context``: at once while ``widget`` is
    on screen, else merged when it is next shown."""

    def __init__(self, widget: QWidget, context: AppContext, apply: ApplyChanges) -> None:
        super().__init__(widget)
        self.widget = widget
        self.apply = apply
        self.pending: list[Changed] = []
        context.changed.connect(self._changed)
        widget.installEventFilter(self)

    def _changed(self, change: Changed) -> None:
        if self._off_screen():
            self.pending = merged([*self.pending, change])
            return
        self.apply([change])

    def _off_screen(self) -> bool:
        return not self.widget.isVisible() and self.widget.window().isVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget and event.type() == QEvent.Type.Show and self.pending:
            pending, self.pending = self.pending, []
            self.apply(pending)
        return False
