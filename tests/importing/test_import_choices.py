"""What the import is told: which campaign exactly, and the database's date order."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.campaigns import (
    CampaignDraft,
    close_campaign,
    create_campaign,
    list_campaigns,
)
from lastmile_desktop.campaigns.database_settings import DatabaseSettings, save_database_settings
from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import CampaignTarget, ImportOptions
from lastmile_desktop.importing.service import inspect_file
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Campaign, CampaignMember
from tests.importing.service_support import (
    customer,
    customers_by_id,
    import_list,
    mobile,
    write_list,
)
from tests.spreadsheets.workbook_builders import write_xlsx

LEAD = Profile.lead()


def members_per_campaign(db: Database) -> dict[str, int]:
    with db.read_session() as session:
        rows = session.execute(
            select(Campaign.name, CampaignMember.id).join(
                CampaignMember, CampaignMember.campaign_id == Campaign.id
            )
        ).all()
    counts: dict[str, int] = {}
    for name, _member in rows:
        counts[name] = counts.get(name, 0) + 1
    return counts


def ambiguous_dates(tmp_path: Path) -> Path:
    header = ["Customer ID", "Phone", "Last visit"]
    rows = [["C1", mobile(1), "03/04/2024"], ["C2", mobile(2), "05/06/2024"]]
    return write_xlsx(tmp_path / "ambiguous.xlsx", {"S": [header, *rows]})


def test_the_database_date_order_reads_dates_the_column_leaves_open(
    db: Database, tmp_path: Path
) -> None:
    save_database_settings(db, DatabaseSettings("GB", 0, DateOrder.MONTH_FIRST))
    path = ambiguous_dates(tmp_path)

    preview = inspect_file(db, path, ImportOptions(region="GB"))
    assert preview.ambiguous_date_columns == []  # the setting answers the wizard's question
    summary = import_list(db, path)

    assert customers_by_id(db)["C1"].last_purchase_date == date(2024, 3, 4)
    assert any("as this database's date order setting says" in note for note in summary.notes)


def test_dayfirst_for_one_import_wins_over_the_database_date_order(
    db: Database, tmp_path: Path
) -> None:
    save_database_settings(db, DatabaseSettings("GB", 0, DateOrder.MONTH_FIRST))
    import_list(db, ambiguous_dates(tmp_path), date_order=DateOrder.DAY_FIRST)
    assert customers_by_id(db)["C1"].last_purchase_date == date(2024, 4, 3)


def test_a_column_that_settles_its_order_wins_over_the_database_date_order(
    db: Database, tmp_path: Path
) -> None:
    save_database_settings(db, DatabaseSettings("GB", 0, DateOrder.MONTH_FIRST))
    sheet = [["Customer ID", "Phone", "Last visit"], ["C1", mobile(1), "03/04/2024"]]
    sheet.append(["C2", mobile(2), "25/04/2024"])
    import_list(db, write_xlsx(tmp_path / "settled.xlsx", {"S": sheet}))
    assert customers_by_id(db)["C1"].last_purchase_date == date(2024, 4, 3)


def test_the_preview_names_the_target_campaign_and_the_open_ones_to_choose_from(
    db: Database, tmp_path: Path
) -> None:
    path = write_list(tmp_path / "spring list.xlsx", [customer(1)])
    first = inspect_file(db, path, ImportOptions(region="GB"))
    assert first.campaign == CampaignTarget(None, "spring list")
    assert first.open_campaigns == []

    older = create_campaign(db, CampaignDraft(name="Winter"), LEAD)
    newer = create_campaign(db, CampaignDraft(name="spring list"), LEAD)
    closed = create_campaign(db, CampaignDraft(name="Autumn"), LEAD)
    close_campaign(db, closed.id, LEAD)
    preview = inspect_file(db, path, ImportOptions(region="GB"))

    assert preview.campaign == CampaignTarget(newer.id, "spring list")
    assert preview.open_campaigns == [
        CampaignTarget(newer.id, "spring list"),
        CampaignTarget(older.id, "Winter"),
    ]
    assert preview.new_campaign_name == "spring list (2)"


def test_a_list_goes_exactly_into_the_campaign_chosen_not_the_newest(
    db: Database, tmp_path: Path
) -> None:
    older = create_campaign(db, CampaignDraft(name="Winter"), LEAD)
    create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    path = write_list(tmp_path / "list.xlsx", [customer(1), customer(2)])

    preview = inspect_file(db, path, ImportOptions(region="GB", campaign_id=older.id))
    summary = import_list(db, path, campaign_id=older.id)

    assert preview.campaign == CampaignTarget(older.id, "Winter")
    assert summary.campaign == "Winter"
    assert members_per_campaign(db) == {"Winter": 2}


def test_a_new_campaign_is_created_even_when_one_is_open(db: Database, tmp_path: Path) -> None:
    create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    path = write_list(tmp_path / "list.xlsx", [customer(1)])
    summary = import_list(db, path, campaign_name="June call-back", new_campaign=True)
    assert summary.campaign == "June call-back"
    assert members_per_campaign(db) == {"June call-back": 1}
    assert [info.name for info in list_campaigns(db)] == ["June call-back", "Spring"]


@pytest.mark.parametrize("name", ["Spring", "spring ", "Autumn"])
def test_a_new_campaign_with_a_taken_name_is_refused_and_nothing_is_written(
    db: Database, tmp_path: Path, name: str
) -> None:
    create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    closed = create_campaign(db, CampaignDraft(name="Autumn"), LEAD)
    close_campaign(db, closed.id, LEAD)
    path = write_list(tmp_path / "list.xlsx", [customer(1)])
    with pytest.raises(UserFacingError, match="already exists: choose it in the list"):
        import_list(db, path, campaign_name=name, new_campaign=True)
    assert members_per_campaign(db) == {}


def test_a_campaign_closed_after_it_was_chosen_is_refused(db: Database, tmp_path: Path) -> None:
    chosen = create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    create_campaign(db, CampaignDraft(name="Summer"), LEAD)
    close_campaign(db, chosen.id, LEAD)
    path = write_list(tmp_path / "list.xlsx", [customer(1)])
    with pytest.raises(UserFacingError, match='"Spring" was closed meanwhile'):
        import_list(db, path, campaign_id=chosen.id)
    assert members_per_campaign(db) == {}


def test_a_campaign_named_on_the_command_line_is_found_whatever_its_case(
    db: Database, tmp_path: Path
) -> None:
    create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    summary = import_list(
        db, write_list(tmp_path / "l.xlsx", [customer(1)]), campaign_name="spring"
    )
    assert summary.campaign == "Spring"
    assert members_per_campaign(db) == {"Spring": 1}
