"""What every page is given: the open database and the app-wide signals. Not a singleton."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.storage import Database


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
