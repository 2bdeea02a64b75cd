"""``import_pack``: a store pack into the store's own database, however empty, in one go.

What the pack holds (``pack_out``) is created or brought up to date here with the same UUIDs
(the store by its code): the campaign with its scripts, the store, its managers, the
customers and their memberships, the calls and purchases so far, the do-not-call entries.
The desk can then work the campaign on this PC as it would at the region.

- **All of it or nothing.** One transaction: a refused file, a cancelled import or a failure
  leaves the database as it was. The file goes through the import's hostile-file checks; a
  file that is not a store pack (a results file, a customer list) is refused in one sentence.
- **Every row accounted for**, per sheet: ``rows_read = created + updated + unchanged +
  rejected``; a rejected row is listed with its sheet, row number and reason. The Campaign and
  Store rows are the pack itself: a pack whose campaign or store cannot be read is refused.
- **The same pack twice changes nothing; a newer one updates; an older one is refused.** The
  pack's "Exported at" is kept per campaign and store (``last_pack_received``): a pack
  exported before the one already imported would put old work over new, so it is refused.
- **What the store did stays.** Calls logged here are never touched. A member with calls here
  that the pack does not hold keeps where its calls stand here (the pack was made before those
  calls reached the region); otherwise it takes the pack's. A pinned note written here is
  kept; a customer forgotten here stays forgotten.
- **A member the newer pack no longer holds leaves the store** (the lead gave them to another
  store or took them off the list): removed, with the customer when no other list holds them,
  unless calls were logged for them here; those stay, the member out of the store's lists.
- Do-not-call entries are added, never lifted, by a pack: an entry made here stays.

A store manager may import their own store's pack; the lead, any pack.
"""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from lastmile_desktop.calling.hours import CallingHours, opening_hours_to_json
from lastmile_desktop.calling.life import FollowUp, MemberLife, ScheduledKind
from lastmile_desktop.calling.member_facts import refresh_customers, refresh_members
from lastmile_desktop.calling.outcomes import UnknownOutcomeError, outcome_by_code
from lastmile_desktop.campaigns.access import AccessDenied, Profile, check_profile
from lastmile_desktop.campaigns.campaigns import CampaignDraft, normalise_draft
from lastmile_desktop.campaigns.do_not_call import suppress_members
from lastmile_desktop.campaigns.identities import customer_id_key
from lastmile_desktop.campaigns.stores import check_timezone, parse_opening_hours
from lastmile_desktop.campaigns.suppression import entries_for
from lastmile_desktop.data_settings import get_setting, set_setting
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.packs import pack_out as out
from lastmile_desktop.packs.workbook import (
    PackInfo,
    PackKind,
    PackReader,
    PackRow,
    PackRowError,
    PackSheet,
    RejectedPackRow,
    time_text,
)
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import (
    CUSTOMER_ID_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
)
from lastmile_desktop.storage.models import (
    AssignmentChange,
    CallAttempt,
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    DoNotCall,
    Manager,
    MemberDay,
    MemberGroup,
    MemberStatus,
    Purchase,
    ScriptVersion,
    Store,
)
from lastmile_desktop.storage.types import utcnow

RECEIVED_KEY = "store_pack.received.{campaign}.{store}"
_CHUNK = 500
# A store pack's members are in the call group: never the holdout, never waiting for a draw.
PACK_STATUSES = frozenset(
    {MemberStatus.TO_CALL, MemberStatus.IN_PROGRESS, MemberStatus.DONE, MemberStatus.SUPPRESSED}
)
_SHARE_TOLERANCE = 1e-9


class RecordKind(enum.StrEnum):
    """The kinds of record a store pack brings, one per data sheet (the JSON's keys)."""

    CAMPAIGN = "campaign"
    SCRIPTS = "scripts"
    STORE = "store"
    MANAGERS = "managers"
    MEMBERS = "members"
    CALLS = "calls"
    PURCHASES = "purchases"
    DO_NOT_CALL = "do_not_call"

    @property
    def sheet(self) -> PackSheet:
        return _SHEETS[self]


_SHEETS = dict(zip(RecordKind, out.SHEETS, strict=True))


@dataclass
class KindCounts:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    @property
    def accounted_for(self) -> bool:
        return self.rows_read == self.created + self.updated + self.unchanged + self.rejected

    def as_json(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


@dataclass(frozen=True)
class PackImportSummary:
    file: str
    info: PackInfo
    campaign_id: int  # in this database
    counts: dict[RecordKind, KindCounts]
    rejected_rows: list[RejectedPackRow]
    # Members the pack no longer holds, taken out of the store's lists.
    members_removed: int
    # Members with calls logged here that the pack does not hold: where their calls stand
    # here was kept, not the pack's.
    members_kept_as_called_here: int
    previous_import: datetime | None  # the pack of this campaign and store imported before

    def total(self, name: str) -> int:
        return sum(getattr(counts, name) for counts in self.counts.values())

    @property
    def rows_read(self) -> int:
        return self.total("rows_read")

    @property
    def changed_anything(self) -> bool:
        return bool(self.total("created") + self.total("updated") + self.members_removed)

    def as_json(self) -> dict[str, object]:
        """The shape ``lastmile import-pack --json`` prints."""
        info = self.info
        return {
            "file": self.file,
            "kind": info.kind.value,
            "campaign": info.campaign,
            "campaign_uuid": str(info.campaign_uuid),
            "store": info.store,
            "store_code": info.store_code,
            "exported_at": time_text(info.exported_at),
            "exported_by": info.exported_by,
            "rows_read": self.rows_read,
            "created": self.total("created"),
            "updated": self.total("updated"),
            "unchanged": self.total("unchanged"),
            "rejected": self.total("rejected"),
            "kinds": {kind.value: counts.as_json() for kind, counts in self.counts.items()},
            "members_removed": self.members_removed,
            "members_kept_as_called_here": self.members_kept_as_called_here,
            "previous_import": None
            if self.previous_import is None
            else time_text(self.previous_import),
            "rejected_rows": [row.as_json() for row in self.rejected_rows],
        }

    def headline(self) -> str:
        """ "Store pack for Leeds (12), campaign “Spring”: 1,234 rows read: 120 created, ..."."""
        return (
            f"Store pack for {self.info.store}, campaign “{self.info.campaign}”: "
            f"{self.rows_read:,} rows read: {self.total('created'):,} created, "
            f"{self.total('updated'):,} updated, {self.total('unchanged'):,} unchanged, "
            f"{self.total('rejected'):,} rejected."
        )

    def kind_lines(self) -> list[str]:
        """One line per sheet: "Members: 60 read: 2 created, 1 updated, 57 unchanged"."""
        lines = []
        for kind, counts in self.counts.items():
            line = (
                f"{kind.sheet.name}: {counts.rows_read:,} read: {counts.created:,} created, "
                f"{counts.updated:,} updated, {counts.unchanged:,} unchanged"
            )
            if counts.rejected:
                line += f", {counts.rejected:,} rejected"
            lines.append(line)
        return lines

    def notes(self) -> list[str]:
        """What else happened, in plain words (empty when nothing did)."""
        lines = []
        if self.members_removed:
            lines.append(
                f"{self.members_removed:,} customers are no longer in this store's pack (given "
                "to another store or taken off the list): they left this store's lists."
            )
        if self.members_kept_as_called_here:
            lines.append(
                f"{self.members_kept_as_called_here:,} customers were called here after the "
                "pack was made: their calls here, and what those calls booked, were kept."
            )
        if not self.changed_anything:
            lines.append("Nothing changed: this pack had been imported already.")
        return lines


def received_key(info: PackInfo) -> str:
    return RECEIVED_KEY.format(
        campaign=info.campaign_uuid, store=info.store_code.strip().casefold()
    )


def last_pack_received(db: Database, info: PackInfo) -> datetime | None:
    """When the store pack of ``info``'s campaign and store imported last was exported."""
    with db.read_session() as session:
        text = get_setting(session, received_key(info))
    return None if text is None else datetime.fromisoformat(text)


def import_pack(
    db: Database,
    profile: Profile,
    source: Path,
    *,
    progress: Progress | None = None,
) -> PackImportSummary:
    """Import the store pack ``source`` (see the module's docstring); all of it or nothing.

    ``progress`` may raise ``Cancelled``: nothing is then changed.
    """
    progress = progress or NoProgress()
    source = Path(source)
    with db.read_session() as session:
        check_profile(session, profile)  # a manager who left reads no file
    progress.report(0, None, f"Reading {source.name}...")
    with PackReader(source, PackKind.STORE_PACK) as reader:
        rows = _read_rows(reader)
    info = reader.info
    total = sum(len(found) for found in rows.values())
    with db.session() as session:
        check_profile(session, profile)
        _check_may_import(session, profile, info)
        key = received_key(info)
        previous_text = get_setting(session, key)
        previous = None if previous_text is None else datetime.fromisoformat(previous_text)
        if previous is not None and previous > info.exported_at:
            raise UserFacingError(
                f"{source.name} is older than the store pack already imported here for "
                f"{info.store}, campaign “{info.campaign}” (this one was exported "
                f"{_when(info.exported_at)}, the one imported {_when(previous)}): nothing was "
                "changed. Import the latest pack, or ask the regional lead for a new one."
            )
        run = _PackImport(session, info, rows, progress, total)
        run.run()
        set_setting(session, key, time_text(info.exported_at))
        return PackImportSummary(
            file=str(source),
            info=info,
            campaign_id=run.campaign_id,
            counts=run.counts,
            rejected_rows=sorted(
                run.rejected, key=lambda row: (out.SHEETS.index(_sheet(row.sheet)), row.row)
            ),
            members_removed=run.members_removed,
            members_kept_as_called_here=run.members_kept,
            previous_import=previous,
        )


def _sheet(name: str) -> PackSheet:
    return next(sheet for sheet in out.SHEETS if sheet.name == name)


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _check_may_import(session: Session, profile: Profile, info: PackInfo) -> None:
    """The lead imports any pack; a store manager only their own store's."""
    if profile.is_lead:
        return
    own = session.get(Store, profile.store_id)
    if own is None or own.code.strip().casefold() != info.store_code.strip().casefold():
        raise AccessDenied(
            f"This pack is for {info.store}: you can only import your own store's pack."
        )


_COLUMNS: dict[RecordKind, tuple[Any, ...]] = {
    RecordKind.CAMPAIGN: out.CAMPAIGN_COLUMNS,
    RecordKind.SCRIPTS: out.SCRIPT_COLUMNS,
    RecordKind.STORE: out.STORE_COLUMNS,
    RecordKind.MANAGERS: out.MANAGER_COLUMNS,
    RecordKind.MEMBERS: out.MEMBER_COLUMNS,
    RecordKind.CALLS: out.CALL_COLUMNS,
    RecordKind.PURCHASES: out.PURCHASE_COLUMNS,
    RecordKind.DO_NOT_CALL: out.DNC_COLUMNS,
}


def _read_rows(reader: PackReader) -> dict[RecordKind, list[PackRow]]:
    """Every data row of the pack, read before the transaction starts (the write lock is
    held only while writing)."""
    rows: dict[RecordKind, list[PackRow]] = {}
    for kind in RecordKind:
        columns = out.titles(_COLUMNS[kind])
        if kind is RecordKind.MEMBERS:
            columns += [
                title
                for title in reader.titles(kind.sheet.name)
                if title.startswith(out.ORIGINAL_PREFIX)
            ]
        rows[kind] = list(reader.rows(kind.sheet.name, columns))
    return rows


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _limited(text: str | None, column: str, limit: int) -> str | None:
    if text is not None and len(text) > limit:
        raise PackRowError(f"{column} is longer than {limit} characters")
    return text


# ---------------------------------------------------------------------------------------------
# The import itself


@dataclass
class _Member:
    """A Members row as the import plans it."""

    row: PackRow
    member_uuid: uuid.UUID
    customer_uuid: uuid.UUID
    customer: dict[str, Any]
    pinned_note: str | None
    manager_id: int | None
    life: MemberLife
    joined_at: datetime
    assigned_at: datetime
    created: bool = False
    changed: bool = False
    member: CampaignMember | None = None  # the member already here (None: a new one)
    member_id: int = 0
    customer_id: int = 0
    calls_here: set[uuid.UUID] = field(default_factory=set)


class _PackImport:
    def __init__(
        self,
        session: Session,
        info: PackInfo,
        rows: dict[RecordKind, list[PackRow]],
        progress: Progress,
        total: int,
    ) -> None:
        self.session = session
        self.info = info
        self.rows = rows
        self.progress = progress
        self.total = total
        self.done = 0
        self.counts = {kind: KindCounts(rows_read=len(rows[kind])) for kind in RecordKind}
        self.rejected: list[RejectedPackRow] = []
        self.now = utcnow()
        self.reason = f"Store pack exported {_when(info.exported_at)} by {info.exported_by}"
        self.campaign_id = 0
        self.store_id = 0
        self.managers: dict[uuid.UUID, int] = {}
        self.versions: dict[int, int] = {}  # script version number -> id
        self.members: dict[uuid.UUID, _Member] = {}
        self.customers: dict[uuid.UUID, int] = {}
        self.customer_uuids: set[uuid.UUID] = set()
        self.pack_calls: set[uuid.UUID] = set()
        self.refresh_member_ids: set[int] = set()
        self.refresh_customer_ids: set[int] = set()
        self.members_removed = 0
        self.members_kept = 0

    # -- bookkeeping ------------------------------------------------------------------------
    def _step(self, message: str) -> None:
        self.done += 1
        if self.done % 200 == 0 or self.done == self.total:
            self.progress.report(self.done, self.total, message)

    def _reject(self, kind: RecordKind, row: PackRow, reason: str) -> None:
        self.counts[kind].rejected += 1
        self.rejected.append(RejectedPackRow(kind.sheet.name, row.row, reason))

    def _tally(self, kind: RecordKind, created: bool, changed: bool) -> None:
        counts = self.counts[kind]
        if created:
            counts.created += 1
        elif changed:
            counts.updated += 1
        else:
            counts.unchanged += 1

    def _refuse(self, kind: RecordKind, row: PackRow | None, problem: str) -> UserFacingError:
        where = f'the sheet "{kind.sheet.name}"' + (f", row {row.row}" if row else "")
        return UserFacingError(
            f"This store pack cannot be imported: {where}: {problem}. Nothing was changed; "
            "ask the regional lead for the pack again."
        )

    def _only_row(self, kind: RecordKind) -> PackRow:
        found = self.rows[kind]
        if len(found) != 1:
            raise self._refuse(kind, None, f"it holds {len(found)} rows instead of one")
        return found[0]

    def run(self) -> None:
        self.progress.report(0, self.total, "Importing the campaign...")
        self._campaign()
        self._scripts()
        self._store()
        self._managers()
        self._members()
        self._calls()
        self._lives()
        self._purchases()
        self._do_not_call()
        self._removed_members()
        self.session.flush()
        self.progress.report(self.total, self.total, "Working out where each call stands...")
        refresh_members(self.session, self.refresh_member_ids)
        refresh_customers(self.session, self.refresh_customer_ids)

    # -- the campaign and its scripts -------------------------------------------------------
    def _campaign(self) -> None:
        kind = RecordKind.CAMPAIGN
        row = self._only_row(kind)
        try:
            campaign_uuid = row.uuid(out.CAMPAIGN_UUID)
            if campaign_uuid != self.info.campaign_uuid:
                raise PackRowError("its Campaign UUID is not the one the Pack sheet names")
            hours = CallingHours.parse(row.required_text(out.CALLING_HOURS))
            draft = normalise_draft(
                CampaignDraft(
                    name=row.required_text(out.NAME),
                    offer=row.text(out.OFFER) or "",
                    offer_code=row.text(out.OFFER_CODE),
                    script=row.text(out.SCRIPT) or "",
                    start_date=row.day(out.START_DATE),
                    end_date=row.day(out.END_DATE),
                    attribution_window_days=_required(
                        row.integer(out.ATTRIBUTION_DAYS), out.ATTRIBUTION_DAYS
                    ),
                    max_attempts=_required(row.integer(out.MAX_ATTEMPTS), out.MAX_ATTEMPTS),
                    min_hours_between_attempts=_required(
                        row.integer(out.COOL_DOWN_HOURS), out.COOL_DOWN_HOURS
                    ),
                    holdout_share=_required(row.number(out.HOLDOUT_SHARE), out.HOLDOUT_SHARE),
                    calling_hours=hours,
                )
            )
            state_text = row.required_text(out.STATE)
            if state_text not in set(CampaignState):
                raise PackRowError(f'{out.STATE}: "{state_text}" is not open or closed')
            created_at = row.time(out.CREATED_AT)
        except (PackRowError, UserFacingError) as error:
            raise self._refuse(kind, row, _reason(error)) from None
        session = self.session
        campaign = session.scalars(select(Campaign).where(Campaign.uuid == campaign_uuid)).first()
        namesake = session.scalars(
            select(Campaign).where(
                func.lower(Campaign.name) == draft.name.lower(), Campaign.uuid != campaign_uuid
            )
        ).first()
        if namesake is not None:
            raise UserFacingError(
                f"This database already has another campaign called “{namesake.name}”: rename "
                "it (Campaigns page), then import the store pack again. Nothing was changed."
            )
        start, end = hours.minutes
        values: dict[str, Any] = {
            "name": draft.name,
            "offer": draft.offer,
            "offer_code": draft.offer_code,
            "script": draft.script,
            "start_date": draft.start_date,
            "end_date": draft.end_date,
            "attribution_window_days": draft.attribution_window_days,
            "max_attempts": draft.max_attempts,
            "min_hours_between_attempts": draft.min_hours_between_attempts,
            "calling_hours_start": start,
            "calling_hours_end": end,
            "state": state_text,
        }
        created = campaign is None
        if campaign is None:
            campaign = Campaign(uuid=campaign_uuid, holdout_share=draft.holdout_share, **values)
            if created_at is not None:
                campaign.created_at = created_at
            session.add(campaign)
            changed = True
        else:
            changed = _assign(campaign, values)
            if not math.isclose(
                campaign.holdout_share, draft.holdout_share, abs_tol=_SHARE_TOLERANCE
            ):
                campaign.holdout_share = draft.holdout_share
                changed = True
        session.flush()
        self.campaign_id = campaign.id
        self._tally(kind, created, changed)
        self._step("Importing the campaign...")

    def _scripts(self) -> None:
        kind = RecordKind.SCRIPTS
        session = self.session
        known = {
            row.version: row
            for row in session.scalars(
                select(ScriptVersion).where(ScriptVersion.campaign_id == self.campaign_id)
            )
        }
        seen: set[int] = set()
        for row in self.rows[kind]:
            self._step("Importing the scripts...")
            try:
                version = _required(row.integer(out.VERSION), out.VERSION)
                if version < 1:
                    raise PackRowError(f"{out.VERSION} must be 1 or more")
                if version in seen:
                    raise PackRowError(f"version {version} appears twice")
                values = {
                    "offer": row.text(out.OFFER) or "",
                    "script": row.text(out.SCRIPT) or "",
                    "created_by": _limited(
                        row.text(out.CREATED_BY), out.CREATED_BY, NAME_MAX_LENGTH
                    ),
                }
                created_at = row.time(out.CREATED_AT)
            except PackRowError as error:
                self._reject(kind, row, error.reason)
                continue
            seen.add(version)
            existing = known.get(version)
            if existing is None:
                existing = ScriptVersion(campaign_id=self.campaign_id, version=version, **values)
                if created_at is not None:
                    existing.created_at = created_at
                session.add(existing)
                known[version] = existing
                self._tally(kind, True, True)
            else:
                self._tally(kind, False, _assign(existing, values))
        session.flush()
        self.versions = {version: row.id for version, row in known.items()}

    # -- the store and its managers ---------------------------------------------------------
    def _store(self) -> None:
        kind = RecordKind.STORE
        row = self._only_row(kind)
        try:
            code = row.required_text(out.STORE_CODE).strip()
            if code.casefold() != self.info.store_code.strip().casefold():
                raise PackRowError("its Store code is not the one the Pack sheet names")
            name = _limited(row.required_text(out.NAME).strip(), out.NAME, NAME_MAX_LENGTH)
            timezone = check_timezone(row.text(out.TIME_ZONE))
            hours = opening_hours_to_json(parse_opening_hours(row.text(out.OPENING_HOURS) or ""))
        except (PackRowError, UserFacingError) as error:
            raise self._refuse(kind, row, _reason(error)) from None
        session = self.session
        store = session.scalars(select(Store).where(func.lower(Store.code) == code.lower())).first()
        values = {"name": name, "timezone": timezone, "opening_hours": hours}
        if store is None:
            # No hours: SQL NULL (the campaign's calling hours), not the JSON text "null".
            store = Store(code=code, **{k: v for k, v in values.items() if v is not None})
            session.add(store)
            session.flush()
            self._tally(kind, True, True)
        else:
            self._tally(kind, False, _assign(store, values))
        self.store_id = store.id
        self._step("Importing the store...")

    def _managers(self) -> None:
        kind = RecordKind.MANAGERS
        session = self.session
        for row in self.rows[kind]:
            self._step("Importing the managers...")
            try:
                manager_uuid = row.uuid(out.MANAGER_UUID)
                if manager_uuid in self.managers:
                    raise PackRowError(f"the manager {manager_uuid} appears twice")
                name = _limited(row.required_text(out.NAME).strip(), out.NAME, NAME_MAX_LENGTH)
                values = {
                    "name": name,
                    "phone": _limited(row.text(out.PHONE), out.PHONE, PHONE_MAX_LENGTH),
                    "email": _limited(row.text(out.EMAIL), out.EMAIL, EMAIL_MAX_LENGTH),
                    "active": row.boolean(out.ACTIVE) is not False,
                    "store_id": self.store_id,
                }
            except PackRowError as error:
                self._reject(kind, row, error.reason)
                continue
            manager = session.scalars(select(Manager).where(Manager.uuid == manager_uuid)).first()
            if manager is None:
                manager = Manager(uuid=manager_uuid, **values)
                session.add(manager)
                session.flush()
                self._tally(kind, True, True)
            else:
                self._tally(kind, False, _assign(manager, values))
            self.managers[manager_uuid] = manager.id
        # Managers already here, for members whose manager the pack names but did not list.
        self.managers.update(session.execute(select(Manager.uuid, Manager.id)).all())

    # -- customers and members --------------------------------------------------------------
    def _plan_member(self, row: PackRow) -> _Member:
        member_uuid = row.uuid(out.MEMBER_UUID)
        customer_uuid = row.uuid(out.CUSTOMER_UUID)
        if member_uuid in self.members:
            raise PackRowError(f"the member {member_uuid} appears twice")
        if customer_uuid in self.customer_uuids:
            raise PackRowError(f"the customer {customer_uuid} appears twice")
        manager_uuid = row.optional_uuid(out.MANAGER_UUID)
        manager_id = None
        if manager_uuid is not None:
            manager_id = self.managers.get(manager_uuid)
            if manager_id is None:
                raise PackRowError(
                    f"its manager ({manager_uuid}) is not in the Managers sheet nor in this "
                    "database"
                )
        status_text = row.required_text(out.STATUS)
        if status_text not in PACK_STATUSES:
            raise PackRowError(f'{out.STATUS}: "{status_text}" is not a status a store calls')
        kind_text = row.text(out.NEXT_CALL_KIND)
        if kind_text is not None and kind_text not in set(ScheduledKind):
            raise PackRowError(f'{out.NEXT_CALL_KIND}: "{kind_text}" is not a kind of call')
        attempts = row.integer(out.ATTEMPTS) or 0
        if attempts < 0:
            raise PackRowError(f"{out.ATTEMPTS} is below zero")
        last_outcome = row.text(out.LAST_OUTCOME)
        if last_outcome is not None:
            _outcome(last_outcome, out.LAST_OUTCOME)
        life = MemberLife(
            status=MemberStatus(status_text),
            attempts=attempts,
            next_due_at=row.time(out.NEXT_CALL_AT),
            scheduled_kind=ScheduledKind(kind_text) if kind_text else None,
            last_outcome=last_outcome,
            visit_date=row.day(out.VISIT_DATE),
            promised_at=row.time(out.PROMISED_AT),
            promise_followed_up=bool(row.boolean(out.PROMISE_FOLLOWED_UP)),
            voicemail_left=bool(row.boolean(out.VOICEMAIL_LEFT)),
        )
        extra = {
            title.removeprefix(out.ORIGINAL_PREFIX): value
            for title in row.values
            if title.startswith(out.ORIGINAL_PREFIX) and (value := row.text(title)) is not None
        }
        spend = row.money_cents(out.LIFETIME_SPEND)
        customer = {
            "external_id": _limited(
                row.text(out.CUSTOMER_ID), out.CUSTOMER_ID, CUSTOMER_ID_MAX_LENGTH
            ),
            "first_name": _limited(row.text(out.FIRST_NAME), out.FIRST_NAME, NAME_MAX_LENGTH),
            "last_name": _limited(row.text(out.LAST_NAME), out.LAST_NAME, NAME_MAX_LENGTH),
            "phone": _limited(row.text(out.PHONE), out.PHONE, PHONE_MAX_LENGTH),
            "phone_alt": _limited(row.text(out.OTHER_PHONE), out.OTHER_PHONE, PHONE_MAX_LENGTH),
            "email": _limited(row.text(out.EMAIL), out.EMAIL, EMAIL_MAX_LENGTH),
            "last_purchase_date": row.day(out.LAST_VISIT),
            "lifetime_spend_cents": spend,
            "visits": row.integer(out.VISITS),
            "notes": row.text(out.NOTES),
            "extra": extra or None,
            "erased_at": row.time(out.FORGOTTEN_AT),
        }
        joined_at = row.time(out.JOINED_AT) or self.now
        return _Member(
            row=row,
            member_uuid=member_uuid,
            customer_uuid=customer_uuid,
            customer=customer,
            pinned_note=row.text(out.PINNED_NOTE),
            manager_id=manager_id,
            life=life,
            joined_at=joined_at,
            assigned_at=row.time(out.ASSIGNED_AT) or joined_at,
        )

    def _members(self) -> None:
        kind = RecordKind.MEMBERS
        session = self.session
        for row in self.rows[kind]:
            self._step("Reading the customers...")
            try:
                plan = self._plan_member(row)
            except PackRowError as error:
                self._reject(kind, row, error.reason)
                continue
            self.members[plan.member_uuid] = plan
            self.customer_uuids.add(plan.customer_uuid)
        members = _by_uuid(session, CampaignMember, list(self.members))
        customers = _by_uuid(session, Customer, list(self.customer_uuids))
        ids = self._customer_ids_here()
        in_campaign = dict(
            session.execute(
                select(CampaignMember.customer_id, CampaignMember.uuid).where(
                    CampaignMember.campaign_id == self.campaign_id
                )
            ).all()
        )
        new_customers: list[dict[str, Any]] = []
        for plan in list(self.members.values()):
            self._step("Importing the customers...")
            try:
                self._place_member(plan, members.get(plan.member_uuid), customers, ids, in_campaign)
            except PackRowError as error:
                del self.members[plan.member_uuid]
                self._reject(kind, plan.row, error.reason)
                continue
            if plan.customer_id == 0:
                new_customers.append(self._new_customer(plan))
        session.flush()
        created_ids = _insert(session, Customer, new_customers)
        for plan in self.members.values():
            plan.customer_id = plan.customer_id or created_ids[plan.customer_uuid]
            self.customers[plan.customer_uuid] = plan.customer_id
        new_members = [self._new_member(plan) for plan in self.members.values() if plan.created]
        member_ids = _insert(session, CampaignMember, new_members)
        owners = []
        for plan in self.members.values():
            if plan.created:
                plan.member_id = member_ids[plan.member_uuid]
                owners.append(
                    self._owner_change(
                        plan.member_id,
                        (None, None),
                        (self.store_id, plan.manager_id),
                        plan.assigned_at,
                    )
                )
        _insert(session, AssignmentChange, owners, keyed=False)

    def _new_customer(self, plan: _Member) -> dict[str, Any]:
        values = {
            "uuid": plan.customer_uuid,
            "home_store_id": self.store_id,
            "pinned_note": plan.pinned_note,
            **plan.customer,
            "created_at": self.now,
            "updated_at": self.now,
        }
        if values["extra"] is None:
            del values["extra"]  # SQL NULL, not the JSON text "null"
        return values

    def _new_member(self, plan: _Member) -> dict[str, Any]:
        return {
            "uuid": plan.member_uuid,
            "campaign_id": self.campaign_id,
            "customer_id": plan.customer_id,
            "store_id": self.store_id,
            "manager_id": plan.manager_id,
            "group": MemberGroup.CALL.value,
            "created_at": plan.joined_at,
            "updated_at": self.now,
            **plan.life.columns(),
        }

    def _customer_ids_here(self) -> dict[str, uuid.UUID]:
        """Head office's customer ids of this database's customers, as they compare."""
        rows = self.session.execute(
            select(Customer.external_id, Customer.uuid).where(Customer.external_id.is_not(None))
        )
        return {customer_id_key(external_id): found for external_id, found in rows if external_id}

    def _place_member(
        self,
        plan: _Member,
        member: CampaignMember | None,
        customers: dict[uuid.UUID, Customer],
        ids_here: dict[str, uuid.UUID],
        in_campaign: dict[int, uuid.UUID],
    ) -> None:
        """Check the row against this database, and bring what is here up to date; what is
        new is only planned (written in bulk by ``_members``)."""
        record = customers.get(plan.customer_uuid)
        external_id = plan.customer["external_id"]
        if external_id is not None:
            owner = ids_here.get(customer_id_key(external_id))
            if owner is not None and owner != plan.customer_uuid:
                raise PackRowError(
                    f"the customer id {external_id} belongs to another customer in this database"
                )
        if member is not None:
            if member.campaign_id != self.campaign_id:
                raise PackRowError(
                    f"the member {plan.member_uuid} belongs to another campaign in this database"
                )
            if record is None or member.customer_id != record.id:
                raise PackRowError(
                    f"the member {plan.member_uuid} is another customer in this database"
                )
        elif record is not None and record.id in in_campaign:
            raise PackRowError(
                "this customer is already in the campaign here, under another member id"
            )
        if record is None:
            plan.changed = True
        elif record.erased_at is None:
            # A pinned note written here is the store's own: the pack's fills an empty one.
            values = dict(plan.customer)
            if not record.pinned_note:
                values["pinned_note"] = plan.pinned_note
            plan.changed = _assign(record, values)
            plan.customer_id = record.id
        else:
            plan.customer_id = record.id  # forgotten here: it stays forgotten
        if external_id is not None:
            ids_here[customer_id_key(external_id)] = plan.customer_uuid
        if member is None:
            plan.created = plan.changed = True
            return
        plan.member, plan.member_id = member, member.id
        before = (member.store_id, member.manager_id)
        after = (self.store_id, plan.manager_id)
        if before != after or member.group != MemberGroup.CALL:
            member.store_id, member.manager_id = after
            member.group = MemberGroup.CALL
            self.session.add(
                AssignmentChange(**self._owner_change(member.id, before, after, self.now))
            )
            plan.changed = True

    def _owner_change(
        self,
        member_id: int,
        before: tuple[int | None, int | None],
        after: tuple[int | None, int | None],
        when: datetime,
    ) -> dict[str, Any]:
        """A row of the member's ownership history: the pack gave it this owner."""
        return {
            "member_id": member_id,
            "changed_at": when,
            "changed_by": self.info.exported_by[:NAME_MAX_LENGTH] or "Store pack",
            "from_store_id": before[0],
            "from_manager_id": before[1],
            "to_store_id": after[0],
            "to_manager_id": after[1],
            "reason": self.reason,
        }

    # -- calls, and where each member's calls stand -----------------------------------------
    def _calls(self) -> None:
        kind = RecordKind.CALLS
        session = self.session
        pack_calls: list[tuple[PackRow, uuid.UUID]] = []
        for row in self.rows[kind]:
            try:
                pack_calls.append((row, row.uuid(out.CALL_UUID)))
            except PackRowError as error:
                self._step("Importing the calls...")
                self._reject(kind, row, error.reason)
        known = _calls_here(session, [call for _, call in pack_calls])
        stores = _store_ids(session)
        new_calls: list[dict[str, Any]] = []
        seen: set[uuid.UUID] = set()
        for row, call_uuid in pack_calls:
            self._step("Importing the calls...")
            try:
                if call_uuid in seen:
                    raise PackRowError(f"the call {call_uuid} appears twice")
                seen.add(call_uuid)
                member_uuid = row.uuid(out.MEMBER_UUID)
                plan = self.members.get(member_uuid)
                if plan is None:
                    raise PackRowError(
                        f"its customer (member {member_uuid}) was not imported from the Members "
                        "sheet"
                    )
                outcome = row.required_text(out.OUTCOME)
                _outcome(outcome, out.OUTCOME)
                called_at = row.time(out.CALLED_AT)
                if called_at is None:
                    raise PackRowError(f"{out.CALLED_AT} is empty")
                code = row.text(out.STORE_CODE)
                manager = row.optional_uuid(out.MANAGER_UUID)
                version = row.integer(out.SCRIPT_VERSION)
                values: dict[str, Any] = {
                    "member_id": plan.member_id,
                    "called_at": called_at,
                    "outcome": outcome,
                    "note": row.text(out.NOTE),
                    "callback_at": row.time(out.CALLBACK_AT),
                    "planned_visit_date": row.day(out.VISIT_DATE),
                    "reason": row.text(out.REASON),
                    "follow_up": _follow_up(row.text(out.FOLLOW_UP)),
                }
                placed = {
                    "manager_id": None if manager is None else self.managers.get(manager),
                    "store_id": None if code is None else stores.get(code.strip().lower()),
                    "logged_at": row.time(out.LOGGED_AT),
                    "timezone": row.text(out.TIME_ZONES),
                    "script_version_id": None if version is None else self.versions.get(version),
                }
            except PackRowError as error:
                self._reject(kind, row, error.reason)
                continue
            self.pack_calls.add(call_uuid)
            existing = known.get(call_uuid)
            if existing is None:
                new_calls.append({"uuid": call_uuid, **values, **placed})
                self.refresh_member_ids.add(plan.member_id)
                self._tally(kind, True, True)
            elif all(existing[name] == value for name, value in values.items()):
                self._tally(kind, False, False)
            else:
                self._reject(
                    kind,
                    row,
                    f"the call {call_uuid} is already here with other details; it is kept as "
                    "it is here",
                )
        _insert(session, CallAttempt, new_calls, keyed=False)

    def _lives(self) -> None:
        """Each member takes where its calls stand from the pack, unless calls were logged
        here that the pack does not hold: then its life here follows those calls."""
        session = self.session
        existing = {plan.member_id: plan for plan in self.members.values() if not plan.created}
        for chunk in _chunks(sorted(existing)):
            rows = session.execute(
                select(CallAttempt.member_id, CallAttempt.uuid).where(
                    CallAttempt.member_id.in_(chunk)
                )
            )
            for member_id, call_uuid in rows:
                existing[member_id].calls_here.add(call_uuid)
        kind = RecordKind.MEMBERS
        for plan in self.members.values():
            member = plan.member
            if member is None:  # new here: its life is the pack's already
                self.refresh_member_ids.add(plan.member_id)
            elif plan.calls_here - self.pack_calls:
                if MemberLife.of(member) != plan.life:
                    self.members_kept += 1
            elif _assign(member, plan.life.columns()):
                plan.changed = True
                self.refresh_member_ids.add(member.id)
            self._tally(kind, plan.created, plan.changed)
        session.flush()

    # -- purchases and the do-not-call list -------------------------------------------------
    def _purchases(self) -> None:
        kind = RecordKind.PURCHASES
        session = self.session
        parsed: list[tuple[PackRow, uuid.UUID, dict[str, Any]]] = []
        stores = _store_ids(session)
        seen: set[uuid.UUID] = set()
        for row in self.rows[kind]:
            self._step("Importing the purchases...")
            try:
                purchase_uuid = row.uuid(out.PURCHASE_UUID)
                if purchase_uuid in seen:
                    raise PackRowError(f"the purchase {purchase_uuid} appears twice")
                seen.add(purchase_uuid)
                customer_uuid = row.uuid(out.CUSTOMER_UUID)
                customer_id = self.customers.get(customer_uuid)
                if customer_id is None:
                    raise PackRowError(
                        f"its customer ({customer_uuid}) was not imported from the Members sheet"
                    )
                purchased_at = row.time(out.PURCHASED_AT)
                if purchased_at is None:
                    raise PackRowError(f"{out.PURCHASED_AT} is empty")
                cents = row.money_cents(out.AMOUNT)
                if cents is None:
                    raise PackRowError(f"{out.AMOUNT} is empty")
                code = row.text(out.STORE_CODE)
                values: dict[str, Any] = {
                    "customer_id": customer_id,
                    "store_id": None if code is None else stores.get(code.strip().lower()),
                    "purchased_at": purchased_at,
                    "amount_cents": cents,
                    "source": (row.text(out.SOURCE) or "")[:200],
                    "sale_key": row.text(out.SALE_KEY),
                }
            except PackRowError as error:
                self._reject(kind, row, error.reason)
                continue
            parsed.append((row, purchase_uuid, values))
        known = _by_uuid(session, Purchase, [purchase for _, purchase, _ in parsed])
        keys = [values["sale_key"] for _, _, values in parsed if values["sale_key"]]
        sales_here: set[str | None] = set()
        for chunk in _chunks(keys):
            sales_here.update(
                session.scalars(select(Purchase.sale_key).where(Purchase.sale_key.in_(chunk)))
            )
        new_purchases: list[dict[str, Any]] = []
        for _row, purchase_uuid, values in parsed:
            existing = known.get(purchase_uuid)
            if existing is not None:
                changed = _assign(existing, values)
                if changed:
                    self.refresh_customer_ids.add(values["customer_id"])
                self._tally(kind, False, changed)
            elif values["sale_key"] in sales_here:
                # The same sale is here already (a sales import on this PC).
                self._tally(kind, False, False)
            else:
                new_purchases.append({"uuid": purchase_uuid, **values})
                self.refresh_customer_ids.add(values["customer_id"])
                self._tally(kind, True, True)
        session.flush()
        _insert(session, Purchase, new_purchases, keyed=False)

    def _do_not_call(self) -> None:
        kind = RecordKind.DO_NOT_CALL
        session = self.session
        phones: set[str] = set()
        ids: set[str] = set()
        for row in self.rows[kind]:
            self._step("Importing the do-not-call list...")
            try:
                phone = _limited(row.text(out.PHONE), out.PHONE, PHONE_MAX_LENGTH)
                customer_id = _limited(
                    row.text(out.CUSTOMER_ID), out.CUSTOMER_ID, CUSTOMER_ID_MAX_LENGTH
                )
                if phone is None and customer_id is None:
                    raise PackRowError("it has neither a phone nor a customer id")
                added_at = row.time(out.ADDED_AT)
                values = {
                    "phone": phone,
                    "customer_external_id": customer_id,
                    "reason": row.text(out.REASON) or "",
                    "source": (row.text(out.SOURCE) or "")[:200],
                    "added_by": (row.text(out.ADDED_BY) or "")[:NAME_MAX_LENGTH],
                }
            except PackRowError as error:
                self._reject(kind, row, error.reason)
                continue
            listed = entries_for(session, phones=[phone] if phone else [], customer_id=customer_id)
            active = session.scalar(
                select(func.count()).where(DoNotCall.id.in_(listed), DoNotCall.removed_at.is_(None))
            )
            if active:
                self._tally(kind, False, False)
                continue
            entry = DoNotCall(**values)
            if added_at is not None:
                entry.added_at = added_at
            session.add(entry)
            session.flush()
            if phone:
                phones.add(phone)
            if customer_id:
                ids.add(customer_id)
            self._tally(kind, True, True)
        if phones or ids:
            suppress_members(session, phones, ids)

    # -- members the pack no longer holds ---------------------------------------------------
    def _removed_members(self) -> None:
        session = self.session
        in_pack = {plan.member_uuid for plan in self.members.values()}
        in_pack.update(
            found
            for row in self.rows[RecordKind.MEMBERS]
            if (found := _uuid_or_none(row, out.MEMBER_UUID)) is not None
        )
        here = session.execute(
            select(CampaignMember.id, CampaignMember.uuid).where(
                CampaignMember.campaign_id == self.campaign_id,
                CampaignMember.store_id == self.store_id,
                CampaignMember.group == MemberGroup.CALL,
            )
        ).all()
        gone_ids = [member_id for member_id, member_uuid in here if member_uuid not in in_pack]
        gone = _by_id(session, CampaignMember, gone_ids)
        if not gone:
            return
        called: set[int] = set()
        for chunk in _chunks(sorted(member.id for member in gone)):
            called.update(
                session.scalars(
                    select(CallAttempt.member_id).where(CallAttempt.member_id.in_(chunk)).distinct()
                )
            )
        for member in gone:
            self.members_removed += 1
            if member.id in called:
                # Its calls here stay (and travel back with the store's results); the member
                # leaves the store's lists.
                before = (member.store_id, member.manager_id)
                member.store_id = None
                member.manager_id = None
                member.group = None
                member.status = MemberStatus.UNASSIGNED
                member.next_due_at = None
                member.scheduled_kind = None
                session.add(
                    AssignmentChange(
                        **self._owner_change(member.id, before, (None, None), self.now)
                    )
                )
                continue
            customer_id = member.customer_id
            session.execute(delete(AssignmentChange).where(AssignmentChange.member_id == member.id))
            session.execute(delete(MemberDay).where(MemberDay.member_id == member.id))
            session.delete(member)
            session.flush()
            elsewhere = session.scalar(
                select(func.count()).where(CampaignMember.customer_id == customer_id)
            )
            if not elsewhere:
                session.execute(delete(Purchase).where(Purchase.customer_id == customer_id))
                session.execute(delete(Customer).where(Customer.id == customer_id))
        session.flush()


# ---------------------------------------------------------------------------------------------
# Small helpers


def _required(value: Any, column: str) -> Any:
    if value is None:
        raise PackRowError(f"{column} is empty")
    return value


def _reason(error: Exception) -> str:
    return error.reason if isinstance(error, PackRowError) else str(error).rstrip(".")


def _outcome(code: str, column: str) -> None:
    try:
        outcome_by_code(code)
    except UnknownOutcomeError:
        raise PackRowError(f'{column}: "{code}" is not a call outcome') from None


def _follow_up(text: str | None) -> str | None:
    if text is not None and text not in set(FollowUp):
        raise PackRowError(f'{out.FOLLOW_UP}: "{text}" is not a kind of follow-up call')
    return text


def _uuid_or_none(row: PackRow, column: str) -> uuid.UUID | None:
    try:
        return row.optional_uuid(column)
    except PackRowError:
        return None


def _assign(record: object, values: dict[str, Any]) -> bool:
    """Set ``values`` on an ORM row; whether any differed (an unchanged row is not written)."""
    changed = False
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def _insert(
    session: Session, model: Any, rows: list[dict[str, Any]], *, keyed: bool = True
) -> dict[uuid.UUID, int]:
    """New rows in bulk (one statement per chunk, not one per row); with ``keyed``, their
    ids by UUID. Rows may differ in the columns they set (an omitted column takes its
    default), so they go in groups of the same columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for group in groups.values():
        for chunk in _chunks(group):
            # Core, not the ORM's bulk insert: a plain executemany (column defaults still apply).
            session.execute(insert(model.__table__), list(chunk))
    if not keyed:
        return {}
    ids: dict[uuid.UUID, int] = {}
    uuids = [row["uuid"] for row in rows]
    for chunk in _chunks(uuids):
        ids.update(session.execute(select(model.uuid, model.id).where(model.uuid.in_(chunk))).all())
    return ids


def _calls_here(session: Session, uuids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """The calls already here among ``uuids``: what a pack's copy of each is compared on."""
    found: dict[uuid.UUID, Any] = {}
    call = CallAttempt
    for chunk in _chunks(sorted(set(uuids))):
        rows = session.execute(
            select(
                call.uuid,
                call.member_id,
                call.called_at,
                call.outcome,
                call.note,
                call.callback_at,
                call.planned_visit_date,
                call.reason,
                call.follow_up,
            ).where(call.uuid.in_(chunk))
        )
        found.update((row.uuid, row._mapping) for row in rows)
    return found


def _by_id(session: Session, model: Any, ids: Sequence[int]) -> list[Any]:
    found: list[Any] = []
    for chunk in _chunks(sorted(ids)):
        found.extend(session.scalars(select(model).where(model.id.in_(chunk))))
    return found


def _store_ids(session: Session) -> dict[str, int]:
    """This database's stores by code, as codes compare (case-blind)."""
    rows = session.execute(select(Store.code, Store.id))
    return {code.strip().lower(): store_id for code, store_id in rows}


def _by_uuid(session: Session, model: Any, uuids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    found: dict[uuid.UUID, Any] = {}
    for chunk in _chunks(sorted(set(uuids))):
        found.update(
            (row.uuid, row) for row in session.scalars(select(model).where(model.uuid.in_(chunk)))
        )
    return found


__all__ = [
    "KindCounts",
    "PackImportSummary",
    "RecordKind",
    "import_pack",
    "last_pack_received",
    "received_key",
]
