"""What the database holds, in counts: decides the first-run screen and the window title."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CallAttempt, Campaign, Customer, Store


@dataclass(frozen=True)
class DatabaseSummary:
    customers: int
    campaigns: int
    stores: int
    attempts: int

    @property
    def is_empty(self) -> bool:
        return self.customers == 0 and self.campaigns == 0


def summarize(db: Database) -> DatabaseSummary:
    with db.read_session() as session:

        def count(model: type) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        return DatabaseSummary(
            customers=count(Customer),
            campaigns=count(Campaign),
            stores=count(Store),
            attempts=count(CallAttempt),
        )
