"""Whether the database holds anything yet: decides the first-run screen."""

from __future__ import annotations

from sqlalchemy import exists, select

from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Campaign, Customer


def is_empty(db: Database) -> bool:
    """No customer and no campaign yet. Two EXISTS probes: cheap however many calls are logged,
    so the window can ask after every import or campaign change."""
    with db.read_session() as session:
        return not session.scalar(select(exists(select(Customer.id)) | exists(select(Campaign.id))))
