"""The outcome catalogue: every way a call can end, defined once.

The call desk, the queue, the leaderboard, the command line and the exports all read the
outcomes from here. ``code`` is what ``call_attempts.outcome`` stores, so a code never
changes once released; labels and keys may.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Schedule(enum.StrEnum):
    """What logging the outcome puts in the customer's future."""

    NOTHING = "nothing"
    RETRY_AFTER_COOL_DOWN = "retry"  # try again once the campaign's cool-down has passed
    CALLBACK = "callback"  # call again at the time the customer asked for
    VISIT_REMINDER = "visit_reminder"  # a short reminder call before the planned visit


class Detail(enum.StrEnum):
    """Extra information the caller must give with the outcome."""

    CALLBACK_TIME = "callback_time"
    PLANNED_VISIT_DATE = "planned_visit_date"
    REASON = "reason"


@dataclass(frozen=True, kw_only=True)
class Outcome:
    code: str
    label: str
    key: str  # the single key that logs it on the call desk
    reached: bool  # the customer themself was spoken to
    # No more attempts to win this customer back in this campaign. A visit reminder may
    # still be scheduled: it is a courtesy call, not another attempt.
    ends_calls: bool
    schedules: Schedule
    needs: tuple[Detail, ...] = ()  # what the desk asks for with the outcome
    optional: tuple[Detail, ...] = ()  # of those, what may be left out
    adds_to_do_not_call: bool = False

    @property
    def required(self) -> tuple[Detail, ...]:
        """What must be given for the outcome to be logged."""
        return tuple(detail for detail in self.needs if detail not in self.optional)

    @property
    def needs_callback_time(self) -> bool:
        return Detail.CALLBACK_TIME in self.needs

    @property
    def needs_planned_visit_date(self) -> bool:
        return Detail.PLANNED_VISIT_DATE in self.needs

    @property
    def needs_reason(self) -> bool:
        return Detail.REASON in self.needs


class UnknownOutcomeError(KeyError):
    pass


NO_ANSWER = Outcome(
    code="no_answer",
    label="No answer",
    key="N",
    reached=False,
    ends_calls=False,
    schedules=Schedule.RETRY_AFTER_COOL_DOWN,
)
BUSY = Outcome(
    code="busy",
    label="Busy",
    key="B",
    reached=False,
    ends_calls=False,
    schedules=Schedule.RETRY_AFTER_COOL_DOWN,
)
LEFT_VOICEMAIL = Outcome(
    code="left_voicemail",
    label="Left voicemail",
    key="V",
    reached=False,
    ends_calls=False,
    schedules=Schedule.RETRY_AFTER_COOL_DOWN,
)
WRONG_NUMBER = Outcome(
    code="wrong_number",
    label="Wrong number",
    key="W",
    reached=False,
    ends_calls=True,
    schedules=Schedule.NOTHING,
)
NOT_IN_SERVICE = Outcome(
    code="not_in_service",
    label="Number not in service",
    key="S",
    reached=False,
    ends_calls=True,
    schedules=Schedule.NOTHING,
)
CALLBACK_REQUESTED = Outcome(
    code="callback_requested",
    label="Callback requested",
    key="C",
    reached=True,
    ends_calls=False,
    schedules=Schedule.CALLBACK,
    needs=(Detail.CALLBACK_TIME,),
)
ACCEPTED_OFFER = Outcome(
    code="accepted_offer",
    label="Accepted offer",
    key="A",
    reached=True,
    ends_calls=True,
    schedules=Schedule.VISIT_REMINDER,
    # The day may not be settled yet: without it there is no reminder to book.
    needs=(Detail.PLANNED_VISIT_DATE,),
    optional=(Detail.PLANNED_VISIT_DATE,),
)
INTERESTED = Outcome(
    code="interested",
    label="Interested - no commitment",
    key="I",
    reached=True,
    ends_calls=False,
    schedules=Schedule.RETRY_AFTER_COOL_DOWN,
)
NOT_INTERESTED = Outcome(
    code="not_interested",
    label="Not interested",
    key="X",
    reached=True,
    ends_calls=True,
    schedules=Schedule.NOTHING,
    needs=(Detail.REASON,),
)
ALREADY_CAME_BACK = Outcome(
    code="already_came_back",
    label="Already came back",
    key="K",
    reached=True,
    ends_calls=True,
    schedules=Schedule.NOTHING,
)
DO_NOT_CALL = Outcome(
    code="do_not_call",
    label="Do not call",
    key="D",
    reached=True,
    ends_calls=True,
    schedules=Schedule.NOTHING,
    adds_to_do_not_call=True,
)
# Usually learned from whoever answers, so the customer was not reached.
MOVED_OR_DECEASED = Outcome(
    code="moved_or_deceased",
    label="Moved / deceased",
    key="M",
    reached=False,
    ends_calls=True,
    schedules=Schedule.NOTHING,
)

# In the order the call desk shows them: not reached, then reached from best to worst.
OUTCOMES: tuple[Outcome, ...] = (
    NO_ANSWER,
    BUSY,
    LEFT_VOICEMAIL,
    WRONG_NUMBER,
    NOT_IN_SERVICE,
    CALLBACK_REQUESTED,
    ACCEPTED_OFFER,
    INTERESTED,
    NOT_INTERESTED,
    ALREADY_CAME_BACK,
    DO_NOT_CALL,
    MOVED_OR_DECEASED,
)

# Why a customer is not interested: the code an attempt stores, and how it reads.
NOT_INTERESTED_REASONS: tuple[str, ...] = ("price", "product", "service", "moved", "other")
NOT_INTERESTED_REASON_LABELS: dict[str, str] = {
    "price": "Too expensive",
    "product": "No longer needs our products",
    "service": "Unhappy with the service",
    "moved": "Moved away",
    "other": "Another reason",
}


_BY_CODE = {outcome.code: outcome for outcome in OUTCOMES}
_BY_KEY = {outcome.key: outcome for outcome in OUTCOMES}


def outcome_by_code(code: str) -> Outcome:
    """The outcome stored as ``code``; raises ``UnknownOutcomeError`` for anything else."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise UnknownOutcomeError(f"unknown call outcome code {code!r}") from None


def label_of(code: str | None) -> str:
    """How a stored outcome code reads ("No answer"); an unknown code as it is, none as
    "none"."""
    if code is None:
        return "none"
    found = _BY_CODE.get(code)
    return found.label if found is not None else code


def outcome_for_key(key: str) -> Outcome | None:
    """The outcome a key press logs (either case), or None when the key logs nothing."""
    return _BY_KEY.get(key.upper()) if len(key) == 1 else None


def reached_codes() -> frozenset[str]:
    """Codes of the outcomes where the customer was spoken to (for contact rates)."""
    return frozenset(outcome.code for outcome in OUTCOMES if outcome.reached)


def ending_codes() -> frozenset[str]:
    """Codes of the outcomes after which the customer is not tried again in the campaign."""
    return frozenset(outcome.code for outcome in OUTCOMES if outcome.ends_calls)
