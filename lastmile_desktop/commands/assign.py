"""``lastmile assign``: draw the holdout and share the list out, as the Assign page does."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lastmile_desktop.campaigns.assignment import (
    AssignmentReport,
    StoreWithoutManager,
    assign_campaign,
    campaign_to_assign,
    describe_assignment,
    list_names,
    stores_without_manager,
)
from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
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
            "in the Unassigned bucket. Before the run, warns on stderr about stores with "
            "customers waiting and no active manager. Prints what the run changed, then per "
            "store and per manager: members, holdout, call group."
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
    lead = COMMAND_LINE_PROFILE
    try:
        campaign_id = campaign_to_assign(db, args.campaign)
        unstaffed = stores_without_manager(db, campaign_id, lead)
        if unstaffed:
            print(unstaffed_warning(unstaffed), file=sys.stderr, flush=True)
        with progress_on_terminal() as progress:
            report = assign_campaign(db, campaign_id, lead, seed=args.seed, progress=progress)
    finally:
        db.close()
    if args.json:
        print_json(report_as_json(report, unstaffed))
    else:
        print(report_as_text(report))
    return 0


def unstaffed_warning(stores: Sequence[StoreWithoutManager]) -> str:
    """One line, said before the run: these stores' customers would go to nobody."""
    waiting = sum(store.waiting for store in stores)
    noun = "store has" if len(stores) == 1 else "stores have"
    return (
        f"Warning: {len(stores)} {noun} customers waiting but no active manager "
        f"({list_names([store.store_name for store in stores])}; {waiting:,} customers): "
        "they are drawn but given to nobody. Add managers, then run lastmile assign again."
    )


def report_as_json(
    report: AssignmentReport, unstaffed: Sequence[StoreWithoutManager] = ()
) -> dict[str, object]:
    changes = report.changes
    return {
        "campaign": report.campaign_name,
        "seed": report.seed,
        "holdout_share": report.holdout_share,
        "newly_drawn": report.newly_drawn,
        "newly_held_out": report.newly_held_out,
        "newly_assigned": report.newly_assigned,
        "changes": {
            "drawn_to_holdout": changes.drawn_to_holdout,
            "drawn_to_call": changes.drawn_to_call,
            "moved_to_holdout": changes.moved_to_holdout,
            "back_from_holdout": changes.back_from_holdout,
            "given_manager": changes.given_manager,
        },
        "summary": describe_assignment(report),
        # Found before the run: the stores the warning on stderr named.
        "stores_without_manager": [
            {"store_id": store.store_id, "store": store.store_name, "waiting": store.waiting}
            for store in unstaffed
        ],
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
        f"This run: {describe_assignment(report)}",
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
    if report.unassigned:
        lines += [
            "",
            f"{report.unassigned:,} customers have no known store and wait in the Unassigned "
            "bucket: pick a store for them on the Assign page.",
        ]
    return "\n".join(lines)
