"""Running the tests leaves the home of whoever runs them as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Tests whose code writes Qt settings (window size, last page, campaign, profile) or data,
# in this process and in the subprocesses they start (selftest builds the main window).
SETTINGS_WRITERS = [
    "tests/ui/test_main_window.py",
    "tests/ui/test_profile.py",
    "tests/ui/test_help.py",
    "tests/test_cli.py::test_selftest_passes_on_a_fresh_install",
]


def test_the_suite_writes_nothing_into_the_home_of_whoever_runs_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("XDG_", "LASTMILE_")) and name != "HOME"
    }
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--basetemp",
            str(tmp_path / "run"),
            *SETTINGS_WRITERS,
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    written = sorted(str(path.relative_to(home)) for path in home.rglob("*"))
    assert written == []
