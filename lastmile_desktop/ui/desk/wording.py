"""What the call desk says, in plain words: why a customer is in the queue, times and days.

One place for the desk's wording, so the queue, the card, the call sheet and the status line
say the same thing the same way (and can be translated in one place later).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import phonenumbers
from PySide6.QtCore import QLocale

from lastmile_desktop.calling.hours import COMPUTER_LOCAL_TIME, computer_zone
from lastmile_desktop.calling.life import FollowUp
from lastmile_desktop.calling.queue import LaterReason, NowReason, QueueEntry

NOW_WHY: dict[str, str] = {
    NowReason.CALLBACK_DUE: "Asked to be called back now",
    NowReason.VISIT_REMINDER: "Reminder: plans to visit tomorrow",
    NowReason.PROMISED_NOT_SEEN: "Promised to visit, no purchase seen",
    NowReason.NEW: "Not called yet",
    NowReason.RETRY: "Try again",
}

LATER_WHY: dict[str, str] = {
    LaterReason.OUTSIDE_CALLING_HOURS: "Outside calling hours",
    LaterReason.COOL_DOWN: "Called recently",
    LaterReason.CALLBACK_LATER: "Callback booked",
}

# Calls to a finished customer that are not attempts, as the history names them.
FOLLOW_UP_WORDS: dict[str, str] = {
    FollowUp.VISIT_REMINDER: "reminder call",
    FollowUp.PROMISED_NOT_SEEN: "promise follow-up",
}

# The reasons a caller may give for passing over a customer for now (kept for the session).
SKIP_REASONS: tuple[str, ...] = (
    "Customer is in the shop",
    "Call at a quieter moment",
    "Need to check something first",
    "Other",
)


def local_zone() -> tzinfo:
    """The computer's time zone (the one the services count "today" in): times are shown in it."""
    name = computer_zone()
    if name != COMPUTER_LOCAL_TIME:
        try:
            return ZoneInfo(name)
        except (KeyError, ValueError):
            pass
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None  # astimezone() always attaches one
    return zone


def clock_time(moment: datetime, zone: tzinfo) -> str:
    """14:03 (24-hour, as shop rotas and the calling hours are written)."""
    return moment.astimezone(zone).strftime("%H:%M")


def when(moment: datetime, now: datetime, zone: tzinfo) -> str:
    """A time near ``now`` as a person says it: 14:03, tomorrow 09:00, Tue 09:00, 12 Mar 09:00."""
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date()
    day = local.date()
    hour = local.strftime("%H:%M")
    if day == today:
        return hour
    if day == today + timedelta(days=1):
        return f"tomorrow {hour}"
    if day == today - timedelta(days=1):
        return f"yesterday {hour}"
    if today < day < today + timedelta(days=7):
        return f"{local.strftime('%a')} {hour}"
    if day.year == today.year:
        return f"{day.day} {local.strftime('%b')} {hour}"
    return f"{day.day} {local.strftime('%b %Y')} {hour}"


def long_date(day: date) -> str:
    """Tuesday 3 March 2026."""
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def short_date(day: date) -> str:
    """3 Mar 2026."""
    return f"{day.day} {day.strftime('%b %Y')}"


def why_now(entry: QueueEntry) -> str:
    """Why this customer is to be called now."""
    text = NOW_WHY.get(entry.why, entry.why)
    if entry.why == NowReason.RETRY:
        calls = "1 call" if entry.attempts == 1 else f"{entry.attempts} calls"
        text = f"{text} ({calls} so far)"
    return text


def why_later(entry: QueueEntry, now: datetime, zone: tzinfo) -> str:
    """Why this customer cannot be called yet, and from when they can."""
    text = LATER_WHY.get(entry.why, entry.why)
    if entry.until is not None:
        text = f"{text}, callable {when(entry.until, now, zone)}"
    return text


def why(entry: QueueEntry, now: datetime, zone: tzinfo) -> str:
    return why_now(entry) if entry.why in NOW_WHY else why_later(entry, now, zone)


def money(cents: int | None) -> str:
    return "–" if cents is None else QLocale().toString(cents / 100, "f", 2)


def count(number: int, one: str, many: str | None = None) -> str:
    noun = one if number == 1 else (many or one + "s")
    return f"{QLocale().toString(number)} {noun}"


def days_ago(days: int | None) -> str:
    if days is None:
        return "no purchase on record"
    if days == 0:
        return "bought today"
    return f"last bought {count(days, 'day')} ago"


def customer_zone_note(zones: tuple[str, ...], own: tzinfo, now: datetime) -> str:
    """'Their time: 15:03 (Europe/Paris)' when the customer's clock differs from ours."""
    shown: list[str] = []
    for name in zones:
        try:
            zone = ZoneInfo(name)
        except (KeyError, ValueError):
            continue
        if now.astimezone(zone).utcoffset() != now.astimezone(own).utcoffset():
            shown.append(f"{clock_time(now, zone)} ({name.replace('_', ' ')})")
    if not shown:
        return ""
    return "Their time: " + ", ".join(shown)


def display_phone(e164: str | None) -> str:
    """+44 7700 900123: grouped as people read it out; the stored form if it does not parse."""
    if not e164:
        return "no phone number"
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
