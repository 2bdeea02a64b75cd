"""Where the user is in the wizard: the steps in a row, done ones ticked, the current one bold."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget


class StepBar(QWidget):
    def __init__(self, titles: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(6)
        self.labels: list[QLabel] = []
        self._titles = titles
        for position, title in enumerate(titles):
            if position:
                arrow = QLabel("›")
                arrow.setObjectName("stepArrow")
                layout.addWidget(arrow)
            label = QLabel(title)
            label.setObjectName("stepLabel")
            self.labels.append(label)
            layout.addWidget(label)
        layout.addStretch(1)
        self.current = 0

    def set_current(self, current: int) -> None:
        self.current = current
        for position, (label, title) in enumerate(zip(self.labels, self._titles, strict=True)):
            if position < current:
                state, text = "done", f"✓ {title}"
            elif position == current:
                state, text = "current", f"{position + 1}  {title}"
            else:
                state, text = "todo", f"{position + 1}  {title}"
            label.setText(text)
            label.setProperty("state", state)
            label.style().unpolish(label)
            label.style().polish(label)
