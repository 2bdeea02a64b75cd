"""The weekly trend: the chosen rate per store, one line each, week by week over the campaign.

Drawn with Qt Charts. A week with nobody behind the rate leaves a gap in its store's line
rather than a drop to zero. Hovering a line, or picking a store in the table, brings that
store's line forward and fades the others; the caption above says whose line it is and
its figures, so the chart can be read without a legend (the table's swatches are the key).
"""

from __future__ import annotations

import math

from PySide6.QtCharts import (
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
    QXYSeries,
)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from lastmile_desktop.leaderboard.model import Leaderboard, Trend, TrendSeries
from lastmile_desktop.leaderboard.periods import TREND_WEEK_DAYS, Period
from lastmile_desktop.leaderboard.sentences import percent
from lastmile_desktop.ui.leaderboard import wording

# Ten well-told-apart colours (Tableau 10), then two more; beyond twelve stores they repeat.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#79706e",
    "#1f3a4d",
    "#86bc86",
)
LINE_WIDTH = 2.0
EMPHASISED_WIDTH = 3.5
FADED_ALPHA = 60
MARKER_SIZE = 6.0
# Below this Qt Charts cuts the percent labels of the axis short ("...").
CHART_MIN_HEIGHT = 180
HINT = "hover a line, or pick a store in the table, to bring its line forward."
Y_TICKS = 6  # 0% to the top in five equal steps: whole percents for any top of 10, 20...


def store_colours(stores: list[str]) -> dict[str, QColor]:
    """A colour per store label, in the order given (the trend's: by label, so stable)."""
    return {store: QColor(PALETTE[index % len(PALETTE)]) for index, store in enumerate(stores)}


def board_colours(board: Leaderboard, trend: Trend | None) -> dict[str, QColor]:
    """Each store's colour: the trend's stores by label, then any store the trend lacks
    (nobody in its call group yet), so the table's swatches and the chart's lines agree."""
    colours = store_colours([series.store for series in trend.series] if trend else [])
    extra = [row.store for row in board.stores if row.store not in colours]
    everyone = store_colours(list(colours) + extra)
    colours.update({store: everyone[store] for store in extra})
    return colours


def line_runs(series: TrendSeries) -> list[list[QPointF]]:
    """The stretches of weeks that have a figure: a week without one breaks the line."""
    runs: list[list[QPointF]] = [[]]
    for index, point in enumerate(series.points):
        value = point.rate.value
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(QPointF(index, value * 100))
    return [run for run in runs if run]


class TrendChart(QWidget):
    """A caption and the chart. ``emphasised()`` is the store brought forward, if any."""

    # The pointer is over a store's line (its label), or left every line ("").
    store_hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trend: Trend | None = None
        self.colours: dict[str, QColor] = {}
        self.selected: str | None = None
        self.hovered: str | None = None
        self.series_of: dict[str, list[QXYSeries]] = {}
        self.dashed: list[QLineSeries] = []  # lines into the week under way

        self.caption = QLabel()
        self.caption.setObjectName("hint")
        self.caption.setWordWrap(True)
        self.chart = QChart()
        self.chart.legend().hide()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.setBackgroundRoundness(0)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(CHART_MIN_HEIGHT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)

    # -- content --------------------------------------------------------------------------
    def show_trend(self, trend: Trend, colours: dict[str, QColor]) -> None:
        self.trend = trend
        self.colours = colours
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.series_of = {}
        self.hovered = None
        x_axis = QCategoryAxis()
        x_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        for index, week in enumerate(trend.weeks):
            x_axis.append(week_label(week), index)
        x_axis.setRange(-0.25, max(len(trend.weeks) - 1, 1) + 0.25)
        x_axis.setGridLineVisible(False)
        y_axis = QValueAxis()
        y_axis.setLabelFormat("%d%%")
        y_axis.setRange(0, axis_top(trend))
        y_axis.setTickCount(Y_TICKS)
        self.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        under_way = bool(trend.weeks) and trend.weeks[-1].days < TREND_WEEK_DAYS
        last = len(trend.weeks) - 1
        self.dashed = []
        for series in trend.series:
            parts: list[QXYSeries] = []
            for run in line_runs(series):
                # The week under way is not over yet: the line into it is dashed.
                dashed = under_way and len(run) > 1 and run[-1].x() == last
                line = QLineSeries()
                line.append(run[:-1] if dashed else run)
                parts.append(line)
                if dashed:
                    tail = QLineSeries()
                    tail.append(run[-2:])
                    parts.append(tail)
                    self.dashed.append(tail)
                dots = QScatterSeries()
                dots.setMarkerSize(MARKER_SIZE)
                dots.append(run)
                parts.append(dots)
            for part in parts:
                self.chart.addSeries(part)
                part.attachAxis(x_axis)
                part.attachAxis(y_axis)
                part.hovered.connect(
                    lambda _point, inside, store=series.store: self._hover(store, inside)
                )
            self.series_of[series.store] = parts
        self._restyle()

    def stores(self) -> list[str]:
        return list(self.series_of)

    def line_points(self, store: str) -> list[tuple[float, float]]:
        """The (week index, percent) points drawn for a store, for tests and the caption."""
        return [
            (point.x(), point.y())
            for part in self.series_of.get(store, [])
            if isinstance(part, QLineSeries) and not isinstance(part, QScatterSeries)
            for point in part.points()
        ]

    # -- emphasis -------------------------------------------------------------------------
    def select(self, store: str | None) -> None:
        """The store picked in the table: its line stays forward until another is picked."""
        self.selected = store
        self._restyle()

    def emphasised(self) -> str | None:
        return self.hovered or self.selected

    def _hover(self, store: str, inside: bool) -> None:
        if inside:
            self.hovered = store
        elif self.hovered == store:
            self.hovered = None
        self._restyle()
        self.store_hovered.emit(self.hovered or "")

    def _restyle(self) -> None:
        focus = self.emphasised()
        for store, parts in self.series_of.items():
            colour = QColor(self.colours.get(store, QColor(PALETTE[0])))
            forward = focus is None or store == focus
            if not forward:
                colour.setAlpha(FADED_ALPHA)
            width = EMPHASISED_WIDTH if focus is not None and store == focus else LINE_WIDTH
            for part in parts:
                if isinstance(part, QScatterSeries):
                    part.setColor(colour)
                    part.setBorderColor(colour)
                else:
                    pen = QPen(colour)
                    pen.setWidthF(width)
                    if part in self.dashed:
                        pen.setStyle(Qt.PenStyle.DashLine)
                    part.setPen(pen)
        self.caption.setText(self._caption(focus))

    def _caption(self, store: str | None) -> str:
        if self.trend is None:
            return ""
        title = f"{self.trend.rate.label} per week"
        series = next((s for s in self.trend.series if s.store == store), None)
        if series is None:
            return f"{title}: {HINT}"
        weeks = ", ".join(
            f"{week_label(point.week)} "
            + (percent(point.rate.value) if point.rate.value is not None else wording.NO_FIGURE)
            for point in series.points
        )
        return f"{title}, {store}: {weeks}"


def week_label(week: Period) -> str:
    """ "4 Nov" for a week starting on 4 November; "2 Dec (1 day)" for the week under way."""
    label = f"{week.first_day.day} {week.first_day:%b}"
    if week.days < TREND_WEEK_DAYS:
        label += f" ({week.days} day{'s' if week.days > 1 else ''})"
    return label


def axis_top(trend: Trend) -> float:
    """The y axis's top: the highest weekly figure rounded up to ten percent (at least 10%)."""
    values = [
        point.rate.value * 100
        for series in trend.series
        for point in series.points
        if point.rate.value is not None
    ]
    return float(max(10, min(100, math.ceil(max(values, default=0) / 10) * 10)))
