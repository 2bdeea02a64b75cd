"""``lastmile log``: record a call's outcome, as the desk's outcome key does.

For integrations and for call sheets typed in later (``--at``). A refusal prints one line,
exits with status 1 and writes nothing. On a database server that cannot be reached, the
outcome is kept in this computer's outbox and sent later (``lastmile outbox --send``, or the
app once the connection is back); ``--attempt`` gives the call an id of your own, so a call
sent twice is recorded once.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import date, datetime
from typing import Any, TypedDict

from sqlalchemy.engine import make_url

from lastmile_desktop.calling.log import NOT_INTERESTED_REASONS, LoggedCall, log_outcome
from lastmile_desktop.calling.lookup import MemberNotFound
from lastmile_desktop.calling.outbox import QueuedCall, log_or_queue, open_outbox, queue_outcome
from lastmile_desktop.calling.outcomes import OUTCOMES
from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    database_url,
    json_time,
    local_text,
    open_for_command,
    parse_date,
    parse_time,
    print_json,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.reachability import is_unreachable


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
    parser.add_argument(
        "--attempt",
        metavar="UUID",
        help="the call's own id: sent again, the same call is recorded once",
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
    attempt = _attempt(args.attempt) if args.attempt else None
    at = parse_time(args.at, "--at") if args.at else None
    callback_at = parse_time(args.callback_at, "--callback-at") if args.callback_at else None
    visit_on = parse_date(args.visit_on, "--visit-on") if args.visit_on else None
    call = _Call(
        note=args.note,
        callback_at=callback_at,
        visit_on=visit_on,
        reason=args.reason,
        at=at,
        expected_version=args.expect_version,
        as_manager=args.as_manager,
        attempt_uuid=attempt,
    )
    outbox = open_outbox(make_url(database_url(args)))
    result: LoggedCall | QueuedCall
    try:
        db = open_for_command(args)
    except Exception as error:
        if outbox is None or not is_unreachable(error):
            raise
        # The server cannot be opened: the call waits in the outbox like the desk's.
        result = queue_outcome(outbox, COMMAND_LINE_PROFILE, member, args.outcome, **call)
    else:
        try:
            if outbox is None:
                result = log_outcome(db, COMMAND_LINE_PROFILE, member, args.outcome, **call)
            else:
                result = log_or_queue(
                    db, outbox, COMMAND_LINE_PROFILE, member, args.outcome, **call
                )
        finally:
            db.dispose()
    if isinstance(result, QueuedCall):
        _report_queued(result, args.json)
        return 0
    if args.json:
        print_json(logged_json(result))
    else:
        booked = (
            f"; next: {result.scheduled.kind} from {local_text(result.scheduled.at)}"
            if result.scheduled
            else ""
        )
        known = " It was recorded already: nothing changed." if result.already_known else ""
        print(
            f"Saved {result.outcome} at {local_text(result.called_at)} "
            f"(member now {result.status}, version {result.version}{booked}).{known}"
        )
    return 0


class _Call(TypedDict):
    """The call's details, as every way of logging it takes them."""

    note: str | None
    callback_at: datetime | None
    visit_on: date | None
    reason: str | None
    at: datetime | None
    expected_version: int | None
    as_manager: str | None
    attempt_uuid: uuid.UUID | None


def _attempt(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise UserFacingError(
            f'--attempt "{text}" is not an id: give a UUID such as '
            "3f2c8a4e-5b1d-4c7e-9a0f-1e2d3c4b5a69."
        ) from None


def _report_queued(queued: QueuedCall, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "queued": True,
                "attempt": str(queued.attempt),
                "member": str(queued.member),
                "outcome": queued.outcome,
                "called_at": json_time(queued.called_at),
                "waiting": queued.waiting,
            }
        )
        return
    print(
        f"The database server cannot be reached: {queued.outcome} at "
        f"{local_text(queued.called_at)} is kept on this computer ({queued.waiting} waiting) "
        "and sent once the server is back (lastmile outbox --send, or the app does it)."
    )


def logged_json(logged: LoggedCall) -> dict[str, Any]:
    return {
        "queued": False,
        "already_known": logged.already_known,
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
