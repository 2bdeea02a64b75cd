"""Every module outside ui/ imports without loading Qt (import-linter checks the source too)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import lastmile_desktop

QT_PACKAGE = "lastmile_desktop.ui"
# Alembic's environment script runs the migrations when imported: only Alembic loads it.
RUN_ON_IMPORT = {"lastmile_desktop.storage.migrations.env"}


def core_modules() -> list[str]:
    """Every module and package of lastmile_desktop outside ui/, found without importing."""
    found = ["lastmile_desktop"]
    pending = [(Path(lastmile_desktop.__file__).parent, "lastmile_desktop.")]
    while pending:
        folder, prefix = pending.pop()
        for module in pkgutil.iter_modules([str(folder)], prefix):
            if module.name == QT_PACKAGE or module.name in RUN_ON_IMPORT:
                continue
            found.append(module.name)
            if module.ispkg:
                pending.append((folder / module.name.rsplit(".", 1)[-1], module.name + "."))
    return sorted(found)


def test_the_walk_finds_modules_deep_in_every_package() -> None:
    modules = core_modules()
    assert "lastmile_desktop.importing.rows" in modules
    assert "lastmile_desktop.campaigns.identities" in modules
    assert "lastmile_desktop.storage.migrations.versions.0001_initial_schema" in modules
    assert "lastmile_desktop.commands.selftest" in modules
    assert not [name for name in modules if name.startswith(QT_PACKAGE)]


def test_importing_every_module_outside_ui_loads_no_qt_module() -> None:
    # A fresh interpreter: this test process has Qt loaded already.
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "import lastmile_desktop.cli as cli\n"
        "cli.build_parser()\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
