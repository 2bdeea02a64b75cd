"""``export_pack``: one store's share of a campaign, as a workbook its own PC can import.

The pack holds what the store's desk needs and nothing more (the sheets of ``SHEETS``):

- **Campaign**: every setting the campaign has (offer, dates, attribution window, attempts,
  cool-down, calling hours, holdout share, state) and **Scripts**, its script versions (an
  attempt records the version on screen, so the numbers must mean the same on both sides);
- **Store**: code, name, time zone, opening hours; **Managers**: the store's managers with
  their UUIDs, the ones who left included (their calls still name them);
- **Members**: the store's call-group members, one per row, with the customer's details
  (names, phones, email, last visit, spend, visits, notes, the pinned note, the list's own
  columns that matched no field, as "Original: ..."), the manager they belong to and where
  their calls stand (the member's life: status, attempts, the call booked next...). The
  holdout is never in a pack: a store never sees the customers it must not call;
- **Calls**: the calls already logged for those members, **Purchases**: what those customers
  bought (the desk's "promised but not seen" and the win-backs read them), **Do not call**:
  the active entries matching those customers, so the store's PC honours them.

Only the lead exports packs. The export runs in one write transaction: it makes sure the
campaign's current script has a version number (a campaign made by an import gets its first
one here, as the desk would), reads everything from one consistent state and records the
pack as sent to the store (``last_pack_sent``) only when the file is in place.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from lastmile_desktop.calling.hours import CallingHours, opening_hours_from_json
from lastmile_desktop.calling.lookup import campaign_for_desk
from lastmile_desktop.calling.member_facts import assigned_at
from lastmile_desktop.campaigns.access import Profile, require_lead
from lastmile_desktop.campaigns.campaigns import CampaignNotFound, current_script_version
from lastmile_desktop.campaigns.stores import format_opening_hours, store_by_code, store_label
from lastmile_desktop.data_settings import get_setting, set_setting
from lastmile_desktop.packs.workbook import (
    UTC_SUFFIX,
    PackInfo,
    PackKind,
    PackSheet,
    PackWriter,
    money_cell,
    time_cell,
    time_text,
    uuid_cell,
)
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.spreadsheets.writing import Cell, CellKind, Column, check_target
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    DoNotCall,
    Manager,
    MemberGroup,
    Purchase,
    ScriptVersion,
    Store,
)
from lastmile_desktop.storage.types import utcnow

EXPORT_PACK_ACTION = "export store packs"
PACK_SUFFIXES = (".xlsx",)
# What a store pack was last sent to a store (settings key prefix): campaign UUID, store code.
SENT_KEY = "store_pack.sent.{campaign}.{store}"
ORIGINAL_PREFIX = "Original: "

CAMPAIGN_SHEET = PackSheet("Campaign", "The campaign's settings (one row).")
SCRIPTS_SHEET = PackSheet(
    "Scripts", "Every version of the campaign's offer and script; the highest is current."
)
STORE_SHEET = PackSheet("Store", "The store (one row).")
MANAGERS_SHEET = PackSheet("Managers", "The store's managers, those who left included.")
MEMBERS_SHEET = PackSheet(
    "Members",
    "The store's customers to call (never the holdout): details, owner, where the calls stand.",
)
CALLS_SHEET = PackSheet("Calls", "The calls already logged for these customers.")
PURCHASES_SHEET = PackSheet("Purchases", "What these customers bought.")
DNC_SHEET = PackSheet("Do not call", "Do-not-call entries for these customers' phones or ids.")
SHEETS = (
    CAMPAIGN_SHEET,
    SCRIPTS_SHEET,
    STORE_SHEET,
    MANAGERS_SHEET,
    MEMBERS_SHEET,
    CALLS_SHEET,
    PURCHASES_SHEET,
    DNC_SHEET,
)


def utc(title: str) -> str:
    return title + UTC_SUFFIX


# --- column titles: read back by pack_in -----------------------------------------------------

# Campaign
CAMPAIGN_UUID = "Campaign UUID"
NAME = "Name"
OFFER = "Offer"
OFFER_CODE = "Offer code"
SCRIPT = "Script"
SCRIPT_VERSION = "Script version"
START_DATE = "Start date"
END_DATE = "End date"
ATTRIBUTION_DAYS = "Attribution window (days)"
MAX_ATTEMPTS = "Maximum attempts"
COOL_DOWN_HOURS = "Hours between attempts"
HOLDOUT_SHARE = "Holdout share"
CALLING_HOURS = "Calling hours"
STATE = "State"
CREATED_AT = utc("Created at")
# Scripts
VERSION = "Version"
CREATED_BY = "Created by"
# Store
STORE_CODE = "Store code"
TIME_ZONE = "Time zone"
OPENING_HOURS = "Opening hours"
# Managers
MANAGER_UUID = "Manager UUID"
PHONE = "Phone"
EMAIL = "Email"
ACTIVE = "Active"
# Members
MEMBER_UUID = "Member UUID"
CUSTOMER_UUID = "Customer UUID"
CUSTOMER_ID = "Customer ID"
FIRST_NAME = "First name"
LAST_NAME = "Last name"
OTHER_PHONE = "Other phone"
LAST_VISIT = "Last visit"
LIFETIME_SPEND = "Lifetime spend"
VISITS = "Visits"
NOTES = "Notes"
PINNED_NOTE = "Pinned note"
MANAGER = "Manager"
STATUS = "Status"
ATTEMPTS = "Attempts"
NEXT_CALL_AT = utc("Next call at")
NEXT_CALL_KIND = "Next call kind"
LAST_OUTCOME = "Last outcome"
VISIT_DATE = "Planned visit"
PROMISED_AT = utc("Visit promised at")
PROMISE_FOLLOWED_UP = "Promise followed up"
VOICEMAIL_LEFT = "Voicemail left"
JOINED_AT = utc("Joined at")
ASSIGNED_AT = utc("Assigned at")
FORGOTTEN_AT = utc("Forgotten at")
# Calls
CALL_UUID = "Call UUID"
CALLED_AT = utc("Called at")
LOGGED_AT = utc("Logged at")
OUTCOME = "Outcome"
NOTE = "Note"
CALLBACK_AT = utc("Callback at")
REASON = "Reason"
FOLLOW_UP = "Follow-up"
TIME_ZONES = "Time zones"
# Purchases
PURCHASE_UUID = "Purchase UUID"
PURCHASED_AT = utc("Purchased at")
AMOUNT = "Amount"
SOURCE = "Source"
SALE_KEY = "Sale key"
# Do not call
ADDED_AT = utc("Added at")
ADDED_BY = "Added by"

TEXT, INTEGER, DATE, BOOLEAN = CellKind.TEXT, CellKind.INTEGER, CellKind.DATE, CellKind.BOOLEAN
CAMPAIGN_COLUMNS = (
    Column(CAMPAIGN_UUID),
    Column(NAME),
    Column(OFFER),
    Column(OFFER_CODE),
    Column(SCRIPT),
    Column(SCRIPT_VERSION, INTEGER),
    Column(START_DATE, DATE),
    Column(END_DATE, DATE),
    Column(ATTRIBUTION_DAYS, INTEGER),
    Column(MAX_ATTEMPTS, INTEGER),
    Column(COOL_DOWN_HOURS, INTEGER),
    # A number, not a percentage cell: the share is a setting, read back exactly.
    Column(HOLDOUT_SHARE, CellKind.NUMBER),
    Column(CALLING_HOURS),
    Column(STATE),
    Column(CREATED_AT),
)
SCRIPT_COLUMNS = (
    Column(VERSION, INTEGER),
    Column(OFFER),
    Column(SCRIPT),
    Column(CREATED_AT),
    Column(CREATED_BY),
)
STORE_COLUMNS = (Column(STORE_CODE), Column(NAME), Column(TIME_ZONE), Column(OPENING_HOURS))
MANAGER_COLUMNS = (
    Column(MANAGER_UUID),
    Column(NAME),
    Column(PHONE),
    Column(EMAIL),
    Column(ACTIVE, BOOLEAN),
)
LIFETIME_SPEND_COLUMN = Column(LIFETIME_SPEND, CellKind.MONEY)
MEMBER_COLUMNS = (
    Column(MEMBER_UUID),
    Column(CUSTOMER_UUID),
    Column(CUSTOMER_ID),
    Column(FIRST_NAME),
    Column(LAST_NAME),
    Column(PHONE),
    Column(OTHER_PHONE),
    Column(EMAIL),
    Column(LAST_VISIT, DATE),
    LIFETIME_SPEND_COLUMN,
    Column(VISITS, INTEGER),
    Column(NOTES),
    Column(PINNED_NOTE),
    Column(MANAGER_UUID),
    Column(MANAGER),
    Column(STATUS),
    Column(ATTEMPTS, INTEGER),
    Column(NEXT_CALL_AT),
    Column(NEXT_CALL_KIND),
    Column(LAST_OUTCOME),
    Column(VISIT_DATE, DATE),
    Column(PROMISED_AT),
    Column(PROMISE_FOLLOWED_UP, BOOLEAN),
    Column(VOICEMAIL_LEFT, BOOLEAN),
    Column(JOINED_AT),
    Column(ASSIGNED_AT),
    Column(FORGOTTEN_AT),
)
CALL_COLUMNS = (
    Column(CALL_UUID),
    Column(MEMBER_UUID),
    Column(MANAGER_UUID),
    Column(STORE_CODE),
    Column(CALLED_AT),
    Column(LOGGED_AT),
    Column(OUTCOME),
    Column(NOTE),
    Column(CALLBACK_AT),
    Column(VISIT_DATE, DATE),
    Column(REASON),
    Column(FOLLOW_UP),
    Column(TIME_ZONES),
    Column(SCRIPT_VERSION, INTEGER),
)
PURCHASE_COLUMNS = (
    Column(PURCHASE_UUID),
    Column(CUSTOMER_UUID),
    Column(STORE_CODE),
    Column(PURCHASED_AT),
    Column(AMOUNT, CellKind.MONEY),
    Column(SOURCE),
    Column(SALE_KEY),
)
DNC_COLUMNS = (
    Column(PHONE),
    Column(CUSTOMER_ID),
    Column(REASON),
    Column(SOURCE),
    Column(ADDED_AT),
    Column(ADDED_BY),
)


def titles(columns: Sequence[Column]) -> list[str]:
    return [column.title for column in columns]


def sent_key(campaign: Campaign | PackInfo, store_code: str) -> str:
    campaign_uuid = campaign.uuid if isinstance(campaign, Campaign) else campaign.campaign_uuid
    return SENT_KEY.format(campaign=campaign_uuid, store=store_code.strip().casefold())


@dataclass(frozen=True)
class PackExportSummary:
    file: Path
    campaign: str
    campaign_uuid: str
    store_code: str
    store: str
    exported_at: datetime
    exported_by: str
    rows: dict[str, int]  # rows written per sheet
    previous_export: datetime | None  # the pack sent to this store before, if any

    def as_json(self) -> dict[str, object]:
        """The shape ``lastmile export-pack --json`` prints."""
        return {
            "file": str(self.file),
            "kind": PackKind.STORE_PACK.value,
            "campaign": self.campaign,
            "campaign_uuid": self.campaign_uuid,
            "store": self.store,
            "store_code": self.store_code,
            "exported_at": time_text(self.exported_at),
            "exported_by": self.exported_by,
            "sheets": dict(self.rows),
            "members": self.rows.get(MEMBERS_SHEET.name, 0),
            "previous_export": None
            if self.previous_export is None
            else time_text(self.previous_export),
        }


def check_pack_target(target: Path) -> None:
    """Refuse a file a pack cannot be saved to, before any work is done."""
    check_target(Path(target), PACK_SUFFIXES, "a store pack")


def export_pack(
    db: Database,
    profile: Profile,
    target: Path,
    *,
    store: str,
    campaign: int | str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> PackExportSummary:
    """Write ``store``'s (a store code) pack of ``campaign`` (an id or a name; None: the most
    recent open campaign) to ``target``. ``progress`` may raise ``Cancelled``: no file is
    then left and nothing is recorded."""
    require_lead(profile, EXPORT_PACK_ACTION)
    target = Path(target)
    check_pack_target(target)
    progress = progress or NoProgress()
    with db.session() as session:
        chosen = choose_campaign(session, campaign)
        place = store_by_code(session, store)
        current_script_version(session, chosen.id)  # every attempt must point at a version
        exported_at = now or utcnow()
        info = PackInfo.for_campaign(
            PackKind.STORE_PACK,
            chosen,
            store_code=place.code,
            store=store_label(place.name, place.code),
            exported_at=exported_at,
            exported_by=profile.name,
        )
        reading = _Reading(session, chosen, place)
        total = reading.total_rows()
        counter = _Counter(progress, total)
        with PackWriter(target, info, SHEETS) as pack:
            for sheet, columns, rows in reading.sheets():
                counter.stage(sheet)
                pack.add_sheet(sheet, columns, rows, on_rows=counter.rows)
                counter.done(pack.rows[sheet.name])
            pack.open_on(MEMBERS_SHEET)
            progress.report(total, total, "Saving the pack...")
        key = sent_key(chosen, place.code)
        previous = get_setting(session, key)
        set_setting(session, key, time_text(exported_at))
        return PackExportSummary(
            file=target,
            campaign=chosen.name,
            campaign_uuid=str(chosen.uuid),
            store_code=place.code,
            store=info.store,
            exported_at=exported_at,
            exported_by=profile.name,
            rows=dict(pack.rows),
            previous_export=None if previous is None else datetime.fromisoformat(previous),
        )


def last_pack_sent(db: Database, campaign: Campaign | PackInfo, store_code: str) -> datetime | None:
    """When the latest store pack of ``campaign`` was exported for the store, if ever."""
    with db.read_session() as session:
        text = get_setting(session, sent_key(campaign, store_code))
    return None if text is None else datetime.fromisoformat(text)


def choose_campaign(session: Session, campaign: int | str | None) -> Campaign:
    """The campaign with this id or name (any case); None: the most recent open one."""
    if isinstance(campaign, int):
        found = session.get(Campaign, campaign)
        if found is None:
            raise CampaignNotFound(
                f"Campaign {campaign} does not exist (it may have been removed); "
                "reload the list of campaigns."
            )
        return found
    return campaign_for_desk(session, campaign)


class _Counter:
    """Progress over the rows of every sheet, as one bar."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.total = total
        self.before = 0
        self.message = ""

    def stage(self, sheet: PackSheet) -> None:
        self.message = f"Writing {sheet.name.lower()}..."
        self.progress.report(min(self.before, self.total), self.total, self.message)

    def rows(self, written: int) -> None:
        self.progress.report(min(self.before + written, self.total), self.total, self.message)

    def done(self, written: int) -> None:
        self.before += written


# ---------------------------------------------------------------------------------------------
# Reading the store's share


class _Reading:
    """The rows of each sheet, read inside the export's session."""

    def __init__(self, session: Session, campaign: Campaign, store: Store) -> None:
        self.session = session
        self.campaign = campaign
        self.store = store
        self.originals = self._original_labels()

    def _members(self) -> ColumnElement[bool]:
        """The pack's members: the store's call group in the campaign."""
        return (
            (CampaignMember.campaign_id == self.campaign.id)
            & (CampaignMember.store_id == self.store.id)
            & (CampaignMember.group == MemberGroup.CALL)
        )

    def _member_ids(self) -> Select[int]:
        return select(CampaignMember.id).where(self._members())

    def _customer_ids(self) -> Select[int]:
        return select(CampaignMember.customer_id).where(self._members())

    def total_rows(self) -> int:
        session = self.session
        members = session.scalar(select(func.count()).where(self._members())) or 0
        calls = session.scalar(
            select(func.count()).where(CallAttempt.member_id.in_(self._member_ids()))
        )
        purchases = session.scalar(
            select(func.count()).where(Purchase.customer_id.in_(self._customer_ids()))
        )
        return members + (calls or 0) + (purchases or 0)

    def sheets(self) -> Iterator[tuple[PackSheet, Sequence[Column], Iterator[Sequence[Cell]]]]:
        yield CAMPAIGN_SHEET, CAMPAIGN_COLUMNS, self._campaign_rows()
        yield SCRIPTS_SHEET, SCRIPT_COLUMNS, self._script_rows()
        yield STORE_SHEET, STORE_COLUMNS, self._store_rows()
        yield MANAGERS_SHEET, MANAGER_COLUMNS, self._manager_rows()
        originals = [Column(ORIGINAL_PREFIX + label) for label in self.originals]
        yield MEMBERS_SHEET, (*MEMBER_COLUMNS, *originals), self._member_rows()
        yield CALLS_SHEET, CALL_COLUMNS, self._call_rows()
        yield PURCHASES_SHEET, PURCHASE_COLUMNS, self._purchase_rows()
        yield DNC_SHEET, DNC_COLUMNS, self._dnc_rows()

    def _campaign_rows(self) -> Iterator[Sequence[Cell]]:
        campaign = self.campaign
        version = self.session.scalar(
            select(func.max(ScriptVersion.version)).where(ScriptVersion.campaign_id == campaign.id)
        )
        hours = CallingHours.from_minutes(campaign.calling_hours_start, campaign.calling_hours_end)
        yield [
            uuid_cell(campaign.uuid),
            campaign.name,
            campaign.offer,
            campaign.offer_code,
            campaign.script,
            version,
            campaign.start_date,
            campaign.end_date,
            campaign.attribution_window_days,
            campaign.max_attempts,
            campaign.min_hours_between_attempts,
            campaign.holdout_share,
            str(hours),
            campaign.state,
            time_cell(campaign.created_at),
        ]

    def _script_rows(self) -> Iterator[Sequence[Cell]]:
        rows = self.session.execute(
            select(
                ScriptVersion.version,
                ScriptVersion.offer,
                ScriptVersion.script,
                ScriptVersion.created_at,
                ScriptVersion.created_by,
            )
            .where(ScriptVersion.campaign_id == self.campaign.id)
            .order_by(ScriptVersion.version)
        )
        for version, offer, script, created_at, created_by in rows:
            yield [version, offer, script, time_cell(created_at), created_by]

    def _store_rows(self) -> Iterator[Sequence[Cell]]:
        store = self.store
        hours = format_opening_hours(opening_hours_from_json(store.opening_hours))
        yield [store.code, store.name, store.timezone, hours or None]

    def _manager_rows(self) -> Iterator[Sequence[Cell]]:
        rows = self.session.execute(
            select(Manager.uuid, Manager.name, Manager.phone, Manager.email, Manager.active)
            .where(Manager.store_id == self.store.id)
            .order_by(Manager.id)
        )
        for manager_uuid, name, phone, email, active in rows:
            yield [uuid_cell(manager_uuid), name, phone, email, bool(active)]

    def _original_labels(self) -> list[str]:
        """The list's own columns the pack's customers have, in first-seen order; labels that
        differ only in case are one column (a table's titles must differ beyond case)."""
        labels: dict[str, str] = {}
        extras = self.session.scalars(
            select(Customer.extra)
            .where(Customer.id.in_(self._customer_ids()), Customer.extra.is_not(None))
            .order_by(Customer.id)
        )
        for extra in extras:
            for label in extra or {}:
                labels.setdefault(label.casefold(), label)
        return list(labels.values())

    def _member_rows(self) -> Iterator[Sequence[Cell]]:
        member, customer = CampaignMember, Customer
        owner = aliased(Manager)
        rows = self.session.execute(
            select(
                member.uuid,
                customer.uuid,
                customer.external_id,
                customer.first_name,
                customer.last_name,
                customer.phone,
                customer.phone_alt,
                customer.email,
                customer.last_purchase_date,
                customer.lifetime_spend_cents,
                customer.visits,
                customer.notes,
                customer.pinned_note,
                owner.uuid,
                owner.name,
                member.status,
                member.attempts,
                member.next_due_at,
                member.scheduled_kind,
                member.last_outcome,
                member.visit_date,
                member.promised_at,
                member.promise_followed_up,
                member.voicemail_left,
                member.created_at,
                assigned_at(member.id, member.created_at),
                customer.erased_at,
                customer.extra,
            )
            .join(customer, customer.id == member.customer_id)
            .outerjoin(owner, owner.id == member.manager_id)
            .where(self._members())
            .order_by(member.id)
        )
        keys = [label.casefold() for label in self.originals]
        for row in rows:
            *fixed, extra = row
            cells = [_cell(value) for value in fixed]
            cells[MEMBER_COLUMNS.index(LIFETIME_SPEND_COLUMN)] = money_cell(row[9])
            by_key = {label.casefold(): value for label, value in (extra or {}).items()}
            yield cells + [by_key.get(key) for key in keys]

    def _call_rows(self) -> Iterator[Sequence[Cell]]:
        attempt = CallAttempt
        caller, place = aliased(Manager), aliased(Store)
        rows = self.session.execute(
            select(
                attempt.uuid,
                CampaignMember.uuid,
                caller.uuid,
                place.code,
                attempt.called_at,
                attempt.logged_at,
                attempt.outcome,
                attempt.note,
                attempt.callback_at,
                attempt.planned_visit_date,
                attempt.reason,
                attempt.follow_up,
                attempt.timezone,
                ScriptVersion.version,
            )
            .join(CampaignMember, CampaignMember.id == attempt.member_id)
            .outerjoin(caller, caller.id == attempt.manager_id)
            .outerjoin(place, place.id == attempt.store_id)
            .outerjoin(ScriptVersion, ScriptVersion.id == attempt.script_version_id)
            .where(self._members())
            .order_by(attempt.called_at, attempt.id)
        )
        for row in rows:
            yield [_cell(value) for value in row]

    def _purchase_rows(self) -> Iterator[Sequence[Cell]]:
        place = aliased(Store)
        rows = self.session.execute(
            select(
                Purchase.uuid,
                Customer.uuid,
                place.code,
                Purchase.purchased_at,
                Purchase.amount_cents,
                Purchase.source,
                Purchase.sale_key,
            )
            .join(Customer, Customer.id == Purchase.customer_id)
            .outerjoin(place, place.id == Purchase.store_id)
            .where(Purchase.customer_id.in_(self._customer_ids()))
            .order_by(Purchase.purchased_at, Purchase.id)
        )
        for purchase, customer, code, at, cents, source, sale_key in rows:
            yield [
                uuid_cell(purchase),
                uuid_cell(customer),
                code,
                time_cell(at),
                money_cell(cents),
                source,
                sale_key,
            ]

    def _dnc_rows(self) -> Iterator[Sequence[Cell]]:
        customers = Customer.id.in_(self._customer_ids())
        # The do-not-call rule's matching (campaigns.suppression): the phone, the other phone,
        # or head office's id compared trimmed and case-blind.
        matching = or_(
            DoNotCall.phone.in_(select(Customer.phone).where(customers)),
            DoNotCall.phone.in_(select(Customer.phone_alt).where(customers)),
            func.lower(func.trim(DoNotCall.customer_external_id)).in_(
                select(func.lower(func.trim(Customer.external_id))).where(customers)
            ),
        )
        rows = self.session.execute(
            select(
                DoNotCall.phone,
                DoNotCall.customer_external_id,
                DoNotCall.reason,
                DoNotCall.source,
                DoNotCall.added_at,
                DoNotCall.added_by,
            )
            .where(DoNotCall.removed_at.is_(None), matching)
            .order_by(DoNotCall.id)
        )
        for phone, customer_id, reason, source, added_at, added_by in rows:
            yield [phone, customer_id, reason, source, time_cell(added_at), added_by]


def _cell(value: object) -> Cell:
    """A database value as a pack cell: UUIDs and times as text, the rest as it is."""
    if isinstance(value, datetime):
        return time_text(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if value is None or isinstance(value, str | int | float | date):
        return value
    raise TypeError(f"no pack cell for {type(value).__name__}")
