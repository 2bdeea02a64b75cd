from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.do_not_call import (
    EntryNotFound,
    add_entry,
    add_entry_in_session,
    find_active_entry,
    list_entries,
    remove_entry,
)
from lastmile_desktop.campaigns.privacy import forget_customer
from lastmile_desktop.campaigns.suppression import active_suppressions
from lastmile_desktop.data_settings import DEFAULT_REGION_KEY, set_setting
from lastmile_desktop.errors import Cancelled, UserFacingError
from lastmile_desktop.importing.model import BucketCounts, ImportOptions
from lastmile_desktop.importing.service import run_import
from lastmile_desktop.importing.suppression_list import import_suppression_file
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    MemberGroup,
    MemberStatus,
)
from tests.campaigns import campaign_data
from tests.spreadsheets.workbook_builders import write_csv, write_xlsx

LEAD = Profile.lead("Lena Lead")


@pytest.fixture
def gb_db(db: Database) -> Database:
    with db.session() as session:
        set_setting(session, DEFAULT_REGION_KEY, "GB")
    return db


def _status(db: Database, member_id: int) -> tuple[str, int]:
    with db.read_session() as session:
        member = session.get(CampaignMember, member_id)
        assert member is not None
        return member.status, member.version


def _customer_in_campaign(
    db: Database,
    *,
    phone: str | None = None,
    phone_alt: str | None = None,
    external_id: str | None = None,
    status: MemberStatus = MemberStatus.TO_CALL,
    group: MemberGroup | None = MemberGroup.CALL,
    attempts: int = 0,
    campaign: str = "Spring",
    closed: bool = False,
) -> int:
    with db.session() as session:
        campaign_id = session.scalar(select(Campaign.id).where(Campaign.name == campaign))
        if campaign_id is None:
            state = CampaignState.CLOSED if closed else CampaignState.OPEN
            campaign_id = campaign_data.add_campaign(session, campaign, state=state)
        customer = campaign_data.add_customer(
            session, phone=phone, phone_alt=phone_alt, external_id=external_id
        )
        return campaign_data.add_member(
            session, campaign_id, customer, status=status, group=group, attempts=attempts
        )


def test_a_phone_typed_the_local_way_is_listed_in_e164(gb_db: Database) -> None:
    result = add_entry(gb_db, phone="07911 123456", reason="asked on the phone", profile=LEAD)
    assert not result.already_listed
    entry = result.entry
    assert (entry.phone, entry.customer_id, entry.reason) == (
        "+447911123456",
        None,
        "asked on the phone",
    )
    assert (entry.added_by, entry.active) == ("Lena Lead", True)
    with gb_db.read_session() as session:
        assert active_suppressions(session).blocks(["+447911123456"], None)


def test_an_entry_needs_a_phone_or_a_customer_id(gb_db: Database) -> None:
    with pytest.raises(UserFacingError, match="phone number or a customer id"):
        add_entry(gb_db, phone=" ", profile=LEAD)
    with pytest.raises(UserFacingError, match='"12" is not a valid GB phone number'):
        add_entry(gb_db, phone="12", profile=LEAD)
    assert list_entries(gb_db, LEAD) == []


def test_adding_an_entry_takes_matching_members_out_of_every_open_campaign(
    gb_db: Database,
) -> None:
    by_phone = _customer_in_campaign(gb_db, phone="+447911123456")
    by_alt = _customer_in_campaign(gb_db, phone_alt="+447911123456", campaign="Autumn")
    in_progress = _customer_in_campaign(
        gb_db,
        phone="+447911123456",
        status=MemberStatus.IN_PROGRESS,
        attempts=1,
        campaign="Winter",
    )
    unassigned = _customer_in_campaign(
        gb_db, phone="+447911123456", status=MemberStatus.UNASSIGNED, group=None, campaign="New"
    )
    finished = _customer_in_campaign(
        gb_db, phone="+447911123456", status=MemberStatus.DONE, campaign="Done"
    )
    holdout = _customer_in_campaign(
        gb_db,
        phone="+447911123456",
        status=MemberStatus.HOLDOUT,
        group=MemberGroup.HOLDOUT,
        campaign="Held",
    )
    closed = _customer_in_campaign(gb_db, phone="+447911123456", campaign="Old", closed=True)
    someone_else = _customer_in_campaign(gb_db, phone="+447911999999")
    version_before = _status(gb_db, by_phone)[1]

    result = add_entry(gb_db, phone="07911 123456", profile=LEAD)

    assert result.members_suppressed == 4
    for member in (by_phone, by_alt, in_progress, unassigned):
        assert _status(gb_db, member)[0] == MemberStatus.SUPPRESSED
    assert _status(gb_db, by_phone)[1] == version_before + 1  # a caller's stale row is refused
    assert _status(gb_db, finished)[0] == MemberStatus.DONE
    assert _status(gb_db, holdout)[0] == MemberStatus.HOLDOUT
    assert _status(gb_db, closed)[0] == MemberStatus.TO_CALL
    assert _status(gb_db, someone_else)[0] == MemberStatus.TO_CALL


def test_an_entry_by_customer_id_suppresses_that_customer(gb_db: Database) -> None:
    member = _customer_in_campaign(gb_db, phone="+447911123456", external_id="HO-7")
    result = add_entry(gb_db, customer_id=" HO-7 ", profile=LEAD)
    assert result.entry.customer_id == "HO-7"
    assert _status(gb_db, member)[0] == MemberStatus.SUPPRESSED


def test_adding_the_same_phone_twice_keeps_one_entry(gb_db: Database) -> None:
    first = add_entry(gb_db, phone="+44 7911 123456", profile=LEAD)
    second = add_entry(gb_db, phone="07911123456", profile=LEAD)
    assert second.already_listed and second.entry.id == first.entry.id
    assert len(list_entries(gb_db, LEAD)) == 1


def test_removing_needs_a_reason_that_is_kept_with_the_entry(gb_db: Database) -> None:
    entry = add_entry(gb_db, phone="07911 123456", profile=LEAD).entry
    with pytest.raises(UserFacingError, match="reason"):
        remove_entry(gb_db, entry.id, reason="  ", profile=LEAD)
    assert list_entries(gb_db, LEAD)[0].active

    removed = remove_entry(gb_db, entry.id, reason="added by mistake", profile=LEAD)

    assert (removed.removed_by, removed.removed_reason) == ("Lena Lead", "added by mistake")
    assert removed.removed_at is not None
    assert list_entries(gb_db, LEAD) == []
    assert list_entries(gb_db, LEAD, include_removed=True) == [removed]
    with pytest.raises(UserFacingError, match="already removed"):
        remove_entry(gb_db, entry.id, reason="again", profile=LEAD)
    with pytest.raises(EntryNotFound):
        remove_entry(gb_db, 999, reason="x", profile=LEAD)


def test_removing_an_entry_puts_its_members_back_to_work(gb_db: Database) -> None:
    fresh = _customer_in_campaign(gb_db, phone="+447911123456")
    tried = _customer_in_campaign(
        gb_db,
        phone="+447911123456",
        status=MemberStatus.IN_PROGRESS,
        attempts=2,
        campaign="Autumn",
    )
    also_by_id = _customer_in_campaign(
        gb_db, phone="+447911123456", external_id="HO-9", campaign="Winter"
    )
    entry = add_entry(gb_db, phone="07911 123456", profile=LEAD).entry
    add_entry(gb_db, customer_id="HO-9", profile=LEAD)

    remove_entry(gb_db, entry.id, reason="number reassigned", profile=LEAD)

    assert _status(gb_db, fresh)[0] == MemberStatus.TO_CALL
    assert _status(gb_db, tried)[0] == MemberStatus.IN_PROGRESS
    assert _status(gb_db, also_by_id)[0] == MemberStatus.SUPPRESSED  # still listed by id


def test_an_entry_is_found_by_the_phone_however_it_is_typed(gb_db: Database) -> None:
    entry = add_entry(gb_db, phone="+447911123456", profile=LEAD).entry
    assert find_active_entry(gb_db, phone="07911 123 456", profile=LEAD) == entry
    with pytest.raises(EntryNotFound, match="not on the do-not-call list"):
        find_active_entry(gb_db, customer_id="nobody", profile=LEAD)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_a_suppression_csv_is_imported_with_every_row_accounted_for(
    gb_db: Database, tmp_path: Path
) -> None:
    member = _customer_in_campaign(gb_db, phone="+447911123456")
    by_id = _customer_in_campaign(gb_db, phone="+447911000111", external_id="C-2")
    add_entry(gb_db, phone="+447911000222", profile=LEAD)
    path = _write(
        tmp_path / "tps.csv",
        "Suppression list from head office\n"
        "\n"
        "Telefon;Customer ID;Reason\n"
        "07911 123456;;Beschwerde über Anrufe\n"
        ";C-2;\n"
        "07911 000222;;\n"
        "07911 123456;;\n"
        "not a number;;\n"
        ";;\n"
        "+33 6 12 34 56 78;;moved to France\n",
        encoding="cp1252",
    )

    counts = import_suppression_file(gb_db, path, LEAD)

    assert (counts.rows_read, counts.added, counts.already_listed, counts.rejected) == (6, 3, 2, 1)
    assert counts.rows_read == counts.added + counts.already_listed + counts.rejected
    assert [(p.row, p.reason) for p in counts.problems] == [
        (
            8,
            '"not a number" is not a valid GB phone number: check the digits, or write it '
            "with its country code (+44 for GB).",
        )
    ]
    assert counts.members_suppressed == 2
    assert _status(gb_db, member)[0] == MemberStatus.SUPPRESSED
    assert _status(gb_db, by_id)[0] == MemberStatus.SUPPRESSED
    imported = {(e.phone, e.customer_id, e.reason) for e in list_entries(gb_db, LEAD)}
    assert ("+447911123456", None, "Beschwerde über Anrufe") in imported
    assert (None, "C-2", "listed in tps.csv") in imported
    assert ("+33612345678", None, "moved to France") in imported
    assert {e.source for e in list_entries(gb_db, LEAD)} == {"tps.csv", "added by hand"}


def test_a_bare_column_of_numbers_without_a_header_is_a_suppression_list(
    gb_db: Database, tmp_path: Path
) -> None:
    path = _write(tmp_path / "numbers.csv", "07911 123456\n447911000333\n")
    counts = import_suppression_file(gb_db, path, LEAD)
    assert (counts.rows_read, counts.added) == (2, 2)
    assert sorted(e.phone or "" for e in list_entries(gb_db, LEAD)) == [
        "+447911000333",
        "+447911123456",
    ]


def test_a_suppression_workbook_with_a_read_me_sheet_and_number_cells_is_imported(
    gb_db: Database, tmp_path: Path
) -> None:
    member = _customer_in_campaign(gb_db, phone="+447911123456")
    path = write_xlsx(
        tmp_path / "opt-outs.xlsx",
        {
            "Read me": [["This workbook lists customers who opted out."], ["Do not edit."]],
            "Opt-outs": [
                ["Opt-outs, March"],
                [],
                ["Mobile", "Client ID", "Comment"],
                [447911123456, None, "texted STOP"],
                [None, "C-77", None],
                ["0033 6 12 34 56 78", None, None],
            ],
        },
    )

    counts = import_suppression_file(gb_db, path, LEAD)

    assert (counts.rows_read, counts.added, counts.rejected) == (3, 3, 0)
    assert counts.members_suppressed == 1
    assert _status(gb_db, member)[0] == MemberStatus.SUPPRESSED
    assert {(e.phone, e.customer_id, e.reason) for e in list_entries(gb_db, LEAD)} == {
        ("+447911123456", None, "texted STOP"),
        (None, "C-77", "listed in opt-outs.xlsx"),
        ("+33612345678", None, "listed in opt-outs.xlsx"),
    }


def test_a_file_with_nothing_to_list_is_refused_and_changes_nothing(
    gb_db: Database, tmp_path: Path
) -> None:
    path = _write(tmp_path / "empty.csv", "Phone\n\n")
    with pytest.raises(UserFacingError, match="no phone numbers or customer ids"):
        import_suppression_file(gb_db, path, LEAD)
    with pytest.raises(UserFacingError, match=r"missing\.csv was not found"):
        import_suppression_file(gb_db, tmp_path / "missing.csv", LEAD)
    assert list_entries(gb_db, LEAD) == []


def test_suppression_holds_for_a_new_campaign_and_a_re_import(gb_db: Database) -> None:
    # The import engine asks ``active_suppressions`` for every row it reads.
    add_entry(gb_db, phone="07911 123456", profile=LEAD)
    add_entry(gb_db, customer_id="HO-5", profile=LEAD)
    removed = add_entry(gb_db, phone="07911 000000", profile=LEAD).entry
    remove_entry(gb_db, removed.id, reason="number reassigned", profile=LEAD)
    with gb_db.read_session() as session:
        listed = active_suppressions(session)
    assert listed.blocks([None, "+447911123456"], None)
    assert listed.blocks(["+447911999999"], "HO-5")
    assert not listed.blocks(["+447911000000"], "HO-6")


class _CancelAt:
    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.reports: list[int] = []

    def report(self, done: int, total: int | None, message: str = "") -> None:
        self.reports.append(done)
        if done >= self.rows:
            raise Cancelled()


def test_a_cancelled_import_leaves_the_list_and_the_members_as_they_were(
    gb_db: Database, tmp_path: Path
) -> None:
    member = _customer_in_campaign(gb_db, phone="+447911000001")
    numbers = "".join(f"07911 {n:06d}\n" for n in range(1, 2501))
    path = _write(tmp_path / "big.csv", "Phone\n" + numbers)
    progress = _CancelAt(2000)

    with pytest.raises(Cancelled):
        import_suppression_file(gb_db, path, LEAD, progress)

    assert progress.reports == [1000, 2000]
    assert list_entries(gb_db, LEAD) == []
    assert _status(gb_db, member)[0] == MemberStatus.TO_CALL
    counts = import_suppression_file(gb_db, path, LEAD)
    assert (counts.added, counts.members_suppressed) == (2500, 1)


def test_adding_inside_a_callers_session_keeps_its_member_row_current(gb_db: Database) -> None:
    # The call desk logs "Do not call" and lists the number in one transaction.
    member_id = _customer_in_campaign(gb_db, phone="+447911123456", attempts=1)
    with gb_db.session() as session:
        member = session.get(CampaignMember, member_id)
        assert member is not None
        member.attempts = 2
        add_entry_in_session(
            session,
            phone="07911 123456",
            customer_id=None,
            reason="asked during the call",
            source="call desk",
            added_by="Sam",
        )
        member.last_outcome = "do_not_call"
    with gb_db.read_session() as session:
        saved = session.get(CampaignMember, member_id)
        assert saved is not None
        assert (saved.status, saved.attempts, saved.last_outcome) == (
            MemberStatus.SUPPRESSED,
            2,
            "do_not_call",
        )


# --- across imports: the import service reads the same list -------------------------------

LIST_HEADER = ["Customer ID", "First name", "Last name", "Phone", "Store"]


def _import(db: Database, path: Path, campaign: str, again: bool = False) -> BucketCounts:
    options = ImportOptions(campaign_name=campaign, region="GB", allow_repeat=again)
    return run_import(db, path, options).counts


def _members_of(db: Database, campaign: str) -> dict[str | None, str]:
    with db.read_session() as session:
        rows = session.execute(
            select(Customer.external_id, CampaignMember.status)
            .join(CampaignMember, CampaignMember.customer_id == Customer.id)
            .join(Campaign, Campaign.id == CampaignMember.campaign_id)
            .where(Campaign.name == campaign)
        ).all()
    return dict(rows)


def test_suppression_is_honoured_across_a_re_import_and_a_new_campaign(
    gb_db: Database, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path / "march.csv",
        [
            LIST_HEADER,
            ["C-1", "Ann", "Able", "07911 100001", "12"],
            ["C-2", "Bob", "Baker", "07911 100002", "12"],
            ["C-3", "Cy", "Cole", "07911 100003", "12"],
        ],
    )
    assert _import(gb_db, first, "Spring").imported == 3
    assert add_entry(gb_db, phone="+44 7911 100002", profile=LEAD).members_suppressed == 1
    assert add_entry(gb_db, customer_id="C-3", profile=LEAD).members_suppressed == 1

    newer = write_csv(
        tmp_path / "april.csv",
        [
            LIST_HEADER,
            ["C-1", "Ann", "Able", "07911 100001", "12"],
            ["C-2", "Robert", "Baker", "07911 100002", "12"],
            ["C-3", "Cy", "Cole", "07911 200001", "12"],
            ["C-4", "Di", "Dune", "07911 100004", "12"],
        ],
    )
    again = _import(gb_db, newer, "Spring")
    autumn = _import(gb_db, newer, "Autumn", again=True)

    assert (again.updated, again.imported, again.suppressed) == (1, 1, 2)
    assert _members_of(gb_db, "Spring") == {
        "C-1": MemberStatus.UNASSIGNED,
        "C-2": MemberStatus.SUPPRESSED,
        "C-3": MemberStatus.SUPPRESSED,
        "C-4": MemberStatus.UNASSIGNED,
    }
    assert autumn.suppressed == 2
    assert set(_members_of(gb_db, "Autumn")) == {"C-1", "C-4"}


def test_a_forgotten_customer_is_left_out_of_the_next_import(
    gb_db: Database, tmp_path: Path
) -> None:
    rows = [LIST_HEADER, ["C-1", "Zebedee", "Quartermaine", "07911 100001", "12"]]
    _import(gb_db, write_csv(tmp_path / "march.csv", rows), "Spring")
    with gb_db.read_session() as session:
        customer_id = session.scalars(select(Customer.id)).one()
    forget_customer(gb_db, customer_id, LEAD)

    counts = _import(gb_db, write_csv(tmp_path / "april.csv", [*rows, []]), "Autumn")

    assert counts.suppressed == 1
    assert _members_of(gb_db, "Autumn") == {}
    with gb_db.read_session() as session:
        names = session.scalars(select(Customer.first_name)).all()
    assert names == [None]


# --- customer ids compare as the import compares them; numbers must be valid --------------


def test_a_customer_id_entry_takes_out_the_same_id_written_in_another_case(
    gb_db: Database,
) -> None:
    member = _customer_in_campaign(gb_db, phone="+447911123456", external_id="Q3-00041")

    result = add_entry(gb_db, customer_id="q3-00041", profile=LEAD)

    assert result.members_suppressed == 1
    assert _status(gb_db, member)[0] == MemberStatus.SUPPRESSED
    assert add_entry(gb_db, customer_id=" Q3-00041", profile=LEAD).already_listed
    assert find_active_entry(gb_db, customer_id="Q3-00041", profile=LEAD) == result.entry


def test_removing_an_id_entry_releases_the_customer_written_in_another_case(
    gb_db: Database,
) -> None:
    member = _customer_in_campaign(gb_db, phone="+447911123456", external_id="Q3-00041")
    entry = add_entry(gb_db, customer_id="q3-00041", profile=LEAD).entry

    remove_entry(gb_db, entry.id, reason="added by mistake", profile=LEAD)

    assert _status(gb_db, member)[0] == MemberStatus.TO_CALL


def test_the_import_suppresses_a_listed_id_written_in_another_case(
    gb_db: Database, tmp_path: Path
) -> None:
    add_entry(gb_db, customer_id="q3-00041", profile=LEAD)
    path = write_xlsx(
        tmp_path / "list.xlsx",
        {"List": [["Customer ID", "Name", "Phone"], ["Q3-00041 ", "Ada Byron", "07911 123456"]]},
    )

    summary = run_import(gb_db, path, ImportOptions(region="GB"))

    assert (summary.counts.suppressed, summary.counts.imported) == (1, 0)
    with gb_db.read_session() as session:
        assert session.scalars(select(Customer)).all() == []


def test_a_number_that_is_not_valid_for_the_region_is_refused_and_not_stored(
    gb_db: Database,
) -> None:
    # A possible length for a GB number, but not a number GB has.
    with pytest.raises(UserFacingError) as refused:
        add_entry(gb_db, phone="7829 80572", reason="asked", profile=LEAD)
    assert str(refused.value) == (
        '"7829 80572" is not a valid GB phone number: check the digits, or write it with its '
        "country code (+44 for GB)."
    )
    assert "\n" not in str(refused.value)
    with pytest.raises(UserFacingError, match=r'^"\+44 7700 900123" is not a valid phone number'):
        add_entry(gb_db, phone="+44 7700 900123", profile=LEAD)
    assert list_entries(gb_db, LEAD, include_removed=True) == []


def test_a_number_without_a_country_code_follows_the_databases_region_not_the_computers(
    gb_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("locale.getlocale", lambda *_: ("en_US", "UTF-8"))

    entry = add_entry(gb_db, phone="7829 805720", profile=LEAD).entry

    assert entry.phone == "+447829805720"


def test_a_suppression_file_reports_each_refused_number_with_its_row(
    gb_db: Database, tmp_path: Path
) -> None:
    member = _customer_in_campaign(gb_db, phone="+447911000444", external_id="C-9")
    add_entry(gb_db, customer_id="c-5", profile=LEAD)
    path = _write(
        tmp_path / "optouts.csv",
        "\n".join(
            [
                "Phone,Customer ID",
                "07911 000222,",
                "7829 80572,",  # row 3
                "0123,C-9",  # row 4
                ",C-5",
                "",
            ]
        ),
    )

    counts = import_suppression_file(gb_db, path, LEAD)

    assert (counts.rows_read, counts.added, counts.already_listed, counts.rejected) == (4, 2, 1, 1)
    assert [(p.row, p.reason) for p in counts.problems] == [
        (
            3,
            '"7829 80572" is not a valid GB phone number: check the digits, or write it with '
            "its country code (+44 for GB).",
        ),
        (
            4,
            '"0123" is not a valid GB phone number: check the digits, or write it with its '
            "country code (+44 for GB). The row's other values were listed.",
        ),
    ]
    listed = {(e.phone, e.customer_id) for e in list_entries(gb_db, LEAD)}
    assert listed == {("+447911000222", None), (None, "C-9"), (None, "c-5")}
    assert _status(gb_db, member)[0] == MemberStatus.SUPPRESSED
