"""``lastmile dnc add|remove|list|import``: the do-not-call list from the command line.

The command line works as the regional lead (local mode has no passwords), through the same
services as the app's do-not-call view.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import Any

from lastmile_desktop.campaigns.do_not_call import (
    DncEntry,
    add_entry,
    find_active_entry,
    list_entries,
    remove_entry,
)
from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    open_for_command,
    print_json,
    progress_on_terminal,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.suppression_list import import_suppression_file


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "dnc",
        help="manage the do-not-call list: add, remove (with a reason), list, import a file",
        description="Manage the do-not-call list. Entries are never deleted: a removal keeps "
        "its reason. A customer on the list never reaches a call queue again.",
    )
    actions = parser.add_subparsers(dest="dnc_command", metavar="ACTION", required=True)

    add = add_command(actions, "add", help="put a phone number and/or a customer id on the list")
    add.add_argument("--phone", help="phone number, any common format (+44 7911 123456)")
    add.add_argument("--customer-id", help="head office's customer id")
    add.add_argument("--reason", default="", help='why, e.g. "asked on the phone"')
    add.add_argument("--json", action="store_true", help="print the result as JSON")
    add.set_defaults(run=run_add)

    remove = add_command(
        actions, "remove", help="lift an entry; the reason is required and kept with it"
    )
    which = remove.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=int, help="the entry's id, as `lastmile dnc list` shows")
    which.add_argument("--phone", help="the listed phone number")
    which.add_argument("--customer-id", help="the listed customer id")
    remove.add_argument("--reason", required=True, help='why, e.g. "added by mistake"')
    remove.add_argument("--json", action="store_true", help="print the result as JSON")
    remove.set_defaults(run=run_remove)

    listing = add_command(actions, "list", help="show the list, newest first")
    listing.add_argument("--all", action="store_true", help="include removed entries")
    listing.add_argument("--json", action="store_true", help="print the entries as JSON")
    listing.set_defaults(run=run_list)

    importing = add_command(
        actions, "import", help="add every phone and customer id of a CSV or spreadsheet"
    )
    importing.add_argument("file", type=Path, metavar="FILE", help=".csv, .xlsx, .xls, .ods...")
    importing.add_argument("--json", action="store_true", help="print the counts as JSON")
    importing.set_defaults(run=run_import)


def entry_json(entry: DncEntry) -> dict[str, Any]:
    data = asdict(entry)
    data["active"] = entry.active
    for key in ("added_at", "removed_at"):
        data[key] = data[key].isoformat() if data[key] is not None else None
    return data


def run_add(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        result = add_entry(
            db,
            phone=args.phone,
            customer_id=args.customer_id,
            reason=args.reason,
            profile=COMMAND_LINE_PROFILE,
        )
    finally:
        db.close()
    if args.json:
        print_json(
            {
                "entry": entry_json(result.entry),
                "already_listed": result.already_listed,
                "members_suppressed": result.members_suppressed,
            }
        )
    elif result.already_listed:
        print(
            f"{_what(result.entry)} was already on the do-not-call list (entry {result.entry.id})."
        )
    else:
        print(
            f"Added {_what(result.entry)} to the do-not-call list (entry {result.entry.id}); "
            f"{_members(result.members_suppressed)} taken out of open campaigns."
        )
    return 0


def run_remove(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        entry_id = args.id
        if entry_id is None:
            entry_id = find_active_entry(
                db, phone=args.phone, customer_id=args.customer_id, profile=COMMAND_LINE_PROFILE
            ).id
        entry = remove_entry(db, entry_id, reason=args.reason, profile=COMMAND_LINE_PROFILE)
    finally:
        db.close()
    if args.json:
        print_json(entry_json(entry))
    else:
        print(f"Removed {_what(entry)} from the do-not-call list; the reason is kept.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        entries = list_entries(db, COMMAND_LINE_PROFILE, include_removed=args.all)
    finally:
        db.close()
    if args.json:
        print_json([entry_json(entry) for entry in entries])
        return 0
    if not entries:
        print(
            "The do-not-call list is empty. Add a number with: "
            'lastmile dnc add --phone NUMBER --reason "why"'
        )
        return 0
    print(format_table(entries, with_removals=args.all))
    return 0


def run_import(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise UserFacingError(f"{path} was not found: check the name and the folder.")
    db = open_for_command(args)
    try:
        with progress_on_terminal() as progress:
            counts = import_suppression_file(db, path, COMMAND_LINE_PROFILE, progress)
    finally:
        db.close()
    if args.json:
        data = asdict(counts)
        data["problems"] = [{"row": p.row, "reason": p.reason} for p in counts.problems]
        print_json(data)
        return 0
    print(
        f"{counts.file}: {counts.rows_read} rows read, {counts.added} added, "
        f"{counts.already_listed} already listed, {counts.rejected} rejected; "
        f"{_members(counts.members_suppressed)} taken out of open campaigns."
    )
    for problem in counts.problems:
        print(f"  row {problem.row}: {problem.reason}")
    if counts.rejected > len(counts.problems):
        print(f"  ... and {counts.rejected - len(counts.problems)} more rows rejected")
    return 0


def _what(entry: DncEntry) -> str:
    parts = [
        part
        for part in (entry.phone, entry.customer_id and f"customer {entry.customer_id}")
        if part
    ]
    return " / ".join(parts)


def _members(count: int) -> str:
    return "1 customer" if count == 1 else f"{count} customers"


def format_table(entries: list[DncEntry], *, with_removals: bool) -> str:
    """Entries as aligned columns; dates in this computer's time zone."""
    headers = ["ID", "Phone", "Customer id", "Added", "By", "Reason"]
    if with_removals:
        headers += ["Removed", "Why removed"]
    rows = []
    for entry in entries:
        row = [
            str(entry.id),
            entry.phone or "",
            entry.customer_id or "",
            f"{entry.added_at.astimezone():%Y-%m-%d}",
            entry.added_by,
            entry.reason,
        ]
        if with_removals:
            removed = entry.removed_at
            row += [
                f"{removed.astimezone():%Y-%m-%d}" if removed else "",
                entry.removed_reason or "",
            ]
        rows.append(row)
    widths = [max(len(line[i]) for line in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in [headers, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)
