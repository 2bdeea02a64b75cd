"""What the import engine, the wizard and ``lastmile import`` exchange: plain dataclasses.

The flow: ``inspect_file`` reads a file and returns an ``ImportPreview`` (sheet, header row,
guessed mapping, bucket counts of a dry run); the user adjusts ``ImportOptions``; ``run_import``
writes everything in one transaction and returns an ``ImportSummary``.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.spreadsheets.cells import SheetInfo
from lastmile_desktop.spreadsheets.layout import SheetLayout


class Field(enum.StrEnum):
    """The customer fields a column can map to. A column mapped to none is kept as extra."""

    CUSTOMER_ID = "customer_id"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    FULL_NAME = "full_name"  # "First Last" or "Last, First"
    PHONE = "phone"
    PHONE_ALT = "phone_alt"
    EMAIL = "email"
    STORE = "store"
    LAST_PURCHASE_DATE = "last_purchase_date"
    LIFETIME_SPEND = "lifetime_spend"
    VISITS = "visits"
    NOTES = "notes"

    @property
    def label(self) -> str:
        return FIELD_LABELS[self]


FIELD_LABELS: dict[Field, str] = {
    Field.CUSTOMER_ID: "Customer id",
    Field.FIRST_NAME: "First name",
    Field.LAST_NAME: "Last name",
    Field.FULL_NAME: "Full name",
    Field.PHONE: "Phone",
    Field.PHONE_ALT: "Other phone",
    Field.EMAIL: "Email",
    Field.STORE: "Home store",
    Field.LAST_PURCHASE_DATE: "Last purchase date",
    Field.LIFETIME_SPEND: "Lifetime spend",
    Field.VISITS: "Visits",
    Field.NOTES: "Notes",
}


class Bucket(enum.StrEnum):
    """Where each row read ends up; every row lands in exactly one."""

    IMPORTED = "imported"
    UPDATED = "updated"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class ColumnGuess:
    column: int  # 0-based position in the header row
    header: str
    field: Field | None  # None: kept as an extra column
    confidence: float  # 0.0 to 1.0
    samples: list[str] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class RowProblem:
    row: int  # sheet row number, 1-based
    reason: str  # for a person: "no phone number that can be dialled"


@dataclass(frozen=True)
class RejectedRowValues:
    row: int  # sheet row number, 1-based
    reason: str
    values: tuple[str, ...]  # one per column of its table, "" where the cell was empty


@dataclass(frozen=True)
class RejectedRowsTable:
    """An import's rejected rows with what the file held, its columns in the file's order."""

    columns: tuple[str, ...]
    rows: tuple[RejectedRowValues, ...]


@dataclass(frozen=True)
class BucketCounts:
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    suppressed: int = 0

    @property
    def accounted_for(self) -> bool:
        return self.rows_read == (
            self.imported + self.updated + self.duplicates + self.rejected + self.suppressed
        )


@dataclass(frozen=True)
class PreviousImport:
    batch_id: int
    file_name: str
    imported_at: datetime


@dataclass(frozen=True)
class PhoneRegion:
    """The country numbers written without a country code were read in, and how it went."""

    region: str  # ISO 3166 code
    worked_out: bool  # True: from the numbers; False: given (--region, the wizard's picker)
    national: int = 0  # numbers written without a country code
    valid_national: int = 0  # of those, the ones valid in ``region``
    # Likely regions where most of the numbers rejected as invalid would be valid.
    fits_better: tuple[str, ...] = ()


@dataclass(frozen=True)
class CampaignTarget:
    """The campaign a list goes into."""

    id: int | None  # None: a new campaign, created by the import
    name: str


@dataclass(frozen=True)
class ImportOptions:
    """What the user decided; ``None`` everywhere means "let the engine guess"."""

    sheet: str | None = None
    header_row: int | None = None
    mapping: dict[int, Field | None] | None = None  # column position -> field (None = extra)
    region: str | None = None  # ISO 3166 code for phones and dates; None: worked out
    date_order: DateOrder | None = None  # None: the database's setting, else the region's
    # The campaign, by name: an open one, else created; None: the most recent open campaign,
    # else a new one named after the file. With ``new_campaign`` the name must be free.
    campaign_name: str | None = None
    new_campaign: bool = False
    campaign_id: int | None = None  # exactly this (open) campaign; wins over the name
    allow_repeat: bool = False  # import a file whose SHA-256 was imported before
    remember_mapping: bool = True


@dataclass(frozen=True)
class ImportPreview:
    path: Path
    sha256: str
    sheets: list[SheetInfo]
    layout: SheetLayout
    # The first rows of the chosen sheet as text, from row 1 (title rows included).
    grid: list[list[str]]
    guesses: list[ColumnGuess]
    mapping_remembered: bool  # the mapping came from a file with the same headers
    ambiguous_date_columns: list[str]  # the wizard asks day-first or month-first for these
    counts: BucketCounts  # a dry run over the whole sheet with the current options
    first_problems: list[RowProblem]
    previous_import: PreviousImport | None  # set when the same file was imported before
    phone_region: PhoneRegion
    campaign: CampaignTarget  # where the list would go with these options
    open_campaigns: list[CampaignTarget]  # the campaigns it could go into, newest first
    new_campaign_name: str  # a free name for a new campaign, from the file's name
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class ImportSummary:
    file: str
    sheet: str
    header_row: int
    counts: BucketCounts
    stores: list[str]
    rejects: list[RowProblem]
    batch_id: int
    campaign: str
    phone_region: PhoneRegion
    notes: list[str] = dataclasses.field(default_factory=list)
    campaign_id: int | None = None
    # Stores this import created (they have no managers yet), in ``store_sort_key`` order.
    new_store_ids: list[int] = dataclasses.field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The shape ``lastmile import --json`` prints."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "rows_read": self.counts.rows_read,
            "imported": self.counts.imported,
            "updated": self.counts.updated,
            "duplicates": self.counts.duplicates,
            "rejected": self.counts.rejected,
            "suppressed": self.counts.suppressed,
            "stores": self.stores,
            "rejects": [{"row": r.row, "reason": r.reason} for r in self.rejects],
            "campaign": self.campaign,
            "region": self.phone_region.region,
            "notes": self.notes,
        }
