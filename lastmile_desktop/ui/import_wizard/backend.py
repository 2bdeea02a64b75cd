"""The import engine as the wizard calls it: one seam, so a test can slow a step or fail it.

Every method may take seconds and touches the file or the database: the page calls them
through ``run_task``, never on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.data_settings import DateOrder
from lastmile_desktop.importing import service as engine
from lastmile_desktop.importing.model import (
    ImportOptions,
    ImportPreview,
    ImportSummary,
    RejectedRowsTable,
)
from lastmile_desktop.importing.normalize import region_date_order
from lastmile_desktop.progress import Progress
from lastmile_desktop.storage import Database


class ImportBackend:
    """Forwards to ``lastmile_desktop.importing.service``; subclass it to inject a fault."""

    def inspect_file(
        self,
        db: Database,
        path: Path,
        options: ImportOptions,
        progress: Progress,
        profile: Profile,
    ) -> ImportPreview:
        return engine.inspect_file(db, path, options, progress, profile)

    def run_import(
        self,
        db: Database,
        path: Path,
        options: ImportOptions,
        progress: Progress,
        profile: Profile,
    ) -> ImportSummary:
        return engine.run_import(db, path, options, progress, profile)

    def rejected_rows(self, db: Database, batch_id: int, profile: Profile) -> RejectedRowsTable:
        return engine.rejected_rows_table(db, batch_id, profile)

    def export_rejected_rows(
        self, db: Database, batch_id: int, target: Path, profile: Profile
    ) -> Path:
        return engine.export_rejected_rows(db, batch_id, target, profile)

    def region_date_order(self, region: str) -> DateOrder:
        return region_date_order(region)
