"""The import wizard: file, sheet and header row, columns, check, import, summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from lastmile_desktop.ui.context import AppContext


def build_import_page(context: AppContext) -> QWidget:
    """The page factory the main window uses; the wizard loads only when the window is built."""
    from lastmile_desktop.ui.import_wizard.page import ImportPage

    return ImportPage(context)
