"""Outcomes logged while the database server cannot be reached: kept, then sent, once each.

On a server (PostgreSQL), a store PC's network may drop for a minute. ``log_or_queue`` logs
an outcome as ``log_outcome`` does, with an attempt id chosen before the first try; when the
server cannot be reached it keeps the outcome in the outbox (a SQLite file in the data folder,
storage/outbox_store.py) and says so (``QueuedCall``). While anything waits, later outcomes
wait behind it, so a customer's calls reach the server in the order they were made.

``send_waiting`` sends what waits, oldest first, until the outbox is empty or the server
cannot be reached again. Each outcome goes with its attempt id: one that reached the server
before the connection dropped is counted as already known, never recorded twice. One the
server refuses (someone else logged a call for the customer first, another call recorded
under that id, a campaign closed meanwhile) is kept in the outbox as refused, with the
reason in plain words, and the server's record stands.

The retry schedule (``Outbox.seconds_until_retry``) backs off while the server stays out of
reach; the window's timer and ``lastmile outbox --send`` call ``send_waiting``. A SQLite
database has no outbox: its failures are the disk's, and are reported as they are.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlalchemy.engine import URL

from lastmile_desktop.calling.log import (
    LoggedCall,
    StaleMemberError,
    check_call_details,
    log_outcome,
    undo_outcome,
)
from lastmile_desktop.calling.outcomes import UnknownOutcomeError, outcome_by_code
from lastmile_desktop.calling.seen import SeenMember
from lastmile_desktop.campaigns.access import Profile, Role
from lastmile_desktop.errors import DatabaseBusyError, UserFacingError
from lastmile_desktop.settings import data_dir
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.outbox_store import (
    OUTBOX_FILE_NAME,
    OutboxProfile,
    OutboxStore,
    PendingOutcome,
)
from lastmile_desktop.storage.reachability import is_unreachable
from lastmile_desktop.storage.types import utcnow

__all__ = [
    "Outbox",
    "QueuedCall",
    "RefusedCall",
    "SendReport",
    "describe_report",
    "log_or_queue",
    "offline_text",
    "open_outbox",
    "queue_outcome",
    "send_waiting",
    "server_key",
    "take_back",
]

# Seconds before the next try while the server stays out of reach: soon at first, then at
# most once a minute.
RETRY_DELAYS_S = (5.0, 10.0, 20.0, 40.0, 60.0)
POSTGRES_DEFAULT_PORT = 5432
UNREACHABLE = "The database server cannot be reached"
SOMEONE_ELSE_FIRST = (
    "someone else logged a call for this customer while this computer was offline, and the "
    "server keeps theirs"
)


@dataclass(frozen=True)
class QueuedCall:
    """An outcome kept in the outbox because the server could not be reached."""

    attempt: uuid.UUID
    member: uuid.UUID
    outcome: str  # the catalogue code
    called_at: datetime  # aware UTC
    waiting: int  # outcomes waiting in the outbox now, this one included


@dataclass(frozen=True)
class RefusedCall:
    """An outcome from the outbox that the server did not take; the outbox keeps it."""

    attempt: uuid.UUID
    member: uuid.UUID
    outcome: str
    called_at: datetime
    why_refused: str


@dataclass(frozen=True)
class SendReport:
    recorded: tuple[LoggedCall, ...]  # on the server now (``already_known``: it was before)
    refused: tuple[RefusedCall, ...]
    waiting: int  # still in the outbox, waiting for the server
    unreachable: str | None = None  # why the rest still waits, when the server was lost again

    @property
    def already_known(self) -> int:
        return sum(1 for call in self.recorded if call.already_known)


def server_key(url: URL) -> str:
    """The connection an outcome waits for: ``login@host:port/database``."""
    port = url.port or POSTGRES_DEFAULT_PORT
    return f"{url.username or ''}@{url.host or 'localhost'}:{port}/{url.database or ''}"


class Outbox:
    """The outbox of one server connection, with its retry schedule.

    One per window or command; the file underneath is shared (and safe to share) with any
    other Last Mile on this computer.
    """

    def __init__(
        self,
        store: OutboxStore,
        server: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        delays: Sequence[float] = RETRY_DELAYS_S,
    ) -> None:
        self.store = store
        self.server = server
        self._clock = clock
        self._delays = tuple(delays)
        self._lock = threading.Lock()
        self._failures = 0
        self._retry_at: float | None = None

    def waiting(self) -> int:
        """How many outcomes wait for this server."""
        return self.store.count_waiting(self.server)

    def waiting_members(self) -> set[uuid.UUID]:
        """The members with an outcome waiting: not to be offered again until it is sent."""
        return {outcome.member for outcome in self.store.waiting(self.server)}

    def refused(self) -> list[PendingOutcome]:
        return self.store.refused(self.server)

    def let_go_of_refused(self) -> int:
        """The refused outcomes leave the outbox (the user has read why); how many."""
        return self.store.let_go_of_refused(self.server)

    # -- the retry schedule ---------------------------------------------------------------------
    def note_unreachable(self) -> None:
        with self._lock:
            delay = self._delays[min(self._failures, len(self._delays) - 1)]
            self._failures += 1
            self._retry_at = self._clock() + delay

    def note_reached(self) -> None:
        with self._lock:
            self._failures = 0
            self._retry_at = None

    def seconds_until_retry(self) -> float:
        """When to send again: 0 when due now (or never tried since the server was lost)."""
        with self._lock:
            if self._retry_at is None:
                return 0.0
            return max(0.0, self._retry_at - self._clock())

    @property
    def failed_tries(self) -> int:
        """Tries in a row that found the server out of reach."""
        return self._failures


def open_outbox(url: URL, folder: Path | None = None) -> Outbox | None:
    """The outbox for the database at ``url``: None for SQLite, which needs none."""
    if url.get_backend_name() == "sqlite":
        return None
    store = OutboxStore((folder or data_dir()) / OUTBOX_FILE_NAME)
    return Outbox(store, server_key(url))


def log_or_queue(
    db: Database,
    outbox: Outbox,
    profile: Profile,
    member: uuid.UUID,
    outcome: str,
    *,
    note: str | None = None,
    callback_at: datetime | None = None,
    visit_on: date | None = None,
    reason: str | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
    as_manager: str | None = None,
    attempt_uuid: uuid.UUID | None = None,
    seen: SeenMember | None = None,
) -> LoggedCall | QueuedCall:
    """Log the call on the server, or keep it in the outbox when the server cannot be
    reached (or other outcomes wait there already, which go first). Refusals are raised as
    ``log_outcome`` raises them, with nothing kept. ``seen``: as for ``log_outcome``."""
    assert outbox.server == server_key(db.url), "the outbox of another connection"
    attempt = attempt_uuid if attempt_uuid is not None else uuid.uuid4()
    called_at = at if at is not None else utcnow()
    chosen = check_call_details(
        outcome, note=note, callback_at=callback_at, visit_on=visit_on, reason=reason, at=called_at
    )

    def queued() -> QueuedCall:
        return queue_outcome(
            outbox,
            profile,
            member,
            chosen.code,
            note=note,
            callback_at=callback_at,
            visit_on=visit_on,
            reason=reason,
            at=called_at,
            expected_version=expected_version,
            as_manager=as_manager,
            attempt_uuid=attempt,
        )

    if outbox.waiting():
        return queued()
    try:
        return log_outcome(
            db,
            profile,
            member,
            chosen.code,
            note=note,
            callback_at=callback_at,
            visit_on=visit_on,
            reason=reason,
            at=called_at,
            expected_version=expected_version,
            as_manager=as_manager,
            attempt_uuid=attempt,
            seen=seen,
        )
    except Exception as error:
        if not is_unreachable(error):
            raise
    outbox.note_unreachable()
    return queued()


def queue_outcome(
    outbox: Outbox,
    profile: Profile,
    member: uuid.UUID,
    outcome: str,
    *,
    note: str | None = None,
    callback_at: datetime | None = None,
    visit_on: date | None = None,
    reason: str | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
    as_manager: str | None = None,
    attempt_uuid: uuid.UUID | None = None,
) -> QueuedCall:
    """Keep the call in the outbox without trying the server (which could not be opened)."""
    called_at = at if at is not None else utcnow()
    chosen = check_call_details(
        outcome, note=note, callback_at=callback_at, visit_on=visit_on, reason=reason, at=called_at
    )
    pending = PendingOutcome(
        attempt=attempt_uuid if attempt_uuid is not None else uuid.uuid4(),
        server=outbox.server,
        member=member,
        member_version=expected_version,
        outcome=chosen.code,
        called_at=called_at,
        note=note,
        callback_at=callback_at,
        visit_on=visit_on,
        reason=reason,
        as_manager=as_manager,
        profile=OutboxProfile(
            str(profile.role), profile.name, profile.manager_id, profile.store_id
        ),
        queued_at=utcnow(),
    )
    outbox.store.add(pending)
    return QueuedCall(pending.attempt, member, chosen.code, called_at, outbox.waiting())


def send_waiting(db: Database, outbox: Outbox) -> SendReport:
    """Send the outcomes waiting for this server, oldest first, each once (by attempt id).

    Stops, keeping the rest, when the server cannot be reached (or is busy); a refused
    outcome stays in the outbox as refused, with the reason. An unexpected error (a bug) is
    raised with the outcome still waiting."""
    assert outbox.server == server_key(db.url), "the outbox of another connection"
    recorded: list[LoggedCall] = []
    refused: list[RefusedCall] = []
    while (step := _send_next(db, outbox)) is not None:
        if isinstance(step, _OutOfReach):
            outbox.note_unreachable()
            return SendReport(tuple(recorded), tuple(refused), outbox.waiting(), step.why)
        if isinstance(step, RefusedCall):
            refused.append(step)
        else:
            recorded.append(step)
    outbox.note_reached()
    return SendReport(tuple(recorded), tuple(refused), 0)


@dataclass(frozen=True)
class _OutOfReach:
    why: str


def _send_next(db: Database, outbox: Outbox) -> LoggedCall | RefusedCall | _OutOfReach | None:
    """The oldest waiting outcome sent and settled; None when nothing waits."""
    with outbox.store.turn(outbox.server) as turn:
        if turn is None:
            return None
        pending = turn.outcome
        try:
            logged = _send(db, pending)
        except Exception as error:
            if isinstance(error, DatabaseBusyError):
                return _OutOfReach(str(error))
            if is_unreachable(error):
                return _OutOfReach(UNREACHABLE)
            if not isinstance(error, UserFacingError):
                raise
            why = SOMEONE_ELSE_FIRST if isinstance(error, StaleMemberError) else str(error)
            turn.refused(why)
            return RefusedCall(
                pending.attempt, pending.member, pending.outcome, pending.called_at, why
            )
        turn.sent()
        return logged


def _send(db: Database, pending: PendingOutcome) -> LoggedCall:
    return log_outcome(
        db,
        _profile(pending),
        pending.member,
        pending.outcome,
        note=pending.note,
        callback_at=pending.callback_at,
        visit_on=pending.visit_on,
        reason=pending.reason,
        at=pending.called_at,
        expected_version=pending.member_version,
        as_manager=pending.as_manager,
        attempt_uuid=pending.attempt,
    )


def _profile(pending: PendingOutcome) -> Profile:
    kept = pending.profile
    return Profile(Role(kept.role), kept.name, kept.manager_id, kept.store_id)


def take_back(db: Database, outbox: Outbox, profile: Profile, attempt: uuid.UUID) -> None:
    """Undo a call: still in the outbox, it is withdrawn; already sent, it is undone on the
    server as ``undo_outcome`` undoes it."""
    if outbox.store.withdraw(attempt):
        return
    undo_outcome(db, profile, attempt)


# -- in plain words: the window's status line and the command line say the same ---------------


def offline_text(waiting: int) -> str:
    """The status line while outcomes wait: "Offline: 3 outcomes waiting"."""
    return f"Offline: {_count(waiting, 'outcome')} waiting"


def describe_refused(call: RefusedCall | PendingOutcome, zone: tzinfo | None = None) -> str:
    """ "No answer at 13 Jan 14:03 was not saved: <why>." """
    why = call.why_refused or ""
    when = call.called_at.astimezone(zone).strftime("%d %b %H:%M")
    return f"{_outcome_label(call.outcome)} at {when} was not saved: {why.rstrip('.')}."


def describe_report(report: SendReport, zone: tzinfo | None = None) -> str:
    """What a send did, for the person who logged the calls."""
    parts = []
    if report.recorded:
        saved = len(report.recorded)
        text = (
            f"{_count(saved, 'outcome')} logged while the server could not be reached "
            f"{'is' if saved == 1 else 'are'} now saved on the server"
        )
        if report.already_known:
            text += (
                f" ({report.already_known} of them had reached it before the connection dropped)"
            )
        parts.append(text + ".")
    parts.extend(describe_refused(call, zone) for call in report.refused)
    if report.refused:
        parts.append("The server's records stand; call the customers again if needed.")
    if report.waiting:
        why = report.unreachable or UNREACHABLE
        parts.append(
            f"{offline_text(report.waiting)}: {why.rstrip('.')}. They are sent as soon as it "
            "answers again."
        )
    return " ".join(parts) or "Nothing was waiting to be sent."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _outcome_label(code: str) -> str:
    try:
        return outcome_by_code(code).label
    except UnknownOutcomeError:
        return code
