from __future__ import annotations

import pytest

from lastmile_desktop.calling.outcomes import (
    ACCEPTED_OFFER,
    CALLBACK_REQUESTED,
    DO_NOT_CALL,
    NO_ANSWER,
    NOT_INTERESTED,
    OUTCOMES,
    Detail,
    Schedule,
    UnknownOutcomeError,
    ending_codes,
    label_of,
    outcome_by_code,
    outcome_for_key,
    reached_codes,
)

ROADMAP_LABELS = [
    "No answer",
    "Busy",
    "Left voicemail",
    "Wrong number",
    "Number not in service",
    "Callback requested",
    "Accepted offer",
    "Interested - no commitment",
    "Not interested",
    "Already came back",
    "Do not call",
    "Moved / deceased",
]


def test_the_catalogue_holds_every_outcome_of_the_call_desk() -> None:
    assert [outcome.label for outcome in OUTCOMES] == ROADMAP_LABELS


def test_every_outcome_has_its_own_single_key() -> None:
    keys = [outcome.key for outcome in OUTCOMES]
    assert len(set(keys)) == len(keys)
    assert all(len(key) == 1 and key.isalnum() and key == key.upper() for key in keys)


def test_codes_are_unique_and_fit_the_attempts_column() -> None:
    codes = [outcome.code for outcome in OUTCOMES]
    assert len(set(codes)) == len(codes)
    assert all(code.isidentifier() and code == code.lower() and len(code) <= 32 for code in codes)


def test_an_outcome_is_found_by_its_stored_code() -> None:
    assert outcome_by_code("accepted_offer") is ACCEPTED_OFFER
    assert all(outcome_by_code(outcome.code) is outcome for outcome in OUTCOMES)


def test_an_unknown_code_is_an_error_that_names_it() -> None:
    with pytest.raises(UnknownOutcomeError, match="hung_up"):
        outcome_by_code("hung_up")


def test_a_key_press_finds_its_outcome_in_either_case() -> None:
    assert outcome_for_key("n") is NO_ANSWER
    assert outcome_for_key("N") is NO_ANSWER
    assert outcome_for_key("a") is ACCEPTED_OFFER


@pytest.mark.parametrize("key", ["", "Q", "NA", " ", "1"])
def test_keys_without_an_outcome_log_nothing(key: str) -> None:
    assert outcome_for_key(key) is None


def test_outcomes_that_need_details_say_which() -> None:
    assert ACCEPTED_OFFER.needs == (Detail.PLANNED_VISIT_DATE,)
    assert ACCEPTED_OFFER.needs_planned_visit_date
    assert NOT_INTERESTED.needs_reason
    assert CALLBACK_REQUESTED.needs_callback_time
    assert not NO_ANSWER.needs


def test_what_each_outcome_schedules() -> None:
    assert ACCEPTED_OFFER.schedules is Schedule.VISIT_REMINDER
    assert CALLBACK_REQUESTED.schedules is Schedule.CALLBACK
    assert NO_ANSWER.schedules is Schedule.RETRY_AFTER_COOL_DOWN
    # An outcome that ends the calls never asks for another attempt.
    for outcome in OUTCOMES:
        if outcome.ends_calls:
            assert outcome.schedules in (Schedule.NOTHING, Schedule.VISIT_REMINDER)


def test_only_do_not_call_adds_to_the_suppression_list() -> None:
    assert [o for o in OUTCOMES if o.adds_to_do_not_call] == [DO_NOT_CALL]


def test_reached_and_ending_code_sets_follow_the_catalogue() -> None:
    assert "accepted_offer" in reached_codes()
    assert "no_answer" not in reached_codes()
    assert "moved_or_deceased" not in reached_codes()
    assert ending_codes() == {
        "wrong_number",
        "not_in_service",
        "accepted_offer",
        "not_interested",
        "already_came_back",
        "do_not_call",
        "moved_or_deceased",
    }


def test_a_stored_code_reads_as_its_label_and_an_unknown_one_as_it_is() -> None:
    assert [label_of(code) for code in ("no_answer", "retired_code", None)] == [
        "No answer",
        "retired_code",
        "none",
    ]
