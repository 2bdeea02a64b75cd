"""Text the window cuts off: what a test at a given window size fails on.

Checked where cut-off text hides something a user needs:
- a label that does not wrap and is narrower than its text, or a wrapping label shorter
  than its wrapped text;
- a button narrower than its text;
- a line edit whose placeholder is wider than the room for text;
- a table whose last column is narrower than its header's text (columns before it may
  need scrolling to, the last one is never cut short).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QStyle,
    QStyleOptionFrame,
    QTableView,
    QWidget,
)

SLACK = 1  # pixels of rounding


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0


def _where(widget: QWidget) -> str:
    names = []
    current: QWidget | None = widget
    while current is not None and len(names) < 3:
        names.append(current.objectName() or type(current).__name__)
        current = current.parentWidget()
    return "/".join(reversed(names))


def clipped_labels(root: QWidget) -> list[str]:
    problems = []
    for label in root.findChildren(QLabel):
        if not _shown(label) or not label.text() or not label.pixmap().isNull():
            continue
        if label.wordWrap():
            needed = label.heightForWidth(label.contentsRect().width())
            if needed > label.contentsRect().height() + SLACK:
                problems.append(
                    f"label {label.text()[:60]!r} ({_where(label)}) needs {needed}px of height, "
                    f"has {label.contentsRect().height()}"
                )
        elif label.sizeHint().width() > label.width() + SLACK:
            problems.append(
                f"label {label.text()[:60]!r} ({_where(label)}) needs "
                f"{label.sizeHint().width()}px, has {label.width()}"
            )
    return problems


def clipped_buttons(root: QWidget) -> list[str]:
    problems = []
    for button in root.findChildren(QAbstractButton):
        if _shown(button) and button.text() and button.sizeHint().width() > button.width() + SLACK:
            problems.append(
                f"button {button.text()!r} ({_where(button)}) needs {button.sizeHint().width()}px, "
                f"has {button.width()}"
            )
    return problems


def clipped_placeholders(root: QWidget) -> list[str]:
    problems = []
    for edit in root.findChildren(QLineEdit):
        placeholder = edit.placeholderText()
        if not _shown(edit) or not placeholder or edit.text():
            continue
        option = QStyleOptionFrame()
        edit.initStyleOption(option)
        room = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
        margins = edit.textMargins()
        # The clear button takes room at the right end of the field once shown.
        clear = room.height() if edit.isClearButtonEnabled() else 0
        available = room.width() - margins.left() - margins.right() - clear - 4
        needed = edit.fontMetrics().horizontalAdvance(placeholder)
        if needed > available:
            problems.append(
                f"placeholder {placeholder!r} ({_where(edit)}) needs {needed}px, has {available}"
            )
    return problems


def clipped_last_columns(root: QWidget) -> list[str]:
    problems = []
    for table in root.findChildren(QTableView):
        header = table.horizontalHeader()
        if not _shown(table) or table.model() is None:
            continue
        visible = [i for i in range(header.count()) if not header.isSectionHidden(i)]
        if not visible:
            continue
        last = max(visible, key=header.visualIndex)
        title = str(table.model().headerData(last, header.orientation()) or "")
        needed = header.sectionSizeFromContents(last).width()
        if header.sectionSize(last) + SLACK < needed:
            problems.append(
                f"last column {title!r} of {_where(table)} is {header.sectionSize(last)}px, "
                f"its header needs {needed}"
            )
    return problems


def clipped_text(root: QWidget) -> list[str]:
    return [
        *clipped_labels(root),
        *clipped_buttons(root),
        *clipped_placeholders(root),
        *clipped_last_columns(root),
    ]
