"""``lastmile campaign list|show|set``: campaigns without the window, on the Campaigns tab's
services (the same checks; the holdout share locks once the first call is logged)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from lastmile_desktop.calling.hours import CallingHours
from lastmile_desktop.campaigns.campaigns import (
    CampaignDraft,
    CampaignInfo,
    CampaignNotFound,
    create_campaign,
    find_campaign,
    list_campaigns,
    update_campaign,
)
from lastmile_desktop.commands.common import (
    COMMAND_LINE_PROFILE,
    Subparsers,
    add_command,
    json_time,
    open_for_command,
    parse_date,
    print_json,
)
from lastmile_desktop.errors import UserFacingError


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "campaign",
        help="list, show, create or change campaigns (dates, attempts, cool-down, hours...)",
        description="Campaigns from the command line, with the same rules as the Campaigns tab.",
    )
    actions = parser.add_subparsers(dest="campaign_command", metavar="ACTION", required=True)

    listing = add_command(actions, "list", help="every campaign, open ones first")
    listing.add_argument("--json", action="store_true", help="print the campaigns as JSON")
    listing.set_defaults(run=run_list)

    show = add_command(actions, "show", help="one campaign's settings")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print the campaign as JSON")
    show.set_defaults(run=run_show)

    change = add_command(
        actions, "set", help="change a campaign's settings (creates it when it does not exist)"
    )
    change.add_argument("name", metavar="NAME")
    change.add_argument("--start", metavar="DATE", help="first day of calls (2025-03-01)")
    change.add_argument("--attribution-days", type=int, metavar="N", help="days a sale counts")
    change.add_argument("--max-attempts", type=int, metavar="N", help="tries per customer")
    change.add_argument("--cool-down-hours", type=int, metavar="H", help="hours between tries")
    change.add_argument(
        "--calling-hours", metavar="HH:MM-HH:MM", help="in the customer's local time"
    )
    change.add_argument(
        "--holdout-share", metavar="F", help="share never called: 0.1 or 10%% (locked once called)"
    )
    change.add_argument("--json", action="store_true", help="print the campaign as JSON")
    change.set_defaults(run=run_set)


def run_list(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        campaigns = list_campaigns(db)
    finally:
        db.dispose()
    if args.json:
        print_json([campaign_json(info) for info in campaigns])
    elif not campaigns:
        print("No campaigns yet: import a list, or create one with lastmile campaign set NAME.")
    else:
        for info in campaigns:
            state = "open" if info.is_open else "closed"
            print(f"{info.name}  ({state}, {info.members:,} members)")
    return 0


def run_show(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        info = find_campaign(db, args.name)
    finally:
        db.dispose()
    if args.json:
        print_json(campaign_json(info))
    else:
        print(campaign_text(info))
    return 0


def run_set(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        try:
            current = find_campaign(db, args.name)
        except CampaignNotFound:
            info = create_campaign(
                db, _changed(CampaignDraft(args.name.strip()), args), COMMAND_LINE_PROFILE
            )
            created = True
        else:
            draft = _changed(current.to_draft(), args)
            info = update_campaign(db, current.id, draft, COMMAND_LINE_PROFILE)
            created = False
    finally:
        db.dispose()
    if args.json:
        print_json(campaign_json(info))
    else:
        print(("Created. " if created else "Saved. ") + campaign_text(info))
    return 0


def _changed(draft: CampaignDraft, args: argparse.Namespace) -> CampaignDraft:
    changes: dict[str, Any] = {}
    if args.start is not None:
        changes["start_date"] = parse_date(args.start, "--start")
    if args.attribution_days is not None:
        changes["attribution_window_days"] = args.attribution_days
    if args.max_attempts is not None:
        changes["max_attempts"] = args.max_attempts
    if args.cool_down_hours is not None:
        changes["min_hours_between_attempts"] = args.cool_down_hours
    if args.calling_hours is not None:
        changes["calling_hours"] = CallingHours.parse(args.calling_hours)
    if args.holdout_share is not None:
        changes["holdout_share"] = parse_share(args.holdout_share)
    return replace(draft, **changes)


def parse_share(text: str) -> float:
    """0.1 or 10%: a share of the list."""
    cleaned = text.strip()
    try:
        if cleaned.endswith("%"):
            return float(cleaned[:-1]) / 100
        return float(cleaned)
    except ValueError:
        raise UserFacingError(
            f'--holdout-share "{text}" is not a share: write 0.1 or 10%.'
        ) from None


def campaign_json(info: CampaignInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "state": str(info.state),
        "start": info.start_date.isoformat() if info.start_date else None,
        "end": info.end_date.isoformat() if info.end_date else None,
        "attribution_days": info.attribution_window_days,
        "max_attempts": info.max_attempts,
        "cool_down_hours": info.min_hours_between_attempts,
        "calling_hours": str(info.calling_hours),
        "holdout_share": info.holdout_share,
        "holdout_locked": info.holdout_locked,
        "members": info.members,
        "offer": info.offer,
        "offer_code": info.offer_code,
        "script_version": info.script_version,
        "created_at": json_time(info.created_at),
    }


def campaign_text(info: CampaignInfo) -> str:
    locked = " (locked: calls were logged)" if info.holdout_locked else ""
    return "\n".join(
        [
            f"Campaign “{info.name}” ({'open' if info.is_open else 'closed'}, "
            f"{info.members:,} members)",
            f"  starts:           {info.start_date or 'not set'}",
            f"  attribution:      {info.attribution_window_days} days",
            f"  max attempts:     {info.max_attempts}",
            f"  cool-down:        {info.min_hours_between_attempts} hours",
            f"  calling hours:    {info.calling_hours} (the customer's local time)",
            f"  holdout share:    {info.holdout_share:.0%}{locked}",
        ]
    )
