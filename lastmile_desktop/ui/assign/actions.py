"""What the Assign page's actions do: ask what is needed, call one service, show the result.

Each action is one service call (one transaction) run through ``UserAction``: problems the
user can act on are shown in the page's message line (nothing is changed then), and what
changed is announced to every page, which refresh themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QLocale, QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QProgressDialog

from lastmile_desktop.campaigns import assignment
from lastmile_desktop.campaigns.access import LeadAction
from lastmile_desktop.campaigns.assignment import (
    AssignmentReport,
    MoveReport,
    StoreWithoutManager,
)
from lastmile_desktop.campaigns.managers import ManagerInfo, list_managers
from lastmile_desktop.campaigns.members import MemberRow
from lastmile_desktop.campaigns.privacy import forget_customer
from lastmile_desktop.campaigns.stores import list_stores
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.progress import Progress
from lastmile_desktop.ui.actions import UserAction
from lastmile_desktop.ui.assign.customers_tab import (
    FORGET_TIP,
    MOVE_WORK_TIP,
    PICK_STORE_TIP,
    REBALANCE_TIP,
)
from lastmile_desktop.ui.assign.dialogs import (
    MoveWorkDialog,
    PickStoreDialog,
    ReassignDialog,
    RebalanceDialog,
    UnstaffedStoresDialog,
)
from lastmile_desktop.ui.assign.find_customer import FindCustomerDialog
from lastmile_desktop.ui.assign.report_dialogs import (
    AssignResultDialog,
    HistoryDialog,
    summarise_assignment,
)
from lastmile_desktop.ui.assign.widgets import ReasonDialog
from lastmile_desktop.ui.campaigns.dnc_dialogs import ForgetCustomerDialog
from lastmile_desktop.ui.campaigns.manager_dialog import new_manager_dialog
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.permissions import permit_lead
from lastmile_desktop.ui.worker import Task

if TYPE_CHECKING:
    from lastmile_desktop.ui.assign.page import AssignPage

T = TypeVar("T")
ERASURE_WAITS_FOR_READER = (
    "Another window or program is reading the database, so the erased details stay in its "
    "log file until it lets go; Last Mile removes them then (keep this window open, or close "
    "it normally)."
)

# What Assign now does, shown while the profile may use it (the reason why not otherwise).
ASSIGN_TIP = "Draw the holdout and share out everyone not assigned yet (new imports included)"


def describe_move(report: MoveReport, verb: str) -> str:
    if not report.moved:
        return f"Nothing to {verb}: every customer is already where the split puts them."
    number = QLocale().toString
    shares = ", ".join(f"{share.name} {number(share.members)}" for share in report.to_managers)
    noun = "customer" if report.moved == 1 else "customers"
    return f"{number(report.moved)} {noun} moved" + (f": {shares}." if shares else ".")


class AssignActions(QObject):
    """Connects the Customers tab's actions to the assignment services."""

    # Assign now finished; carries the AssignmentReport.
    assignment_finished = Signal(object)
    # Any action changed owners, stores or personal data; carries a one-line summary.
    action_done = Signal(str)
    # An action was refused; carries the message shown.
    action_failed = Signal(str)

    def __init__(self, page: AssignPage) -> None:
        super().__init__(page)
        self.page = page
        self.context = page.context
        self.customers = page.customers
        self.task: Task[AssignmentReport] | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.dialog: QDialog | None = None  # the dialog an action opened (tests reach it)
        tab = self.customers
        page.assign_action.triggered.connect(self.assign_now)
        tab.reassign_action.triggered.connect(self.reassign_selection)
        tab.pick_store_action.triggered.connect(self.pick_store)
        tab.hand_back_action.triggered.connect(self.hand_back)
        tab.history_action.triggered.connect(self.show_history)
        tab.forget_action.triggered.connect(self.forget_selected)
        tab.move_work_action.triggered.connect(lambda _checked=False: self.move_work())
        tab.rebalance_action.triggered.connect(self.rebalance)
        tab.overview.members_dropped.connect(self.reassign_dropped)
        tab.selection_changed.connect(self.update_enabled)
        tab.model.modelReset.connect(self.update_enabled)

    # -- enabling ---------------------------------------------------------------------------
    def update_enabled(self) -> None:
        tab = self.customers
        profile = self.context.profile
        campaign = self.page.current_campaign()
        has_campaign = campaign is not None
        selected = tab.selected_rows() if has_campaign else []
        lead = profile.is_lead
        permit_lead(
            self.page.assign_action,
            profile,
            LeadAction.ASSIGN,
            ASSIGN_TIP,
            enabled=campaign is not None and campaign.is_open,
        )
        permit_lead(
            self.page.assign_button,
            profile,
            LeadAction.ASSIGN,
            ASSIGN_TIP,
            enabled=self.page.assign_action.isEnabled() and not self.busy,
        )
        self.page.assign_button.setVisible(lead)
        tab.show_actions_for(profile)
        tab.reassign_action.setEnabled(bool(selected))
        permit_lead(
            tab.pick_store_action,
            profile,
            LeadAction.PICK_STORE,
            PICK_STORE_TIP,
            enabled=bool(selected) and all(row.store_id is None for row in selected),
        )
        tab.hand_back_action.setEnabled(bool(selected))
        tab.history_action.setEnabled(len(selected) == 1)
        permit_lead(
            tab.forget_action, profile, LeadAction.FORGET, FORGET_TIP, enabled=len(selected) == 1
        )
        permit_lead(
            tab.move_work_action, profile, LeadAction.MOVE_WORK, MOVE_WORK_TIP, enabled=has_campaign
        )
        permit_lead(
            tab.rebalance_action, profile, LeadAction.REBALANCE, REBALANCE_TIP, enabled=has_campaign
        )

    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.done

    # -- running one service call -----------------------------------------------------------
    def _run(
        self,
        service: Callable[[], T],
        summary: Callable[[T], str],
        member_ids: list[int] | None = None,
        also: tuple[ChangeKind, ...] = (),
    ) -> T | None:
        """Runs one quick action; every page refreshes, then its summary line is shown."""
        campaign_id, members = self.page.campaign_id(), tuple(member_ids or ())
        changes = [
            Changed(kind, campaign_id, members) for kind in (ChangeKind.MEMBERS_CHANGED, *also)
        ]
        action = UserAction(self.context, service, parent=self.page)
        action.announces(lambda _result: changes)
        action.on_user_error(self._refused)
        action.on_success(lambda result: self._done(summary(result)))
        return action.run()

    def _refused(self, error: UserFacingError) -> None:
        self.page.show_error(str(error))
        self.action_failed.emit(str(error))

    def _done(self, summary: str) -> None:
        self.page.show_info(summary)
        self.update_enabled()
        self.page.members_changed.emit()
        self.action_done.emit(summary)

    def _open(self, dialog: QDialog, on_accept: Callable[[], None]) -> None:
        dialog.accepted.connect(on_accept)
        self.dialog = dialog
        dialog.open()

    # -- assign now -------------------------------------------------------------------------
    def assign_now(self) -> None:
        """Say first which stores' customers would go to nobody, then run (or not)."""
        campaign_id = self.page.campaign_id()
        if campaign_id is None or self.busy or not self.page.assign_action.isEnabled():
            return
        db, profile = self.context.db, self.context.profile
        reading = UserAction(
            self.context,
            lambda: assignment.stores_without_manager(db, campaign_id, profile),
            parent=self.page,
        )
        unstaffed = reading.on_user_error(self._refused).run()
        if unstaffed is None:
            return
        if not unstaffed:
            self._run_assignment(campaign_id)
            return
        check = UnstaffedStoresDialog(unstaffed, self.page)

        def decided() -> None:
            if check.add_chosen:
                self.add_managers_then_assign(unstaffed)
            else:
                self._run_assignment(campaign_id)

        check.rejected.connect(
            lambda: self.page.show_info("Assign now was not run: nothing changed.")
        )
        self._open(check, decided)

    def add_managers_then_assign(self, unstaffed: list[StoreWithoutManager]) -> None:
        """Add a manager to the first store without one; then Assign now checks again."""
        wanted = {store.store_id for store in unstaffed}
        stores = [store for store in list_stores(self.context.db) if store.id in wanted]
        dialog = new_manager_dialog(
            self.context, stores, store_id=unstaffed[0].store_id, parent=self.page
        )

        def added() -> None:
            self.page.stores_tab.reload()
            self.customers.show_campaign(self.page.campaign_id())  # the new manager shows
            self.assign_now()

        # Cancelled: back to the question, where going ahead is still possible.
        dialog.rejected.connect(self.assign_now)
        self._open(dialog, added)

    def _run_assignment(self, campaign_id: int) -> None:
        db, profile = self.context.db, self.context.profile
        self.page.assign_button.setEnabled(False)
        self.page.show_info("Assigning... the holdout is drawn and the list shared out.")

        def work(progress: Progress) -> AssignmentReport:
            return assignment.assign_campaign(db, campaign_id, profile, progress=progress)

        progress_dialog = QProgressDialog("Assigning...", "Cancel", 0, 0, self.page)
        progress_dialog.setWindowTitle("Assign now")
        progress_dialog.setWindowModality(Qt.WindowModality.WindowModal)
        progress_dialog.setMinimumDuration(400)  # quick assignments never flash a dialog
        self.progress_dialog = progress_dialog
        action = UserAction.with_progress(self.context, work, parent=self.page)
        action.announces(Changed(ChangeKind.ASSIGNED, campaign_id))
        action.on_success(self._assigned)
        action.on_user_error(self._refused)
        action.on_failure(self._assign_failed)
        self.task = action.background_task(
            on_progress=self._assign_progress, on_cancel=self._assign_cancelled
        )
        progress_dialog.canceled.connect(self.task.cancel)
        self.task.start()

    def _assign_progress(self, done: int, total: int, message: str) -> None:
        dialog = self.progress_dialog
        if dialog is None:
            return
        dialog.setMaximum(max(total, 0))
        dialog.setValue(done)
        if message:
            dialog.setLabelText(message)

    def _close_progress(self) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.reset()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _assign_cancelled(self) -> None:
        self.task = None
        self._close_progress()
        self.update_enabled()
        self.page.show_info("Assignment cancelled: nothing was changed.")

    def _assigned(self, report: AssignmentReport) -> None:
        self.task = None
        self._close_progress()
        self._done(summarise_assignment(report))
        result = AssignResultDialog(report, self.page)
        self.dialog = result
        result.open()
        self.assignment_finished.emit(report)

    def _assign_failed(self, error: BaseException) -> None:
        self.task = None
        self._close_progress()
        self.update_enabled()
        if not isinstance(error, UserFacingError):
            self.page.show_info("")

    # -- moving customers -------------------------------------------------------------------
    def _visible_managers(self) -> list[ManagerInfo]:
        db, profile = self.context.db, self.context.profile
        return self.context.read(lambda: list_managers(db, profile), [])

    def reassign_selection(self) -> None:
        rows = self.customers.selected_rows()
        if not rows:
            return
        dialog = ReassignDialog(len(rows), self._visible_managers(), self.page)
        only_store = {row.store_id for row in rows}
        if len(only_store) == 1 and None not in only_store:
            # Start on a manager of the selection's own store: the usual case.
            for manager in self._visible_managers():
                if manager.store_id in only_store and manager.id != rows[0].manager_id:
                    dialog.choose(manager.id)
                    break

        def reassign() -> None:
            manager_id = dialog.chosen_id()
            if manager_id is not None:
                self.reassign([row.member_id for row in rows], manager_id, dialog.reason())

        self._open(dialog, reassign)

    def reassign_dropped(self, manager_id: int, member_ids: list[int]) -> None:
        self.reassign(member_ids, manager_id, "")

    def reassign(self, member_ids: list[int], manager_id: int, reason: str) -> None:
        db, profile = self.context.db, self.context.profile
        self._run(
            lambda: assignment.reassign_members(db, profile, member_ids, manager_id, reason),
            lambda report: describe_move(report, "reassign"),
            member_ids=member_ids,
        )

    def pick_store(self) -> None:
        rows = [row for row in self.customers.selected_rows() if row.store_id is None]
        campaign_id = self.page.campaign_id()
        if not rows or campaign_id is None:
            return
        dialog = PickStoreDialog(len(rows), list_stores(self.context.db), self.page)

        def resolve() -> None:
            store_id = dialog.chosen_id()
            if store_id is not None:
                self.resolve([row.member_id for row in rows], store_id)

        self._open(dialog, resolve)

    def resolve(self, member_ids: list[int], store_id: int) -> None:
        db, profile = self.context.db, self.context.profile
        number = QLocale().toString
        self._run(
            lambda: assignment.resolve_unassigned(db, profile, member_ids, store_id),
            lambda report: (
                f"{number(len(member_ids))} customers sent to their store and assigned. "
                f"{number(report.unassigned)} still wait in Unassigned."
            ),
            member_ids=member_ids,
        )

    def move_work(self, manager_id: int | None = None) -> None:
        managers = [
            m
            for m in list_managers(self.context.db, self.context.profile, include_inactive=True)
            if m.open_members
        ]
        if not managers:
            self.page.show_info("No manager has customers left to call: nothing to move.")
            return
        dialog = MoveWorkDialog(managers, self.page)
        if manager_id is not None:
            dialog.choose(manager_id)

        def move() -> None:
            chosen = dialog.chosen_id()
            if chosen is None:
                return
            db, profile = self.context.db, self.context.profile
            self._run(
                lambda: assignment.move_work(db, profile, chosen, dialog.reason()),
                lambda report: describe_move(report, "move"),
            )

        self._open(dialog, move)

    def rebalance(self) -> None:
        campaign_id = self.page.campaign_id()
        if campaign_id is None:
            return
        dialog = RebalanceDialog(list_stores(self.context.db), self.page)
        selection = self.customers.overview.current_selection()
        if selection.store_id is not None:
            dialog.choose(selection.store_id)

        def run() -> None:
            db, profile = self.context.db, self.context.profile
            store_id = dialog.chosen_id()
            self._run(
                lambda: assignment.rebalance(db, profile, campaign_id, store_id),
                lambda report: describe_move(report, "rebalance"),
            )

        self._open(dialog, run)

    def hand_back(self) -> None:
        rows = self.customers.selected_rows()
        if not rows:
            return
        who = rows[0].customer_name if len(rows) == 1 else f"These {len(rows)} customers"
        dialog = ReasonDialog(
            "Hand back to the lead",
            f"{who} {'goes' if len(rows) == 1 else 'go'} back to the lead's Unassigned bucket. "
            "Why?",
            placeholder="e.g. moved near another store",
            ok_text="Hand back",
            parent=self.page,
        )
        member_ids = [row.member_id for row in rows]

        def give_back() -> None:
            db, profile = self.context.db, self.context.profile
            self._run(
                lambda: assignment.hand_back_members(db, profile, member_ids, dialog.reason()),
                lambda _changes: (
                    f"{who} {'was' if len(rows) == 1 else 'were'} handed back to the lead."
                ),
                member_ids=member_ids,
            )

        self._open(dialog, give_back)

    # -- reading and forgetting -------------------------------------------------------------
    def show_history(self) -> None:
        row = self.customers.current_row()
        if row is None:
            return
        db, profile = self.context.db, self.context.profile
        reading = UserAction(
            self.context,
            lambda: assignment.ownership_history(db, profile, row.member_id),
            parent=self.page,
        )
        changes = reading.on_user_error(self._refused).run()
        if changes is not None:
            dialog = HistoryDialog(row.customer_name, changes, self.page)
            self.dialog = dialog
            dialog.open()

    def forget_selected(self) -> None:
        row = self.customers.current_row()
        if row is not None:
            self.confirm_forget(row)

    def find_and_forget(self) -> None:
        """From the do-not-call tab: find the customer first, then confirm."""
        campaign_id = self.page.campaign_id()
        if campaign_id is None:
            self.page.show_error("Pick a campaign first: customers are found through its list.")
            return
        finder = FindCustomerDialog(self.context, campaign_id, self.page)

        def chosen() -> None:
            if finder.chosen is not None:
                self.confirm_forget(finder.chosen)

        self._open(finder, chosen)

    def confirm_forget(self, row: MemberRow) -> None:
        phone = f", {row.phone}" if row.phone else ""
        dialog = ForgetCustomerDialog(f"{row.customer_name}{phone}", self.page)

        def forget() -> None:
            db, profile = self.context.db, self.context.profile
            self._run(
                lambda: forget_customer(db, row.customer_id, profile),
                lambda report: (
                    f"{row.customer_name}'s personal data was erased. Their "
                    f"{report.attempts_kept} calls and {report.purchases_kept} purchases still "
                    "count, anonymously."
                    + ("" if report.erasure_complete else " " + ERASURE_WAITS_FOR_READER)
                ),
                member_ids=[row.member_id],
                also=(ChangeKind.DO_NOT_CALL_CHANGED,),  # its entries lose the customer's id
            )

        self._open(dialog, forget)
