"""The wizard's phone region on the Columns step and its campaign on the Check step.

The computer's locale is set per test by replacing ``countries.locale_name``; the database's
region is left unset unless a test sets it, so the numbers decide as they would on a new PC.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lastmile_desktop import countries
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Campaign, CampaignMember, Customer
from lastmile_desktop.ui.import_wizard.page import ImportPage, Step
from lastmile_desktop.ui.import_wizard.validation_step import NEW_CAMPAIGN
from tests.ui.import_wizard_helpers import (
    ROWS,
    WAIT_MS,
    choose_in_combo,
    choose_region,
    make_page,
    press_back,
    press_next,
    wait_for_step,
    walk_to_mapping,
    walk_to_validation,
    write_workbook,
)

LEAD = Profile.lead()
UK_SENTENCE = "3 of 3 numbers written without a country code are valid UK numbers."
UK_NOTE = (
    "Phone numbers read as UK numbers (GB): 3 of 3 written without a country code are valid "
    "UK numbers."
)


def on_a_machine_with_locale(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(countries, "locale_name", lambda: name)


def import_and_wait(qtbot: QtBot, page: ImportPage) -> None:
    with qtbot.waitSignal(page.context.data_changed, timeout=WAIT_MS):
        press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.SUMMARY)


def text_on_page(page: ImportPage) -> str:
    return " ".join(label.text() for label in page.findChildren(QLabel))


def members_per_campaign(db: Database) -> dict[str, int]:
    with db.read_session() as session:
        names = session.scalars(
            select(Campaign.name).join(CampaignMember, CampaignMember.campaign_id == Campaign.id)
        ).all()
    return {name: names.count(name) for name in set(names)}


@pytest.mark.parametrize("locale_name", ["en_US.UTF-8", "C"])
def test_a_uk_list_on_a_machine_with_another_locale_reads_as_uk_numbers_in_the_wizard(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locale_name: str
) -> None:
    on_a_machine_with_locale(monkeypatch, locale_name)
    page = make_page(qtbot, db, region=None)
    walk_to_mapping(qtbot, page, write_workbook(tmp_path / "lapsed.xlsx"))

    row = page.mapping_step.region_row
    assert row.picker.region() == "GB"
    assert row.picker.currentText() == "United Kingdom (GB)"
    assert row.sentence.text() == f"Worked out from the numbers: {UK_SENTENCE}"
    assert not row.advice.isVisibleTo(page)

    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.VALIDATION)
    assert page.validated is not None and page.validated.counts.imported == 3
    assert UK_NOTE in page.validation_step.notes.text()

    import_and_wait(qtbot, page)
    assert page.summary is not None and UK_NOTE in page.summary.notes
    with db.read_session() as session:
        phones = set(session.scalars(select(Customer.phone)))
    assert phones == {"+447911123401", "+447911123402", "+447911123403"}


def test_choosing_another_region_checks_every_row_again_and_the_import_uses_it(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_machine_with_locale(monkeypatch, "en_GB.UTF-8")
    page = make_page(qtbot, db, region=None)
    walk_to_mapping(qtbot, page, write_workbook(tmp_path / "lapsed.xlsx", ROWS[:4]))
    row = page.mapping_step.region_row
    assert row.picker.region() == "GB"

    choose_region(qtbot, row.picker, "US")
    qtbot.waitUntil(lambda: row.sentence.text().startswith("Chosen by you"), timeout=WAIT_MS)
    wait_for_step(qtbot, page, Step.MAPPING)

    assert row.sentence.text() == (
        "Chosen by you: 0 of 3 numbers written without a country code are valid US numbers."
    )
    assert row.advice.isVisibleTo(page)
    assert "they would be valid in GB" in row.advice.text()
    assert "choose it in Phone region (Alt+R)" in row.advice.text()
    assert "--region" not in text_on_page(page)

    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.VALIDATION)
    assert page.validated is not None
    assert page.validated.counts.imported == 1  # the one number written with +44
    assert "--region" not in text_on_page(page)

    press_back(qtbot, page)
    wait_for_step(qtbot, page, Step.MAPPING)
    choose_region(qtbot, row.picker, "GB")
    qtbot.waitUntil(lambda: "valid UK numbers" in row.sentence.text(), timeout=WAIT_MS)
    press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.VALIDATION)
    import_and_wait(qtbot, page)
    assert page.summary is not None and page.summary.counts.imported == 3
    assert page.summary.phone_region.region == "GB"
    assert not page.summary.phone_region.worked_out


def test_alt_r_on_the_columns_step_goes_to_the_region_picker(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    walk_to_mapping(qtbot, page, write_workbook(tmp_path / "lapsed.xlsx"))
    qtbot.keyClick(page, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(
        lambda: QApplication.focusWidget() is page.mapping_step.region_row.picker,
        timeout=WAIT_MS,
    )


def test_the_check_step_shows_the_newest_open_campaign_and_imports_into_the_one_chosen(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    winter = create_campaign(db, CampaignDraft(name="Winter"), LEAD)
    create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, write_workbook(tmp_path / "lapsed.xlsx"))

    combo = page.validation_step.campaign.combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Spring", "Winter", NEW_CAMPAIGN]
    assert combo.currentText() == "Spring"
    assert not page.validation_step.campaign.name_edit.isVisibleTo(page)

    with qtbot.waitSignal(page.validation_step.campaign.campaign_changed, timeout=WAIT_MS):
        choose_in_combo(qtbot, combo, 1)
    qtbot.waitUntil(
        lambda: page.validated is not None and page.validated.campaign.id == winter.id,
        timeout=WAIT_MS,
    )
    wait_for_step(qtbot, page, Step.VALIDATION)
    import_and_wait(qtbot, page)

    assert page.summary is not None and page.summary.campaign == "Winter"
    assert members_per_campaign(db) == {"Winter": 3}


def test_a_new_campaign_named_on_the_check_step_is_created_for_the_list(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, write_workbook(tmp_path / "lapsed.xlsx"))
    choice = page.validation_step.campaign

    choose_in_combo(qtbot, choice.combo, 1)
    assert choice.combo.currentText() == NEW_CAMPAIGN
    assert choice.name_edit.isVisibleTo(page)
    assert choice.name_edit.text() == "lapsed"  # from the file's name
    wait_for_step(qtbot, page, Step.VALIDATION)

    choice.name_edit.selectAll()
    qtbot.keyClicks(choice.name_edit, "June call-back")
    import_and_wait(qtbot, page)

    assert page.summary is not None and page.summary.campaign == "June call-back"
    assert members_per_campaign(db) == {"June call-back": 3}


def test_a_new_campaign_named_like_an_open_one_is_not_imported(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    create_campaign(db, CampaignDraft(name="Spring"), LEAD)
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, write_workbook(tmp_path / "lapsed.xlsx"))
    choice = page.validation_step.campaign
    choose_in_combo(qtbot, choice.combo, 1)
    wait_for_step(qtbot, page, Step.VALIDATION)

    choice.name_edit.selectAll()
    qtbot.keyClicks(choice.name_edit, "spring")

    assert not page.next_button.isEnabled()
    problem = page.validation_step.campaign_problem
    assert problem.isVisibleTo(page)
    assert 'A campaign called "spring" is already open' in problem.text()
    choice.name_edit.clear()
    qtbot.keyClicks(choice.name_edit, " ")
    assert "Type a name for the new campaign" in problem.text()
    assert not page.next_button.isEnabled()
    assert members_per_campaign(db) == {}


def test_without_campaigns_the_check_step_offers_a_new_one_named_after_the_file(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, write_workbook(tmp_path / "spring list.xlsx"))
    choice = page.validation_step.campaign
    assert choice.combo.currentText() == NEW_CAMPAIGN
    assert choice.name_edit.text() == "spring list"
    import_and_wait(qtbot, page)
    assert members_per_campaign(db) == {"spring list": 3}
