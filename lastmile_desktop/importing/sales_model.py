"""What the sales import, ``lastmile import-sales`` and a wizard exchange: plain dataclasses.

A sales extract from the till (customer id and/or phone, store, date, amount, the receipt or
line id when the till gives one) becomes purchases of known customers, which the
leaderboard reads to see who came back. Every row read lands in one bucket:
``rows_read = added + already_known + unmatched + rejected``.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from pathlib import Path

from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.spreadsheets.cells import SheetInfo
from lastmile_desktop.spreadsheets.layout import SheetLayout


class SalesField(enum.StrEnum):
    """The sale fields a column of a sales extract can map to; other columns are ignored."""

    CUSTOMER_ID = "customer_id"
    PHONE = "phone"
    STORE = "store"
    DATE = "date"  # a date, or a date and time
    TIME = "time"  # the time of day, when the till writes it in a column of its own
    AMOUNT = "amount"
    RECEIPT_ID = "receipt_id"
    LINE_ID = "line_id"  # the line within the receipt

    @property
    def label(self) -> str:
        return SALES_FIELD_LABELS[self]


SALES_FIELD_LABELS: dict[SalesField, str] = {
    SalesField.CUSTOMER_ID: "Customer id",
    SalesField.PHONE: "Phone",
    SalesField.STORE: "Store",
    SalesField.DATE: "Date",
    SalesField.TIME: "Time",
    SalesField.AMOUNT: "Amount",
    SalesField.RECEIPT_ID: "Receipt id",
    SalesField.LINE_ID: "Line id",
}


class MatchedBy(enum.StrEnum):
    CUSTOMER_ID = "customer_id"
    PHONE = "phone"


@dataclass(frozen=True)
class SalesCounts:
    rows_read: int = 0
    added: int = 0
    already_known: int = 0
    unmatched: int = 0
    rejected: int = 0
    # Of the rows matched to a customer (added + already known), how each was found.
    matched_by_id: int = 0
    matched_by_phone: int = 0

    @property
    def accounted_for(self) -> bool:
        return self.rows_read == self.added + self.already_known + self.unmatched + self.rejected


@dataclass(frozen=True)
class SaleRowProblem:
    row: int  # sheet row number, 1-based
    reason: str  # what was tried, or what is missing: "no customer with id C0042 or phone ..."


@dataclass(frozen=True)
class SalesColumnGuess:
    column: int  # 0-based position in the header row
    header: str
    field: SalesField | None  # None: the column is not read
    confidence: float  # 0.0 to 1.0
    samples: list[str] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class SalesImportOptions:
    """What the user decided; ``None`` everywhere means "let the engine guess"."""

    sheet: str | None = None
    header_row: int | None = None
    mapping: dict[int, SalesField | None] | None = None  # column position -> field
    region: str | None = None  # ISO 3166 code for phones and dates; None: the app setting
    date_order: DateOrder | None = None


@dataclass(frozen=True)
class SalesPreview:
    """Everything a wizard shows before the import: a dry run that writes nothing."""

    path: Path
    sheets: list[SheetInfo]
    layout: SheetLayout
    guesses: list[SalesColumnGuess]
    mapping: dict[int, SalesField | None]
    counts: SalesCounts
    first_unmatched: list[SaleRowProblem]
    first_rejected: list[SaleRowProblem]
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class SalesImportSummary:
    file: str
    sheet: str
    header_row: int
    counts: SalesCounts
    unmatched_rows: list[SaleRowProblem]
    rejected_rows: list[SaleRowProblem]
    notes: list[str] = dataclasses.field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The shape ``lastmile import-sales --json`` prints."""
        counts = self.counts
        return {
            "file": self.file,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "rows_read": counts.rows_read,
            "added": counts.added,
            "already_known": counts.already_known,
            "unmatched": counts.unmatched,
            "rejected": counts.rejected,
            "matched_by_id": counts.matched_by_id,
            "matched_by_phone": counts.matched_by_phone,
            "unmatched_rows": [{"row": p.row, "reason": p.reason} for p in self.unmatched_rows],
        }
