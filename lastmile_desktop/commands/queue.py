"""``lastmile queue``: the call queue as the desk shows it, at any time, for any store or
manager (the command line works as the regional lead)."""

from __future__ import annotations

import argparse
from typing import Any

from lastmile_desktop.calling.queue import CallQueue, QueueEntry, build_queue
from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    json_time,
    local_text,
    open_for_command,
    parse_time,
    print_json,
)


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "queue",
        help="show who to call now, in order, and who later (with why and from when)",
        description=(
            "The call queue at a given time: callbacks due, visit reminders, promised visits "
            "not seen, customers never tried (highest spend first), retries; then the "
            "customers who cannot be called yet, with the reason and the time they can."
        ),
    )
    parser.add_argument("--campaign", metavar="NAME", help="default: the most recent open one")
    parser.add_argument("--store", metavar="CODE", help="only this store's customers")
    parser.add_argument("--manager", metavar="NAME", help="only this manager's customers")
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="the queue as it stands at this time (ISO 8601; no zone: this computer's time)",
    )
    parser.add_argument("--json", action="store_true", help="print the queue as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    at = parse_time(args.at, "--at") if args.at else None
    db = open_for_command(args)
    try:
        queue = build_queue(
            db,
            COMMAND_LINE_PROFILE,
            campaign=args.campaign,
            store=args.store,
            manager=args.manager,
            at=at,
        )
    finally:
        db.dispose()
    if args.json:
        print_json(queue_json(queue))
    else:
        print(queue_text(queue))
    return 0


def entry_json(entry: QueueEntry) -> dict[str, Any]:
    spend = entry.lifetime_spend_cents
    return {
        "member": str(entry.member),
        "version": entry.version,
        "customer_id": entry.customer_id,
        "name": entry.name,
        "phone": entry.phone,
        "store": entry.store,
        "manager": entry.manager,
        "attempts": entry.attempts,
        "lifetime_spend": spend / 100 if spend is not None else None,
        "last_purchase": entry.last_purchase.isoformat() if entry.last_purchase else None,
        "timezone": entry.timezones[0] if len(entry.timezones) == 1 else list(entry.timezones),
        "why": entry.why,
        "until": json_time(entry.until),
        "script": entry.script,
    }


def queue_json(queue: CallQueue) -> dict[str, Any]:
    return {
        "campaign": queue.campaign,
        "at": json_time(queue.at),
        "now": [entry_json(entry) for entry in queue.now],
        "later": [entry_json(entry) for entry in queue.later],
    }


def _line(entry: QueueEntry, when: str) -> str:
    who = f"{entry.name} ({entry.phone or 'no phone'})"
    owner = f"{entry.store or '-'}/{entry.manager or 'no manager'}"
    return f"  {entry.why:<22} {when:<17} {who:<40} {owner}  {entry.member}"


def queue_text(queue: CallQueue) -> str:
    lines = [
        f"Campaign “{queue.campaign}” at {local_text(queue.at)}: "
        f"{len(queue.now):,} to call now, {len(queue.later):,} later.",
        "",
        "Now:" if queue.now else "Now: nobody can be called at this time.",
    ]
    lines += [_line(entry, "") for entry in queue.now]
    if queue.later:
        lines += ["", "Later:"]
        lines += [_line(entry, local_text(entry.until)) for entry in queue.later]
    return "\n".join(lines)
