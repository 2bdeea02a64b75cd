"""``export_store_results``: the calls logged on a store's own PC, for the regional lead.

A *store results* file (``workbook``'s conventions: the Pack sheet first, kind "Store
results") holds one sheet, **Calls**: every call logged in this database for the store's
customers in the campaign, one per row, with the UUIDs the region's database knows them by
(the call's, the member's, the customer's, the manager's) and everything the call recorded.
Times are written twice: as exact UTC text, which the import reads (a spreadsheet's date
serial is a float and would move a time by a microsecond), and as a real date and time in
UTC for people to sort and filter on. Notes are written as text a spreadsheet never runs as
a formula, and read back as the same characters.

The lead, or the store's manager for their own store, exports; a database holding several
stores' customers needs the store named.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from lastmile_desktop.calling.outcomes import UnknownOutcomeError, outcome_by_code
from lastmile_desktop.campaigns.access import AccessDenied, Profile, check_profile
from lastmile_desktop.campaigns.stores import store_by_code, store_label
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.packs.pack_out import (
    CALL_UUID,
    CALLBACK_AT,
    CALLED_AT,
    CUSTOMER_ID,
    CUSTOMER_UUID,
    FOLLOW_UP,
    LOGGED_AT,
    MANAGER,
    MANAGER_UUID,
    MEMBER_UUID,
    NOTE,
    OUTCOME,
    REASON,
    SCRIPT_VERSION,
    STORE_CODE,
    TIME_ZONES,
    VISIT_DATE,
    choose_campaign,
)
from lastmile_desktop.packs.workbook import (
    UTC_SUFFIX,
    PackInfo,
    PackKind,
    PackSheet,
    PackWriter,
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
    Manager,
    ScriptVersion,
    Store,
)
from lastmile_desktop.storage.types import utcnow

RESULTS_SUFFIXES = (".xlsx",)
CALLS_SHEET = PackSheet(
    "Calls",
    "The calls logged for the store's customers on this computer, one per row: the regional "
    "lead's import adds each by its Call UUID. Read the times from the (UTC) text columns; "
    "the date and time columns beside them show the same moments for sorting and filtering.",
)
REACHED = "Reached"
# The same moments as real spreadsheet dates and times, in UTC, for people (never read back).
CALL_TIME = "Call date and time" + UTC_SUFFIX
CALLBACK_TIME = "Callback date and time" + UTC_SUFFIX

_DATETIME = CellKind.DATETIME
CALL_COLUMNS = (
    Column(CALL_UUID, width=38),
    Column(MEMBER_UUID, width=38),
    Column(CUSTOMER_UUID, width=38),
    Column(CUSTOMER_ID),
    Column(STORE_CODE),
    Column(MANAGER_UUID, width=38),
    Column(MANAGER),
    Column(CALLED_AT, width=34),
    Column(CALL_TIME, _DATETIME),
    Column(OUTCOME),
    Column(REACHED, CellKind.BOOLEAN, width=10),
    Column(NOTE, width=40),
    Column(CALLBACK_AT, width=34),
    Column(CALLBACK_TIME, _DATETIME),
    Column(VISIT_DATE, CellKind.DATE),
    Column(REASON),
    Column(FOLLOW_UP),
    Column(TIME_ZONES),
    Column(LOGGED_AT, width=34),
    Column(SCRIPT_VERSION, CellKind.INTEGER, width=15),
)
CALL_TITLES = tuple(column.title for column in CALL_COLUMNS)


@dataclass(frozen=True)
class ResultsExportSummary:
    file: Path
    campaign: str
    campaign_uuid: uuid.UUID
    store_code: str
    store: str  # "Leeds (12)"
    calls: int  # rows written on the Calls sheet
    exported_at: datetime  # aware UTC
    exported_by: str

    def as_json(self) -> dict[str, object]:
        """The shape ``lastmile export-results --json`` prints."""
        return {
            "file": str(self.file),
            "kind": PackKind.STORE_RESULTS.value,
            "campaign": self.campaign,
            "campaign_uuid": str(self.campaign_uuid),
            "store": self.store,
            "store_code": self.store_code,
            "calls": self.calls,
            "exported_at": time_text(self.exported_at),
            "exported_by": self.exported_by,
        }


def check_results_target(target: Path) -> None:
    """Refuse a file the results cannot be saved to, before any work is done."""
    check_target(Path(target), RESULTS_SUFFIXES, "store results")


def export_store_results(
    db: Database,
    profile: Profile,
    target: Path,
    *,
    campaign: int | str | None = None,
    store: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ResultsExportSummary:
    """Write the calls logged here for ``store``'s customers (a store code; None: the
    profile's store, or the one store this database holds) in ``campaign`` (an id or a
    name; None: the most recent open one) to ``target``. ``progress`` may raise
    ``Cancelled``: no file is then left."""
    target = Path(target)
    check_results_target(target)
    progress = progress or NoProgress()
    with db.read_session() as session:
        check_profile(session, profile)
        chosen = choose_campaign(session, campaign)
        place = _store(session, profile, chosen, store)
        exported_at = (now or utcnow()).astimezone(UTC)
        info = PackInfo.for_campaign(
            PackKind.STORE_RESULTS,
            chosen,
            store_code=place.code,
            store=store_label(place.name, place.code),
            exported_at=exported_at,
            exported_by=profile.name,
        )
        total = _count_calls(session, chosen, place)
        progress.report(0, total, "Writing the calls...")
        with PackWriter(target, info, [CALLS_SHEET]) as pack:
            written = pack.add_sheet(
                CALLS_SHEET,
                CALL_COLUMNS,
                _call_rows(session, chosen, place),
                on_rows=lambda done: progress.report(done, total, "Writing the calls..."),
            )
            pack.open_on(CALLS_SHEET)
            progress.report(total, total, "Saving the results...")
    return ResultsExportSummary(
        file=target,
        campaign=chosen.name,
        campaign_uuid=chosen.uuid,
        store_code=place.code,
        store=info.store,
        calls=written,
        exported_at=exported_at,
        exported_by=profile.name,
    )


def _store(session: Session, profile: Profile, campaign: Campaign, code: str | None) -> Store:
    """The store whose calls go in the file: the one named, the manager's own, else the
    only store with customers in the campaign here."""
    if code is not None and code.strip():
        chosen = store_by_code(session, code)
        if not profile.can_see_store(chosen.id):
            raise AccessDenied("You can only export the results of your own store.")
        return chosen
    if not profile.is_lead:
        return session.get_one(Store, profile.store_id)
    codes = list(
        session.scalars(
            select(Store.code)
            .join(CampaignMember, CampaignMember.store_id == Store.id)
            .where(CampaignMember.campaign_id == campaign.id)
            .distinct()
            .order_by(Store.code)
        )
    )
    if not codes:
        raise UserFacingError(
            f"No store has customers in “{campaign.name}” here: there are no results to export."
        )
    if len(codes) > 1:
        raise UserFacingError(
            f"This database holds the customers of {len(codes)} stores in “{campaign.name}” "
            f"({', '.join(codes)}): name the store whose results to export (--store CODE)."
        )
    return store_by_code(session, codes[0])


def _count_calls(session: Session, campaign: Campaign, store: Store) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(CallAttempt)
            .join(CampaignMember, CampaignMember.id == CallAttempt.member_id)
            .where(CampaignMember.campaign_id == campaign.id, CampaignMember.store_id == store.id)
        )
        or 0
    )


def _call_rows(session: Session, campaign: Campaign, store: Store) -> Iterator[list[Cell]]:
    attempt = CallAttempt
    caller, place = aliased(Manager), aliased(Store)
    rows = session.execute(
        select(
            attempt.uuid,
            CampaignMember.uuid,
            Customer.uuid,
            Customer.external_id,
            place.code,
            caller.uuid,
            caller.name,
            attempt.called_at,
            attempt.outcome,
            attempt.note,
            attempt.callback_at,
            attempt.planned_visit_date,
            attempt.reason,
            attempt.follow_up,
            attempt.timezone,
            attempt.logged_at,
            ScriptVersion.version,
        )
        .join(CampaignMember, CampaignMember.id == attempt.member_id)
        .join(Customer, Customer.id == CampaignMember.customer_id)
        .outerjoin(caller, caller.id == attempt.manager_id)
        .outerjoin(place, place.id == attempt.store_id)
        .outerjoin(ScriptVersion, ScriptVersion.id == attempt.script_version_id)
        .where(CampaignMember.campaign_id == campaign.id, CampaignMember.store_id == store.id)
        .order_by(attempt.called_at, attempt.id)
        .execution_options(yield_per=1_000)
    )
    for (
        call,
        member,
        customer,
        customer_id,
        store_code,
        manager,
        manager_name,
        called_at,
        outcome,
        note,
        callback_at,
        visit_on,
        reason,
        follow_up,
        zones,
        logged_at,
        script_version,
    ) in rows:
        yield [
            uuid_cell(call),
            uuid_cell(member),
            uuid_cell(customer),
            customer_id,
            store_code,
            uuid_cell(manager),
            manager_name,
            time_cell(called_at),
            _spreadsheet_time(called_at),
            outcome,
            _reached(outcome),
            note,
            time_cell(callback_at),
            _spreadsheet_time(callback_at),
            visit_on,
            reason,
            follow_up,
            zones,
            time_cell(logged_at),
            script_version,
        ]


def _spreadsheet_time(moment: datetime | None) -> datetime | None:
    """A UTC moment as the naive date and time a spreadsheet shows (to the second)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _reached(code: str) -> bool | None:
    try:
        return outcome_by_code(code).reached
    except UnknownOutcomeError:
        return None
