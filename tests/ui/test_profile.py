from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager, deactivate_manager
from lastmile_desktop.campaigns.stores import StoreDraft, add_store
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Customer
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.main_window import MainWindow
from lastmile_desktop.ui.profile import (
    SETTINGS_LAST_PROFILE,
    ProfileDialog,
    choose_profile_at_start,
    remember_profile,
    remembered_profile,
)

LEAD = Profile.lead()


def add_region(db: Database) -> tuple[int, int, int]:
    """Two stores; Sam and Alex at Leeds, Priya at York. Returns the three manager ids."""
    leeds = add_store(db, StoreDraft(name="Leeds", code="12"), LEAD).id
    york = add_store(db, StoreDraft(name="York", code="7"), LEAD).id
    sam = add_manager(db, ManagerDraft("Sam Taylor", leeds), LEAD).id
    alex = add_manager(db, ManagerDraft("Alex Moore", leeds), LEAD).id
    priya = add_manager(db, ManagerDraft("Priya Shah", york), LEAD).id
    return sam, alex, priya


def test_the_picker_offers_the_lead_then_each_active_manager_with_their_store(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    _sam, alex, _priya = add_region(db)
    deactivate_manager(db, alex, LEAD)
    dialog = ProfileDialog(db)
    qtbot.addWidget(dialog)
    labels = [dialog.list.item(row).text() for row in range(dialog.list.count())]
    assert labels == [
        "Regional lead — sees every store",
        "Sam Taylor — Leeds (12)",
        "Priya Shah — York (7)",
    ]
    assert dialog.selected_profile() == LEAD


def test_no_question_is_asked_when_the_database_has_no_managers(
    db: Database, qsettings_isolated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(_self: QDialog) -> int:
        raise AssertionError("the picker must not open without managers")

    monkeypatch.setattr(ProfileDialog, "exec", fail)
    assert choose_profile_at_start(db) == LEAD


def test_the_chosen_profile_is_remembered_for_next_time(
    db: Database, qsettings_isolated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam, _alex, _priya = add_region(db)

    def pick_sam(self: ProfileDialog) -> int:
        self.list.setCurrentRow([p.manager_id for p in self.profiles].index(sam))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ProfileDialog, "exec", pick_sam)
    chosen = choose_profile_at_start(db)
    assert chosen.manager_id == sam
    assert chosen.name == "Sam Taylor"
    assert QSettings().value(SETTINGS_LAST_PROFILE) == f"manager:{sam}"
    assert remembered_profile(db) == chosen

    # Next start: the picker opens on Sam; cancelling keeps him.
    seen: list[Profile] = []

    def cancel(self: ProfileDialog) -> int:
        seen.append(self.selected_profile())
        return QDialog.DialogCode.Rejected.value

    monkeypatch.setattr(ProfileDialog, "exec", cancel)
    assert choose_profile_at_start(db) == chosen
    assert seen == [chosen]


def test_a_manager_who_left_is_not_remembered(db: Database, qsettings_isolated: None) -> None:
    sam, _alex, _priya = add_region(db)
    remember_profile(Profile.manager("Sam Taylor", sam, 1))
    deactivate_manager(db, sam, LEAD)
    assert remembered_profile(db) is None


def test_ctrl_shift_p_switches_profile_and_tells_the_pages(
    qtbot: QtBot, db: Database, qsettings_isolated: None
) -> None:
    _sam, _alex, priya = add_region(db)
    with db.session() as session:
        session.add(Customer(first_name="Grace", phone="+441632960001"))
    context = AppContext(db)
    window = MainWindow(context)
    qtbot.addWidget(window)
    switcher = window.profile_switcher
    assert switcher.switch_action.shortcut().toString() == "Ctrl+Shift+P"
    assert switcher.current_label.text() == "Working as Regional lead — sees every store"

    switcher.switch_action.trigger()
    dialog = switcher.dialog
    assert dialog is not None
    # The lead, then managers by store code: Alex and Sam (Leeds, 12), then Priya (York, 7).
    dialog.list.setCurrentRow(3)
    chosen = dialog.selected_profile()
    assert chosen.manager_id == priya
    with qtbot.waitSignal(context.profile_changed, timeout=1000) as signal:
        dialog.accept()
    assert signal.args == [chosen]
    assert context.profile == chosen
    assert switcher.current_label.text() == "Working as Priya Shah — York (7)"
    assert QSettings().value(SETTINGS_LAST_PROFILE) == f"manager:{priya}"
