"""How a person is recognised across lists, and how the forgotten stay recognisable.

Head office's customer ids are compared by one rule everywhere (the import, the do-not-call
list, forgetting): ``customer_id_key``. Someone who asked to be forgotten is remembered
only as keyed digests (HMAC-SHA256) of their phones and customer id, under a random key this
database keeps in its settings: an import can tell that a row is theirs and leave it out,
while the digests alone give no number back (a phone number has too few digits to hide behind
a plain hash; without the key it cannot even be guessed by trying every number).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, insert, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from lastmile_desktop.data_settings import get_setting, set_setting
from lastmile_desktop.storage.models import Customer, ErasedIdentity
from lastmile_desktop.storage.sql_text import has_non_ascii, like_any_case

DIGEST_KEY_SETTING = "erased_identity_key"
_SPACES = re.compile(r"\s+")


class IdentityKind(enum.StrEnum):
    PHONE = "phone"  # E.164
    CUSTOMER_ID = "customer_id"  # head office's id, by ``customer_id_key``


def customer_id_key(customer_id: str) -> str:
    """Head office's customer id as it is compared: " Q3-00041" and "q3-00041" are one id.

    Trimmed, inner runs of spaces made one, Unicode NFC, case-folded. Ids are stored as
    written; only comparisons go through this.
    """
    text = customer_id.strip()
    # Most ids are plain ASCII codes: nothing to normalise but the case.
    if text.isascii() and text.isprintable() and "  " not in text:
        return text.lower()
    return unicodedata.normalize("NFC", _SPACES.sub(" ", text).casefold())


def customers_with_ids(session: Session, customer_ids: Iterable[str]) -> list[int]:
    """Ids of the customers whose head-office id is one of these, by ``customer_id_key``."""
    wanted = {customer_id_key(customer_id) for customer_id in customer_ids}
    if not wanted:
        return []
    query = select(Customer.id, Customer.external_id).where(Customer.external_id.is_not(None))
    narrowed = may_read_as(session, Customer.external_id, wanted)
    if narrowed is not None:
        query = query.where(narrowed)
    return [
        customer
        for customer, external_id in session.execute(query)
        if external_id is not None and customer_id_key(external_id) in wanted
    ]


# Up to this many keys are narrowed down in SQL, a pattern each.
_FEW_KEYS = 8
_LIKE_ESCAPE = "\\"
IdColumn = ColumnElement[str | None] | InstrumentedAttribute[str | None]


def may_read_as(
    session: Session, column: IdColumn, keys: Collection[str]
) -> ColumnElement[bool] | None:
    """A WHERE clause keeping the rows whose id in ``column`` may read as one of ``keys``
    (``customer_id_key`` of the ids looked for), for the database to narrow them down before
    each id left is compared by ``customer_id_key`` itself: for a few ids (the call desk's
    Do not call, an entry typed in) that is one pass over an index instead of every id in
    Python. None for many keys (a suppression file): comparing them all is then as quick.

    It keeps more than the rule allows, never less: ids written in plain ASCII that contain
    a key in any case, with any run of blanks where it has a space, and every id with a
    letter outside ASCII (case folding can turn those into any key: "ß" is "ss").
    """
    if len(keys) > _FEW_KEYS:
        return None
    patterns = []
    for key in keys:
        parts = [
            part.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
            for part in key.split(" ")
        ]
        pattern = "%" + "%".join(parts) + "%"
        patterns.append(like_any_case(session, column, pattern, _LIKE_ESCAPE))
    return or_(*patterns, has_non_ascii(column))


def _digests(key: bytes, values: Iterable[str]) -> list[str]:
    """HMAC-SHA256 of each value, in hex.

    An import checks every row of a 100,000-row list: the keyed state is made once and
    copied per value (``hmac`` keeps the key's inner and outer hashes), so the key is not
    hashed again for every row.
    """
    keyed = hmac.new(key, digestmod=hashlib.sha256)
    digests = []
    for value in values:
        mac = keyed.copy()
        mac.update(value.encode())
        digests.append(mac.hexdigest())
    return digests


def phone_digests(key: bytes, phones: Iterable[str]) -> list[str]:
    """``phones`` in E.164, as erased_identities keeps them."""
    return _digests(key, phones)


def customer_id_digests(key: bytes, customer_ids: Iterable[str]) -> list[str]:
    return _digests(key, (customer_id_key(customer_id) for customer_id in customer_ids))


def _digest_key(session: Session, *, create: bool) -> bytes | None:
    """This database's key; made on the first erasure when ``create``."""
    text = get_setting(session, DIGEST_KEY_SETTING)
    if text is not None:
        return bytes.fromhex(text)
    if not create:
        return None
    key = secrets.token_bytes(32)
    set_setting(session, DIGEST_KEY_SETTING, key.hex())
    session.flush()
    return key


def remember_forgotten(
    session: Session, *, phones: Iterable[str], customer_id: str | None, erased_at: datetime
) -> int:
    """Keep the digests of a forgotten person's phones (E.164) and id; returns how many new."""
    key = _digest_key(session, create=True)
    assert key is not None
    wanted = {(IdentityKind.PHONE.value, digest) for digest in phone_digests(key, set(phones))}
    if customer_id is not None and customer_id.strip():
        (digest,) = customer_id_digests(key, [customer_id])
        wanted.add((IdentityKind.CUSTOMER_ID.value, digest))
    if not wanted:
        return 0
    listed = session.execute(
        select(ErasedIdentity.kind, ErasedIdentity.digest).where(
            ErasedIdentity.digest.in_([digest for _, digest in wanted])
        )
    )
    known = {(kind, digest) for kind, digest in listed}
    new = sorted(wanted - known)
    if new:
        session.execute(
            insert(ErasedIdentity),
            [{"kind": kind, "digest": digest, "erased_at": erased_at} for kind, digest in new],
        )
    return len(new)


@dataclass(frozen=True)
class ForgottenPeople:
    """Everyone who asked to be forgotten, as an import checks its rows against them."""

    # customer_id_key of the ids erased customers' rows still hold.
    customer_ids: frozenset[str] = frozenset()
    phone_digests: frozenset[str] = frozenset()
    # Digests of forgotten ids that no erased customer row holds (their row is gone).
    other_id_digests: frozenset[str] = frozenset()
    key: bytes | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return bool(self.customer_ids or self.phone_digests or self.other_id_digests)

    def recognise(self, rows: Sequence[tuple[str | None, Sequence[str]]]) -> list[bool]:
        """For each (customer id or None, phones in E.164): is it a forgotten person?

        Digests are made for the rows' own ids and phones only, in one pass per kind, and
        only when someone forgotten could match that way.
        """
        found = [
            customer_id is not None and customer_id_key(customer_id) in self.customer_ids
            for customer_id, _ in rows
        ]
        key = self.key
        if key is None or not (self.phone_digests or self.other_id_digests):
            return found
        pending = [i for i, known in enumerate(found) if not known]
        if self.phone_digests:
            owners = [i for i in pending for _ in rows[i][1]]
            phones = [phone for i in pending for phone in rows[i][1]]
            for owner, digest in zip(owners, phone_digests(key, phones), strict=True):
                if digest in self.phone_digests:
                    found[owner] = True
        if self.other_id_digests:
            owners = [i for i in pending if not found[i] and rows[i][0] is not None]
            ids = [customer_id for i in owners if (customer_id := rows[i][0]) is not None]
            for owner, digest in zip(owners, customer_id_digests(key, ids), strict=True):
                if digest in self.other_id_digests:
                    found[owner] = True
        return found


def load_forgotten(
    session: Session, erased_customer_ids: Iterable[str] | None = None
) -> ForgottenPeople:
    """Everyone forgotten; ``erased_customer_ids``: the ids erased customers' rows hold, when
    the caller has just read every customer anyway (the import)."""
    if erased_customer_ids is None:
        rows = session.scalars(select(Customer.external_id).where(Customer.erased_at.is_not(None)))
        erased_customer_ids = [external_id for external_id in rows if external_id is not None]
    erased_ids = {customer_id_key(external_id) for external_id in erased_customer_ids}
    key = _digest_key(session, create=False)
    if key is None:
        return ForgottenPeople(customer_ids=frozenset(erased_ids))
    by_kind: dict[str, set[str]] = {kind.value: set() for kind in IdentityKind}
    for kind, digest in session.execute(select(ErasedIdentity.kind, ErasedIdentity.digest)):
        by_kind.setdefault(kind, set()).add(digest)
    id_digests = by_kind[IdentityKind.CUSTOMER_ID]
    # Digests of ids erased rows still hold: those rows are matched by id already.
    id_digests.difference_update(_digests(key, erased_ids))
    return ForgottenPeople(
        customer_ids=frozenset(erased_ids),
        phone_digests=frozenset(by_kind[IdentityKind.PHONE]),
        other_id_digests=frozenset(id_digests),
        key=key,
    )
