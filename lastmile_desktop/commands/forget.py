"""``lastmile forget``: a privacy request, by head office's customer id or a phone number.

The same service as the window's "Forget this customer", as the regional lead (local mode
has no passwords). It cannot be undone, so it asks first, unless ``--yes`` is given.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import Any

from lastmile_desktop.campaigns.privacy import (
    CustomerToForget,
    ForgetReport,
    find_customers_to_forget,
    forget_customers,
)
from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    open_for_command,
    print_json,
)
from lastmile_desktop.errors import UserFacingError

CONFIRMATION_WORD = "FORGET"


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "forget",
        help="erase a customer's personal data (a privacy request; cannot be undone)",
        description=(
            "Erase the personal data of the customer with this head-office id or phone number "
            "(every customer with that number): names, phones, email, notes, extra columns, "
            "call notes, reasons on owner changes and rejected import rows holding them. "
            "Calls, outcomes and purchases stay, without personal data. Head office's id and "
            "an active do-not-call entry are kept, so the person is not called again."
        ),
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--customer-id", metavar="ID", help="head office's customer id")
    which.add_argument(
        "--phone", metavar="NUMBER", help="the customer's phone number, any common format"
    )
    parser.add_argument(
        "--yes", action="store_true", help="do not ask for confirmation (for scripts)"
    )
    parser.add_argument("--json", action="store_true", help="print what was erased as JSON")
    parser.set_defaults(run=run)


def _describe(customer: CustomerToForget) -> str:
    details = [
        part
        for part in (customer.external_id and f"id {customer.external_id}", customer.phone)
        if part
    ]
    return f"{customer.name} ({', '.join(details)})" if details else customer.name


def _confirm(customers: list[CustomerToForget]) -> None:
    """Ask on the terminal; without one, refuse: erasing cannot be undone."""
    if not sys.stdin.isatty():
        raise UserFacingError(
            "Forgetting a customer cannot be undone: add --yes to confirm (there is no "
            "terminal here to ask on)."
        )
    noun = "customer" if len(customers) == 1 else f"{len(customers)} customers"
    print(f"This erases the personal data of the {noun}, for good:", file=sys.stderr)
    for customer in customers:
        print(f"  {_describe(customer)}", file=sys.stderr)
    print(f"Type {CONFIRMATION_WORD} to go ahead: ", end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip() != CONFIRMATION_WORD:
        raise UserFacingError("Nothing was erased.")


def run(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        found = find_customers_to_forget(
            db, COMMAND_LINE_PROFILE, external_id=args.customer_id, phone=args.phone
        )
        if not found:
            what = f"the id {args.customer_id}" if args.customer_id else f"the phone {args.phone}"
            raise UserFacingError(
                f"No customer has {what}. Check it, or look them up by their other detail "
                "(--customer-id or --phone)."
            )
        to_erase = [customer for customer in found if customer.erased_at is None]
        if to_erase and not args.yes:
            _confirm(to_erase)
        ids = [customer.customer_id for customer in to_erase]
        reports = forget_customers(db, ids, COMMAND_LINE_PROFILE) if ids else []
    finally:
        # Closing retries an erasure held up by another reader (see Database.close).
        complete = db.close()
    already = [customer for customer in found if customer.erased_at is not None]
    if args.json:
        print_json(_as_json(to_erase, reports, already, complete))
    else:
        print(_as_text(to_erase, reports, already, complete))
    return 0


def _as_json(
    erased: list[CustomerToForget],
    reports: list[ForgetReport],
    already: list[CustomerToForget],
    complete: bool,
) -> dict[str, Any]:
    def report_json(customer: CustomerToForget, report: ForgetReport) -> dict[str, Any]:
        data = asdict(report)
        data.pop("erasure_complete")
        data["erased_at"] = report.erased_at.isoformat()
        return {"external_id": customer.external_id, **data}

    return {
        "erased": [
            report_json(customer, report) for customer, report in zip(erased, reports, strict=True)
        ],
        "already_forgotten": [
            {
                "customer_id": customer.customer_id,
                "external_id": customer.external_id,
                "erased_at": customer.erased_at.isoformat() if customer.erased_at else None,
            }
            for customer in already
        ],
        "erasure_complete": complete,
    }


def _as_text(
    erased: list[CustomerToForget],
    reports: list[ForgetReport],
    already: list[CustomerToForget],
    complete: bool,
) -> str:
    lines = []
    for customer, report in zip(erased, reports, strict=True):
        kept = ["their head-office id"] if customer.external_id else []
        if report.dnc_entries_kept:
            entries = report.dnc_entries_kept
            kept.append(f"{entries} do-not-call {'entry' if entries == 1 else 'entries'}")
        lines.append(
            f"Erased the personal data of {_describe(customer)}: {report.attempts_kept} calls "
            f"and {report.purchases_kept} purchases still count, anonymously."
            + (f" Kept so they are not called again: {' and '.join(kept)}." if kept else "")
        )
    for customer in already:
        when = f" on {customer.erased_at:%Y-%m-%d}" if customer.erased_at else ""
        lines.append(f"Customer {customer.customer_id} was already forgotten{when}.")
    if not complete:
        lines.append(
            "Another window or program is reading the database, so the erased details stay "
            "in its log file until that program closes the database."
        )
    return "\n".join(lines)
