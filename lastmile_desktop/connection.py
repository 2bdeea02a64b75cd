"""Connecting this computer to a database server, and remembering the choice.

The server's address, database and login are kept in the data folder (``server.json``),
beside the default database they replace; the password goes to the system keyring
(``keyring``: Windows Credential Manager, the macOS Keychain, the Secret Service on Linux),
never to a file or the log. Without a usable keyring (a Linux machine with no desktop
session) the password is not kept at all and the app asks for it at each start.

``lastmile connect`` and File > Connect to a server... both go through ``check_connection``
and ``remember_connection``; the app and every command open the remembered server when no
``--db`` or ``LASTMILE_DB`` says otherwise (``database_to_open``).
"""

from __future__ import annotations

import contextlib
import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.settings import DatabaseChoice, choose_database, data_dir
from lastmile_desktop.storage.server_check import ProbeResult, probe_server

SERVER_SETTINGS_FILE = "server.json"
KEYRING_SERVICE = "Last Mile"
DEFAULT_PORT = 5432
SAVED_SERVER_ORIGIN = "the saved server connection"
NO_KEYRING = (
    "This computer has no system keyring, so Last Mile cannot keep the password: it asks "
    "for it each time it starts."
)
FILE_KEYRING = (
    "The only keyring on this computer keeps passwords in a plain file, which Last Mile does "
    "not use: it asks for the password each time it starts."
)


class PasswordKept(enum.StrEnum):
    """Where the password of the saved connection is."""

    KEYRING = "keyring"  # in the system keyring
    ASK = "ask"  # nowhere: asked for at each start (no usable keyring)
    NONE = "none"  # the server wants none (trusted network, PGPASSWORD, .pgpass)


@dataclass(frozen=True)
class ServerConnection:
    host: str
    port: int
    database: str
    login: str

    @classmethod
    def checked(cls, host: str, port: int | str, database: str, login: str) -> ServerConnection:
        """The fields as a person typed them, refused in plain words when one is unusable."""
        host, database, login = host.strip(), database.strip(), login.strip()
        fields = (("server", host), ("database", database), ("login", login))
        missing = [f"the {name}" for name, value in fields if not value]
        if missing:
            listed = (
                ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
            )
            raise UserFacingError(f"Fill in {listed} to connect.")
        try:
            number = int(str(port).strip())
        except ValueError:
            number = 0
        if not 0 < number < 65536:
            raise UserFacingError(
                f'The port "{port}" is not a port number: PostgreSQL usually listens on 5432.'
            )
        return cls(host, number, database, login)

    @property
    def keyring_user(self) -> str:
        """The name the password is kept under in the keyring: ``login@host:port/database``."""
        return f"{self.login}@{self.host}:{self.port}/{self.database}"

    def url(self, password: str | None = None) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=self.login,
            password=password or None,
            host=self.host,
            port=self.port,
            database=self.database,
        )

    def describe(self) -> str:
        return f"the database {self.database} on {self.host}:{self.port} as {self.login}"


@dataclass(frozen=True)
class SavedServer:
    connection: ServerConnection
    password: PasswordKept


@dataclass(frozen=True)
class ConnectionCheck:
    connected: bool
    message: str  # what happened, in plain words, and what to do when it failed


@dataclass(frozen=True)
class Remembered:
    saved: SavedServer
    message: str  # where the password went, in plain words


# -- the settings file -----------------------------------------------------------------------------


def settings_path(folder: Path | None = None) -> Path:
    return (folder or data_dir()) / SERVER_SETTINGS_FILE


def saved_server(folder: Path | None = None) -> SavedServer | None:
    """The server connection this computer uses, None when it uses a local database."""
    path = settings_path(folder)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        connection = ServerConnection(
            str(data["host"]), int(data["port"]), str(data["database"]), str(data["login"])
        )
        return SavedServer(connection, PasswordKept(data.get("password", PasswordKept.NONE)))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserFacingError(
            f"The server connection saved in {path} cannot be read ({error}). Connect again "
            "(File > Connect to a server..., or lastmile connect), or remove the file."
        ) from None


def _write_settings(saved: SavedServer, folder: Path | None) -> Path:
    path = settings_path(folder)
    connection = saved.connection
    data = {
        "host": connection.host,
        "port": connection.port,
        "database": connection.database,
        "login": connection.login,
        "password": str(saved.password),  # where it is kept, never the password itself
    }
    partial = path.with_name(path.name + ".new")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


# -- the keyring -----------------------------------------------------------------------------------


def keyring_problem() -> str | None:
    """Why the system keyring cannot keep a password here, in plain words; None if it can."""
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    module = type(backend).__module__
    if isinstance(backend, fail.Keyring) or module.startswith("keyring.backends.null"):
        return NO_KEYRING
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return NO_KEYRING
    if module.startswith("keyrings.alt"):
        return FILE_KEYRING
    return None


def stored_password(connection: ServerConnection) -> str | None:
    """The password the keyring keeps for ``connection``; None when there is none or the
    keyring cannot be used."""
    import keyring
    from keyring.errors import KeyringError

    if keyring_problem() is not None:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, connection.keyring_user)
    except KeyringError:
        return None


def _store_password(connection: ServerConnection, password: str) -> str | None:
    """Keep the password in the keyring; the reason in plain words when it could not be."""
    import keyring
    from keyring.errors import KeyringError

    problem = keyring_problem()
    if problem is not None:
        return problem
    try:
        keyring.set_password(KEYRING_SERVICE, connection.keyring_user, password)
    except KeyringError as error:
        return (
            f"The system keyring did not take the password ({error}), so Last Mile asks for "
            "it each time it starts."
        )
    return None


def _forget_password(connection: ServerConnection) -> None:
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    if keyring_problem() is not None:
        return
    # Nothing kept, or no keyring to reach: nothing to forget either.
    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(KEYRING_SERVICE, connection.keyring_user)


# -- checking, remembering, forgetting -------------------------------------------------------------


def check_connection(connection: ServerConnection, password: str | None) -> ConnectionCheck:
    """Connect once and say, in plain words, whether Last Mile can work there."""
    probe = probe_server(connection.url(password))
    where = f"{connection.host}:{connection.port}"
    if probe.result is ProbeResult.READY:
        return ConnectionCheck(True, f"Connected to {connection.describe()}.")
    if probe.result is ProbeResult.EMPTY:
        return ConnectionCheck(
            True,
            f"Connected to {connection.describe()}, which holds no Last Mile data yet: the "
            "regional lead sets it up (lastmile server init) before the stores connect.",
        )
    messages = {
        ProbeResult.UNREACHABLE: (
            f"No database server answered at {where} ({probe.detail}). Check the server's "
            "name and port, and this computer's network connection."
        ),
        ProbeResult.LOGIN_REFUSED: (
            f"The server at {where} refused the login {connection.login} ({probe.detail}). "
            "Check the login and the password."
        ),
        ProbeResult.NO_DATABASE: (
            f"The server at {where} has no database named {connection.database}. Check the "
            "name with whoever runs the server."
        ),
        ProbeResult.FAILED: f"The server at {where} refused the connection: {probe.detail}.",
    }
    return ConnectionCheck(False, messages[probe.result])


def remember_connection(
    connection: ServerConnection, password: str | None, folder: Path | None = None
) -> Remembered:
    """Use ``connection`` from now on: its address in the data folder, the password in the
    keyring (or nowhere, to be asked for at each start, when there is no usable keyring)."""
    previous = saved_server(folder)
    if previous is not None and previous.connection != connection:
        _forget_password(previous.connection)
    if not password:
        _forget_password(connection)
        kept, message = PasswordKept.NONE, "No password is kept: the server asked for none."
    else:
        problem = _store_password(connection, password)
        if problem is None:
            kept, message = PasswordKept.KEYRING, "The password is kept in the system keyring."
        else:
            kept, message = PasswordKept.ASK, problem
    saved = SavedServer(connection, kept)
    _write_settings(saved, folder)
    return Remembered(saved, message)


def forget_connection(folder: Path | None = None) -> SavedServer | None:
    """Back to the local database: the saved server and its kept password are forgotten."""
    saved = saved_server(folder)
    if saved is None:
        return None
    _forget_password(saved.connection)
    settings_path(folder).unlink(missing_ok=True)
    return saved


# -- opening ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PasswordAtStart:
    password: str | None
    ask_because: str | None = None  # set: the password must be asked for, and why


def password_at_start(saved: SavedServer) -> PasswordAtStart:
    """The saved connection's password, or why the person must type it."""
    if saved.password is PasswordKept.NONE:
        return PasswordAtStart(None)
    if saved.password is PasswordKept.ASK:
        return PasswordAtStart(None, keyring_problem() or NO_KEYRING)
    password = stored_password(saved.connection)
    if password is None:
        problem = keyring_problem()
        return PasswordAtStart(
            None,
            problem
            or (
                f"The system keyring holds no password for {saved.connection.keyring_user}: "
                "type it to connect."
            ),
        )
    return PasswordAtStart(password)


PasswordAsker = Callable[[ServerConnection, str], str | None]


def database_to_open(
    cli_value: str | None, ask_password: PasswordAsker | None = None
) -> DatabaseChoice:
    """``--db``, else ``LASTMILE_DB``, else the saved server, else the local default.

    The saved server's password comes from the keyring; when it is not kept there,
    ``ask_password(connection, why)`` asks the person (the app does; a command does not, and
    the driver then reads PGPASSWORD or .pgpass). An asker that gets no answer (None) means
    the person chose not to connect: UserFacingError."""
    choice = choose_database(cli_value)
    if choice.origin != "default":
        return choice
    saved = saved_server()
    if saved is None:
        return choice
    at_start = password_at_start(saved)
    password = at_start.password
    if at_start.ask_because is not None and ask_password is not None:
        password = ask_password(saved.connection, at_start.ask_because)
        if password is None:
            raise UserFacingError(
                f"No password was given, so Last Mile did not connect to "
                f"{saved.connection.describe()}. Start it again to type the password, or open "
                "another database."
            )
    url = saved.connection.url(password).render_as_string(hide_password=False)
    return DatabaseChoice(url, SAVED_SERVER_ORIGIN)
