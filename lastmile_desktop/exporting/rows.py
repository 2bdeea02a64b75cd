"""The rows of the results workbook, read from the database one at a time.

Each function streams its sheet's rows (``yield_per``), so a campaign of 100,000 customers
and 300,000 calls is never held in memory: the workbook writer takes each row as it comes.
Who is in the export is one condition (``ExportScope.member_conditions``): the campaign's
members the profile may see (``campaigns.access.member_visibility``), of one store when
asked. A member's leaderboard facts (accepted, came back, spent in the window) are the
leaderboard's own member facts and figure conditions (``leaderboard.facts``), so a sheet never
disagrees with the leaderboard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, String, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from lastmile_desktop.calling.life import ScheduledKind
from lastmile_desktop.calling.outcomes import OUTCOMES
from lastmile_desktop.campaigns.access import Profile, member_visibility
from lastmile_desktop.exporting.sheets import CALL_RESULT_COLUMNS, REJECTED_ROW_COLUMNS
from lastmile_desktop.importing.model import Field
from lastmile_desktop.importing.rejects import visible_rejects
from lastmile_desktop.importing.rows import unique_labels
from lastmile_desktop.leaderboard.facts import (
    Figure,
    Scope,
    figure_condition,
    in_window,
    member_facts,
)
from lastmile_desktop.spreadsheets.writing import Cell, CellKind, Column
from lastmile_desktop.storage.models import (
    CallAttempt,
    CampaignMember,
    Customer,
    ImportBatch,
    Manager,
    Purchase,
    ScriptVersion,
    Store,
)
from lastmile_desktop.storage.types import UTCDateTime

# Rows fetched from the database at a time: large enough to keep SQLite busy, small
# enough to keep memory flat.
BATCH_ROWS = 2_000
# What an imported column mapped to a field holds, and how its cell is written.
_FIELD_KINDS: dict[Field, CellKind] = {
    Field.LAST_PURCHASE_DATE: CellKind.DATE,
    Field.LIFETIME_SPEND: CellKind.MONEY,
    Field.VISITS: CellKind.INTEGER,
}
# The customer's fields in the order a list without a saved header row shows them.
_DEFAULT_FIELDS = (
    Field.CUSTOMER_ID,
    Field.FIRST_NAME,
    Field.LAST_NAME,
    Field.PHONE,
    Field.PHONE_ALT,
    Field.EMAIL,
    Field.STORE,
    Field.LAST_PURCHASE_DATE,
    Field.LIFETIME_SPEND,
    Field.VISITS,
    Field.NOTES,
)
_OUTCOME_LABELS = {outcome.code: outcome.label for outcome in OUTCOMES}
_OUTCOME_REACHED = {outcome.code: outcome.reached for outcome in OUTCOMES}


@dataclass(frozen=True)
class ExportScope:
    """Whose rows go in: a campaign's members ``profile`` may see, of one store when set."""

    campaign_id: int
    profile: Profile
    store_id: int | None
    zone: tzinfo | None  # local times are shown in this zone (None: the computer's)

    def member_conditions(self) -> list[ColumnElement[bool]]:
        conditions = [
            CampaignMember.campaign_id == self.campaign_id,
            member_visibility(self.profile),
        ]
        if self.store_id is not None:
            conditions.append(CampaignMember.store_id == self.store_id)
        return conditions

    def local(self, moment: datetime | None) -> datetime | None:
        """An aware time as the reader's clock shows it, without a zone (Excel has none)."""
        if moment is None:
            return None
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def local_day(self, moment: datetime | None) -> date | None:
        return None if moment is None else moment.astimezone(self.zone).date()


def count_members(session: Session, scope: ExportScope) -> int:
    query = select(func.count()).select_from(CampaignMember).where(*scope.member_conditions())
    return int(session.scalar(query) or 0)


def count_attempts(session: Session, scope: ExportScope) -> int:
    query = (
        select(func.count())
        .select_from(CallAttempt)
        .join(CampaignMember, CampaignMember.id == CallAttempt.member_id)
        .where(*scope.member_conditions())
    )
    return int(session.scalar(query) or 0)


def _batches(session: Session, campaign_id: int) -> list[ImportBatch]:
    return list(
        session.scalars(
            select(ImportBatch)
            .where(ImportBatch.campaign_id == campaign_id)
            .order_by(ImportBatch.started_at, ImportBatch.id)
        )
    )


def _batch_labels(batch: ImportBatch) -> list[tuple[str, Field | None]]:
    """The batch's columns as the import keyed them ("Column 3", "Phone (2)"), each with the
    field it was mapped to (None: kept as an extra column)."""
    mapping = batch.mapping or {}
    labels = unique_labels([str(header) for header in mapping.get("headers") or []])
    fields = mapping.get("columns") or {}
    result = []
    for position, label in enumerate(labels):
        value = fields.get(str(position))
        field = (
            Field(value) if isinstance(value, str) and value in Field._value2member_map_ else None
        )
        result.append((label, field))
    return result


# ---------------------------------------------------------------------------------------------
# Call results


@dataclass(frozen=True)
class OriginalColumn:
    """One of the customer's own columns, as the list that brought them had it."""

    title: str
    field: Field | None  # None: a column that matched no field, kept in ``extra``
    label: str  # its key in ``Customer.extra``

    @property
    def kind(self) -> CellKind:
        return CellKind.TEXT if self.field is None else _FIELD_KINDS.get(self.field, CellKind.TEXT)


def original_columns(session: Session, campaign_id: int) -> list[OriginalColumn]:
    """The columns of the campaign's imported lists, in the order they first came, each once.

    A column that any list mapped to a field shows that field as the customer has it now;
    the others show the text the list held. A campaign whose lists left no header (the
    demo) shows the customer's fields under their usual names.
    """
    fields: dict[str, Field | None] = {}
    for batch in _batches(session, campaign_id):
        for label, field in _batch_labels(batch):
            if fields.get(label) is None:
                fields[label] = field
    if not fields:
        fields = {field.label: field for field in _DEFAULT_FIELDS}
    # The fixed columns keep their names: people's formulas refer to them.
    fixed = {column.title.casefold() for column in CALL_RESULT_COLUMNS}
    return [
        OriginalColumn(f"{label} (imported)" if label.casefold() in fixed else label, field, label)
        for label, field in fields.items()
    ]


def call_result_columns(originals: list[OriginalColumn]) -> list[Column]:
    return [Column(column.title, column.kind) for column in originals] + list(CALL_RESULT_COLUMNS)


def _field_reader(field: Field) -> Callable[[tuple[Any, ...]], Cell]:
    """How one of the customer's fields is read from a row of ``call_result_rows``' query."""
    if field is Field.FULL_NAME:
        return lambda row: " ".join(part for part in (row[2], row[3]) if part) or None
    if field is Field.LIFETIME_SPEND:
        return lambda row: None if row[9] is None else row[9] / 100
    position = _CUSTOMER_POSITIONS[field]
    return lambda row: row[position]


_CUSTOMER_POSITIONS = {
    Field.CUSTOMER_ID: 1,
    Field.FIRST_NAME: 2,
    Field.LAST_NAME: 3,
    Field.PHONE: 4,
    Field.PHONE_ALT: 5,
    Field.EMAIL: 6,
    Field.STORE: 7,
    Field.LAST_PURCHASE_DATE: 8,
    Field.VISITS: 10,
    Field.NOTES: 11,
}
_EXTRA = 12


def _original_reader(column: OriginalColumn) -> Callable[[tuple[Any, ...]], Cell]:
    label = column.label
    if column.field is None:
        return lambda row: None if row[_EXTRA] is None else row[_EXTRA].get(label)
    read_field = _field_reader(column.field)
    # A column mapped to a field by one list may be an extra column in another.
    return lambda row: (
        value
        if (value := read_field(row)) is not None
        else (None if row[_EXTRA] is None else row[_EXTRA].get(label))
    )


def call_result_rows(
    session: Session, scope: ExportScope, facts_scope: Scope, originals: list[OriginalColumn]
) -> Iterator[list[Cell]]:
    """One row per member: their original columns, then ``CALL_RESULT_COLUMNS``."""
    facts = member_facts(session, facts_scope)
    home = aliased(Store, name="home_store")
    calls = aliased(CallAttempt, name="calls")
    last_call = (
        select(func.max(calls.called_at)).where(calls.member_id == CampaignMember.id)
    ).scalar_subquery()
    latest_note = (
        select(calls.note)
        .where(calls.member_id == CampaignMember.id, calls.note.is_not(None), calls.note != "")
        .order_by(calls.called_at.desc(), calls.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # What a member won back spent in their window: the leaderboard's revenue, per member.
    window_spend = (
        select(func.sum(Purchase.amount_cents))
        .where(
            Purchase.customer_id == facts.c.customer_id,
            in_window(
                Purchase.__table__.c.purchased_at, facts.c.first_attempt_at, facts_scope.window_days
            ),
            Purchase.purchased_at < facts_scope.end,
        )
        .scalar_subquery()
    )
    query = (
        select(
            # The stored text: no round trip through uuid.UUID.
            type_coerce(CampaignMember.uuid, String).label("member_uuid"),
            Customer.external_id,
            Customer.first_name,
            Customer.last_name,
            Customer.phone,
            Customer.phone_alt,
            Customer.email,
            home.name,
            Customer.last_purchase_date,
            Customer.lifetime_spend_cents,
            Customer.visits,
            Customer.notes,
            Customer.extra,
            Store.name,
            Manager.name,
            CampaignMember.group,
            CampaignMember.attempts,
            CampaignMember.last_outcome,
            type_coerce(last_call, UTCDateTime),
            figure_condition(facts, facts_scope, Figure.ASSIGNED),  # the call group
            figure_condition(facts, facts_scope, Figure.ACCEPTED),
            CampaignMember.next_due_at,
            CampaignMember.scheduled_kind,
            facts.c.came_back_at,
            figure_condition(facts, facts_scope, Figure.WON_BACK),
            window_spend,
            facts.c.first_attempt_at,
            latest_note,
        )
        .select_from(CampaignMember)
        .join(Customer, Customer.id == CampaignMember.customer_id)
        .outerjoin(home, home.id == Customer.home_store_id)
        .outerjoin(Store, Store.id == CampaignMember.store_id)
        .outerjoin(Manager, Manager.id == CampaignMember.manager_id)
        .outerjoin(facts, facts.c.member_id == CampaignMember.id)
        .where(*scope.member_conditions())
        .order_by(CampaignMember.id)
    )
    readers = [_original_reader(column) for column in originals]
    local, local_day = scope.local, scope.local_day
    callback = ScheduledKind.CALLBACK.value
    for row in session.execute(query).yield_per(BATCH_ROWS):
        (
            member_uuid,
            *_customer,
            store,
            manager,
            group,
            attempts,
            last_outcome,
            last_call_at,
            in_call_group,
            accepted,
            next_due_at,
            scheduled_kind,
            came_back_at,
            won_back,
            window_cents,
            first_attempt_at,
            note,
        ) = row
        called = first_attempt_at is not None
        came_back = bool(won_back) and came_back_at is not None
        yield [
            *(read(row) for read in readers),
            store,
            manager,
            group,
            attempts,
            _OUTCOME_LABELS.get(last_outcome, last_outcome) if last_outcome else None,
            local(last_call_at),
            bool(accepted) if in_call_group else None,
            local(next_due_at) if scheduled_kind == callback else None,
            local_day(came_back_at) if came_back else None,
            ((window_cents or 0) / 100 if came_back else 0.0) if called else None,
            note,
            member_uuid,
        ]


# ---------------------------------------------------------------------------------------------
# Attempts


def attempt_rows(session: Session, scope: ExportScope) -> Iterator[list[Cell]]:
    """One row per call made to a member in the export, oldest first: ``ATTEMPT_COLUMNS``."""
    query = (
        select(
            type_coerce(CallAttempt.uuid, String).label("attempt_uuid"),
            type_coerce(CampaignMember.uuid, String).label("member_uuid"),
            Customer.external_id,
            Store.name,
            Manager.name,
            CallAttempt.called_at,
            CallAttempt.outcome,
            CallAttempt.note,
            CallAttempt.callback_at,
            ScriptVersion.version,
        )
        .select_from(CallAttempt)
        .join(CampaignMember, CampaignMember.id == CallAttempt.member_id)
        .join(Customer, Customer.id == CampaignMember.customer_id)
        .outerjoin(Store, Store.id == CallAttempt.store_id)
        .outerjoin(Manager, Manager.id == CallAttempt.manager_id)
        .outerjoin(ScriptVersion, ScriptVersion.id == CallAttempt.script_version_id)
        .where(*scope.member_conditions())
        .order_by(CallAttempt.called_at, CallAttempt.id)
    )
    local = scope.local
    labels, reached = _OUTCOME_LABELS, _OUTCOME_REACHED
    for row in session.execute(query).yield_per(BATCH_ROWS):
        attempt, member, customer, store, manager, called_at, outcome, note, callback, script = row
        yield [
            attempt,
            member,
            customer,
            store,
            manager,
            local(called_at),
            labels.get(outcome, outcome),
            reached.get(outcome),
            note or None,
            local(callback),
            script,
        ]


# ---------------------------------------------------------------------------------------------
# Rejected rows


def rejected_row_table(
    session: Session, scope: ExportScope
) -> tuple[list[Column], list[list[Cell]]]:
    """The campaign's imports' rejected rows the profile may see (of the store, when one is
    chosen), under ``REJECTED_ROW_COLUMNS`` and the files' own columns. Few, so in memory."""
    titles: list[str] = []
    found: list[tuple[str, int, str, dict[str, Any]]] = []
    for batch in _batches(session, scope.campaign_id):
        for label, _field in _batch_labels(batch):
            if label not in titles:
                titles.append(label)
        for reject in visible_rejects(session, batch, scope.profile, scope.store_id):
            values = reject.values or {}
            titles.extend(key for key in values if key not in titles)
            found.append((batch.file_name, reject.row_number, reject.reason, values))
    fixed = {column.title.casefold() for column in REJECTED_ROW_COLUMNS}
    columns = list(REJECTED_ROW_COLUMNS) + [
        Column(f"{title} (imported)" if title.casefold() in fixed else title) for title in titles
    ]
    rows: list[list[Cell]] = [
        [file_name, number, reason, *(_text(values.get(title)) for title in titles)]
        for file_name, number, reason, values in found
    ]
    return columns, rows


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
