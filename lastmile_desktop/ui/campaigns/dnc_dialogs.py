"""Dialogs of the do-not-call tab: adding an entry, and confirming a customer is forgotten."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.campaigns.do_not_call import DncAddResult
from lastmile_desktop.ui.assign.widgets import hint_label, show_warning, warning_label


class AddEntryDialog(QDialog):
    """A phone number and/or a customer id, and why; whoever saves it closes the dialog."""

    # "Add to list" was pressed; carries the phone, the customer id and the reason typed.
    submitted = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add to the do-not-call list")
        self.setMinimumWidth(440)
        self.result_of_save: DncAddResult | None = None
        self.phone_edit = QLineEdit()
        self.phone_edit.setPlaceholderText("e.g. 020 7946 0123 or +44 20 7946 0123")
        self.customer_id_edit = QLineEdit()
        self.customer_id_edit.setPlaceholderText("head office's customer id (optional)")
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("e.g. asked on the phone not to be called again")
        form = QFormLayout()
        form.addRow("&Phone", self.phone_edit)
        form.addRow("&Customer id", self.customer_id_edit)
        form.addRow("&Reason", self.reason_edit)
        self.error_label = warning_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("Add to list")
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint_label(
                "Customers with this phone number or id leave every open campaign's calls "
                "now, and are never called again, whatever is imported later."
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def try_save(self) -> None:
        self.submitted.emit(
            self.phone_edit.text(), self.customer_id_edit.text(), self.reason_edit.text()
        )

    def show_error(self, text: str) -> None:
        show_warning(self.error_label, text)

    def finish(self, result: DncAddResult) -> None:
        self.result_of_save = result
        self.accept()


CONFIRMATION_WORD = "FORGET"


class ForgetCustomerDialog(QDialog):
    """Names who will be erased and what stays; the button waits until FORGET is typed."""

    def __init__(self, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Forget this customer")
        self.setMinimumWidth(480)
        confirmation = CONFIRMATION_WORD
        text = QLabel(
            f"<b>{description}</b><br><br>"
            "This erases the customer's name, phone numbers, email and notes everywhere, "
            "for good. Counts in the statistics stay, without anything that identifies them. "
            "An entry on the do-not-call list stays, so they are never called again, and "
            "lists imported later leave them out. "
            "This cannot be undone."
        )
        text.setWordWrap(True)
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setPlaceholderText(confirmation)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.forget_button = buttons.addButton(
            "Forget customer", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.forget_button.setEnabled(False)
        self.forget_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.confirm_edit.textChanged.connect(
            lambda typed: self.forget_button.setEnabled(typed.strip() == confirmation)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(QLabel(f"Type <b>{confirmation}</b> to confirm:"))
        layout.addWidget(self.confirm_edit)
        layout.addWidget(buttons)
