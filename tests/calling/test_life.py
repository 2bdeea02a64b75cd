"""A member's life: what each outcome books, the attempt limit, voicemail, follow-up calls."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from lastmile_desktop.calling.hours import CallingHours
from lastmile_desktop.calling.life import (
    CALLBACK_GRACE,
    Call,
    CampaignRules,
    FollowUp,
    IllegalTransition,
    MemberLife,
    OverviewStage,
    ScheduledKind,
    after_call,
    check_transition,
    describe,
    follow_up_due,
    overview_stage,
)
from lastmile_desktop.calling.outcomes import (
    ACCEPTED_OFFER,
    BUSY,
    CALLBACK_REQUESTED,
    INTERESTED,
    LEFT_VOICEMAIL,
    NO_ANSWER,
    NOT_INTERESTED,
    Outcome,
)
from lastmile_desktop.storage.models import MemberStatus

RULES = CampaignRules(
    max_attempts=3, cool_down_hours=20, calling_hours=CallingHours(time(8), time(21))
)
LONDON = ("Europe/London",)
MONDAY_NOON = datetime(2025, 1, 13, 12, 0, tzinfo=UTC)
NEW = MemberLife(MemberStatus.TO_CALL)


def call(outcome: Outcome, at: datetime = MONDAY_NOON, **details: object) -> Call:
    return Call(outcome, at, zones=LONDON, **details)  # type: ignore[arg-type]


def calls(*outcomes: Outcome) -> MemberLife:
    life = NEW
    at = MONDAY_NOON
    for outcome in outcomes:
        life = after_call(life, call(outcome, at), RULES)
        at += timedelta(days=1)
    return life


def test_no_answer_books_a_retry_once_the_cool_down_has_passed() -> None:
    life = after_call(NEW, call(NO_ANSWER), RULES)
    assert (life.status, life.attempts, life.scheduled_kind) == (
        MemberStatus.IN_PROGRESS,
        1,
        ScheduledKind.RETRY,
    )
    assert life.next_due_at == MONDAY_NOON + timedelta(hours=20)
    assert life.called


def test_the_attempt_limit_closes_the_member() -> None:
    life = calls(NO_ANSWER, BUSY, INTERESTED)
    assert (life.status, life.attempts, life.next_due_at) == (MemberStatus.DONE, 3, None)
    assert describe(life) == "Finished: no more tries"


def test_after_a_voicemail_the_customer_is_tried_once_more_at_most() -> None:
    assert calls(LEFT_VOICEMAIL).status == MemberStatus.IN_PROGRESS
    assert calls(LEFT_VOICEMAIL, NO_ANSWER).status == MemberStatus.DONE
    assert calls(LEFT_VOICEMAIL, LEFT_VOICEMAIL).status == MemberStatus.DONE
    # Reaching the customer after the voicemail is a conversation, not a second try.
    assert calls(LEFT_VOICEMAIL, INTERESTED).status == MemberStatus.IN_PROGRESS


def test_a_callback_is_booked_at_the_time_asked_and_honoured_past_the_limit() -> None:
    back = MONDAY_NOON + timedelta(days=2)
    at_limit = replace(calls(NO_ANSWER, NO_ANSWER), status=MemberStatus.IN_PROGRESS)
    life = after_call(at_limit, call(CALLBACK_REQUESTED, callback_at=back), RULES)
    assert (life.status, life.scheduled_kind, life.next_due_at) == (
        MemberStatus.IN_PROGRESS,
        ScheduledKind.CALLBACK,
        back,
    )
    beyond = replace(life, attempts=RULES.max_attempts + CALLBACK_GRACE - 1)
    closed = after_call(beyond, call(CALLBACK_REQUESTED, callback_at=back), RULES)
    assert closed.status == MemberStatus.DONE


def test_an_accepted_offer_books_a_reminder_the_day_before_the_visit_at_opening_of_calls() -> None:
    life = after_call(NEW, call(ACCEPTED_OFFER, visit_on=date(2025, 1, 17)), RULES)
    assert life.status == MemberStatus.DONE
    assert (life.visit_date, life.promised_at) == (date(2025, 1, 17), MONDAY_NOON)
    assert life.scheduled_kind is ScheduledKind.VISIT_REMINDER
    assert life.next_due_at == datetime(2025, 1, 16, 8, 0, tzinfo=UTC)  # 08:00 in London


def test_a_visit_tomorrow_needs_no_reminder_and_no_date_books_nothing() -> None:
    tomorrow = after_call(NEW, call(ACCEPTED_OFFER, visit_on=date(2025, 1, 14)), RULES)
    assert tomorrow.next_due_at is None and tomorrow.visit_date == date(2025, 1, 14)
    undecided = after_call(NEW, call(ACCEPTED_OFFER), RULES)
    assert (undecided.visit_date, undecided.next_due_at) == (None, None)


def test_a_reminder_call_does_not_count_and_leaves_the_promise() -> None:
    accepted = after_call(NEW, call(ACCEPTED_OFFER, visit_on=date(2025, 1, 17)), RULES)
    reminder_at = datetime(2025, 1, 16, 9, 0, tzinfo=UTC)
    due = follow_up_due(accepted, reminder_at, date(2025, 1, 16), bought_since_promise=False)
    assert due is FollowUp.VISIT_REMINDER
    after = after_call(accepted, Call(NO_ANSWER, reminder_at, zones=LONDON, follow_up=due), RULES)
    assert (after.status, after.attempts, after.last_outcome) == (
        MemberStatus.DONE,
        1,
        ACCEPTED_OFFER.code,
    )
    assert after.next_due_at is None and after.visit_date == date(2025, 1, 17)


def test_a_promise_not_kept_is_offered_once() -> None:
    accepted = after_call(NEW, call(ACCEPTED_OFFER, visit_on=date(2025, 1, 14)), RULES)
    later = datetime(2025, 1, 16, 10, 0, tzinfo=UTC)
    assert follow_up_due(accepted, later, date(2025, 1, 16), bought_since_promise=True) is None
    due = follow_up_due(accepted, later, date(2025, 1, 16), bought_since_promise=False)
    assert due is FollowUp.PROMISED_NOT_SEEN
    followed = after_call(accepted, Call(NOT_INTERESTED, later, zones=LONDON, follow_up=due), RULES)
    assert followed.promise_followed_up and followed.attempts == 1
    assert follow_up_due(followed, later, date(2025, 1, 16), bought_since_promise=False) is None


def test_a_reminder_never_made_gives_way_to_promised_not_seen_once_the_visit_day_is_over() -> None:
    accepted = after_call(NEW, call(ACCEPTED_OFFER, visit_on=date(2025, 1, 17)), RULES)
    assert accepted.scheduled_kind is ScheduledKind.VISIT_REMINDER  # due 16 Jan, never made
    after_the_visit = datetime(2025, 1, 20, 10, 0, tzinfo=UTC)
    due = follow_up_due(accepted, after_the_visit, date(2025, 1, 20), bought_since_promise=False)
    assert due is FollowUp.PROMISED_NOT_SEEN  # as the queue offers it


def test_a_snapshot_gives_the_member_back_exactly() -> None:
    life = after_call(NEW, call(ACCEPTED_OFFER, visit_on=date(2025, 1, 17)), RULES)
    assert MemberLife.from_json(life.to_json()) == life


def test_moves_the_life_does_not_allow_are_refused() -> None:
    check_transition(MemberStatus.TO_CALL, MemberStatus.IN_PROGRESS)
    with pytest.raises(IllegalTransition):
        check_transition(MemberStatus.HOLDOUT, MemberStatus.DONE)
    with pytest.raises(IllegalTransition):
        check_transition(MemberStatus.IN_PROGRESS, MemberStatus.HOLDOUT)


def test_each_member_has_exactly_one_place_in_the_overview() -> None:
    assert overview_stage("call", MemberStatus.IN_PROGRESS) is OverviewStage.LEFT
    assert overview_stage("call", MemberStatus.SUPPRESSED) is OverviewStage.DONE
    assert overview_stage(None, MemberStatus.SUPPRESSED) is OverviewStage.TAKEN_OUT
    assert overview_stage("call", MemberStatus.UNASSIGNED) is OverviewStage.WAITING
    assert overview_stage("holdout", MemberStatus.HOLDOUT) is OverviewStage.HOLDOUT
