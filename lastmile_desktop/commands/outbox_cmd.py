"""``lastmile outbox``: the call outcomes this computer keeps for a server it could not reach.

Without options, lists what waits and what the server refused. ``--send`` sends what waits
(each once, by its attempt id), as the app does when the connection is back;
``--let-go-of-refused`` removes the refused ones once they have been read.
"""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.engine import make_url

from lastmile_desktop.calling.outbox import (
    Outbox,
    describe_refused,
    describe_report,
    offline_text,
    open_outbox,
    send_waiting,
)
from lastmile_desktop.commands.common import (
    Subparsers,
    add_command,
    database_url,
    json_time,
    local_text,
    open_for_command,
    print_json,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.outbox_store import PendingOutcome
from lastmile_desktop.storage.reachability import is_unreachable


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "outbox",
        help="list or send the outcomes kept while the database server could not be reached",
        description=(
            "Call outcomes logged while the database server could not be reached wait in "
            "this computer's outbox until they are sent. Without options, lists them and "
            "those the server refused."
        ),
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--send", action="store_true", help="send what waits now")
    action.add_argument(
        "--let-go-of-refused",
        action="store_true",
        help="remove the outcomes the server refused (after reading why)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    outbox = open_outbox(make_url(database_url(args)))
    if outbox is None:
        raise UserFacingError(
            "This database is a file on this computer, which needs no outbox: nothing waits."
        )
    if args.let_go_of_refused:
        refused = outbox.refused()
        removed = outbox.let_go_of_refused()
        if args.json:
            print_json({"removed": removed, "refused": [_json(o) for o in refused]})
        else:
            for outcome in refused:
                print(describe_refused(outcome))
            print(f"Removed {removed} refused outcome{'' if removed == 1 else 's'}.")
        return 0
    if args.send:
        return _send(args, outbox)
    waiting, refused = outbox.store.waiting(outbox.server), outbox.refused()
    if args.json:
        print_json(
            {
                "server": outbox.server,
                "waiting": [_json(o) for o in waiting],
                "refused": [_json(o) for o in refused],
            }
        )
        return 0
    if not waiting and not refused:
        print(f"Nothing waits for {outbox.server}.")
    if waiting:
        print(f"{offline_text(len(waiting))} for {outbox.server}:")
        for outcome in waiting:
            print(f"  {_line(outcome)}")
    if refused:
        print("Refused by the server (lastmile outbox --let-go-of-refused removes them):")
        for outcome in refused:
            print(f"  {describe_refused(outcome)} (member {outcome.member})")
    return 0


def _send(args: argparse.Namespace, outbox: Outbox) -> int:
    try:
        db = open_for_command(args)
    except Exception as error:
        if not is_unreachable(error):
            raise
        outbox.note_unreachable()
        raise UserFacingError(
            f"The database server still cannot be reached: {offline_text(outbox.waiting())}. "
            "Try again once the connection is back."
        ) from None
    try:
        report = send_waiting(db, outbox)
    finally:
        db.dispose()
    if args.json:
        print_json(
            {
                "recorded": len(report.recorded),
                "already_known": report.already_known,
                "refused": [
                    {
                        "attempt": str(call.attempt),
                        "member": str(call.member),
                        "outcome": call.outcome,
                        "called_at": json_time(call.called_at),
                        "why_refused": call.why_refused,
                    }
                    for call in report.refused
                ],
                "waiting": report.waiting,
            }
        )
    else:
        print(describe_report(report))
    return 1 if report.waiting else 0


def _line(outcome: PendingOutcome) -> str:
    return (
        f"{local_text(outcome.called_at)}  {outcome.outcome}  member {outcome.member}  "
        f"(attempt {outcome.attempt})"
    )


def _json(outcome: PendingOutcome) -> dict[str, Any]:
    return {
        "attempt": str(outcome.attempt),
        "member": str(outcome.member),
        "member_version": outcome.member_version,
        "outcome": outcome.outcome,
        "called_at": json_time(outcome.called_at),
        "queued_at": json_time(outcome.queued_at),
        "logged_by": outcome.profile.name,
        "why_refused": outcome.why_refused,
    }
