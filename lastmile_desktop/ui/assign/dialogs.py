"""The small dialogs behind the Assign page's actions: pick a manager, a store, a scope."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.assignment import StoreWithoutManager
from lastmile_desktop.campaigns.managers import ManagerInfo
from lastmile_desktop.campaigns.stores import StoreInfo


class _ChoiceDialog(QDialog):
    """A question, one combo box, an optional reason, and OK/Cancel."""

    def __init__(
        self,
        title: str,
        question: str,
        label: str,
        ok_text: str,
        *,
        with_reason: bool,
        reason_placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.question = QLabel(question)
        self.question.setWordWrap(True)
        self.combo = QComboBox()
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText(reason_placeholder)
        form = QFormLayout()
        form.addRow(label, self.combo)
        if with_reason:
            form.addRow("&Reason", self.reason_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def chosen_id(self) -> int | None:
        value = self.combo.currentData()
        return int(value) if value else None

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def choose(self, value: int) -> None:
        self.combo.setCurrentIndex(max(self.combo.findData(value), 0))


def manager_label(manager: ManagerInfo, *, with_store: bool = True) -> str:
    name = manager.name if manager.active else f"{manager.name} (left)"
    return f"{name} — {manager.store_name}" if with_store else name


class ReassignDialog(_ChoiceDialog):
    def __init__(
        self, count: int, managers: list[ManagerInfo], parent: QWidget | None = None
    ) -> None:
        noun = "customer" if count == 1 else f"{count} customers"
        super().__init__(
            f"Reassign {noun}",
            f"Who should call the selected {noun}? Calls already made stay with whoever made them.",
            "&Manager",
            "Reassign",
            with_reason=True,
            reason_placeholder="optional, e.g. speaks Polish",
            parent=parent,
        )
        for manager in managers:
            if manager.active:
                self.combo.addItem(manager_label(manager), manager.id)
        self.ok_button.setEnabled(self.combo.count() > 0)


class PickStoreDialog(_ChoiceDialog):
    def __init__(self, count: int, stores: list[StoreInfo], parent: QWidget | None = None) -> None:
        noun = "this customer" if count == 1 else f"these {count} customers"
        super().__init__(
            "Pick a store",
            f"Which store should call {noun}? They are drawn into the holdout or the call "
            "group there and shared between the store's managers.",
            "&Store",
            "Send to store",
            with_reason=False,
            parent=parent,
        )
        for store in stores:
            self.combo.addItem(store.label, store.id)
        self.ok_button.setEnabled(self.combo.count() > 0)


class MoveWorkDialog(_ChoiceDialog):
    def __init__(self, managers: list[ManagerInfo], parent: QWidget | None = None) -> None:
        super().__init__(
            "Move work from a manager",
            "Whose customers still to call should be shared between the other managers of "
            "their store? This covers every open campaign.",
            "&From",
            "Move work",
            with_reason=True,
            reason_placeholder="optional, e.g. left the company",
            parent=parent,
        )
        # Those who left and still own work first: that is why this dialog exists.
        ordered = sorted(managers, key=lambda m: (m.active, m.open_members == 0, m.name))
        for manager in ordered:
            label = f"{manager_label(manager)}: {manager.open_members} to call"
            self.combo.addItem(label, manager.id)
        self.ok_button.setEnabled(self.combo.count() > 0)


class RebalanceDialog(_ChoiceDialog):
    def __init__(self, stores: list[StoreInfo], parent: QWidget | None = None) -> None:
        super().__init__(
            "Rebalance",
            "Even out the customers still to call between each store's active managers. "
            "Customers already tried stay with whoever called them; as few as possible move.",
            "&Stores",
            "Rebalance",
            with_reason=False,
            parent=parent,
        )
        self.combo.addItem("Every store", 0)
        for store in stores:
            self.combo.addItem(store.label, store.id)


class UnstaffedStoresDialog(QDialog):
    """Before Assign now: stores whose customers would go to nobody. Add managers, go ahead,
    or cancel. ``add_chosen`` tells the first from the second once the dialog is accepted."""

    def __init__(self, stores: list[StoreWithoutManager], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Stores without a manager")
        self.setMinimumWidth(480)
        self.stores = stores
        self.add_chosen = False
        number = QLocale().toString
        noun = "This store has" if len(stores) == 1 else "These stores have"
        self.question = QLabel(
            f"{noun} customers waiting but no active manager. Assign now would draw them "
            "and give them to nobody: add a manager first, or go ahead and add one later "
            "(then press Assign now again)."
        )
        self.question.setWordWrap(True)
        self.store_list = QLabel(
            "<br>".join(
                f"<b>{escape(store.store_name)}</b>: {number(store.waiting)} "
                + ("customer" if store.waiting == 1 else "customers")
                for store in stores
            )
        )
        self.buttons = QDialogButtonBox()
        self.add_button = self.buttons.addButton(
            "Add &managers...  (Alt+M)", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.assign_button = self.buttons.addButton(
            "Assign &anyway  (Alt+A)", QDialogButtonBox.ButtonRole.AcceptRole
        )
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None
        cancel.setText("Cancel  (Esc)")
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(lambda: self._choose(add=True))
        self.assign_button.clicked.connect(lambda: self._choose(add=False))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addWidget(self.store_list)
        layout.addWidget(self.buttons)

    def _choose(self, *, add: bool) -> None:
        self.add_chosen = add
        self.accept()
