"""The import rules: every row read lands in exactly one bucket.

A row of someone who asked to be forgotten (by head office's id or by phone) is suppressed
and nothing of it is kept, even when it would have been rejected. Otherwise, in order: a
row without a number that can be dialled is rejected; a row repeating an earlier row of the
same file (same customer id, else same phone) is a duplicate; a customer on the do-not-call
list is suppressed; a customer already in the campaign is updated; anyone else is imported
(a customer known from earlier lists is updated and joins the campaign). Customer ids are
compared by ``customer_id_key``. The plan is pure: the dry run of the wizard and the real
import share it, only the real one writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lastmile_desktop.campaigns.identities import customer_id_key
from lastmile_desktop.campaigns.stores import store_sort_key
from lastmile_desktop.importing.lookups import ExistingData
from lastmile_desktop.importing.model import Bucket, BucketCounts, RowProblem
from lastmile_desktop.importing.rows import CustomerRow, RowReader, RowRejection
from lastmile_desktop.spreadsheets.cells import CellValue


@dataclass(frozen=True)
class RejectedRecord:
    row: int
    reason: str
    values: dict[str, str]
    # What the row says about who it is, to recognise the forgotten; never stored.
    external_id: str | None = None
    phones: tuple[str, ...] = ()


@dataclass
class ImportPlan:
    """What the import will do, row by row, before anything is written."""

    new_customers: list[CustomerRow] = field(default_factory=list)
    # (customer id, row): known customers whose record the row brings up to date.
    known_customers: list[tuple[int, CustomerRow]] = field(default_factory=list)
    # Customer ids among ``known_customers`` not yet in the campaign: they join it.
    joining: set[int] = field(default_factory=set)
    rejected: list[RejectedRecord] = field(default_factory=list)
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    suppressed: int = 0

    @property
    def counts(self) -> BucketCounts:
        return BucketCounts(
            rows_read=self.rows_read,
            imported=self.imported,
            updated=self.updated,
            duplicates=self.duplicates,
            rejected=len(self.rejected),
            suppressed=self.suppressed,
        )

    def problems(self, limit: int | None = None) -> list[RowProblem]:
        chosen = self.rejected if limit is None else self.rejected[:limit]
        return [RowProblem(record.row, record.reason) for record in chosen]

    def store_codes(self) -> list[str]:
        rows = list(self.new_customers)
        rows.extend(row for _, row in self.known_customers)
        stores = {row.store.code: row.store.name for row in rows if row.store is not None}
        return sorted(stores, key=lambda code: store_sort_key(stores[code], code))


class RowCollector:
    """The rules a file decides alone, fed rows in file order: rejected and duplicate rows.

    The accepted rows are kept for ``classify``, which needs the database's state.
    """

    def __init__(self, reader: RowReader) -> None:
        self.reader = reader
        self.accepted: list[CustomerRow] = []
        self.rejected: list[RejectedRecord] = []
        self.rows_read = 0
        self.duplicates = 0
        self._seen_ids: set[str] = set()
        self._seen_phones: set[str] = set()

    def add(self, row_number: int, values: Sequence[CellValue]) -> Bucket | None:
        """One row (see ``add_many``): the bucket it settles, or None if the database will."""
        rejected, duplicates = len(self.rejected), self.duplicates
        self.add_many([(row_number, values)])
        if len(self.rejected) > rejected:
            return Bucket.REJECTED
        return Bucket.DUPLICATE if self.duplicates > duplicates else None

    def add_many(self, records: Sequence[tuple[int, Sequence[CellValue]]]) -> None:
        """Rows in file order; a block at a time, which reads much faster than row by row."""
        self.rows_read += len(records)
        seen_ids, seen_phones = self._seen_ids, self._seen_phones
        accept = self.accepted.append
        for (row_number, values), record in zip(
            records, self.reader.read_many(records), strict=True
        ):
            if isinstance(record, RowRejection):
                self.rejected.append(
                    RejectedRecord(
                        row_number,
                        record.reason,
                        self.reader.original_values(values),
                        record.external_id,
                        record.phones,
                    )
                )
                continue
            # Same customer id, else (no id) the same phone as an earlier row: a duplicate.
            external_id, phone, phone_alt = record.external_id, record.phone, record.phone_alt
            if external_id is not None:
                id_key = customer_id_key(external_id)
                if id_key in seen_ids:
                    self.duplicates += 1
                    continue
                seen_ids.add(id_key)
            elif phone in seen_phones or (phone_alt is not None and phone_alt in seen_phones):
                self.duplicates += 1
                continue
            seen_phones.add(phone)
            if phone_alt is not None:
                seen_phones.add(phone_alt)
            accept(record)


def classify(collected: RowCollector, existing: ExistingData) -> ImportPlan:
    """The rules that depend on the database: suppressed, updated or imported."""
    plan = ImportPlan(
        rejected=collected.rejected,
        rows_read=collected.rows_read,
        duplicates=collected.duplicates,
    )
    suppressions = existing.suppressions
    forgotten = existing.forgotten
    accepted: list[CustomerRow] = collected.accepted
    if forgotten:
        # The forgotten first, rejected rows too: a rejected row keeps the values it was
        # written with, and theirs must not be kept anywhere.
        rejected = collected.rejected
        gone_rejected = forgotten.recognise([(r.external_id, r.phones) for r in rejected])
        plan.rejected = [r for r, gone in zip(rejected, gone_rejected, strict=True) if not gone]
        gone_accepted = forgotten.recognise([(r.external_id, _phones(r)) for r in accepted])
        accepted = [r for r, gone in zip(accepted, gone_accepted, strict=True) if not gone]
        plan.suppressed = sum(gone_rejected) + sum(gone_accepted)
    checking = bool(suppressions.phones or suppressions.customer_ids)
    if not (checking or existing.customers_by_phone or existing.customers_by_external_id):
        # A first import into an empty database: nobody to suppress or to match.
        plan.new_customers = list(accepted)
        plan.imported = len(plan.new_customers)
        return plan
    claimed: set[int] = set()  # known customers already matched by an earlier row
    for record in accepted:
        # On the do-not-call list, by the list's own rule.
        if checking and suppressions.blocks([record.phone, record.phone_alt], record.external_id):
            plan.suppressed += 1
            continue
        customer_id = _known_customer(record, existing, claimed)
        if customer_id is None:
            plan.new_customers.append(record)
            plan.imported += 1
            continue
        claimed.add(customer_id)
        plan.known_customers.append((customer_id, record))
        if customer_id in existing.members:
            plan.updated += 1
        else:
            plan.joining.add(customer_id)
            plan.imported += 1
    return plan


def _phones(record: CustomerRow) -> tuple[str, ...]:
    alternative = record.phone_alt
    return (record.phone,) if alternative is None else (record.phone, alternative)


def _known_customer(record: CustomerRow, existing: ExistingData, claimed: set[int]) -> int | None:
    if record.external_id is not None:
        found = existing.customers_by_external_id.get(customer_id_key(record.external_id))
        if found is not None:
            return found
        # A new id may belong to a customer head office had not numbered before.
        by_phone = existing.unnumbered_by_phone
    else:
        by_phone = existing.customers_by_phone
    for phone in (record.phone, record.phone_alt):
        if phone is None:
            continue
        found = by_phone.get(phone)
        if found is not None and found not in claimed:
            return found
    return None
