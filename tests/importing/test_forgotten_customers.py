"""A customer who asked to be forgotten stays forgotten, whatever list is imported later."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from sqlalchemy import select

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.identities import (
    DIGEST_KEY_SETTING,
    IdentityKind,
    customer_id_digests,
    load_forgotten,
    phone_digests,
    remember_forgotten,
)
from lastmile_desktop.campaigns.privacy import forget_customer
from lastmile_desktop.importing.model import ImportOptions
from lastmile_desktop.importing.service import inspect_file
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import Customer, ErasedIdentity, RejectedRow, Setting
from lastmile_desktop.storage.types import utcnow
from tests.conftest import fresh_database_url
from tests.importing.service_support import (
    HEADER,
    customer,
    customers_by_id,
    import_list,
    members,
    mobile,
    mobile_e164,
    write_list,
)

LEAD = Profile.lead()


def _forget(db: Database, external_id: str | None = None, phone: str | None = None) -> None:
    with db.read_session() as session:
        query = select(Customer.id)
        if external_id is not None:
            query = query.where(Customer.external_id == external_id)
        if phone is not None:
            query = query.where(Customer.phone == phone)
        customer_id = session.execute(query).scalar_one()
    forget_customer(db, customer_id, LEAD)


def _stored_rejected_values(db: Database) -> list[dict[str, str] | None]:
    with db.read_session() as session:
        return list(session.scalars(select(RejectedRow.values).order_by(RejectedRow.id)))


def _raw_tables_text(db: Database, *tables: str) -> str:
    """Every stored value of ``tables`` as the database holds it (no type conversion)."""
    with db.engine.connect() as connection:
        rows = [
            repr(tuple(row))
            for table in tables
            for row in connection.exec_driver_sql(f"SELECT * FROM {table}")
        ]
    return "\n".join(rows)


def test_forgetting_remembers_phones_and_id_only_as_keyed_digests(
    db: Database, tmp_path: Path
) -> None:
    both_phones = [*HEADER, "Other phone"]
    row = [*customer(1), mobile(101)]
    import_list(db, write_list(tmp_path / "a.xlsx", [row], header=both_phones))

    _forget(db, "C0001")

    with db.read_session() as session:
        kept = {(e.kind, e.digest) for e in session.scalars(select(ErasedIdentity))}
        key = bytes.fromhex(session.get_one(Setting, DIGEST_KEY_SETTING).value)
    assert kept == {
        *((IdentityKind.PHONE, d) for d in phone_digests(key, [mobile_e164(1), mobile_e164(101)])),
        (IdentityKind.CUSTOMER_ID, customer_id_digests(key, ["c0001"])[0]),
    }
    text = _raw_tables_text(db, "erased_identities")
    for value in (mobile_e164(1), mobile_e164(1)[3:], mobile_e164(101)[3:], "C0001", "c0001"):
        assert value not in text


def test_each_database_has_its_own_key_so_digests_differ_between_databases(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    digests = []
    for name in ("one", "two"):
        db, _ = open_database(fresh_database_url(request, tmp_path, name))
        import_list(db, write_list(tmp_path / f"{name}.xlsx", [customer(1)]))
        _forget(db, "C0001")
        with db.read_session() as session:
            digests.append(set(session.scalars(select(ErasedIdentity.digest))))
        db.dispose()
    assert len(digests[0]) == len(digests[1]) == 2
    assert not digests[0] & digests[1]


def test_rejected_row_of_forgotten_customer_keeps_no_name(db: Database, tmp_path: Path) -> None:
    import_list(db, write_list(tmp_path / "a.xlsx", [customer(1), customer(2)]))
    _forget(db, "C0001")

    # The same person again, with a number that cannot be dialled: rejected, were they not
    # forgotten, and the rejected row would keep their name.
    rows = [customer(1, phone="0123"), customer(3, phone="0456")]
    summary = import_list(db, write_list(tmp_path / "b.xlsx", rows))

    assert (summary.counts.suppressed, summary.counts.rejected) == (1, 1)
    assert [problem.row for problem in summary.rejects] == [3]
    stored = _stored_rejected_values(db)
    assert len(stored) == 1 and stored[0] is not None
    assert stored[0]["First name"] == "First3"
    assert "First1" not in repr(stored) and "C0001" not in repr(stored)


def test_a_forgotten_customer_is_recognised_by_phone_in_a_list_without_ids(
    db: Database, tmp_path: Path
) -> None:
    no_ids = [name for name in HEADER if name != "Customer ID"]
    rows = [customer(1)[1:], customer(2)[1:]]
    import_list(db, write_list(tmp_path / "a.xlsx", rows, header=no_ids))
    _forget(db, phone=mobile_e164(1))

    # The number written another way, and a new name: still the forgotten person's number.
    again = [customer(1, phone="+44 7400 100001", first_name="Newname")[1:], customer(3)[1:]]
    summary = import_list(db, write_list(tmp_path / "b.xlsx", again, header=no_ids))

    assert (summary.counts.suppressed, summary.counts.imported) == (1, 1)
    assert "Newname" not in _raw_tables_text(db, "customers", "rejected_rows")
    assert len(members(db)) == 3  # the erased membership stays; nobody new for them


def test_a_forgotten_customer_id_matches_in_another_case_and_with_spaces(
    db: Database, tmp_path: Path
) -> None:
    import_list(db, write_list(tmp_path / "a.xlsx", [customer(1)]))
    _forget(db, "C0001")

    row = customer(1, customer_id=" c0001 ", phone=mobile(77), first_name="Again")
    summary = import_list(db, write_list(tmp_path / "b.xlsx", [row]))

    assert (summary.counts.suppressed, summary.counts.imported) == (1, 0)
    found = customers_by_id(db)
    assert list(found) == ["C0001"]
    assert found["C0001"].first_name is None


def test_reimporting_the_original_list_does_not_bring_back_the_earlier_rejected_row(
    db: Database, tmp_path: Path
) -> None:
    import_list(db, write_list(tmp_path / "first.xlsx", [customer(1)]))
    # The original list: the person's row has a bad number and is rejected with its values.
    original = write_list(tmp_path / "original.xlsx", [customer(1, phone="0123"), customer(2)])
    import_list(db, original)
    assert "First1" in repr(_stored_rejected_values(db))

    _forget(db, "C0001")
    assert "First1" not in repr(_stored_rejected_values(db))

    summary = import_list(db, original, allow_repeat=True)

    assert (summary.counts.suppressed, summary.counts.rejected) == (1, 0)
    assert "First1" not in repr(_stored_rejected_values(db))


def test_the_dry_run_counts_the_forgotten_as_suppressed_like_the_import(
    db: Database, tmp_path: Path
) -> None:
    import_list(db, write_list(tmp_path / "a.xlsx", [customer(1)]))
    _forget(db, "C0001")
    path = write_list(tmp_path / "b.xlsx", [customer(1, phone="0123"), customer(2)])

    preview = inspect_file(db, path, ImportOptions(region="GB"))

    assert (preview.counts.suppressed, preview.counts.rejected, preview.counts.imported) == (
        1,
        0,
        1,
    )
    assert preview.first_problems == []


def test_an_id_forgotten_without_a_customer_row_is_recognised_by_its_digest(
    db: Database,
) -> None:
    with db.session() as session:
        remember_forgotten(session, phones=[], customer_id="HO-7", erased_at=utcnow())
    with db.read_session() as session:
        forgotten = load_forgotten(session)

    assert forgotten.recognise([(" ho-7", ()), ("HO-8", ()), (None, (mobile_e164(1),))]) == [
        True,
        False,
        False,
    ]


def test_without_anyone_forgotten_no_digest_is_made(db: Database, tmp_path: Path) -> None:
    import_list(db, write_list(tmp_path / "a.xlsx", [customer(1)]))
    with db.read_session() as session:
        forgotten = load_forgotten(session)
        key = session.get(Setting, DIGEST_KEY_SETTING)
    assert not forgotten
    assert key is None  # made on the first erasure, not before


@pytest.mark.parametrize("key_length", [16, 32, 64, 100])
def test_digests_are_standard_hmac_sha256(key_length: int) -> None:
    key = bytes(range(key_length))
    values = ["+447400100001", "c0001", "zoë-ß"]
    assert phone_digests(key, values) == [
        hmac.new(key, value.encode(), hashlib.sha256).hexdigest() for value in values
    ]
