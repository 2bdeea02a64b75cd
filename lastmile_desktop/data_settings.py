"""Settings that belong to the data, shared by the GUI and the command line.

They live in the database's ``settings`` table, so every window and command working on a
database reads them the same way: the country phone numbers and dates are read in when a
list does not say, the first day of the week, and how dates such as 03/04/2024 are read.
"""

from __future__ import annotations

import calendar
import enum

from sqlalchemy.orm import Session

from lastmile_desktop.countries import country_name, is_phone_region, locale_country
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.models import Setting

DEFAULT_REGION_KEY = "default_region"
FIRST_DAY_OF_WEEK_KEY = "first_day_of_week"
DATE_ORDER_KEY = "date_order"
FALLBACK_REGION = "GB"


class DateOrder(enum.StrEnum):
    """How a date such as 03/04/2024 is read when its column does not settle it."""

    DAY_FIRST = "dayfirst"
    MONTH_FIRST = "monthfirst"


# Days as ``calendar`` numbers them (0 = Monday), with the names stored and shown.
WEEKDAYS = tuple(calendar.day_name[day].lower() for day in range(7))
# Where weeks start on Sunday or Saturday (CLDR); Monday everywhere else.
_SUNDAY_FIRST = frozenset({
    "AG", "AS", "BR", "BS", "BT", "BW", "BZ", "CA", "CN", "CO", "DM", "DO", "ET", "GT", "GU",
    "HK", "HN", "ID", "IL", "IN", "JM", "JP", "KE", "KH", "KR", "LA", "MH", "MM", "MO", "MT",
    "MX", "MZ", "NI", "NP", "PA", "PE", "PH", "PK", "PR", "PT", "PY", "SA", "SG", "SV", "TH",
    "TT", "TW", "UM", "US", "VE", "VI", "WS", "YE", "ZA", "ZW",
})  # fmt: skip
_SATURDAY_FIRST = frozenset({
    "AE", "AF", "BH", "DJ", "DZ", "EG", "IQ", "IR", "JO", "KW", "LY", "OM", "QA", "SD", "SY",
})  # fmt: skip


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return None if row is None else row.value


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def clear_setting(session: Session, key: str) -> None:
    row = session.get(Setting, key)
    if row is not None:
        session.delete(row)


def stored_default_region(session: Session) -> str | None:
    """The region set for this database (Settings, the first-run screen), None if not set."""
    value = (get_setting(session, DEFAULT_REGION_KEY) or "").strip().upper()
    return value if is_phone_region(value) else None


def default_region(session: Session) -> str:
    """The ISO 3166 country used for phone numbers typed without one (a do-not-call entry)."""
    return stored_default_region(session) or locale_country() or FALLBACK_REGION


def stored_date_order(session: Session) -> DateOrder | None:
    """The database's date order, None for automatic."""
    value = get_setting(session, DATE_ORDER_KEY)
    return DateOrder(value) if value in set(DateOrder) else None


def usual_first_day(region: str | None) -> int:
    """The first day of the week where ``region`` is, as ``calendar`` numbers days."""
    if region in _SUNDAY_FIRST:
        return calendar.SUNDAY
    if region in _SATURDAY_FIRST:
        return calendar.SATURDAY
    return calendar.MONDAY


def first_day_of_week(session: Session) -> int:
    value = get_setting(session, FIRST_DAY_OF_WEEK_KEY)
    if value in WEEKDAYS:
        return WEEKDAYS.index(value)
    return usual_first_day(stored_default_region(session) or locale_country())


def weekday_number(name: str) -> int:
    """ "monday" (any case, or its first three letters) -> 0; a clear error otherwise."""
    wanted = name.strip().lower()
    for number, day in enumerate(WEEKDAYS):
        if wanted in (day, day[:3]):
            return number
    raise UserFacingError(f'"{name}" is not a day of the week: use monday, sunday, ...')


def check_region(region: str) -> str:
    code = region.strip().upper()
    if not is_phone_region(code):
        raise UserFacingError(
            f'"{region}" is not a country code phone numbers can be read for: use a two-letter '
            "ISO code such as GB, US, FR or DE."
        )
    return code


def describe_region(region: str | None) -> str:
    """ "United Kingdom (GB)", or what happens when no region is set."""
    if region is None:
        return "not set: worked out from each list's numbers"
    return f"{country_name(region)} ({region})"
