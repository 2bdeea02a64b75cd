"""import-pack: a store's PC takes its pack, all of it or nothing, and its desk works it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lastmile_desktop.calling.card import set_pinned_note
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.queue import build_queue
from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.campaigns.assignment import reassign_members
from lastmile_desktop.campaigns.campaigns import CampaignDraft, get_campaign, update_campaign
from lastmile_desktop.campaigns.do_not_call import add_entry
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager, list_managers
from lastmile_desktop.campaigns.privacy import forget_customers
from lastmile_desktop.cli import main
from lastmile_desktop.errors import Cancelled, UserFacingError
from lastmile_desktop.exporting.results import export_results
from lastmile_desktop.leaderboard.service import leaderboard, leaderboard_json
from lastmile_desktop.packs.pack_in import import_pack, last_pack_received
from lastmile_desktop.packs.workbook import PackInfo, PackKind, PackSheet, PackWriter
from lastmile_desktop.spreadsheets.writing import Column
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    DoNotCall,
    Manager,
    MemberStatus,
    ScriptVersion,
    Store,
)
from tests.calling.desk_data import uk_mobile, utc
from tests.importing.service_support import customer, dump, write_list
from tests.packs.pack_support import (
    LEAD,
    MONDAY,
    Sites,
    customer_of,
    edit_pack,
    member_row,
    set_customer,
    sheet_rows,
    two_sites,
)
from tests.spreadsheets.workbook_builders import write_billion_laughs_xlsx, write_zip_bomb_xlsx

FIRST_PACK = datetime(2025, 1, 13, 8, 0, tzinfo=UTC)
SECOND_PACK = datetime(2025, 1, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def sites(tmp_path: Path) -> Sites:
    with two_sites(tmp_path) as both:
        yield both  # type: ignore[misc]


def count(sites: Sites, model: type) -> int:
    with sites.store.read_session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_pack_into_an_empty_database_brings_the_store_with_the_same_uuids(
    sites: Sites,
) -> None:
    region = sites.region
    log_outcome(region.db, LEAD, region.members["Ben"], "no_answer", at=MONDAY)
    summary = sites.import_(sites.export(now=FIRST_PACK))
    with region.db.read_session() as session:
        campaign = session.get(Campaign, region.campaign_id)
        assert campaign is not None
        alice = session.scalars(select(Manager).where(Manager.name == "Alice Smith")).one()
        campaign_uuid, alice_uuid = campaign.uuid, alice.uuid
    with sites.store.read_session() as session:
        (here,) = session.scalars(select(Campaign)).all()
        assert (here.uuid, here.name, here.offer_code) == (
            campaign_uuid,
            "Spring win-back",
            "BACK20",
        )
        (store,) = session.scalars(select(Store)).all()
        assert (store.code, store.name, store.timezone) == ("LON", "London Camden", "Europe/London")
        assert session.scalars(select(Manager.uuid)).all() == [alice_uuid]
        members = set(session.scalars(select(CampaignMember.uuid)))
    assert members == {region.members[name] for name in ("Ann", "Ben", "Cat")}
    as_json = summary.as_json()
    assert as_json["kinds"]["members"] == {
        "rows_read": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert as_json["kinds"]["calls"]["created"] == 1
    assert as_json["rows_read"] == as_json["created"] == 1 + 1 + 1 + 1 + 3 + 1  # one script
    assert as_json["rejected_rows"] == []
    assert last_pack_received(sites.store, summary.info) == FIRST_PACK


def test_the_holdout_never_reaches_the_store(sites: Sites) -> None:
    sites.import_(sites.export())
    assert member_row(sites.store, sites.region.members["Dee"]) is None
    with sites.store.read_session() as session:
        phones = set(session.scalars(select(Customer.phone)))
    assert uk_mobile(4) not in phones


def test_the_same_pack_twice_changes_nothing(sites: Sites) -> None:
    region = sites.region
    log_outcome(region.db, LEAD, region.members["Ann"], "callback_requested", at=MONDAY,
                callback_at=utc(2025, 1, 14, 17, 0))  # fmt: skip
    region.bought("Ann", utc(2025, 1, 16, 12, 0))
    add_entry(region.db, phone=uk_mobile(3), reason="asked", profile=LEAD)
    pack = sites.export(now=FIRST_PACK)
    sites.import_(pack)
    before = dump(sites.store)
    again = sites.import_(pack)
    assert dump(sites.store) == before
    as_json = again.as_json()
    assert (as_json["created"], as_json["updated"], as_json["rejected"]) == (0, 0, 0)
    assert as_json["unchanged"] == as_json["rows_read"]
    assert "Nothing changed" in " ".join(again.notes())


def test_the_store_pc_works_the_campaign_after_the_import(sites: Sites) -> None:
    region = sites.region
    sites.import_(sites.export())
    alice = next(m for m in list_managers(sites.store, LEAD) if m.name == "Alice Smith")
    profile = Profile.manager(alice.name, alice.id, alice.store_id)
    queue = build_queue(sites.store, profile, at=MONDAY)
    expected = build_queue(region.db, region.managers["Alice"], at=MONDAY)
    assert [entry.member for entry in queue.now] == [entry.member for entry in expected.now]
    assert {entry.member for entry in queue.now} == {
        region.members[name] for name in ("Ann", "Ben", "Cat")
    }
    logged = log_outcome(sites.store, profile, region.members["Ann"], "busy", at=MONDAY)
    row = member_row(sites.store, region.members["Ann"])
    assert row is not None and (row.status, row.attempts) == (MemberStatus.IN_PROGRESS, 1)
    with sites.store.read_session() as session:
        attempt = session.scalars(
            select(CallAttempt).where(CallAttempt.uuid == logged.attempt)
        ).one()
        assert attempt.script_version_id is not None


def test_the_leaderboard_of_the_store_agrees_on_both_sides(sites: Sites) -> None:
    region = sites.region
    log_outcome(region.db, LEAD, region.members["Ann"], "accepted_offer", at=MONDAY)
    log_outcome(region.db, LEAD, region.members["Ben"], "not_interested", at=MONDAY,
                reason="price")  # fmt: skip
    region.bought("Ann", utc(2025, 1, 15, 12, 0))
    sites.import_(sites.export())
    today = datetime(2025, 1, 20, tzinfo=UTC).date()

    def london(db: object) -> dict[str, object]:
        board = leaderboard_json(leaderboard(db, LEAD, today=today))  # type: ignore[arg-type]
        stores = board["stores"]
        assert isinstance(stores, list)
        return next(row for row in stores if row["store"].startswith("London"))

    assert london(sites.store) == london(region.db)


def test_do_not_call_entries_travel_and_the_store_honours_them(sites: Sites) -> None:
    region = sites.region
    add_entry(region.db, phone=uk_mobile(2), reason="asked", profile=LEAD)  # Ben
    summary = sites.import_(sites.export())
    with sites.store.read_session() as session:
        entries = session.execute(select(DoNotCall.phone, DoNotCall.removed_at)).all()
    assert [tuple(entry) for entry in entries] == [(uk_mobile(2), None)]
    assert summary.as_json()["kinds"]["do_not_call"]["created"] == 1
    ben = member_row(sites.store, region.members["Ben"])
    assert ben is not None and ben.status == MemberStatus.SUPPRESSED
    queue = build_queue(sites.store, LEAD, at=MONDAY)
    assert region.members["Ben"] not in {entry.member for entry in queue.now + queue.later}
    with pytest.raises(UserFacingError):
        log_outcome(sites.store, LEAD, region.members["Ben"], "busy", at=MONDAY)


def test_a_newer_pack_brings_the_new_script_a_new_manager_and_takes_a_moved_member_away(
    sites: Sites,
) -> None:
    region = sites.region
    sites.import_(sites.export(now=FIRST_PACK))
    info = get_campaign(region.db, region.campaign_id)
    update_campaign(
        region.db,
        region.campaign_id,
        CampaignDraft(**{**info.to_draft().__dict__, "script": "New words for {first_name}."}),
        LEAD,
    )
    newcomer = add_manager(region.db, ManagerDraft("Nia Newman", region.stores["LON"]), LEAD)
    reassign_members(region.db, LEAD, [region.member_id("Ann")], newcomer.id, "closer to Nia")
    bob = next(m for m in list_managers(region.db, LEAD) if m.name == "Bob Jones")
    reassign_members(region.db, LEAD, [region.member_id("Cat")], bob.id, "moved to Leeds")
    summary = sites.import_(sites.export("newer.xlsx", now=SECOND_PACK))

    with sites.store.read_session() as session:
        campaign = session.scalars(select(Campaign)).one()
        assert campaign.script == "New words for {first_name}."
        versions = session.scalars(select(ScriptVersion.version).order_by(ScriptVersion.version))
        assert list(versions) == [1, 2]
        names = set(session.scalars(select(Manager.name)))
        ann = session.scalars(
            select(CampaignMember).where(CampaignMember.uuid == region.members["Ann"])
        ).one()
        nia = session.scalars(select(Manager).where(Manager.name == "Nia Newman")).one()
        assert ann.manager_id == nia.id
    assert names == {"Alice Smith", "Nia Newman"}
    assert member_row(sites.store, region.members["Cat"]) is None  # left the store
    with sites.store.read_session() as session:
        assert session.scalar(select(func.count()).where(Customer.phone == uk_mobile(3))) == 0
    as_json = summary.as_json()
    assert as_json["members_removed"] == 1
    assert as_json["kinds"]["campaign"]["updated"] == 1
    assert as_json["kinds"]["scripts"] == {
        "rows_read": 2, "created": 1, "updated": 0, "unchanged": 1, "rejected": 0
    }  # fmt: skip
    assert as_json["kinds"]["managers"]["created"] == 1
    assert as_json["kinds"]["members"] == {
        "rows_read": 2, "created": 0, "updated": 1, "unchanged": 1, "rejected": 0
    }  # fmt: skip
    assert as_json["previous_import"] == "2025-01-13T08:00:00.000000+00:00"


def test_an_older_pack_is_refused_and_nothing_changes(sites: Sites) -> None:
    older = sites.export("older.xlsx", now=FIRST_PACK)
    sites.import_(sites.export("newer.xlsx", now=SECOND_PACK))
    before = dump(sites.store)
    with pytest.raises(UserFacingError, match=r"older\.xlsx is older than the store pack already"):
        sites.import_(older)
    assert dump(sites.store) == before


def test_calls_logged_at_the_store_are_kept_by_a_newer_pack(sites: Sites) -> None:
    region = sites.region
    sites.import_(sites.export(now=FIRST_PACK))
    here = log_outcome(sites.store, LEAD, region.members["Ben"], "callback_requested",
                       at=MONDAY, callback_at=utc(2025, 1, 14, 18, 0))  # fmt: skip
    ben_here = member_row(sites.store, region.members["Ben"])
    summary = sites.import_(sites.export("newer.xlsx", now=SECOND_PACK))
    with sites.store.read_session() as session:
        kept = session.scalars(select(CallAttempt).where(CallAttempt.uuid == here.attempt)).one()
        assert kept.outcome == "callback_requested"
    ben = member_row(sites.store, region.members["Ben"])
    assert ben is not None and ben_here is not None
    assert (ben.status, ben.attempts, ben.next_due_at, ben.scheduled_kind) == (
        ben_here.status,
        1,
        utc(2025, 1, 14, 18, 0),
        "callback",
    )
    assert summary.members_kept_as_called_here == 1


def test_a_member_called_here_and_moved_away_by_the_region_keeps_its_calls(
    sites: Sites,
) -> None:
    region = sites.region
    sites.import_(sites.export(now=FIRST_PACK))
    log_outcome(sites.store, LEAD, region.members["Cat"], "no_answer", at=MONDAY)
    bob = next(m for m in list_managers(region.db, LEAD) if m.name == "Bob Jones")
    reassign_members(region.db, LEAD, [region.member_id("Cat")], bob.id, "moved to Leeds")
    sites.import_(sites.export("newer.xlsx", now=SECOND_PACK))
    cat = member_row(sites.store, region.members["Cat"])
    assert cat is not None
    assert (cat.store_id, cat.manager_id, cat.status) == (None, None, MemberStatus.UNASSIGNED)
    assert count(sites, CallAttempt) == 1
    queue = build_queue(sites.store, LEAD, at=MONDAY)
    assert region.members["Cat"] not in {entry.member for entry in queue.now + queue.later}


def test_hostile_files_are_refused_and_nothing_changes(sites: Sites) -> None:
    sites.import_(sites.export())
    before = dump(sites.store)
    for hostile in (
        write_billion_laughs_xlsx(sites.folder / "laughs.xlsx"),
        write_zip_bomb_xlsx(sites.folder / "bomb.xlsx"),
    ):
        with pytest.raises(UserFacingError) as refused:
            sites.import_(hostile)
        assert str(refused.value).startswith(hostile.name)
    assert dump(sites.store) == before


def test_a_file_of_the_wrong_kind_is_refused_in_plain_words(sites: Sites) -> None:
    before = dump(sites.store)
    customer_list = write_list(sites.folder / "list.xlsx", [customer(1)])
    with pytest.raises(UserFacingError, match=r"list\.xlsx is not a store pack made by Last Mile"):
        sites.import_(customer_list)
    results = sites.folder / "results.xlsx"
    export_results(sites.region.db, LEAD, results)
    with pytest.raises(UserFacingError, match=r"results\.xlsx is not a store pack"):
        sites.import_(results)
    store_results = sites.folder / "store-results.xlsx"
    info = PackInfo(
        PackKind.STORE_RESULTS, uuid.uuid4(), "Spring win-back", "LON",
        "London Camden (LON)", FIRST_PACK, "Alice Smith",
    )  # fmt: skip
    calls = PackSheet("Calls", "The calls.")
    with PackWriter(store_results, info, [calls]) as writer:
        writer.add_sheet(calls, [Column("Call UUID")], [])
    with pytest.raises(UserFacingError) as refused:
        sites.import_(store_results)
    assert str(refused.value).startswith(
        "store-results.xlsx is a store results file, not a store pack: the regional lead "
        "imports it with File > Store packs > Import store results..."
    )
    assert dump(sites.store) == before


def test_bad_rows_are_rejected_with_their_row_and_reason_and_every_row_counted(
    sites: Sites,
) -> None:
    region = sites.region
    log_outcome(region.db, LEAD, region.members["Ben"], "no_answer", at=MONDAY)
    pack = sites.export()
    members = sheet_rows(pack, "Members")
    ben_row = 2 + [row["Member UUID"] for row in members].index(str(region.members["Ben"]))
    edit_pack(pack, "Members", ben_row, "Member UUID", "not-a-uuid")
    edit_pack(pack, "Members", 2 if ben_row != 2 else 3, "Status", "holdout")
    summary = sites.import_(pack)
    as_json = summary.as_json()
    assert as_json["rows_read"] == (
        as_json["created"] + as_json["updated"] + as_json["unchanged"] + as_json["rejected"]
    )
    for kind in as_json["kinds"].values():
        assert kind["rows_read"] == sum(
            kind[key] for key in ("created", "updated", "unchanged", "rejected")
        )
    assert as_json["kinds"]["members"]["rejected"] == 2
    assert as_json["kinds"]["members"]["created"] == 1
    rejected = as_json["rejected_rows"]
    assert {"sheet": "Members", "row": ben_row,
            "reason": 'Member UUID: "not-a-uuid" is not a UUID'} in rejected  # fmt: skip
    assert any(
        row["sheet"] == "Members" and "holdout" in row["reason"] and "status" in row["reason"]
        for row in rejected
    )
    # Ben's call has no member to belong to: turned away too, with why.
    assert any(row["sheet"] == "Calls" and "was not imported" in row["reason"] for row in rejected)
    assert count(sites, CampaignMember) == 1


def test_a_pack_whose_campaign_cannot_be_read_is_refused_whole(sites: Sites) -> None:
    pack = sites.export()
    edit_pack(pack, "Campaign", 2, "Calling hours", "all day")
    with pytest.raises(UserFacingError, match='the sheet "Campaign", row 2'):
        sites.import_(pack)
    assert count(sites, Campaign) == 0
    assert count(sites, Customer) == 0


def test_a_cancelled_import_changes_nothing(sites: Sites) -> None:
    sites.import_(sites.export(now=FIRST_PACK))
    add_manager(sites.region.db, ManagerDraft("Nia Newman", sites.region.stores["LON"]), LEAD)
    pack = sites.export("newer.xlsx", now=SECOND_PACK)
    before = dump(sites.store)

    class CancelLate:
        def report(self, done: int, total: int | None, message: str = "") -> None:
            if "where each call stands" in message:
                raise Cancelled()

    with pytest.raises(Cancelled):
        import_pack(sites.store, LEAD, pack, progress=CancelLate())
    assert dump(sites.store) == before


def test_a_store_manager_imports_their_own_stores_pack_only(sites: Sites) -> None:
    sites.import_(sites.export(now=FIRST_PACK))
    alice = next(m for m in list_managers(sites.store, LEAD) if m.name == "Alice Smith")
    as_alice = Profile.manager(alice.name, alice.id, alice.store_id)
    newer = sites.export("newer.xlsx", now=SECOND_PACK)
    assert sites.import_(newer, as_alice).rows_read > 0
    leeds = sites.export("leeds.xlsx", store="LEE", now=SECOND_PACK + timedelta(hours=1))
    before = dump(sites.store)
    with pytest.raises(AccessDenied, match="you can only import your own store's pack"):
        sites.import_(leeds, as_alice)
    assert dump(sites.store) == before


def test_a_campaign_of_the_same_name_here_is_named_in_the_refusal(sites: Sites) -> None:
    with sites.store.session() as session:
        session.add(Campaign(name="Spring WIN-BACK"))
    with pytest.raises(UserFacingError, match="another campaign called “Spring WIN-BACK”"):
        sites.import_(sites.export())
    assert count(sites, CampaignMember) == 0


def test_the_command_line_imports_and_prints_the_accounting_as_json(
    sites: Sites, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = sites.export()
    store_path = sites.folder / "store.sqlite3"
    assert main(["--db", str(store_path), "import-pack", str(pack), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["file"] == str(pack)
    assert (printed["store_code"], printed["campaign"]) == ("LON", "Spring win-back")
    assert (printed["rows_read"], printed["created"], printed["unchanged"]) == (7, 7, 0)
    assert printed["kinds"]["members"]["created"] == 3
    assert printed["rejected_rows"] == []
    assert main(["--db", str(store_path), "import-pack", str(pack)]) == 0
    text = capsys.readouterr().out
    assert "7 rows read: 0 created, 0 updated, 7 unchanged, 0 rejected." in text
    assert "Nothing changed" in text


def test_the_command_line_says_why_a_file_is_refused(
    sites: Sites, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = sites.folder / "list.xlsx"
    write_list(copy, [customer(1)])
    store_path = sites.folder / "store.sqlite3"
    assert main(["--db", str(store_path), "import-pack", str(copy), "--json"]) == 1
    captured = capsys.readouterr()
    printed = json.loads(captured.out)
    assert printed["file"] == str(copy)
    assert printed["error"].startswith("list.xlsx is not a store pack made by Last Mile")
    assert captured.err.startswith("lastmile: list.xlsx is not a store pack")


def test_the_customers_details_and_original_columns_arrive_as_the_region_has_them(
    sites: Sites,
) -> None:
    region = sites.region
    ann = region.members["Ann"]
    set_customer(region.db, ann, email="ann@example.com", extra={"Loyalty tier": "Gold"})
    set_pinned_note(region.db, LEAD, ann, "=not a formula")
    sites.import_(sites.export())
    here = customer_of(sites.store, ann)
    assert (here.first_name, here.phone, here.email) == ("Ann", uk_mobile(1), "ann@example.com")
    assert (here.lifetime_spend_cents, here.visits) == (10_000, 4)
    assert here.extra == {"Loyalty tier": "Gold"}
    assert here.pinned_note == "=not a formula"
    with sites.store.read_session() as session:
        # No extra columns: SQL NULL, as an import leaves it, never the JSON text "null".
        nulls = session.scalar(
            select(func.count()).where(Customer.extra.is_(None), Customer.phone == uk_mobile(2))
        )
    assert nulls == 1


def test_a_pinned_note_written_at_the_store_and_a_customer_forgotten_there_stay(
    sites: Sites,
) -> None:
    region = sites.region
    sites.import_(sites.export(now=FIRST_PACK))
    set_pinned_note(sites.store, LEAD, region.members["Ann"], "prefers texts")
    forget_customers(sites.store, [customer_of(sites.store, region.members["Ben"]).id], LEAD)
    set_pinned_note(region.db, LEAD, region.members["Ann"], "new baby: Simon")
    sites.import_(sites.export("newer.xlsx", now=SECOND_PACK))
    assert customer_of(sites.store, region.members["Ann"]).pinned_note == "prefers texts"
    ben = customer_of(sites.store, region.members["Ben"])
    assert ben.erased_at is not None
    assert (ben.first_name, ben.phone) == (None, None)
