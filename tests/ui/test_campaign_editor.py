from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QTextCharFormat
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign, list_campaigns
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager, list_managers
from lastmile_desktop.campaigns.stores import (
    StoreDraft,
    add_store,
    format_opening_hours,
    list_stores,
)
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    CallAttempt,
    CampaignMember,
    CampaignState,
    Customer,
    Manager,
    Store,
)
from lastmile_desktop.ui.campaigns.campaigns_tab import COLUMN_MEMBERS, CampaignsTab
from lastmile_desktop.ui.campaigns.stores_tab import STORE_NAME, StoresTab
from lastmile_desktop.ui.context import AppContext

LEAD = Profile.lead()


def make_tab(qtbot: QtBot, db: Database, profile: Profile | None = None) -> CampaignsTab:
    tab = CampaignsTab(AppContext(db, profile=profile))
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    return tab


def add_campaign(db: Database, name: str, **values: object) -> int:
    return create_campaign(db, CampaignDraft(name=name, **values), LEAD).id  # type: ignore[arg-type]


def log_first_call(db: Database, campaign_id: int) -> None:
    with db.session() as session:
        store = Store(code="12", name="Leeds")
        session.add(store)
        session.flush()
        manager = Manager(name="Sam Taylor", store_id=store.id)
        customer = Customer(first_name="Maria", phone="+441632960001", home_store_id=store.id)
        session.add_all([manager, customer])
        session.flush()
        member = CampaignMember(
            campaign_id=campaign_id,
            customer_id=customer.id,
            store_id=store.id,
            manager_id=manager.id,
            status="in_progress",
            attempts=1,  # called: the attempt below is counted on the member
        )
        session.add(member)
        session.flush()
        session.add(CallAttempt(member_id=member.id, manager_id=manager.id, outcome="no_answer"))


def test_a_new_campaign_starts_with_the_documented_defaults(qtbot: QtBot, db: Database) -> None:
    tab = make_tab(qtbot, db)
    form = tab.form
    assert tab.heading.text() == "New campaign"
    assert form.attribution_spin.value() == 30
    assert form.max_attempts_spin.value() == 3
    assert form.min_hours_spin.value() == 20
    assert form.holdout_spin.value() == 10.0
    assert form.holdout_spin.isEnabled()
    assert tab.empty_hint.isVisibleTo(tab)


def test_an_unknown_placeholder_is_listed_and_underlined_while_typing(
    qtbot: QtBot, db: Database
) -> None:
    tab = make_tab(qtbot, db)
    script = tab.form.script_edit
    with qtbot.waitSignal(script.unknown_changed, timeout=1000) as signal:
        qtbot.keyClicks(script.editor, "Hello {frist_name}, {store} misses you")
    assert signal.args == [["frist_name"]]
    assert script.unknown_label.isVisibleTo(tab)
    assert "{frist_name}" in script.unknown_label.text()
    assert "{store}" not in script.unknown_label.text()

    formats = script.editor.document().firstBlock().layout().formats()
    underlined = [
        (f.start, f.length)
        for f in formats
        if f.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
    ]
    assert underlined == [(6, len("{frist_name}"))]

    script.editor.selectAll()
    qtbot.keyClicks(script.editor, "Hello {first_name}")
    assert script.unknown() == []
    assert not script.unknown_label.isVisibleTo(tab)


def test_the_insert_menu_puts_a_known_placeholder_at_the_cursor(qtbot: QtBot, db: Database) -> None:
    tab = make_tab(qtbot, db)
    script = tab.form.script_edit
    qtbot.keyClicks(script.editor, "Hi ")
    first_name = next(a for a in script.insert_menu.actions() if "{first_name}" in a.text())
    first_name.trigger()
    assert script.text() == "Hi {first_name}"


def test_creating_a_campaign_in_the_editor_saves_what_was_typed(qtbot: QtBot, db: Database) -> None:
    tab = make_tab(qtbot, db)
    form = tab.form
    qtbot.keyClicks(form.name_edit, "Spring win-back")
    qtbot.keyClicks(form.offer_edit, "20% off your next visit")
    qtbot.keyClicks(form.offer_code_edit, "BACK20")
    qtbot.keyClicks(form.script_edit.editor, "Hello {first_name}")
    form.start_date.check.setChecked(True)
    form.start_date.edit.setDate(date(2025, 3, 1))
    form.max_attempts_spin.setValue(4)
    form.holdout_spin.setValue(15)
    assert tab.save_button.isEnabled()

    with qtbot.waitSignal(tab.campaign_saved, timeout=1000):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)

    [saved] = list_campaigns(db)
    assert saved.name == "Spring win-back"
    assert saved.offer == "20% off your next visit"
    assert saved.offer_code == "BACK20"
    assert saved.script == "Hello {first_name}"
    assert saved.start_date == date(2025, 3, 1)
    assert saved.end_date is None
    assert saved.max_attempts == 4
    assert saved.attribution_window_days == 30
    assert saved.holdout_share == 0.15
    assert saved.script_version == 1
    assert tab.heading.text() == "Spring win-back"
    assert tab.model.rowCount() == 1
    assert not tab.save_button.isEnabled()


def test_editing_the_script_records_a_new_script_version(qtbot: QtBot, db: Database) -> None:
    campaign_id = add_campaign(db, "Spring win-back", script="Hello {first_name}")
    tab = make_tab(qtbot, db)
    tab.show()
    qtbot.waitExposed(tab)
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)
    tab.select_campaign(campaign_id)
    tab.form.script_edit.editor.selectAll()
    qtbot.keyClicks(tab.form.script_edit.editor, "Good morning {first_name}")
    with qtbot.waitSignal(tab.campaign_saved, timeout=1000):
        qtbot.keyClick(
            tab.form.script_edit.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
        )
    [saved] = list_campaigns(db)
    assert saved.script == "Good morning {first_name}"
    assert saved.script_version == 2
    assert "script version 2" in tab.state_hint.text()


def test_calling_hours_are_edited_in_the_form_and_backwards_hours_explained(
    qtbot: QtBot, db: Database
) -> None:
    campaign_id = add_campaign(db, "Spring win-back")
    tab = make_tab(qtbot, db)
    tab.select_campaign(campaign_id)
    assert (tab.form.calling_from.time(), tab.form.calling_until.time()) == (
        QTime(8, 0),
        QTime(21, 0),
    )
    tab.form.calling_from.setTime(QTime(9, 30))
    tab.form.calling_until.setTime(QTime(19, 0))
    with qtbot.waitSignal(tab.campaign_saved, timeout=1000):
        tab.save()
    [saved] = list_campaigns(db)
    assert str(saved.calling_hours) == "09:30-19:00"

    tab.form.calling_until.setTime(QTime(7, 0))
    tab.save()
    assert "Calling hours end (07:00) before they start (09:30)" in tab.error_label.text()
    assert str(list_campaigns(db)[0].calling_hours) == "09:30-19:00"


def test_a_missing_name_is_explained_next_to_the_form(qtbot: QtBot, db: Database) -> None:
    tab = make_tab(qtbot, db)
    qtbot.keyClicks(tab.form.offer_edit, "A free coffee")
    tab.save()
    assert tab.error_label.isVisibleTo(tab)
    assert tab.error_label.text() == "Give the campaign a name."
    assert list_campaigns(db) == []


def test_the_holdout_share_is_locked_with_an_explanation_after_the_first_call(
    qtbot: QtBot, db: Database
) -> None:
    campaign_id = add_campaign(db, "Spring win-back")
    log_first_call(db, campaign_id)
    tab = make_tab(qtbot, db)
    tab.select_campaign(campaign_id)
    assert not tab.form.holdout_spin.isEnabled()
    assert tab.form.holdout_hint.text().startswith("Locked: calls have been logged")

    # Other values can still change, and saving keeps the share untouched.
    tab.form.max_attempts_spin.setValue(5)
    with qtbot.waitSignal(tab.campaign_saved, timeout=1000):
        tab.save()
    [saved] = list_campaigns(db)
    assert saved.max_attempts == 5
    assert saved.holdout_share == 0.10
    assert not tab.error_label.isVisibleTo(tab)


def test_closing_and_reopening_a_campaign(qtbot: QtBot, db: Database) -> None:
    campaign_id = add_campaign(db, "Spring win-back")
    tab = make_tab(qtbot, db)
    tab.select_campaign(campaign_id)
    assert tab.close_button.text() == "Close campaign"

    with qtbot.waitSignal(tab.campaign_saved, timeout=1000):
        tab.close_button.click()
    assert list_campaigns(db)[0].state is CampaignState.CLOSED
    assert tab.close_button.text() == "Reopen campaign"
    assert tab.state_hint.text().startswith("Closed")

    with qtbot.waitSignal(tab.campaign_saved, timeout=1000):
        tab.close_button.click()
    assert list_campaigns(db)[0].state is CampaignState.OPEN


def test_a_store_manager_reads_campaigns_but_cannot_change_them(qtbot: QtBot, db: Database) -> None:
    campaign_id = add_campaign(db, "Spring win-back")
    with db.session() as session:
        store = Store(code="12", name="Leeds")
        session.add(store)
        session.flush()
        store_id = store.id
    tab = make_tab(qtbot, db, Profile.manager("Sam Taylor", 1, store_id))
    tab.select_campaign(campaign_id)
    assert tab.form.name_edit.isReadOnly()
    assert not tab.new_button.isEnabled()
    assert not tab.close_button.isEnabled()
    assert tab.form.holdout_spin.isReadOnly()
    tab.save()
    assert list_campaigns(db)[0].name == "Spring win-back"


def test_the_campaign_list_model_passes_the_model_tester(
    qtbot: QtBot, db: Database, qtmodeltester: ModelTester
) -> None:
    for name in ("Spring win-back", "Autumn return", "Summer"):
        add_campaign(db, name)
    tab = make_tab(qtbot, db)
    qtmodeltester.check(tab.model, force_py=True)
    tab.model.sort(COLUMN_MEMBERS, Qt.SortOrder.DescendingOrder)
    tab.model.sort(0, Qt.SortOrder.AscendingOrder)
    names = [tab.model.row_at(row).name for row in range(tab.model.rowCount())]
    assert names == ["Autumn return", "Spring win-back", "Summer"]
    qtmodeltester.check(tab.model, force_py=True)


# -- the stores and managers tab ---------------------------------------------------------


def make_stores_tab(qtbot: QtBot, db: Database, profile: Profile | None = None) -> StoresTab:
    tab = StoresTab(AppContext(db, profile=profile))
    qtbot.addWidget(tab)
    tab.resize(1100, 700)
    return tab


def test_store_details_are_saved_with_time_zone_and_opening_hours(
    qtbot: QtBot, db: Database
) -> None:
    leeds = add_store(db, StoreDraft(name="Leeds", code="12"), LEAD).id
    tab = make_stores_tab(qtbot, db)
    assert tab.current is not None and tab.current.id == leeds
    tab.name_edit.setText("Leeds Kirkgate")
    tab.timezone_combo.setCurrentText("Europe/London")
    tab.hours_edit.setText("Mon-Fri 09:00-18:00, Sat 10:00-16:00")
    with qtbot.waitSignal(tab.stores_changed, timeout=1000):
        tab.save_store()
    [store] = list_stores(db)
    assert store.name == "Leeds Kirkgate"
    assert store.timezone == "Europe/London"
    assert format_opening_hours(store.opening_hours) == "Mon-Fri 09:00-18:00, Sat 10:00-16:00"


def test_unreadable_opening_hours_are_explained_and_nothing_is_saved(
    qtbot: QtBot, db: Database
) -> None:
    add_store(db, StoreDraft(name="Leeds", code="12"), LEAD)
    tab = make_stores_tab(qtbot, db)
    tab.hours_edit.setText("weekdays nine to five")
    tab.save_store()
    assert tab.store_error.text().startswith('Could not read "weekdays nine to five"')
    assert list_stores(db)[0].opening_hours is None


def test_adding_a_manager_and_marking_them_as_left(qtbot: QtBot, db: Database) -> None:
    leeds = add_store(db, StoreDraft(name="Leeds", code="12"), LEAD).id
    tab = make_stores_tab(qtbot, db)
    assert tab.manager_hint.text().startswith("No managers at this store yet")
    tab.add_manager()
    dialog = tab.open_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.name_edit, "Sam Taylor")
    qtbot.keyClicks(dialog.email_edit, "sam@example.com")
    with qtbot.waitSignal(tab.stores_changed, timeout=1000):
        dialog.try_save()
    [sam] = list_managers(db, LEAD, store_id=leeds)
    assert (sam.name, sam.email) == ("Sam Taylor", "sam@example.com")
    assert tab.selected_manager() == sam
    assert tab.store_model.row_at(0).active_managers == 1

    with qtbot.waitSignal(tab.stores_changed, timeout=1000):
        tab.deactivate_button.click()
    assert list_managers(db, LEAD, store_id=leeds) == []
    assert list_managers(db, LEAD, store_id=leeds, include_inactive=True)[0].active is False
    assert tab.show_left_check.isChecked()
    assert tab.deactivate_button.text() == "Reactivate"


def test_a_manager_edits_their_own_store_but_not_its_code_or_its_managers(
    qtbot: QtBot, db: Database
) -> None:
    leeds = add_store(db, StoreDraft(name="Leeds", code="12"), LEAD).id
    add_store(db, StoreDraft(name="York", code="7"), LEAD)
    sam = add_manager(db, ManagerDraft("Sam Taylor", leeds), LEAD)
    tab = make_stores_tab(qtbot, db, Profile.manager(sam.name, sam.id, leeds))
    assert tab.current is not None and tab.current.id == leeds
    assert [store.name for store in tab.store_model.loaded_rows()] == ["Leeds"]
    assert tab.code_edit.isReadOnly()
    assert not tab.name_edit.isReadOnly()
    assert not tab.add_manager_button.isEnabled()
    assert not tab.add_store_button.isVisibleTo(tab)


def test_a_store_panel_names_the_store_once_and_lists_stores_numerically(
    qtbot: QtBot, db: Database
) -> None:
    for code in ("12", "3", "100"):
        add_store(db, StoreDraft(name=f"Store {code}", code=code), LEAD)
    tab = make_stores_tab(qtbot, db)

    assert [store.name for store in tab.store_model.loaded_rows()] == [
        "Store 3",
        "Store 12",
        "Store 100",
    ]
    assert tab.details_box.title() == "Store 3"
    tab.store_model.sort(STORE_NAME, Qt.SortOrder.DescendingOrder)
    assert [store.name for store in tab.store_model.loaded_rows()] == [
        "Store 100",
        "Store 12",
        "Store 3",
    ]
