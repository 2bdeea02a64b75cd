"""Adding or correcting a manager: name, store, and optional phone and email."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.managers import ManagerDraft, ManagerInfo, add_manager
from lastmile_desktop.campaigns.stores import StoreInfo
from lastmile_desktop.ui.actions import UserAction
from lastmile_desktop.ui.assign.widgets import show_warning, warning_label
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext


class ManagerDialog(QDialog):
    """Collects a ``ManagerDraft``; whoever saves it closes the dialog or shows the refusal here."""

    # Save was pressed; carries the ManagerDraft.
    submitted = Signal(object)

    def __init__(
        self,
        stores: list[StoreInfo],
        *,
        store_id: int | None = None,
        manager: ManagerInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a manager" if manager is None else f"Edit {manager.name}")
        self.setMinimumWidth(420)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Sam Taylor")
        self.store_combo = QComboBox()
        for store in stores:
            self.store_combo.addItem(store.label, store.id)
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText("optional, e.g. 020 7946 0123")
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("optional, e.g. sam@example.com")
        chosen_store = manager.store_id if manager is not None else store_id
        if chosen_store is not None:
            self.store_combo.setCurrentIndex(max(self.store_combo.findData(chosen_store), 0))
        if manager is not None:
            self.name_edit.setText(manager.name)
            self.phone_edit.setText(manager.phone or "")
            self.email_edit.setText(manager.email or "")

        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&Store", self.store_combo)
        form.addRow("&Phone", self.phone_edit)
        form.addRow("&Email", self.email_edit)
        self.error_label = warning_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.saved: ManagerInfo | None = None
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def draft(self) -> ManagerDraft:
        return ManagerDraft(
            name=self.name_edit.text(),
            store_id=int(self.store_combo.currentData()),
            phone=self.phone_edit.text() or None,
            email=self.email_edit.text() or None,
        )

    def try_save(self) -> None:
        self.submitted.emit(self.draft())

    def show_error(self, text: str) -> None:
        show_warning(self.error_label, text)

    def finish(self, saved: ManagerInfo) -> None:
        self.saved = saved
        self.accept()


def new_manager_dialog(
    context: AppContext,
    stores: list[StoreInfo],
    *,
    store_id: int | None = None,
    parent: QWidget | None = None,
) -> ManagerDialog:
    """ "Add a manager" to one of ``stores`` (``store_id`` chosen first), saved by the service.

    The Stores tab, Assign now's check and the import summary all add managers through it.
    """
    db, profile = context.db, context.profile
    dialog = ManagerDialog(stores, store_id=store_id, parent=parent)
    save_from_dialog(dialog, context, lambda draft: add_manager(db, draft, profile))
    return dialog


def save_from_dialog(
    dialog: ManagerDialog, context: AppContext, save: Callable[[ManagerDraft], ManagerInfo]
) -> None:
    """Each Save runs ``save`` as a user action: a refusal shows in the dialog, success
    closes it (``dialog.saved`` holds the manager) and every page hears of the change."""

    def submitted(draft: ManagerDraft) -> None:
        action = UserAction(context, lambda: save(draft), parent=dialog)
        action.announces(Changed(ChangeKind.STORES_CHANGED))
        action.on_user_error(lambda error: dialog.show_error(str(error)))
        action.on_success(dialog.finish)
        action.run()

    dialog.submitted.connect(submitted)
