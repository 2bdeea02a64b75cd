"""``lastmile server init|add-store-login``: a chain's PostgreSQL server and its store logins.

Both run with the login of the database's owner or of a superuser: ``init`` creates (or
upgrades) the schema, the lead's and the stores' roles and the access rules, and says so when
there was nothing to do; ``add-store-login`` gives a store its own login, whose password it
makes and prints once unless one is given.
"""

from __future__ import annotations

import argparse
from typing import Any

from lastmile_desktop.campaigns.server_access import add_store_login, set_up_server
from lastmile_desktop.commands.common import Subparsers, add_command, print_json
from lastmile_desktop.settings import choose_database


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "server",
        help="set up a chain's PostgreSQL server: the schema, the roles, one login per store",
        description="Set up a PostgreSQL server for a chain of stores: every store's PC opens "
        "the app with its own login, and the database shows it only its own store's data. "
        "Run these with the login of the database's owner or of a superuser.",
    )
    actions = parser.add_subparsers(dest="server_command", metavar="ACTION", required=True)

    init = actions.add_parser(
        "init",
        help="create or upgrade the schema, the roles and the access rules (safe to repeat)",
        description="Create (or upgrade) the schema, the lead's role lastmile_lead, the "
        "stores' role lastmile_store and the row-level security that keeps each store to its "
        "own data. Running it again changes nothing and says so.",
    )
    init.add_argument(
        "url",
        metavar="URL",
        help="the database, e.g. postgresql://postgres@db.example.org/lastmile",
    )
    init.add_argument("--json", action="store_true", help="print what was done as JSON")
    init.set_defaults(run=run_init)

    login = add_command(
        actions,
        "add-store-login",
        help="give a store its own login (on the server given by --db)",
        description="Create the login of a store, member of lastmile_store. Without "
        "--password a strong one is made and printed once. For a store's existing login "
        "nothing changes unless --password or --new-password is given.",
    )
    login.add_argument("code", metavar="CODE", help="the store's code, e.g. 12")
    login.add_argument("--login", metavar="NAME", help="the login's name (default: store_CODE)")
    login.add_argument(
        "--password", metavar="PASSWORD", help="its password (default: one is made and shown)"
    )
    login.add_argument(
        "--new-password",
        action="store_true",
        help="make and show a new password for an existing login",
    )
    login.add_argument("--json", action="store_true", help="print the result as JSON")
    login.set_defaults(run=run_add_store_login)


def run_init(args: argparse.Namespace) -> int:
    setup = set_up_server(args.url)
    if args.json:
        print_json(
            {
                "server": setup.server,
                "changed": setup.changed,
                "schema": setup.schema,
                "schema_changed": setup.schema_changed,
                "roles_created": setup.roles_created,
                "owner_made_lead": setup.owner_made_lead,
                "rules_installed": setup.rules_installed,
                "tables_without_rule": setup.tables_without_rule,
            }
        )
    else:
        print("\n".join(setup.describe()))
    return 0


def run_add_store_login(args: argparse.Namespace) -> int:
    url = choose_database(getattr(args, "db", None)).url
    result = add_store_login(
        url,
        args.code,
        login=args.login,
        password=args.password,
        new_password_wanted=args.new_password,
    )
    if args.json:
        payload: dict[str, Any] = {
            "login": result.login,
            "store": result.store_code,
            "outcome": str(result.outcome),
        }
        if result.generated_password is not None:
            payload["password"] = result.generated_password
        print_json(payload)
    else:
        print(result.describe())
    return 0
