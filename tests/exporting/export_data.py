"""A small campaign for the export tests, built through the app's own services.

A CSV list (its own columns, one the import maps to no field, one named like a fixed
column, formula-like text in names, extras and notes, one row rejected) is imported, two
stores get a manager each, a third of each store is drawn into the holdout (at random), calls are
logged through the desk's service and a till's extract brings the purchases that followed an
accepted offer. Times are days
before now, so the desk accepts them whatever the date the tests run on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from uuid import UUID

from sqlalchemy import select, update

from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.campaigns import get_campaign, update_campaign
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager
from lastmile_desktop.importing.sales import import_sales
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    Customer,
    MemberGroup,
    Store,
)
from tests.importing.service_support import import_list, mobile
from tests.spreadsheets.workbook_builders import write_csv

LEAD = Profile.lead("Regional lead")
HEADER = [
    "Customer ID",
    "First name",
    "Last name",
    "Phone",
    "Store",
    "Last purchase",
    "Spend",
    "Favourite colour",  # matches no field: kept as an extra column
    "Note",  # the customer's notes, named like the export's own Note column
]
# Text a spreadsheet would run as a formula (OWASP's list of first characters).
FORMULA_NAME = '=HYPERLINK("http://attacker.example","Click")'
FORMULA_EXTRA = "+SUM(1,2)"
FORMULA_LAST_NAME = "-2+3"
FORMULA_NOTE = "@cmd"
FORMULA_CALL_NOTE = "=1+1 said the customer"
FORMULA_REJECTED_PHONE = "=cmd|' /C calc'!A0"
CUSTOMERS = 12  # six per store, ids C0001 to C0012
FIRST_DAY = (datetime.now(UTC) - timedelta(days=20)).date()


def when(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """``day`` days after the campaign's first day, at ``hour`` UTC."""
    return datetime.combine(FIRST_DAY + timedelta(days=day), time(hour, minute), UTC)


def list_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for number in range(1, CUSTOMERS + 1):
        rows.append(
            [
                f"C{number:04d}",
                f"First{number}",
                f"Last{number}",
                mobile(number),
                1 + (number - 1) % 2,  # stores 1 and 2, alternately
                "2024-01-15",
                f"{number * 10}.50",
                "green",
                "",
            ]
        )
    rows[0][1] = FORMULA_NAME
    rows[0][2] = FORMULA_LAST_NAME
    rows[0][7] = FORMULA_EXTRA
    rows[0][8] = FORMULA_NOTE
    # No number that can be dialled: rejected, its values kept for the Rejected rows sheet.
    rows.append(["C0099", "Rita", "Rejected", FORMULA_REJECTED_PHONE, 1, "", "", "blue", ""])
    return rows


@dataclass(frozen=True)
class ExportRegion:
    campaign: str
    campaign_id: int
    stores: dict[str, int]  # code -> id
    managers: dict[str, str]  # store code -> manager name
    accepted: UUID  # a call-group member of store 1: called twice, accepted, came back
    callback: UUID  # a call-group member of store 2 who asked to be called back
    list_file: str


def member_uuid(db: Database, external_id: str) -> UUID:
    with db.read_session() as session:
        found = session.scalar(
            select(CampaignMember.uuid)
            .join(Customer, Customer.id == CampaignMember.customer_id)
            .where(Customer.external_id == external_id)
        )
    assert found is not None
    return found


def call_group(db: Database, store_id: int) -> list[str]:
    """Customer ids of the store's call group, in id order."""
    with db.read_session() as session:
        return list(
            session.scalars(
                select(Customer.external_id)
                .join(CampaignMember, CampaignMember.customer_id == Customer.id)
                .where(
                    CampaignMember.store_id == store_id,
                    CampaignMember.group == MemberGroup.CALL.value,
                )
                .order_by(Customer.external_id)
            )
        )


def build_region(db: Database, folder: Path) -> ExportRegion:
    path = write_csv(folder / "lapsed customers.csv", [HEADER, *list_rows()])
    summary = import_list(db, path, campaign_name="Winter win-back")
    assert summary.counts.imported == CUSTOMERS and summary.counts.rejected == 1
    campaign_id = summary.campaign_id
    assert campaign_id is not None
    with db.session() as session:
        session.execute(
            update(Campaign).where(Campaign.id == campaign_id).values(start_date=FIRST_DAY)
        )
        stores = {
            code: store_id for store_id, code in session.execute(select(Store.id, Store.code))
        }
    info = get_campaign(db, campaign_id)
    update_campaign(db, campaign_id, dataclasses.replace(info.to_draft(), holdout_share=0.34), LEAD)
    managers = {"1": "Ann Archer", "2": "Bob Baker"}
    for code, name in managers.items():
        add_manager(db, ManagerDraft(name=name, store_id=stores[code]), LEAD)
    assign_campaign(db, campaign_id, LEAD, seed=5)

    # The holdout draw is random: the calls go to whoever the call group holds.
    first_of_store_1 = call_group(db, stores["1"])[0]
    accepted = member_uuid(db, first_of_store_1)
    log_outcome(db, LEAD, accepted, "no_answer", at=when(1, 10), as_manager="Ann Archer")
    log_outcome(
        db,
        LEAD,
        accepted,
        "accepted_offer",
        note=FORMULA_CALL_NOTE,
        at=when(3, 11, 15),
        as_manager="Ann Archer",
    )
    # The till's extract: the first purchase after the call, then another on a later day.
    extract = write_csv(
        folder / "till.csv",
        [
            ["Customer ID", "Date", "Amount"],
            [first_of_store_1, when(5).date().isoformat(), "25.50"],
            [first_of_store_1, when(8).date().isoformat(), "10.00"],
        ],
    )
    sales = import_sales(db, extract, profile=LEAD)
    assert sales.counts.added == 2
    others = call_group(db, stores["2"])
    callback = member_uuid(db, others[0])
    log_outcome(
        db,
        LEAD,
        callback,
        "callback_requested",
        callback_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=1),
        at=when(4, 17),
        as_manager="Bob Baker",
    )
    log_outcome(
        db,
        LEAD,
        member_uuid(db, others[1]),
        "not_interested",
        reason="price",
        at=when(4, 18),
        as_manager="Bob Baker",
    )
    return ExportRegion(
        campaign="Winter win-back",
        campaign_id=campaign_id,
        stores=stores,
        managers=managers,
        accepted=accepted,
        callback=callback,
        list_file=path.name,
    )
