from __future__ import annotations

import sys
from types import TracebackType

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.campaigns import (
    CampaignDraft,
    CampaignInfo,
    close_campaign,
    create_campaign,
    get_campaign,
    reopen_campaign,
)
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager, list_managers
from lastmile_desktop.campaigns.stores import StoreDraft, add_store
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.progress import Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CampaignState
from lastmile_desktop.ui.actions import UndoStep, UserAction
from lastmile_desktop.ui.campaigns.campaigns_tab import CampaignsTab
from lastmile_desktop.ui.campaigns.stores_tab import StoresTab
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext

LEAD = Profile.lead()


class ReportedBugs:
    """Stands in for the app's error reporter (sys.excepthook)."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    def __call__(
        self, _type: type[BaseException], error: BaseException, _tb: TracebackType | None
    ) -> None:
        self.errors.append(error)


@pytest.fixture
def bugs(monkeypatch: pytest.MonkeyPatch) -> ReportedBugs:
    reporter = ReportedBugs()
    monkeypatch.setattr(sys, "excepthook", reporter)
    return reporter


@pytest.fixture
def context(db: Database) -> AppContext:
    return AppContext(db)


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def new_campaign(db: Database, name: str = "Spring win-back") -> CampaignInfo:
    return create_campaign(db, CampaignDraft(name=name), LEAD)


def test_a_successful_action_announces_what_changed_then_hands_over_its_result(
    qtbot: QtBot, db: Database, context: AppContext, parent: QWidget, bugs: ReportedBugs
) -> None:
    campaign = new_campaign(db)
    seen: list[str] = []
    context.changed.connect(lambda change: seen.append(f"changed {change.kind.value}"))
    action = UserAction(context, lambda: close_campaign(db, campaign.id, LEAD), parent=parent)
    action.announces(lambda info: Changed(ChangeKind.CAMPAIGN_CHANGED, campaign_id=info.id))
    action.on_success(lambda info: seen.append(f"success {info.state.value}"))

    with qtbot.waitSignal(context.changed, timeout=1000) as signal:
        result = action.run()

    assert signal.args == [Changed(ChangeKind.CAMPAIGN_CHANGED, campaign_id=campaign.id)]
    assert result is not None and result.state is CampaignState.CLOSED
    # Pages refresh first, so what the success callback shows sits on fresh data.
    assert seen == ["changed campaign_changed", "success closed"]
    assert get_campaign(db, campaign.id).state is CampaignState.CLOSED
    assert action.message_box is None
    assert bugs.errors == []


def test_a_refusal_is_shown_as_a_message_and_nothing_is_announced(
    qtbot: QtBot, db: Database, context: AppContext, parent: QWidget, bugs: ReportedBugs
) -> None:
    manager = Profile.manager("Sam Taylor", 1, 1)
    announced: list[object] = []
    context.changed.connect(announced.append)
    action = UserAction(
        context, lambda: create_campaign(db, CampaignDraft(name="Mine"), manager), parent=parent
    )
    action.announces(Changed(ChangeKind.CAMPAIGN_CHANGED))
    succeeded: list[object] = []
    action.on_success(succeeded.append)

    assert action.run() is None

    box = action.message_box
    assert box is not None
    qtbot.addWidget(box)
    assert box.isVisible()
    assert "lead" in box.text().lower()
    assert announced == [] and succeeded == []
    assert context.undo_stack.count() == 0
    assert bugs.errors == []


def test_a_refusal_can_be_shown_where_the_page_wants_it(
    context: AppContext, parent: QWidget, bugs: ReportedBugs
) -> None:
    shown: list[str] = []
    tidied: list[str] = []

    def refuse() -> None:
        raise UserFacingError("The file is open in Excel: close it and try again.")

    action = UserAction(context, refuse, parent=parent)
    action.on_failure(lambda _error: tidied.append("progress closed"))
    action.on_user_error(lambda error: shown.append(f"{error} (shown after: {tidied})"))
    action.run()

    assert shown == [
        "The file is open in Excel: close it and try again. (shown after: ['progress closed'])"
    ]
    assert action.message_box is None
    assert bugs.errors == []


def test_an_unexpected_exception_goes_to_the_error_reporter(
    context: AppContext, parent: QWidget, bugs: ReportedBugs
) -> None:
    announced: list[object] = []
    context.changed.connect(announced.append)
    tidied: list[BaseException] = []

    def broken() -> None:
        raise KeyError("store 12")

    action = UserAction(context, broken, parent=parent)
    action.announces(Changed(ChangeKind.STORES_CHANGED))
    action.on_failure(tidied.append)

    assert action.run() is None

    assert [type(error) for error in bugs.errors] == [KeyError]
    assert tidied == bugs.errors
    assert action.message_box is None
    assert announced == []


def test_a_background_action_delivers_on_the_gui_thread_and_announces(
    qtbot: QtBot, db: Database, context: AppContext, parent: QWidget, bugs: ReportedBugs
) -> None:
    campaign = new_campaign(db)
    reports: list[tuple[int, int, str]] = []

    def work(progress: Progress) -> CampaignInfo:
        progress.report(1, 1, "Closing")
        return close_campaign(db, campaign.id, LEAD)

    action = UserAction.with_progress(context, work, parent=parent)
    action.announces(Changed(ChangeKind.CAMPAIGN_CHANGED, campaign.id))
    results: list[CampaignInfo] = []
    action.on_success(results.append)
    with qtbot.waitSignal(context.changed, timeout=5000) as signal:
        action.run_in_background(on_progress=lambda *args: reports.append(args))
    qtbot.waitUntil(lambda: bool(results), timeout=5000)

    assert signal.args == [Changed(ChangeKind.CAMPAIGN_CHANGED, campaign.id)]
    assert results[0].state is CampaignState.CLOSED
    assert reports == [(1, 1, "Closing")]
    assert bugs.errors == []


def test_a_background_bug_reaches_the_error_reporter(
    qtbot: QtBot, context: AppContext, parent: QWidget, bugs: ReportedBugs
) -> None:
    def work(_progress: Progress) -> None:
        raise ZeroDivisionError("no stores")

    action = UserAction.with_progress(context, work, parent=parent)
    task = action.run_in_background()
    qtbot.waitUntil(lambda: task.done, timeout=5000)
    assert [str(error) for error in bugs.errors] == ["no stores"]


def test_an_undoable_action_pushes_a_step_that_undoes_and_redoes_through_the_services(
    qtbot: QtBot, db: Database, context: AppContext, parent: QWidget, bugs: ReportedBugs
) -> None:
    campaign = new_campaign(db)
    change = Changed(ChangeKind.CAMPAIGN_CHANGED, campaign.id)
    action = UserAction(context, lambda: close_campaign(db, campaign.id, LEAD), parent=parent)
    action.announces(change)
    action.undoable(
        lambda info: UndoStep(
            f"close {info.name}",
            undo=lambda: reopen_campaign(db, campaign.id, LEAD),
            redo=lambda: close_campaign(db, campaign.id, LEAD),
            changes=(change,),
        )
    )
    action.run()

    stack = context.undo_stack
    assert stack.count() == 1
    assert stack.undoText() == "close Spring win-back"
    # Pushing did not run the action a second time.
    assert get_campaign(db, campaign.id).state is CampaignState.CLOSED

    with qtbot.waitSignal(context.changed, timeout=1000) as undone:
        stack.undo()
    assert undone.args == [change]
    assert get_campaign(db, campaign.id).state is CampaignState.OPEN

    stack.redo()
    assert get_campaign(db, campaign.id).state is CampaignState.CLOSED
    assert bugs.errors == []


def test_an_undo_that_is_refused_is_shown_and_leaves_the_stack(
    qtbot: QtBot, db: Database, context: AppContext, parent: QWidget, bugs: ReportedBugs
) -> None:
    def refuse() -> None:
        raise UserFacingError("This campaign was deleted meanwhile.")

    action = UserAction(context, lambda: "done", parent=parent)
    action.undoable(lambda _result: UndoStep("rename", undo=refuse, redo=lambda: None))
    action.run()
    assert context.undo_stack.count() == 1

    context.undo_stack.undo()

    assert context.undo_stack.count() == 0
    messages = [box.text() for box in parent.findChildren(QMessageBox) if box.isVisible()]
    assert messages == ["This campaign was deleted meanwhile."]
    assert bugs.errors == []


def test_a_step_without_a_redo_runs_in_the_background_and_leaves_the_stack_once_undone(
    qtbot: QtBot, db: Database, context: AppContext, parent: QWidget, bugs: ReportedBugs
) -> None:
    campaign = new_campaign(db)
    change = Changed(ChangeKind.CAMPAIGN_CHANGED, campaign.id)
    undone: list[str] = []
    action = UserAction(context, lambda: close_campaign(db, campaign.id, LEAD), parent=parent)
    action.undoable(
        lambda info: UndoStep(
            f"close {info.name}",
            undo=lambda: reopen_campaign(db, campaign.id, LEAD),
            redo=None,
            changes=(change,),
            in_background=True,
            undone=lambda: undone.append(get_campaign(db, campaign.id).state.value),
        )
    )
    action.run()

    with qtbot.waitSignal(context.changed, timeout=5000) as announced:
        context.undo_stack.undo()
        assert context.undo_stack.count() == 0  # gone at once: nothing to redo
    assert announced.args == [change]
    assert undone == ["open"]  # after the service, on the GUI thread
    assert not context.undo_stack.canRedo()
    assert bugs.errors == []


def test_a_refused_background_undo_goes_where_the_step_says(
    qtbot: QtBot, context: AppContext, parent: QWidget, bugs: ReportedBugs
) -> None:
    def refuse() -> None:
        raise UserFacingError("A later call to this customer is recorded.")

    shown: list[str] = []
    action = UserAction(context, lambda: "logged", parent=parent)
    action.undoable(
        lambda _result: UndoStep(
            "No answer",
            undo=refuse,
            redo=None,
            in_background=True,
            refused=lambda error: shown.append(str(error)),
        )
    )
    action.run()

    context.undo_stack.undo()
    qtbot.waitUntil(lambda: shown == ["A later call to this customer is recorded."], timeout=5000)
    assert not [box for box in parent.findChildren(QMessageBox) if box.isVisible()]
    assert bugs.errors == []


def test_closing_a_campaign_on_its_tab_can_be_undone(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    campaign = new_campaign(db)
    tab = CampaignsTab(context)
    qtbot.addWidget(tab)
    tab.select_campaign(campaign.id)
    with qtbot.waitSignal(tab.campaign_saved, timeout=1000):
        tab.close_button.click()
    assert tab.close_button.text() == "Reopen campaign"

    with qtbot.waitSignal(context.changed, timeout=1000):
        context.undo_stack.undo()

    assert get_campaign(db, campaign.id).state is CampaignState.OPEN
    assert tab.close_button.text() == "Close campaign"  # the tab refreshed from the event


def test_marking_a_manager_as_left_can_be_undone(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    leeds = add_store(db, StoreDraft(name="Leeds", code="12"), LEAD).id
    sam = add_manager(db, ManagerDraft("Sam Taylor", leeds), LEAD)
    tab = StoresTab(context)
    qtbot.addWidget(tab)
    tab.select_manager(sam.id)
    with qtbot.waitSignal(tab.stores_changed, timeout=1000):
        tab.deactivate_button.click()
    assert list_managers(db, LEAD, store_id=leeds) == []
    assert context.undo_stack.undoText() == "mark Sam Taylor as left"

    context.undo_stack.undo()

    assert [manager.name for manager in list_managers(db, LEAD, store_id=leeds)] == ["Sam Taylor"]
    assert tab.store_model.row_at(0).active_managers == 1
