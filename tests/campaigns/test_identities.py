"""Head office's customer ids are found however they were written, and only by the one rule."""

from __future__ import annotations

import pytest

from lastmile_desktop.campaigns.identities import customers_with_ids
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Customer

WRITTEN = [
    "Q3-00041", " q3-00042 ", "AB  12", "STRAßE-7", "A%1", "AB1", "x_1", "Ü-5", "NW\\7",
]  # fmt: skip


class Ids:
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.session() as session:
            rows = [Customer(external_id=written, first_name="Pat") for written in WRITTEN]
            session.add_all(rows)
            session.flush()
            self.written_by_customer = {row.id: row.external_id for row in rows}

    def found(self, *ids: str) -> list[str | None]:
        """The ids as written of the customers found, in the order they were written."""
        with self.db.read_session() as session:
            found = sorted(customers_with_ids(session, ids))
        return [self.written_by_customer[customer] for customer in found]


@pytest.fixture
def ids(db: Database) -> Ids:
    return Ids(db)


def test_an_id_is_found_in_any_case_with_spaces_around_or_inside(ids: Ids) -> None:
    assert ids.found("q3-00041") == ["Q3-00041"]
    assert ids.found("Q3-00042") == [" q3-00042 "]
    assert ids.found("ab 12") == ["AB  12"]
    assert ids.found("q3-00041", "ab 12") == ["Q3-00041", "AB  12"]


def test_an_id_written_with_letters_outside_ascii_is_found_by_its_folded_form(ids: Ids) -> None:
    assert ids.found("strasse-7") == ["STRAßE-7"]
    assert ids.found("ü-5") == ["Ü-5"]


def test_percent_and_underscore_in_an_id_are_plain_characters(ids: Ids) -> None:
    assert ids.found("a%1") == ["A%1"]
    assert ids.found("A_1") == []  # not "AB1", "A%1" or "x_1"
    assert ids.found("X_1") == ["x_1"]


def test_many_ids_at_once_are_found_the_same_way(ids: Ids) -> None:
    many = ["q3-00041", "strasse-7", *(f"none-{number}" for number in range(20))]
    assert ids.found(*many) == ["Q3-00041", "STRAßE-7"]


def test_a_backslash_in_an_id_is_a_plain_character(ids: Ids) -> None:
    assert ids.found("nw\\7") == ["NW\\7"]
    assert ids.found("ü-5", "nw\\7") == ["Ü-5", "NW\\7"]
