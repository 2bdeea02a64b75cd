"""Today's list on paper: a call sheet for when the shop floor is no place for a screen.

The same painting goes to a PDF (``QPdfWriter``), to a printer (``QPrinter``) and to a picture
(for the screenshots), so what is checked on screen is what comes out of the printer. Each
line has the customer's name, number, days since their last visit and pinned note, and a box
per outcome, labelled with the key that logs it on the desk, so typing the sheet in later is
the same keys in the same order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from lastmile_desktop.calling.card import customer_card
from lastmile_desktop.calling.outcomes import OUTCOMES
from lastmile_desktop.calling.queue import CallQueue, QueueEntry
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.ui.desk import wording

MARGIN_MM = 12.0
ROW_MM = 24.0
HEADER_MM = 34.0
FOOTER_MM = 8.0
BOX_MM = 5.0
PDF_DPI = 300
INK = QColor("#1a1a1a")
SOFT_INK = QColor("#555555")
RULE = QColor("#b0b0b0")

# x, y, width, height in millimetres from the paper's top left corner
Area = tuple[float, float, float, float]


@dataclass(frozen=True)
class SheetLine:
    number: int  # as printed: the type-in grid shows the same numbers
    entry: QueueEntry
    days_since_last_visit: int | None
    pinned_note: str | None


@dataclass(frozen=True)
class CallSheet:
    campaign: str
    whose: str  # whose queue: a manager, a store, or the whole region
    day: date
    printed_at: datetime
    offer: str
    lines: list[SheetLine]


def entries_for_today(queue: CallQueue, zone: tzinfo) -> list[QueueEntry]:
    """Everyone to call now, then those who become callable later today (in their order)."""
    today = queue.at.astimezone(zone).date()
    later_today = [
        entry
        for entry in queue.later
        if entry.until is not None and entry.until.astimezone(zone).date() == today
    ]
    return [*queue.now, *later_today]


def collect_sheet(
    db: Database,
    profile: Profile,
    queue: CallQueue,
    entries: list[QueueEntry],
    *,
    whose: str,
    zone: tzinfo,
    progress: Progress = NoProgress(),  # noqa: B008 - stateless, shared safely
) -> CallSheet:
    """The sheet's lines with what the queue does not carry (the pinned note, the offer)."""
    if not entries:
        raise UserFacingError("Nobody is left to call today, so there is no call sheet to print.")
    lines: list[SheetLine] = []
    offer = ""
    for number, entry in enumerate(entries, start=1):
        progress.report(number - 1, len(entries), "Preparing the call sheet...")
        card = customer_card(db, profile, entry.member, at=queue.at)
        offer = offer or card.offer
        lines.append(SheetLine(number, entry, card.days_since_last_purchase, card.pinned_note))
    return CallSheet(
        campaign=queue.campaign,
        whose=whose,
        day=queue.at.astimezone(zone).date(),
        printed_at=queue.at,
        offer=offer,
        lines=lines,
    )


# -- painting ---------------------------------------------------------------------------------
class _Page:
    """Millimetres to device pixels for one page of a device."""

    def __init__(self, painter: QPainter, dpi: float, size_mm: QSizeF, zone: tzinfo) -> None:
        self.painter = painter
        self.zone = zone
        self.dpi = dpi
        self.width = size_mm.width()
        self.height = size_mm.height()

    def px(self, mm: float) -> float:
        return mm * self.dpi / 25.4

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(self.px(x), self.px(y), self.px(w), self.px(h))

    def font(self, points: float, bold: bool = False, italic: bool = False) -> QFont:
        font = QFont("Helvetica")
        font.setStyleHint(QFont.StyleHint.SansSerif)
        # Sized in pixels of this device, so a PDF and a picture come out alike.
        font.setPixelSize(max(1, round(points * self.dpi / 72)))
        font.setBold(bold)
        font.setItalic(italic)
        return font

    def text(self, area: Area, text: str, font: QFont, color: QColor = INK) -> None:
        """One line in ``area`` (millimetres), cut with an ellipsis when it does not fit."""
        painter = self.painter
        painter.setFont(font)
        painter.setPen(color)
        box = self.rect(*area)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        elided = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, box.width())
        painter.drawText(box, flags, elided)


def rows_per_page(page_height_mm: float) -> int:
    usable = page_height_mm - 2 * MARGIN_MM - HEADER_MM - FOOTER_MM
    return max(1, int(usable // ROW_MM))


def page_count(sheet: CallSheet, page_height_mm: float) -> int:
    return max(1, math.ceil(len(sheet.lines) / rows_per_page(page_height_mm)))


def paint_page(
    painter: QPainter,
    sheet: CallSheet,
    *,
    page: int,
    dpi: float,
    size_mm: QSizeF,
    zone: tzinfo,
) -> None:
    """Paints page ``page`` (from 0) of the sheet; the painter's origin is the paper's corner."""
    paper = _Page(painter, dpi, size_mm, zone)
    per_page = rows_per_page(paper.height)
    pages = page_count(sheet, paper.height)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    width = paper.width - 2 * MARGIN_MM
    _paint_header(paper, sheet, width, zone)
    top = MARGIN_MM + HEADER_MM
    for slot, line in enumerate(sheet.lines[page * per_page : (page + 1) * per_page]):
        _paint_line(paper, line, top + slot * ROW_MM, width)
    footer = (
        f"Page {page + 1} of {pages}  ·  Tick one box per call and write the time. "
        "On the desk, Type in a call sheet (Ctrl+T) enters the ticks."
    )
    bottom = paper.height - MARGIN_MM - FOOTER_MM + 3
    paper.text((MARGIN_MM, bottom, width, FOOTER_MM), footer, paper.font(7.5), SOFT_INK)


def _paint_header(paper: _Page, sheet: CallSheet, width: float, zone: tzinfo) -> None:
    left, top = MARGIN_MM, MARGIN_MM
    title = f"Call sheet: {sheet.campaign}"
    paper.text((left, top, width, 8), title, paper.font(15, bold=True))
    printed = wording.clock_time(sheet.printed_at, zone)
    subtitle = (
        f"{sheet.whose}  ·  {wording.long_date(sheet.day)}  ·  "
        f"{wording.count(len(sheet.lines), 'customer')}  ·  printed {printed}"
    )
    paper.text((left, top + 8, width, 5), subtitle, paper.font(9), SOFT_INK)
    if sheet.offer:
        offer = f"Offer: {sheet.offer}"
        paper.text((left, top + 14, width, 5), offer, paper.font(9.5, bold=True))
    # No break inside "K Already came back": lines wrap between outcomes only.
    legend = "   ".join(f"{o.key} {o.label}".replace(" ", "\u00a0") for o in OUTCOMES)
    paper.painter.setFont(paper.font(7.5))
    paper.painter.setPen(SOFT_INK)
    paper.painter.drawText(
        paper.rect(left, top + 20, width, 10),
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
        "Boxes: " + legend,
    )
    _rule(paper, top + HEADER_MM - 1.5, width, INK, 0.4)


def _rule(paper: _Page, y_mm: float, width: float, color: QColor, thickness_mm: float) -> None:
    pen = QPen(color)
    pen.setWidthF(paper.px(thickness_mm))
    paper.painter.setPen(pen)
    y = paper.px(y_mm)
    paper.painter.drawLine(QPointF(paper.px(MARGIN_MM), y), QPointF(paper.px(MARGIN_MM + width), y))


def _paint_line(paper: _Page, line: SheetLine, top: float, width: float) -> None:
    entry = line.entry
    left = MARGIN_MM
    text_width = width * 0.56
    paper.text((left, top + 1.5, 8, 6), f"{line.number}.", paper.font(10, bold=True))
    x, w = left + 8, text_width - 8
    paper.text((x, top + 1.5, w, 6), entry.name, paper.font(11, bold=True))
    paper.text((x, top + 7, 42, 5), wording.display_phone(entry.phone), paper.font(10))
    why = wording.why_now(entry) if entry.until is None else wording.LATER_WHY.get(entry.why, "")
    if entry.until is not None:
        why = f"{why}, from {wording.clock_time(entry.until, paper.zone)}"
    paper.text((x + 42, top + 7.8, w - 42, 4.5), why, paper.font(7.5, italic=True), SOFT_INK)
    if line.days_since_last_visit is None:
        visit = "No visit on record"
    else:
        visit = f"{wording.count(line.days_since_last_visit, 'day')} since the last visit"
    facts = f"{visit}  ·  spent {wording.money(entry.lifetime_spend_cents)}"
    paper.text((x, top + 12.2, w, 4.5), facts, paper.font(8), SOFT_INK)
    if line.pinned_note:
        note = f"Note: {line.pinned_note}"
        paper.text((x, top + 16.8, w, 4.5), note, paper.font(8, italic=True))
    _paint_boxes(paper, (left + text_width, top + 1.5, width - text_width, ROW_MM))
    _rule(paper, top + ROW_MM - 0.5, width, RULE, 0.2)


def _paint_boxes(paper: _Page, area: Area) -> None:
    """Two rows of boxes as on the desk (not reached, then reached), then time and note."""
    left, top, width, _height = area
    rows = ([o for o in OUTCOMES if not o.reached], [o for o in OUTCOMES if o.reached])
    step = width / max(len(rows[0]), len(rows[1]))
    pen = QPen(INK)
    pen.setWidthF(paper.px(0.25))
    key_font = paper.font(8.5, bold=True)
    for row, outcomes in enumerate(rows):
        for column, outcome in enumerate(outcomes):
            x = left + column * step
            y = top + row * (BOX_MM + 1.6)
            paper.painter.setPen(pen)
            paper.painter.setBrush(Qt.BrushStyle.NoBrush)
            paper.painter.drawRect(paper.rect(x, y, BOX_MM, BOX_MM))
            paper.text(
                (x + BOX_MM + 0.8, y + 0.3, step - BOX_MM - 1, BOX_MM), outcome.key, key_font
            )
    y = top + 2 * (BOX_MM + 1.6) + 1.2
    blanks = "Time ______   Note ______________________________"
    paper.text((left, y, width, 5), blanks, paper.font(8), SOFT_INK)


# -- output -----------------------------------------------------------------------------------
def _page_size_mm(device: QPagedPaintDevice) -> QSizeF:
    return device.pageLayout().fullRect(QPageLayout.Unit.Millimeter).size()


def paint_document(device: QPagedPaintDevice, sheet: CallSheet, zone: tzinfo) -> int:
    """Paints every page on a PDF writer or printer; returns the number of pages."""
    device.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    size = _page_size_mm(device)
    pages = page_count(sheet, size.height())
    painter = QPainter()
    if not painter.begin(device):
        raise UserFacingError("The call sheet could not be started: is the printer or file free?")
    try:
        dpi = float(device.logicalDpiY())
        for page in range(pages):
            if page:
                device.newPage()
            paint_page(painter, sheet, page=page, dpi=dpi, size_mm=size, zone=zone)
    finally:
        painter.end()
    return pages


def write_pdf(sheet: CallSheet, path: Path, zone: tzinfo) -> int:
    """Writes the sheet as an A4 PDF; returns the number of pages."""
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setTitle(f"Call sheet: {sheet.campaign}, {wording.short_date(sheet.day)}")
    writer.setCreator("Last Mile")
    pages = paint_document(writer, sheet, zone)
    del writer  # the file is complete once the writer is gone
    if not path.exists() or path.stat().st_size == 0:
        raise UserFacingError(f"The call sheet could not be written to {path}.")
    return pages


def render_image(sheet: CallSheet, zone: tzinfo, page: int = 0, dpi: float = 110) -> QImage:
    """One page as a picture, painted by the same code as the PDF (for screenshots)."""
    size = QPageSize(QPageSize.PageSizeId.A4).size(QPageSize.Unit.Millimeter)
    image = QImage(
        round(size.width() * dpi / 25.4),
        round(size.height() * dpi / 25.4),
        QImage.Format.Format_RGB32,
    )
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        paint_page(painter, sheet, page=page, dpi=dpi, size_mm=size, zone=zone)
    finally:
        painter.end()
    return image
