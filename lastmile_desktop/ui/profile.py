"""Who is using the app: the picker at start, the Profile menu, and the remembered choice.

Local mode needs no passwords. The choice only decides which ``Profile`` the UI passes to
the services; the services decide what that profile may see and change.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.profiles import available_profiles
from lastmile_desktop.campaigns.stores import list_stores
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.assign.widgets import WARNING_STYLE
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext

SETTINGS_LAST_PROFILE = "profile/last"
LEAD_KEY = "lead"
SWITCH_SHORTCUT = "Ctrl+Shift+P"


def profile_key(profile: Profile) -> str:
    """How a profile is remembered in QSettings: "lead" or "manager:<id>"."""
    return LEAD_KEY if profile.is_lead else f"manager:{profile.manager_id}"


def remember_profile(profile: Profile) -> None:
    QSettings().setValue(SETTINGS_LAST_PROFILE, profile_key(profile))


def remembered_profile(db: Database) -> Profile | None:
    """The profile chosen last time, if it is still one of this database's choices (the
    manager still active; the lead not on a store's login)."""
    key = str(QSettings().value(SETTINGS_LAST_PROFILE, "") or "")
    return next((p for p in available_profiles(db) if profile_key(p) == key), None)


def describe_profile(profile: Profile, store_labels: dict[int, str]) -> str:
    if profile.is_lead:
        return f"{profile.name} — sees every store"
    store = store_labels.get(profile.store_id or -1, "their store")
    return f"{profile.name} — {store}"


class ProfileDialog(QDialog):
    """Pick who is using the app. Enter or double-click chooses."""

    def __init__(
        self,
        db: Database,
        current: Profile | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who is using Last Mile?")
        self.setMinimumSize(480, 420)
        self.profiles = available_profiles(db)
        labels = {store.id: store.label for store in list_stores(db)}

        heading = QLabel("Who is working?")
        heading.setObjectName("dialogTitle")
        intro = QLabel(
            "The regional lead sees and manages every store; a store manager sees and works "
            "only their store's customers. Type a name to jump to it. You can switch later "
            f"from the Profile menu ({SWITCH_SHORTCUT})."
        )
        intro.setWordWrap(True)
        # A wrapped label under-reports its height to the layout; reserve what it needs.
        intro.setMinimumHeight(intro.heightForWidth(440) + 4)
        self.list = QListWidget()
        self.list.setObjectName("profileList")
        self.list.setStyleSheet("QListWidget#profileList::item { padding: 6px 4px; }")
        for profile in self.profiles:
            item = QListWidgetItem(describe_profile(profile, labels))
            item.setData(Qt.ItemDataRole.UserRole, profile_key(profile))
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("Continue")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)

        wanted = profile_key(current) if current is not None else LEAD_KEY
        keys = [profile_key(profile) for profile in self.profiles]
        self.list.setCurrentRow(keys.index(wanted) if wanted in keys else 0)
        self.list.setFocus()

    def selected_profile(self) -> Profile:
        row = max(self.list.currentRow(), 0)
        return self.profiles[row]


def choose_profile_at_start(db: Database, parent: QWidget | None = None) -> Profile:
    """The profile to open with: asks only when there is a choice.

    Without managers the lead is the only profile (on a store's login, a store with one
    manager has only them), so no question is asked. Closing the picker keeps the last
    choice (or the first one offered), rather than quitting the app.
    """
    profiles = available_profiles(db)
    if len(profiles) == 1:
        return profiles[0]
    last = remembered_profile(db)
    dialog = ProfileDialog(db, last, parent)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        chosen = dialog.selected_profile()
        remember_profile(chosen)
        return chosen
    return last or profiles[0]


class ProfileSwitcher:
    """The Profile menu of the main window and the label naming who is working."""

    def __init__(self, window: QMainWindow, context: AppContext) -> None:
        self.window = window
        self.context = context
        self.dialog: ProfileDialog | None = None
        menu = window.menuBar().addMenu("&Profile")
        self.switch_action = QAction("&Switch profile...", window)
        self.switch_action.setShortcut(QKeySequence(SWITCH_SHORTCUT))
        self.switch_action.triggered.connect(self.open_picker)
        menu.addAction(self.switch_action)
        self.current_label = QLabel()
        self.current_label.setContentsMargins(8, 0, 8, 0)
        window.statusBar().addPermanentWidget(self.current_label)
        # The services' last refusal of the profile in use: shown until another is picked.
        self.refusal: str | None = None
        context.profile_changed.connect(lambda _profile: self._show_current())
        context.profile_refused.connect(self.refused)
        context.changed.connect(self._on_changed)
        self._show_current()

    def _on_changed(self, change: Changed) -> None:
        # The store's name may have changed; a refusal stays in view until a new profile.
        if change.touches(ChangeKind.STORES_CHANGED) and self.refusal is None:
            self._show_current()

    def _show_current(self) -> None:
        self.refusal = None
        profile = self.context.profile
        labels = {store.id: store.label for store in list_stores(self.context.db)}
        self.current_label.setStyleSheet("")
        self.current_label.setText(f"Working as {describe_profile(profile, labels)}")

    def refused(self, reason: str) -> None:
        """The services refused the profile in use: say why, and offer the picker once."""
        self.refusal = reason
        self.current_label.setStyleSheet(WARNING_STYLE)
        self.current_label.setText(reason)
        if self.dialog is None or not self.dialog.isVisible():
            self.open_picker()

    def open_picker(self) -> ProfileDialog:
        """Opens the picker (window-modal); the choice applies when it is accepted."""
        dialog = ProfileDialog(self.context.db, self.context.profile, self.window)
        dialog.accepted.connect(lambda: self.switch_to(dialog.selected_profile()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def switch_to(self, profile: Profile) -> None:
        remember_profile(profile)
        self.context.set_profile(profile)
