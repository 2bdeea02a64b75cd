"""Importing a customer list: look at a file, then import it in one transaction.

``inspect_file`` reads the file, finds the list, guesses the mapping and does a dry run of
the rules over every row, writing nothing. ``run_import`` does the same and writes it all in
one transaction: cancelled, failed or killed midway, the database is as it was. The wizard
and ``lastmile import`` both call these functions and nothing below them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import phonenumbers
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lastmile_desktop.campaigns.access import Profile, require_lead
from lastmile_desktop.campaigns.campaigns import CampaignDraft, add_campaign_in_session
from lastmile_desktop.data_settings import default_region
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing import writer
from lastmile_desktop.importing.dates import NumericDate
from lastmile_desktop.importing.layout import detect_layout, iter_records
from lastmile_desktop.importing.lookups import ExistingData, load_existing
from lastmile_desktop.importing.mapping import (
    SAMPLE_SIZE,
    guess_mapping,
    remember_mapping,
    remembered_mapping,
)
from lastmile_desktop.importing.model import (
    BucketCounts,
    CellValue,
    ColumnGuess,
    DateOrder,
    Field,
    ImportOptions,
    ImportPreview,
    ImportSummary,
    PreviousImport,
    SheetInfo,
    SheetLayout,
)
from lastmile_desktop.importing.normalize import cell_text
from lastmile_desktop.importing.planner import ImportPlan, RowCollector, classify
from lastmile_desktop.importing.readers import file_sha256, open_source
from lastmile_desktop.importing.rejects import (
    export_rejected_rows,
    rejected_rows,
    rejected_rows_table,
)
from lastmile_desktop.importing.rows import RowReader
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.bulk_write import roomy_page_cache
from lastmile_desktop.storage.models import Campaign, CampaignState, ImportBatch
from lastmile_desktop.storage.types import utcnow

__all__ = [
    "BatchInfo",
    "RepeatImportError",
    "export_rejected_rows",
    "inspect_file",
    "list_batches",
    "rejected_rows",
    "rejected_rows_table",
    "run_import",
]

GRID_ROWS = 30  # rows of the sheet shown in the wizard's preview grid
FIRST_PROBLEMS = 20
READ_BLOCK = 250  # rows read together (small blocks stay in the CPU cache); each reports


class RepeatImportError(UserFacingError):
    """The same file (same SHA-256) was imported before and a repeat was not asked for."""

    def __init__(self, file_name: str, previous: PreviousImport) -> None:
        when = previous.imported_at.strftime("%Y-%m-%d %H:%M UTC")
        super().__init__(
            f"{file_name} was already imported on {when} (as {previous.file_name}). Importing it "
            "again adds nothing new; to do it anyway, confirm the repeat (--again on the "
            "command line)."
        )
        self.previous = previous


@dataclass(frozen=True)
class BatchInfo:
    """One import as the history shows it."""

    id: int
    file_name: str
    sha256: str
    imported_at: datetime
    campaign: str | None
    sheet: str | None
    header_row: int | None
    counts: BucketCounts


# ---------------------------------------------------------------------------------------------
# Reading a file: shared by the dry run and the real import


@dataclass
class _FileReading:
    sha256: str
    sheets: list[SheetInfo]
    layout: SheetLayout
    grid: list[list[str]]
    guesses: list[ColumnGuess]
    mapping: dict[int, Field | None]
    mapping_remembered: bool
    region: str
    reader: RowReader
    collected: RowCollector
    notes: list[str] = field(default_factory=list)


def _check_region(region: str) -> str:
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise UserFacingError(
            f'"{region}" is not a country code phone numbers can be read for: use a two-letter '
            "ISO code such as GB, US, FR or DE."
        )
    return code


def _region(db: Database, options: ImportOptions) -> str:
    if options.region:
        return _check_region(options.region)
    with db.read_session() as session:
        return _check_region(default_region(session))


def _guesses_for(mapping: dict[int, Field | None], guesses: list[ColumnGuess]) -> list[ColumnGuess]:
    """The guesses shown with a mapping decided elsewhere (remembered or given)."""
    return [
        ColumnGuess(
            guess.column,
            guess.header,
            mapping.get(guess.column),
            1.0 if mapping.get(guess.column) != guess.field else guess.confidence,
            guess.samples,
        )
        for guess in guesses
    ]


def _read_file(
    db: Database, path: Path, options: ImportOptions, progress: Progress
) -> _FileReading:
    region = _region(db, options)
    progress.report(0, None, f"Reading {path.name}")
    sha256 = file_sha256(path)
    with open_source(path) as source:
        sheets = source.sheets()
        layout = detect_layout(source, options.sheet, options.header_row)
        grid = [
            [cell_text(value) for value in row]
            for row in itertools.islice(source.rows(layout.sheet), GRID_ROWS)
        ]
        records = iter_records(source, layout)
        first = list(itertools.islice(records, SAMPLE_SIZE))
        columns: list[list[CellValue]] = [
            [values[column] for _, values in first] for column in range(len(layout.headers))
        ]
        guesses = guess_mapping(layout.headers, columns, region)
        remembered = None
        if options.mapping is None:
            with db.read_session() as session:
                remembered = remembered_mapping(session, layout.headers)
        if options.mapping is not None:
            mapping = _complete(options.mapping, len(layout.headers))
            guesses = _guesses_for(mapping, guesses)
        elif remembered is not None:
            mapping = remembered
            guesses = _guesses_for(mapping, guesses)
        else:
            mapping = {guess.column: guess.field for guess in guesses}
        reader = RowReader(layout.headers, mapping, region)
        collected = RowCollector(reader)
        rows = itertools.chain(first, records)
        while block := list(itertools.islice(rows, READ_BLOCK)):
            collected.add_many(block)
            progress.report(collected.rows_read, None, f"Reading row {block[-1][0]:,}")
        progress.report(collected.rows_read, None, f"Read {collected.rows_read:,} rows")
    notes = []
    hint = reader.region_hint(collected.rows_read)
    if hint is not None:
        notes.append(hint)
    if not reader.has_phone_column:
        notes.append(
            "No column is mapped to Phone, so no row can be called: choose the column that "
            "holds the phone numbers."
        )
    return _FileReading(
        sha256=sha256,
        sheets=sheets,
        layout=layout,
        grid=grid,
        guesses=guesses,
        mapping=mapping,
        mapping_remembered=options.mapping is None and remembered is not None,
        region=region,
        reader=reader,
        collected=collected,
        notes=notes,
    )


def _complete(mapping: dict[int, Field | None], width: int) -> dict[int, Field | None]:
    complete: dict[int, Field | None] = dict.fromkeys(range(width))
    complete.update({column: f for column, f in mapping.items() if 0 <= column < width})
    return complete


def _date_order_notes(reading: _FileReading, options: ImportOptions) -> tuple[list[str], DateOrder]:
    decision = reading.reader.dates.decide(options.date_order, reading.region)
    notes = [decision.note] if decision.note else []
    impossible = [
        row.row
        for row in reading.collected.accepted
        if isinstance(row.last_purchase, NumericDate)
        and row.last_purchase.resolve(decision.order) is None
    ]
    if impossible:
        reading.reader.unreadable[Field.LAST_PURCHASE_DATE].rows.extend(impossible)
    return notes + reading.reader.notes(), decision.order


# ---------------------------------------------------------------------------------------------
# Campaign and history


def _previous_import(session: Session, sha256: str) -> PreviousImport | None:
    row = session.execute(
        select(ImportBatch.id, ImportBatch.file_name, ImportBatch.started_at)
        .where(ImportBatch.sha256 == sha256, ImportBatch.finished_at.is_not(None))
        .order_by(ImportBatch.id.desc())
        .limit(1)
    ).first()
    return None if row is None else PreviousImport(row.id, row.file_name, row.started_at)


def _find_campaign(session: Session, options: ImportOptions, path: Path) -> tuple[int | None, str]:
    """The campaign the list goes into: (id, name); id None when it is still to be created."""
    if options.campaign_name is not None and options.campaign_name.strip():
        name = options.campaign_name.strip()
        found = session.execute(
            select(Campaign.id, Campaign.state).where(Campaign.name == name)
        ).first()
        if found is None:
            return None, name
        if found.state != CampaignState.OPEN:
            raise UserFacingError(
                f'The campaign "{name}" is closed: reopen it, or import into another campaign.'
            )
        return found.id, name
    open_campaign = session.execute(
        select(Campaign.id, Campaign.name)
        .where(Campaign.state == CampaignState.OPEN)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
        .limit(1)
    ).first()
    if open_campaign is not None:
        return open_campaign.id, open_campaign.name
    base = (path.stem.strip() or "Imported list")[:190]
    taken = set(session.execute(select(Campaign.name)).scalars())
    name, copy = base, 2
    while name in taken:
        name, copy = f"{base} ({copy})", copy + 1
    return None, name


# ---------------------------------------------------------------------------------------------
# The public actions


# Importing is the regional lead's job: without a profile (the command line) it is the lead.
_IMPORT_ACTION = "import customer lists"


def _require_importer(profile: Profile | None) -> None:
    require_lead(Profile.lead() if profile is None else profile, _IMPORT_ACTION)


def inspect_file(
    db: Database,
    path: Path,
    options: ImportOptions = ImportOptions(),  # noqa: B008 - frozen, never mutated
    progress: Progress = NoProgress(),  # noqa: B008 - stateless
    profile: Profile | None = None,
) -> ImportPreview:
    """Everything the wizard shows before importing; a dry run that writes nothing.

    Only the lead imports, so only the lead is shown what an import would do
    (``AccessDenied`` otherwise); ``profile`` None is the command line's local lead.
    """
    _require_importer(profile)
    path = Path(path)
    reading = _read_file(db, path, options, progress)
    notes, _order = _date_order_notes(reading, options)
    with db.read_session() as session:
        campaign_id, _name = _find_campaign(session, options, path)
        existing = load_existing(session, campaign_id)
        previous = _previous_import(session, reading.sha256)
    plan = classify(reading.collected, existing)
    evidence = reading.reader.dates.evidence
    return ImportPreview(
        path=path,
        sha256=reading.sha256,
        sheets=reading.sheets,
        layout=reading.layout,
        grid=reading.grid,
        guesses=reading.guesses,
        mapping_remembered=reading.mapping_remembered,
        ambiguous_date_columns=[reading.reader.dates.label] if evidence.open_question else [],
        counts=plan.counts,
        first_problems=plan.problems(FIRST_PROBLEMS),
        previous_import=previous,
        notes=reading.notes + notes,
    )


def run_import(
    db: Database,
    path: Path,
    options: ImportOptions,
    progress: Progress = NoProgress(),  # noqa: B008 - stateless
    profile: Profile | None = None,
) -> ImportSummary:
    """Import the list in one transaction and say where every row went.

    A regional lead's action: a store manager's ``profile`` gets ``AccessDenied`` before the
    file is read; ``profile`` None is the command line's local lead.
    """
    _require_importer(profile)
    path = Path(path)
    if not options.allow_repeat:
        # Said before the file is read, so a repeat is refused at once, not after a minute.
        with db.read_session() as session:
            previous = _previous_import(session, file_sha256(path))
        if previous is not None:
            raise RepeatImportError(path.name, previous)
    reading = _read_file(db, path, options, progress)
    if not reading.reader.has_phone_column:
        raise UserFacingError(
            f"{path.name}: no column is mapped to Phone, so no row could be called. Choose "
            "the column that holds the phone numbers."
        )
    notes, order = _date_order_notes(reading, options)

    def report(done: int, total: int, message: str) -> None:
        progress.report(done, total, message)

    with db.session() as session:
        # The batch row is written first: the transaction holds the write lock from here on,
        # so what is read next cannot change before it is written.
        batch = ImportBatch(
            file_name=path.name,
            sha256=reading.sha256,
            sheet=reading.layout.sheet,
            header_row=reading.layout.header_row,
            mapping={
                "headers": reading.layout.headers,
                "columns": {str(c): f and f.value for c, f in sorted(reading.mapping.items())},
                "region": reading.region,
                "date_order": str(order),
            },
        )
        session.add(batch)
        session.flush()
        previous = _previous_import(session, reading.sha256)
        if previous is not None and not options.allow_repeat:
            raise RepeatImportError(path.name, previous)
        campaign_id, campaign_name = _find_campaign(session, options, path)
        if campaign_id is None:
            # Through the campaigns service: the defaults, checks and first script version
            # of a campaign are the same however it is made.
            campaign_id = add_campaign_in_session(
                session, CampaignDraft(name=campaign_name), created_by=f"import of {path.name}"
            )
            notes.append(f'A new campaign "{campaign_name}" was created for this list.')
        batch.campaign_id = campaign_id
        existing = load_existing(session, campaign_id)
        plan = classify(reading.collected, existing)
        target = writer.WriteTarget(batch.id, campaign_id, order)
        new_store_ids = _write(
            session, plan, existing=existing, target=target, report=report, notes=notes
        )
        if options.remember_mapping and options.mapping is not None:
            remember_mapping(session, reading.layout.headers, reading.mapping)
        counts = plan.counts
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch.id)
            .values(
                campaign_id=campaign_id,
                rows_read=counts.rows_read,
                imported=counts.imported,
                updated=counts.updated,
                duplicates=counts.duplicates,
                rejected=counts.rejected,
                suppressed=counts.suppressed,
                finished_at=utcnow(),
            )
        )
        # The last chance to cancel: after this the transaction commits.
        progress.report(counts.rows_read, counts.rows_read, "Saving")
        batch_id = batch.id
    return ImportSummary(
        file=path.name,
        sheet=reading.layout.sheet,
        header_row=reading.layout.header_row,
        counts=counts,
        stores=plan.store_codes(),
        rejects=plan.problems(),
        batch_id=batch_id,
        campaign=campaign_name,
        notes=reading.notes + notes,
        campaign_id=campaign_id,
        new_store_ids=new_store_ids,
    )


def _write(
    session: Session,
    plan: ImportPlan,
    *,
    existing: ExistingData,
    target: writer.WriteTarget,
    report: writer.Report,
    notes: list[str],
) -> list[int]:
    """Write the plan; the ids of the stores it had to create."""
    known_stores = set(existing.stores.values())
    store_ids = writer.ensure_stores(session, plan, existing)
    created = [
        code for code in plan.store_codes() if store_ids[code.casefold()] not in known_stores
    ]
    if created:
        notes.append(f"{len(created)} new store(s) added: {', '.join(created)}.")
    with roomy_page_cache(session):
        writer.insert_new_customers(session, plan, store_ids, target, report)
        writer.update_known_customers(session, plan, store_ids, target, report)
        writer.insert_rejected_rows(session, plan, target.batch_id)
    return [store_ids[code.casefold()] for code in created]


def list_batches(db: Database) -> list[BatchInfo]:
    """Every finished import, newest first."""
    with db.read_session() as session:
        rows = session.execute(
            select(ImportBatch, Campaign.name)
            .outerjoin(Campaign, Campaign.id == ImportBatch.campaign_id)
            .where(ImportBatch.finished_at.is_not(None))
            .order_by(ImportBatch.started_at.desc(), ImportBatch.id.desc())
        ).all()
        return [
            BatchInfo(
                id=batch.id,
                file_name=batch.file_name,
                sha256=batch.sha256,
                imported_at=batch.started_at,
                campaign=campaign,
                sheet=batch.sheet,
                header_row=batch.header_row,
                counts=BucketCounts(
                    rows_read=batch.rows_read,
                    imported=batch.imported,
                    updated=batch.updated,
                    duplicates=batch.duplicates,
                    rejected=batch.rejected,
                    suppressed=batch.suppressed,
                ),
            )
            for batch, campaign in rows
        ]
