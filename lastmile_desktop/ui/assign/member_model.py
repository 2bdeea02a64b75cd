"""The customer table of the Assign page: campaign members paged, sorted and filtered in SQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QLocale, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from lastmile_desktop.calling.outcomes import UnknownOutcomeError, outcome_by_code
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.members import (
    MemberFilter,
    MemberRow,
    MemberSort,
    count_members,
    member_page,
)
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import MemberGroup, MemberStatus
from lastmile_desktop.ui.assign.paged_model import Column, PagedTableModel

COLUMN_NAME = 0
COLUMN_PHONE = 1
COLUMN_STORE = 2
COLUMN_MANAGER = 3
COLUMN_STATUS = 4
COLUMN_ATTEMPTS = 5
COLUMN_LAST_OUTCOME = 6
COLUMN_SPEND = 7
COLUMN_LAST_PURCHASE = 8

# The SQL sort behind each column, in column order.
COLUMN_SORTS: tuple[MemberSort, ...] = (
    MemberSort.NAME,
    MemberSort.PHONE,
    MemberSort.STORE,
    MemberSort.MANAGER,
    MemberSort.STATUS,
    MemberSort.ATTEMPTS,
    MemberSort.LAST_OUTCOME,
    MemberSort.LIFETIME_SPEND,
    MemberSort.LAST_PURCHASE,
)

# Dragging rows onto a manager in the overview carries their member ids as JSON.
MEMBER_IDS_MIME = "application/x-lastmile-member-ids"

QUIET_TEXT = QColor("#7a8790")

STATUS_LABELS: dict[MemberStatus, str] = {
    MemberStatus.UNASSIGNED: "Unassigned",
    MemberStatus.TO_CALL: "To call",
    MemberStatus.IN_PROGRESS: "In progress",
    MemberStatus.DONE: "Done",
    MemberStatus.HOLDOUT: "Holdout",
    MemberStatus.SUPPRESSED: "Do not call",
}


def outcome_label(code: str | None) -> str:
    if code is None:
        return ""
    try:
        return outcome_by_code(code).label
    except UnknownOutcomeError:
        return code


def _money(cents: int | None) -> str:
    return "" if cents is None else QLocale().toString(cents / 100, "f", 2)


def member_columns() -> list[Column[MemberRow]]:
    number = QLocale().toString
    return [
        Column("Customer", lambda r: r.customer_name, lambda r: r.customer_name.casefold()),
        Column("Phone", lambda r: r.phone or "", lambda r: r.phone or ""),
        Column("Store", lambda r: r.store_name or "Unassigned", lambda r: r.store_name or ""),
        Column("Manager", lambda r: r.manager_name or "", lambda r: r.manager_name or ""),
        Column(
            "Status",
            lambda r: STATUS_LABELS.get(r.status, r.status.value),
            lambda r: list(MemberStatus).index(r.status),
        ),
        Column("Tries", lambda r: number(r.attempts), lambda r: r.attempts, numeric=True),
        Column("Last outcome", lambda r: outcome_label(r.last_outcome), lambda r: r.last_outcome),
        Column(
            "Lifetime spend",
            lambda r: _money(r.lifetime_spend_cents),
            lambda r: r.lifetime_spend_cents,
            numeric=True,
        ),
        Column(
            "Last purchase",
            lambda r: r.last_purchase_date.strftime("%d %b %Y") if r.last_purchase_date else "",
            lambda r: r.last_purchase_date,
            numeric=True,
        ),
    ]


class MemberSource:
    """One filtered view of a campaign's members, read through the members service."""

    def __init__(self, db: Database, profile: Profile, member_filter: MemberFilter) -> None:
        self.db = db
        self.profile = profile
        self.filter = member_filter

    def count(self) -> int:
        return count_members(self.db, self.profile, self.filter)

    def page(self, offset: int, limit: int, sort_column: int, descending: bool) -> list[MemberRow]:
        return member_page(
            self.db,
            self.profile,
            self.filter,
            sort=COLUMN_SORTS[sort_column],
            descending=descending,
            offset=offset,
            limit=limit,
        )


class MemberTableModel(PagedTableModel[MemberRow]):
    """Columns as constants, a sort role, SQL paging; rows can be dragged onto a manager."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(member_columns(), default_sort=COLUMN_NAME, parent=parent)
        self.source: MemberSource | None = None

    def show_members(self, db: Database, profile: Profile, member_filter: MemberFilter) -> None:
        self.source = MemberSource(db, profile, member_filter)
        self.set_source(self.source)

    def refilter(self, **changes: Any) -> None:
        """Keep the campaign and profile, change some of the filter (store, search...)."""
        if self.source is not None:
            self.show_members(
                self.source.db, self.source.profile, replace(self.source.filter, **changes)
            )

    @property
    def member_filter(self) -> MemberFilter | None:
        return self.source.filter if self.source is not None else None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            # Customers nobody will call (holdout, do-not-call) read quieter than the work.
            row = self.row_at(index.row())
            if row.group is MemberGroup.HOLDOUT or row.status is MemberStatus.SUPPRESSED:
                return QUIET_TEXT
        return super().data(index, role)

    # -- dragging ---------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [MEMBER_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        ids = [self.row_at(row).member_id for row in rows]
        mime = QMimeData()
        mime.setData(MEMBER_IDS_MIME, json.dumps(ids).encode("utf-8"))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction


def member_ids_from_mime(mime: QMimeData) -> list[int]:
    if not mime.hasFormat(MEMBER_IDS_MIME):
        return []
    try:
        values = json.loads(bytes(mime.data(MEMBER_IDS_MIME).data()).decode("utf-8"))
    except ValueError:
        return []
    return [int(value) for value in values if isinstance(value, int)]
