"""The customer card: who to call, what makes the call personal, and what happened before."""

from __future__ import annotations

import uuid
from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.calling.card import AttemptLine, CustomerCard
from lastmile_desktop.calling.outcomes import NOT_INTERESTED_REASON_LABELS
from lastmile_desktop.ui.desk import wording

HISTORY_COLUMNS = ("When", "Campaign", "Who", "Outcome", "Note")


class NoteEdit(QLineEdit):
    """The pinned note, edited in place: Enter saves, Esc puts back what was saved."""

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.saved_text = ""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.setText(self.saved_text)
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class CardView(QFrame):
    # The pinned note was edited: member UUID, the new text ("" clears it).
    pinned_note_edited = Signal(object, str)
    # Esc in the note: go back to the queue.
    note_left = Signal()

    def __init__(self, zone: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deskCard")
        self.zone = zone
        self.card: CustomerCard | None = None

        self.name_label = QLabel()
        self.name_label.setObjectName("deskCustomerName")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.place_label = QLabel()
        self.place_label.setObjectName("hint")
        self.place_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.phone_label = QLabel()
        self.phone_label.setObjectName("deskPhone")
        self.phone_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.call_button = QPushButton("Call  (Ctrl+Enter)")
        self.call_button.setObjectName("primaryButton")
        self.call_button.setToolTip("Dial the number with the phone app of this computer")
        self.call_button.clicked.connect(self.call)
        self.copy_button = QPushButton("Copy  (Ctrl+Shift+C)")
        self.copy_button.setToolTip("Copy the number, to type or paste it into a phone")
        self.copy_button.clicked.connect(self.copy_phone)
        self.time_label = QLabel()
        self.time_label.setObjectName("hint")

        self.facts_label = QLabel()
        self.facts_label.setWordWrap(True)

        self.note_edit = NoteEdit()
        self.note_edit.setObjectName("deskPinnedNote")
        self.note_edit.setAccessibleName("Pinned note about the customer")
        self.note_edit.setPlaceholderText(
            "A note that stays with the customer, e.g. new baby: Simon  (Ctrl+E, Enter saves)"
        )
        self.note_edit.setMaxLength(500)
        self.note_edit.editingFinished.connect(self._note_finished)
        self.note_edit.cancelled.connect(self.note_left)
        note_label = QLabel("Pinned &note")
        note_label.setBuddy(self.note_edit)

        self.offer_label = QLabel()
        self.offer_label.setObjectName("deskOffer")
        self.offer_label.setWordWrap(True)
        self.script_view = QTextBrowser()
        self.script_view.setObjectName("deskScript")
        self.script_view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.script_view.setAccessibleName("Call script")
        self.script_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self.history_label = QLabel()
        self.history_label.setObjectName("deskSectionLabel")
        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setObjectName("deskHistory")
        self.history.setAccessibleName("Earlier calls")
        self.history.setHorizontalHeaderLabels(list(HISTORY_COLUMNS))
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.history.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history.setAlternatingRowColors(True)
        self.history.setWordWrap(False)
        header = self.history.horizontalHeader()
        # Sized to their contents once a card is filled in (``_show_history``): resizing them
        # to the contents after every cell took 10 ms per customer.
        for column in range(len(HISTORY_COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        header.setStretchLastSection(True)
        self.history.verticalHeader().setDefaultSectionSize(22)

        top = QHBoxLayout()
        top.addWidget(self.name_label, 1)
        top.addWidget(self.place_label)
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone_label)
        phone_row.addSpacing(12)
        phone_row.addWidget(self.call_button)
        phone_row.addWidget(self.copy_button)
        phone_row.addSpacing(12)
        phone_row.addWidget(self.time_label, 1)
        note_row = QHBoxLayout()
        note_row.addWidget(note_label)
        note_row.addWidget(self.note_edit, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(phone_row)
        layout.addWidget(self.facts_label)
        layout.addLayout(note_row)
        layout.addWidget(self.offer_label)
        layout.addWidget(self.script_view, 3)
        layout.addWidget(self.history_label)
        layout.addWidget(self.history, 2)

    # -- showing ----------------------------------------------------------------------------
    def show_card(self, card: CustomerCard, zones: tuple[str, ...], now: datetime) -> None:
        same_customer = self.card is not None and self.card.member == card.member
        self.card = card
        self.name_label.setText(card.name)
        place = [part for part in (card.store, card.manager) if part]
        self.place_label.setText(" · ".join(place))
        self.phone_label.setText(wording.display_phone(card.phone))
        has_phone = bool(card.phone)
        self.call_button.setEnabled(has_phone)
        self.copy_button.setEnabled(has_phone)
        self.time_label.setText(wording.customer_zone_note(zones, self.zone, now))
        self.facts_label.setText(self._facts(card))
        if not (same_customer and self.note_edit.hasFocus()):
            self.note_edit.saved_text = card.pinned_note or ""
            self.note_edit.setText(card.pinned_note or "")
        self.offer_label.setText(f"<b>Offer:</b> {_escape(card.offer)}" if card.offer else "")
        self.offer_label.setVisible(bool(card.offer))
        self.script_view.setPlainText(card.script or "This campaign has no call script.")
        self._show_history(card, now)

    def _facts(self, card: CustomerCard) -> str:
        parts = [wording.days_ago(card.days_since_last_purchase)]
        if card.last_purchase is not None:
            parts[0] += f" ({wording.short_date(card.last_purchase)})"
        spend = f"spent {wording.money(card.lifetime_spend_cents)}"
        if card.visits is not None:
            spend += f" over {wording.count(card.visits, 'visit')}"
        parts.append(spend)
        calls = wording.count(card.attempts, "call")
        parts.append(card.status if card.attempts == 0 else f"{card.status} ({calls} so far)")
        if card.phone_alt:
            parts.append(f"other number {wording.display_phone(card.phone_alt)}")
        text = " · ".join(parts)
        return text[0].upper() + text[1:]

    def _show_history(self, card: CustomerCard, now: datetime) -> None:
        lines = card.history
        self.history_label.setText(
            "Earlier calls: none" if not lines else f"Earlier calls ({len(lines)})"
        )
        self.history.setRowCount(len(lines))
        for row, line in enumerate(lines):
            values = (
                wording.when(line.called_at, now, self.zone),
                line.campaign,
                line.manager or "",
                _outcome_words(line),
                line.note or "",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.history.setItem(row, column, item)
        self.history.resizeColumnsToContents()
        self.history.setVisible(bool(lines))

    def clear(self) -> None:
        self.card = None

    # -- actions ----------------------------------------------------------------------------
    def call(self) -> None:
        """Hands the number to the system's phone app (a softphone, a paired mobile)."""
        if self.card is not None and self.card.phone:
            QDesktopServices.openUrl(QUrl("tel:" + self.card.phone))

    def copy_phone(self) -> None:
        if self.card is not None and self.card.phone:
            QGuiApplication.clipboard().setText(self.card.phone)

    def edit_note(self) -> None:
        self.note_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.note_edit.selectAll()

    def member(self) -> uuid.UUID | None:
        return self.card.member if self.card is not None else None

    def _note_finished(self) -> None:
        text = self.note_edit.text().strip()
        if self.card is None or text == self.note_edit.saved_text:
            return
        self.note_edit.saved_text = text
        self.pinned_note_edited.emit(self.card.member, text)


def _outcome_words(line: AttemptLine) -> str:
    """The outcome, and what kind of call it was when it was not an attempt to win them back."""
    words = line.outcome_label
    if line.reason:
        words += f": {NOT_INTERESTED_REASON_LABELS.get(line.reason, line.reason)}"
    if line.follow_up:
        words += f" ({wording.FOLLOW_UP_WORDS.get(line.follow_up, 'follow-up call')})"
    return words


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
