"""Builds the PyInstaller bundle and runs its self-test. Slow: run with ``pytest -m packaging``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXECUTABLE = "lastmile.exe" if sys.platform == "win32" else "lastmile"


@pytest.mark.packaging
def test_the_bundled_app_passes_its_selftest(tmp_path: Path) -> None:
    dist, work = tmp_path / "dist", tmp_path / "build"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(ROOT / "build.spec"),
        ],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    app = dist / "lastmile" / EXECUTABLE
    assert app.is_file()
    migrations = next((dist / "lastmile").rglob("storage/migrations"))
    assert (migrations / "script.py.mako").is_file()
    assert (migrations / "env.py").is_file()
    assert list((migrations / "versions").glob("0001_*.py"))

    data_dir = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LASTMILE_DATA_DIR": str(data_dir)}
    env.pop("LASTMILE_DB", None)
    selftest = subprocess.run(
        [str(app), "selftest"], check=False, capture_output=True, text=True, env=env, timeout=300
    )
    assert selftest.returncode == 0, selftest.stdout + selftest.stderr
    for check in ("database", "data", "window"):
        assert f"ok   {check}:" in selftest.stdout

    demo = subprocess.run(
        [str(app), "demo", "--customers", "200"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    assert (data_dir / "demo.sqlite3").is_file()
