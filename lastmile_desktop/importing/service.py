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

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from lastmile_desktop.campaigns.access import (
    LeadAction,
    Profile,
    check_profile,
    member_figures,
    require_lead,
)
from lastmile_desktop.campaigns.campaigns import CampaignDraft, add_campaign_in_session
from lastmile_desktop.data_settings import DateOrder, check_region, stored_date_order
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing import writer
from lastmile_desktop.importing.dates import NumericDate
from lastmile_desktop.importing.lookups import ExistingData, load_existing
from lastmile_desktop.importing.mapping import (
    SAMPLE_SIZE,
    guess_mapping,
    remember_mapping,
    remembered_mapping,
)
from lastmile_desktop.importing.model import (
    BucketCounts,
    CampaignTarget,
    ColumnGuess,
    Field,
    ImportOptions,
    ImportPreview,
    ImportSummary,
    PhoneRegion,
    PreviousImport,
)
from lastmile_desktop.importing.normalize import cell_text
from lastmile_desktop.importing.planner import ImportPlan, RowCollector, classify
from lastmile_desktop.importing.regions import (
    SAMPLE_ROWS,
    candidate_regions,
    infer_region,
    region_note,
    region_reasons,
    regions_that_fit,
    sample_phone_values,
    wrong_region_note,
)
from lastmile_desktop.importing.rejects import (
    export_rejected_rows,
    rejected_rows,
    rejected_rows_table,
    visible_rejects,
)
from lastmile_desktop.importing.rows import RowReader, phone_columns
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.spreadsheets.cells import CellValue, SheetInfo
from lastmile_desktop.spreadsheets.layout import SheetLayout, detect_layout, iter_records
from lastmile_desktop.spreadsheets.readers import file_sha256, open_source
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.bulk_write import roomy_page_cache
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    ImportBatch,
)
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
    phone_region: PhoneRegion
    date_setting: DateOrder | None  # the database's date order; None: automatic
    reader: RowReader
    collected: RowCollector
    notes: list[str] = field(default_factory=list)

    @property
    def region(self) -> str:
        return self.phone_region.region


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
    given = check_region(options.region) if options.region else None
    with db.read_session() as session:
        reasons = region_reasons(session)
        date_setting = stored_date_order(session)
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
        # The first rows tell the mapping and the region before the rest is read.
        first = list(itertools.islice(records, max(SAMPLE_SIZE, SAMPLE_ROWS)))
        columns: list[list[CellValue]] = [
            [values[column] for _, values in first[:SAMPLE_SIZE]]
            for column in range(len(layout.headers))
        ]
        # Which column is the phone does not depend on the region: any likely one will do.
        guesses = guess_mapping(layout.headers, columns, given or candidate_regions(reasons, [])[0])
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
        region = given or infer_region(
            sample_phone_values(
                (values for _, values in first), phone_columns(mapping, len(layout.headers))
            ),
            reasons,
        )
        reader = RowReader(layout.headers, mapping, region)
        collected = RowCollector(reader)
        rows = itertools.chain(first, records)
        del first  # the chain lets go of these rows once they are read
        while block := list(itertools.islice(rows, READ_BLOCK)):
            collected.add_many(block)
            progress.report(collected.rows_read, None, f"Reading row {block[-1][0]:,}")
        progress.report(collected.rows_read, None, f"Read {collected.rows_read:,} rows")
    phone_region = PhoneRegion(
        region=region,
        worked_out=given is None,
        national=reader.national_numbers,
        valid_national=reader.valid_national_numbers,
        fits_better=regions_that_fit(region, reader.invalid_phone_samples(collected.rows_read)),
    )
    notes = [
        note
        for note in (region_note(phone_region), wrong_region_note(phone_region))
        if note is not None
    ]
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
        phone_region=phone_region,
        date_setting=date_setting,
        reader=reader,
        collected=collected,
        notes=notes,
    )


def _complete(mapping: dict[int, Field | None], width: int) -> dict[int, Field | None]:
    complete: dict[int, Field | None] = dict.fromkeys(range(width))
    complete.update({column: f for column, f in mapping.items() if 0 <= column < width})
    return complete


def _date_order_notes(reading: _FileReading, options: ImportOptions) -> tuple[list[str], DateOrder]:
    decision = reading.reader.dates.decide(options.date_order, reading.region, reading.date_setting)
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


def _open_campaigns(session: Session) -> list[CampaignTarget]:
    rows = session.execute(
        select(Campaign.id, Campaign.name)
        .where(Campaign.state == CampaignState.OPEN)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    ).all()
    return [CampaignTarget(row.id, row.name) for row in rows]


def _free_campaign_name(session: Session, path: Path) -> str:
    """The file's name, numbered if a campaign already has it: "list", "list (2)"."""
    base = (path.stem.strip() or "Imported list")[:190]
    taken = {name.casefold() for name in session.execute(select(Campaign.name)).scalars()}
    name, copy = base, 2
    while name.casefold() in taken:
        name, copy = f"{base} ({copy})", copy + 1
    return name


def _find_campaign(session: Session, options: ImportOptions, path: Path) -> CampaignTarget:
    """The campaign the list goes into; its id is None when the import is to create it."""
    if options.campaign_id is not None:
        chosen = session.execute(
            select(Campaign.name, Campaign.state).where(Campaign.id == options.campaign_id)
        ).first()
        if chosen is None:
            raise UserFacingError(
                "The campaign chosen for this list no longer exists: choose another one."
            )
        if chosen.state != CampaignState.OPEN:
            raise UserFacingError(
                f'The campaign "{chosen.name}" was closed meanwhile: reopen it, or choose '
                "another campaign for this list."
            )
        return CampaignTarget(options.campaign_id, chosen.name)
    if options.campaign_name is not None and options.campaign_name.strip():
        name = options.campaign_name.strip()
        found = session.execute(
            select(Campaign.id, Campaign.name, Campaign.state).where(
                func.lower(Campaign.name) == name.lower()
            )
        ).first()
        if found is None:
            return CampaignTarget(None, name)
        if options.new_campaign:
            raise UserFacingError(
                f'A campaign called "{found.name}" already exists: choose it in the list, or '
                "type another name for the new campaign."
            )
        if found.state != CampaignState.OPEN:
            raise UserFacingError(
                f'The campaign "{found.name}" is closed: reopen it, or import into another '
                "campaign."
            )
        return CampaignTarget(found.id, found.name)
    if options.new_campaign:
        raise UserFacingError("Type a name for the new campaign.")
    open_campaigns = _open_campaigns(session)
    if open_campaigns:
        return open_campaigns[0]
    return CampaignTarget(None, _free_campaign_name(session, path))


# ---------------------------------------------------------------------------------------------
# The public actions


# Importing is the regional lead's job: without a profile (the command line) it is the lead.
def _require_importer(profile: Profile | None) -> None:
    require_lead(Profile.lead() if profile is None else profile, LeadAction.IMPORT)


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
        campaign = _find_campaign(session, options, path)
        open_campaigns = _open_campaigns(session)
        new_campaign_name = _free_campaign_name(session, path)
        existing = load_existing(session, campaign.id)
        previous = _previous_import(session, reading.sha256)
    plan = classify(reading.collected, existing)
    evidence = reading.reader.dates.evidence
    # Asked only when nothing answers it: neither the values, nor the database's setting.
    date_question = evidence.open_question and reading.date_setting is None
    return ImportPreview(
        path=path,
        sha256=reading.sha256,
        sheets=reading.sheets,
        layout=reading.layout,
        grid=reading.grid,
        guesses=reading.guesses,
        mapping_remembered=reading.mapping_remembered,
        ambiguous_date_columns=[reading.reader.dates.label] if date_question else [],
        counts=plan.counts,
        first_problems=plan.problems(FIRST_PROBLEMS),
        previous_import=previous,
        phone_region=reading.phone_region,
        campaign=campaign,
        open_campaigns=open_campaigns,
        new_campaign_name=new_campaign_name,
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
        target = _find_campaign(session, options, path)
        campaign_name = target.name
        if target.id is None:
            # Through the campaigns service: the defaults, checks and first script version
            # of a campaign are the same however it is made.
            campaign_id = add_campaign_in_session(
                session, CampaignDraft(name=campaign_name), created_by=f"import of {path.name}"
            )
            notes.append(f'A new campaign "{campaign_name}" was created for this list.')
        else:
            campaign_id = target.id
        batch.campaign_id = campaign_id
        existing = load_existing(session, campaign_id)
        plan = classify(reading.collected, existing)
        write_target = writer.WriteTarget(batch.id, campaign_id, order)
        new_store_ids = _write(
            session, plan, existing=existing, target=write_target, report=report, notes=notes
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
        phone_region=reading.phone_region,
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


def list_batches(db: Database, profile: Profile) -> list[BatchInfo]:
    """Every finished import ``profile`` may see, newest first.

    A store manager sees the imports that brought customers to their store or rejected rows
    naming it (``rejects``' rule); the counts are the whole file's, which name nobody.
    """
    with db.read_session() as session:
        check_profile(session, profile)
        rows = session.execute(
            select(ImportBatch, Campaign.name)
            .outerjoin(Campaign, Campaign.id == ImportBatch.campaign_id)
            .where(ImportBatch.finished_at.is_not(None))
            .order_by(ImportBatch.started_at.desc(), ImportBatch.id.desc())
        ).all()
        if not profile.is_lead:
            rows = [row for row in rows if _touches_store(session, row[0], profile)]
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


def _touches_store(session: Session, batch: ImportBatch, profile: Profile) -> bool:
    """Whether the import added or updated customers of ``profile``'s store, or rejected a
    row naming it."""
    brought = select(CampaignMember.id).where(
        member_figures(profile),
        or_(
            CampaignMember.added_by_batch_id == batch.id,
            CampaignMember.customer_id.in_(
                select(Customer.id).where(Customer.last_import_batch_id == batch.id)
            ),
        ),
    )
    if session.scalar(select(exists(brought))):
        return True
    return batch.rejected > 0 and bool(visible_rejects(session, batch, profile))
