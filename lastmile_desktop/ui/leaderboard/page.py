"""The Leaderboard page: what the calls brought back, store by store, as facts.

Pick a campaign, a period and the rate stores are ranked by; the page asks ``leaderboard``
and ``weekly_trend`` in the background (about a second at 100,000 customers) and shows:
the store table (every figure, each rate with its 95% interval, the rank or "too few to
rank"), the lift over the holdout, the heroes and the gaps of the picked store, and the
chosen rate week by week. Ctrl+Enter (or Enter in the table) opens the picked store's
managers and the customers behind each figure.

The page reads again whenever the data changes (an outcome logged, a sales import, an
assignment, another window's commit), keeping the campaign, period, rate and store picked.
While it is hidden it only notes that it is out of date, and reads when shown. A manager
sees the services' answer for their profile: their own store by name, the others lettered,
and no drill-down into the lettered ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QDate, QDir, QItemSelectionModel, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from lastmile_desktop.campaigns.campaigns import CampaignInfo, list_campaigns
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.leaderboard.facts import Figure
from lastmile_desktop.leaderboard.model import Gap, Leaderboard, StoreRow, Trend
from lastmile_desktop.leaderboard.names import set_store_names_shown, store_names_shown
from lastmile_desktop.leaderboard.periods import PeriodChoice, PeriodKind
from lastmile_desktop.leaderboard.rates import DEFAULT_RATE, Rate
from lastmile_desktop.leaderboard.service import DEFAULT_PERIOD, leaderboard, weekly_trend
from lastmile_desktop.paper import Paper, usual_paper
from lastmile_desktop.ui.actions import UserAction
from lastmile_desktop.ui.assign.widgets import HINT_STYLE, WARNING_STYLE, page_title
from lastmile_desktop.ui.changes import Changed, ChangeKind
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.leaderboard import wording
from lastmile_desktop.ui.leaderboard.drill_down import StoreDetailDialog
from lastmile_desktop.ui.leaderboard.panels import NOT_YOURS_TIP, GapsPanel, HeroesPanel
from lastmile_desktop.ui.leaderboard.request import BoardRequest
from lastmile_desktop.ui.leaderboard.store_table import (
    COLUMN_RANK,
    COLUMN_STORE,
    RATE_COLUMNS,
    StoreTableModel,
)
from lastmile_desktop.ui.leaderboard.trend_chart import TrendChart, board_colours
from lastmile_desktop.ui.paper.leaderboard_pdf import (
    PaperSummary,
    suggested_file_name,
    write_leaderboard_pdf,
)

Clock = Callable[[], datetime]

WORKING = "Working..."
DRILL_SHORTCUTS = ("Ctrl+Return", "Ctrl+Enter")
DRILL_TEXT = "Managers and customers...  (Ctrl+Enter)"
DRILL_TIP = "The picked store's figures per manager, and the customers behind each figure"
PICK_A_STORE_TIP = "Pick a store in the table first (Alt+S, then the arrow keys)"
CUSTOM_DATES_DELAY_MS = 400  # typing a date's digits reads the board once, not per digit
SIDE_PANEL_WIDTH = 330
ROW_HEIGHT = 24
TABLE_LABEL_MIN_WIDTH = 200
PDF_SHORTCUT = "Ctrl+P"
PDF_TEXT = f"Save as PDF...  ({PDF_SHORTCUT})"
PDF_TIP = (
    "The leaderboard shown, on one page for a meeting: the heroes, the weekly trend, the "
    "store table and the gaps"
)
SORT_SHORTCUT = "Ctrl+Shift+S"  # in the table: by the current column; again: the other way
PAGE_STYLE = "QLabel#panelTitle { font-weight: 600; color: #1f3a4d; }"


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Snapshot:
    """What one background read brings back."""

    campaigns: list[CampaignInfo]
    board: Leaderboard | None  # None: no campaign yet
    trend: Trend | None
    names_shown: bool


def no_campaign_text(is_lead: bool) -> str:
    if is_lead:
        return (
            "No campaign yet.\n\nImport the customer list head office sent (File > Import a "
            "customer list, Ctrl+O) and share it out on the Assign page (Ctrl+2). The "
            "leaderboard fills in as calls are logged and sales come in from the till "
            "(File > Import sales from the till, Ctrl+Shift+I)."
        )
    return (
        "No campaign yet.\n\nYour regional lead imports the customer list and shares it out; "
        "your store's figures appear here as soon as calls are logged."
    )


def nobody_assigned_text(board: Leaderboard, is_lead: bool) -> str:
    if is_lead:
        return (
            f'Nobody in "{board.campaign}" is assigned to a store yet.\n\nShare the list out '
            "on the Assign page (Ctrl+2, then Assign now, Ctrl+Shift+A); the stores appear here."
        )
    return (
        f'Nobody in "{board.campaign}" is assigned to a store yet. Your regional lead shares '
        "the list out; your store appears here once they have."
    )


def no_calls_text(board: Leaderboard, campaign: CampaignInfo | None) -> str:
    """Said above the table when the period holds no call (the table still counts the list)."""
    if campaign is not None and not campaign.holdout_locked:
        return (
            "No calls logged in this campaign yet. Calls logged on the Calls page (Ctrl+3) "
            "count here at once."
        )
    return (
        f"No calls logged in {board.period.describe()}. Pick a longer period (Alt+D), "
        "such as Campaign to date."
    )


class LeaderboardPage(QWidget):
    # A background read was shown (a board, or an empty state).
    loaded = Signal()
    # Reading started (True) or its answer is shown (False).
    working_changed = Signal(bool)
    # The leaderboard was saved as PDF: the file's path.
    pdf_saved = Signal(str)

    def __init__(
        self,
        context: AppContext,
        *,
        clock: Clock = system_clock,
        zone: tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("leaderboardPage")
        self.setStyleSheet(PAGE_STYLE)
        self.context = context
        self.clock = clock
        self.zone = zone
        self.board: Leaderboard | None = None
        self.trend: Trend | None = None
        self.campaigns: list[CampaignInfo] = []
        self.request: BoardRequest | None = None  # what the board shown answers
        self.selected_store: str | None = None
        self.detail_dialog: StoreDetailDialog | None = None
        self.working_now = False  # a read is running
        self._again = False  # asked to read again while one was running
        self._out_of_date = True  # nothing read yet
        self._filling = False  # pickers being filled in code: no read per change
        self._restoring = False
        self._column = COLUMN_RANK  # the table's current column, kept across a refresh

        self._build_pickers()
        self._build_body()
        self._build_layout()
        self._connect()
        self._update_pdf()

    # -- building -------------------------------------------------------------------------
    def _build_pickers(self) -> None:
        self.campaign_combo = QComboBox()
        self.campaign_combo.setMinimumContentsLength(22)
        self.campaign_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.campaign_label = QLabel("Campa&ign (Alt+I):")
        self.campaign_label.setBuddy(self.campaign_combo)

        self.period_combo = QComboBox()
        for kind, text in wording.PERIOD_LABELS.items():
            self.period_combo.addItem(text, kind.value)
        self.period_combo.setCurrentIndex(self.period_combo.findData(DEFAULT_PERIOD.kind.value))
        self.period_label = QLabel("Perio&d (Alt+D):")
        self.period_label.setBuddy(self.period_combo)
        self.from_edit = QDateEdit()
        self.to_edit = QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
        self.from_label = QLabel("Fro&m (Alt+M):")
        self.from_label.setBuddy(self.from_edit)
        self.to_label = QLabel("T&o (Alt+O):")
        self.to_label.setBuddy(self.to_edit)
        self._custom_widgets: tuple[QWidget, ...] = (
            self.from_label,
            self.from_edit,
            self.to_label,
            self.to_edit,
        )

        self.rate_combo = QComboBox()
        for rate in Rate:
            self.rate_combo.addItem(rate.label, rate.value)
        self.rate_combo.setCurrentIndex(self.rate_combo.findData(DEFAULT_RATE.value))
        self.rate_label = QLabel("&Rate (Alt+R):")
        self.rate_label.setBuddy(self.rate_combo)

        self.names_box = QCheckBox("Managers see every store's &name (Alt+N)")
        self.names_box.setToolTip(
            "Off: a store manager sees their own store by name and the others as Store A, "
            "Store B... The figures are the same either way."
        )
        self.working = QLabel(WORKING)
        self.working.setObjectName("hint")
        self.working.setVisible(False)

        self.drill_action = QAction("Managers and customers", self)
        self.drill_action.setShortcuts([QKeySequence(keys) for keys in DRILL_SHORTCUTS])
        self.drill_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.drill_action)
        self.drill_button = QPushButton(DRILL_TEXT)
        self.drill_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.pdf_action = QAction("Save as PDF...", self)
        self.pdf_action.setShortcut(QKeySequence(PDF_SHORTCUT))
        self.pdf_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.pdf_action)
        self.pdf_button = QPushButton(PDF_TEXT)
        self.pdf_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pdf_status = QLabel()
        self.pdf_status.setObjectName("pdfStatus")
        self.pdf_status.setWordWrap(True)
        self.pdf_status.setStyleSheet(HINT_STYLE)
        self.pdf_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pdf_status.setVisible(False)
        self.saving_pdf = False

    def _build_body(self) -> None:
        self.model = StoreTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("storeTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSortIndicator(COLUMN_RANK, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table_label = QLabel(
            f"&Stores (Alt+S). Sort: click a title, or {SORT_SHORTCUT} in the column"
        )
        self.table_label.setWordWrap(True)
        self.table_label.setMinimumWidth(TABLE_LABEL_MIN_WIDTH)  # wraps beside the button
        self.table_label.setBuddy(self.table)
        self.sort_action = QAction("Sort by this column", self.table)
        self.sort_action.setShortcut(QKeySequence(SORT_SHORTCUT))
        self.sort_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.sort_action.triggered.connect(lambda _checked=False: self.sort_by_current_column())
        self.table.addAction(self.sort_action)
        for keys in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.open_store)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(WARNING_STYLE)
        self.notice.setVisible(False)

        self.chart = TrendChart()
        self.heroes = HeroesPanel(SIDE_PANEL_WIDTH)
        self.gaps = GapsPanel()

        self.period_line = QLabel()
        self.period_line.setWordWrap(True)
        self.period_line.setStyleSheet(HINT_STYLE)
        self.lift_line = QLabel()
        self.lift_line.setObjectName("liftLine")
        self.lift_line.setWordWrap(True)
        self.lift_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.empty_state = QLabel()
        self.empty_state.setObjectName("emptyState")
        self.empty_state.setWordWrap(True)
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setMargin(24)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(page_title("Leaderboard"))
        top.addSpacing(16)
        top.addWidget(self.campaign_label)
        top.addWidget(self.campaign_combo)
        top.addSpacing(12)
        top.addWidget(self.working)
        top.addStretch(1)
        top.addWidget(self.names_box)

        pickers = QHBoxLayout()
        pickers.addWidget(self.period_label)
        pickers.addWidget(self.period_combo)
        for widget in self._custom_widgets:
            pickers.addWidget(widget)
        pickers.addSpacing(12)
        pickers.addWidget(self.rate_label)
        pickers.addWidget(self.rate_combo)
        pickers.addStretch(1)
        pickers.addWidget(self.pdf_button)

        table_block = QWidget()
        table_layout = QVBoxLayout(table_block)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.setSpacing(3)
        table_layout.addWidget(self.notice)
        table_title = QHBoxLayout()
        table_title.addWidget(self.table_label, 1)
        table_title.addWidget(self.drill_button)
        table_layout.addLayout(table_title)
        table_layout.addWidget(self.table, 1)
        left = QSplitter(Qt.Orientation.Vertical)
        left.setChildrenCollapsible(False)
        left.addWidget(table_block)
        left.addWidget(self.chart)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)

        side = QWidget()
        side.setFixedWidth(SIDE_PANEL_WIDTH)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.heroes)
        side_layout.addSpacing(6)
        side_layout.addWidget(self.gaps, 1)

        content = QWidget()
        body = QHBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(12)
        body.addWidget(left, 1)
        body.addWidget(side)
        content_with_lines = QWidget()
        column = QVBoxLayout(content_with_lines)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.period_line)
        column.addWidget(self.lift_line)
        column.addWidget(content, 1)
        self.content = content_with_lines

        self.stack = QStackedWidget()
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.empty_state)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 4, 16, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(pickers)
        layout.addWidget(self.pdf_status)
        layout.addWidget(self.stack, 1)
        self._show_custom_dates(False)
        self._update_drill()

    def _connect(self) -> None:
        self.campaign_combo.currentIndexChanged.connect(self._picked)
        self.period_combo.currentIndexChanged.connect(self._period_picked)
        self.rate_combo.currentIndexChanged.connect(self._picked)
        self._dates_timer = QTimer(self)
        self._dates_timer.setSingleShot(True)
        self._dates_timer.setInterval(CUSTOM_DATES_DELAY_MS)
        self._dates_timer.timeout.connect(self.load)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(lambda _date: self._dates_changed())
        self.names_box.clicked.connect(self._names_toggled)
        self.drill_action.triggered.connect(lambda _checked=False: self.open_store())
        self.drill_button.clicked.connect(self.open_store)
        self.pdf_action.triggered.connect(lambda _checked=False: self.save_pdf())
        self.pdf_button.clicked.connect(self.save_pdf)
        self.table.doubleClicked.connect(lambda _index: self.open_store())
        self.table.selectionModel().selectionChanged.connect(
            lambda _selected, _deselected: self._selection_changed()
        )
        self.model.modelAboutToBeReset.connect(self._keep_column)
        self.model.modelReset.connect(self._restore_selection)
        self.gaps.gap_opened.connect(self.open_gap)
        self.context.changed.connect(self._data_changed)
        self.context.profile_changed.connect(lambda _profile: self._profile_changed())

    # -- the pickers ----------------------------------------------------------------------
    def rate(self) -> Rate:
        return Rate(self.rate_combo.currentData())

    def period_kind(self) -> PeriodKind:
        return PeriodKind(self.period_combo.currentData())

    def campaign_id(self) -> int | None:
        value = self.campaign_combo.currentData()
        return int(value) if value is not None else None

    def period_choice(self) -> PeriodChoice:
        """The period picked; custom dates the wrong way round raise ``UserFacingError``."""
        kind = self.period_kind()
        if kind is not PeriodKind.CUSTOM:
            return PeriodChoice(kind)
        return PeriodChoice.custom(_day(self.from_edit.date()), _day(self.to_edit.date()))

    def set_custom_dates(self, first: date, last: date) -> None:
        """Custom dates, from first to last (both included), as typing them would."""
        self._filling = True
        try:
            self.period_combo.setCurrentIndex(self.period_combo.findData(PeriodKind.CUSTOM.value))
            self.from_edit.setDate(QDate(first.year, first.month, first.day))
            self.to_edit.setDate(QDate(last.year, last.month, last.day))
            self._show_custom_dates(True)
        finally:
            self._filling = False
        self.load()

    def _picked(self, _index: int) -> None:
        if not self._filling:
            self.load()

    def _period_picked(self, _index: int) -> None:
        if self._filling:
            return
        custom = self.period_kind() is PeriodKind.CUSTOM
        if custom and self.board is not None:
            # Custom starts from the period shown, so only the end or the start needs typing.
            self._filling = True
            try:
                first, last = self.board.period.first_day, self.board.period.last_day
                self.from_edit.setDate(QDate(first.year, first.month, first.day))
                self.to_edit.setDate(QDate(last.year, last.month, last.day))
            finally:
                self._filling = False
        self._show_custom_dates(custom)
        self.load()

    def _show_custom_dates(self, shown: bool) -> None:
        for widget in self._custom_widgets:
            widget.setVisible(shown)

    def _dates_changed(self) -> None:
        if not self._filling:
            self._dates_timer.start()

    # -- reading --------------------------------------------------------------------------
    def refresh_page(self) -> None:
        """F5 (Go > Refresh this page): everything read again, the picks kept."""
        self.load()

    def load(self) -> None:
        """Reads the board and the trend in the background; shows them when they arrive.

        One read at a time: asked again meanwhile (a burst of outcomes, a new pick), the page
        reads once more when the running read ends, with the picks as they are then.
        """
        self._dates_timer.stop()
        if self.working_now:
            self._again = True
            return
        try:
            period = self.period_choice()
        except UserFacingError as error:
            self._show_notice(str(error))
            return
        request = BoardRequest(self.campaign_id(), period, self.rate(), self.zone, self.clock())
        db, profile = self.context.db, self.context.profile
        self._out_of_date = False
        self._again = False

        def read() -> Snapshot:
            campaigns = list_campaigns(db)
            names_shown = store_names_shown(db)
            if not campaigns:
                return Snapshot(campaigns, None, None, names_shown)
            known = {info.id for info in campaigns}
            campaign = request.campaign_id if request.campaign_id in known else None
            board = leaderboard(
                db,
                profile,
                campaign=campaign,
                period=request.period,
                rate=request.rate,
                zone=request.zone,
                now=request.now,
            )
            trend = weekly_trend(
                db,
                profile,
                campaign=board.campaign_id,
                rate=request.rate,
                zone=request.zone,
                now=request.now,
            )
            return Snapshot(campaigns, board, trend, names_shown)

        def still_wanted() -> bool:
            """Whether the answer is to what is picked now (else the next read replaces it)."""
            if not self._again:
                return True
            try:
                period_now = self.period_choice()
            except UserFacingError:
                period_now = None
            return (profile, request.campaign_id, request.period, request.rate) == (
                self.context.profile,
                self.campaign_id(),
                period_now,
                self.rate(),
            )

        def arrived(snapshot: Snapshot) -> None:
            if not isValid(self):
                return  # the page went (the window closed) while the read ran
            self._set_working(False)
            if still_wanted():
                self._show(snapshot, request)
            self._read_again_if_asked()

        def refused(error: UserFacingError) -> None:
            if not isValid(self):
                return  # the page went (the window closed) while the read ran
            self._set_working(False)
            self._show_notice(str(error))
            self.loaded.emit()
            self._read_again_if_asked()

        def failed(_error: BaseException) -> None:
            if not isValid(self):
                return  # the page went (the window closed) while the read ran
            self._set_working(False)
            self._read_again_if_asked()

        self._set_working(True)
        action: UserAction[Snapshot] = UserAction(self.context, read, parent=self)
        action.on_success(arrived).on_user_error(refused).on_failure(failed)
        action.run_in_background()

    def _read_again_if_asked(self) -> None:
        if self._again:
            self.load()

    def _set_working(self, working: bool) -> None:
        self.working_now = working
        self.working.setVisible(working)
        self.working_changed.emit(working)

    def _data_changed(self, _change: Changed) -> None:
        # Any change can move a figure: outcomes and owners, purchases, stores, the list.
        if self.isVisible():
            self.load()
        else:
            self._out_of_date = True

    def _profile_changed(self) -> None:
        if self.detail_dialog is not None:
            self.detail_dialog.close()
            self.detail_dialog = None
        self.selected_store = None
        self._data_changed(Changed(ChangeKind.EXTERNAL))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._out_of_date:
            self.load()

    # -- showing --------------------------------------------------------------------------
    def _show(self, snapshot: Snapshot, request: BoardRequest) -> None:
        self.campaigns = snapshot.campaigns
        self.board, self.trend, self.request = snapshot.board, snapshot.trend, request
        self._fill_campaigns(snapshot)
        profile = self.context.profile
        self.names_box.setVisible(profile.is_lead)
        self.names_box.setChecked(snapshot.names_shown)
        board = snapshot.board
        if board is None:
            self._show_empty(no_campaign_text(profile.is_lead))
        elif not board.stores:
            self._show_empty(nobody_assigned_text(board, profile.is_lead))
        else:
            self._show_board(board, snapshot.trend)
        self._update_drill()
        self._update_pdf()
        self.loaded.emit()

    def _fill_campaigns(self, snapshot: Snapshot) -> None:
        self._filling = True
        try:
            self.campaign_combo.clear()
            for info in snapshot.campaigns:
                suffix = "" if info.is_open else "  (closed)"
                self.campaign_combo.addItem(info.name + suffix, info.id)
            if snapshot.board is not None:
                self.campaign_combo.setCurrentIndex(
                    self.campaign_combo.findData(snapshot.board.campaign_id)
                )
            else:
                self.campaign_combo.addItem("No campaign yet")
            self.campaign_combo.setEnabled(bool(snapshot.campaigns))
        finally:
            self._filling = False

    def _show_empty(self, text: str) -> None:
        self.empty_state.setText(text)
        self.stack.setCurrentWidget(self.empty_state)
        self.model.show([], self.rate(), {})
        self.selected_store = None

    def _show_board(self, board: Leaderboard, trend: Trend | None) -> None:
        self.stack.setCurrentWidget(self.content)
        colours = board_colours(board, trend)
        if self.selected_store is None and not self.context.profile.is_lead:
            self.selected_store = next((row.store for row in board.stores if row.own), None)
        self.model.show(board.stores, board.rate, colours)  # restores the store picked
        self._chosen_rate_beside_store(board.rate)
        if trend is not None:
            self.chart.show_trend(trend, colours)
        self.chart.select(self.selected_store)
        self.period_line.setText(wording.ranking_note(board))
        self.lift_line.setText(wording.lift_sentence(board.lift))
        self.heroes.show_board(board, trend.weeks[0].first_day if trend and trend.weeks else None)
        self._show_gaps()
        called = any(row.figures.attempted for row in board.stores)
        campaign = next((c for c in self.campaigns if c.id == board.campaign_id), None)
        self._show_notice("" if called else no_calls_text(board, campaign))

    def _chosen_rate_beside_store(self, rate: Rate) -> None:
        """The rate stores are ranked by is the first figure after the store's name."""
        header = self.table.horizontalHeader()
        for logical in sorted(RATE_COLUMNS.values()):  # back to the columns' own order
            header.moveSection(header.visualIndex(logical), logical)
        header.moveSection(header.visualIndex(RATE_COLUMNS[rate]), COLUMN_STORE + 1)

    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _show_gaps(self) -> None:
        board = self.board
        if board is None:
            return
        drillable = {row.store for row in board.stores if row.store_id is not None}
        self.gaps.show_gaps(board.gaps, self.selected_store, drillable)

    def sort_by_current_column(self) -> None:
        """Sorts by the current cell's column; numbers largest first, then the other way."""
        column = self.table.currentIndex().column()
        if column < 0:
            return
        header = self.table.horizontalHeader()
        if header.sortIndicatorSection() == column:
            ascending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        else:
            # Ranks and names read best from the top; every other figure largest first.
            ascending = column in (COLUMN_RANK, COLUMN_STORE)
        order = Qt.SortOrder.AscendingOrder if ascending else Qt.SortOrder.DescendingOrder
        self.table.sortByColumn(column, order)

    # -- the store picked -----------------------------------------------------------------
    def selected_row(self) -> StoreRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(rows[0].row())

    def select_store(self, store: str | None) -> None:
        """Picks the store with this label in the table (None: no store)."""
        row = self.model.row_of_store(store) if store is not None else -1
        selection = self.table.selectionModel()
        if row < 0:
            selection.clearSelection()
            return
        current = self.table.currentIndex()
        index = self.model.index(row, current.column() if current.isValid() else self._column)
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _selection_changed(self) -> None:
        if self._restoring:
            return
        row = self.selected_row()
        self.selected_store = row.store if row is not None else None
        self.chart.select(self.selected_store)
        self._show_gaps()
        self._update_drill()

    def _keep_column(self) -> None:
        current = self.table.currentIndex()
        if current.isValid():
            self._column = current.column()

    def _restore_selection(self) -> None:
        self._restoring = True
        try:
            self.select_store(self.selected_store)
        finally:
            self._restoring = False
        self.chart.select(self.selected_store if self.model.rowCount() else None)
        self._update_drill()

    def _update_drill(self) -> None:
        row = self.selected_row()
        if row is None:
            enabled, tip = False, PICK_A_STORE_TIP
        elif row.store_id is None:
            enabled, tip = False, NOT_YOURS_TIP
        else:
            enabled, tip = True, DRILL_TIP
        for target in (self.drill_action, self.drill_button):
            target.setEnabled(enabled)
            target.setToolTip(tip)

    # -- drilling down --------------------------------------------------------------------
    def open_store(self) -> StoreDetailDialog | None:
        """The picked store's managers and customers; the figure of the current column first."""
        row = self.selected_row()
        if row is None or row.store_id is None:
            return None
        column = self.table.currentIndex().column()
        figure = self.model.figure_of(column)
        if column <= COLUMN_RANK + 1 or figure is None:
            figure = self.rate().numerator
        return self._open_detail(row.store_id, row.store, figure, None)

    def open_gap(self, gap: Gap) -> StoreDetailDialog | None:
        """The customers behind one gap, in its store's drill-down."""
        board = self.board
        row = next((r for r in board.stores if r.store == gap.store), None) if board else None
        if row is None or row.store_id is None:
            return None
        return self._open_detail(row.store_id, row.store, gap.kind.figure, gap.reason)

    def _open_detail(
        self, store_id: int, store: str, figure: Figure, reason: str | None
    ) -> StoreDetailDialog | None:
        if self.request is None:
            return None
        if self.detail_dialog is not None:
            self.detail_dialog.close()
        dialog = StoreDetailDialog(
            self.context, store_id, store, self.request, figure=figure, reason=reason, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result, d=dialog: self._detail_closed(d))
        self.detail_dialog = dialog
        dialog.show()
        dialog.activateWindow()
        return dialog

    def _detail_closed(self, dialog: StoreDetailDialog) -> None:
        if self.detail_dialog is dialog:
            self.detail_dialog = None

    # -- on paper -------------------------------------------------------------------------
    def _update_pdf(self) -> None:
        board = self.board
        if self.saving_pdf:
            enabled, tip = False, "Saving the leaderboard as PDF..."
        elif board is None or not board.stores:
            enabled, tip = False, "Nothing to print yet: no store has customers in this campaign."
        else:
            enabled, tip = True, PDF_TIP
        for target in (self.pdf_action, self.pdf_button):
            target.setEnabled(enabled)
            target.setToolTip(tip)

    def save_pdf(self) -> None:
        """The board shown, on one page, where the user chooses (A4 or US Letter: the save
        dialog's file type, the locale's paper first). Written in the background."""
        board, trend, zone = self.board, self.trend, self.zone
        if board is None or not board.stores or self.saving_pdf:
            return
        usual = usual_paper()
        file_types = {paper: f"PDF on {paper.label} paper (*.pdf)" for paper in Paper}
        folder = (
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or QDir.homePath()
        )
        suggested = str(Path(folder) / suggested_file_name(board, zone))
        chosen, file_type = QFileDialog.getSaveFileName(
            self,
            "Save the leaderboard as PDF",
            suggested,
            ";;".join(file_types[paper] for paper in (usual, *(p for p in Paper if p != usual))),
            file_types[usual],
        )
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        paper = next((p for p, text in file_types.items() if text == file_type), usual)

        def saved(summary: PaperSummary) -> None:
            if not isValid(self):
                return
            self._pdf_done()
            pages = "one page" if summary.pages == 1 else f"{summary.pages} pages"
            rest = "" if summary.complete else "; the workbook (Export page) has them all"
            self._show_pdf_status(
                f"Saved the leaderboard ({pages}, {paper.label}) to {summary.file}: "
                f"{summary.contents()}{rest}."
            )
            self.pdf_saved.emit(str(summary.file))

        def refused(error: UserFacingError) -> None:
            if isValid(self):
                self._show_pdf_status(str(error))

        def failed(_error: BaseException) -> None:
            if isValid(self):
                self._pdf_done()

        self.saving_pdf = True
        self._update_pdf()
        self._show_pdf_status(f"Saving the leaderboard to {target}...")
        action: UserAction[PaperSummary] = UserAction(
            self.context,
            lambda: write_leaderboard_pdf(board, trend, target, paper, zone=zone),
            parent=self,
        )
        action.on_success(saved).on_user_error(refused).on_failure(failed)
        action.run_in_background()

    def _pdf_done(self) -> None:
        self.saving_pdf = False
        self._update_pdf()

    def _show_pdf_status(self, text: str) -> None:
        self.pdf_status.setText(text)
        self.pdf_status.setVisible(bool(text))

    # -- the lead's setting ---------------------------------------------------------------
    def _names_toggled(self, shown: bool) -> None:
        db, profile = self.context.db, self.context.profile
        action: UserAction[None] = UserAction(
            self.context, lambda: set_store_names_shown(db, profile, shown), parent=self
        )
        action.announces(Changed(ChangeKind.STORES_CHANGED))
        action.on_failure(lambda _error: self.names_box.setChecked(not shown))
        action.run()


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def build_leaderboard_page(context: AppContext) -> QWidget:
    return LeaderboardPage(context)
