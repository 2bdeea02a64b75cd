from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "lastmile_desktop.storage",
    "lastmile_desktop.importing",
    "lastmile_desktop.campaigns",
    "lastmile_desktop.calling",
    "lastmile_desktop.leaderboard",
    "lastmile_desktop.exporting",
    "lastmile_desktop.cli",
]


def test_importing_the_core_loads_no_qt_module() -> None:
    # A fresh interpreter: this test process has Qt loaded already.
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in CORE_MODULES)
        + "import lastmile_desktop.cli as cli\n"
        + "cli.build_parser()\n"
        + "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        + "print(','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
