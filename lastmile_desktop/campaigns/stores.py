"""Stores: they arrive with imports and are edited here (name, code, time zone, hours).

The lead edits every store; a store manager may edit their own store's name, time zone and
opening hours. The code stays with the lead because imports match stores by it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lastmile_desktop.calling.hours import (
    DAYS,
    OpeningHours,
    opening_hours_from_json,
    opening_hours_to_json,
)
from lastmile_desktop.campaigns.access import (
    LeadAction,
    Profile,
    check_profile,
    require_lead,
    require_own_store,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import NAME_MAX_LENGTH, STORE_CODE_MAX_LENGTH
from lastmile_desktop.storage.models import Manager, Store


class StoreNotFound(UserFacingError):
    pass


@dataclass(frozen=True)
class StoreDraft:
    name: str
    code: str
    timezone: str | None = None
    opening_hours: OpeningHours | None = None  # None: use the campaign's calling hours


@dataclass(frozen=True)
class StoreInfo:
    id: int
    code: str
    name: str
    timezone: str | None
    opening_hours: OpeningHours | None
    active_managers: int
    created_at: datetime

    @property
    def label(self) -> str:
        """How the store is named in lists and headings: "Leeds (12)", or "Store 12" when the
        name already says the code (never "Store Store 12" nor "Store 12 (12)")."""
        return store_label(self.name, self.code)

    def to_draft(self) -> StoreDraft:
        return StoreDraft(self.name, self.code, self.timezone, self.opening_hours)


def store_label(name: str, code: str) -> str:
    """The name, followed by the code in brackets unless the name holds it as a whole word."""
    code = code.strip()
    if not code:
        return name
    says_code = re.search(rf"(?<![^\W_]){re.escape(code)}(?![^\W_])", name, re.IGNORECASE)
    return name if says_code else f"{name} ({code})"


# --- opening hours as text: "Mon-Fri 09:00-18:00, Sat 10:00-16:00" ---------------------

_DAY_SPEC = re.compile(
    r"^\s*(?P<first>[a-z]{3})[a-z]*\s*(?:-\s*(?P<last>[a-z]{3})[a-z]*)?\s+"
    r"(?P<opens>\d{1,2}[:.]\d{2})\s*-\s*(?P<closes>\d{1,2}[:.]\d{2})\s*$",
    re.IGNORECASE,
)


def _parse_time(text: str) -> time:
    hours, minutes = re.split(r"[:.]", text)
    try:
        return time(int(hours), int(minutes))
    except ValueError as error:
        raise UserFacingError(f'"{text}" is not a time of day: write it as 09:30.') from error


def parse_opening_hours(text: str) -> OpeningHours | None:
    """Read "Mon-Fri 09:00-18:00, Sat 10:00-16:00"; an empty text means "not set"."""
    if not text.strip():
        return None
    hours: OpeningHours = {}
    for part in re.split(r"[,;\n]", text):
        if not part.strip():
            continue
        match = _DAY_SPEC.match(part)
        if match is None:
            raise UserFacingError(
                f'Could not read "{part.strip()}": write opening hours like '
                '"Mon-Fri 09:00-18:00, Sat 10:00-16:00".'
            )
        first, last = match["first"].lower(), (match["last"] or match["first"]).lower()
        if first not in DAYS or last not in DAYS:
            raise UserFacingError(
                f'"{part.strip()}" names an unknown day: use Mon, Tue, Wed, Thu, Fri, Sat, Sun.'
            )
        opens, closes = _parse_time(match["opens"]), _parse_time(match["closes"])
        for day in DAYS[DAYS.index(first) : DAYS.index(last) + 1]:
            hours[day] = (opens, closes)
    return check_opening_hours(hours)


def format_opening_hours(hours: OpeningHours | None) -> str:
    """The inverse of ``parse_opening_hours``: consecutive days with equal hours are joined."""
    if not hours:
        return ""
    parts: list[str] = []
    index = 0
    while index < len(DAYS):
        day = DAYS[index]
        if day not in hours:
            index += 1
            continue
        end = index
        while end + 1 < len(DAYS) and hours.get(DAYS[end + 1]) == hours[day]:
            end += 1
        days = day.title() if end == index else f"{day.title()}-{DAYS[end].title()}"
        opens, closes = hours[day]
        parts.append(f"{days} {opens:%H:%M}-{closes:%H:%M}")
        index = end + 1
    return ", ".join(parts)


def check_opening_hours(hours: OpeningHours) -> OpeningHours:
    for day, (opens, closes) in hours.items():
        if day not in DAYS:
            raise UserFacingError(f'"{day}" is not a day: use one of {", ".join(DAYS)}.')
        if closes <= opens:
            raise UserFacingError(
                f"On {day.title()} the store closes ({closes:%H:%M}) before it opens "
                f"({opens:%H:%M}): correct the hours."
            )
    return {day: hours[day] for day in DAYS if day in hours}


# --- time zones -------------------------------------------------------------------------


def check_timezone(name: str | None) -> str | None:
    """A valid IANA time zone name, or None when left empty."""
    if name is None or not name.strip():
        return None
    name = name.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        close = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
        hint = f'did you mean "{close[0]}"?' if close else "use a name such as Europe/London."
        raise UserFacingError(f'"{name}" is not a known time zone: {hint}') from error
    return name


# --- services ---------------------------------------------------------------------------


_DIGIT_RUNS = re.compile(r"(\d+)")
# Text and numbers alternate: ("store ", 12, "") for "Store 12". Tuples compare position by
# position, and each position always holds the same type.
NaturalKey = tuple[str | int, ...]


def natural_sort_key(text: str) -> NaturalKey:
    """Text in the order people read it: "Store 3" before "Store 12", case ignored."""
    parts = _DIGIT_RUNS.split(text.strip().casefold())
    return tuple(int(part) if position % 2 else part for position, part in enumerate(parts))


def store_sort_key(name: str, code: str = "") -> tuple[NaturalKey, NaturalKey]:
    """The one order of stores in every list: by name as people read it, then by code."""
    return (natural_sort_key(name), natural_sort_key(code))


def store_by_code(session: Session, code: str) -> Store:
    """The store with this code (any case), else a message listing the codes there are."""
    store = session.scalars(
        select(Store).where(func.lower(Store.code) == code.strip().lower())
    ).first()
    if store is None:
        known = ", ".join(sorted(session.scalars(select(Store.code))))
        raise UserFacingError(f'No store has the code "{code}". Stores: {known or "none yet"}.')
    return store


def _to_info(store: Store, active_managers: int) -> StoreInfo:
    return StoreInfo(
        id=store.id,
        code=store.code,
        name=store.name,
        timezone=store.timezone,
        opening_hours=opening_hours_from_json(store.opening_hours),
        active_managers=active_managers,
        created_at=store.created_at,
    )


def _active_manager_counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Manager.store_id, func.count())
        .where(Manager.active.is_(True))
        .group_by(Manager.store_id)
    )
    return dict(rows.all())


def _load(session: Session, store_id: int) -> Store:
    store = session.get(Store, store_id)
    if store is None:
        raise StoreNotFound(f"Store {store_id} does not exist; reload the list of stores.")
    return store


def list_stores(db: Database) -> list[StoreInfo]:
    """Every store, ordered as people read them ("Store 2" before "Store 12")."""
    with db.read_session() as session:
        counts = _active_manager_counts(session)
        stores = [_to_info(s, counts.get(s.id, 0)) for s in session.scalars(select(Store))]
    return sorted(stores, key=lambda info: store_sort_key(info.name, info.code))


def get_store(db: Database, store_id: int) -> StoreInfo:
    with db.read_session() as session:
        store = _load(session, store_id)
        return _to_info(store, _active_manager_counts(session).get(store.id, 0))


def _clean(draft: StoreDraft) -> StoreDraft:
    name, code = draft.name.strip(), draft.code.strip()
    if not name:
        raise UserFacingError("Give the store a name.")
    if len(name) > NAME_MAX_LENGTH:
        raise UserFacingError(f"Shorten the store name to {NAME_MAX_LENGTH} characters.")
    if not code:
        raise UserFacingError("Give the store a code: the one head office uses in its lists.")
    if len(code) > STORE_CODE_MAX_LENGTH:
        raise UserFacingError(f"Shorten the store code to {STORE_CODE_MAX_LENGTH} characters.")
    hours = None if draft.opening_hours is None else check_opening_hours(draft.opening_hours)
    return StoreDraft(name, code, check_timezone(draft.timezone), hours)


def _check_code_free(session: Session, code: str, store_id: int | None) -> None:
    query = select(Store.name).where(func.lower(Store.code) == code.lower())
    if store_id is not None:
        query = query.where(Store.id != store_id)
    taken_by = session.execute(query).scalar()
    if taken_by is not None:
        raise UserFacingError(f'The code "{code}" is already used by {taken_by}: pick another.')


def _check_new_codes_free(session: Session, codes: Sequence[str]) -> None:
    """One query for all the new codes; codes compare without regard to case."""
    wanted: set[str] = set()
    for code in codes:
        if code.lower() in wanted:
            raise UserFacingError(f'The code "{code}" is given to two new stores: pick another.')
        wanted.add(code.lower())
    taken = session.execute(
        select(Store.code, Store.name).where(func.lower(Store.code).in_(wanted))
    ).first()
    if taken is not None:
        code, taken_by = taken
        raise UserFacingError(f'The code "{code}" is already used by {taken_by}: pick another.')


def add_stores_in_session(session: Session, drafts: Sequence[StoreDraft]) -> list[int]:
    """Create stores inside a caller's transaction (an import naming new ones), in one flush.

    Other services use this instead of building ``Store`` rows themselves, so every store
    passes the same checks (a name, a code not taken, their lengths, the time zone and the
    hours). The caller checks who may add stores. Returns the new ids, in the drafts' order.
    """
    clean = [_clean(draft) for draft in drafts]
    if not clean:
        return []
    _check_new_codes_free(session, [draft.code for draft in clean])
    stores = [
        Store(
            code=draft.code,
            name=draft.name,
            timezone=draft.timezone,
            opening_hours=opening_hours_to_json(draft.opening_hours),
        )
        for draft in clean
    ]
    session.add_all(stores)
    session.flush()
    return [store.id for store in stores]


def add_store(db: Database, draft: StoreDraft, profile: Profile) -> StoreInfo:
    """A store that no import has brought yet (for example to move customers to it)."""
    require_lead(profile, LeadAction.ADD_STORES)
    with db.session() as session:
        (store_id,) = add_stores_in_session(session, [draft])
        return _to_info(_load(session, store_id), 0)


def update_store(db: Database, store_id: int, draft: StoreDraft, profile: Profile) -> StoreInfo:
    require_own_store(profile, store_id, "change the details")
    clean = _clean(draft)
    with db.session() as session:
        check_profile(session, profile)
        store = _load(session, store_id)
        if clean.code != store.code:
            require_lead(profile, LeadAction.CHANGE_STORE_CODE)
            _check_code_free(session, clean.code, store_id)
        store.code = clean.code
        store.name = clean.name
        store.timezone = clean.timezone
        store.opening_hours = opening_hours_to_json(clean.opening_hours)
        session.flush()
        return _to_info(store, _active_manager_counts(session).get(store.id, 0))
