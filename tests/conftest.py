"""Shared fixtures: every test gets its own data folder, settings file and database.

The whole run keeps Qt's settings, the user data folder and the XDG folders in temporary
folders (``isolated_user_folders``), and so do the processes tests start, which inherit
the environment: nothing is written into the home of whoever runs the suite.
tests/test_isolation.py checks it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from lastmile_desktop.storage import Database
    from tests.postgres_server import PostgresServer

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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="the database the storage, service and command tests run on (default: sqlite)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    backend = config.getoption("--backend")
    for item in items:
        if backend == "sqlite" and item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: make test-postgres"))
        if backend == "postgres" and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="about the SQLite file itself"))


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The database the run tests on: ``sqlite`` (``make test``) or ``postgres``."""
    chosen: str = request.config.getoption("--backend")
    return chosen


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the whole run; the test skips, saying why, without one."""
    from tests.postgres_server import PostgresUnavailable, start_server

    try:
        server = start_server()
    except PostgresUnavailable as reason:
        pytest.skip(f"PostgreSQL tests need a server: {reason}")
    yield server
    server.remove()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database migrated to the newest schema once, which each test's database copies."""
    from lastmile_desktop.storage import open_database

    name = "lastmile_template"
    run_admin_sql(postgres_server, f"CREATE DATABASE {name}")
    database, _ = open_database(postgres_server.url(name).render_as_string(hide_password=False))
    database.dispose()
    return name


def run_admin_sql(server: PostgresServer, *statements: str, database: str = "postgres") -> None:
    """Statements as the superuser, outside a transaction (CREATE DATABASE needs that)."""
    import psycopg

    with psycopg.connect(
        host=server.host, port=server.port, user="postgres", dbname=database, autocommit=True
    ) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


@pytest.fixture
def db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """The URL of a fresh, empty database for this test, on the run's backend.

    On SQLite it is a file in the test's folder that does not exist yet; on PostgreSQL a new
    database already migrated (a copy of the session's template), dropped again afterwards.
    """
    from lastmile_desktop.settings import to_url

    if backend == "sqlite":
        return to_url(tmp_path / "test.sqlite3")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template: str = request.getfixturevalue("postgres_template")
    name = f"test_{uuid.uuid4().hex[:16]}"
    run_admin_sql(server, f"CREATE DATABASE {name} TEMPLATE {template}")

    def drop() -> None:
        run_admin_sql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    request.addfinalizer(drop)
    return server.url(name).render_as_string(hide_password=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.sqlite3"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    from lastmile_desktop.storage import open_database

    database, _ = open_database(db_url)
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
