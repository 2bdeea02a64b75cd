"""The way on from the import summary: managers for the new stores, then assigning the list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager, list_managers
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CampaignMember, Store
from lastmile_desktop.ui.assign.dialogs import UnstaffedStoresDialog
from lastmile_desktop.ui.assign.page import AssignPage
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.import_wizard.page import ImportPage, Step
from lastmile_desktop.ui.main_window import MainWindow
from tests.ui.import_wizard_helpers import (
    WAIT_MS,
    make_page,
    press_next,
    press_shortcut,
    use_region,
    wait_for_step,
    walk_to_validation,
    write_workbook,
)

LEAD = Profile.lead()


def import_through(qtbot: QtBot, page: ImportPage, path: Path) -> None:
    walk_to_validation(qtbot, page, path)
    with qtbot.waitSignal(page.context.data_changed, timeout=WAIT_MS):
        press_next(qtbot, page)
    wait_for_step(qtbot, page, Step.SUMMARY)


def store_ids(db: Database) -> dict[str, int]:
    with db.read_session() as session:
        return {name: store_id for store_id, name in session.execute(select(Store.id, Store.name))}


def test_the_summary_names_the_new_stores_and_adds_a_manager_to_each_in_turn(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    page = make_page(qtbot, db)
    import_through(qtbot, page, write_workbook(tmp_path / "lapsed.xlsx"))
    summary = page.summary_step

    assert summary.stores_message.text() == (
        "This import created 2 stores: Store 12 and Store 14. No manager yet at Store 12 "
        "(2 waiting) and Store 14 (1 waiting): add managers so their customers can be given "
        "out when you assign."
    )
    assert summary.stores_message.tone == "warning"
    assert summary.add_managers_button.isVisibleTo(page)

    press_shortcut(qtbot, page, summary.add_managers_button, Qt.Key.Key_A)
    for name, store in (("Sam Taylor", "Store 12"), ("Priya Shah", "Store 14")):
        dialog = summary.manager_dialog
        assert dialog is not None
        assert dialog.store_combo.currentText() == store
        qtbot.keyClicks(dialog.name_edit, name)
        with qtbot.waitSignal(page.context.data_changed, timeout=WAIT_MS):
            dialog.try_save()

    assert summary.manager_dialog is None  # every store has a manager: no more asking
    assert [(m.name, m.store_name) for m in list_managers(db, LEAD)] == [
        ("Sam Taylor", "Store 12"),
        ("Priya Shah", "Store 14"),
    ]
    assert summary.stores_message.text() == "This import created 2 stores: Store 12 and Store 14."
    assert summary.stores_message.tone == "info"
    assert not summary.add_managers_button.isVisibleTo(page)
    assert summary.message.text() == "Priya Shah now manages Store 14."


def test_assign_these_customers_opens_the_assign_page_and_asks_about_stores_without_managers(
    qtbot: QtBot, db: Database, tmp_path: Path, qsettings_isolated: None
) -> None:
    use_region(db, "GB")
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    importer = window.pages["import"]
    assigner = window.pages["assign"]
    assert isinstance(importer, ImportPage) and isinstance(assigner, AssignPage)
    window.request_import(str(write_workbook(tmp_path / "lapsed.xlsx")))
    wait_for_step(qtbot, importer, Step.LAYOUT)
    importer.go_forward()
    importer.go_forward()
    wait_for_step(qtbot, importer, Step.VALIDATION)
    with qtbot.waitSignal(window.context.data_changed, timeout=WAIT_MS):
        importer.go_forward()
    wait_for_step(qtbot, importer, Step.SUMMARY)
    summary = importer.summary
    assert summary is not None and summary.campaign_id is not None
    add_manager(db, ManagerDraft("Sam Taylor", store_ids(db)["Store 12"]), LEAD)

    importer.summary_step.assign_button.click()

    assert window.current_page_key() == "assign"
    assert assigner.campaign_id() == summary.campaign_id
    check = assigner.controller.dialog
    assert isinstance(check, UnstaffedStoresDialog)
    assert check.store_list.text() == "<b>Store 14</b>: 1 customer"
    with qtbot.waitSignal(assigner.controller.assignment_finished, timeout=WAIT_MS) as done:
        check.assign_button.click()

    assert done.args[0].changes.given_manager == 2
    with db.read_session() as session:
        drawn = session.scalars(
            select(CampaignMember.id).where(CampaignMember.group.is_not(None))
        ).all()
    assert len(drawn) == 3
    assert "wait for a manager in Store 14" in assigner.message.text()
