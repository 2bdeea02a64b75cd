"""The call desk driven by the keyboard alone: outcomes, editors, undo, skip, two callers."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from lastmile_desktop.calling.claims import claim_next
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.outcomes import OUTCOMES, Outcome
from lastmile_desktop.calling.queue import LaterReason, NowReason
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    DoNotCall,
    MemberClaim,
    MemberGroup,
    MemberStatus,
)
from lastmile_desktop.ui.changes import ChangeKind
from lastmile_desktop.ui.desk import wording
from lastmile_desktop.ui.desk.editors import CallbackEditor, ChoiceEditor, VisitEditor
from lastmile_desktop.ui.desk.queue_model import Section
from tests.ui.desk_helpers import (
    LONDON,
    START,
    WAIT_MS,
    FixedClock,
    build_region,
    card_name,
    focused,
    log_key,
    member_row,
    open_desk,
    press,
    type_text,
    wait_for_queue,
)

KEY = Qt.KeyboardModifier
NONE = KEY.NoModifier


def _qt_key(letter: str) -> Qt.Key:
    return getattr(Qt.Key, f"Key_{letter.upper()}")


def _attempts(db: Database, first_member: object) -> list[CallAttempt]:
    with db.read_session() as session:
        member_id = session.scalars(
            select(CampaignMember.id).where(CampaignMember.uuid == first_member)
        ).one()
        rows = session.scalars(
            select(CallAttempt).where(CallAttempt.member_id == member_id).order_by(CallAttempt.id)
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda outcome: outcome.code)
def test_each_outcome_key_logs_it_and_brings_the_next_customer(
    qtbot: QtBot, db: Database, outcome: Outcome
) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    assert card_name(page) == "Ada Lovelace"  # the highest spend first
    if outcome.needs:
        press(qtbot, _qt_key(outcome.key))
        assert page.outcome_bar.editor is not None, "the outcome asks for more, in place"
        assert _attempts(db, region.members["Ada"]) == []  # nothing logged before Enter
        with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS):
            press(qtbot, Qt.Key.Key_Return)  # the editor's defaults
    else:
        with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS):
            press(qtbot, _qt_key(outcome.key))
        assert page.outcome_bar.editor is None
    assert page.outcome_bar.editor is None
    attempts = _attempts(db, region.members["Ada"])
    assert [a.outcome for a in attempts] == [outcome.code]
    assert attempts[0].called_at == START
    assert card_name(page) == "Grace Hopper"
    assert page.status.text().startswith("Saved 12:00: " + outcome.label)
    assert page.undo_button.isEnabled()


def test_the_card_shows_what_makes_the_call_personal(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    clock = FixedClock()
    page = open_desk(qtbot, db, region.sam, clock)
    card = page.card_view
    assert card.name_label.text() == "Ada Lovelace"
    assert card.phone_label.text() == "+44 7400 100101"
    assert card.place_label.text() == "Leeds Briggate · Sam Taylor"
    spent = wording.money(900_00)  # in this computer's number format
    assert card.facts_label.text() == (
        f"Last bought 120 days ago (10 Nov 2025) · spent {spent} over 18 visits · Not called yet"
    )
    assert card.offer_label.text() == "<b>Offer:</b> 20% off your next visit"
    assert card.script_view.toPlainText() == (
        "Hello Ada, this is Sam Taylor from Leeds Briggate. 20% off your next visit, "
        "just show BACK20."
    )
    assert card.history_label.text() == "Earlier calls: none"
    # A busy line today; tomorrow her card shows it and what it means for her.
    log_key(qtbot, page, Qt.Key.Key_B)
    clock.advance(days=1)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.refresh_page()  # F5, which the main window routes to the page shown
    press(qtbot, Qt.Key.Key_End)  # retries come last
    assert card.name_label.text() == "Ada Lovelace"
    assert card.facts_label.text().endswith("· To try again (1 call so far)")
    assert card.history_label.text() == "Earlier calls (1)"
    history = [card.history.item(0, column).text() for column in range(4)]
    assert history == ["yesterday 12:00", "Spring win-back", "Sam Taylor", "Busy"]


def test_the_outcome_is_committed_before_the_next_customer_is_shown(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    seen_when_grace_appeared: list[list[str]] = []

    def on_customer(entry: object) -> None:
        if entry is not None and getattr(entry, "name", "") == "Grace Hopper":
            # Read with a separate connection: what any other program would see.
            seen_when_grace_appeared.append(
                [a.outcome for a in _attempts(db, region.members["Ada"])]
            )

    page.queue_panel.current_changed.connect(on_customer)
    log_key(qtbot, page, Qt.Key.Key_N)
    assert seen_when_grace_appeared == [["no_answer"]]


def test_callback_quick_pick_books_the_call_and_it_comes_back_when_due(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    clock = FixedClock()
    page = open_desk(qtbot, db, region.sam, clock)
    press(qtbot, Qt.Key.Key_C)
    editor = page.outcome_bar.editor
    assert isinstance(editor, CallbackEditor)
    # Tomorrow, same time is picked for the caller; 1 picks "in 1 hour".
    assert editor.callback_at() == START.astimezone(LONDON) + timedelta(days=1)
    press(qtbot, Qt.Key.Key_1)
    assert editor.callback_at() == START + timedelta(hours=1)
    with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS) as logged:
        press(qtbot, Qt.Key.Key_Return)
    assert logged.args[0].scheduled.at == START + timedelta(hours=1)
    assert "callback 13:00" in page.status.text()
    wait_for_queue(qtbot, page)
    later = page.model.entries(Section.LATER)
    ada = next(e for e in later if e.member == region.members["Ada"])
    assert ada.why == LaterReason.CALLBACK_LATER
    assert ada.until == START + timedelta(hours=1)

    clock.advance(hours=1)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.refresh_page()  # F5, which the main window routes to the page shown
    first = page.model.entries(Section.NOW)[0]
    assert (first.name, first.why) == ("Ada Lovelace", NowReason.CALLBACK_DUE)


def test_callback_at_a_typed_time_in_the_editor(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    press(qtbot, Qt.Key.Key_C)
    editor = page.outcome_bar.editor
    assert isinstance(editor, CallbackEditor)
    press(qtbot, Qt.Key.Key_2)  # this evening: 18:00
    assert editor.callback_at() == datetime(2026, 3, 10, 18, 0, tzinfo=LONDON)
    press(qtbot, Qt.Key.Key_4)  # another time: the keyboard goes to the hour
    assert focused() is editor.when_edit
    type_text(qtbot, "1930")
    assert editor.callback_at() == datetime(2026, 3, 10, 19, 30, tzinfo=LONDON)
    with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    ada = member_row(db, region.members["Ada"])
    assert ada.next_due_at == datetime(2026, 3, 10, 19, 30, tzinfo=UTC)


def test_a_callback_time_already_past_is_refused_in_the_editor(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    press(qtbot, Qt.Key.Key_C)
    editor = page.outcome_bar.editor
    assert isinstance(editor, CallbackEditor)
    press(qtbot, Qt.Key.Key_1)  # in an hour: today
    press(qtbot, Qt.Key.Key_4)
    type_text(qtbot, "0900")  # this morning
    press(qtbot, Qt.Key.Key_Return)
    assert editor.problem.text() == "That time has passed: pick a later one."
    assert page.outcome_bar.editor is editor
    assert _attempts(db, region.members["Ada"]) == []


def test_escape_closes_an_editor_with_nothing_logged(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    press(qtbot, Qt.Key.Key_X)
    assert isinstance(page.outcome_bar.editor, ChoiceEditor)
    type_text(qtbot, "N")  # a letter inside the editor is not an outcome key
    assert _attempts(db, region.members["Ada"]) == []
    press(qtbot, Qt.Key.Key_Escape)
    assert page.outcome_bar.editor is None
    assert _attempts(db, region.members["Ada"]) == []
    assert card_name(page) == "Ada Lovelace"
    assert focused() is page.queue_panel.view


def test_an_editor_opened_right_after_a_log_survives_the_queue_being_read_again(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    log_key(qtbot, page, Qt.Key.Key_N)
    press(qtbot, Qt.Key.Key_X)  # Grace, before the queue is read again
    editor = page.outcome_bar.editor
    assert isinstance(editor, ChoiceEditor)
    press(qtbot, Qt.Key.Key_Tab)
    wait_for_queue(qtbot, page)
    assert page.outcome_bar.editor is editor
    type_text(qtbot, "busy")  # letters are the note's text, not outcome keys
    assert _attempts(db, region.members["Grace"]) == []
    with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    (attempt,) = _attempts(db, region.members["Grace"])
    assert (attempt.outcome, attempt.note) == ("not_interested", "busy")


def test_not_interested_keeps_the_reason_picked_with_a_digit(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    press(qtbot, Qt.Key.Key_X)
    press(qtbot, Qt.Key.Key_1)  # price
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "found it cheaper online")
    with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    (attempt,) = _attempts(db, region.members["Ada"])
    assert attempt.outcome == "not_interested"
    assert "found it cheaper online" in (attempt.note or "")
    assert member_row(db, region.members["Ada"]).status == MemberStatus.DONE


def test_accept_with_a_visit_date_books_a_reminder_the_day_before(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    clock = FixedClock()
    page = open_desk(qtbot, db, region.sam, clock)
    press(qtbot, Qt.Key.Key_A)
    editor = page.outcome_bar.editor
    assert isinstance(editor, VisitEditor)
    assert editor.visit_on() is None  # no date is assumed for the caller
    press(qtbot, Qt.Key.Key_3)  # Saturday 14 March
    assert editor.visit_on() == datetime(2026, 3, 14).date()
    with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS) as logged:
        press(qtbot, Qt.Key.Key_Return)
    scheduled = logged.args[0].scheduled
    assert scheduled.kind == "visit_reminder"
    assert scheduled.at.astimezone(LONDON).date() == datetime(2026, 3, 13).date()
    wait_for_queue(qtbot, page)
    assert region.members["Ada"] not in {e.member for e in page.model.entries(Section.NOW)}

    # Friday mid-morning: the reminder is in Now, with the reason in plain words.
    clock.now = datetime(2026, 3, 13, 10, 0, tzinfo=UTC)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.refresh_page()  # F5, which the main window routes to the page shown
    reminder = next(e for e in page.model.entries(Section.NOW) if e.name == "Ada Lovelace")
    assert reminder.why == NowReason.VISIT_REMINDER
    row = page.model.row_of(reminder.member)
    assert "plans to visit tomorrow" in page.model.index(row).data()


def test_a_promise_not_kept_comes_back_once(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    clock = FixedClock()
    page = open_desk(qtbot, db, region.sam, clock)
    press(qtbot, Qt.Key.Key_A)
    press(qtbot, Qt.Key.Key_2)  # tomorrow, 11 March
    with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    clock.now = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # the day after the visit day
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.refresh_page()  # F5, which the main window routes to the page shown
    promised = next(e for e in page.model.entries(Section.NOW) if e.name == "Ada Lovelace")
    assert promised.why == NowReason.PROMISED_NOT_SEEN
    press(qtbot, Qt.Key.Key_Home)  # she is first in Now
    assert card_name(page) == "Ada Lovelace"
    log_key(qtbot, page, Qt.Key.Key_N)
    clock.advance(days=2)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.refresh_page()  # F5, which the main window routes to the page shown
    everyone = page.model.entries(Section.NOW) + page.model.entries(Section.LATER)
    assert "Ada Lovelace" not in {e.name for e in everyone}  # offered once


def test_ctrl_z_undoes_the_last_outcome_and_brings_the_customer_back(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    log_key(qtbot, page, Qt.Key.Key_B)
    assert card_name(page) == "Grace Hopper"
    with qtbot.waitSignals([page.outcome_undone, page.queue_loaded], timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Z, KEY.ControlModifier)
    assert _attempts(db, region.members["Ada"]) == []
    ada = member_row(db, region.members["Ada"])
    assert (ada.status, ada.attempts) == (MemberStatus.TO_CALL, 0)
    assert card_name(page) == "Ada Lovelace"
    assert page.model.entries(Section.NOW)[0].name == "Ada Lovelace"
    assert page.status.text().startswith("Undone: Busy")
    assert not page.undo_button.isEnabled()


def test_skip_moves_past_a_customer_with_a_reason_for_the_session(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    assert "Ctrl+" in page.skip_button.text()
    press(qtbot, Qt.Key.Key_Right, KEY.ControlModifier)
    assert isinstance(page.outcome_bar.editor, ChoiceEditor)
    press(qtbot, Qt.Key.Key_2)
    press(qtbot, Qt.Key.Key_Return)
    assert card_name(page) == "Grace Hopper"
    skipped = page.model.entries(Section.SKIPPED)
    assert [e.name for e in skipped] == ["Ada Lovelace"]
    row = page.model.row_of(region.members["Ada"])
    assert page.model.index(row).data().endswith("Skipped: Call at a quieter moment")
    assert _attempts(db, region.members["Ada"]) == []
    # Ada is free for the other desks again: this one holds Grace.
    assert _claims(db) == {region.members["Grace"]: page.desk_id}
    # A refresh keeps her aside for the rest of the session.
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.refresh_page()  # F5, which the main window routes to the page shown
    assert [e.name for e in page.model.entries(Section.SKIPPED)] == ["Ada Lovelace"]
    assert card_name(page) == "Grace Hopper"


def test_a_busy_customer_waits_under_later_for_the_cool_down(qtbot: QtBot, db: Database) -> None:
    region = build_region(db, cool_down_hours=20)
    clock = FixedClock()
    page = open_desk(qtbot, db, region.sam, clock)
    log_key(qtbot, page, Qt.Key.Key_B)
    wait_for_queue(qtbot, page)
    ada = next(e for e in page.model.entries(Section.LATER) if e.name == "Ada Lovelace")
    assert ada.why == LaterReason.COOL_DOWN
    assert ada.until == START + timedelta(hours=20)
    row = page.model.row_of(ada.member)
    assert "Called recently, callable tomorrow 08:00" in page.model.index(row).data()

    clock.advance(hours=21)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.refresh_page()  # F5, which the main window routes to the page shown
    retry = next(e for e in page.model.entries(Section.NOW) if e.name == "Ada Lovelace")
    assert retry.why == NowReason.RETRY
    row = page.model.row_of(retry.member)
    assert "Try again (1 call so far)" in page.model.index(row).data()


def test_a_customer_in_another_time_zone_waits_for_their_calling_hours(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db, los_angeles=True)
    clock = FixedClock()
    page = open_desk(qtbot, db, region.sam, clock)
    dorothy = next(e for e in page.model.entries(Section.LATER) if e.name == "Dorothy Vaughan")
    assert dorothy.why == LaterReason.OUTSIDE_CALLING_HOURS
    assert dorothy.timezones == ("America/Los_Angeles",)
    # 08:00 in Los Angeles (summer time there since 8 March) is 15:00 in London.
    assert dorothy.until == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    row = page.model.row_of(dorothy.member)
    assert page.model.index(row).data() == (
        "Dorothy Vaughan\nOutside calling hours, callable 15:00"
    )
    # Her card shows her own clock beside the number.
    press(qtbot, Qt.Key.Key_End)  # the last in the queue
    assert card_name(page) == "Dorothy Vaughan"
    assert page.card_view.time_label.text() == "Their time: 05:00 (America/Los Angeles)"

    clock.advance(hours=3)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.refresh_page()  # F5, which the main window routes to the page shown
    assert "Dorothy Vaughan" in {e.name for e in page.model.entries(Section.NOW)}


def test_the_attempt_limit_closes_the_customer(qtbot: QtBot, db: Database) -> None:
    region = build_region(db, max_attempts=2, cool_down_hours=1)
    clock = FixedClock()
    page = open_desk(qtbot, db, region.sam, clock)
    log_key(qtbot, page, Qt.Key.Key_N)
    clock.advance(hours=2)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.refresh_page()  # F5, which the main window routes to the page shown
    assert page.model.entries(Section.NOW)[-1].name == "Ada Lovelace"  # retries come last
    press(qtbot, Qt.Key.Key_End)
    assert card_name(page) == "Ada Lovelace"
    log_key(qtbot, page, Qt.Key.Key_N)
    row = member_row(db, region.members["Ada"])
    assert (row.status, row.attempts) == (MemberStatus.DONE, 2)
    wait_for_queue(qtbot, page)
    names = {e.name for e in page.model.entries(Section.NOW) + page.model.entries(Section.LATER)}
    assert "Ada Lovelace" not in names


def test_do_not_call_puts_the_number_on_the_suppression_list(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    with db.session() as session:  # Ada is waiting for a call in a second campaign too
        ada = session.scalars(
            select(CampaignMember).where(CampaignMember.uuid == region.members["Ada"])
        ).one()
        autumn = Campaign(name="Autumn win-back", holdout_share=0.0)
        session.add(autumn)
        session.flush()
        other = CampaignMember(
            campaign_id=autumn.id,
            customer_id=ada.customer_id,
            store_id=ada.store_id,
            manager_id=ada.manager_id,
            group=MemberGroup.CALL,
            status=MemberStatus.TO_CALL,
        )
        session.add(other)
        session.flush()
        other_member = other.uuid
    page = open_desk(qtbot, db, region.sam, FixedClock())
    assert page.queue_panel.campaign_name() == "Autumn win-back"  # the newest comes first
    press(qtbot, Qt.Key.Key_I, KEY.AltModifier)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Down)
    assert page.queue_panel.campaign_name() == "Spring win-back"
    press(qtbot, Qt.Key.Key_Q, KEY.AltModifier)  # back to the queue
    assert card_name(page) == "Ada Lovelace"
    log_key(qtbot, page, Qt.Key.Key_D)
    with db.read_session() as session:
        entries = session.scalars(select(DoNotCall.phone).where(DoNotCall.removed_at.is_(None)))
        assert list(entries) == ["+447400100101"]
    assert member_row(db, region.members["Ada"]).status == MemberStatus.DONE
    assert member_row(db, other_member).status == MemberStatus.SUPPRESSED


def test_two_desks_on_one_queue_never_show_the_same_customer(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    region = build_region(db)
    clock = FixedClock()
    # Two windows with their own connections to one file, as two PCs on one database.
    other_pc, _report = open_database(to_url(db_path))
    try:
        first = open_desk(qtbot, db, region.sam, clock)
        assert card_name(first) == "Ada Lovelace"
        second = open_desk(qtbot, other_pc, region.sam, clock)
        # Ada is on the first desk's screen: the second leaves her out and shows Grace.
        assert card_name(second) == "Grace Hopper"
        assert second.model.row_of(region.members["Ada"]) == -1
        assert _claims(db) == {
            region.members["Ada"]: first.desk_id,
            region.members["Grace"]: second.desk_id,
        }

        # The first desk read its queue before Grace was claimed: after Ada it passes over
        # her to the next customer free, and says why.
        first.activateWindow()
        qtbot.waitUntil(first.isActiveWindow, timeout=WAIT_MS)
        first.focus_queue()
        log_key(qtbot, first, Qt.Key.Key_N)
        assert card_name(first) == "Alan Turing"
        assert first.status.text() == "Grace Hopper is on another desk's screen."
        assert first.model.row_of(region.members["Grace"]) == -1
        assert _claims(db) == {  # Ada was let go of as the first desk moved on
            region.members["Alan"]: first.desk_id,
            region.members["Grace"]: second.desk_id,
        }

        # Closing the second desk lets go of Grace at once, for the others to call.
        second.context.close()
        assert _claims(db) == {region.members["Alan"]: first.desk_id}
    finally:
        other_pc.dispose()


def test_a_call_logged_elsewhere_for_the_customer_on_the_card_is_refused_and_the_queue_refreshes(
    qtbot: QtBot, db: Database
) -> None:
    """The claim keeps other desks away; the member's version still guards the log itself
    (here against the command line, which logs without claiming)."""
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    assert card_name(page) == "Ada Lovelace"
    log_outcome(db, region.sam, region.members["Ada"], "no_answer", at=START)

    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_B)
    assert page.status.text().startswith("Someone else logged a call for this customer")
    assert page.status.property("kind") == "problem"
    assert [a.outcome for a in _attempts(db, region.members["Ada"])] == ["no_answer"]
    assert card_name(page) == "Grace Hopper"


def test_a_desk_whose_lease_ran_out_while_away_gives_the_customer_up(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    assert card_name(page) == "Ada Lovelace"
    # The PC slept past the lease, and another desk took Ada meanwhile.
    with db.session() as session:
        session.execute(update(MemberClaim).values(claimed_until=START - timedelta(hours=1)))
    ada = page.current_entry()
    assert ada is not None
    assert claim_next(db, region.sam, None, "another desk", candidates=[ada]) is not None

    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page._renew_timer.timeout.emit()  # the renewal due while the card is open
    assert page.status.text().startswith("Ada Lovelace was taken by another desk")
    assert card_name(page) == "Grace Hopper"
    assert _claims(db) == {
        region.members["Ada"]: "another desk",
        region.members["Grace"]: page.desk_id,
    }


@pytest.mark.sqlite_only
def test_a_card_is_shown_unclaimed_rather_than_wait_for_another_programs_long_write(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    assert card_name(page) == "Ada Lovelace"
    importing = sqlite3.connect(db_path, isolation_level=None)  # an import in another window
    try:
        importing.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        press(qtbot, Qt.Key.Key_Down)
        waited = time.monotonic() - started
        importing.execute("ROLLBACK")
    finally:
        importing.close()
    assert card_name(page) == "Grace Hopper"
    assert page.claimed is None  # shown, not held: the version still guards her log
    assert waited < 2  # the claim's short wait, not the busy timeout


def test_the_desks_own_claims_are_not_news_from_elsewhere_but_others_commits_are(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    context = page.context
    context.watch.mark_seen()
    press(qtbot, Qt.Key.Key_Down)  # Grace claimed, Ada let go of: two commits of this desk
    assert card_name(page) == "Grace Hopper"
    assert not context.check_for_outside_changes()  # no page reads anything again for it

    other_pc, _report = open_database(to_url(db_path))
    try:
        log_outcome(other_pc, region.sam, region.members["Mary"], "busy", at=START)
    finally:
        other_pc.dispose()
    with qtbot.waitSignal(context.changed, timeout=WAIT_MS) as announced:
        press(qtbot, Qt.Key.Key_Down)  # the next claim comes after the other PC's call
    assert announced.args[0].kind is ChangeKind.EXTERNAL


def _claims(db: Database) -> dict[object, str]:
    """Who holds whom: member UUID -> desk."""
    with db.read_session() as session:
        rows = session.execute(
            select(CampaignMember.uuid, MemberClaim.claimed_by).join(
                MemberClaim, MemberClaim.member_id == CampaignMember.id
            )
        ).all()
    return {row.uuid: row.claimed_by for row in rows}


def test_the_pinned_note_is_edited_in_place_and_stays_with_the_customer(
    qtbot: QtBot, db: Database
) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    press(qtbot, Qt.Key.Key_E, KEY.ControlModifier)
    assert focused() is page.card_view.note_edit
    type_text(qtbot, "new baby: Simon")  # letters here are text, not outcome keys
    with qtbot.waitSignal(page.status_changed, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    assert page.status.text() == "Note saved 12:00."
    assert focused() is page.queue_panel.view
    assert _attempts(db, region.members["Ada"]) == []
    with db.read_session() as session:
        notes = session.scalars(select(Customer.pinned_note).where(Customer.first_name == "Ada"))
        assert list(notes) == ["new baby: Simon"]
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.refresh_page()  # F5, which the main window routes to the page shown
    assert page.card_view.note_edit.text() == "new baby: Simon"


def test_escape_in_the_pinned_note_puts_back_what_was_saved(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    press(qtbot, Qt.Key.Key_E, KEY.ControlModifier)
    type_text(qtbot, "typed by mistake")
    press(qtbot, Qt.Key.Key_Escape)
    assert page.card_view.note_edit.text() == ""
    assert focused() is page.queue_panel.view
    with db.read_session() as session:
        notes = session.scalars(select(Customer.pinned_note).where(Customer.first_name == "Ada"))
        assert list(notes) == [None]


def test_ctrl_f_searches_the_queue_and_enter_goes_back_to_it(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    press(qtbot, Qt.Key.Key_F, KEY.ControlModifier)
    assert focused() is page.queue_panel.search
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        type_text(qtbot, "turing")
    assert [e.name for e in page.model.entries(Section.NOW)] == ["Alan Turing"]
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is page.queue_panel.view
    assert card_name(page) == "Alan Turing"
    log_key(qtbot, page, Qt.Key.Key_V)
    assert [a.outcome for a in _attempts(db, region.members["Alan"])] == ["left_voicemail"]
    # Esc in the search box clears it: the whole queue is back.
    press(qtbot, Qt.Key.Key_F, KEY.ControlModifier)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Escape)
    assert focused() is page.queue_panel.view
    assert page.queue_panel.search.text() == ""
    assert [e.name for e in page.model.entries(Section.NOW)] == [
        "Ada Lovelace",
        "Grace Hopper",
        "Mary Somerville",
    ]


def test_call_hands_the_number_to_the_phone_app_and_copy_puts_it_on_the_clipboard(
    qtbot: QtBot, db: Database
) -> None:
    class Dialer(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.urls: list[str] = []

        @Slot(QUrl)
        def dial(self, url: QUrl) -> None:
            self.urls.append(url.toString())

    dialer = Dialer()
    QDesktopServices.setUrlHandler("tel", dialer, "dial")
    try:
        region = build_region(db)
        page = open_desk(qtbot, db, region.sam, FixedClock())
        assert "Ctrl+Enter" in page.card_view.call_button.text()
        press(qtbot, Qt.Key.Key_Return, KEY.ControlModifier)
        assert dialer.urls == ["tel:+447400100101"]
        press(qtbot, Qt.Key.Key_C, KEY.ControlModifier | KEY.ShiftModifier)
        assert QGuiApplication.clipboard().text() == "+447400100101"
        assert _attempts(db, region.members["Ada"]) == []  # Ctrl+C is not "Callback"
    finally:
        QDesktopServices.unsetUrlHandler("tel")


def test_every_outcome_button_shows_its_key(qtbot: QtBot, db: Database) -> None:
    region = build_region(db)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    for outcome in OUTCOMES:
        button = page.outcome_bar.buttons[outcome.code]
        assert button.key_label.text() == outcome.key
        assert button.text_label.text() == outcome.label
    for button in (page.skip_button, page.undo_button, page.print_button, page.type_in_button):
        assert "(Ctrl+" in button.text()


def test_the_queue_model_passes_the_model_tester(qtbot: QtBot, db: Database) -> None:
    region = build_region(db, los_angeles=True)
    page = open_desk(qtbot, db, region.sam, FixedClock())
    tester = ModelTester(None)
    tester.check(page.model)
    log_key(qtbot, page, Qt.Key.Key_N)
    wait_for_queue(qtbot, page)
    tester.check(page.model)
