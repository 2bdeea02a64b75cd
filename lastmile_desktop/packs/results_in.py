"""``import_store_results``: a store's calls, merged into the region's database by UUID.

The file is a *store results* file (``results_out``) of a campaign this database has; any
other file is refused in one sentence, after the same hostile-file checks as any import.
Every row of its Calls sheet lands in one bucket,
``rows_read = added + already_known + conflicts + rejected``:

- **Already known**: this database has the call (its Call UUID) with the same content, as
  after importing the same results twice: nothing changes.
- **Conflict**: this database has the call with other content (another outcome, note,
  time...): reported with its row, and left as it is here, never overwritten.
- **Rejected**, with the row and the reason: a value that cannot be read (a UUID, an unknown
  outcome, a call time in the future beyond a few minutes of clock difference, details the
  outcome does not go with, the same call twice in the file), a customer this database does
  not have in the campaign, or a call this database's history leaves no room for
  (``calling.elsewhere``).
- **Added**: the other calls. The members' lives and facts follow, as if every call had
  been logged here in the order they happened (``calling.elsewhere.bring_in_calls``); a Do
  not call outcome puts the customer on the list here too. A manager who joined at the
  store and is not known here is added to the store with the same UUID, so their calls
  stay theirs.

Only the regional lead imports results. The import is one transaction: when it fails, or
is cancelled, nothing is changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from lastmile_desktop.calling.elsewhere import CallFromElsewhere, bring_in_calls
from lastmile_desktop.calling.life import FollowUp
from lastmile_desktop.calling.log import CLOCK_TOLERANCE, CallDetails
from lastmile_desktop.calling.outcomes import (
    OUTCOMES,
    Outcome,
    UnknownOutcomeError,
    label_of,
    outcome_by_code,
)
from lastmile_desktop.campaigns.access import LeadAction, Profile, check_profile, require_lead
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.packs.pack_out import (
    CALL_UUID,
    CALLBACK_AT,
    CALLED_AT,
    CUSTOMER_UUID,
    FOLLOW_UP,
    LOGGED_AT,
    MANAGER,
    MANAGER_UUID,
    MEMBER_UUID,
    NOTE,
    OUTCOME,
    REASON,
    SCRIPT_VERSION,
    STORE_CODE,
    TIME_ZONES,
    VISIT_DATE,
)
from lastmile_desktop.packs.results_out import CALLS_SHEET
from lastmile_desktop.packs.workbook import PackInfo, PackKind, PackReader, PackRow, PackRowError
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import NAME_MAX_LENGTH
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    Manager,
    ScriptVersion,
    Store,
)
from lastmile_desktop.storage.types import utcnow

# What the import reads from the Calls sheet (the date and time columns are for people).
READ_COLUMNS = (
    CALL_UUID,
    MEMBER_UUID,
    CUSTOMER_UUID,
    STORE_CODE,
    MANAGER_UUID,
    MANAGER,
    CALLED_AT,
    OUTCOME,
    NOTE,
    CALLBACK_AT,
    VISIT_DATE,
    REASON,
    FOLLOW_UP,
    TIME_ZONES,
    LOGGED_AT,
    SCRIPT_VERSION,
)
SOURCE_MAX_LENGTH = 200
_CHUNK = 500  # values per IN (...): under every database's limit of bound parameters
_REPORT_EVERY = 500


@dataclass(frozen=True)
class ResultRow:
    """A row of the file that was not added: a conflict or a rejection, and why."""

    row: int  # as the spreadsheet shows it: the header is row 1
    attempt: str | None  # the call's UUID as the file gives it (None: it has none)
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"row": self.row, "attempt": self.attempt, "reason": self.reason}


@dataclass(frozen=True)
class ResultsImportSummary:
    file: Path
    campaign: str
    store: str  # the store the file came from, as its Pack sheet says ("Leeds (12)")
    exported_at: datetime  # when the store exported it (aware UTC)
    rows_read: int
    added: int
    already_known: int
    conflicts: int
    rejected: int
    members_updated: int  # members whose calls were added
    managers_added: tuple[str, ...]  # managers who joined at the store, now known here
    conflict_rows: tuple[ResultRow, ...]
    rejected_rows: tuple[ResultRow, ...]

    def as_json(self) -> dict[str, object]:
        """The shape ``lastmile import-results --json`` prints."""
        return {
            "file": str(self.file),
            "rows_read": self.rows_read,
            "added": self.added,
            "already_known": self.already_known,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
            "conflict_rows": [row.as_json() for row in self.conflict_rows],
            "rejected_rows": [row.as_json() for row in self.rejected_rows],
        }


def import_store_results(
    db: Database,
    profile: Profile,
    source: Path,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ResultsImportSummary:
    """Merge the calls of the store results file ``source`` into this database (see the
    module's docstring). ``now`` (default: the current time) decides which call times are
    in the future. ``progress`` may raise ``Cancelled``: nothing is then changed."""
    require_lead(profile, LeadAction.IMPORT_RESULTS)
    source = Path(source)
    progress = progress or NoProgress()
    moment = (now or utcnow()).astimezone(UTC)
    with PackReader(source, PackKind.STORE_RESULTS) as pack:
        info = pack.info
        total = pack.count(CALLS_SHEET.name)
        progress.report(0, total, "Reading the calls...")
        rows: list[_Call | ResultRow] = []
        for row in pack.rows(CALLS_SHEET.name, READ_COLUMNS):
            rows.append(_read(row, moment))
            if len(rows) % _REPORT_EVERY == 0:
                progress.report(len(rows), total, "Reading the calls...")
    progress.report(len(rows), total, "Adding the calls...")
    with db.session() as session:
        check_profile(session, profile)
        campaign = session.scalars(
            select(Campaign).where(Campaign.uuid == info.campaign_uuid)
        ).first()
        if campaign is None:
            raise UserFacingError(
                f"{source.name} holds calls of the campaign “{info.campaign}”, which this "
                "database does not have: import it into the region's database the store "
                "pack came from."
            )
        return _Merge(session, campaign, profile, source).run(rows, info, progress)


# ---------------------------------------------------------------------------------------------
# Reading one row


@dataclass(frozen=True)
class _Call:
    """A row of the Calls sheet, read and checked on its own."""

    row: int
    attempt: uuid.UUID
    member: uuid.UUID
    customer: uuid.UUID | None
    store_code: str | None
    manager: uuid.UUID | None
    manager_name: str | None
    called_at: datetime
    outcome: Outcome
    details: CallDetails
    follow_up: FollowUp | None
    zones: tuple[str, ...]
    logged_at: datetime | None
    script_version: int | None

    def content(self) -> dict[str, Any]:
        """What a call is, to compare with the same call recorded here."""
        return {
            "customer": self.member,
            "call time": self.called_at,
            "outcome": self.outcome.code,
            "note": self.details.note,
            "callback time": self.details.callback_at,
            "planned visit": self.details.visit_on,
            "reason": self.details.reason,
            "follow-up": str(self.follow_up) if self.follow_up is not None else None,
            "manager": self.manager,
        }


def _read(row: PackRow, now: datetime) -> _Call | ResultRow:
    """The row as a call, or why it is rejected."""
    attempt = row.text(CALL_UUID)
    try:
        called_at = row.time(CALLED_AT)
        if called_at is None:
            raise PackRowError(f"{CALLED_AT} is empty")
        if called_at > now + CLOCK_TOLERANCE:
            raise PackRowError(
                f"{CALLED_AT}: {called_at:%Y-%m-%d %H:%M} is in the future (this computer's "
                f"clock says {now:%Y-%m-%d %H:%M} UTC)"
            )
        outcome = _outcome(row.required_text(OUTCOME))
        try:
            details = CallDetails.checked(
                outcome,
                row.text(NOTE),
                row.time(CALLBACK_AT),
                row.day(VISIT_DATE),
                row.text(REASON),
                called_at,
            )
        except UserFacingError as problem:
            raise PackRowError(str(problem)) from None
        return _Call(
            row=row.row,
            attempt=row.uuid(CALL_UUID),
            member=row.uuid(MEMBER_UUID),
            customer=row.optional_uuid(CUSTOMER_UUID),
            store_code=_stripped(row.text(STORE_CODE)),
            manager=row.optional_uuid(MANAGER_UUID),
            manager_name=_stripped(row.text(MANAGER)),
            called_at=called_at,
            outcome=outcome,
            details=details,
            follow_up=_follow_up(row.text(FOLLOW_UP)),
            zones=tuple(
                zone.strip() for zone in (row.text(TIME_ZONES) or "").split(",") if zone.strip()
            ),
            logged_at=row.time(LOGGED_AT),
            script_version=row.integer(SCRIPT_VERSION),
        )
    except PackRowError as problem:
        return ResultRow(row.row, attempt.strip() if attempt else None, problem.reason)


def _outcome(text: str) -> Outcome:
    try:
        return outcome_by_code(text.strip().casefold())
    except UnknownOutcomeError:
        codes = ", ".join(outcome.code for outcome in OUTCOMES)
        raise PackRowError(f"{OUTCOME}: “{text}” is not an outcome (one of {codes})") from None


def _follow_up(text: str | None) -> FollowUp | None:
    cleaned = _stripped(text)
    if cleaned is None:
        return None
    try:
        return FollowUp(cleaned.casefold())
    except ValueError:
        kinds = ", ".join(kind.value for kind in FollowUp)
        raise PackRowError(
            f"{FOLLOW_UP}: “{text}” is not a kind of follow-up call (one of {kinds}, or empty "
            "for a counted attempt)"
        ) from None


def _stripped(text: str | None) -> str | None:
    return (text or "").strip() or None


# ---------------------------------------------------------------------------------------------
# Merging


@dataclass(frozen=True)
class _Member:
    id: int
    campaign_id: int
    customer: uuid.UUID
    store_id: int | None


class _Merge:
    """The calls of one file, sorted into their buckets and added, in one session."""

    def __init__(self, session: Session, campaign: Campaign, profile: Profile, source: Path):
        self.session = session
        self.campaign = campaign
        self.profile = profile
        self.source = source
        self.conflicts: list[ResultRow] = []
        self.rejected: list[ResultRow] = []
        self.already_known = 0

    def run(
        self, rows: list[_Call | ResultRow], info: PackInfo, progress: Progress
    ) -> ResultsImportSummary:
        calls = [row for row in rows if isinstance(row, _Call)]
        self.rejected = [row for row in rows if isinstance(row, ResultRow)]
        known = self._recorded(call.attempt for call in calls)
        members = self._members(call.member for call in calls)
        managers = self._managers(call.manager for call in calls if call.manager is not None)
        stores = {
            code.casefold(): store_id
            for store_id, code in self.session.execute(select(Store.id, Store.code))
        }
        versions: dict[int, int] = dict(
            self.session.execute(
                select(ScriptVersion.version, ScriptVersion.id).where(
                    ScriptVersion.campaign_id == self.campaign.id
                )
            ).all()
        )
        first_row: dict[uuid.UUID, int] = {}
        pending: list[tuple[_Call, _Member]] = []
        for call in calls:
            if call.attempt in first_row:
                self._reject(call, f"the same call is on row {first_row[call.attempt]} already")
                continue
            first_row[call.attempt] = call.row
            recorded = known.get(call.attempt)
            if recorded is not None:
                self._compare(call, recorded)
                continue
            member = members.get(call.member)
            problem = self._member_problem(call, member)
            if problem is not None:
                self._reject(call, problem)
                continue
            assert member is not None
            pending.append((call, member))
        added_managers = self._add_managers(pending, managers, stores)
        by_uuid = {call.attempt: call for call, _ in pending}
        brought = bring_in_calls(
            self.session,
            [self._call_from(call, member, managers, stores, versions) for call, member in pending],
            source=f"Store results: {self.source.name}"[:SOURCE_MAX_LENGTH],
            added_by=self.profile.name,
        )
        for refused, reason in brought.refused.items():
            self._reject(by_uuid[refused], reason)
        progress.report(len(rows), len(rows), "Adding the calls...")
        self.rejected.sort(key=lambda row: row.row)
        self.conflicts.sort(key=lambda row: row.row)
        return ResultsImportSummary(
            file=self.source,
            campaign=self.campaign.name,
            store=info.store,
            exported_at=info.exported_at,
            rows_read=len(rows),
            added=len(brought.added),
            already_known=self.already_known,
            conflicts=len(self.conflicts),
            rejected=len(self.rejected),
            members_updated=len(brought.members),
            managers_added=tuple(added_managers),
            conflict_rows=tuple(self.conflicts),
            rejected_rows=tuple(self.rejected),
        )

    def _reject(self, call: _Call, reason: str) -> None:
        self.rejected.append(ResultRow(call.row, str(call.attempt), reason))

    # -- what this database has ---------------------------------------------------------------
    def _recorded(self, uuids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        """The calls here with these UUIDs, as ``_Call.content`` gives a call."""
        caller = aliased(Manager)
        found: dict[uuid.UUID, dict[str, Any]] = {}
        for chunk in _chunks(sorted(set(uuids))):
            rows = self.session.execute(
                select(CallAttempt, CampaignMember.uuid, caller.uuid)
                .join(CampaignMember, CampaignMember.id == CallAttempt.member_id)
                .outerjoin(caller, caller.id == CallAttempt.manager_id)
                .where(CallAttempt.uuid.in_(chunk))
            )
            for attempt, member, manager in rows:
                found[attempt.uuid] = {
                    "customer": member,
                    "call time": attempt.called_at,
                    "outcome": attempt.outcome,
                    "note": attempt.note,
                    "callback time": attempt.callback_at,
                    "planned visit": attempt.planned_visit_date,
                    "reason": attempt.reason,
                    "follow-up": attempt.follow_up,
                    "manager": manager,
                }
        return found

    def _members(self, uuids: Iterable[uuid.UUID]) -> dict[uuid.UUID, _Member]:
        found: dict[uuid.UUID, _Member] = {}
        for chunk in _chunks(sorted(set(uuids))):
            rows = self.session.execute(
                select(
                    CampaignMember.uuid,
                    CampaignMember.id,
                    CampaignMember.campaign_id,
                    Customer.uuid,
                    CampaignMember.store_id,
                )
                .join(Customer, Customer.id == CampaignMember.customer_id)
                .where(CampaignMember.uuid.in_(chunk))
            )
            for member, member_id, campaign_id, customer, store_id in rows:
                found[member] = _Member(member_id, campaign_id, customer, store_id)
        return found

    def _managers(self, uuids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[int, str]]:
        found: dict[uuid.UUID, tuple[int, str]] = {}
        for chunk in _chunks(sorted(set(uuids))):
            rows = self.session.execute(
                select(Manager.uuid, Manager.id, Manager.name).where(Manager.uuid.in_(chunk))
            )
            for manager, manager_id, name in rows:
                found[manager] = (manager_id, name)
        return found

    # -- sorting ------------------------------------------------------------------------------
    def _compare(self, call: _Call, recorded: dict[str, Any]) -> None:
        theirs = call.content()
        different = [name for name, value in recorded.items() if theirs[name] != value]
        if not different:
            self.already_known += 1
            return
        parts = []
        for name in different:
            if name == "outcome":
                here, there = label_of(recorded[name]), call.outcome.label
                parts.append(f"outcome (here “{here}”, in the file “{there}”)")
            else:
                parts.append(name)
        self.conflicts.append(
            ResultRow(
                call.row,
                str(call.attempt),
                f"this call is recorded here with a different {_listed(parts)}: it is left "
                "as it is here",
            )
        )

    def _member_problem(self, call: _Call, member: _Member | None) -> str | None:
        if member is None or member.campaign_id != self.campaign.id:
            return (
                f"the customer of this call ({MEMBER_UUID} {call.member}) is not in the "
                f"campaign “{self.campaign.name}” in this database"
            )
        if call.customer is not None and call.customer != member.customer:
            return (
                f"{CUSTOMER_UUID} does not match: this database has another customer for "
                f"{MEMBER_UUID} {call.member}"
            )
        return None

    # -- adding -------------------------------------------------------------------------------
    def _add_managers(
        self,
        pending: Sequence[tuple[_Call, _Member]],
        managers: dict[uuid.UUID, tuple[int, str]],
        stores: dict[str, int],
    ) -> list[str]:
        """Managers who joined at the store, added with their UUID (their calls name them)."""
        added: list[str] = []
        for call, member in pending:
            if call.manager is None or call.manager in managers or not call.manager_name:
                continue
            store_id = _store_id(call, member, stores)
            if store_id is None:
                continue
            row = Manager(
                uuid=call.manager,
                name=call.manager_name[:NAME_MAX_LENGTH],
                store_id=store_id,
                active=True,
            )
            self.session.add(row)
            self.session.flush()
            managers[call.manager] = (row.id, row.name)
            added.append(row.name)
        return added

    def _call_from(
        self,
        call: _Call,
        member: _Member,
        managers: dict[uuid.UUID, tuple[int, str]],
        stores: dict[str, int],
        versions: dict[int, int],
    ) -> CallFromElsewhere:
        manager = managers.get(call.manager) if call.manager is not None else None
        return CallFromElsewhere(
            uuid=call.attempt,
            member_id=member.id,
            outcome=call.outcome,
            called_at=call.called_at,
            logged_at=call.logged_at,
            note=call.details.note,
            callback_at=call.details.callback_at,
            planned_visit_date=call.details.visit_on,
            reason=call.details.reason,
            follow_up=call.follow_up,
            zones=call.zones,
            manager_id=manager[0] if manager is not None else None,
            manager_name=manager[1] if manager is not None else call.manager_name,
            store_id=_store_id(call, member, stores),
            script_version_id=(
                versions.get(call.script_version) if call.script_version is not None else None
            ),
        )


def _store_id(call: _Call, member: _Member, stores: dict[str, int]) -> int | None:
    """The store the call was made from: as the file says, else the member's here."""
    if call.store_code is not None:
        found = stores.get(call.store_code.casefold())
        if found is not None:
            return found
    return member.store_id


def _listed(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
