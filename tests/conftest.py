"""Shared fixtures: every test gets its own data folder, settings file and database.

The whole run keeps Qt's settings, the user data folder and the XDG folders in temporary
folders (``isolated_user_folders``), and so do the processes tests start, which inherit
the environment: nothing is written into the home of whoever runs the suite.
tests/test_isolation.py checks it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


# Tests that checked out a PostgreSQL connection (for the count printed at the end of a run).
_TESTS_ON_POSTGRES: set[str] = set()
_RUNNING: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--backend") != "postgres":
        return
    from sqlalchemy import Engine, event
    from sqlalchemy.pool import Pool

    def checked_out(dbapi_connection: object, *_: object) -> None:
        if _RUNNING and type(dbapi_connection).__module__.startswith("psycopg"):
            _TESTS_ON_POSTGRES.add(_RUNNING[-1])

    def connecting(dialect: Any, *_: object) -> None:
        # Counted even when the server refuses the connection (a test of that refusal).
        if _RUNNING and dialect.name == "postgresql":
            _TESTS_ON_POSTGRES.add(_RUNNING[-1])

    event.listen(Pool, "checkout", checked_out)
    event.listen(Engine, "do_connect", connecting)


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    _RUNNING.append(nodeid)


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    _RUNNING.clear()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if config.getoption("--backend") == "postgres":
        count = len(_TESTS_ON_POSTGRES)
        terminalreporter.write_line(f"{count} tests ran against PostgreSQL", bold=True)


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


def fresh_database_url(request: pytest.FixtureRequest, folder: Path, name: str = "test") -> str:
    """The URL of a new, empty database on the run's backend, for whoever asks (a test or a
    fixture of any scope; on PostgreSQL it is dropped when that requester is finished).

    On SQLite it is a file ``name.sqlite3`` in ``folder`` that does not exist yet; on
    PostgreSQL a new database already migrated (a copy of the session's template).
    """
    from lastmile_desktop.settings import to_url

    if request.config.getoption("--backend") == "sqlite":
        return to_url(folder / f"{name}.sqlite3")
    template: str = request.getfixturevalue("postgres_template")
    return _postgres_copy(request, template)


def empty_database_url(request: pytest.FixtureRequest, folder: Path, name: str = "empty") -> str:
    """Like ``fresh_database_url`` but not migrated: no table at all (on SQLite, no file)."""
    from lastmile_desktop.settings import to_url

    if request.config.getoption("--backend") == "sqlite":
        return to_url(folder / f"{name}.sqlite3")
    return _postgres_copy(request, "template0")


def copy_of_database(request: pytest.FixtureRequest, url: str, folder: Path) -> str:
    """A copy of the database at ``url`` (nobody may be connected to it), on its backend:
    a file copy for SQLite, ``CREATE DATABASE ... TEMPLATE`` for PostgreSQL."""
    from sqlalchemy import make_url

    from lastmile_desktop.settings import to_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database
        source = Path(parsed.database)
        copy = folder / source.name
        shutil.copyfile(source, copy)
        return to_url(copy)
    assert parsed.database
    return _postgres_copy(request, parsed.database)


def _postgres_copy(request: pytest.FixtureRequest, source: str) -> str:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:16]}"
    run_admin_sql(server, f"CREATE DATABASE {name} TEMPLATE {source}")

    def drop() -> None:
        if server.running:
            run_admin_sql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    request.addfinalizer(drop)
    return server.url(name).render_as_string(hide_password=False)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty database for this test, on the run's backend.

    On SQLite it is a file in the test's folder that does not exist yet; on PostgreSQL a new
    database already migrated (a copy of the session's template), dropped again afterwards.
    """
    return fresh_database_url(request, tmp_path)


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
