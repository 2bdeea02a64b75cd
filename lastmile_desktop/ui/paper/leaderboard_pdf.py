"""The leaderboard on one sheet of paper for the regional meeting: a PDF, A4 or US Letter.

The title (campaign, period, when the figures were read), the heroes beside the weekly
trend, the lift over the holdout, the store table and the gaps, always on exactly one page:
with many stores the table's type gets smaller, then its last rows give way to a line
pointing at the workbook; gaps that do not fit give way the same way, every store keeping
its largest gap first. Cells, sentences and dates are written by the Leaderboard page's own
wording, so paper and screen read alike.

Everything is painted with QPainter on a QPdfWriter, in points from the paper's corner:
text stays text (fonts embedded, so it can be searched and copied), and no widget or
window is involved, so it runs in a worker thread and from the command line, which only
needs a Qt application made on demand (``paper_application``).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
)
from PySide6.QtWidgets import QApplication

from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.leaderboard.model import Gap, Leaderboard, StoreRow, Trend
from lastmile_desktop.leaderboard.periods import TREND_WEEK_DAYS
from lastmile_desktop.leaderboard.rates import Rate
from lastmile_desktop.paper import Paper
from lastmile_desktop.spreadsheets.writing import PartialFile, cannot_write, check_target
from lastmile_desktop.ui.leaderboard import wording
from lastmile_desktop.ui.leaderboard.store_table import (
    COLUMN_STORE,
    RANKED_MARK,
    RATE_COLUMNS,
    store_columns,
)
from lastmile_desktop.ui.leaderboard.trend_chart import (
    Y_TICKS,
    axis_top,
    board_colours,
    line_runs,
    week_label,
)

PAGE_SIZES = {Paper.A4: QPageSize.PageSizeId.A4, Paper.LETTER: QPageSize.PageSizeId.Letter}
PDF_DPI = 1200  # device pixels per inch: text is laid out at print resolution
PDF_SUFFIXES = (".pdf",)
# Fonts that exist as TrueType on Windows, macOS and Linux (Liberation Sans: Arial's metrics).
FAMILIES = ["Arial", "Helvetica", "Liberation Sans", "DejaVu Sans"]

# Sizes in points (1/72 inch).
MARGIN = 34.0
COLUMN_GAP = 14.0
TITLE_SIZE = 15.0
SUBTITLE_SIZE = 9.0
HEADING_SIZE = 10.0
TEXT_SIZE = 8.5
SMALL_SIZE = 7.0
CHART_HEIGHT = 172.0
HEROES_SHARE = 0.46  # of the width: the heroes on the left, the chart on the right
HEROES_MAX_SHARE = 0.4  # of the page's height: room for a dozen stores tied for best
TABLE_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5, 6.0)  # the table's type, largest that fits first
LEGIBLE_TABLE_SIZE = 7.0  # columns are left out before the type gets smaller than this
CELL_PAD = 2.6  # left and right of a cell's text
STORE_MAX_WIDTH = 130.0  # longer store names are cut with "..."
GAP_SIZE = 7.5
GAPS_RESERVE = 96.0  # height kept for the gaps before the table may take the rest
LINE_WIDTH = 1.3
EMPHASISED_WIDTH = 2.4
FADED_ALPHA = 70
# Columns left out, in this order, when the table is too wide at the smallest type.
DROP_ORDER = (
    "Days to first call",
    "Calls",
    "Stayed back",
    "Lift vs holdout (points)",  # the lift over the whole holdout is written above the table
    "Overdue callbacks",
    "Revenue won back",
)

INK = QColor("#1a1a1a")
SOFT_INK = QColor("#5f6b73")
TITLE_INK = QColor("#1f3a4d")
RULE = QColor("#b0b0b0")
GRID = QColor("#e3e6e8")
STRIPE = QColor("#f1f3f5")

MORE_STORES = "and {count} more {stores}: see the workbook"
MORE_GAPS = "and {count} more {gaps}: see the workbook"

_application: QApplication | None = None


def paper_application() -> QCoreApplication:
    """The running Qt application, or one made for painting (the command line).

    Painting needs no more than a QGuiApplication, but a QApplication is one, and a process
    that goes on to show a widget (a test run calling the command line in-process) needs it.
    The command line sets ``QT_QPA_PLATFORM=offscreen`` first: a PDF needs fonts, not a screen.
    """
    global _application  # noqa: PLW0603 - one application per process, kept alive here
    existing = QCoreApplication.instance()
    if existing is not None:
        return existing
    _application = QApplication(sys.argv[:1])
    return _application


@dataclass(frozen=True)
class PaperSummary:
    """What was written: the file and how much of the leaderboard it holds."""

    file: Path
    pages: int
    paper: Paper
    stores: int
    stores_shown: int  # the table's rows (the others: "and N more stores")
    gaps: int
    gaps_shown: int
    columns_left_out: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Whether every store and every gap is on the page."""
        return self.stores_shown == self.stores and self.gaps_shown == self.gaps

    def contents(self) -> str:
        """ "every store and gap", "32 of 40 stores and 8 of 120 gaps"."""
        if self.complete:
            return "every store and gap"
        stores = (
            "every store"
            if self.stores_shown == self.stores
            else f"{self.stores_shown} of {self.stores} stores"
        )
        gaps = (
            "every gap"
            if self.gaps_shown == self.gaps
            else f"{self.gaps_shown} of {self.gaps} gaps"
        )
        return f"{stores} and {gaps}"

    def as_json(self, board: Leaderboard) -> dict[str, object]:
        """The shape ``lastmile export --pdf --json`` prints."""
        return {
            "file": str(self.file),
            "pages": self.pages,
            "paper": self.paper.value,
            "campaign": board.campaign,
            "period": {
                "from": board.period.first_day.isoformat(),
                "to": board.period.last_day.isoformat(),
            },
            "rate": board.rate.value,
            "stores": self.stores,
            "stores_shown": self.stores_shown,
            "gaps": self.gaps,
            "gaps_shown": self.gaps_shown,
            "columns_left_out": list(self.columns_left_out),
            "as_of": board.computed_at.isoformat(),
        }


def suggested_file_name(board: Leaderboard, zone: tzinfo | None = None) -> str:
    """ "Leaderboard Spring win-back 2026-11-29.pdf": the campaign and the day of the figures,
    without the characters Windows refuses in a file name."""
    day = board.computed_at.astimezone(zone) if zone is not None else board.computed_at.astimezone()
    campaign = " ".join(re.sub(r'[\\/:*?"<>|]', " ", board.campaign).split()).strip(".")
    return f"Leaderboard {campaign or 'campaign'} {day.date().isoformat()}.pdf"


def check_pdf_target(target: Path) -> None:
    """Refuse a file the leaderboard cannot be saved to, before any work is done."""
    check_target(target, PDF_SUFFIXES, "the leaderboard")


def page_size_points(paper: Paper) -> tuple[float, float]:
    size = QPageSize(PAGE_SIZES[paper]).size(QPageSize.Unit.Point)
    return size.width(), size.height()


def write_leaderboard_pdf(
    board: Leaderboard,
    trend: Trend | None,
    target: Path,
    paper: Paper,
    *,
    zone: tzinfo | None = None,
) -> PaperSummary:
    """Writes ``board`` and ``trend`` (None: no chart) on one page of ``paper`` to ``target``.

    Times are shown in ``zone`` (None: the computer's). The file appears whole or not at all:
    an older file of the same name stays until the new one is complete.
    """
    target = Path(target)
    check_pdf_target(target)
    if not board.stores:
        raise UserFacingError(
            f'Nobody in "{board.campaign}" is assigned to a store yet, so there is no '
            "leaderboard to print. Share the list out first (Assign now)."
        )
    paper_application()
    partial = PartialFile(target)
    try:
        writer = QPdfWriter(str(partial.path))
        writer.setResolution(PDF_DPI)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(PAGE_SIZES[paper]),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
        )
        writer.setTitle(f"Leaderboard: {board.campaign}, {board.period.describe()}")
        writer.setCreator("Last Mile")
        painter = QPainter()
        if not painter.begin(writer):
            raise cannot_write(target, OSError("the PDF could not be started"))
        try:
            width, height = page_size_points(paper)
            sheet = _Sheet(painter, writer.logicalDpiY(), width, height)
            shown = _paint_leaderboard(sheet, board, trend, zone)
        finally:
            painter.end()
        del writer  # the file is complete once the writer is gone
        partial.commit()
    except BaseException:
        partial.discard()
        raise
    return PaperSummary(
        file=target,
        pages=1,  # painted on one page, never a second (nothing calls newPage)
        paper=paper,
        stores=len(board.stores),
        stores_shown=shown.stores,
        gaps=len(board.gaps),
        gaps_shown=shown.gaps,
        columns_left_out=shown.columns_left_out,
    )


# -- measuring and drawing in points --------------------------------------------------------------
class _Sheet:
    """The page in points; converts to the device's pixels and measures text on the device."""

    def __init__(self, painter: QPainter, dpi: float, width: float, height: float) -> None:
        self.painter = painter
        self.device = painter.device()
        self.scale = dpi / 72.0
        self.width = width
        self.height = height
        self._fonts: dict[tuple[float, bool, bool], QFont] = {}
        self._metrics: dict[tuple[float, bool, bool], QFontMetricsF] = {}

    def px(self, points: float) -> float:
        return points * self.scale

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(self.px(x), self.px(y), self.px(w), self.px(h))

    def font(self, size: float, bold: bool = False, italic: bool = False) -> QFont:
        key = (size, bold, italic)
        if key not in self._fonts:
            font = QFont()
            font.setFamilies(FAMILIES)
            font.setStyleHint(QFont.StyleHint.SansSerif)
            font.setPointSizeF(size)  # the device's resolution turns points into pixels
            font.setBold(bold)
            font.setItalic(italic)
            # No ligature glyphs (Latin needs no shaping): "first" copied out of the PDF
            # gives f, i, r, s, t, and a search for it finds it.
            font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
            self._fonts[key] = font
            self._metrics[key] = QFontMetricsF(font, self.device)
        return self._fonts[key]

    def metrics(self, size: float, bold: bool = False, italic: bool = False) -> QFontMetricsF:
        self.font(size, bold, italic)
        return self._metrics[(size, bold, italic)]

    def line_height(self, size: float, bold: bool = False) -> float:
        return self.metrics(size, bold).lineSpacing() / self.scale

    def advance(self, text: str, size: float, bold: bool = False) -> float:
        return self.metrics(size, bold).horizontalAdvance(text) / self.scale

    def wrapped_height(self, text: str, size: float, width: float, bold: bool = False) -> float:
        box = self.metrics(size, bold).boundingRect(
            QRectF(0, 0, self.px(width), self.px(10_000)),
            int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
            text,
        )
        return box.height() / self.scale

    def text(
        self,
        area: tuple[float, float, float, float],
        text: str,
        size: float,
        *,
        bold: bool = False,
        italic: bool = False,
        color: QColor = INK,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        wrap: bool = False,
    ) -> None:
        """``text`` in ``area`` (x, y, width, height in points): wrapped, or on one line cut
        with "..." when it does not fit."""
        painter = self.painter
        painter.setFont(self.font(size, bold, italic))
        painter.setPen(color)
        box = self.rect(*area)
        flags = align | Qt.AlignmentFlag.AlignTop
        if wrap:
            painter.drawText(box, int(flags | Qt.TextFlag.TextWordWrap), text)
            return
        shown = self.metrics(size, bold, italic).elidedText(
            text, Qt.TextElideMode.ElideRight, box.width()
        )
        painter.drawText(box, int(flags | Qt.TextFlag.TextSingleLine), shown)

    def line(
        self, start: tuple[float, float], end: tuple[float, float], color: QColor, width: float
    ) -> None:
        pen = QPen(color)
        pen.setWidthF(self.px(width))
        self.painter.setPen(pen)
        self.painter.drawLine(
            QPointF(self.px(start[0]), self.px(start[1])), QPointF(self.px(end[0]), self.px(end[1]))
        )

    def fill(self, area: tuple[float, float, float, float], color: QColor) -> None:
        self.painter.fillRect(self.rect(*area), color)


@dataclass(frozen=True)
class _Shown:
    stores: int
    gaps: int
    columns_left_out: tuple[str, ...]


def _paint_leaderboard(
    sheet: _Sheet, board: Leaderboard, trend: Trend | None, zone: tzinfo | None
) -> _Shown:
    sheet.painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    left, width = MARGIN, sheet.width - 2 * MARGIN
    bottom = sheet.height - MARGIN
    colours = board_colours(board, trend)
    y = _paint_title(sheet, board, zone, left=left, top=MARGIN, width=width)

    heroes_width = width * HEROES_SHARE
    chart_left = left + heroes_width + COLUMN_GAP
    campaign_start = trend.weeks[0].first_day if trend is not None and trend.weeks else None
    heroes_bottom = _paint_heroes(
        sheet, board, campaign_start, left=left, top=y, width=heroes_width
    )
    own = next((row.store for row in board.stores if row.own), None)
    chart_width = left + width - chart_left
    _paint_chart(sheet, trend, colours, own, (chart_left, y, chart_width, CHART_HEIGHT))
    y = max(heroes_bottom, y + CHART_HEIGHT) + 8

    lift = wording.lift_sentence(board.lift)
    sheet.text((left, y, width, 60), lift, TEXT_SIZE, wrap=True)
    y += sheet.wrapped_height(lift, TEXT_SIZE, width) + 9

    sheet.text((left, y, width, 14), "Stores", HEADING_SIZE, bold=True, color=TITLE_INK)
    y += sheet.line_height(HEADING_SIZE, bold=True)
    note = wording.ranking_note(board)
    sheet.text((left, y, width, 40), note, SMALL_SIZE, color=SOFT_INK, wrap=True)
    y += sheet.wrapped_height(note, SMALL_SIZE, width) + 3

    gaps_title = sheet.line_height(HEADING_SIZE, bold=True) + 2
    gaps_wanted = gaps_title + _gaps_height(sheet, board.gaps, width)
    reserve = min(GAPS_RESERVE, gaps_wanted) + 10
    table = _plan_table(sheet, board, width, bottom - y - reserve)
    y = _paint_table(sheet, table, colours, left=left, top=y, width=width)

    gaps_shown = _paint_gaps(sheet, board.gaps, left=left, top=y + 10, width=width, bottom=bottom)
    return _Shown(len(table.rows), gaps_shown, table.left_out)


def _paint_title(
    sheet: _Sheet, board: Leaderboard, zone: tzinfo | None, *, left: float, top: float, width: float
) -> float:
    title = f"Leaderboard: {board.campaign}"
    sheet.text((left, top, width, 24), title, TITLE_SIZE, bold=True, color=TITLE_INK)
    y = top + sheet.line_height(TITLE_SIZE, bold=True)
    subtitle = (
        f"{board.period.describe()}  ·  ranked by {board.rate.label.lower()}  ·  "
        f"as of {wording.as_of(board.computed_at, zone)}"
    )
    sheet.text((left, y, width, 14), subtitle, SUBTITLE_SIZE, color=SOFT_INK)
    y += sheet.line_height(SUBTITLE_SIZE) + 4
    sheet.line((left, y), (left + width, y), INK, 0.6)
    return y + 8


def _paint_heroes(
    sheet: _Sheet,
    board: Leaderboard,
    campaign_start: date | None,
    *,
    left: float,
    top: float,
    width: float,
) -> float:
    """The best and the most improved stores' sentences; returns where they end. Many
    stores tied for best would fill the page: past ``HEROES_MAX_SHARE`` of it the rest are
    counted in a line, leaving room for the most improved."""
    sections = (
        ("Best right now", [hero.text for hero in board.best_now], wording.NO_BEST),
        (
            wording.most_improved_title(board),
            [hero.text for hero in board.most_improved],
            wording.no_most_improved(board, campaign_start, on_screen=False),
        ),
    )
    heading = sheet.line_height(HEADING_SIZE, bold=True) + 1
    more_line = sheet.line_height(SMALL_SIZE) + 2
    indent = sheet.advance("•  ", TEXT_SIZE)
    text_width = width - indent
    bottom = top + sheet.height * HEROES_MAX_SHARE
    y = top
    for number, (title, sentences, empty) in enumerate(sections):
        sheet.text((left, y, width, 14), title, HEADING_SIZE, bold=True, color=TITLE_INK)
        y += heading
        if not sentences:
            sheet.text(
                (left, y, width, 60), empty, TEXT_SIZE, italic=True, color=SOFT_INK, wrap=True
            )
            y += sheet.wrapped_height(empty, TEXT_SIZE, width) + 6
            continue
        # The first section leaves the next its heading and two lines.
        limit = bottom - (heading + 2 * sheet.line_height(TEXT_SIZE) + 6 if number == 0 else 0)
        for index, sentence in enumerate(sentences):
            height = sheet.wrapped_height(sentence, TEXT_SIZE, text_width) + 2
            after = len(sentences) - index - 1
            if index and y + height + (more_line if after else 0) > limit:
                count = len(sentences) - index
                text = MORE_STORES.format(count=count, stores="store" if count == 1 else "stores")
                sheet.text((left, y, width, 12), text, SMALL_SIZE, italic=True, color=SOFT_INK)
                y += more_line
                break
            sheet.text((left, y, indent, 12), "•", TEXT_SIZE)
            sheet.text((left + indent, y, text_width, height + 2), sentence, TEXT_SIZE, wrap=True)
            y += height
        y += 6
    return y


# -- the weekly trend -----------------------------------------------------------------------------
def _paint_chart(
    sheet: _Sheet,
    trend: Trend | None,
    colours: dict[str, QColor],
    own: str | None,
    area: tuple[float, float, float, float],
) -> None:
    """The chosen rate per store, week by week, as on the page: a week with nobody behind the
    rate breaks the line, the line into the week under way is dashed, and a store manager's
    own store is drawn over the others (faded)."""
    left, top, width, height = area
    if trend is None:
        return
    title = f"{trend.rate.label} per week"
    sheet.text((left, top, width, 14), title, HEADING_SIZE, bold=True, color=TITLE_INK)
    under_way = bool(trend.weeks) and trend.weeks[-1].days < TREND_WEEK_DAYS
    if under_way:
        sheet.text(
            (left, top + 2, width, 12),
            "dashed: the week under way",
            SMALL_SIZE,
            color=SOFT_INK,
            align=Qt.AlignmentFlag.AlignRight,
        )
    label_height = sheet.line_height(SMALL_SIZE)
    axis_width = sheet.advance("100%", SMALL_SIZE) + 4
    plot_top = top + sheet.line_height(HEADING_SIZE, bold=True) + 6
    plot = (left + axis_width, plot_top, width - axis_width - 4, top + height - plot_top - 14)
    plot_left, _, plot_width, plot_height = plot
    plot_bottom = plot_top + plot_height
    top_value = axis_top(trend)

    def y_of(percent: float) -> float:
        return plot_bottom - percent / top_value * plot_height

    for tick in range(Y_TICKS):
        value = top_value * tick / (Y_TICKS - 1)
        y = y_of(value)
        sheet.line((plot_left, y), (plot_left + plot_width, y), GRID if tick else RULE, 0.5)
        sheet.text(
            (left, y - label_height / 2, axis_width - 3, label_height),
            f"{round(value)}%",
            SMALL_SIZE,
            color=SOFT_INK,
            align=Qt.AlignmentFlag.AlignRight,
        )
    weeks = len(trend.weeks)
    span = max(weeks - 1, 1) + 0.5  # as on the page: a quarter of a week either side

    def x_of(index: float) -> float:
        return plot_left + (index + 0.25) / span * plot_width

    # Every week's label, or every second, third... when they would touch.
    labels = [week_label(week) for week in trend.weeks]
    widths = [sheet.advance(label, SMALL_SIZE) for label in labels]
    widest = max(widths[:-1] or widths or [0.0])
    step = max(1, math.ceil((widest + 6) / (plot_width / span)))

    def box_left(index: int) -> float:
        """Centred under its week, but never past the chart's right edge."""
        return min(x_of(index) - widths[index] / 2, left + width - widths[index])

    shown: list[int] = []
    # From the last week back (its label says how far the week under way is), keeping each
    # label that leaves room before the one after it.
    for index in [*range(0, weeks - 1, step), weeks - 1][::-1] if weeks else []:
        if not shown or box_left(index) + widths[index] + 6 <= box_left(shown[-1]):
            shown.append(index)
    for index in shown:
        box = (box_left(index), plot_bottom + 3, widths[index] + 1, 12)
        sheet.text(box, labels[index], SMALL_SIZE, color=SOFT_INK)

    drawn = False
    # The viewer's own store last, so its line lies over the others.
    for series in sorted(trend.series, key=lambda s: s.store == own):
        colour = QColor(colours.get(series.store, INK))
        forward = own is None or series.store == own
        if not forward:
            colour.setAlpha(FADED_ALPHA)
        line_width = EMPHASISED_WIDTH if own is not None and forward else LINE_WIDTH
        for run in line_runs(series):
            drawn = True
            points = [QPointF(sheet.px(x_of(p.x())), sheet.px(y_of(p.y()))) for p in run]
            dashed = under_way and len(run) > 1 and run[-1].x() == weeks - 1
            pen = QPen(colour)
            pen.setWidthF(sheet.px(line_width))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            sheet.painter.setPen(pen)
            sheet.painter.setBrush(Qt.BrushStyle.NoBrush)
            solid = points[:-1] if dashed else points
            if len(solid) > 1:
                path = QPainterPath(solid[0])
                for point in solid[1:]:
                    path.lineTo(point)
                sheet.painter.drawPath(path)
            if dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
                sheet.painter.setPen(pen)
                sheet.painter.drawLine(points[-2], points[-1])
            sheet.painter.setPen(Qt.PenStyle.NoPen)
            sheet.painter.setBrush(colour)
            radius = sheet.px(line_width * 0.9 + 0.4)
            for point in points:
                sheet.painter.drawEllipse(point, radius, radius)
    sheet.painter.setBrush(Qt.BrushStyle.NoBrush)
    if not drawn:
        sheet.text(
            (plot_left, plot_top + plot_height / 2 - 6, plot_width, 12),
            "No week has anyone behind this rate yet.",
            TEXT_SIZE,
            italic=True,
            color=SOFT_INK,
            align=Qt.AlignmentFlag.AlignHCenter,
        )


# -- the store table ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Column:
    name: str  # the page's title for the column (what DROP_ORDER names)
    title: str  # as printed
    display: Callable[[StoreRow], str]
    numeric: bool
    ranked: bool  # the rate stores are ranked by: bold, as on the page


@dataclass(frozen=True)
class _Table:
    columns: list[_Column]
    widths: list[float]
    size: float
    rows: list[StoreRow]
    more: int  # rows left out for room
    left_out: tuple[str, ...]  # columns left out for room


def _columns(board: Leaderboard) -> list[_Column]:
    """The page's columns, the ranked rate beside the store as on screen. Only the ranked
    rate keeps its interval: the other rates are whole percents, to leave room for counts."""
    page_columns = store_columns()
    chosen = RATE_COLUMNS[board.rate]
    other_rates = {index: rate for rate, index in RATE_COLUMNS.items() if index != chosen}
    order = [
        *range(COLUMN_STORE + 1),
        chosen,
        *(i for i in range(COLUMN_STORE + 1, len(page_columns)) if i != chosen),
    ]
    columns = []
    for index in order:
        column = page_columns[index].column
        display = column.display
        if index in other_rates:
            rate = other_rates[index]

            def display(row: StoreRow, rate: Rate = rate) -> str:
                return wording.rate_alone(row.figures.rates[rate])

        title = f"{column.title} {RANKED_MARK}" if index == chosen else column.title
        columns.append(_Column(column.title, title, display, column.numeric, index == chosen))
    return columns


def _column_widths(
    sheet: _Sheet, board: Leaderboard, columns: list[_Column], size: float
) -> list[float]:
    widths = []
    for column in columns:
        cells = max(
            sheet.advance(column.display(row), size, bold=row.own or column.ranked)
            for row in board.stores
        )
        if column.name == "Store":
            cells = min(cells + size, STORE_MAX_WIDTH)  # a swatch before the name
        words = max(sheet.advance(word, size, bold=True) for word in column.title.split())
        widths.append(max(cells, words) + 2 * CELL_PAD + 1)  # 1: rounding, never "..."
    return widths


def _header_height(
    sheet: _Sheet, columns: list[_Column], widths: list[float], size: float
) -> float:
    tallest = max(
        sheet.wrapped_height(column.title, size, width - 2 * CELL_PAD, bold=True)
        for column, width in zip(columns, widths, strict=True)
    )
    return tallest + 4


def _row_height(sheet: _Sheet, size: float) -> float:
    return sheet.line_height(size) + 3.2


def _plan_table(sheet: _Sheet, board: Leaderboard, width: float, room: float) -> _Table:
    """The columns, type size and rows that fit ``width`` and ``room`` (points): columns are
    left out (DROP_ORDER) until the table fits the width at a legible size, then the type
    shrinks until every row fits, then the last rows give way."""
    every = _columns(board)
    dropped = 0
    while True:
        left_out = DROP_ORDER[:dropped]
        columns = [column for column in every if column.name not in left_out]
        if dropped == len(DROP_ORDER) or (
            sum(_column_widths(sheet, board, columns, LEGIBLE_TABLE_SIZE)) <= width
        ):
            break
        dropped += 1
    sizes = [
        size for size in TABLE_SIZES if sum(_column_widths(sheet, board, columns, size)) <= width
    ] or [TABLE_SIZES[-1]]
    if left_out:
        room -= sheet.line_height(SMALL_SIZE)  # the line naming the columns left out
    rows = board.stores
    for size in sizes:
        widths = _column_widths(sheet, board, columns, size)
        used = _header_height(sheet, columns, widths, size) + len(rows) * _row_height(sheet, size)
        if used <= room:
            return _Table(columns, widths, size, rows, 0, left_out)
    size = sizes[-1]
    widths = _column_widths(sheet, board, columns, size)
    room -= _header_height(sheet, columns, widths, size) + sheet.line_height(SMALL_SIZE)
    shown = rows[: max(1, int(room // _row_height(sheet, size)))]
    return _Table(columns, widths, size, shown, len(rows) - len(shown), left_out)


def _paint_table(
    sheet: _Sheet,
    table: _Table,
    colours: dict[str, QColor],
    *,
    left: float,
    top: float,
    width: float,
) -> float:
    """Paints the table; returns where it ends."""
    size = table.size
    # Whatever width is left over is shared out, so the columns spread over the page.
    spare = max(0.0, width - sum(table.widths)) / len(table.widths)
    widths = [column_width + spare for column_width in table.widths]
    header = _header_height(sheet, table.columns, widths, size)
    x = left
    for column, column_width in zip(table.columns, widths, strict=True):
        sheet.text(
            (x + CELL_PAD, top + 1, column_width - 2 * CELL_PAD, header),
            column.title,
            size,
            bold=True,
            color=TITLE_INK,
            align=_alignment(column),
            wrap=True,
        )
        x += column_width
    y = top + header
    sheet.line((left, y), (left + width, y), INK, 0.5)
    row_height = _row_height(sheet, size)
    for number, row in enumerate(table.rows):
        if number % 2:
            sheet.fill((left, y, width, row_height), STRIPE)
        x = left
        for column, column_width in zip(table.columns, widths, strict=True):
            cell = (x + CELL_PAD, y + 1.6, column_width - 2 * CELL_PAD, row_height)
            if column.name == "Store":
                swatch = size * 0.75
                sheet.fill(
                    (cell[0], y + (row_height - swatch) / 2, swatch, swatch),
                    colours.get(row.store, INK),
                )
                cell = (cell[0] + swatch + 3, cell[1], cell[2] - swatch - 3, cell[3])
            bold = row.own or column.ranked
            sheet.text(cell, column.display(row), size, bold=bold, align=_alignment(column))
            x += column_width
        y += row_height
    sheet.line((left, y), (left + width, y), RULE, 0.5)
    y += 2
    notes = []
    if table.more:
        notes.append(
            MORE_STORES.format(count=table.more, stores="store" if table.more == 1 else "stores")
        )
    if table.left_out:
        notes.append(f"Left out for room: {', '.join(table.left_out)} (the workbook has them)")
    for note in notes:
        sheet.text((left, y, width, 12), note, SMALL_SIZE, italic=True, color=SOFT_INK)
        y += sheet.line_height(SMALL_SIZE)
    return y


def _alignment(column: _Column) -> Qt.AlignmentFlag:
    return Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft


# -- the gaps -------------------------------------------------------------------------------------
def _by_priority(gaps: list[Gap]) -> list[Gap]:
    """Every store's largest gap first (stores in table order), then every second largest..."""
    per_store: dict[str, list[Gap]] = {}
    for gap in gaps:  # the service's order: by store in table order, largest first
        per_store.setdefault(gap.store, []).append(gap)
    ranked: list[Gap] = []
    depth = 0
    while len(ranked) < len(gaps):
        ranked.extend(
            store_gaps[depth] for store_gaps in per_store.values() if depth < len(store_gaps)
        )
        depth += 1
    return ranked


@dataclass(frozen=True)
class _Line:
    text: str
    height: float
    heading: bool


def _gap_lines(sheet: _Sheet, gaps: list[Gap], width: float) -> list[_Line]:
    """Each store's name, then its gaps without the name, as the page lists every store's."""
    lines: list[_Line] = []
    store: str | None = None
    for gap in gaps:
        if gap.store != store:
            store = gap.store
            lines.append(_Line(store, sheet.line_height(GAP_SIZE, bold=True), heading=True))
        text = wording.without_store(gap.text, gap.store)
        lines.append(_Line(text, sheet.wrapped_height(text, GAP_SIZE, width) + 1, heading=False))
    return lines


def _flow(lines: list[_Line], height: float) -> list[list[_Line]] | None:
    """The lines in two columns of ``height``, a store's name never last in a column; None
    when they do not fit."""
    columns: list[list[_Line]] = [[]]
    used = 0.0
    heading: _Line | None = None  # the store whose gaps are being listed
    for index, line in enumerate(lines):
        if line.heading:
            heading = line
        needed = line.height
        if line.heading and index + 1 < len(lines):
            needed += lines[index + 1].height  # the name stays with its first gap
        if used + needed > height and columns[-1]:
            if len(columns) == 2:
                return None
            columns.append([])
            used = 0.0
            if not line.heading and heading is not None:
                again = _Line(f"{heading.text} (continued)", heading.height, heading=True)
                columns[-1].append(again)
                used += again.height
        if used + line.height > height:
            return None
        columns[-1].append(line)
        used += line.height
    return columns


def _column_width(width: float) -> float:
    return (width - COLUMN_GAP) / 2


def _gaps_height(sheet: _Sheet, gaps: list[Gap], width: float) -> float:
    """The height two columns need for every gap (at least a line)."""
    lines = _gap_lines(sheet, gaps, _column_width(width))
    total = sum(line.height for line in lines)
    return max(total / 2 + 2 * sheet.line_height(GAP_SIZE), sheet.line_height(GAP_SIZE))


def _paint_gaps(
    sheet: _Sheet, gaps: list[Gap], *, left: float, top: float, width: float, bottom: float
) -> int:
    """As many gaps as fit above ``bottom``, each store's largest first; returns how many."""
    sheet.text((left, top, width, 14), "Gaps", HEADING_SIZE, bold=True, color=TITLE_INK)
    y = top + sheet.line_height(HEADING_SIZE, bold=True) + 2
    column_width = _column_width(width)
    if not gaps:
        sheet.text((left, y, width, 12), wording.NO_GAPS, GAP_SIZE, italic=True, color=SOFT_INK)
        return 0
    ranked = _by_priority(gaps)
    more_line = sheet.line_height(SMALL_SIZE) + 2

    def layout(count: int) -> list[list[_Line]] | None:
        chosen = set(map(id, ranked[:count]))
        lines = _gap_lines(sheet, [gap for gap in gaps if id(gap) in chosen], column_width)
        room = bottom - y - (more_line if count < len(gaps) else 0)
        return _flow(lines, room)

    # The most gaps that fit: fewer gaps never need more room.
    low, high = 0, len(gaps)
    best = layout(0) or [[]]
    while low < high:
        middle = (low + high + 1) // 2
        flowed = layout(middle)
        if flowed is None:
            high = middle - 1
        else:
            low, best = middle, flowed
    if low == len(gaps):
        best = layout(low) or best
    for number, column in enumerate(best):
        x = left + number * (column_width + COLUMN_GAP)
        line_y = y
        for line in column:
            if line.heading:
                sheet.text((x, line_y, column_width, line.height), line.text, GAP_SIZE, bold=True)
            else:
                area = (x, line_y, column_width, line.height + 2)
                sheet.text(area, line.text, GAP_SIZE, wrap=True)
            line_y += line.height
    if low < len(gaps):
        more = len(gaps) - low
        text = MORE_GAPS.format(count=more, gaps="gap" if more == 1 else "gaps")
        sheet.text(
            (left, bottom - more_line + 2, width, 12), text, SMALL_SIZE, italic=True, color=SOFT_INK
        )
    return low
