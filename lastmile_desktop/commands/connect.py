"""``lastmile connect``: use a database server from now on (or, with ``--forget``, no more).

Tests the connection first and saves nothing when it fails. The address, database and login
are saved in the data folder; the password goes to the system keyring, never to a file.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from lastmile_desktop.commands.common import Subparsers, add_command, print_json
from lastmile_desktop.connection import (
    DEFAULT_PORT,
    ServerConnection,
    check_connection,
    forget_connection,
    remember_connection,
    saved_server,
    settings_path,
)
from lastmile_desktop.errors import UserFacingError


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "connect",
        help="use a database server from now on (tests it first), or forget it",
        description=(
            "Tests the connection to a PostgreSQL server and, when it works, makes it the "
            "database the app and every command open (unless --db or LASTMILE_DB says "
            "otherwise). The password is kept in the system keyring; without one the app "
            "asks for it at each start. Without options, shows the saved connection."
        ),
    )
    parser.add_argument("--host", metavar="HOST", help="the server's name or address")
    parser.add_argument(
        "--port", metavar="PORT", default=str(DEFAULT_PORT), help="default: %(default)s"
    )
    parser.add_argument("--database", metavar="NAME", help="the database on the server")
    parser.add_argument("--login", metavar="LOGIN", help="your store's login, or the lead's")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else it is asked for on a terminal)",
    )
    parser.add_argument(
        "--forget",
        action="store_true",
        help="forget the saved server and its password: back to the local database",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.forget:
        return _forget(args)
    if not any((args.host, args.database, args.login)):
        return _show(args)
    connection = ServerConnection.checked(
        args.host or "", args.port, args.database or "", args.login or ""
    )
    password = _password(args, connection)
    check = check_connection(connection, password)
    if not check.connected:
        raise UserFacingError(f"{check.message} Nothing was saved.")
    remembered = remember_connection(connection, password)
    if args.json:
        print_json(
            {
                **_connection_json(connection),
                "connected": True,
                "password_kept": str(remembered.saved.password),
                "message": f"{check.message} {remembered.message}",
            }
        )
    else:
        print(check.message)
        print(remembered.message)
        print(
            "Last Mile now opens this server; lastmile connect --forget goes back to the "
            "local database."
        )
    return 0


def _password(args: argparse.Namespace, connection: ServerConnection) -> str | None:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n") or None
    if sys.stdin.isatty():
        typed = getpass.getpass(
            f"Password for {connection.keyring_user} (Enter if it needs none): "
        )
        return typed or None
    return None


def _forget(args: argparse.Namespace) -> int:
    forgotten = forget_connection()
    if args.json:
        print_json({"forgotten": _connection_json(forgotten.connection) if forgotten else None})
    elif forgotten is None:
        print("No server connection was saved: Last Mile uses the local database.")
    else:
        print(
            f"Forgot {forgotten.connection.describe()} and its password: Last Mile uses the "
            "local database again."
        )
    return 0


def _show(args: argparse.Namespace) -> int:
    saved = saved_server()
    if args.json:
        print_json(
            {
                "connection": _connection_json(saved.connection) if saved else None,
                "password_kept": str(saved.password) if saved else None,
                "settings_file": str(settings_path()),
            }
        )
    elif saved is None:
        print(
            "No server connection is saved: Last Mile uses the local database. Connect with "
            "lastmile connect --host HOST --database NAME --login LOGIN."
        )
    else:
        print(f"Last Mile opens {saved.connection.describe()} (saved in {settings_path()}).")
    return 0


def _connection_json(connection: ServerConnection) -> dict[str, Any]:
    return {
        "host": connection.host,
        "port": connection.port,
        "database": connection.database,
        "login": connection.login,
    }
