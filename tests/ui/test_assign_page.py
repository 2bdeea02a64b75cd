from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QItemSelectionModel, QLocale, QMimeData, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import ownership_history
from lastmile_desktop.campaigns.members import MemberFilter, count_members
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    Customer,
    Manager,
    MemberStatus,
    Store,
)
from lastmile_desktop.ui.assign import actions as actions_module
from lastmile_desktop.ui.assign.dialogs import (
    PickStoreDialog,
    ReassignDialog,
    UnstaffedStoresDialog,
)
from lastmile_desktop.ui.assign.find_customer import FindCustomerDialog
from lastmile_desktop.ui.assign.member_model import (
    COLUMN_LAST_PURCHASE,
    COLUMN_NAME,
    COLUMN_SPEND,
    COLUMN_STORE,
    MEMBER_IDS_MIME,
    MemberTableModel,
    member_ids_from_mime,
)
from lastmile_desktop.ui.assign.overview import OverviewSelection
from lastmile_desktop.ui.assign.page import AssignPage
from lastmile_desktop.ui.assign.paged_model import SORT_ROLE
from lastmile_desktop.ui.assign.report_dialogs import AssignResultDialog, HistoryDialog
from lastmile_desktop.ui.campaigns.dnc_dialogs import ForgetCustomerDialog
from lastmile_desktop.ui.campaigns.manager_dialog import ManagerDialog
from lastmile_desktop.ui.context import AppContext

LEAD = Profile.lead()
FIRST_NAMES = ("Ann", "Ben", "Cara", "Dev", "Eve", "Finn", "Gita", "Hal", "Ida", "Jon")


@dataclass(frozen=True)
class Region:
    campaign_id: int
    leeds: int
    york: int
    sam: int
    alex: int
    priya: int


def build_region(db: Database, *, leeds: int = 10, york: int = 6, no_store: int = 3) -> Region:
    """Leeds (Sam, Alex) and York (Priya); a campaign whose members wait to be assigned."""
    with db.session() as session:
        leeds_store = Store(code="12", name="Leeds")
        york_store = Store(code="7", name="York")
        session.add_all([leeds_store, york_store])
        session.flush()
        sam = Manager(name="Sam Taylor", store_id=leeds_store.id)
        alex = Manager(name="Alex Moore", store_id=leeds_store.id)
        priya = Manager(name="Priya Shah", store_id=york_store.id)
        campaign = Campaign(name="Spring win-back", holdout_share=0.0)
        session.add_all([sam, alex, priya, campaign])
        session.flush()
        homes = [leeds_store.id] * leeds + [york_store.id] * york + [None] * no_store
        for number, home in enumerate(homes):
            customer = Customer(
                first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
                last_name=f"Smith{number:02d}",
                phone=f"+4477009001{number:02d}",
                home_store_id=home,
                lifetime_spend_cents=1000 * (number + 1),
            )
            session.add(customer)
            session.flush()
            session.add(
                CampaignMember(
                    campaign_id=campaign.id,
                    customer_id=customer.id,
                    store_id=home,
                    status=MemberStatus.UNASSIGNED,
                )
            )
        return Region(campaign.id, leeds_store.id, york_store.id, sam.id, alex.id, priya.id)


@pytest.fixture(autouse=True)
def _settings_in_a_temporary_file(qsettings_isolated: None) -> None:
    """The page remembers the last campaign in QSettings: never the user's own."""


def make_page(qtbot: QtBot, db: Database, profile: Profile = LEAD) -> AssignPage:
    page = AssignPage(AppContext(db, profile=profile))
    qtbot.addWidget(page)
    page.resize(1300, 800)
    return page


def assign(qtbot: QtBot, page: AssignPage) -> AssignResultDialog:
    with qtbot.waitSignal(page.controller.assignment_finished, timeout=10_000):
        page.assign_button.click()
    dialog = page.controller.dialog
    assert isinstance(dialog, AssignResultDialog)
    return dialog


def shown_names(page: AssignPage) -> list[str]:
    model = page.customers.model
    return [model.row_at(row).customer_name for row in range(model.rowCount())]


def select_rows(page: AssignPage, rows: list[int]) -> None:
    table = page.customers.table
    selection = table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(
            page.customers.model.index(row, COLUMN_NAME),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def overview_figures(page: AssignPage, selection: OverviewSelection) -> list[str]:
    item = page.customers.overview.item_for(selection)
    assert item is not None
    return [item.text(column) for column in range(1, 5)]


def test_without_a_campaign_the_page_says_what_to_do_next(qtbot: QtBot, db: Database) -> None:
    page = make_page(qtbot, db)
    assert page.campaign_combo.currentText() == "No campaign yet"
    assert not page.assign_button.isEnabled()
    assert page.customers.table_stack.currentWidget() is page.customers.empty_page
    assert "Import a customer list (Ctrl+O)" in page.customers.empty_page.text()


def test_assign_now_shows_the_per_store_counts(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = make_page(qtbot, db)
    assert page.campaign_id() == region.campaign_id
    assert page.customers.model.total == 19

    result = assign(qtbot, page)
    rows = {
        result.table.item(row, 0).text(): [result.table.item(row, c).text() for c in (1, 2, 3)]
        for row in range(result.table.rowCount())
    }
    assert rows == {"Leeds": ["10", "0", "10"], "York": ["6", "0", "6"]}
    managers = {result.table.item(row, 4).text() for row in range(result.table.rowCount())}
    assert managers == {"Alex Moore 5, Sam Taylor 5", "Priya Shah 6"}
    assert "3 have no store and wait in Unassigned" in result.summary.text()

    # The overview beside the table now says the same, per store and per manager.
    leeds = OverviewSelection(store_id=region.leeds)
    assert overview_figures(page, leeds) == ["10", "0", "0", "10"]
    assert overview_figures(page, OverviewSelection(region.leeds, region.sam)) == [
        "5",
        "",
        "0",
        "5",
    ]
    assert overview_figures(page, OverviewSelection(unassigned=True))[0] == "3"


def test_clicking_a_manager_in_the_overview_filters_the_table(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = make_page(qtbot, db)
    assign(qtbot, page)
    overview = page.customers.overview
    item = overview.item_for(OverviewSelection(region.leeds, region.alex))
    assert item is not None
    with qtbot.waitSignal(page.customers.filter_applied, timeout=1000) as signal:
        overview.setCurrentItem(item)
    assert signal.args[0].manager_id == region.alex
    assert page.customers.model.total == 5
    assert {page.customers.model.row_at(r).manager_name for r in range(5)} == {"Alex Moore"}
    assert page.customers.filters.manager_combo.currentText() == "Alex Moore"


def test_the_search_box_filters_by_name_after_a_pause(qtbot: QtBot, db: Database) -> None:
    build_region(db)
    page = make_page(qtbot, db)
    with qtbot.waitSignal(page.customers.filter_applied, timeout=1000):
        qtbot.keyClicks(page.customers.filters.search, "smith0")
    assert page.customers.model.total == 10
    with qtbot.waitSignal(page.customers.filter_applied, timeout=1000):
        qtbot.keyClicks(page.customers.filters.search, "3")
    assert shown_names(page) == ["Dev Smith03"]
    assert page.customers.count_label.text() == "1 customer"


def test_reassigning_a_selection_records_who_when_and_why(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = make_page(qtbot, db)
    assign(qtbot, page)
    page.customers.overview.select(OverviewSelection(region.leeds, region.sam))
    assert page.customers.model.total == 5
    select_rows(page, [0, 1, 2])
    moving = page.customers.selected_rows()
    assert page.customers.reassign_action.isEnabled()

    page.customers.reassign_action.trigger()
    dialog = page.controller.dialog
    assert isinstance(dialog, ReassignDialog)
    dialog.choose(region.alex)
    dialog.reason_edit.setText("Sam is on holiday")
    with qtbot.waitSignal(page.members_changed, timeout=1000):
        dialog.accept()

    assert page.customers.model.total == 2  # the table still shows Sam's customers
    assert page.message.text() == "3 customers moved: Alex Moore 3."
    for row in moving:
        last = ownership_history(db, LEAD, row.member_id)[-1]
        assert (last.from_manager, last.to_manager) == ("Sam Taylor", "Alex Moore")
        assert last.reason == "Sam is on holiday"
        assert last.changed_by == "Regional lead"
    assert overview_figures(page, OverviewSelection(region.leeds, region.alex))[0] == "8"


def test_dropping_rows_on_a_manager_reassigns_them(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = make_page(qtbot, db)
    assign(qtbot, page)
    page.customers.overview.select(OverviewSelection(region.leeds, region.sam))
    select_rows(page, [0])
    dragged = page.customers.model.mimeData(page.customers.table.selectionModel().selectedRows())
    assert dragged.hasFormat(MEMBER_IDS_MIME)
    member_ids = member_ids_from_mime(dragged)
    assert member_ids == [page.customers.selected_rows()[0].member_id]
    assert member_ids_from_mime(QMimeData()) == []

    with qtbot.waitSignal(page.members_changed, timeout=1000):
        page.customers.overview.members_dropped.emit(region.alex, member_ids)
    assert ownership_history(db, LEAD, member_ids[0])[-1].to_manager == "Alex Moore"


def test_resolving_the_unassigned_bucket_by_picking_a_store(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = make_page(qtbot, db)
    assign(qtbot, page)
    page.customers.overview.select(OverviewSelection(unassigned=True))
    assert page.customers.filters.store_combo.currentText() == "Unassigned"
    assert page.customers.model.total == 3
    assert not page.customers.pick_store_action.isEnabled()
    page.customers.table.selectAll()
    assert page.customers.pick_store_action.isEnabled()

    page.customers.pick_store_action.trigger()
    dialog = page.controller.dialog
    assert isinstance(dialog, PickStoreDialog)
    dialog.choose(region.york)
    with qtbot.waitSignal(page.members_changed, timeout=1000):
        dialog.accept()

    assert page.customers.model.total == 0
    assert page.customers.empty_hint.text().startswith("No customers match")
    york = MemberFilter(campaign_id=region.campaign_id, store_id=region.york)
    assert count_members(db, LEAD, york) == 9
    assert overview_figures(page, OverviewSelection(store_id=region.york))[0] == "9"
    assert page.customers.overview.item_for(OverviewSelection(unassigned=True)) is None


def test_a_store_manager_sees_only_their_store_and_can_hand_back(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    lead_page = make_page(qtbot, db)
    assign(qtbot, lead_page)

    priya = Profile.manager("Priya Shah", region.priya, region.york)
    page = make_page(qtbot, db, priya)
    assert page.customers.model.total == 6
    assert {page.customers.model.row_at(r).store_name for r in range(6)} == {"York"}
    stores = [
        page.customers.filters.store_combo.itemText(i)
        for i in range(page.customers.filters.store_combo.count())
    ]
    assert stores == ["York (7)"]
    assert not page.assign_button.isVisibleTo(page)
    assert not page.customers.pick_store_action.isVisible()
    assert page.customers.hand_back_action.isVisible()

    # Searching for a Leeds customer's name finds nothing: the service filters by profile.
    with qtbot.waitSignal(page.customers.filter_applied, timeout=1000):
        qtbot.keyClicks(page.customers.filters.search, "Smith00")
    assert page.customers.model.total == 0

    page.customers.filters.search.clear()
    qtbot.waitUntil(lambda: page.customers.model.total == 6, timeout=1000)
    select_rows(page, [0])
    handed = page.customers.selected_rows()[0]
    page.customers.hand_back_action.trigger()
    dialog = page.controller.dialog
    assert dialog is not None
    assert not dialog.ok_button.isEnabled()  # type: ignore[attr-defined]
    dialog.reason_edit.setPlainText("moved near Leeds")  # type: ignore[attr-defined]
    with qtbot.waitSignal(page.members_changed, timeout=1000):
        dialog.accept()
    assert page.customers.model.total == 5
    last = ownership_history(db, LEAD, handed.member_id)[-1]
    assert (last.to_store, last.reason, last.changed_by) == (None, "moved near Leeds", "Priya Shah")


def test_the_history_dialog_lists_every_change_of_owner(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = make_page(qtbot, db)
    assign(qtbot, page)
    page.customers.overview.select(OverviewSelection(region.leeds, region.sam))
    select_rows(page, [0])
    customer = page.customers.selected_rows()[0]
    page.controller.reassign([customer.member_id], region.alex, "covering a shift")

    page.customers.overview.select(OverviewSelection())  # the whole campaign
    with qtbot.waitSignal(page.customers.filter_applied, timeout=1000):
        page.customers.filters.search.setText(customer.customer_name)
    page.customers.table.selectRow(0)
    assert page.customers.current_row() is not None
    page.customers.history_action.trigger()
    dialog = page.controller.dialog
    assert isinstance(dialog, HistoryDialog)
    last = dialog.table.rowCount() - 1
    assert dialog.table.item(last, 2).text() == "Sam Taylor (Leeds)"
    assert dialog.table.item(last, 3).text() == "Alex Moore (Leeds)"
    assert dialog.table.item(last, 4).text() == "covering a shift"
    # The first line is Assign now giving the store's customer to Sam.
    assert [dialog.table.item(0, column).text() for column in (2, 3)] == [
        "Leeds",
        "Sam Taylor (Leeds)",
    ]


def test_forgetting_a_customer_needs_the_word_typed(qtbot: QtBot, db: Database) -> None:
    build_region(db)
    page = make_page(qtbot, db)
    with qtbot.waitSignal(page.customers.filter_applied, timeout=1000):
        qtbot.keyClicks(page.customers.filters.search, "Smith04")
    page.customers.table.selectRow(0)
    customer_id = page.customers.current_row().customer_id  # type: ignore[union-attr]
    page.customers.forget_action.trigger()
    dialog = page.controller.dialog
    assert isinstance(dialog, ForgetCustomerDialog)
    assert not dialog.forget_button.isEnabled()
    qtbot.keyClicks(dialog.confirm_edit, "FORGET")
    with qtbot.waitSignal(page.members_changed, timeout=1000):
        dialog.forget_button.click()
    with db.read_session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        assert (customer.first_name, customer.last_name, customer.phone) == (None, None, None)
    assert page.customers.model.total == 0  # the name no longer matches the search


def test_the_member_model_pages_sorts_in_sql_and_passes_the_model_tester(
    qtbot: QtBot, db: Database, qtmodeltester: ModelTester
) -> None:
    region = build_region(db, leeds=150, york=140, no_store=0)
    model = MemberTableModel()
    model.show_members(db, LEAD, MemberFilter(campaign_id=region.campaign_id))
    assert model.total == 290
    assert model.rowCount() == 200
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 290
    assert not model.canFetchMore()
    qtmodeltester.check(model, force_py=True)

    model.sort(COLUMN_SPEND, Qt.SortOrder.DescendingOrder)
    spends = [model.row_at(row).lifetime_spend_cents for row in range(model.rowCount())]
    assert spends[:3] == [290_000, 289_000, 288_000]
    assert model.index(0, COLUMN_SPEND).data(SORT_ROLE) == 290_000
    assert model.index(0, COLUMN_SPEND).data() == QLocale().toString(2900.0, "f", 2)
    assert model.rowCount() == 200  # a new sort starts again from the first page
    model.sort(COLUMN_STORE, Qt.SortOrder.AscendingOrder)
    assert model.row_at(0).store_name == "Leeds"
    assert model.index(0, COLUMN_LAST_PURCHASE).data() == ""
    model.refilter(search="Smith01")
    assert [model.row_at(row).customer_name for row in range(model.rowCount())] == ["Ben Smith01"]
    qtmodeltester.check(model, force_py=True)


def test_forget_from_the_do_not_call_tab_finds_the_customer_first(
    qtbot: QtBot, db: Database
) -> None:
    build_region(db)
    page = make_page(qtbot, db)
    page.tabs.setCurrentWidget(page.dnc_tab)
    page.dnc_tab.forget_button.click()
    finder = page.controller.dialog
    assert isinstance(finder, FindCustomerDialog)
    assert not finder.ok_button.isEnabled()
    with qtbot.waitSignal(finder.model.total_changed, timeout=1000):
        qtbot.keyClicks(finder.search, "07700 900 105")
    assert finder.chosen is not None
    assert finder.chosen.customer_name == "Finn Smith05"
    customer_id = finder.chosen.customer_id
    finder.accept()

    confirm = page.controller.dialog
    assert isinstance(confirm, ForgetCustomerDialog)
    qtbot.keyClicks(confirm.confirm_edit, "FORGET")
    with qtbot.waitSignal(page.members_changed, timeout=1000):
        confirm.forget_button.click()
    with db.read_session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None and customer.erased_at is not None
        assert customer.phone is None
    assert page.message.text().startswith("Finn Smith05's personal data was erased.")


def test_the_last_campaign_shown_is_remembered(qtbot: QtBot, db: Database) -> None:
    build_region(db)
    with db.session() as session:
        session.add(Campaign(name="Autumn return"))
    page = make_page(qtbot, db)
    autumn = page.campaign_combo.findText("Autumn return")
    page.campaign_combo.setCurrentIndex(autumn)
    assert page.customers.table_stack.currentWidget() is page.customers.empty_page
    again = make_page(qtbot, db)
    assert again.campaign_combo.currentText() == "Autumn return"


def test_cancelling_assign_now_changes_nothing(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_region(db)
    page = make_page(qtbot, db)
    real_assign = actions_module.assignment.assign_campaign

    def cancelled_at_once(*args: object, **kwargs: object) -> object:
        # As if the user pressed Cancel before the first step finished.
        task = page.controller.task
        assert task is not None
        task.cancel()
        return real_assign(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(actions_module.assignment, "assign_campaign", cancelled_at_once)
    page.assign_button.click()
    qtbot.waitUntil(lambda: "cancelled" in page.message.text(), timeout=10_000)

    assert "nothing was changed" in page.message.text()
    assert page.controller.progress_dialog is None
    with db.read_session() as session:
        drawn = session.scalars(
            select(CampaignMember.id).where(CampaignMember.group.is_not(None))
        ).all()
    assert drawn == []
    assert page.assign_button.isEnabled()


def test_the_unassigned_filter_shows_only_customers_without_a_store(
    qtbot: QtBot, db: Database
) -> None:
    build_region(db, leeds=10, york=6, no_store=3)
    page = make_page(qtbot, db)
    assert page.customers.model.total == 19  # nobody drawn yet

    page.customers.filters.show_place(None, None, unassigned=True)

    qtbot.waitUntil(lambda: page.customers.model.total == 3, timeout=5_000)
    model = page.customers.model
    assert {model.row_at(row).store_id for row in range(model.rowCount())} == {None}


def test_a_manager_hands_back_a_selection_of_customers_in_one_action(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    assign(qtbot, make_page(qtbot, db))
    priya = Profile.manager("Priya Shah", region.priya, region.york)
    page = make_page(qtbot, db, priya)
    assert page.customers.model.total == 6

    select_rows(page, [0, 1, 2])
    handed = [row.member_id for row in page.customers.selected_rows()]
    assert page.customers.hand_back_action.isEnabled()
    page.customers.hand_back_action.trigger()
    dialog = page.controller.dialog
    assert dialog is not None
    dialog.reason_edit.setPlainText("moved near Leeds")  # type: ignore[attr-defined]
    with qtbot.waitSignal(page.members_changed, timeout=1000):
        dialog.accept()

    assert page.customers.model.total == 3
    reasons = [ownership_history(db, LEAD, member)[-1].reason for member in handed]
    assert reasons == ["moved near Leeds"] * 3


def add_store_without_manager(db: Database, campaign_id: int, customers: int = 4) -> int:
    """Hull: a store an import created, with customers and nobody to call them."""
    with db.session() as session:
        hull = Store(code="9", name="Hull")
        session.add(hull)
        session.flush()
        for number in range(customers):
            customer = Customer(
                first_name="Hana",
                last_name=f"Hull{number:02d}",
                phone=f"+4477009002{number:02d}",
                home_store_id=hull.id,
            )
            session.add(customer)
            session.flush()
            session.add(
                CampaignMember(
                    campaign_id=campaign_id,
                    customer_id=customer.id,
                    store_id=hull.id,
                    status=MemberStatus.UNASSIGNED,
                )
            )
        return hull.id


def drawn_members(db: Database) -> int:
    with db.read_session() as session:
        return len(
            session.scalars(
                select(CampaignMember.id).where(CampaignMember.group.is_not(None))
            ).all()
        )


def test_assign_now_names_stores_without_a_manager_and_adds_one_before_running(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    hull = add_store_without_manager(db, region.campaign_id)
    page = make_page(qtbot, db)

    page.assign_button.click()

    check = page.controller.dialog
    assert isinstance(check, UnstaffedStoresDialog)
    assert check.store_list.text() == "<b>Hull</b>: 4 customers"
    assert drawn_members(db) == 0  # nothing runs before the lead answers
    check.add_button.click()
    add = page.controller.dialog
    assert isinstance(add, ManagerDialog)
    assert [add.store_combo.itemData(i) for i in range(add.store_combo.count())] == [hull]
    qtbot.keyClicks(add.name_edit, "Hana Brook")
    with qtbot.waitSignal(page.controller.assignment_finished, timeout=10_000) as finished:
        add.try_save()

    report = finished.args[0]
    assert report.changes.given_manager == 4 + 10 + 6
    with db.read_session() as session:
        owners = session.scalars(
            select(Manager.name)
            .join(CampaignMember, CampaignMember.manager_id == Manager.id)
            .where(CampaignMember.store_id == hull)
            .distinct()
        ).all()
    assert owners == ["Hana Brook"]
    assert page.message.text().startswith("20 customers drawn: 0 set aside as holdout, 20 into")


def test_assign_now_after_a_manager_joins_says_it_gave_the_waiting_customers_out(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    hull = add_store_without_manager(db, region.campaign_id)
    page = make_page(qtbot, db)
    page.assign_button.click()
    check = page.controller.dialog
    assert isinstance(check, UnstaffedStoresDialog)
    with qtbot.waitSignal(page.controller.assignment_finished, timeout=10_000):
        check.assign_button.click()
    assert "4 customers in the call group wait for a manager in Hull" in page.message.text()
    with db.session() as session:
        session.add(Manager(name="Hana Brook", store_id=hull))

    result = assign(qtbot, page)  # nobody waits without a manager now: no question first

    expected = "4 customers given to managers. 3 have no store and wait in Unassigned"
    assert page.message.text().startswith(expected)
    assert result.summary.text().startswith(expected)
    assert "nothing changed" not in page.message.text().lower()


def test_cancelling_the_question_about_stores_without_a_manager_changes_nothing(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    add_store_without_manager(db, region.campaign_id)
    page = make_page(qtbot, db)

    page.assign_button.click()
    check = page.controller.dialog
    assert isinstance(check, UnstaffedStoresDialog)
    check.reject()

    assert page.message.text() == "Assign now was not run: nothing changed."
    assert drawn_members(db) == 0
    assert page.assign_button.isEnabled()


def test_the_question_about_stores_without_a_manager_answers_to_its_shortcuts(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    add_store_without_manager(db, region.campaign_id)
    page = make_page(qtbot, db)
    page.show()
    qtbot.waitExposed(page)

    page.assign_button.click()
    check = page.controller.dialog
    assert isinstance(check, UnstaffedStoresDialog)
    assert "(Alt+A)" in check.assign_button.text()
    assert "(Alt+M)" in check.add_button.text()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is check, timeout=5000)
    with qtbot.waitSignal(page.controller.assignment_finished, timeout=10_000):
        qtbot.keyClick(check, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)

    assert drawn_members(db) == 10 + 6 + 4
