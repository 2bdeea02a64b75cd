"""A store's results merged into the region: each row added, already known, a conflict or
rejected with its reason; the members end as if every call had been logged in one database;
one transaction; only the lead; any other file refused in one sentence."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lastmile_desktop.calling import elsewhere
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.campaigns.access import AccessDenied
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign
from lastmile_desktop.campaigns.do_not_call import list_entries
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager
from lastmile_desktop.cli import main
from lastmile_desktop.errors import Cancelled, UserFacingError
from lastmile_desktop.packs.pack_out import export_pack
from lastmile_desktop.packs.results_in import import_store_results
from lastmile_desktop.packs.results_out import CALLS_SHEET, export_store_results
from lastmile_desktop.spreadsheets.errors import ImportFileError
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Manager,
    MemberStatus,
)
from tests.calling.desk_data import LEAD, Person, add_people, uk_mobile
from tests.importing.service_support import customer, dump, write_list
from tests.packs.results_support import (
    FORMULA_NOTES,
    MONDAY,
    Sites,
    copy_of,
    copy_row,
    edit_cells,
    member_state,
    two_sites,
)
from tests.spreadsheets.workbook_builders import write_external_entity_xlsx

NOW = datetime(2025, 2, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[Sites]:
    with two_sites(tmp_path) as both:
        yield both


def results(sites: Sites, folder: Path, name: str = "results.xlsx") -> Path:
    return export_store_results(sites.store.db, LEAD, folder / name, store="LON").file


def store_calls(sites: Sites) -> dict[str, uuid.UUID]:
    """Rows 2-4 of the results: Ann no answer, Ben busy, Cat accepted."""
    store = sites.store
    return {
        "Ann": sites.log(store, "Ann", "no_answer", MONDAY, note=FORMULA_NOTES[0]),
        "Ben": sites.log(store, "Ben", "busy", MONDAY + timedelta(hours=1)),
        "Cat": sites.log(store, "Cat", "accepted_offer", MONDAY + timedelta(hours=2)),
    }


def attempts_here(sites: Sites) -> dict[uuid.UUID, tuple[str, str | None]]:
    with sites.region.db.read_session() as session:
        rows = session.execute(select(CallAttempt.uuid, CallAttempt.outcome, CallAttempt.note))
        return {row.uuid: (row.outcome, row.note) for row in rows}


def test_the_calls_are_added_and_the_members_follow(sites: Sites, tmp_path: Path) -> None:
    calls = store_calls(sites)

    summary = import_store_results(sites.region.db, LEAD, results(sites, tmp_path), now=NOW)

    assert summary.as_json() == {
        "file": str(tmp_path / "results.xlsx"),
        "rows_read": 3,
        "added": 3,
        "already_known": 0,
        "conflicts": 0,
        "rejected": 0,
        "conflict_rows": [],
        "rejected_rows": [],
    }
    assert attempts_here(sites) == {
        calls["Ann"]: ("no_answer", FORMULA_NOTES[0]),
        calls["Ben"]: ("busy", None),
        calls["Cat"]: ("accepted_offer", None),
    }
    for name in ("Ann", "Ben", "Cat", "Zed"):
        assert member_state(sites.region, name) == member_state(sites.store, name)
    assert member_state(sites.region, "Cat")["life"].status == MemberStatus.DONE


def test_the_same_results_imported_twice_add_nothing(sites: Sites, tmp_path: Path) -> None:
    store_calls(sites)
    file = results(sites, tmp_path)
    import_store_results(sites.region.db, LEAD, file, now=NOW)
    before = dump(sites.region.db)

    again = import_store_results(sites.region.db, LEAD, file, now=NOW)

    assert (again.rows_read, again.added, again.already_known) == (3, 0, 3)
    assert dump(sites.region.db) == before


def test_a_call_the_region_has_with_other_content_is_a_conflict_left_as_it_is(
    sites: Sites, tmp_path: Path
) -> None:
    store_calls(sites)
    file = results(sites, tmp_path)
    import_store_results(sites.region.db, LEAD, file, now=NOW)
    edit_cells(file, CALLS_SHEET.name, {(3, "Outcome"): "left_voicemail", (3, "Note"): "edited"})
    edit_cells(file, CALLS_SHEET.name, {(4, "Note"): "-changed at the store"})
    before = dump(sites.region.db)

    summary = import_store_results(sites.region.db, LEAD, file, now=NOW)

    assert (summary.already_known, summary.conflicts, summary.added) == (1, 2, 0)
    assert [(row.row, row.reason) for row in summary.conflict_rows] == [
        (
            3,
            "this call is recorded here with a different outcome (here “Busy”, in the file "
            "“Left voicemail”) and note: it is left as it is here",
        ),
        (4, "this call is recorded here with a different note: it is left as it is here"),
    ]
    assert summary.as_json()["conflict_rows"][0]["attempt"] == str(summary.conflict_rows[0].attempt)
    assert dump(sites.region.db) == before


def test_malformed_rows_and_unknown_customers_are_rejected_with_row_and_reason(
    sites: Sites, tmp_path: Path
) -> None:
    store_calls(sites)
    sites.log(sites.store, "Ann", "busy", MONDAY + timedelta(days=1))  # row 5
    file = results(sites, tmp_path)
    copy_row(file, CALLS_SHEET.name, 2)  # row 6: the first call again
    edit_cells(
        file,
        CALLS_SHEET.name,
        {
            (2, "Call UUID"): "not-a-uuid",
            (3, "Outcome"): "shrug",
            (4, "Called at (UTC)"): "2025-02-01T12:30:00.000000+00:00",
            (5, "Member UUID"): str(uuid.uuid4()),
        },
    )
    copy_row(file, CALLS_SHEET.name, 3)  # row 7: Ben's call, but ...
    edit_cells(
        file,
        CALLS_SHEET.name,
        {(7, "Call UUID"): str(uuid.uuid4()), (7, "Outcome"): "callback_requested"},
    )

    summary = import_store_results(sites.region.db, LEAD, file, now=NOW)

    reasons = {row.row: row.reason for row in summary.rejected_rows}
    assert reasons == {
        2: 'Call UUID: "not-a-uuid" is not a UUID',
        3: reasons[3],
        4: "Called at (UTC): 2025-02-01 12:30 is in the future (this computer's clock says "
        "2025-02-01 12:00 UTC)",
        5: reasons[5],
        7: reasons[7],
    }
    assert reasons[3].startswith("Outcome: “shrug” is not an outcome (one of no_answer, busy")
    assert "is not in the campaign “Spring win-back” in this database" in reasons[5]
    assert reasons[7].startswith("Callback requested needs the date and time to call back")
    assert (summary.rows_read, summary.added, summary.rejected) == (6, 1, 5)
    assert summary.rows_read == (
        summary.added + summary.already_known + summary.conflicts + summary.rejected
    )
    assert summary.as_json()["rejected_rows"][0] == {
        "row": 2,
        "attempt": "not-a-uuid",
        "reason": reasons[2],
    }


def test_the_same_call_twice_in_one_file_is_added_once(sites: Sites, tmp_path: Path) -> None:
    store_calls(sites)
    file = copy_row(results(sites, tmp_path), CALLS_SHEET.name, 2)

    summary = import_store_results(sites.region.db, LEAD, file, now=NOW)

    assert (summary.added, summary.rejected) == (3, 1)
    assert summary.rejected_rows[0].reason == "the same call is on row 2 already"
    assert len(attempts_here(sites)) == 3


def test_calls_interleave_with_the_regions_in_the_order_they_were_made(
    sites: Sites, tmp_path: Path
) -> None:
    with copy_of(sites.region, tmp_path / "single.sqlite3") as single:
        # One database logging every call in order: no answer, a voicemail, no answer again
        # (the second unanswered try after a voicemail ends the calls).
        for day, outcome in enumerate(("no_answer", "left_voicemail", "no_answer")):
            sites.log(single, "Ann", outcome, MONDAY + timedelta(days=day))
        # The region logged the first and the last; the voicemail was made at the store.
        sites.log(sites.region, "Ann", "no_answer", MONDAY)
        sites.log(sites.region, "Ann", "no_answer", MONDAY + timedelta(days=2))
        sites.log(sites.store, "Ann", "left_voicemail", MONDAY + timedelta(days=1))

        summary = import_store_results(sites.region.db, LEAD, results(sites, tmp_path), now=NOW)

        assert summary.added == 1
        assert member_state(sites.region, "Ann") == member_state(single, "Ann")
        assert member_state(sites.region, "Ann")["life"].status == MemberStatus.DONE


def test_a_do_not_call_at_the_store_takes_the_customer_out_in_the_region(
    sites: Sites, tmp_path: Path
) -> None:
    summer = create_campaign(sites.region.db, CampaignDraft("Summer", holdout_share=0.0), LEAD)
    add_people(sites.region.db, summer.id, sites.region.stores, [Person("Ann2", uk_mobile(1))])
    assign_campaign(sites.region.db, summer.id, LEAD, seed=1)
    sites.log(sites.store, "Ann", "do_not_call", MONDAY)

    import_store_results(sites.region.db, LEAD, results(sites, tmp_path), now=NOW)

    assert [(entry.phone, entry.added_by) for entry in list_entries(sites.region.db, LEAD)] == [
        (uk_mobile(1), "Alice Smith")
    ]
    with sites.region.db.read_session() as session:
        status = session.scalar(
            select(CampaignMember.status).where(CampaignMember.campaign_id == summer.id)
        )
    assert status == MemberStatus.SUPPRESSED


def test_a_manager_who_joined_at_the_store_is_added_with_their_calls(
    sites: Sites, tmp_path: Path
) -> None:
    dana = add_manager(sites.store.db, ManagerDraft("Dana Lee", sites.store.stores["LON"]), LEAD)
    log_outcome(
        sites.store.db, LEAD, sites.store.members["Ann"], "busy", at=MONDAY, as_manager="Dana Lee"
    )

    summary = import_store_results(sites.region.db, LEAD, results(sites, tmp_path), now=NOW)

    assert summary.managers_added == ("Dana Lee",)
    with sites.region.db.read_session() as session:
        manager = session.scalars(select(Manager).where(Manager.uuid == dana.uuid)).one()
        attempt = session.scalars(select(CallAttempt)).one()
        assert (manager.name, manager.store_id, attempt.manager_id) == (
            "Dana Lee",
            sites.region.stores["LON"],
            manager.id,
        )


def test_a_managers_profile_is_refused_and_nothing_changes(sites: Sites, tmp_path: Path) -> None:
    store_calls(sites)
    file = results(sites, tmp_path)
    before = dump(sites.region.db)

    with pytest.raises(AccessDenied, match="Only the regional lead can import store results"):
        import_store_results(sites.region.db, sites.region.managers["Alice"], file)

    assert dump(sites.region.db) == before


def test_a_failure_half_way_changes_nothing(
    sites: Sites, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_calls(sites)
    file = results(sites, tmp_path)
    before = dump(sites.region.db)

    def broken(*_: Any) -> None:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(elsewhere, "refresh_members", broken)
    with pytest.raises(RuntimeError):
        import_store_results(sites.region.db, LEAD, file, now=NOW)

    assert dump(sites.region.db) == before


class CancelWhenAdding:
    def report(self, done: int, total: int | None, message: str = "") -> None:
        if message.startswith("Adding"):
            raise Cancelled()


def test_a_cancelled_import_changes_nothing(sites: Sites, tmp_path: Path) -> None:
    store_calls(sites)
    file = results(sites, tmp_path)
    before = dump(sites.region.db)

    with pytest.raises(Cancelled):
        import_store_results(sites.region.db, LEAD, file, progress=CancelWhenAdding(), now=NOW)

    assert dump(sites.region.db) == before


def test_results_of_a_campaign_the_region_does_not_have_are_refused(
    sites: Sites, tmp_path: Path
) -> None:
    store_calls(sites)
    file = results(sites, tmp_path)
    with sites.region.db.session() as session:
        session.get_one(Campaign, sites.region.campaign_id).uuid = uuid.uuid4()
    before = dump(sites.region.db)

    with pytest.raises(UserFacingError, match="which this database does not have"):
        import_store_results(sites.region.db, LEAD, file, now=NOW)

    assert dump(sites.region.db) == before


def test_other_files_are_refused_plainly(sites: Sites, tmp_path: Path) -> None:
    listing = write_list(tmp_path / "list.xlsx", [customer(1)])
    with pytest.raises(UserFacingError, match=r"list\.xlsx is not a store results file made by"):
        import_store_results(sites.region.db, LEAD, listing)
    pack = export_pack(sites.region.db, LEAD, tmp_path / "pack.xlsx", store="LON").file
    with pytest.raises(UserFacingError, match="is a store pack, not a store results file"):
        import_store_results(sites.region.db, LEAD, pack)
    hostile = write_external_entity_xlsx(tmp_path / "hostile.xlsx")
    with pytest.raises(ImportFileError, match="could harm the computer"):
        import_store_results(sites.region.db, LEAD, hostile)


def test_the_command_line_prints_the_json_the_issue_names(
    sites: Sites, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_calls(sites)
    file = results(sites, tmp_path)
    database = str(sites.region.db.path)

    assert main(["--db", database, "import-results", str(file), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["--db", database, "import-results", str(file)]) == 0
    text = capsys.readouterr().out

    assert list(first) == [
        "file",
        "rows_read",
        "added",
        "already_known",
        "conflicts",
        "rejected",
        "conflict_rows",
        "rejected_rows",
    ]
    assert (first["rows_read"], first["added"]) == (3, 3)
    assert "3 rows read = 0 added + 3 already known + 0 conflicts + 0 rejected" in text
