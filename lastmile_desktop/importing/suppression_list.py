"""Importing a suppression file: every phone and customer id it holds goes on the do-not-call list.

``suppression_file`` finds the cells; this decides, by the list's own rules (phones as the
do-not-call list reads them, ids compared by ``customer_id_key``), what is new, what was
listed already, and which rows cannot be used and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert

from lastmile_desktop.campaigns.access import LeadAction, Profile, require_lead
from lastmile_desktop.campaigns.do_not_call import suppress_members
from lastmile_desktop.campaigns.identities import customer_id_key
from lastmile_desktop.campaigns.phones import normalise_phone
from lastmile_desktop.campaigns.suppression import active_suppressions
from lastmile_desktop.data_settings import default_region
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.model import RowProblem
from lastmile_desktop.importing.suppression_file import SuppressionRow, read_suppression_file
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import CUSTOMER_ID_MAX_LENGTH
from lastmile_desktop.storage.models import DoNotCall

PROBLEMS_KEPT = 50
PROGRESS_EVERY = 1000
NO_PROGRESS = NoProgress()


@dataclass(frozen=True)
class DncImportCounts:
    """What a suppression file brought: rows_read = added + already_listed + rejected."""

    file: str
    rows_read: int
    added: int
    already_listed: int  # on the list before, or repeated in the file
    rejected: int  # rows with nothing that could be listed
    members_suppressed: int
    # The first rows holding something that could not be listed (a number that is not valid
    # for the region, say), with the reason; a row whose other values were listed included.
    problems: list[RowProblem]


@dataclass(frozen=True)
class _RowEntries:
    entries: list[tuple[str | None, str | None]]  # (phone in E.164, customer id) to list
    problem: str | None  # what could not be used, and why


def _row_entries(row: SuppressionRow, region: str) -> _RowEntries:
    customer_id = row.customer_id[:CUSTOMER_ID_MAX_LENGTH] if row.customer_id else None
    phones: list[str] = []
    problem: str | None = None
    for written in row.phones:
        try:
            phones.append(normalise_phone(written, region))
        except UserFacingError as refused:
            problem = problem or str(refused)
    if phones:
        entries: list[tuple[str | None, str | None]] = [(phone, customer_id) for phone in phones]
    elif customer_id is not None:
        entries = [(None, customer_id)]
    else:
        entries = []
    if problem is None and not entries:
        problem = "no phone number or customer id"
    elif problem is not None and entries:
        problem += " The row's other values were listed."
    return _RowEntries(entries, problem)


def import_suppression_file(
    db: Database, path: Path, profile: Profile, progress: Progress = NO_PROGRESS
) -> DncImportCounts:
    """Put every phone and customer id of a CSV or spreadsheet on the list, in one go.

    ``progress`` hears every ``PROGRESS_EVERY`` rows; a cancel there leaves the list as it was.
    """
    require_lead(profile, LeadAction.IMPORT_DNC)
    rows_read = added = already = rejected = 0
    problems: list[RowProblem] = []
    new_rows: list[dict[str, object]] = []
    with db.session() as session:
        region = default_region(session)
        listed = active_suppressions(session)
        phones, ids = set(listed.phones), set(listed.customer_ids)
        new_phones: set[str] = set()
        new_ids: set[str] = set()
        for row in read_suppression_file(path):
            rows_read += 1
            if rows_read % PROGRESS_EVERY == 0:
                progress.report(rows_read, None, f"{rows_read:,} rows read from {path.name}")
            found = _row_entries(row, region)
            if found.problem is not None and len(problems) < PROBLEMS_KEPT:
                problems.append(RowProblem(row.row, found.problem))
            if not found.entries:
                rejected += 1
                continue
            fresh = [
                (phone, cid)
                for phone, cid in found.entries
                if not (
                    (phone is None or phone in phones)
                    and (cid is None or customer_id_key(cid) in ids)
                )
            ]
            if not fresh:
                already += 1
                continue
            added += 1
            for phone, cid in fresh:
                new_rows.append(
                    {
                        "phone": phone,
                        "customer_external_id": cid,
                        "reason": row.reason or f"listed in {path.name}",
                        "source": path.name,
                        "added_by": profile.name,
                    }
                )
                if phone is not None:
                    phones.add(phone)
                    new_phones.add(phone)
                if cid is not None:
                    ids.add(customer_id_key(cid))
                    new_ids.add(cid)
        if rows_read == 0:
            raise UserFacingError(
                f"{path.name} holds no phone numbers or customer ids: check that it is the "
                "suppression list, with a Phone or Customer id column."
            )
        if new_rows:
            session.execute(insert(DoNotCall), new_rows)
        suppressed = suppress_members(session, new_phones, new_ids)
    return DncImportCounts(path.name, rows_read, added, already, rejected, suppressed, problems)
