"""export-pack: one store's share of a campaign, read back with openpyxl as Excel would."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select

from lastmile_desktop.calling.card import set_pinned_note
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.campaigns.access import AccessDenied
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign
from lastmile_desktop.campaigns.do_not_call import add_entry
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager, deactivate_manager
from lastmile_desktop.campaigns.stores import StoreDraft, update_store
from lastmile_desktop.cli import main
from lastmile_desktop.errors import Cancelled
from lastmile_desktop.packs.pack_out import export_pack, last_pack_sent
from lastmile_desktop.packs.workbook import PACK_FORMAT_VERSION
from lastmile_desktop.storage.models import Campaign, ScriptVersion
from tests.calling.desk_data import Person, add_people, uk_mobile, utc
from tests.importing.service_support import dump
from tests.packs.pack_support import (
    LEAD,
    MONDAY,
    Sites,
    customer_of,
    pack_lines,
    set_customer,
    sheet_rows,
    two_sites,
)


@pytest.fixture
def sites(tmp_path: Path) -> Sites:
    with two_sites(tmp_path) as both:
        yield both  # type: ignore[misc]


def test_the_pack_sheet_says_what_the_file_is(sites: Sites) -> None:
    at = datetime(2025, 1, 14, 9, 30, 12, 345678, tzinfo=UTC)
    pack = sites.export(now=at)
    with sites.region.db.read_session() as session:
        campaign = session.get(Campaign, sites.region.campaign_id)
        assert campaign is not None
        campaign_uuid = str(campaign.uuid)
    lines = pack_lines(pack)
    assert lines["Kind"] == "Store pack"
    assert lines["Format version"] == str(PACK_FORMAT_VERSION)
    assert lines["Campaign"] == "Spring win-back"
    assert lines["Campaign UUID"] == campaign_uuid
    assert (lines["Store"], lines["Store code"]) == ("London Camden (LON)", "LON")
    assert lines["Exported at (UTC)"] == "2025-01-14T09:30:12.345678+00:00"
    assert lines["Exported by"] == LEAD.name
    assert lines["Members (sheet)"].startswith("The store's customers to call")


def test_the_members_are_the_stores_call_group_and_never_the_holdout(sites: Sites) -> None:
    members = sites.region.members
    pack = sites.export()
    rows = sheet_rows(pack, "Members")
    assert {row["Member UUID"] for row in rows} == {str(members[n]) for n in ("Ann", "Ben", "Cat")}
    every_cell = {str(value) for row in rows for value in row.values()}
    assert str(members["Dee"]) not in every_cell  # held out: never seen by the store
    assert uk_mobile(4) not in every_cell
    assert str(members["Zed"]) not in every_cell  # another store's


def test_a_members_row_holds_the_customer_as_the_database_has_them(sites: Sites) -> None:
    ann = sites.region.members["Ann"]
    set_customer(
        sites.region.db,
        ann,
        email="ann@example.com",
        notes="Prefers mornings",
        phone_alt=uk_mobile(11),
        extra={"Loyalty tier": "Gold", "Branch note": "=1+1"},
    )
    set_pinned_note(sites.region.db, LEAD, ann, "new baby: Simon")
    log_outcome(sites.region.db, LEAD, ann, "callback_requested", at=MONDAY,
                callback_at=utc(2025, 1, 14, 17, 30))  # fmt: skip
    pack = sites.export()
    row = next(r for r in sheet_rows(pack, "Members") if r["Member UUID"] == str(ann))
    customer = customer_of(sites.region.db, ann)
    assert row["Customer UUID"] == str(customer.uuid)
    assert row["Customer ID"] == "HO-Ann"
    assert (row["First name"], row["Last name"]) == ("Ann", "Example")
    assert (row["Phone"], row["Other phone"]) == (uk_mobile(1), uk_mobile(11))
    assert row["Email"] == "ann@example.com"
    assert row["Notes"] == "Prefers mornings"
    assert row["Pinned note"] == "new baby: Simon"
    assert row["Last visit"] == datetime(2024, 9, 1)  # a real date cell
    assert row["Lifetime spend"] == 100.0  # 10,000 pence as money
    assert row["Visits"] == 4
    assert row["Manager"] == "Alice Smith"
    assert row["Status"] == "in_progress"
    assert row["Attempts"] == 1
    assert row["Last outcome"] == "callback_requested"
    assert row["Next call kind"] == "callback"
    assert row["Next call at (UTC)"] == "2025-01-14T17:30:00.000000+00:00"
    # The list's own columns, one each; text a spreadsheet would run stays text.
    assert row["Original: Loyalty tier"] == "Gold"
    assert row["Original: Branch note"] == "=1+1"


def test_cells_are_typed_as_people_expect(sites: Sites) -> None:
    import openpyxl

    pack = sites.export()
    sheet = openpyxl.load_workbook(pack)["Members"]
    header = [cell.value for cell in sheet[1]]
    first = sheet[2]
    spend = first[header.index("Lifetime spend")]
    assert (spend.data_type, spend.number_format) == ("n", "#,##0.00")
    visit = first[header.index("Last visit")]
    assert visit.is_date and visit.number_format == "yyyy-mm-dd"
    assert first[header.index("Member UUID")].data_type == "s"
    assert first[header.index("Promise followed up")].data_type == "b"
    assert sheet.freeze_panes == "A2"
    assert "Members" in openpyxl.load_workbook(pack)["Members"].tables


def test_the_campaign_its_scripts_the_store_and_its_managers_travel(sites: Sites) -> None:
    region = sites.region
    store_id = region.stores["LON"]
    update_store(
        region.db,
        store_id,
        StoreDraft("London Camden", "LON", "Europe/London", {"mon": (time(9), time(18))}),
        LEAD,
    )
    departed = add_manager(region.db, ManagerDraft("Pat Gone", store_id), LEAD)
    deactivate_manager(region.db, departed.id, LEAD)
    pack = sites.export()
    (campaign,) = sheet_rows(pack, "Campaign")
    assert campaign["Name"] == "Spring win-back"
    assert (campaign["Offer"], campaign["Offer code"]) == ("20% off", "BACK20")
    assert campaign["Start date"] == datetime(2025, 1, 1)
    assert campaign["Attribution window (days)"] == 30
    assert (campaign["Maximum attempts"], campaign["Hours between attempts"]) == (3, 20)
    assert campaign["Holdout share"] == 0.0
    assert campaign["Calling hours"] == "08:00-21:00"
    assert campaign["State"] == "open"
    with region.db.read_session() as session:
        versions = session.scalars(
            select(ScriptVersion.version).where(ScriptVersion.campaign_id == region.campaign_id)
        ).all()
    assert campaign["Script version"] == max(versions)
    assert [row["Version"] for row in sheet_rows(pack, "Scripts")] == sorted(versions)
    (store,) = sheet_rows(pack, "Store")
    assert store == {
        "Store code": "LON",
        "Name": "London Camden",
        "Time zone": "Europe/London",
        "Opening hours": "Mon 09:00-18:00",
    }
    managers = {row["Name"]: row["Active"] for row in sheet_rows(pack, "Managers")}
    assert managers == {"Alice Smith": True, "Pat Gone": False}  # never Leeds's Bob


def test_calls_and_purchases_of_the_stores_customers_travel_with_exact_times(
    sites: Sites,
) -> None:
    region = sites.region
    called = datetime(2025, 1, 13, 10, 0, 0, 123456, tzinfo=UTC)
    logged = log_outcome(region.db, LEAD, region.members["Ben"], "no_answer", at=called)
    log_outcome(region.db, LEAD, region.members["Zed"], "no_answer", at=MONDAY)
    region.bought("Ben", utc(2025, 1, 15, 12, 0))
    region.bought("Zed", utc(2025, 1, 15, 12, 0))
    pack = sites.export()
    (call,) = sheet_rows(pack, "Calls")
    assert call["Call UUID"] == str(logged.attempt)
    assert call["Member UUID"] == str(region.members["Ben"])
    assert call["Called at (UTC)"] == "2025-01-13T10:00:00.123456+00:00"
    assert (call["Outcome"], call["Store code"]) == ("no_answer", "LON")
    (purchase,) = sheet_rows(pack, "Purchases")
    assert purchase["Customer UUID"] == str(customer_of(region.db, region.members["Ben"]).uuid)
    assert purchase["Amount"] == 25.0
    assert purchase["Purchased at (UTC)"] == "2025-01-15T12:00:00.000000+00:00"


def test_do_not_call_entries_of_the_stores_customers_travel_and_no_others(
    sites: Sites,
) -> None:
    region = sites.region
    add_entry(region.db, phone=uk_mobile(2), reason="asked", profile=LEAD)  # Ben's number
    add_entry(region.db, customer_id="ho-cat", reason="by letter", profile=LEAD)  # Cat's id
    add_entry(region.db, phone=uk_mobile(9), reason="asked", profile=LEAD)  # Zed, Leeds
    add_entry(region.db, phone=uk_mobile(4), reason="asked", profile=LEAD)  # Dee, held out
    pack = sites.export()
    entries = {(row["Phone"], row["Customer ID"]) for row in sheet_rows(pack, "Do not call")}
    assert entries == {(uk_mobile(2), None), (None, "ho-cat")}


def test_a_store_manager_cannot_export_a_pack(sites: Sites) -> None:
    before = dump(sites.region.db)
    with pytest.raises(AccessDenied, match="Only the regional lead can export store packs"):
        export_pack(
            sites.region.db, sites.region.managers["Alice"], sites.folder / "p.xlsx", store="LON"
        )
    assert not (sites.folder / "p.xlsx").exists()
    assert dump(sites.region.db) == before


def test_a_cancelled_export_leaves_no_file_and_records_nothing(sites: Sites) -> None:
    class CancelOnMembers:
        def report(self, done: int, total: int | None, message: str = "") -> None:
            if "members" in message:
                raise Cancelled()

    with pytest.raises(Cancelled):
        sites.export("cancelled.xlsx", progress=CancelOnMembers())
    assert list(sites.folder.glob("*.xlsx")) == []
    with sites.region.db.read_session() as session:
        campaign = session.get(Campaign, sites.region.campaign_id)
        assert campaign is not None
        assert last_pack_sent(sites.region.db, campaign, "LON") is None


def test_each_export_is_recorded_and_the_next_says_what_it_replaces(sites: Sites) -> None:
    first = sites.export_summary(now=datetime(2025, 1, 14, 9, 0, tzinfo=UTC))
    second = sites.export_summary(now=datetime(2025, 1, 21, 9, 0, tzinfo=UTC))
    assert first.previous_export is None
    assert second.previous_export == datetime(2025, 1, 14, 9, 0, tzinfo=UTC)


def test_an_unknown_store_or_a_wrong_file_name_is_refused_before_any_work(sites: Sites) -> None:
    with pytest.raises(Exception, match='No store has the code "NOPE"'):
        sites.export(store="NOPE")
    with pytest.raises(Exception, match=r"can be saved as \.xlsx"):
        sites.export("pack.csv")


def test_the_command_line_writes_the_pack_and_prints_json(
    sites: Sites, capsys: pytest.CaptureFixture[str]
) -> None:
    target = sites.folder / "lon.xlsx"
    region_path = sites.folder / "region.sqlite3"
    code = main(["--db", str(region_path), "export-pack", "--store", "lon", str(target), "--json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["file"] == str(target)
    assert printed["kind"] == "Store pack"
    assert (printed["store_code"], printed["campaign"]) == ("LON", "Spring win-back")
    assert printed["members"] == 3
    assert printed["sheets"]["Members"] == 3
    assert printed["sheets"]["Managers"] == 1
    assert printed["previous_export"] is None
    assert len(sheet_rows(target, "Members")) == 3


def test_the_command_line_refuses_a_store_it_does_not_know_in_one_line(
    sites: Sites, capsys: pytest.CaptureFixture[str]
) -> None:
    region_path = sites.folder / "region.sqlite3"
    target = sites.folder / "x.xlsx"
    code = main(["--db", str(region_path), "export-pack", "--store", "ZZ", str(target), "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert json.loads(captured.out) == {
        "error": 'No store has the code "ZZ". Stores: LEE, LON.',
        "file": str(target),
    }
    assert not target.exists()


def test_the_pack_holds_the_chosen_campaign_only(sites: Sites) -> None:
    region = sites.region
    autumn = create_campaign(region.db, CampaignDraft(name="Autumn", holdout_share=0.0), LEAD)
    (eve,) = add_people(region.db, autumn.id, region.stores, [Person("Eve", uk_mobile(5))]).values()
    assign_campaign(region.db, autumn.id, LEAD, seed=1)
    spring = sheet_rows(sites.export("spring.xlsx", campaign="spring WIN-BACK"), "Members")
    assert str(eve) not in {row["Member UUID"] for row in spring}
    assert len(spring) == 3
    newest = sites.export("newest.xlsx")  # no campaign named: the most recent open one
    assert [row["Member UUID"] for row in sheet_rows(newest, "Members")] == [str(eve)]
    assert pack_lines(newest)["Campaign"] == "Autumn"
