"""Shared fixtures: every test gets its own data folder, settings file and database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from lastmile_desktop.storage import Database

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
