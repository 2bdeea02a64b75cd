"""The pages of the main window, in navigation order. One module per page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from lastmile_desktop.ui.context import AppContext


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    shortcut: str
    factory: Callable[[AppContext], QWidget]


def page_specs() -> list[PageSpec]:
    from lastmile_desktop.ui.assign.page import build_assign_page
    from lastmile_desktop.ui.desk.page import build_desk_page
    from lastmile_desktop.ui.export.page import build_export_page
    from lastmile_desktop.ui.import_wizard import build_import_page
    from lastmile_desktop.ui.leaderboard.page import build_leaderboard_page

    return [
        PageSpec("import", "Import", "Ctrl+1", build_import_page),
        PageSpec("assign", "Assign", "Ctrl+2", build_assign_page),
        PageSpec("calls", "Calls", "Ctrl+3", build_desk_page),
        PageSpec("leaderboard", "Leaderboard", "Ctrl+4", build_leaderboard_page),
        PageSpec("export", "Export", "Ctrl+5", build_export_page),
    ]
