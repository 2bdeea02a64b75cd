"""Shared fixtures: every test gets its own data folder, settings file and database.

The whole run keeps Qt's settings, the user data folder and the XDG folders in temporary
folders (``isolated_user_folders``), and so do the processes tests start, which inherit
the environment: nothing is written into the home of whoever runs the suite.
tests/test_isolation.py checks it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from lastmile_desktop.storage import Database

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

USER_FOLDER_VARIABLES = (
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
)


@pytest.fixture(scope="session", autouse=True)
def isolated_user_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Home, XDG folders, Qt settings and the Last Mile data folder of the run: temporary."""
    from PySide6.QtCore import QSettings, QStandardPaths

    root = tmp_path_factory.mktemp("user-folders")
    with pytest.MonkeyPatch.context() as patch:
        for name in USER_FOLDER_VARIABLES:
            folder = root / name.lower()
            folder.mkdir()
            patch.setenv(name, str(folder))
        patch.setenv("LASTMILE_DATA_DIR", str(root / "lastmile-data"))
        patch.delenv("LASTMILE_DB", raising=False)
        QStandardPaths.setTestModeEnabled(True)
        # QSettings() then writes INI files here, whatever the system's native store is.
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            for settings_format in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
                QSettings.setPath(settings_format, scope, str(root / "qsettings" / scope.name))
        yield root
        QStandardPaths.setTestModeEnabled(False)


@pytest.fixture(autouse=True)
def isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Nothing a test does touches the real user data folder or database."""
    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("LASTMILE_DATA_DIR", str(folder))
    monkeypatch.delenv("LASTMILE_DB", raising=False)
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    from lastmile_desktop.settings import to_url
    from lastmile_desktop.storage import open_database

    database, _ = open_database(to_url(db_path))
    yield database
    database.dispose()


@pytest.fixture
def qsettings_isolated(tmp_path: Path) -> Iterator[None]:
    """QSettings written to a temporary INI file instead of the user's registry or config."""
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("LastMileTests")
    QCoreApplication.setApplicationName("LastMileTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings")
    )
    yield
    QSettings().clear()
