"""Starts the GUI. Qt is imported only when the app actually opens."""

from __future__ import annotations


def run_gui(db_arg: str | None = None) -> int:
    from lastmile_desktop.ui.application import run

    return run(db_arg)
