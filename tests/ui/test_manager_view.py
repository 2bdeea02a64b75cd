"""A store manager's window: what is not theirs to do is disabled with the reason in its
tooltip (the services' own sentence), the holdout never appears by name, and the lead gets
their full view back on switching."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent
from PySide6.QtWidgets import QAbstractSpinBox, QWidget
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import INACTIVE_MANAGER, Profile
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.do_not_call import add_entry
from lastmile_desktop.campaigns.managers import deactivate_manager
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    Customer,
    Manager,
    MemberGroup,
    MemberStatus,
    Store,
)
from lastmile_desktop.ui import main_window as main_window_module
from lastmile_desktop.ui.assign.filters import ALL_ENTRY
from lastmile_desktop.ui.assign.overview import COLUMN_HOLDOUT, OverviewSelection
from lastmile_desktop.ui.assign.page import AssignPage
from lastmile_desktop.ui.campaigns.campaigns_tab import CampaignsTab
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.main_window import IMPORT_PAGE, IMPORT_TIP, MainWindow
from lastmile_desktop.ui.permissions import READ_ONLY_STYLE

LEAD = Profile.lead()
IMPORT_REFUSAL = "Only the regional lead can import customer lists."


@dataclass(frozen=True)
class Region:
    campaign: int
    leeds: int
    york: int
    sam: Profile  # manages Leeds
    priya: Profile  # manages York


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """Pages remember choices in QSettings: never the user's own."""


@pytest.fixture
def region(db: Database) -> Region:
    """Leeds (Sam) with 12 customers, York (Priya) with 8; a quarter held out in each."""
    with db.session() as session:
        leeds, york = Store(code="12", name="Leeds"), Store(code="7", name="York")
        session.add_all([leeds, york])
        session.flush()
        sam = Manager(name="Sam Taylor", store_id=leeds.id)
        priya = Manager(name="Priya Shah", store_id=york.id)
        campaign = Campaign(name="Spring win-back", holdout_share=0.25)
        session.add_all([sam, priya, campaign])
        session.flush()
        for number, store in enumerate([leeds.id] * 12 + [york.id] * 8):
            person = Customer(
                first_name=f"Person{number:02d}",
                last_name="Example",
                phone=f"+4474001002{number:02d}",
                home_store_id=store,
            )
            session.add(person)
            session.flush()
            session.add(
                CampaignMember(
                    campaign_id=campaign.id,
                    customer_id=person.id,
                    store_id=store,
                    status=MemberStatus.UNASSIGNED,
                )
            )
        ids = (campaign.id, leeds.id, york.id, sam.id, priya.id)
    assign_campaign(db, ids[0], LEAD, seed=5)
    return Region(
        campaign=ids[0],
        leeds=ids[1],
        york=ids[2],
        sam=Profile.manager("Sam Taylor", ids[3], ids[1]),
        priya=Profile.manager("Priya Shah", ids[4], ids[2]),
    )


def make_window(qtbot: QtBot, db: Database, profile: Profile) -> MainWindow:
    window = MainWindow(AppContext(db, profile=profile))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def make_page(qtbot: QtBot, db: Database, profile: Profile) -> AssignPage:
    page = AssignPage(AppContext(db, profile=profile))
    qtbot.addWidget(page)
    page.resize(1300, 800)
    return page


def file_drag(path: Path, mime: QMimeData) -> QDragEnterEvent:
    """A file dragged over the window; ``mime`` must outlive the event (Qt keeps a pointer)."""
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    event.ignore()
    return event


# Qt 6 marks the drag event's only constructor as deprecated; windows receive such events.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_manager_is_not_offered_the_import_and_the_tooltip_says_why(
    qtbot: QtBot,
    db: Database,
    region: Region,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    pickers: list[str] = []

    def picker(*_args: object) -> tuple[str, str]:
        pickers.append("opened")
        return "", ""

    monkeypatch.setattr(main_window_module.QFileDialog, "getOpenFileName", picker)
    mime = QMimeData()
    window = make_window(qtbot, db, region.sam)
    import_page = window.pages[IMPORT_PAGE]
    drop_zone = import_page.file_step.drop_zone  # type: ignore[attr-defined]
    import_item = window.navigation.item(0)

    assert window.current_page_key() != IMPORT_PAGE
    for action in (window.import_action, window.go_actions[IMPORT_PAGE]):
        assert not action.isEnabled()
        assert action.toolTip() == IMPORT_REFUSAL
    assert not import_item.flags() & Qt.ItemFlag.ItemIsEnabled
    assert import_item.toolTip() == IMPORT_REFUSAL
    assert not drop_zone.choose_button.isEnabled()
    assert drop_zone.choose_button.toolTip() == IMPORT_REFUSAL
    assert drop_zone.title.text() == IMPORT_REFUSAL

    assert window.import_action.shortcut().toString() == "Ctrl+O"
    window.import_action.trigger()  # as Ctrl+O or the File menu would
    window.go_actions[IMPORT_PAGE].trigger()  # Ctrl+1
    window.show_page(IMPORT_PAGE)
    drag = file_drag(tmp_path / "customers.xlsx", mime)
    window.dragEnterEvent(drag)
    assert pickers == []
    assert window.current_page_key() != IMPORT_PAGE
    assert not drag.isAccepted()

    window.context.set_profile(LEAD)
    assert window.import_action.isEnabled()
    assert window.import_action.toolTip() == IMPORT_TIP
    assert import_item.flags() & Qt.ItemFlag.ItemIsEnabled
    assert import_item.toolTip() == "Import (Ctrl+1)"
    assert drop_zone.choose_button.isEnabled()
    window.import_action.trigger()
    assert pickers == ["opened"]
    drag = file_drag(tmp_path / "customers.xlsx", mime)
    window.dragEnterEvent(drag)
    assert drag.isAccepted()


def test_a_manager_remembered_on_the_import_page_opens_on_another_page(
    qtbot: QtBot, db: Database, region: Region
) -> None:
    lead_window = make_window(qtbot, db, LEAD)
    lead_window.show_page(IMPORT_PAGE)
    lead_window.close()
    window = make_window(qtbot, db, region.sam)
    assert window.current_page_key() == "assign"


def test_lead_only_work_is_disabled_for_a_manager_with_the_reason_in_its_tooltip(
    qtbot: QtBot, db: Database, region: Region
) -> None:
    add_entry(db, phone="+447400100200", reason="asked", profile=LEAD)  # a Leeds customer
    page = make_page(qtbot, db, region.sam)
    tab = page.customers
    refusals = {
        page.assign_action: "Only the regional lead can assign a campaign's list.",
        tab.move_work_action: "Only the regional lead can move work between managers.",
        tab.rebalance_action: "Only the regional lead can rebalance the managers' lists.",
        tab.forget_action: "Only the regional lead can erase a customer's personal data.",
        page.dnc_tab.import_button: "Only the regional lead can import a suppression file.",
        page.dnc_tab.remove_button: (
            "Only the regional lead can remove entries from the do-not-call list."
        ),
        page.campaigns_tab.new_button: "Only the regional lead can create campaigns.",
        page.campaigns_tab.close_button: "Only the regional lead can close campaigns.",
        page.campaigns_tab.save_button: "Only the regional lead can change campaigns.",
        page.stores_tab.add_manager_button: "Only the regional lead can add managers.",
    }
    page.dnc_tab.table.selectRow(0)
    for target, sentence in refusals.items():
        assert not target.isEnabled(), sentence
        assert target.toolTip() == sentence
    assert not page.assign_button.isVisibleTo(page)
    # Store editing: Sam sees his own store only, and its code is the lead's to change.
    assert [store.name for store in page.stores_tab.stores] == ["Leeds"]
    assert page.stores_tab.code_edit.isReadOnly()
    assert "Only the regional lead can change a store's code." in (
        page.stores_tab.code_edit.toolTip()
    )
    assert not page.stores_tab.name_edit.isReadOnly()

    page.context.set_profile(LEAD)
    page.dnc_tab.table.selectRow(0)
    for target, sentence in refusals.items():
        assert target.toolTip() != sentence
    for enabled in (
        page.assign_action,
        page.dnc_tab.import_button,
        page.dnc_tab.remove_button,
        page.campaigns_tab.new_button,
        page.stores_tab.add_manager_button,
    ):
        assert enabled.isEnabled()


def test_switching_back_to_the_lead_clears_the_managers_store_filter(
    qtbot: QtBot, db: Database, region: Region
) -> None:
    page = make_page(qtbot, db, LEAD)
    filters = page.customers.filters
    assert page.customers.model.total == 20

    page.context.set_profile(region.priya)
    assert [filters.store_combo.itemText(i) for i in range(filters.store_combo.count())] == [
        "York (7)"
    ]
    assert page.customers.model.total == 6  # York's 8 less its 2 held out

    page.context.set_profile(LEAD)
    assert filters.store_combo.currentData() == ALL_ENTRY
    assert filters.choice().store_id is None
    assert page.customers.model.total == 20


def test_a_managers_table_and_filters_never_list_the_holdout(
    qtbot: QtBot, db: Database, region: Region
) -> None:
    page = make_page(qtbot, db, region.sam)
    model = page.customers.model
    rows = [model.row_at(row) for row in range(model.rowCount())]
    assert len(rows) == 9  # Leeds's 12 less its 3 held out
    assert {row.group for row in rows} == {MemberGroup.CALL}
    statuses = page.customers.filters.status_combo
    assert "Holdout" not in [statuses.itemText(i) for i in range(statuses.count())]
    leeds = page.customers.overview.item_for(OverviewSelection(store_id=region.leeds))
    assert leeds is not None
    assert leeds.text(COLUMN_HOLDOUT) == "3"

    page.context.set_profile(LEAD)
    assert "Holdout" in [statuses.itemText(i) for i in range(statuses.count())]
    assert page.customers.model.total == 20


def test_a_manager_sees_the_do_not_call_entries_of_their_stores_customers_only(
    qtbot: QtBot, db: Database, region: Region
) -> None:
    model = make_page(qtbot, db, LEAD).customers.model
    called = [
        row
        for row in (model.row_at(r) for r in range(model.rowCount()))
        if row.group is MemberGroup.CALL
    ]
    leeds_phone = next(row.phone for row in called if row.store_id == region.leeds)
    york_phone = next(row.phone for row in called if row.store_id == region.york)
    for phone in (leeds_phone, york_phone, "+447400100999"):
        add_entry(db, phone=phone, reason="asked", profile=LEAD)

    dnc = make_page(qtbot, db, region.sam).dnc_tab
    shown = [dnc.model.row_at(row).phone for row in range(dnc.model.rowCount())]
    assert shown == [leeds_phone]
    assert dnc.scope_hint.isVisibleTo(dnc)
    assert dnc.count_label.text() == "1 listed"

    dnc.context.set_profile(LEAD)
    assert dnc.model.rowCount() == 3
    assert not dnc.scope_hint.isVisibleTo(dnc)


def rendered_background(widget: QWidget) -> QColor:
    """The colour inside the field's frame, away from its text."""
    image = widget.grab().toImage()
    return image.pixelColor(image.width() - 5, image.height() // 2)


def test_read_only_campaign_fields_look_read_only(
    qtbot: QtBot, db: Database, region: Region
) -> None:
    tabs = {}
    for who, profile in (("lead", LEAD), ("manager", region.sam)):
        tab = CampaignsTab(AppContext(db, profile=profile))
        qtbot.addWidget(tab)
        tab.resize(1000, 700)
        tab.show()
        qtbot.waitExposed(tab)
        tab.select_campaign(region.campaign)
        tabs[who] = tab
    form = tabs["manager"].form
    fields = (
        form.name_edit,
        form.offer_edit,
        form.offer_code_edit,
        form.script_edit.editor,
        form.attribution_spin,
        form.max_attempts_spin,
        form.min_hours_spin,
        form.holdout_spin,
    )
    for field in fields:
        assert field.isReadOnly()
        assert field.isEnabled()  # readable and selectable, not greyed out
    for spin in (form.attribution_spin, form.holdout_spin):
        assert spin.buttonSymbols() == QAbstractSpinBox.ButtonSymbols.NoButtons
    assert not form.script_edit.insert_button.isEnabled()
    assert tabs["manager"].read_only_hint.isVisibleTo(tabs["manager"])
    assert "#eef1f3" in READ_ONLY_STYLE

    manager_colour = rendered_background(form.name_edit)
    lead_colour = rendered_background(tabs["lead"].form.name_edit)
    assert manager_colour == QColor("#eef1f3")
    assert lead_colour != manager_colour
    assert not tabs["lead"].form.name_edit.isReadOnly()


def test_a_deactivated_manager_is_told_why_and_offered_the_profile_picker(
    qtbot: QtBot, db: Database, region: Region
) -> None:
    window = make_window(qtbot, db, region.sam)
    deactivate_manager(db, region.sam.manager_id or 0, LEAD)  # the lead, in another window
    sentence = INACTIVE_MANAGER.format(name="Sam Taylor")

    with qtbot.waitSignal(window.context.profile_refused, timeout=2000) as refused:
        window.context.announce(Changed(ChangeKind.EXTERNAL))  # as the change watch does

    assert refused.args == [sentence]
    switcher = window.profile_switcher
    assert switcher.current_label.text() == sentence
    assert switcher.dialog is not None and switcher.dialog.isVisible()
    assert window.pages["assign"].customers.model.total == 0  # type: ignore[attr-defined]
    switcher.dialog.reject()
