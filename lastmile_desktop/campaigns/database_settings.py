"""The database's settings as the lead changes them: the Settings dialog, the first-run
question and ``lastmile settings``.

How each value is stored and read lives in ``data_settings``, which every package reads; the
changes are the regional lead's action, so they live here beside the access rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from lastmile_desktop.campaigns.access import Profile, require_lead
from lastmile_desktop.data_settings import (
    DATE_ORDER_KEY,
    DEFAULT_REGION_KEY,
    FIRST_DAY_OF_WEEK_KEY,
    WEEKDAYS,
    DateOrder,
    check_region,
    clear_setting,
    first_day_of_week,
    set_setting,
    stored_date_order,
    stored_default_region,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database

_CHANGE_ACTION = "change the database's settings"


@dataclass(frozen=True)
class DatabaseSettings:
    """What the Settings dialog and ``lastmile settings`` show and change."""

    default_region: str | None  # None: not set; each import works it out from the numbers
    first_day_of_week: int  # 0 Monday ... 6 Sunday, as ``calendar`` counts
    date_order: DateOrder | None  # None: automatic (the file, else the region's habit)

    @property
    def first_day_name(self) -> str:
        return WEEKDAYS[self.first_day_of_week]


def load_database_settings(db: Database) -> DatabaseSettings:
    with db.read_session() as session:
        return DatabaseSettings(
            default_region=stored_default_region(session),
            first_day_of_week=first_day_of_week(session),
            date_order=stored_date_order(session),
        )


def save_database_settings(
    db: Database, settings: DatabaseSettings, profile: Profile | None = None
) -> DatabaseSettings:
    """Store all three settings in one transaction; the regional lead's action.

    ``profile`` None is the command line's local lead. Returns what is now stored.
    """
    require_lead(Profile.lead() if profile is None else profile, _CHANGE_ACTION)
    if not 0 <= settings.first_day_of_week < 7:
        raise UserFacingError("The first day of the week must be a day from Monday to Sunday.")
    region = None if settings.default_region is None else check_region(settings.default_region)
    with db.session() as session:
        if region is None:
            clear_setting(session, DEFAULT_REGION_KEY)
        else:
            set_setting(session, DEFAULT_REGION_KEY, region)
        set_setting(session, FIRST_DAY_OF_WEEK_KEY, WEEKDAYS[settings.first_day_of_week])
        if settings.date_order is None:
            clear_setting(session, DATE_ORDER_KEY)
        else:
            set_setting(session, DATE_ORDER_KEY, str(settings.date_order))
    return load_database_settings(db)


def save_default_region(
    db: Database, region: str | None, profile: Profile | None = None
) -> DatabaseSettings:
    """Set (or clear, with None) the database's region alone: the first-run screen's question."""
    require_lead(Profile.lead() if profile is None else profile, _CHANGE_ACTION)
    code = None if region is None else check_region(region)
    with db.session() as session:
        if code is None:
            clear_setting(session, DEFAULT_REGION_KEY)
        else:
            set_setting(session, DEFAULT_REGION_KEY, code)
    return load_database_settings(db)
