"""Which keyboard shortcuts a window would answer, worked out with Qt's own rules.

Qt gives a key to a shortcut only when exactly one enabled shortcut with that key is active
for the focus widget; with two, neither fires (Qt logs "Ambiguous shortcut overload"). A
shortcut is active when its owner widget is visible and enabled and:
- Qt.WindowShortcut: the owner is in the active window (its hidden pages and tabs are not);
- Qt.WidgetWithChildrenShortcut: the focus is on the owner or inside it;
- Qt.WidgetShortcut: the focus is on the owner;
- Qt.ApplicationShortcut: always.
Besides QAction and QShortcut, buttons, labels with a buddy, tab bars, group boxes and the
menu bar grab Alt+letter for the letter after "&" in their text (window-wide).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QMenuBar,
    QTabBar,
    QWidget,
)


@dataclass(frozen=True)
class Grab:
    keys: str  # portable text, e.g. "Ctrl+O"
    owner: QWidget
    context: Qt.ShortcutContext
    what: str  # for the failure message
    # What Qt registers the key for: one action added to several widgets (the Edit menu and
    # the call desk share Undo) is one shortcut, not several.
    claimant: int = 0

    def active_for(self, focus: QWidget | None) -> bool:
        if not _shown(self.owner):
            return False
        if self.context in (
            Qt.ShortcutContext.WindowShortcut,
            Qt.ShortcutContext.ApplicationShortcut,
        ):
            return True
        if focus is None:
            return False
        if self.context == Qt.ShortcutContext.WidgetShortcut:
            return focus is self.owner
        return focus is self.owner or self.owner.isAncestorOf(focus)


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.isEnabled()


def _text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def mnemonic(text: str) -> str:
    return _text(QKeySequence.mnemonic(text))


def _describe(widget: QWidget) -> str:
    return f"{type(widget).__name__} {widget.objectName() or ''}".strip()


def _menu_is_reachable(menu: QMenu, window: QMainWindow) -> bool:
    """A menu of the window's menu bar (its shortcuts work while the menu bar is shown)."""
    bar = window.menuBar()
    return _shown(bar) and menu.menuAction() in bar.actions()


def _actions(window: QMainWindow) -> list[QAction]:
    """The window's own actions and those its widgets show (some belong to the context)."""
    actions = {id(action): action for action in window.findChildren(QAction)}
    for widget in [window, *window.findChildren(QWidget)]:
        for action in widget.actions():
            actions.setdefault(id(action), action)
    return list(actions.values())


def grabs(window: QMainWindow) -> list[Grab]:
    found: list[Grab] = []
    for action in _actions(window):
        if not (action.isEnabled() and action.isVisible()) or not action.shortcuts():
            continue
        for associated in action.associatedObjects():
            owner = associated
            if isinstance(associated, QMenu):
                if not _menu_is_reachable(associated, window):
                    continue  # a context menu: its entries act through the owner widget
                owner = window.menuBar()
            if not isinstance(owner, QWidget):
                continue
            for sequence in action.shortcuts():
                found.append(
                    Grab(
                        _text(sequence),
                        owner,
                        action.shortcutContext(),
                        f'action "{action.text()}"',
                        id(action),
                    )
                )
    for shortcut in window.findChildren(QShortcut):
        parent = shortcut.parent()
        if shortcut.isEnabled() and isinstance(parent, QWidget):
            for sequence in shortcut.keys():  # noqa: SIM118 (a QShortcut, not a dict)
                found.append(
                    Grab(
                        _text(sequence),
                        parent,
                        shortcut.context(),
                        f"shortcut on {_describe(parent)}",
                    )
                )
    for button in window.findChildren(QAbstractButton):
        if not button.shortcut().isEmpty():
            found.append(
                Grab(
                    _text(button.shortcut()),
                    button,
                    Qt.ShortcutContext.WindowShortcut,
                    f'button "{button.text()}"',
                )
            )
    for label in window.findChildren(QLabel):
        if label.buddy() is not None and mnemonic(label.text()):
            found.append(
                Grab(
                    mnemonic(label.text()),
                    label,
                    Qt.ShortcutContext.WindowShortcut,
                    f'label "{label.text()}"',
                )
            )
    for box in window.findChildren(QGroupBox):
        if mnemonic(box.title()):
            found.append(
                Grab(
                    mnemonic(box.title()),
                    box,
                    Qt.ShortcutContext.WindowShortcut,
                    f'group "{box.title()}"',
                )
            )
    for bar in window.findChildren(QTabBar):
        for index in range(bar.count()):
            if bar.isTabEnabled(index) and mnemonic(bar.tabText(index)):
                found.append(
                    Grab(
                        mnemonic(bar.tabText(index)),
                        bar,
                        Qt.ShortcutContext.WindowShortcut,
                        f'tab "{bar.tabText(index)}"',
                    )
                )
    menu_bar = window.menuBar()
    for action in menu_bar.actions():
        if action.isVisible() and action.isEnabled() and mnemonic(action.text()):
            found.append(
                Grab(
                    mnemonic(action.text()),
                    menu_bar,
                    Qt.ShortcutContext.WindowShortcut,
                    f'menu "{action.text()}"',
                )
            )
    return found


def focus_positions(window: QMainWindow) -> list[QWidget | None]:
    """Every widget the keyboard focus can be on right now, and nowhere."""
    widgets: list[QWidget | None] = [None]
    for widget in window.findChildren(QWidget):
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus and _shown(widget):
            widgets.append(widget)
    return widgets


def ambiguities(window: QMainWindow) -> list[str]:
    """Key sequences claimed twice for the same focus position, as readable lines."""
    all_grabs = grabs(window)
    problems: set[str] = set()
    for focus in focus_positions(window):
        by_keys: dict[str, list[Grab]] = defaultdict(list)
        for grab in all_grabs:
            if grab.active_for(focus):
                by_keys[grab.keys].append(grab)
        for keys, claimants in by_keys.items():
            owners = {grab.claimant or (id(grab.owner), grab.what) for grab in claimants}
            if len(owners) > 1:
                names = " and ".join(sorted({grab.what for grab in claimants}))
                problems.add(f"{keys}: {names}")
    return sorted(problems)


def duplicated_mnemonics(window: QMainWindow) -> list[str]:
    """Letters underlined twice within the menu bar or within one of its menus."""
    problems: list[str] = []
    menus: list[QMenuBar | QMenu] = [window.menuBar()]
    for action in window.menuBar().actions():
        if action.menu() is not None:
            menus.append(action.menu())  # type: ignore[arg-type]
    for menu in menus:
        seen: dict[str, str] = {}
        for action in menu.actions():
            if not action.isVisible() or action.isSeparator():
                continue
            letter = mnemonic(action.text())
            if not letter:
                continue
            if letter in seen:
                title = menu.title() if isinstance(menu, QMenu) else "menu bar"
                problems.append(f'{title}: {letter} for "{seen[letter]}" and "{action.text()}"')
            seen[letter] = action.text()
    return problems
