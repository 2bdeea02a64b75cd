"""``lastmile settings``: show or change the database's settings (region, week, date order)."""

from __future__ import annotations

import argparse

from lastmile_desktop.campaigns.database_settings import (
    DatabaseSettings,
    load_database_settings,
    save_database_settings,
)
from lastmile_desktop.commands.common import Subparsers, add_command, open_for_command, print_json
from lastmile_desktop.data_settings import DateOrder, describe_region, weekday_number

NO_REGION = "none"
AUTOMATIC = "auto"
DATE_ORDER_WORDS = {
    None: "automatic (the file, else the region's habit)",
    DateOrder.DAY_FIRST: "day first (03/04/2024 is 3 April)",
    DateOrder.MONTH_FIRST: "month first (03/04/2024 is March 4)",
}


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "settings",
        help="show or change the database's region, first day of the week and date order",
        description=(
            "Without options, shows the database's settings. The region reads phone numbers "
            "and dates written without a country; when it is not set, each import works it "
            "out from the numbers. The date order reads dates such as 03/04/2024 when the "
            "column itself does not tell."
        ),
    )
    parser.add_argument(
        "--region",
        metavar="XX",
        help=f"two-letter country code such as GB, US, FR; {NO_REGION!r} to unset it",
    )
    parser.add_argument(
        "--first-day", metavar="DAY", help="first day of the week: monday, sunday, ..."
    )
    parser.add_argument(
        "--date-order",
        choices=[AUTOMATIC, *(str(order) for order in DateOrder)],
        help="how dates such as 03/04/2024 are read when the column does not tell",
    )
    parser.add_argument("--json", action="store_true", help="print the settings as JSON")
    parser.set_defaults(run=run)


def _changed(current: DatabaseSettings, args: argparse.Namespace) -> DatabaseSettings | None:
    """The settings with the options given applied; None when no option asks for a change."""
    if args.region is None and args.first_day is None and args.date_order is None:
        return None
    region = current.default_region
    if args.region is not None:
        region = None if args.region.strip().lower() == NO_REGION else args.region
    first_day = current.first_day_of_week
    if args.first_day is not None:
        first_day = weekday_number(args.first_day)
    date_order = current.date_order
    if args.date_order is not None:
        date_order = None if args.date_order == AUTOMATIC else DateOrder(args.date_order)
    return DatabaseSettings(region, first_day, date_order)


def run(args: argparse.Namespace) -> int:
    db = open_for_command(args)
    try:
        settings = load_database_settings(db)
        wanted = _changed(settings, args)
        if wanted is not None:
            settings = save_database_settings(db, wanted)
    finally:
        db.dispose()
    if args.json:
        print_json(
            {
                "region": settings.default_region,
                "first_day_of_week": settings.first_day_name,
                "date_order": str(settings.date_order) if settings.date_order else AUTOMATIC,
            }
        )
    else:
        print(f"Region: {describe_region(settings.default_region)}")
        print(f"First day of the week: {settings.first_day_name.capitalize()}")
        print(f"Date order: {DATE_ORDER_WORDS[settings.date_order]}")
    return 0
