"""Importing is the regional lead's job: the wizard says so to a store manager, in one line."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.import_wizard.page import Step
from tests.ui.import_wizard_helpers import (
    WAIT_MS,
    database_content,
    make_page,
    no_modal_dialog,
    walk_to_validation,
    write_workbook,
)

MANAGER = Profile.manager("Sam Shop", manager_id=1, store_id=1)
REFUSAL = "Only the regional lead can import customer lists."


def test_a_store_manager_opening_a_list_is_told_only_the_lead_imports(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    page.context.set_profile(MANAGER)
    before = database_content(db)

    page.open_file(write_workbook(tmp_path / "customers.xlsx"))
    qtbot.waitUntil(lambda: page.file_step.message.isVisibleTo(page), timeout=WAIT_MS)

    assert page.file_step.message.text() == REFUSAL
    assert page.file_step.message.tone == "error"
    assert page.current_step() is Step.FILE
    assert no_modal_dialog()
    assert database_content(db) == before


def test_switching_to_a_store_manager_clears_the_leads_file_and_saves_nothing(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, write_workbook(tmp_path / "customers.xlsx"))
    before = database_content(db)

    page.context.set_profile(MANAGER)
    assert page.current_step() is Step.FILE
    assert (page.path, page.preview, page.validated) == (None, None, None)
    assert page.file_step.drop_zone.title.text() == REFUSAL
    assert not page.file_step.drop_zone.choose_button.isEnabled()
    page.start_import()
    page.go_forward()  # Enter on the file step opens no picker for a manager

    assert not page.is_importing()
    assert no_modal_dialog()
    assert database_content(db) == before


def test_the_service_refuses_a_store_manager_whatever_the_screen_offers(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    walk_to_validation(qtbot, page, write_workbook(tmp_path / "customers.xlsx"))
    before = database_content(db)

    # The profile changes behind the page's back, as a stale window's would.
    page.context.profile = MANAGER
    page.start_import()
    qtbot.waitUntil(lambda: not page.is_importing(), timeout=WAIT_MS)

    assert page.current_step() is Step.VALIDATION
    status = page.validation_step.status.text()
    assert status.startswith(REFUSAL) and "\n" not in status
    assert database_content(db) == before
