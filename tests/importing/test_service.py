"""The import rules, end to end: every row in one bucket, and the database as it should be."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import Field, ImportOptions, RejectedRowValues, RowProblem
from lastmile_desktop.importing.service import (
    RepeatImportError,
    inspect_file,
    list_batches,
    rejected_rows,
    rejected_rows_table,
)
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    DoNotCall,
    ImportBatch,
    MemberGroup,
    MemberStatus,
    RejectedRow,
    ScriptVersion,
)
from tests.importing.service_support import (
    HEADER,
    customer,
    customers_by_id,
    dump,
    import_list,
    members,
    mobile,
    mobile_e164,
    store_codes,
    write_list,
)

LEAD = Profile.lead()


def test_a_clean_list_lands_in_the_campaign_with_clean_values(db: Database, tmp_path: Path) -> None:
    path = write_list(tmp_path / "spring.xlsx", [customer(1), customer(2), customer(3)])
    summary = import_list(db, path)

    assert (summary.counts.rows_read, summary.counts.imported) == (3, 3)
    assert summary.file == "spring.xlsx"
    assert (summary.sheet, summary.header_row) == ("Customers", 1)
    assert summary.campaign == "spring"
    assert summary.stores == ["1", "2", "3"]
    found = customers_by_id(db)
    first = found["C0001"]
    assert (first.first_name, first.last_name, first.phone) == ("First1", "Last1", mobile_e164(1))
    assert first.last_purchase_date == date(2024, 1, 15)
    assert store_codes(db)[first.home_store_id] == "2"  # type: ignore[index]
    assert first.last_import_batch_id == summary.batch_id
    assert all(m.status == MemberStatus.UNASSIGNED and m.group is None for m in members(db))
    assert {m.store_id for m in members(db)} == {c.home_store_id for c in found.values()}
    with db.read_session() as session:
        batch = session.get(ImportBatch, summary.batch_id)
        assert batch is not None
        assert (batch.file_name, batch.sheet, batch.header_row) == ("spring.xlsx", "Customers", 1)
        assert (batch.rows_read, batch.imported, batch.rejected) == (3, 3, 0)
        assert batch.mapping is not None and batch.mapping["columns"]["3"] == "phone"
        assert batch.finished_at is not None and len(batch.sha256) == 64


def test_a_newer_list_updates_known_customers_keeps_their_calls_and_adds_new_ones(
    db: Database, tmp_path: Path
) -> None:
    first = import_list(db, write_list(tmp_path / "v1.xlsx", [customer(n) for n in (1, 2, 3)]))
    # C0001 has been called once and is in the call group: the newer list must not undo it.
    with db.session() as session:
        member = session.execute(
            select(CampaignMember).join(Customer).where(Customer.external_id == "C0001")
        ).scalar_one()
        member.status, member.group, member.attempts = MemberStatus.IN_PROGRESS, MemberGroup.CALL, 1
        session.add(CallAttempt(member_id=member.id, outcome="no_answer", note="rang out"))
    before_calls = dump(db)["call_attempts"]

    newer = [
        customer(1, first_name="Firstname One", phone="07400 999999", store="Store 9"),
        customer(2),
        customer(4),  # new; C0003 is missing from the newer list and stays as it was
    ]
    second = import_list(db, write_list(tmp_path / "v2.xlsx", newer), campaign_name=first.campaign)

    assert (second.counts.imported, second.counts.updated, second.counts.rows_read) == (1, 2, 3)
    found = customers_by_id(db)
    assert set(found) == {"C0001", "C0002", "C0003", "C0004"}
    assert found["C0001"].first_name == "Firstname One"
    assert found["C0001"].phone == "+447400999999"
    assert store_codes(db)[found["C0001"].home_store_id] == "9"  # type: ignore[index]
    assert found["C0003"].last_import_batch_id == first.batch_id
    assert dump(db)["call_attempts"] == before_calls
    with db.read_session() as session:
        kept = session.execute(
            select(CampaignMember).where(CampaignMember.customer_id == found["C0001"].id)
        ).scalar_one()
        assert (kept.status, kept.group, kept.attempts) == (MemberStatus.IN_PROGRESS, "call", 1)
        assert session.execute(select(func.count()).select_from(CampaignMember)).scalar() == 4


def test_an_empty_cell_in_a_newer_list_keeps_what_was_known(db: Database, tmp_path: Path) -> None:
    import_list(db, write_list(tmp_path / "v1.xlsx", [customer(1)]))
    import_list(db, write_list(tmp_path / "v2.xlsx", [customer(1, first_name=None)]))
    assert customers_by_id(db)["C0001"].first_name == "First1"


def test_without_ids_customers_are_matched_by_phone(db: Database, tmp_path: Path) -> None:
    header = ["Name", "Phone"]
    import_list(db, write_list(tmp_path / "a.xlsx", [["Ann Lee", mobile(1)]], header))
    summary = import_list(
        db,
        write_list(tmp_path / "b.xlsx", [["Ann Lee-Smith", mobile(1)], ["Bo", mobile(2)]], header),
    )
    assert (summary.counts.updated, summary.counts.imported) == (1, 1)
    with db.read_session() as session:
        names = session.execute(select(Customer.last_name).order_by(Customer.id)).scalars().all()
    assert names == ["Lee-Smith", "Bo"]


def test_repeated_rows_of_one_file_are_duplicates(db: Database, tmp_path: Path) -> None:
    header = ["Customer ID", "Name", "Phone"]
    rows = [
        ["C1", "Ann Lee", mobile(1)],
        ["C1", "Ann Lee", mobile(9)],  # same id: duplicate, whatever the phone
        ["C2", "Bo Ray", mobile(2)],
        [None, "Cy Day", mobile(3)],
        [None, "Cy Day", "07400 100003"],  # no id, same phone as the row above
        [None, "Di Fox", mobile(4)],
    ]
    summary = import_list(db, write_list(tmp_path / "dups.xlsx", rows, header))
    assert (summary.counts.duplicates, summary.counts.imported) == (2, 4)
    assert len(customers_by_id(db)) == 3  # C1, C2 and None (two customers without id)


def test_a_rejected_row_quotes_the_value_that_was_wrong_in_short(
    db: Database, tmp_path: Path
) -> None:
    rambling = "ask at the till, " * 10
    rows = [
        customer(1, phone="call his wife"),
        customer(2, phone="0123"),
        customer(3, phone=rambling),
        customer(4, customer_id="X" * 70),
        customer(5),
    ]
    summary = import_list(db, write_list(tmp_path / "notes.xlsx", rows))

    shown = " ".join(rambling.split())[:79].rstrip() + "…"
    assert [problem.reason for problem in summary.rejects] == [
        'phone "call his wife" is not a number',
        'phone "0123" is not a valid GB number',
        f'phone "{shown}" is not a number',
        f'customer id "{"X" * 70}" is longer than 64 characters',
    ]
    assert len(shown) <= 80


def test_rows_without_a_number_that_can_be_dialled_are_rejected_with_the_reason(
    db: Database, tmp_path: Path
) -> None:
    rows = [customer(1), customer(2, phone="0123"), customer(3, phone=None), customer(4)]
    summary = import_list(db, write_list(tmp_path / "bad.xlsx", rows))

    expected = [
        RowProblem(3, 'phone "0123" is not a valid GB number'),
        RowProblem(4, "no phone number that can be dialled"),
    ]
    assert summary.rejects == expected
    assert (summary.counts.rejected, summary.counts.imported) == (2, 2)
    assert rejected_rows(db, summary.batch_id, LEAD) == expected
    with db.read_session() as session:
        stored = session.execute(select(RejectedRow).order_by(RejectedRow.row_number)).scalars()
        values = [row.values for row in stored]
    assert values[0] == {
        "Customer ID": "C0002", "First name": "First2", "Last name": "Last2", "Phone": "0123",
        "Store": "3", "Last purchase": "2024-01-15",
    }  # fmt: skip
    assert "Phone" not in values[1]


def test_customers_on_the_do_not_call_list_are_suppressed_and_not_added(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as session:
        session.add(DoNotCall(phone=mobile_e164(1), reason="asked"))
        session.add(DoNotCall(customer_external_id="C0002", reason="complaint"))
        session.add(
            DoNotCall(
                phone=mobile_e164(3), reason="old", removed_at=datetime(2024, 1, 1, tzinfo=UTC)
            )
        )
    rows = [customer(1), customer(2), customer(3)]
    summary = import_list(db, write_list(tmp_path / "dnc.xlsx", rows))
    assert (summary.counts.suppressed, summary.counts.imported) == (2, 1)
    assert set(customers_by_id(db)) == {"C0003"}  # a removed entry no longer suppresses
    assert len(members(db)) == 1


def test_a_file_imported_before_is_refused_unless_a_repeat_is_asked_for(
    db: Database, tmp_path: Path
) -> None:
    path = write_list(tmp_path / "list.xlsx", [customer(1), customer(2), customer(2)])
    first = import_list(db, path)
    before = dump(db)
    with pytest.raises(RepeatImportError, match=r"list\.xlsx was already imported on .*--again"):
        import_list(db, path)
    assert dump(db) == before

    again = import_list(db, path, allow_repeat=True)
    assert (again.counts.imported, again.counts.updated, again.counts.duplicates) == (0, 2, 1)
    assert len(customers_by_id(db)) == 2
    assert len(members(db)) == 2
    assert again.batch_id != first.batch_id


def test_stores_written_four_ways_are_one_store(db: Database, tmp_path: Path) -> None:
    rows = [customer(1, store=12), customer(2, store=12.0), customer(3, store="12")]
    rows.append(customer(4, store="Store 12"))
    summary = import_list(db, write_list(tmp_path / "stores.xlsx", rows))
    assert summary.stores == ["12"]
    assert list(store_codes(db).values()) == ["12"]
    assert len({c.home_store_id for c in customers_by_id(db).values()}) == 1


def test_a_store_already_known_by_its_name_is_reused(db: Database, tmp_path: Path) -> None:
    from lastmile_desktop.storage.models import Store

    with db.session() as session:
        session.add(Store(code="MAN01", name="Manchester"))
    summary = import_list(db, write_list(tmp_path / "s.xlsx", [customer(1, store="manchester")]))
    assert list(store_codes(db).values()) == ["MAN01"]
    assert summary.stores == ["manchester"]


def test_a_long_store_name_is_one_store_on_every_import(db: Database, tmp_path: Path) -> None:
    # Cut to the 32 characters a code may have, this name would end in a space.
    name = "Manchester Arndale Centre, Unit 4, upper floor"
    path = write_list(tmp_path / "s.xlsx", [customer(1, store=name)])
    first = import_list(db, path)
    again = import_list(db, path, allow_repeat=True)
    assert first.stores == again.stores == ["Manchester Arndale Centre, Unit"]
    assert list(store_codes(db).values()) == ["Manchester Arndale Centre, Unit"]
    assert again.counts.updated == 1


def test_columns_that_map_to_no_field_are_kept_with_the_customer(
    db: Database, tmp_path: Path
) -> None:
    header = [*HEADER, "Loyalty tier", "Segment"]
    rows = [[*customer(1), "Gold", None], [*customer(2), None, None]]
    import_list(db, write_list(tmp_path / "extra.xlsx", rows, header))
    found = customers_by_id(db)
    assert found["C0001"].extra == {"Loyalty tier": "Gold"}
    assert found["C0002"].extra is None


def test_the_campaign_is_the_named_one_else_the_open_one_else_a_new_one(
    db: Database, tmp_path: Path
) -> None:
    first = import_list(db, write_list(tmp_path / "Autumn list.xlsx", [customer(1)]))
    assert first.campaign == "Autumn list"
    second = import_list(db, write_list(tmp_path / "more.xlsx", [customer(2)]))
    assert second.campaign == "Autumn list"
    third = import_list(db, write_list(tmp_path / "x.xlsx", [customer(3)]), campaign_name="VIP")
    assert third.campaign == "VIP"
    with db.read_session() as session:
        names = session.execute(select(Campaign.name).order_by(Campaign.id)).scalars().all()
        versions = session.execute(select(func.count()).select_from(ScriptVersion)).scalar()
    assert names == ["Autumn list", "VIP"]
    assert versions == 2  # made like any campaign: with its first script version
    assert any("new campaign" in note for note in third.notes)


def test_a_closed_campaign_is_not_imported_into(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        session.add(Campaign(name="Done", state=CampaignState.CLOSED))
    before = dump(db)
    with pytest.raises(UserFacingError, match='campaign "Done" is closed'):
        import_list(db, write_list(tmp_path / "x.xlsx", [customer(1)]), campaign_name="Done")
    assert dump(db) == before


def test_a_customer_known_from_another_campaign_joins_this_one_as_imported(
    db: Database, tmp_path: Path
) -> None:
    import_list(db, write_list(tmp_path / "a.xlsx", [customer(1)]), campaign_name="Old")
    newer = [customer(1, first_name="Ann")]
    summary = import_list(db, write_list(tmp_path / "b.xlsx", newer), campaign_name="New")
    assert (summary.counts.imported, summary.counts.updated) == (1, 0)
    assert len(customers_by_id(db)) == 1
    assert len(members(db)) == 2


def test_every_customer_and_member_gets_its_own_uuid(db: Database, tmp_path: Path) -> None:
    import_list(db, write_list(tmp_path / "a.xlsx", [customer(n) for n in range(1, 30)]))
    newer = [customer(n, first_name="Again") for n in range(1, 40)]
    import_list(db, write_list(tmp_path / "b.xlsx", newer), campaign_name="Second")
    customer_uuids = [c.uuid for c in customers_by_id(db).values()]
    member_uuids = [m.uuid for m in members(db)]
    assert len(member_uuids) == 29 + 39
    everything = customer_uuids + member_uuids
    assert len(set(everything)) == len(everything)
    assert {u.version for u in customer_uuids} == {7}
    assert {u.variant for u in everything} == {uuid.RFC_4122}


def test_the_dry_run_counts_like_the_import_and_writes_nothing(
    db: Database, tmp_path: Path
) -> None:
    import_list(db, write_list(tmp_path / "v1.xlsx", [customer(1)]))
    rows = [customer(1), customer(2), customer(2), customer(3, phone="12")]
    path = write_list(tmp_path / "v2.xlsx", rows)
    before = dump(db)

    preview = inspect_file(db, path, ImportOptions(region="GB"))
    assert dump(db) == before
    assert preview.previous_import is None
    assert preview.layout.headers == HEADER
    assert preview.grid[0] == HEADER
    assert preview.grid[1][0] == "C0001"
    assert [guess.field for guess in preview.guesses] == [
        Field.CUSTOMER_ID, Field.FIRST_NAME, Field.LAST_NAME, Field.PHONE, Field.STORE,
        Field.LAST_PURCHASE_DATE,
    ]  # fmt: skip
    assert preview.first_problems == [RowProblem(5, 'phone "12" is not a valid GB number')]

    summary = import_list(db, path)
    assert preview.counts == summary.counts
    assert (summary.counts.updated, summary.counts.imported, summary.counts.duplicates) == (1, 1, 1)
    repeat = inspect_file(db, path, ImportOptions(region="GB"))
    assert repeat.previous_import is not None
    assert repeat.previous_import.batch_id == summary.batch_id


def test_a_confirmed_mapping_is_applied_to_the_next_file_with_the_same_headers(
    db: Database, tmp_path: Path
) -> None:
    header = ["Ref", "Who", "Contact", "Misc"]
    first_rows = [["R1", "Ann Lee", mobile(1), "Note one"]]
    chosen = {0: Field.CUSTOMER_ID, 1: Field.FULL_NAME, 2: Field.PHONE, 3: Field.NOTES}
    import_list(db, write_list(tmp_path / "one.xlsx", first_rows, header), mapping=chosen)

    second = write_list(tmp_path / "two.xlsx", [["R2", "Bo Ray", mobile(2), "Note two"]], header)
    preview = inspect_file(db, second, ImportOptions(region="GB"))
    assert preview.mapping_remembered
    assert {g.column: g.field for g in preview.guesses} == chosen
    summary = import_list(db, second)
    assert summary.counts.imported == 1
    assert customers_by_id(db)["R2"].notes == "Note two"


def test_an_overridden_mapping_is_used_as_given(db: Database, tmp_path: Path) -> None:
    mapping: dict[int, Field | None] = dict.fromkeys(range(len(HEADER)))
    mapping |= {0: Field.CUSTOMER_ID, 3: Field.PHONE}
    import_list(db, write_list(tmp_path / "m.xlsx", [customer(1)]), mapping=mapping)
    found = customers_by_id(db)["C0001"]
    assert found.first_name is None
    assert found.extra == {
        "First name": "First1", "Last name": "Last1", "Store": "2", "Last purchase": "2024-01-15",
    }  # fmt: skip


def test_a_mapping_without_a_phone_column_is_refused_before_anything_is_written(
    db: Database, tmp_path: Path
) -> None:
    path = write_list(tmp_path / "m.xlsx", [customer(1)])
    mapping: dict[int, Field | None] = dict.fromkeys(range(len(HEADER)))
    mapping[0] = Field.CUSTOMER_ID
    preview = inspect_file(db, path, ImportOptions(region="GB", mapping=mapping))
    assert preview.counts.rejected == 1
    assert any("No column is mapped to Phone" in note for note in preview.notes)
    before = dump(db)
    with pytest.raises(UserFacingError, match="no column is mapped to Phone"):
        import_list(db, path, mapping=mapping)
    assert dump(db) == before


def test_an_unknown_region_is_a_clear_error(db: Database, tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match='"XX" is not a country code'):
        import_list(db, write_list(tmp_path / "r.xlsx", [customer(1)]), region="XX")


def test_the_history_lists_every_import_newest_first(db: Database, tmp_path: Path) -> None:
    a = import_list(db, write_list(tmp_path / "a.xlsx", [customer(1)]))
    b = import_list(db, write_list(tmp_path / "b.xlsx", [customer(2), customer(3, phone="1")]))
    batches = list_batches(db, LEAD)
    assert [batch.id for batch in batches] == [b.batch_id, a.batch_id]
    assert batches[0].file_name == "b.xlsx"
    assert batches[0].counts == b.counts
    assert batches[0].campaign == "a"


def test_a_customer_who_asked_to_be_forgotten_is_not_filled_in_again(
    db: Database, tmp_path: Path
) -> None:
    import_list(db, write_list(tmp_path / "a.xlsx", [customer(1), customer(2)]))
    with db.session() as session:
        forgotten = session.execute(
            select(Customer).where(Customer.external_id == "C0001")
        ).scalar_one()
        forgotten.first_name = forgotten.last_name = forgotten.phone = None
        forgotten.erased_at = datetime(2024, 6, 1, tzinfo=UTC)
    summary = import_list(db, write_list(tmp_path / "b.xlsx", [customer(1), customer(3)]))
    assert (summary.counts.suppressed, summary.counts.imported) == (1, 1)
    found = customers_by_id(db)["C0001"]
    assert (found.first_name, found.phone) == (None, None)


def test_rejected_rows_come_back_with_their_values_under_the_files_columns(
    db: Database, tmp_path: Path
) -> None:
    header = ["Customer ID", "Name", "Phone", "", "Name"]
    rows = [
        ["C1", "Ann Lee", mobile(1), "", ""],
        ["C2", "Bo Ray", "call his wife", "VIP", "Robert"],
    ]
    summary = import_list(db, write_list(tmp_path / "odd.xlsx", rows, header))

    table = rejected_rows_table(db, summary.batch_id, LEAD)

    assert table.columns == ("Customer ID", "Name", "Phone", "Column D", "Name (2)")
    assert table.rows == (
        RejectedRowValues(
            3,
            'phone "call his wife" is not a number',
            ("C2", "Bo Ray", "call his wife", "VIP", "Robert"),
        ),
    )
