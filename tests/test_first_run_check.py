"""The first-run check: an empty database opens on the start screen, any data on the pages."""

from __future__ import annotations

from lastmile_desktop.overview import is_empty
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Campaign, Customer


def test_a_new_database_is_empty_until_a_customer_or_a_campaign_exists(db: Database) -> None:
    assert is_empty(db)
    with db.session() as session:
        session.add(Customer(first_name="Ada"))
    assert not is_empty(db)


def test_a_campaign_alone_is_enough_to_leave_the_start_screen(db: Database) -> None:
    with db.session() as session:
        session.add(Campaign(name="Spring win-back"))
    assert not is_empty(db)
