"""``lastmile queue``: the call queue as the desk shows it, at any time, for any store or
manager (the command line works as the regional lead).

``--claim DESK`` is a desk's "next customer" for a script or another program: it claims the
first customer to call now whom no other desk has on screen, as the call desk does
(calling/claims.py), lets go of the one DESK held before, and prints only that customer;
``--release DESK`` lets go of DESK's customer when it stops calling."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from lastmile_desktop.calling.claims import ClaimedCustomer, claim_next, release
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
    claims = parser.add_mutually_exclusive_group()
    claims.add_argument(
        "--claim",
        metavar="DESK",
        help=(
            "claim the first customer to call now that no other desk has on screen, for DESK "
            "(a name that is this desk's alone), letting go of the one DESK held; print only "
            "that customer"
        ),
    )
    claims.add_argument(
        "--release", metavar="DESK", help="let go of the customer DESK holds, for the others"
    )
    parser.add_argument("--json", action="store_true", help="print the queue as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    at = parse_time(args.at, "--at") if args.at else None
    if args.claim is not None or args.release is not None:
        return _run_claim(args, at)
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


def _run_claim(args: argparse.Namespace, at: datetime | None) -> int:
    db = open_for_command(args)
    try:
        if args.release is not None:
            released = release(db, args.release)
            if args.json:
                print_json({"desk": args.release, "released": released})
            else:
                print(f"{args.release} let go of {released} customer(s).")
            return 0
        claimed = claim_next(
            db,
            COMMAND_LINE_PROFILE,
            args.campaign,
            args.claim,
            store=args.store,
            manager=args.manager,
            at=at,
        )
    finally:
        db.dispose()
    if args.json:
        print_json(claimed_json(args.claim, claimed))
    elif claimed is None:
        print(f"Nobody to call now is free for {args.claim}: everyone is called or on a desk.")
    else:
        card = claimed.card
        print(
            f"{args.claim} holds {card.name} ({card.phone or 'no phone'}) until "
            f"{local_text(claimed.until)}: member {card.member}, version {card.version}."
        )
    return 0


def claimed_json(desk: str, claimed: ClaimedCustomer | None) -> dict[str, Any]:
    if claimed is None:
        return {"desk": desk, "claimed": None}
    card = claimed.card
    return {
        "desk": desk,
        "claimed": {
            "member": str(card.member),
            "version": card.version,
            "name": card.name,
            "phone": card.phone,
            "store": card.store,
            "manager": card.manager,
            "script": card.script,
        },
        "until": json_time(claimed.until),
    }
