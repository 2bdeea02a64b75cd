"""Rejected rows and the import history as a store manager sees them: their own store only.

A rejected row is nobody's customer yet: it belongs to the store its store column names,
read as the import reads stores ("001" and "Store 1" are store 1); a row naming no known
store is the regional lead's alone.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager, deactivate_manager
from lastmile_desktop.campaigns.stores import StoreDraft, update_store
from lastmile_desktop.importing.model import ImportSummary
from lastmile_desktop.importing.service import export_rejected_rows, list_batches, rejected_rows
from lastmile_desktop.storage import Database
from tests.importing.service_support import customer, import_list, store_codes, write_list

LEAD = Profile.lead()


def manager_at(db: Database, code: str, name: str) -> Profile:
    store_id = {code: store_id for store_id, code in store_codes(db).items()}[code]
    info = add_manager(db, ManagerDraft(name, store_id), LEAD)
    return Profile.manager(info.name, info.id, store_id)


@pytest.fixture
def mixed_import(db: Database, tmp_path: Path) -> ImportSummary:
    """Stores 1 and 2 from accepted rows; rejected rows naming store 1, store 2, a store
    known by its name only, no store, and a store that does not exist."""
    rows = [
        customer(1, store="Store 1"),
        customer(2, store=2),
        customer(3, phone="call his wife", store="001"),  # sheet row 4: store 1
        customer(4, phone="12", store="store #2"),  # row 5: store 2
        customer(5, phone=None, store=None),  # row 6: no store
        customer(6, phone="1", store="Store 9"),  # row 7: no such store
        customer(7, phone="2", store="YORK"),  # row 8: store 2 once it is called York
    ]
    summary = import_list(db, write_list(tmp_path / "spring.xlsx", rows))
    assert summary.counts.rejected == 5
    two = {code: store_id for store_id, code in store_codes(db).items()}["2"]
    update_store(db, two, StoreDraft("York", "2"), LEAD)
    return summary


def test_a_manager_sees_only_the_rejected_rows_naming_their_own_store(
    db: Database, mixed_import: ImportSummary
) -> None:
    sam = manager_at(db, "1", "Sam")
    priya = manager_at(db, "2", "Priya")
    batch = mixed_import.batch_id

    assert [p.row for p in rejected_rows(db, batch, LEAD)] == [4, 5, 6, 7, 8]
    assert [p.row for p in rejected_rows(db, batch, sam)] == [4]
    assert [p.row for p in rejected_rows(db, batch, priya)] == [5, 8]


def test_an_export_of_rejected_rows_holds_only_what_the_profile_may_see(
    db: Database, mixed_import: ImportSummary, tmp_path: Path
) -> None:
    sam = manager_at(db, "1", "Sam")
    target = export_rejected_rows(db, mixed_import.batch_id, tmp_path / "sam.csv", sam)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    written = "\n".join(",".join(line) for line in lines)

    assert [line[0] for line in lines[1:]] == ["4"]
    assert "First3" in written and "call his wife" in written
    for other in ("First4", "First5", "First6", "First7"):
        assert other not in written

    everything = export_rejected_rows(db, mixed_import.batch_id, tmp_path / "all.csv", LEAD)
    with everything.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == 1 + 5


def test_rows_of_a_list_without_a_store_column_are_the_leads_alone(
    db: Database, tmp_path: Path
) -> None:
    import_list(db, write_list(tmp_path / "stores.xlsx", [customer(3)]))  # store 1
    sam = manager_at(db, "1", "Sam")
    no_store_column = ["Customer ID", "First name", "Last name", "Phone"]
    rows = [customer(1)[:4], customer(2, phone="1")[:4], customer(3, phone="2")[:4]]
    summary = import_list(db, write_list(tmp_path / "a.xlsx", rows, no_store_column))
    assert [p.row for p in rejected_rows(db, summary.batch_id, LEAD)] == [3, 4]
    assert rejected_rows(db, summary.batch_id, sam) == []


def test_a_manager_lists_only_the_imports_that_touched_their_store(
    db: Database, tmp_path: Path
) -> None:
    both = import_list(db, write_list(tmp_path / "both.xlsx", [customer(1), customer(2)]))
    sam = manager_at(db, "3", "Sam")  # customer(2) lives at store 3, customer(1) at store 2
    priya = manager_at(db, "2", "Priya")
    only_two = import_list(db, write_list(tmp_path / "two.xlsx", [customer(4, store=2)]))
    rejected_three = import_list(
        db,
        write_list(
            tmp_path / "reject.xlsx", [customer(7, store=2), customer(8, phone="1", store=3)]
        ),
    )

    everything = [b.id for b in list_batches(db, LEAD)]
    assert everything == [rejected_three.batch_id, only_two.batch_id, both.batch_id]
    assert [b.id for b in list_batches(db, priya)] == everything
    assert [b.id for b in list_batches(db, sam)] == [rejected_three.batch_id, both.batch_id]
    # The counts are the whole file's: numbers that name nobody.
    assert list_batches(db, sam)[0].counts == rejected_three.counts


def test_a_deactivated_manager_reads_no_rejected_rows(
    db: Database, mixed_import: ImportSummary, tmp_path: Path
) -> None:
    sam = manager_at(db, "1", "Sam")
    deactivate_manager(db, sam.manager_id or 0, LEAD)
    refusal = "Sam is no longer active as a store manager"
    with pytest.raises(AccessDenied, match=refusal):
        rejected_rows(db, mixed_import.batch_id, sam)
    with pytest.raises(AccessDenied, match=refusal):
        export_rejected_rows(db, mixed_import.batch_id, tmp_path / "x.csv", sam)
    assert not (tmp_path / "x.csv").exists()
    with pytest.raises(AccessDenied, match=refusal):
        list_batches(db, sam)
