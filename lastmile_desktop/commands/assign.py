"""``lastmile assign``: draw the holdout and share the list out, as the Assign page does."""

from __future__ import annotations

import argparse

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import (
    AssignmentReport,
    assign_campaign,
    campaign_to_assign,
)
from lastmile_desktop.commands.common import (
    Subparsers,
    add_command,
    open_for_command,
    print_json,
    progress_on_terminal,
)


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "assign",
        help="assign what is not yet assigned: holdout draw, stores and managers",
        description=(
            "Draw the holdout and give every call-group customer with a known store to one of "
            "the store's active managers (new imports included); customers with no store wait "
            "in the Unassigned bucket. Prints per store and per manager: members, holdout, "
            "call group."
        ),
    )
    parser.add_argument(
        "--campaign", metavar="NAME", help="the campaign (default: the most recent open one)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed for the holdout draw (default: the campaign's recorded seed, else a new one)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        campaign_id = campaign_to_assign(db, args.campaign)
        with progress_on_terminal() as progress:
            report = assign_campaign(
                db, campaign_id, Profile.lead(), seed=args.seed, progress=progress
            )
    finally:
        db.close()
    if args.json:
        print_json(report_as_json(report))
    else:
        print(report_as_text(report))
    return 0


def report_as_json(report: AssignmentReport) -> dict[str, object]:
    return {
        "campaign": report.campaign_name,
        "seed": report.seed,
        "holdout_share": report.holdout_share,
        "newly_drawn": report.newly_drawn,
        "newly_held_out": report.newly_held_out,
        "newly_assigned": report.newly_assigned,
        "members": report.members,
        "unassigned": report.unassigned,
        "stores": [
            {
                "store_id": store.store_id,
                "store": store.store_name,
                "members": store.members,
                "holdout": store.holdout,
                "call_group": store.call_group,
                "without_manager": store.without_manager,
                "managers": [
                    {
                        "manager_id": manager.manager_id,
                        "manager": manager.name,
                        "active": manager.active,
                        "members": manager.members,
                    }
                    for manager in store.managers
                ],
            }
            for store in report.stores
        ],
    }


def report_as_text(report: AssignmentReport) -> str:
    lines = [
        f"Campaign “{report.campaign_name}”: {report.members:,} members, "
        f"holdout share {report.holdout_share:.0%}, draw seed {report.seed}.",
        f"This run: {report.newly_drawn:,} drawn ({report.newly_held_out:,} to the holdout), "
        f"{report.newly_assigned:,} given a manager.",
        "",
    ]
    table: list[tuple[str, str, str, str]] = []
    for store in report.stores:
        table.append(
            (store.store_name, f"{store.members:,}", f"{store.holdout:,}", f"{store.call_group:,}")
        )
        for manager in store.managers:
            name = manager.name if manager.active else f"{manager.name} (left)"
            table.append((f"  {name}", "", "", f"{manager.members:,}"))
        if store.without_manager:
            table.append(("  (no active manager)", "", "", f"{store.without_manager:,}"))
    headings = ("Store / manager", "Members", "Holdout", "Call group")
    widths = [max(len(row[i]) for row in [headings, *table]) for i in range(4)]
    for row in [headings, None, *table]:
        if row is None:
            lines.append("-" * (sum(widths) + 6))
            continue
        label, *numbers = row
        cells = [label.ljust(widths[0])] + [
            value.rjust(width) for value, width in zip(numbers, widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    if not report.stores:
        lines.append("(no customer has a store yet)")
    waiting = sum(store.without_manager for store in report.stores)
    if waiting:
        lines += [
            "",
            f"{waiting:,} call-group customers are in stores with no active manager: add "
            "managers there, then run lastmile assign again.",
        ]
    if report.unassigned:
        lines += [
            "",
            f"{report.unassigned:,} customers have no known store and wait in the Unassigned "
            "bucket: pick a store for them on the Assign page.",
        ]
    return "\n".join(lines)
