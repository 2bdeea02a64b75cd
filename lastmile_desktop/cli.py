"""The ``lastmile`` command: with no subcommand it opens the app; subcommands do one job each.

Each subcommand lives in its own module under ``lastmile_desktop.commands`` and exposes
``register(subparsers)``; adding one means adding its module name to ``COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from lastmile_desktop import __version__
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.settings import DB_ENV_VAR

COMMAND_MODULES = (
    "lastmile_desktop.commands.demo",
    "lastmile_desktop.commands.import_cmd",
    "lastmile_desktop.commands.import_sales_cmd",
    "lastmile_desktop.commands.leaderboard_cmd",
    "lastmile_desktop.commands.export_cmd",
    "lastmile_desktop.commands.export_pack_cmd",
    "lastmile_desktop.commands.import_pack_cmd",
    "lastmile_desktop.commands.export_results_cmd",
    "lastmile_desktop.commands.import_results_cmd",
    "lastmile_desktop.commands.assign",
    "lastmile_desktop.commands.dnc",
    "lastmile_desktop.commands.forget",
    "lastmile_desktop.commands.settings_cmd",
    "lastmile_desktop.commands.queue",
    "lastmile_desktop.commands.log",
    "lastmile_desktop.commands.outbox_cmd",
    "lastmile_desktop.commands.connect",
    "lastmile_desktop.commands.campaign",
    "lastmile_desktop.commands.manager",
    "lastmile_desktop.commands.selftest",
    "lastmile_desktop.commands.server_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lastmile",
        description="Last Mile: win back lapsed customers. Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help=f"database file or SQLAlchemy URL (default: ${DB_ENV_VAR}, else the user data folder)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:
        # Whoever read the output stopped early (`lastmile dnc list | head`): no traceback,
        # and nothing more written to the closed pipe when Python flushes at exit.
        _discard_standard_output()
        return 1


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from lastmile_desktop.app import run_gui

        return run_gui(args.db)
    from lastmile_desktop.commands.common import report_failure

    try:
        result: int = args.run(args)
    except UserFacingError as error:
        report_failure(args, error)
        return 1
    except KeyboardInterrupt:
        print("lastmile: interrupted; nothing was changed by the unfinished step", file=sys.stderr)
        return 130
    sys.stdout.flush()  # a closed pipe shows here, inside main, not at interpreter exit
    return result


def _discard_standard_output() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # standard output is not a file (an embedding program's stream)


if __name__ == "__main__":
    sys.exit(main())
