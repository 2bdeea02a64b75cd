"""``lastmile log``: record a call's outcome, as the desk's outcome key does.

For integrations and for call sheets typed in later (``--at``). A refusal prints one line,
exits with status 1 and writes nothing.
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from lastmile_desktop.calling.log import NOT_INTERESTED_REASONS, LoggedCall, log_outcome
from lastmile_desktop.calling.lookup import MemberNotFound
from lastmile_desktop.calling.outcomes import OUTCOMES
from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    json_time,
    local_text,
    open_for_command,
    parse_date,
    parse_time,
    print_json,
)


def register(subparsers: Subparsers) -> None:
    codes = ", ".join(f"{o.code} ({o.key})" for o in OUTCOMES)
    parser = add_command(
        subparsers,
        "log",
        help="record the outcome of a call to a campaign member",
        description=f"Record one call's outcome. Outcomes (code or desk key): {codes}.",
    )
    parser.add_argument("member", metavar="MEMBER", help="the member's id (lastmile queue --json)")
    parser.add_argument("outcome", metavar="OUTCOME", help="the outcome's code or desk key")
    parser.add_argument("--note", metavar="TEXT", help="a note kept with the call")
    parser.add_argument(
        "--callback-at", metavar="TIME", help="Callback requested: when to call back"
    )
    parser.add_argument(
        "--visit-on", metavar="DATE", help="Accepted offer: the day the customer means to come"
    )
    parser.add_argument(
        "--reason",
        metavar="CODE",
        help=f"Not interested: why ({', '.join(NOT_INTERESTED_REASONS)})",
    )
    parser.add_argument(
        "--as", dest="as_manager", metavar="MANAGER", help="the manager who made the call"
    )
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="when the call happened (ISO 8601; no zone: this computer's time; default now)",
    )
    parser.add_argument(
        "--expect-version",
        type=int,
        metavar="N",
        help="refuse if the member changed since (its version in lastmile queue --json)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        member = uuid.UUID(args.member.strip())
    except ValueError:
        raise MemberNotFound(
            f'"{args.member}" is not a member id: copy it from lastmile queue --json.'
        ) from None
    at = parse_time(args.at, "--at") if args.at else None
    callback_at = parse_time(args.callback_at, "--callback-at") if args.callback_at else None
    visit_on = parse_date(args.visit_on, "--visit-on") if args.visit_on else None
    db = open_for_command(args)
    try:
        logged = log_outcome(
            db,
            COMMAND_LINE_PROFILE,
            member,
            args.outcome,
            note=args.note,
            callback_at=callback_at,
            visit_on=visit_on,
            reason=args.reason,
            at=at,
            expected_version=args.expect_version,
            as_manager=args.as_manager,
        )
    finally:
        db.dispose()
    if args.json:
        print_json(logged_json(logged))
    else:
        booked = (
            f"; next: {logged.scheduled.kind} from {local_text(logged.scheduled.at)}"
            if logged.scheduled
            else ""
        )
        print(
            f"Saved {logged.outcome} at {local_text(logged.called_at)} "
            f"(member now {logged.status}, version {logged.version}{booked})."
        )
    return 0


def logged_json(logged: LoggedCall) -> dict[str, Any]:
    return {
        "attempt": str(logged.attempt),
        "member": str(logged.member),
        "outcome": logged.outcome,
        "called_at": json_time(logged.called_at),
        "status": logged.status,
        "version": logged.version,
        "next_due_at": json_time(logged.next_due_at),
        "scheduled": (
            {"kind": logged.scheduled.kind, "at": json_time(logged.scheduled.at)}
            if logged.scheduled
            else None
        ),
    }
