"""The pinned Qt binding keeps Python alive through a long working day.

PySide6 6.12.0 dropped a reference to ``None`` on every call of a Qt method that returns
nothing; on Python 3.11 the process aborted ("none_dealloc") after some thousands of calls.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_calling_qt_methods_that_return_nothing_leaves_none_alone(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for number in range(2_000):
        label.setText(str(number))
    assert sys.getrefcount(None) - before < 100
