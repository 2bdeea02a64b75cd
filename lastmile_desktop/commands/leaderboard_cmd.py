"""``lastmile leaderboard``: the stores' figures, ranked fairly, with the heroes and the gaps."""

from __future__ import annotations

import argparse

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.profiles import available_profiles
from lastmile_desktop.commands.common import Subparsers, add_command, open_for_command, print_json
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.leaderboard.model import Leaderboard, Lift, StoreRow
from lastmile_desktop.leaderboard.periods import PeriodChoice, parse_period
from lastmile_desktop.leaderboard.rates import DEFAULT_RATE, Rate
from lastmile_desktop.leaderboard.sentences import percent
from lastmile_desktop.leaderboard.service import DEFAULT_PERIOD, leaderboard, leaderboard_json
from lastmile_desktop.storage import Database

COMMAND_LINE_PROFILE = Profile.lead("Regional lead (command line)")


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "leaderboard",
        help="the stores' figures over a period, ranked fairly, with the heroes and the gaps",
        description=(
            "Every store's figures for a campaign over a period: calls, people reached, offers "
            "accepted, customers who came back and stayed, ranked by the lower bound of the "
            "chosen rate's 95% interval (under 20 is too few to rank), with the best and most "
            "improved stores, each store's gaps, and the lift over the holdout group."
        ),
    )
    parser.add_argument(
        "--campaign", metavar="NAME", help="the campaign (default: the most recent open one)"
    )
    add_period_and_rate(parser)
    parser.add_argument(
        "--as",
        dest="manager",
        metavar="MANAGER",
        help="see it as this store manager does: their store by name, the others lettered",
    )
    parser.add_argument("--json", action="store_true", help="print it as one JSON object")
    parser.set_defaults(run=run)


def add_period_and_rate(parser: argparse.ArgumentParser, *, what: str = "") -> None:
    """``--period`` and ``--rate``, as every command showing the leaderboard takes them;
    ``what`` starts their help (what they choose). Read them with ``period_and_rate``."""
    parser.add_argument(
        "--period",
        metavar="PERIOD",
        help=f"{what}this-week, last-4-weeks, campaign (the default) or FROM..TO, e.g. "
        "2026-11-02..2026-11-29 (both days included)",
    )
    parser.add_argument(
        "--rate",
        choices=[rate.value for rate in Rate],
        help=f"{what}the rate stores are ranked by (default: {DEFAULT_RATE.value})",
    )


def period_and_rate(args: argparse.Namespace) -> tuple[PeriodChoice, Rate]:
    """The period and rate asked for with ``add_period_and_rate``'s options, or the defaults."""
    period = DEFAULT_PERIOD if args.period is None else parse_period(args.period)
    return period, DEFAULT_RATE if args.rate is None else Rate(args.rate)


def manager_profile(db: Database, name: str) -> Profile:
    """The active manager called ``name`` (case does not matter)."""
    wanted = name.strip().casefold()
    managers = [profile for profile in available_profiles(db) if not profile.is_lead]
    matches = [profile for profile in managers if profile.name.casefold() == wanted]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UserFacingError(
            f'{len(matches)} active managers are called "{name}": the leaderboard cannot tell '
            "which one is meant."
        )
    known = ", ".join(profile.name for profile in managers) or "none"
    raise UserFacingError(f'No active manager is called "{name}". Managers: {known}.')


def _rate_text(row: StoreRow, rate: Rate) -> str:
    value = row.figures.rates[rate].value
    return "-" if value is None else percent(value)


def _interval_text(row: StoreRow) -> str:
    interval = row.rate.ci95
    return "-" if interval is None else f"{percent(interval.low)}-{percent(interval.high)}"


def describe(board: Leaderboard) -> str:
    """The table and the sentences, for a person at a terminal."""
    lines = [
        f'Campaign "{board.campaign}", {board.period.describe()}, ranked by '
        f"{board.rate.label.lower()} (95% interval; under 20 is too few to rank)",
        "",
    ]
    header = [
        "Rank", "Store", "Assigned", "Called", "Attempts", "Reached", "Accepted", "Back",
        "Revenue", "Stayed", "Coverage", "Contact", "Accept", "Win-back", "Stay", "Overdue",
        "Days to call", "95% interval",
    ]  # fmt: skip
    table = [header]
    for row in board.stores:
        f = row.figures
        table.append(
            [
                str(row.rank) if row.rank is not None else "too few",
                row.store,
                f"{f.assigned:,}",
                f"{f.attempted:,}",
                f"{f.attempts:,}",
                f"{f.reached:,}",
                f"{f.accepted:,}",
                f"{f.won_back:,}",
                f"{f.revenue_won_back_cents / 100:,.2f}",
                f"{f.stayed_back:,}",
                *(_rate_text(row, rate) for rate in Rate),
                f"{f.overdue_callbacks:,}",
                "-" if f.speed_to_first_call_days is None else f"{f.speed_to_first_call_days:.1f}",
                _interval_text(row),
            ]
        )
    widths = [max(len(cells[column]) for cells in table) for column in range(len(header))]
    for cells in table:
        lines.append(
            "  ".join(
                cell.ljust(width) if column == 1 else cell.rjust(width)
                for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )
    lines.append("")
    lines.append("Best right now:")
    lines.extend(f"  {hero.text}" for hero in board.best_now)
    if not board.best_now:
        lines.append("  no store has enough customers to rank yet")
    lines.append(f"Most improved since {board.previous.describe()}:")
    lines.extend(f"  {hero.text}" for hero in board.most_improved)
    if not board.most_improved:
        lines.append("  no store rankable in both periods has risen")
    lines.append("Gaps:")
    lines.extend(f"  {gap.text}" for gap in board.gaps)
    lift = board.lift
    lines.append("")
    lines.append("Lift over the holdout (bought since the campaign started):")
    lines.append(f"  Overall: {_lift_text(lift)}")
    for row in board.stores:
        lines.append(f"  {row.store}: {_lift_text(row.lift)}")
    return "\n".join(lines)


def _lift_text(lift: Lift) -> str:
    if lift.points is None or lift.ci95 is None:
        return lift.note or "nothing to compare"
    call, holdout = lift.call_return_rate or 0.0, lift.holdout_return_rate or 0.0
    return (
        f"{percent(call)} of {lift.call_members:,} called against {percent(holdout)} of "
        f"{lift.holdout_members:,} in the holdout: {lift.points:+.1f} points "
        f"(95% {lift.ci95.low:+.1f} to {lift.ci95.high:+.1f})"
    )


def run(args: argparse.Namespace) -> int:
    period, rate = period_and_rate(args)
    db = open_for_command(args)
    try:
        profile = (
            COMMAND_LINE_PROFILE if args.manager is None else manager_profile(db, args.manager)
        )
        board = leaderboard(db, profile, campaign=args.campaign, period=period, rate=rate)
    finally:
        db.dispose()
    if args.json:
        print_json(leaderboard_json(board))
    else:
        print(describe(board))
    return 0
