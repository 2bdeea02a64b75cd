"""What every page is given: the open database and the app-wide signals. Not a singleton."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.storage import Database

T = TypeVar("T")


class AppContext(QObject):
    # Something changed the data (an import, an assignment): pages showing counts refresh.
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

    def __init__(
        self, db: Database, parent: QObject | None = None, *, profile: Profile | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        # Who is using the app; services filter by it, the UI only passes it on.
        self.profile = profile or Profile.lead()

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
