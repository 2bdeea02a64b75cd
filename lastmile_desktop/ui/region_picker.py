"""A country list for phone numbers and dates: the wizard, Settings and the first-run screen."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QWidget

from lastmile_desktop.countries import country_name, phone_regions

# How many entries the open list shows at once: long enough to scan, short enough to fit.
VISIBLE_ITEMS = 16


class RegionPicker(QComboBox):
    """Every country phone numbers can be read for, as "United Kingdom (GB)", by name.

    Two hundred countries are too many to scroll: typing part of a name or the code ("king",
    "GB") lists the matches, and Enter takes the first. ``none_text`` adds a first entry
    meaning "no country" (``region()`` is then None). ``region_chosen`` is sent only when the
    user picks another entry than the one shown, never when the program sets one.
    """

    region_chosen = Signal(object)  # str, or None for the "no country" entry

    def __init__(self, none_text: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaxVisibleItems(VISIBLE_ITEMS)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        if none_text is not None:
            self.addItem(none_text, None)
        for code, name in phone_regions():
            self.addItem(f"{name} ({code})", code)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.line = QLineEdit()
        self.setLineEdit(self.line)
        self.line.setPlaceholderText("Type a country or its code")
        self.matches = QCompleter(self.model(), self)
        self.matches.setFilterMode(Qt.MatchFlag.MatchContains)
        self.matches.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.matches.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(self.matches)
        self.line.editingFinished.connect(self.take_typed)
        self._announced = self.currentIndex()  # the entry last set or announced
        self.activated.connect(lambda _index: self._announce())

    def region(self) -> str | None:
        data = self.itemData(self.currentIndex())
        return data if isinstance(data, str) else None

    def set_region(self, code: str | None) -> None:
        """Show ``code`` (or the "no country" entry for None) without sending a signal."""
        if code is None:
            index = 0 if self.count() and self.itemData(0) is None else self.currentIndex()
        else:
            index = self.findData(code.upper())
            if index < 0:
                # A code the list lacks still shows, so the choice is never silently changed.
                self.addItem(f"{country_name(code)} ({code.upper()})", code.upper())
                index = self.count() - 1
        self.setCurrentIndex(index)
        self._announced = index

    def _match(self, typed: str) -> int | None:
        """The entry typed: the same text, else the code, else the first that contains it."""
        wanted = typed.strip().casefold()
        if not wanted:
            return None
        texts = [self.itemText(index).casefold() for index in range(self.count())]
        for index, text in enumerate(texts):
            if text == wanted or (len(wanted) == 2 and text.endswith(f"({wanted})")):
                return index
        return next((index for index, text in enumerate(texts) if wanted in text), None)

    def is_being_typed_in(self, widget: QWidget | None) -> bool:
        """True when ``widget`` (the focus) is this picker, where Enter takes the typed text."""
        return widget is not None and (widget is self or widget is self.line)

    def take_typed(self) -> None:
        """Choose the country typed so far, or show the chosen one again if none matches."""
        text = self.line.text()
        if text == self.itemText(self.currentIndex()):
            return
        index = self._match(text)
        if index is None:
            # Nothing like it: show the country that is still chosen.
            self.line.setText(self.itemText(self.currentIndex()))
            return
        self.setCurrentIndex(index)
        popup = self.matches.popup()
        if popup is not None:
            popup.hide()
        self._announce()

    def _announce(self) -> None:
        # Qt may report one pick twice (the completer, then the combo): say it once.
        if self.currentIndex() != self._announced:
            self._announced = self.currentIndex()
            self.region_chosen.emit(self.region())
