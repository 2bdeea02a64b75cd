from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.do_not_call import add_entry, list_entries
from lastmile_desktop.data_settings import DEFAULT_REGION_KEY, set_setting
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.campaigns.dnc_dialogs import AddEntryDialog
from lastmile_desktop.ui.campaigns.dnc_tab import COLUMN_PHONE, COLUMN_STATUS, DncTab
from lastmile_desktop.ui.context import AppContext
from tests.campaigns import campaign_data

LEAD = Profile.lead()


def make_tab(qtbot: QtBot, db: Database, profile: Profile | None = None) -> DncTab:
    tab = DncTab(AppContext(db, profile=profile))
    qtbot.addWidget(tab)
    tab.resize(1000, 600)
    return tab


def shown_phones(tab: DncTab) -> list[str]:
    return [tab.model.row_at(row).phone or "" for row in range(tab.model.rowCount())]


def test_an_empty_list_says_how_to_start(qtbot: QtBot, db: Database) -> None:
    tab = make_tab(qtbot, db)
    assert tab.model.rowCount() == 0
    assert tab.empty_hint.isVisibleTo(tab)
    assert "Ctrl+N" in tab.empty_hint.text()
    assert tab.count_label.text() == "0 listed"


def test_adding_a_number_stores_it_in_international_form(qtbot: QtBot, db: Database) -> None:
    tab = make_tab(qtbot, db)
    dialog = tab.add_entry()
    assert isinstance(dialog, AddEntryDialog)
    qtbot.keyClicks(dialog.phone_edit, "+44 7400 100123")
    qtbot.keyClicks(dialog.reason_edit, "asked on the phone")
    with qtbot.waitSignal(tab.list_changed, timeout=1000):
        dialog.try_save()
    assert shown_phones(tab) == ["+447400100123"]
    [entry] = list_entries(db, LEAD)
    assert entry.reason == "asked on the phone"
    assert entry.added_by == "Regional lead"
    assert tab.status_label.text() == "+447400100123 is on the do-not-call list."
    assert not tab.empty_hint.isVisibleTo(tab)


def test_a_number_that_cannot_be_dialled_keeps_the_dialog_open_with_the_reason(
    qtbot: QtBot, db: Database
) -> None:
    tab = make_tab(qtbot, db)
    dialog = tab.add_entry()
    assert isinstance(dialog, AddEntryDialog)
    qtbot.keyClicks(dialog.phone_edit, "12")
    dialog.try_save()
    assert dialog.isVisible()
    assert dialog.error_label.text().startswith('"12" is not')
    assert list_entries(db, LEAD) == []


def test_a_number_that_is_only_possible_is_refused_in_the_dialog_with_one_line(
    qtbot: QtBot, db: Database
) -> None:
    with db.session() as session:
        set_setting(session, DEFAULT_REGION_KEY, "GB")
    tab = make_tab(qtbot, db)
    dialog = tab.add_entry()
    assert isinstance(dialog, AddEntryDialog)
    qtbot.keyClicks(dialog.phone_edit, "7829 80572")
    dialog.try_save()
    assert dialog.isVisible()
    assert dialog.error_label.text() == (
        '"7829 80572" is not a valid GB phone number: check the digits, or write it with its '
        "country code (+44 for GB)."
    )
    assert list_entries(db, LEAD) == []


def test_removing_an_entry_needs_a_reason_that_is_kept(qtbot: QtBot, db: Database) -> None:
    add_entry(db, phone="+447400100123", reason="asked", profile=LEAD)
    add_entry(db, phone="+447400100456", reason="complained", profile=LEAD)
    tab = make_tab(qtbot, db)
    tab.table.selectRow(shown_phones(tab).index("+447400100123"))
    dialog = tab.remove_selected()
    assert dialog is not None
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "added by mistake")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(tab.list_changed, timeout=1000):
        dialog.accept()
    assert shown_phones(tab) == ["+447400100456"]

    tab.show_removed_check.setChecked(True)
    assert sorted(shown_phones(tab)) == ["+447400100123", "+447400100456"]
    removed_row = shown_phones(tab).index("+447400100123")
    status = tab.model.index(removed_row, COLUMN_STATUS).data()
    assert status.startswith("Removed ")
    assert status.endswith("by Regional lead: added by mistake")


def test_importing_a_suppression_file_lists_its_numbers_and_counts_them(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    add_entry(db, phone="+447400100123", reason="asked", profile=LEAD)
    csv = tmp_path / "head office suppression.csv"
    csv.write_text(
        "Phone,Reason\n+44 7400 100123,complaint\n+44 7400 100789,moved away\nnot a number,\n",
        encoding="utf-8",
    )
    tab = make_tab(qtbot, db)
    with qtbot.waitSignal(tab.import_finished, timeout=5000) as signal:
        tab.import_file(csv)
    counts = signal.args[0]
    assert (counts.rows_read, counts.added, counts.already_listed, counts.rejected) == (3, 1, 1, 1)
    assert sorted(shown_phones(tab)) == ["+447400100123", "+447400100789"]
    assert tab.status_label.text().startswith("head office suppression.csv: 3 rows read")
    assert tab.import_button.isEnabled()


def test_the_search_box_filters_by_part_of_a_number(qtbot: QtBot, db: Database) -> None:
    add_entry(db, phone="+447400100123", reason="asked", profile=LEAD)
    add_entry(db, phone="+447400100456", reason="complained", profile=LEAD)
    tab = make_tab(qtbot, db)
    with qtbot.waitSignal(tab.search.search_changed, timeout=1000):
        qtbot.keyClicks(tab.search, "100 456")
    assert shown_phones(tab) == ["+447400100456"]
    assert tab.count_label.text() == "1 shown"


def test_a_store_manager_may_add_but_not_remove_or_import(qtbot: QtBot, db: Database) -> None:
    with db.session() as session:
        store = campaign_data.add_store(session, "12")
        sam = campaign_data.add_manager(session, store, "Sam Taylor")
        customer = campaign_data.add_customer(session, phone="+447400100123")
        campaign = campaign_data.add_campaign(session)
        campaign_data.add_member(session, campaign, customer, store_id=store, manager_id=sam)
    add_entry(db, phone="+447400100123", reason="asked", profile=LEAD)
    tab = make_tab(qtbot, db, Profile.manager("Sam Taylor", sam, store))
    assert shown_phones(tab) == ["+447400100123"]
    tab.table.selectRow(0)
    assert tab.add_button.isEnabled()
    assert not tab.import_button.isEnabled()
    assert not tab.remove_button.isEnabled()
    assert tab.remove_selected() is None


def test_the_do_not_call_model_passes_the_model_tester(
    qtbot: QtBot, db: Database, qtmodeltester: ModelTester
) -> None:
    for phone in ("+447400100123", "+447400100456", "+447400100789"):
        add_entry(db, phone=phone, reason="asked", profile=LEAD)
    tab = make_tab(qtbot, db)
    qtmodeltester.check(tab.model, force_py=True)
    tab.model.sort(COLUMN_PHONE, Qt.SortOrder.AscendingOrder)
    assert shown_phones(tab) == ["+447400100123", "+447400100456", "+447400100789"]
    qtmodeltester.check(tab.model, force_py=True)
