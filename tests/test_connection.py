"""Connecting to a database server: the choice kept in the data folder, the password in the
system keyring (an in-memory one here) and never in a file or the log, and ``lastmile
connect`` as its command-line face."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from lastmile_desktop.cli import main
from lastmile_desktop.connection import (
    KEYRING_SERVICE,
    NO_KEYRING,
    SAVED_SERVER_ORIGIN,
    PasswordKept,
    ServerConnection,
    check_connection,
    database_to_open,
    forget_connection,
    password_at_start,
    remember_connection,
    saved_server,
    settings_path,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.logging_setup import scrub_personal_data
from lastmile_desktop.settings import data_dir, default_db_path, to_url
from lastmile_desktop.storage.server_check import ProbeResult, probe_server
from tests.conftest import run_admin_sql
from tests.memory_keyring import MemoryKeyring, keyring_in_use, no_keyring
from tests.postgres_server import PostgresServer

SHOP = ServerConnection("db.example.com", 5432, "lastmile", "store_12")
PASSWORD = "tulip-Harbour-93!"  # searched for in every file the tests leave


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with keyring_in_use(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


def closed_port() -> int:
    """A port of this computer nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def files_holding(folder: Path, text: str) -> list[Path]:
    return [
        path for path in folder.rglob("*") if path.is_file() and text.encode() in path.read_bytes()
    ]


# -- remembering -----------------------------------------------------------------------------------


def test_the_password_goes_to_the_keyring_and_only_the_address_to_the_settings_file(
    memory_keyring: MemoryKeyring, isolated_data_dir: Path
) -> None:
    remembered = remember_connection(SHOP, PASSWORD)

    assert remembered.saved == saved_server()
    assert remembered.saved.password is PasswordKept.KEYRING
    assert memory_keyring.passwords == {
        (KEYRING_SERVICE, "store_12@db.example.com:5432/lastmile"): PASSWORD
    }
    assert json.loads(settings_path().read_text(encoding="utf-8")) == {
        "host": "db.example.com",
        "port": 5432,
        "database": "lastmile",
        "login": "store_12",
        "password": "keyring",
    }
    assert files_holding(isolated_data_dir, PASSWORD) == []


def test_without_a_keyring_the_password_is_kept_nowhere_and_asked_for_at_each_start(
    isolated_data_dir: Path,
) -> None:
    with keyring_in_use(no_keyring()):
        remembered = remember_connection(SHOP, PASSWORD)
        at_start = password_at_start(remembered.saved)

    assert remembered.saved.password is PasswordKept.ASK
    assert remembered.message == NO_KEYRING
    assert (at_start.password, at_start.ask_because) == (None, NO_KEYRING)
    assert files_holding(isolated_data_dir, PASSWORD) == []


def test_the_saved_server_opens_with_the_keyrings_password_unless_db_says_otherwise(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert database_to_open(None).url == to_url(default_db_path())
    remember_connection(SHOP, PASSWORD)

    choice = database_to_open(None)

    assert choice.origin == SAVED_SERVER_ORIGIN
    url = make_url(choice.url)
    assert (url.drivername, url.host, url.port, url.database, url.username, url.password) == (
        "postgresql+psycopg",
        "db.example.com",
        5432,
        "lastmile",
        "store_12",
        PASSWORD,
    )
    assert database_to_open(str(tmp_path / "mine.sqlite3")).origin == "--db"
    monkeypatch.setenv("LASTMILE_DB", str(tmp_path / "env.sqlite3"))
    assert database_to_open(None).origin == "LASTMILE_DB"


def test_a_password_the_keyring_lacks_is_asked_for_and_a_cancel_opens_nothing(
    memory_keyring: MemoryKeyring,
) -> None:
    remember_connection(SHOP, PASSWORD)
    memory_keyring.passwords.clear()  # removed in the system's keyring meanwhile
    asked: list[tuple[ServerConnection, str]] = []

    def typed(connection: ServerConnection, why: str) -> str:
        asked.append((connection, why))
        return "typed-at-start"

    url = make_url(database_to_open(None, ask_password=typed).url)

    assert url.password == "typed-at-start"
    assert asked == [
        (
            SHOP,
            "The system keyring holds no password for store_12@db.example.com:5432/lastmile: "
            "type it to connect.",
        )
    ]
    with pytest.raises(UserFacingError, match="No password was given"):
        database_to_open(None, ask_password=lambda _connection, _why: None)


def test_a_server_that_wants_no_password_is_never_asked_for_one(
    memory_keyring: MemoryKeyring,
) -> None:
    remember_connection(SHOP, None)

    url = make_url(
        database_to_open(None, ask_password=lambda *_: pytest.fail("asked for a password")).url
    )

    assert url.password is None
    assert saved_server() is not None and saved_server().password is PasswordKept.NONE  # type: ignore[union-attr]


def test_connecting_elsewhere_forgets_the_old_password_and_forget_goes_back_to_local(
    memory_keyring: MemoryKeyring,
) -> None:
    remember_connection(SHOP, PASSWORD)
    other = ServerConnection("db.example.com", 5432, "lastmile", "store_7")
    remember_connection(other, "another")

    assert list(memory_keyring.passwords) == [(KEYRING_SERVICE, other.keyring_user)]
    assert forget_connection() is not None
    assert memory_keyring.passwords == {}
    assert saved_server() is None
    assert database_to_open(None).url == to_url(default_db_path())


def test_an_unreadable_settings_file_says_what_to_do(isolated_data_dir: Path) -> None:
    settings_path().write_text("{not json", encoding="utf-8")

    with pytest.raises(UserFacingError, match="Connect again"):
        saved_server()


def test_the_fields_a_person_types_are_checked_in_plain_words() -> None:
    assert ServerConnection.checked(" db ", "5433", " lastmile ", " store_12 ") == (
        ServerConnection("db", 5433, "lastmile", "store_12")
    )
    with pytest.raises(UserFacingError, match="Fill in the server and the login to connect"):
        ServerConnection.checked("", 5432, "lastmile", " ")
    with pytest.raises(UserFacingError, match='The port "54x" is not a port number'):
        ServerConnection.checked("db", "54x", "lastmile", "store_12")


def test_a_url_with_a_password_is_scrubbed_from_the_log() -> None:
    line = f"could not open postgresql+psycopg://store_12:{PASSWORD}@db.example.com/lastmile"

    assert PASSWORD not in scrub_personal_data(line)
    assert "store_12" in scrub_personal_data(line)


# -- checking --------------------------------------------------------------------------------------


def test_nothing_listening_at_the_address_is_said_plainly() -> None:
    port = closed_port()
    connection = ServerConnection("127.0.0.1", port, "lastmile", "store_12")

    check = check_connection(connection, PASSWORD)

    assert not check.connected
    assert check.message.startswith(f"No database server answered at 127.0.0.1:{port} (")
    assert check.message.endswith(
        "Check the server's name and port, and this computer's network connection."
    )
    assert PASSWORD not in check.message


def test_lastmile_connect_saves_nothing_when_the_server_does_not_answer(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = main(
        ["connect", "--host", "127.0.0.1", "--port", str(closed_port()), "--database",
         "lastmile", "--login", "store_12", "--password-stdin", "--json"]
    )  # fmt: skip

    out, err = capsys.readouterr()
    assert code == 1
    assert "No database server answered" in json.loads(out)["error"]
    assert err.startswith("lastmile: No database server answered")
    assert err.rstrip().endswith("Nothing was saved.")
    assert saved_server() is None
    assert memory_keyring.passwords == {}


def test_lastmile_connect_without_a_saved_server_says_the_local_database_is_used(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["connect"]) == 0
    assert "No server connection is saved: Last Mile uses the local database" in (
        capsys.readouterr().out
    )
    assert main(["connect", "--forget"]) == 0
    assert "No server connection was saved" in capsys.readouterr().out


# -- on a real server ------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_probe_tells_a_ready_database_an_empty_one_and_a_missing_one(
    postgres_server: PostgresServer, postgres_template: str
) -> None:
    run_admin_sql(postgres_server, "CREATE DATABASE probe_empty")
    try:
        ready = probe_server(postgres_server.url(postgres_template))
        empty = probe_server(postgres_server.url("probe_empty"))
        missing = probe_server(postgres_server.url("no_such_database"))
        stranger = probe_server(postgres_server.url(user="nobody_we_know"))
    finally:
        run_admin_sql(postgres_server, "DROP DATABASE probe_empty")

    assert ready.result is ProbeResult.READY and ready.revision
    assert empty.result is ProbeResult.EMPTY
    assert (missing.result, missing.detail) == (
        ProbeResult.NO_DATABASE,
        'database "no_such_database" does not exist',
    )
    assert stranger.result is ProbeResult.LOGIN_REFUSED


@pytest.mark.postgres
def test_lastmile_connect_tests_saves_and_every_command_then_uses_the_server(
    memory_keyring: MemoryKeyring,
    postgres_server: PostgresServer,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = make_url(db_url).database
    assert database is not None
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = main(
        ["connect", "--host", postgres_server.host, "--port", str(postgres_server.port),
         "--database", database, "--login", "postgres", "--password-stdin", "--json"]
    )  # fmt: skip
    out, err = capsys.readouterr()

    assert code == 0, err
    result = json.loads(out)
    assert (result["connected"], result["password_kept"], result["database"]) == (
        True,
        "keyring",
        database,
    )
    assert memory_keyring.passwords == {
        (KEYRING_SERVICE, f"postgres@{postgres_server.host}:{postgres_server.port}/{database}"): (
            PASSWORD
        )
    }
    # Any command without --db now works on the server (trust auth takes any password).
    assert main(["campaign", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["connect", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["connection"]["database"] == database
    assert files_holding(data_dir(), PASSWORD) == []

    assert main(["connect", "--forget"]) == 0
    assert "uses the local database again" in capsys.readouterr().out
    assert memory_keyring.passwords == {}
    assert saved_server() is None
