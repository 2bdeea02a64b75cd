"""Paper: today's list as a call sheet (PDF, picture), and typing a ticked sheet back in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lastmile_desktop.calling.card import set_pinned_note
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember
from lastmile_desktop.ui.desk import call_sheet
from lastmile_desktop.ui.desk.page import DeskPage
from lastmile_desktop.ui.desk.sheet_entry import (
    COLUMN_KEY,
    COLUMN_RESULT,
    LineProblem,
    SheetEntryDialog,
    parse_time,
    read_line,
)
from tests.ui.desk_helpers import (
    LONDON,
    START,
    WAIT_MS,
    FixedClock,
    Region,
    build_region,
    focused,
    open_desk,
    press,
    type_text,
)

KEY = Qt.KeyboardModifier
# Enough customers for three pages of nine lines.
MANY = tuple(
    (f"Name{n:02d}", f"Family{n:02d}", f"+4474001002{n:02d}", 1000 - n, 100 + n) for n in range(25)
)


def _sheet(qtbot: QtBot, page: DeskPage) -> call_sheet.CallSheet:
    sheets: list[call_sheet.CallSheet] = []
    page.prepare_sheet(sheets.append)
    qtbot.waitUntil(lambda: bool(sheets), timeout=WAIT_MS)
    return sheets[0]


def _calls(db: Database, region: Region, first_name: str) -> list[CallAttempt]:
    with db.read_session() as session:
        member_id = session.scalars(
            select(CampaignMember.id).where(CampaignMember.uuid == region.members[first_name])
        ).one()
        rows = list(session.scalars(select(CallAttempt).where(CallAttempt.member_id == member_id)))
        for row in rows:
            session.expunge(row)
        return rows


def test_the_call_sheet_lists_today_with_notes_and_days_since_the_last_visit(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db, los_angeles=True)
    set_pinned_note(db, region.sam, region.members["Grace"], "new baby: Simon")
    page = open_desk(qtbot, db, region.sam, FixedClock())
    sheet = _sheet(qtbot, page)
    assert (sheet.campaign, sheet.whose, sheet.day) == (
        "Spring win-back",
        "Sam Taylor",
        START.date(),
    )
    assert sheet.offer == "20% off your next visit"
    # Now first, then whoever becomes callable later today (Dorothy, at 15:00).
    assert [line.entry.name for line in sheet.lines] == [
        "Ada Lovelace",
        "Grace Hopper",
        "Alan Turing",
        "Mary Somerville",
        "Dorothy Vaughan",
    ]
    assert [line.number for line in sheet.lines] == [1, 2, 3, 4, 5]
    assert [line.days_since_last_visit for line in sheet.lines] == [120, 95, 200, 150, 60]
    assert [line.pinned_note for line in sheet.lines][:2] == [None, "new baby: Simon"]


def test_the_call_sheet_pdf_has_a_page_per_nine_customers(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    region = build_region(db, leeds_customers=MANY)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    sheet = _sheet(qtbot, page)
    assert len(sheet.lines) == 25
    path = tmp_path / "sheet.pdf"
    with qtbot.waitSignal(page.status_changed, timeout=WAIT_MS):
        page.write_pdf(sheet, path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 3
    assert page.status.text() == f"Saved today's list (25 customers, 3 pages) to {path}."


def test_ctrl_p_saves_the_sheet_where_the_user_chooses_and_opens_it(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Viewer(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.opened: list[str] = []

        @Slot(QUrl)
        def show_file(self, url: QUrl) -> None:
            self.opened.append(url.toLocalFile())

    target = tmp_path / "today.pdf"
    asked: list[str] = []

    def choose(_parent: object, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    viewer = Viewer()
    QDesktopServices.setUrlHandler("file", viewer, "show_file")
    try:
        region = build_region(db)
        page = open_desk(qtbot, db, region.sam, FixedClock())
        assert "Ctrl+P" in page.print_button.text()
        press(qtbot, Qt.Key.Key_P, KEY.ControlModifier)
        qtbot.waitUntil(target.exists, timeout=WAIT_MS)
        assert asked[0].endswith("call-sheet-2026-03-10.pdf")
        assert viewer.opened == [str(target)]
    finally:
        QDesktopServices.unsetUrlHandler("file")


def test_the_sheet_as_a_picture_is_painted_like_the_pdf(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    image = call_sheet.render_image(_sheet(qtbot, page), LONDON, dpi=100)
    assert (image.width(), image.height()) == (827, 1169)  # A4 at 100 dots per inch
    # The header rule and the first line's boxes are drawn in ink, the margin stays white.
    assert image.pixelColor(10, 10) == QColor("white")
    ink_rows = [
        y
        for y in range(image.height())
        if sum(image.pixelColor(x, y).lightness() < 100 for x in range(60, 760, 4)) > 100
    ]
    assert ink_rows, "the header rule is missing"


def test_typing_in_a_sheet_logs_each_call_at_the_time_written(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    clock = FixedClock(datetime(2026, 3, 10, 17, 0, tzinfo=UTC))  # back from the shop floor
    page = open_desk(qtbot, db, region.sam, clock)
    press(qtbot, Qt.Key.Key_T, KEY.ControlModifier)
    dialog = page.findChild(SheetEntryDialog)
    assert isinstance(dialog, SheetEntryDialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    assert focused() is dialog.grid
    assert [dialog.cell(row, 1) for row in range(4)] == [
        "Ada Lovelace",
        "Grace Hopper",
        "Alan Turing",
        "Mary Somerville",
    ]
    # Line 1: no answer at 09:30. Line 2: callback at 10:15, to call back at 18:00.
    type_text(qtbot, "n")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "0930")
    press(qtbot, Qt.Key.Key_Return)  # saves the cell, goes down a line
    press(qtbot, Qt.Key.Key_Left)
    type_text(qtbot, "c")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "10:15")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "18:00")
    press(qtbot, Qt.Key.Key_Return)
    # Line 3: not interested with a reason that is not one of the five.
    press(qtbot, Qt.Key.Key_Left)
    press(qtbot, Qt.Key.Key_Left)
    type_text(qtbot, "x")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "11.05")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "9")
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.cell(0, COLUMN_KEY) == "N"
    with qtbot.waitSignal(dialog.calls_logged, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_S, KEY.ControlModifier)

    (ada,) = _calls(db, region, "Ada")
    assert (ada.outcome, ada.called_at) == ("no_answer", datetime(2026, 3, 10, 9, 30, tzinfo=UTC))
    (grace,) = _calls(db, region, "Grace")
    assert grace.outcome == "callback_requested"
    assert grace.called_at == datetime(2026, 3, 10, 10, 15, tzinfo=UTC)
    assert grace.callback_at == datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    assert _calls(db, region, "Alan") == []
    assert dialog.cell(2, COLUMN_RESULT).startswith("Give a reason: 1 price")
    assert dialog.summary.text() == "2 calls saved; 1 line to fix (see the right-hand column)."

    # The line is fixed and saved on its own; the saved ones are not logged twice.
    dialog.grid.setCurrentCell(2, 5)
    type_text(qtbot, "1")
    press(qtbot, Qt.Key.Key_Return)
    with qtbot.waitSignal(dialog.calls_logged, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_S, KEY.ControlModifier)
    (alan,) = _calls(db, region, "Alan")
    assert (alan.outcome, alan.reason) == ("not_interested", "price")
    assert len(_calls(db, region, "Ada")) == 1
    assert dialog.summary.text() == "1 call saved."
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert page.status.text().startswith("Saved 17:00: 1 call from the call sheet")


def test_a_sheet_line_in_the_future_is_refused(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())  # 12:00
    dialog = page.type_in_sheet()
    assert isinstance(dialog, SheetEntryDialog)
    dialog.set_cell(0, COLUMN_KEY, "B")
    dialog.set_cell(0, COLUMN_KEY + 1, "15:00")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.save()
    assert dialog.cell(0, COLUMN_RESULT) == "That time is still to come: check the day and time."
    assert _calls(db, region, "Ada") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14:03", (14, 3)), ("1403", (14, 3)), ("9.05", (9, 5)), ("905", (9, 5)), ("9h05", (9, 5))],
)
def test_sheet_times_read_as_people_write_them(text: str, expected: tuple[int, int]) -> None:
    moment = parse_time(text)
    assert (moment.hour, moment.minute) == expected


@pytest.mark.parametrize("text", ["25:00", "12:60", "noon", ""])
def test_sheet_times_that_are_no_time_are_refused(text: str) -> None:
    with pytest.raises(LineProblem):
        parse_time(text)


def test_a_sheet_line_needs_a_known_key_and_a_time() -> None:
    with pytest.raises(LineProblem, match="not an outcome key"):
        read_line(
            "Q", at_text="10:00", detail="", note="", sheet_day=date(2026, 3, 10), zone=LONDON
        )
    with pytest.raises(LineProblem, match="Write the time"):
        read_line("N", at_text=" ", detail="", note="", sheet_day=date(2026, 3, 10), zone=LONDON)
    accepted = read_line(
        "a", at_text="10:00", detail="tomorrow", note="", sheet_day=date(2026, 3, 10), zone=LONDON
    )
    assert accepted.visit_on == date(2026, 3, 11)
