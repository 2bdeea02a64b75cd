"""The Calls page: the call desk. Queue on the left, the customer in the middle, one key per call.

Keyboard first. The outcome keys (N, B, V...) log the outcome for the customer on the card and
bring up the next one at once; outcomes that need one more answer open an editor in place of
the outcome bar (Enter saves, Esc cancels). Every outcome is committed by the service before
the next customer is shown, and the status line says when ("Saved 14:03").

Every write (an outcome, the pinned note, a typed-in call sheet) runs through the window's
action helper off the GUI thread, and announces which members changed. An outcome's undo is
a step on the window's undo stack, so Ctrl+Z (Edit > Undo) takes it back from anywhere. The
desk shows the next customer from the queue it holds and does not read the queue again for
its own changes; changes from elsewhere (another page, another program) read it again, when
the desk is next on screen if it is not.

On a database server that cannot be reached (a network that drops), the outcome for the
customer on the card is kept in the outbox (calling/outbox.py) and the status line says so;
the customers it holds are not offered again until it is sent, and reads that fail leave the
queue as it was shown. The window's status bar counts what waits and sends it once the
server answers; the queue is then read again.

The page takes a clock (a callable returning an aware datetime) so tests can fix "now"; every
service call gets ``at=`` from it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QDir, QSignalBlocker, QStandardPaths, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from lastmile_desktop.calling.card import (
    CustomerCard,
    PinnedNote,
    customer_card,
    set_pinned_note,
)
from lastmile_desktop.calling.claims import claim_next, release, renew
from lastmile_desktop.calling.leases import RENEW_EVERY, new_desk_id
from lastmile_desktop.calling.log import (
    LoggedCall,
    StaleMemberError,
    log_outcome,
    undo_outcome,
)
from lastmile_desktop.calling.my_day import MyDay, my_day
from lastmile_desktop.calling.outbox import QueuedCall, log_or_queue, offline_text, take_back
from lastmile_desktop.calling.outcomes import (
    NOT_INTERESTED_REASON_LABELS,
    NOT_INTERESTED_REASONS,
    OUTCOMES,
    Outcome,
    outcome_by_code,
)
from lastmile_desktop.calling.queue import CallQueue, QueueEntry, build_queue
from lastmile_desktop.campaigns.campaigns import list_campaigns
from lastmile_desktop.campaigns.managers import list_managers
from lastmile_desktop.campaigns.stores import list_stores
from lastmile_desktop.errors import DatabaseBusyError, UserFacingError
from lastmile_desktop.progress import Progress
from lastmile_desktop.storage.reachability import is_unreachable
from lastmile_desktop.ui.actions import UndoStep, UserAction
from lastmile_desktop.ui.assign.widgets import page_title
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.desk import call_sheet, wording
from lastmile_desktop.ui.desk.card_view import CardView
from lastmile_desktop.ui.desk.editors import Details, InlineEditor, editor_for, skip_editor
from lastmile_desktop.ui.desk.my_day_strip import MyDayStrip
from lastmile_desktop.ui.desk.outcome_bar import OutcomeBar
from lastmile_desktop.ui.desk.queue_model import QueueModel, Section
from lastmile_desktop.ui.desk.queue_panel import QueuePanel
from lastmile_desktop.ui.desk.sheet_entry import SheetEntryDialog
from lastmile_desktop.ui.desk.style import DESK_STYLE
from lastmile_desktop.ui.refresh_when_shown import RefreshWhenShown
from lastmile_desktop.ui.worker import Task, run_task

Clock = Callable[[], datetime]
T = TypeVar("T")

# After a logged outcome the queue is read again once the keys pause, so Later and My day catch
# up without a database round trip between two calls.
REFRESH_AFTER_LOG_MS = 800
# Time moves customers from Later to Now (calling hours open, cool-downs end).
PERIODIC_REFRESH_MS = 60_000
# Customers the queue list holds per section at first, and more each time its end is reached:
# the lead's whole region can be tens of thousands, and every one held costs time to build.
QUEUE_PAGE = 200
# The cursor this close to the last customer held (or the list scrolled to its end): the
# next page is read, so Down never waits.
NEAR_THE_END = 20
QUEUE_WIDTH = 320
# How long showing a customer waits for another program's write to claim them (SQLite: an
# import in another window); past it the card is shown unclaimed rather than the window
# waiting. A server's claim never waits that long (it passes over locked rows).
CLAIM_LOCK_WAIT_MS = 250
# The customers after the one picked that a claim may fall back on, in queue order, when
# another desk has that one on screen.
CLAIM_CANDIDATES = 25
STATUS_OK = "ok"
KEYS_HINT = (
    "Each button's letter logs its outcome and brings the next customer · "
    "Up/Down: the queue · Ctrl+Z: undo"
)
STATUS_PROBLEM = "problem"
OFFLINE = (
    "The database server cannot be reached, so {what} cannot be read now. Outcomes you log "
    "are kept on this computer and sent once it answers; F5 tries again."
)


def system_clock() -> datetime:
    return datetime.now(UTC)


class DeskPage(QWidget):
    # The queue was read and shown (after opening, a filter, a log, an undo).
    queue_loaded = Signal()
    # An outcome was committed: the LoggedCall.
    outcome_logged = Signal(object)
    # An outcome was kept in the outbox (the server could not be reached): the QueuedCall.
    outcome_queued = Signal(object)
    # An outcome was taken back: the LoggedCall (or QueuedCall) that was undone.
    outcome_undone = Signal(object)
    # The status line changed: the text.
    status_changed = Signal(str)

    def __init__(
        self,
        context: AppContext,
        *,
        clock: Clock = system_clock,
        zone: tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("deskPage")
        self.setStyleSheet(DESK_STYLE)
        self.context = context
        self.clock = clock
        self.zone = zone or wording.local_zone()
        self.queue: CallQueue | None = None
        self.day: MyDay | None = None
        self.card: CustomerCard | None = None
        self.skip_reasons: dict[uuid.UUID, str] = {}
        self.printed_lines: list[tuple[int, QueueEntry]] = []
        self.printed_day: date | None = None
        self.has_campaigns = False
        self._generation = 0
        self._queue_limit = QUEUE_PAGE
        self._reading_more = False  # the read under way is a longer page of the same queue
        self._select_after_load: uuid.UUID | None = None
        self._task: Task[CallQueue] | None = None
        self._day_task: Task[MyDay] | None = None
        self._waiting_for: set[str] = set()  # what the read under way has still to show
        self._sheet_task: Task[call_sheet.CallSheet] | None = None
        self._whole_queue_task: Task[CallQueue] | None = None
        self._write_task: Task[Any] | None = None
        self.saving = False  # a service write is running
        # Time moved on while the desk was off screen: the queue is read again when shown.
        self._queue_aged = False
        # This desk's name in the claims of the customers it shows (calling/claims.py): the
        # customer on the card is this desk's alone until it moves on, closes or crashes.
        self.desk_id = new_desk_id()
        self.claimed: uuid.UUID | None = None  # the member this desk holds

        self.model = QueueModel(self.zone, self)
        self.queue_panel = QueuePanel(self.model)
        self.queue_panel.setFixedWidth(QUEUE_WIDTH)
        self.card_view = CardView(self.zone)
        self.empty_state = QLabel()
        self.empty_state.setObjectName("emptyState")
        self.empty_state.setWordWrap(True)
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setMargin(24)
        self.centre = QStackedWidget()
        self.centre.addWidget(self.card_view)
        self.centre.addWidget(self.empty_state)

        self.outcome_bar = OutcomeBar()
        self.my_day_strip = MyDayStrip()
        self.status = QLabel()
        self.status.setObjectName("deskStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setWordWrap(True)

        self._build_actions()
        self._build_layout()
        self._connect()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_AFTER_LOG_MS)
        self._refresh_timer.timeout.connect(self.load_queue)
        self._periodic = QTimer(self)
        self._periodic.setInterval(PERIODIC_REFRESH_MS)
        self._periodic.timeout.connect(self._periodic_refresh)
        self._periodic.start()
        # Several changes announced together (an outcome and the do-not-call list) read the
        # queue once.
        self._reload_soon = QTimer(self)
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(0)
        self._reload_soon.timeout.connect(self.reload)
        self._renew_timer = QTimer(self)
        self._renew_timer.setInterval(int(RENEW_EVERY.total_seconds() * 1000))
        self._renew_timer.timeout.connect(self._renew_claim)
        self._renew_timer.start()
        self._claim_task: Task[Any] | None = None
        context.closing.connect(self.release_claim)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.release_claim)
        self.live = RefreshWhenShown(self, context, self._on_changes)
        self.show_status(KEYS_HINT, STATUS_OK)
        self.reload()

    # -- building -------------------------------------------------------------------------------
    def _action(self, text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.outcome_actions: dict[str, QAction] = {}
        for outcome in OUTCOMES:
            action = self._action(
                outcome.label, outcome.key, functools.partial(self.choose_outcome, outcome)
            )
            self.outcome_actions[outcome.code] = action
        self.skip_action = self._action("Skip for now", "Ctrl+Right", self.skip_current)
        # The window's Edit > Undo (Ctrl+Z): an outcome is a step on its undo stack.
        self.undo_action, _redo = self.context.undo_actions()
        self.addAction(self.undo_action)
        stack = self.context.undo_stack
        self._can_undo = stack.canUndo()
        self._undo_text = stack.undoText()
        self.search_action = self._action("Search the queue", "Ctrl+F", self.focus_search)
        self.call_action = self._action("Call", "Ctrl+Return", self.card_view.call)
        self.call_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.copy_action = self._action("Copy the number", "Ctrl+Shift+C", self.copy_phone)
        self.note_action = self._action("Edit the pinned note", "Ctrl+E", self.card_view.edit_note)
        self.print_action = self._action("Save today's list as PDF", "Ctrl+P", self.save_pdf)
        self.printer_action = self._action(
            "Print today's list on a printer", "Ctrl+Alt+P", self.print_on_printer
        )
        self.type_in_action = self._action("Type in a call sheet", "Ctrl+T", self.type_in_sheet)

    def _build_layout(self) -> None:
        self.print_button = QPushButton("Print today's list  (Ctrl+P)")
        print_menu = QMenu(self.print_button)
        print_menu.addAction(self.print_action)
        print_menu.addAction(self.printer_action)
        self.print_button.setMenu(print_menu)
        self.print_button.setToolTip(
            "A call sheet for the shop floor: save it as PDF (Ctrl+P) or print it (Ctrl+Alt+P)"
        )
        self.type_in_button = QPushButton("Type in a call sheet  (Ctrl+T)")
        self.type_in_button.clicked.connect(self.type_in_sheet)
        header = QHBoxLayout()
        header.addWidget(page_title("Calls"))
        header.addSpacing(12)
        header.addWidget(self.my_day_strip)
        header.addStretch(1)
        header.addWidget(self.print_button)
        header.addWidget(self.type_in_button)

        body = QHBoxLayout()
        body.setSpacing(12)
        body.addWidget(self.queue_panel)
        body.addWidget(self.centre, 1)

        self.skip_button = QPushButton("Skip for now  (Ctrl+→)")
        self.skip_button.setToolTip("Move past this customer for now, with a reason")
        self.skip_button.clicked.connect(self.skip_current)
        self.undo_button = QPushButton("Undo  (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo_action.trigger)
        self._show_undo_state()
        for button in (self.print_button, self.type_in_button, self.skip_button, self.undo_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # their keys work from anywhere
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.skip_button)
        status_row.addWidget(self.undo_button)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setObjectName("deskRule")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 4, 16, 8)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addLayout(body, 1)
        layout.addWidget(line)
        layout.addWidget(self.outcome_bar)
        layout.addLayout(status_row)

    def _connect(self) -> None:
        panel = self.queue_panel
        panel.current_changed.connect(self._on_current_changed)
        panel.filters_changed.connect(self._on_filters_changed)
        panel.search_changed.connect(lambda _text: self._on_search_changed())
        panel.view.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        panel.search_left.connect(self.focus_queue)
        self.outcome_bar.outcome_clicked.connect(self.choose_outcome)
        self.card_view.pinned_note_edited.connect(self._save_pinned_note)
        self.card_view.note_left.connect(self.focus_queue)
        self.card_view.note_edit.returnPressed.connect(self.focus_queue)
        stack = self.context.undo_stack
        stack.canUndoChanged.connect(self._can_undo_changed)
        stack.undoTextChanged.connect(self._undo_text_changed)
        self.context.profile_changed.connect(lambda _profile: self._profile_changed())

    # -- loading --------------------------------------------------------------------------------
    def refresh_page(self) -> None:
        """F5 (the window's Go > Refresh this page): the queue read again."""
        self.reload()

    def reload(self) -> None:
        """Campaigns and people again, then the queue (after data changed elsewhere, or F5)."""
        try:
            self._read_campaigns_and_people()
        except Exception as error:
            if not is_unreachable(error):
                raise
            self.show_status(OFFLINE.format(what="the campaigns"), STATUS_PROBLEM)
            return
        self.load_queue()

    def _read_campaigns_and_people(self) -> None:
        profile = self.context.profile
        campaigns = [info for info in list_campaigns(self.context.db) if info.is_open]
        self.has_campaigns = bool(campaigns)
        self.queue_panel.set_campaigns(campaigns, self.queue_panel.campaign_name())
        if profile.is_lead:
            self.queue_panel.set_people(
                True, list_stores(self.context.db), list_managers(self.context.db, profile)
            )
        else:
            self.queue_panel.set_people(False, [], [])

    def _on_changes(self, changes: Sequence[Changed]) -> None:
        """Changes made elsewhere read the queue again; the desk's own are shown already."""
        if any(change.origin is not self for change in changes):
            self._reload_soon.start()

    def _profile_changed(self) -> None:
        self.skip_reasons.clear()
        self.card = None
        self.reload()

    def _on_filters_changed(self) -> None:
        self.card = None
        self._queue_limit = QUEUE_PAGE
        self.load_queue()

    def _on_search_changed(self) -> None:
        self._queue_limit = QUEUE_PAGE
        self.load_queue()

    def _on_scrolled(self, value: int) -> None:
        if value == self.queue_panel.view.verticalScrollBar().maximum():
            self._read_more()

    def _read_more(self) -> None:
        """The list's end is near and the queue has more: read a longer page (once)."""
        if self.model.more_waiting and not self._reading_more:
            self._queue_limit += QUEUE_PAGE
            self.load_queue(more=True)

    def _periodic_refresh(self) -> None:
        if not self.isVisible():
            self._queue_aged = True  # read when the desk is next shown
        elif self.outcome_bar.editor is None and not self.card_view.note_edit.hasFocus():
            self.load_queue()

    def load_queue(self, select: uuid.UUID | None = None, *, more: bool = False) -> None:
        """Reads the queue, then My day, in the background; shows each as it arrives, and
        says ``queue_loaded`` once both are shown.

        ``more``: a longer page of the same queue (the list's end was reached)."""
        self._refresh_timer.stop()
        self._generation += 1
        self._reading_more = more
        generation = self._generation
        self._waiting_for = {"queue", "day"}
        if not self.has_campaigns:
            # Shown from the event loop like a read queue, so "loaded" always comes later.
            QTimer.singleShot(0, lambda: self._show_nothing(generation))
            return
        if select is not None:
            self._select_after_load = select
        db, profile, at = self.context.db, self.context.profile, self.clock()
        read_queue, limit = self._queue_reader(), self._queue_limit
        campaign = self.queue_panel.campaign_name()

        def refused(error: BaseException, part: Callable[[int, None], None]) -> None:
            if is_unreachable(error):
                # The queue and the day stay as shown: the customers already on screen.
                if self._is_current(generation):
                    self.show_status(OFFLINE.format(what="the queue"), STATUS_PROBLEM)
                    self._waiting_for.clear()
                    self.queue_loaded.emit()
                return
            if not isinstance(error, UserFacingError):
                raise error  # a bug: the app's error reporter shows it
            if self._is_current(generation):
                self.show_status(str(error), STATUS_PROBLEM)
            part(generation, None)

        def read_day() -> None:
            # After the queue, not beside it: two reads at once only slow each other down
            # (they share the interpreter), and the next customer matters more.
            self._day_task = run_task(
                lambda _progress: my_day(db, profile, campaign=campaign, at=at),
                on_success=lambda day: self._day_arrived(generation, day),
                on_error=lambda error: refused(error, self._day_arrived),
            )

        def queue_arrived(queue: CallQueue) -> None:
            self._queue_arrived(generation, queue)
            if self._is_current(generation):
                read_day()

        def queue_refused(error: BaseException) -> None:
            refused(error, self._queue_arrived)
            if self._is_current(generation) and not is_unreachable(error):
                read_day()

        self._task = run_task(
            lambda _progress: read_queue(at, limit),
            on_success=queue_arrived,
            on_error=queue_refused,
        )

    def _queue_reader(self) -> Callable[[datetime, int | None], CallQueue]:
        """Reads the queue the panel asks for (campaign, store or manager, search) at a time,
        a page (``limit`` per section) or all of it; callable from a worker thread."""
        db, profile, panel = self.context.db, self.context.profile, self.queue_panel
        campaign, store, manager = panel.campaign_name(), panel.store_code(), panel.manager_name()
        search = panel.search.text().strip() or None
        desk = self.desk_id

        outbox = self.context.outbox

        def read(at: datetime, limit: int | None) -> CallQueue:
            queue = build_queue(
                db,
                profile,
                campaign=campaign,
                store=store,
                manager=manager,
                at=at,
                search=search,
                limit=limit,
                desk=desk,  # customers other desks have on screen are left out
            )
            if outbox is None:
                return queue
            # An outcome waiting in the outbox is not on the server yet: not offered again.
            return _without(queue, outbox.waiting_members())

        return read

    def _is_current(self, generation: int) -> bool:
        """Whether a read that started as ``generation`` is still wanted (nothing newer
        started, and the page was not closed meanwhile)."""
        return generation == self._generation and shiboken6.isValid(self)

    def _show_nothing(self, generation: int) -> None:
        if self._is_current(generation):
            self._show_day(None)
            self._show_queue(None)
            self._waiting_for.clear()
            self.queue_loaded.emit()

    def _queue_arrived(self, generation: int, queue: CallQueue | None) -> None:
        if self._is_current(generation) and "queue" in self._waiting_for:
            self._show_queue(queue)
            if self._is_current(generation):  # the cursor near the end started a longer read
                self._loaded("queue")

    def _day_arrived(self, generation: int, day: MyDay | None) -> None:
        if self._is_current(generation) and "day" in self._waiting_for:
            self._show_day(day)
            if "queue" not in self._waiting_for and self.card is None:
                self._show_current(None)  # what to do next may depend on today's calls
            self._loaded("day")

    def _loaded(self, part: str) -> None:
        self._waiting_for.discard(part)
        if not self._waiting_for:
            self.queue_loaded.emit()

    def _show_day(self, day: MyDay | None) -> None:
        self.day = day
        self.my_day_strip.show_day(day)

    def _show_queue(self, queue: CallQueue | None) -> None:
        self.queue = queue
        keep = self._select_after_load or (self.card.member if self.card else None)
        self._select_after_load = None
        # A longer page of the same queue: the list stays where it was scrolled to.
        scrollbar = self.queue_panel.view.verticalScrollBar()
        scrolled = scrollbar.value() if self._reading_more else None
        self._reading_more = False
        self.model.set_queue(queue, self.skip_reasons)
        if keep is not None and self.queue_panel.select_member(keep):
            pass
        else:
            self.queue_panel.select_first()
        if scrolled is not None:
            scrollbar.setValue(scrolled)
        self._show_current(self.queue_panel.current_entry())

    # -- the customer ---------------------------------------------------------------------------
    def _on_current_changed(self, entry: QueueEntry | None) -> None:
        if self.model.is_near_the_end(self.queue_panel.view.currentIndex().row(), NEAR_THE_END):
            self._read_more()
        if self.outcome_bar.editor is not None:
            same = entry is not None and self.card is not None and entry.member == self.card.member
            if same:
                return  # the queue was read again under an open editor: it stays open
            self.outcome_bar.close_editor()
        self._show_current(entry)

    def _show_current(self, entry: QueueEntry | None) -> None:
        if entry is None:
            self._show_nobody()
            return
        try:
            shown = self._claimed_card(entry)
        except Exception as error:
            if not isinstance(error, UserFacingError) and not is_unreachable(error):
                raise
            problem = str(error)
            if is_unreachable(error):
                problem = OFFLINE.format(what="the next customer's card")
            self.card = None
            self.show_status(problem, STATUS_PROBLEM)
            self.empty_state.setText(problem)
            self.centre.setCurrentWidget(self.empty_state)
            self._enable_for_customer(False)
            return
        if shown is None:
            self._show_nobody()
            self.load_queue()  # who is free now, and who went elsewhere
            return
        card, entry = shown
        self.card = card
        self.card_view.show_card(card, entry.timezones, self.clock())
        self.centre.setCurrentWidget(self.card_view)
        self._enable_for_customer(True)

    def _show_nobody(self) -> None:
        self.card = None
        self.release_claim()
        self.empty_state.setText(self.empty_text())
        self.centre.setCurrentWidget(self.empty_state)
        self._enable_for_customer(False)

    def current_entry(self) -> QueueEntry | None:
        return self.queue_panel.current_entry()

    # -- claims: the customer on the card is this desk's alone ------------------------------------
    def _claimed_card(self, entry: QueueEntry) -> tuple[CustomerCard, QueueEntry] | None:
        """The card to show for ``entry``, claimed for this desk first, and its entry: when
        another desk has the customer on screen, the next one free after it in Now (which
        becomes the queue's current row); None when nobody from there on is free."""
        db, profile, at = self.context.db, self.context.profile, self.clock()
        if self.claimed == entry.member:
            return customer_card(db, profile, entry.member, at=at), entry  # held already
        candidates = self._candidates_from(entry)
        try:
            claimed = self.context.quietly(
                lambda: claim_next(
                    db,
                    profile,
                    None,
                    self.desk_id,
                    candidates=candidates,
                    at=at,
                    lock_wait_ms=CLAIM_LOCK_WAIT_MS,
                )
            )
        except DatabaseBusyError:
            # Another program is writing (SQLite): show the card now rather than wait; the
            # member's version still stops a second call being logged over this one.
            self.claimed = None
            return customer_card(db, profile, entry.member, at=at), entry
        self.claimed = claimed.card.member if claimed is not None else None
        if claimed is not None and claimed.card.member == entry.member:
            return claimed.card, entry
        held = (
            list(claimed.passed_over)
            if claimed is not None
            else [candidate.member for candidate in candidates]
        )
        self._pass_over(entry, held)
        if claimed is None:
            return None
        next_entry = next(e for e in candidates if e.member == claimed.card.member)
        with QSignalBlocker(self.queue_panel):
            self.queue_panel.select_member(next_entry.member)
        return claimed.card, next_entry

    def _candidates_from(self, entry: QueueEntry) -> list[QueueEntry]:
        """The customer picked, then (for one in Now) the next ones in Now, in queue order."""
        now = self.model.entries(Section.NOW)
        if entry not in now:
            return [entry]
        start = now.index(entry)
        return now[start : start + CLAIM_CANDIDATES]

    def _pass_over(self, entry: QueueEntry, held: list[uuid.UUID]) -> None:
        """Other desks have these customers on screen: they leave the list until the next
        read shows where they went, and the status line says so."""
        with QSignalBlocker(self.queue_panel):  # the card is decided by the caller
            for member in held:
                self._drop_from_queue(member)
        self.show_status(
            f"{entry.name} is on another desk's screen."
            if held == [entry.member]
            else f"{len(held)} customers are on other desks' screens.",
            STATUS_OK,
        )

    def _drop_from_queue(self, member: uuid.UUID) -> None:
        """The member leaves the list held and its section's count, until the next read."""
        queue = self.queue
        if queue is not None:
            now = [e for e in queue.now if e.member != member]
            later = [e for e in queue.later if e.member != member]
            self.queue = dataclasses.replace(
                queue,
                now=now,
                later=later,
                now_total=queue.now_total - (len(queue.now) - len(now)),
                later_total=queue.later_total - (len(queue.later) - len(later)),
            )
        self.model.remove_member(member)

    def _renew_claim(self) -> None:
        """While a card stays open its claim is renewed, off the screen's thread."""
        if self.claimed is None or self._claim_task is not None:
            return
        db, desk, member = self.context.db, self.desk_id, self.claimed

        def renewed(until: datetime | None) -> None:
            self._claim_task = None
            if until is None and self.claimed == member:
                # The lease ran out (the PC slept, the network was down) and another desk
                # took the customer: they are theirs now.
                self.claimed = None
                if self.card is not None and self.card.member == member:
                    self.show_status(
                        f"{self.card.name} was taken by another desk while this one was "
                        "away: reading the queue again.",
                        STATUS_PROBLEM,
                    )
                    self.card = None
                    self.load_queue()

        def failed(error: BaseException) -> None:
            self._claim_task = None
            if not isinstance(error, UserFacingError):
                raise error  # a bug: the app's error reporter shows it
            # The database was busy or out of reach: the next renewal tries again, well
            # within the lease.

        self._claim_task = run_task(
            lambda _progress: renew(db, desk), on_success=renewed, on_error=failed
        )

    def release_claim(self) -> None:
        """Nobody on the card, or the desk closes (the window, the app): the customer this
        desk held is free for the others at once, not when the lease runs out. One short
        statement, waited for: a release still on its way could undo the next claim."""
        if self.claimed is None:
            return
        self.claimed = None
        # Busy or out of reach: the lease runs out on its own.
        db, desk = self.context.db, self.desk_id
        with contextlib.suppress(UserFacingError):
            self.context.quietly(lambda: release(db, desk, lock_wait_ms=CLAIM_LOCK_WAIT_MS))

    def empty_text(self) -> str:
        """What to do next when there is nobody on the card."""
        if not self.has_campaigns:
            return (
                "No campaign is open yet.\n\nThe regional lead imports a customer list "
                "(Import, Ctrl+1) and shares it out (Assign, Ctrl+2); the calls then "
                "appear here."
            )
        queue = self.queue
        if queue is None:
            return "The queue could not be read; see the message below, then press F5."
        if self.queue_panel.search.text().strip() and not queue.now and not queue.later:
            return "Nobody in the queue matches the search. Esc clears it (Ctrl+F to change it)."
        if queue.now or self.model.entries(Section.SKIPPED):
            return "Pick a customer in the queue (Up and Down arrows, Alt+Q)."
        if queue.now_total:
            return "Reading the next customers in the queue..."
        if queue.later:
            first = min((e.until for e in queue.later if e.until is not None), default=None)
            called = self.day is not None and self.day.calls_made > 0
            text = (
                "Everyone who can be called now has been called."
                if called
                else "Nobody in the queue can be called right now."
            )
            if first is not None:
                text += (
                    f" The next one can be called from {wording.when(first, queue.at, self.zone)}."
                )
            return (
                text + "\n\nLater (left) says who and why. Print today's list (Ctrl+P) for the "
                "rest of the day, or type in a call sheet (Ctrl+T)."
            )
        day = self.day
        if day is not None and day.calls_made:
            return (
                "Everyone is called: nobody is left in this queue today. "
                "Well done. Callbacks and reminders appear here when they are due."
            )
        if self.context.profile.is_lead:
            return (
                "Nobody in this queue is waiting for a call. Pick another store or manager "
                "(Alt+T, Alt+M), or assign the campaign's customers on the Assign page (Ctrl+2)."
            )
        return (
            "Nobody is assigned to you in this campaign yet. Ask your regional lead to "
            "assign customers to you (Assign page); they appear here at once."
        )

    def _enable_for_customer(self, enabled: bool) -> None:
        # While an editor is open, letters are its text: the outcome keys stay off until it closes.
        keys = enabled and self.outcome_bar.editor is None
        for action in (*self.outcome_actions.values(), self.skip_action):
            action.setEnabled(keys)
        self.outcome_bar.set_buttons_enabled(enabled)
        for action in (self.call_action, self.copy_action, self.note_action):
            action.setEnabled(enabled)
        self.skip_button.setEnabled(enabled)

    # -- outcomes -------------------------------------------------------------------------------
    def choose_outcome(self, outcome: Outcome) -> None:
        """The outcome's key or button: log it now, or first ask what it needs, in place."""
        if self.card is None or self.outcome_bar.editor is not None or self.saving:
            return
        entry = self.current_entry()
        editor = editor_for(
            outcome,
            now=self.clock(),
            zone=self.zone,
            customer_zones=entry.timezones if entry else (),
            reasons=NOT_INTERESTED_REASONS,
            reason_labels=[NOT_INTERESTED_REASON_LABELS[code] for code in NOT_INTERESTED_REASONS],
        )
        if editor is None:
            self.log(outcome, Details())
            return
        member = self.card.member
        editor.confirmed.connect(
            lambda details, chosen=outcome, m=member: self._editor_confirmed(chosen, details, m)
        )
        editor.cancelled.connect(self.cancel_editor)
        self._open_editor(editor)

    def _open_editor(self, editor: InlineEditor) -> None:
        self._set_outcome_keys_enabled(False)
        self.outcome_bar.open_editor(editor)

    def cancel_editor(self) -> None:
        self.outcome_bar.close_editor()
        self._set_outcome_keys_enabled(self.card is not None)
        self.focus_queue()

    def _set_outcome_keys_enabled(self, enabled: bool) -> None:
        # While an editor is open its letters are typed text, not outcome keys.
        for action in (*self.outcome_actions.values(), self.skip_action):
            action.setEnabled(enabled)

    def _editor_confirmed(self, outcome: Outcome, details: Details, member: uuid.UUID) -> None:
        if self.card is None or self.card.member != member:
            self.cancel_editor()
            return
        self.log(outcome, details)  # the editor closes once the outcome is saved

    def log(self, outcome: Outcome, details: Details) -> None:
        """Logs the outcome for the customer on the card; the next one appears once it is saved."""
        card = self.card
        if card is None:
            return
        db, profile, at = self.context.db, self.context.profile, self.clock()
        outbox = self.context.outbox

        def write() -> LoggedCall | QueuedCall:
            if outbox is not None:
                return log_or_queue(
                    db,
                    outbox,
                    profile,
                    card.member,
                    outcome.code,
                    note=details.note,
                    callback_at=details.callback_at,
                    visit_on=details.visit_on,
                    reason=details.reason,
                    at=at,
                    expected_version=card.version,
                    seen=card.seen,
                )
            return log_outcome(
                db,
                profile,
                card.member,
                outcome.code,
                note=details.note,
                callback_at=details.callback_at,
                visit_on=details.visit_on,
                reason=details.reason,
                at=at,
                expected_version=card.version,
                seen=card.seen,
            )

        def saved(logged: LoggedCall | QueuedCall) -> None:
            self._generation += 1  # a queue read that started before the commit is out of date
            self.skip_reasons.pop(card.member, None)
            if self.outcome_bar.editor is not None:
                self.outcome_bar.close_editor()
                self._set_outcome_keys_enabled(True)
            if isinstance(logged, QueuedCall):
                self._queued(logged, card.member, card.name)
                return
            self.show_status(self._saved_text(logged, card.name), STATUS_OK)
            if self.card is not None and self.card.member == card.member:
                self._advance_past(card.member)
            self._refresh_timer.start()
            self.focus_queue()
            self.outcome_logged.emit(logged)

        def refused(error: UserFacingError) -> None:
            self.show_status(str(error), STATUS_PROBLEM)
            if isinstance(error, StaleMemberError):
                # Someone else was first: their outcome stands, the queue shows what is left.
                self.outcome_bar.close_editor()
                self._set_outcome_keys_enabled(True)
                self.card = None
                self.load_queue()
                self.focus_queue()
            elif self.outcome_bar.editor is not None:
                self.outcome_bar.editor.show_problem(str(error))

        self._write(
            write,
            saved,
            refused,
            changes=self._changes_of,
            undo=lambda logged: self._undo_step(logged, f"{outcome.label} for {card.name}"),
        )

    def _write(
        self,
        write: Callable[[], T],
        saved: Callable[[T], None],
        refused: Callable[[UserFacingError], None],
        *,
        changes: Callable[[T], Sequence[Changed]],
        undo: Callable[[T], UndoStep] | None = None,
    ) -> bool:
        """Runs one service write off the GUI thread (its commit waits for the disk), through
        the window's action helper: it announces ``changes`` and pushes the ``undo`` step.

        One write at a time: a key pressed while the last outcome is being saved does nothing
        (Ctrl+Z included), so no outcome can land on a customer the caller has not seen yet,
        and no undo can take back an earlier one by mistake.
        """
        if self.saving:
            return False
        self.saving = True
        self._show_undo_state()

        def succeeded(result: T) -> None:
            self._write_finished()
            saved(result)

        action = UserAction(self.context, write, parent=self)
        action.announces(changes)
        if undo is not None:
            action.undoable(undo)
        action.on_failure(lambda _error: self._write_finished())
        action.on_user_error(refused)
        action.on_success(succeeded)
        self._write_task = action.run_in_background()
        return True

    def _write_finished(self) -> None:
        self.saving = False
        self._show_undo_state()

    def _changes_of(self, logged: LoggedCall | QueuedCall) -> tuple[Changed, ...]:
        """What an outcome (or its undo) changes: the member, and the do-not-call list. One
        kept in the outbox changed nothing on the server yet."""
        if isinstance(logged, QueuedCall):
            return ()
        member = Changed(
            ChangeKind.MEMBERS_CHANGED, logged.campaign_id, (logged.member_id,), origin=self
        )
        if outcome_by_code(logged.outcome).adds_to_do_not_call:
            return member, Changed(ChangeKind.DO_NOT_CALL_CHANGED, origin=self)
        return (member,)

    def _undo_step(self, logged: LoggedCall | QueuedCall, text: str) -> UndoStep:
        """Ctrl+Z takes the call back; there is no redo (the call happened once: logging it
        again is a new key press on the customer, who is back in the queue). A call kept in
        the outbox is withdrawn from it, or undone on the server once it was sent."""
        label = outcome_by_code(logged.outcome).label
        context = self.context
        outbox = context.outbox

        def refused(error: UserFacingError) -> None:
            self.show_status(f"Could not undo {label}: {error}", STATUS_PROBLEM)

        def undo() -> None:
            if isinstance(logged, QueuedCall) and outbox is not None:
                take_back(context.db, outbox, context.profile, logged.attempt)
            else:
                undo_outcome(context.db, context.profile, logged.attempt)

        # Sent meanwhile, a kept call's undo changes the member: which one is not known here.
        changes = (
            (Changed(ChangeKind.MEMBERS_CHANGED, origin=self),)
            if isinstance(logged, QueuedCall)
            else self._changes_of(logged)
        )
        return UndoStep(
            text,
            undo=undo,
            redo=None,
            changes=changes,
            in_background=True,
            undone=lambda: self._outcome_undone(logged),
            refused=refused,
        )

    def _can_undo_changed(self, can_undo: bool) -> None:
        self._can_undo = can_undo
        self._show_undo_state()

    def _undo_text_changed(self, text: str) -> None:
        self._undo_text = text
        self._show_undo_state()

    def _show_undo_state(self) -> None:
        if not shiboken6.isValid(self.undo_action):
            return  # the window is closing: its context went first
        enabled = self._can_undo and not self.saving
        self.undo_action.setEnabled(enabled)
        self.undo_button.setEnabled(enabled)
        text = self._undo_text
        self.undo_button.setToolTip(f"Undo {text}" if text else "Nothing to undo")

    def _queued(self, queued: QueuedCall, member: uuid.UUID, name: str) -> None:
        """The outcome waits in the outbox: the next customer (whose card may not be
        readable now), then the status line says what happened to this one. The queue is not
        read again here (it would only fail): the window's status bar sends the outbox and
        the queue is read once it is sent."""
        if self.card is not None and self.card.member == member:
            self._advance_past(member)
        self.show_status(self._queued_text(queued, name), STATUS_PROBLEM)
        self.focus_queue()
        self.context.outbox_changed.emit()
        self.outcome_queued.emit(queued)

    def _queued_text(self, queued: QueuedCall, name: str) -> str:
        label = outcome_by_code(queued.outcome).label
        return (
            f"{offline_text(queued.waiting)}. The database server cannot be reached: "
            f"{label} for {name} is kept on this computer and sent once it answers. "
            "Ctrl+Z undoes it."
        )

    def _saved_text(self, logged: LoggedCall, name: str) -> str:
        label = outcome_by_code(logged.outcome).label
        now = self.clock()
        text = f"Saved {wording.clock_time(now, self.zone)}: {label} for {name}"
        scheduled = logged.scheduled
        if scheduled is not None:
            when = wording.when(scheduled.at, now, self.zone)
            text += f"; {_scheduled_words(scheduled.kind)} {when}"
        return text + ". Ctrl+Z undoes it."

    def _advance_past(self, member: uuid.UUID) -> None:
        """The logged customer leaves the list at once; the next one in Now takes the card."""
        row = self.model.row_of(member)
        self.card = None
        self._drop_from_queue(member)
        self.queue_panel.select_row(self.model.next_callable_row(max(row, 0)))
        if self.queue_panel.current_entry() is None:
            self._show_current(None)
            if self.queue is not None and self.queue.now_total:
                self.load_queue()  # the page held is called through: the next one

    def _outcome_undone(self, logged: LoggedCall | QueuedCall) -> None:
        label = outcome_by_code(logged.outcome).label
        self.show_status(f"Undone: {label}. The customer is back in the queue.", STATUS_OK)
        if isinstance(logged, QueuedCall):
            self.context.outbox_changed.emit()
        self._generation += 1
        self.card = None
        self.load_queue(select=logged.member)
        self.outcome_undone.emit(logged)

    # -- skip -----------------------------------------------------------------------------------
    def skip_current(self) -> None:
        if self.card is None or self.outcome_bar.editor is not None or self.saving:
            return
        member = self.card.member
        editor = skip_editor()
        editor.confirmed.connect(lambda details, m=member: self._skip_confirmed(m, details))
        editor.cancelled.connect(self.cancel_editor)
        self._open_editor(editor)

    def _skip_confirmed(self, member: uuid.UUID, details: Details) -> None:
        reason = details.reason or ""
        if details.note:
            reason = f"{reason}: {details.note}"
        self.skip_reasons[member] = reason
        self.outcome_bar.close_editor()
        self._set_outcome_keys_enabled(True)
        row = self.model.row_of(member)
        name = self.card.name if self.card else ""
        self.card = None
        self.model.set_queue(self.queue, self.skip_reasons)
        self.queue_panel.select_row(self.model.next_callable_row(max(row, 0)))
        if self.queue_panel.current_entry() is None:
            self._show_current(None)
        self.show_status(f"Skipped {name} for now: {reason}.", STATUS_OK)
        self.focus_queue()

    # -- the card's other actions ---------------------------------------------------------------
    def copy_phone(self) -> None:
        self.card_view.copy_phone()
        if self.card is not None and self.card.phone:
            self.show_status(f"Copied {wording.display_phone(self.card.phone)}.", STATUS_OK)

    def _save_pinned_note(self, member: uuid.UUID, text: str) -> None:
        db, profile = self.context.db, self.context.profile

        def saved(_note: PinnedNote) -> None:
            when = wording.clock_time(self.clock(), self.zone)
            self.show_status(f"Note saved {when}.", STATUS_OK)

        def refused(error: UserFacingError) -> None:
            self.show_status(str(error), STATUS_PROBLEM)

        def changes(note: PinnedNote) -> tuple[Changed, ...]:
            return (
                Changed(
                    ChangeKind.MEMBERS_CHANGED, note.campaign_id, (note.member_id,), origin=self
                ),
            )

        if not self._write(
            lambda: set_pinned_note(db, profile, member, text or None),
            saved,
            refused,
            changes=changes,
        ):
            self.show_status(
                "The note was not saved: press Ctrl+E and Enter again.", STATUS_PROBLEM
            )

    # -- focus ----------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.queue_panel.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.queue_panel.search.selectAll()

    def focus_queue(self) -> None:
        self.queue_panel.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- paper ----------------------------------------------------------------------------------
    def _whose(self) -> str:
        panel = self.queue_panel
        if not self.context.profile.is_lead:
            return self.context.profile.name
        return panel.manager_name() or (
            panel.store_combo.currentText() if panel.store_code() else "Every store"
        )

    def prepare_sheet(self, then: Callable[[call_sheet.CallSheet], None]) -> None:
        """Gathers today's list (with pinned notes) in the background, then calls ``then``."""
        shown = self.queue
        if shown is None:
            self.show_status("There is no queue to print yet.", STATUS_PROBLEM)
            return
        db, profile, whose, zone = self.context.db, self.context.profile, self._whose(), self.zone
        read_queue = self._queue_reader()

        def gather(progress: Progress) -> call_sheet.CallSheet:
            # The list shows a page of the queue; the sheet has everyone.
            queue = shown if shown.is_complete else read_queue(shown.at, None)
            entries = call_sheet.entries_for_today(queue, zone)
            return call_sheet.collect_sheet(
                db, profile, queue, entries, whose=whose, zone=zone, progress=progress
            )

        def ready(sheet: call_sheet.CallSheet) -> None:
            self.printed_lines = [(line.number, line.entry) for line in sheet.lines]
            self.printed_day = sheet.day
            then(sheet)

        def failed(error: BaseException) -> None:
            if not isinstance(error, UserFacingError):
                raise error
            self.show_status(str(error), STATUS_PROBLEM)

        self.show_status("Preparing today's list...", STATUS_OK)
        self._sheet_task = run_task(gather, on_success=ready, on_error=failed)

    def save_pdf(self) -> None:
        def ask_and_write(sheet: call_sheet.CallSheet) -> None:
            folder = (
                QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
                or QDir.homePath()
            )
            suggested = str(Path(folder) / f"call-sheet-{sheet.day.isoformat()}.pdf")
            path, _ = QFileDialog.getSaveFileName(
                self, "Save today's list as PDF", suggested, "PDF (*.pdf)"
            )
            if path:
                self.write_pdf(sheet, Path(path), open_after=True)

        self.prepare_sheet(ask_and_write)

    def write_pdf(self, sheet: call_sheet.CallSheet, path: Path, open_after: bool = False) -> None:
        try:
            pages = call_sheet.write_pdf(sheet, path, self.zone)
        except UserFacingError as error:
            self.show_status(str(error), STATUS_PROBLEM)
            return
        self.show_status(
            f"Saved today's list ({wording.count(len(sheet.lines), 'customer')}, "
            f"{wording.count(pages, 'page')}) to {path}.",
            STATUS_OK,
        )
        if open_after:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def print_on_printer(self) -> None:
        def ask_and_print(sheet: call_sheet.CallSheet) -> None:
            from PySide6.QtPrintSupport import QPrintDialog, QPrinter

            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            dialog = QPrintDialog(printer, self)
            dialog.setWindowTitle("Print today's list")
            if dialog.exec() != QPrintDialog.DialogCode.Accepted:
                return
            try:
                pages = call_sheet.paint_document(printer, sheet, self.zone)
            except UserFacingError as error:
                self.show_status(str(error), STATUS_PROBLEM)
                return
            self.show_status(
                f"Sent today's list ({wording.count(pages, 'page')}) to the printer.", STATUS_OK
            )

        self.prepare_sheet(ask_and_print)

    def sheet_lines(self, queue: CallQueue | None = None) -> list[tuple[int, QueueEntry]]:
        """The printed sheet's lines in its order; without one, today's list as it stands
        (``queue``, else the one shown)."""
        if self.printed_lines:
            return self.printed_lines
        queue = queue or self.queue
        if queue is None:
            return []
        entries = call_sheet.entries_for_today(queue, self.zone)
        return list(enumerate(entries, start=1))

    def type_in_sheet(self) -> SheetEntryDialog | None:
        """Opens the grid for the printed sheet, or today's list; None while the whole list
        is read first (the queue shows a page of it), or when there is nobody to type in."""
        shown = self.queue
        if not self.printed_lines and shown is not None and not shown.is_complete:
            read_queue = self._queue_reader()

            def failed(error: BaseException) -> None:
                if not isinstance(error, UserFacingError):
                    raise error
                self.show_status(str(error), STATUS_PROBLEM)

            self._whole_queue_task = run_task(
                lambda _progress: read_queue(shown.at, None),
                on_success=self._open_sheet_entry_for,
                on_error=failed,
            )
            return None
        return self._open_sheet_entry(shown)

    def _open_sheet_entry_for(self, queue: CallQueue) -> None:
        self._open_sheet_entry(queue)

    def _open_sheet_entry(self, queue: CallQueue | None) -> SheetEntryDialog | None:
        lines = self.sheet_lines(queue)
        if not lines:
            self.show_status(
                "There is no list to type in: nobody is in today's queue.", STATUS_PROBLEM
            )
            return None
        day = self.printed_day or self.clock().astimezone(self.zone).date()
        dialog = SheetEntryDialog(
            self.context,
            lines,
            sheet_day=day,
            zone=self.zone,
            clock=self.clock,
            parent=self,
        )
        dialog.calls_logged.connect(self._sheet_typed_in)
        dialog.finished.connect(lambda _result: self.focus_queue())
        dialog.open()
        dialog.activateWindow()
        return dialog

    def _sheet_typed_in(self, logged: list[LoggedCall]) -> None:
        self.show_status(
            f"Saved {wording.clock_time(self.clock(), self.zone)}: "
            f"{wording.count(len(logged), 'call')} from the call sheet.",
            STATUS_OK,
        )  # the queue is read again: the sheet announced the members it logged

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._queue_aged:
            self._queue_aged = False
            self._reload_soon.start()
        focus = QApplication.focusWidget()
        if focus is None or not self.isAncestorOf(focus):
            self.focus_queue()  # the keys work from the first moment the desk is on screen

    # -- status ---------------------------------------------------------------------------------
    def show_status(self, text: str, kind: str) -> None:
        self.status.setText(text)
        self.status.setProperty("kind", kind)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status_changed.emit(text)


def _scheduled_words(kind: str) -> str:
    return {
        "callback": "callback",
        "visit_reminder": "reminder call",
        "retry": "next try",
    }.get(kind, kind.replace("_", " "))


def build_desk_page(context: AppContext) -> QWidget:
    return DeskPage(context)


def _without(queue: CallQueue, members: set[uuid.UUID]) -> CallQueue:
    """The queue without ``members`` (their outcomes wait in the outbox)."""
    if not members:
        return queue
    now = [entry for entry in queue.now if entry.member not in members]
    later = [entry for entry in queue.later if entry.member not in members]
    return dataclasses.replace(
        queue,
        now=now,
        later=later,
        now_total=queue.now_total - (len(queue.now) - len(now)),
        later_total=queue.later_total - (len(queue.later) - len(later)),
    )
