"""The do-not-call list as the rest of the app reads it: one rule, used everywhere.

An entry blocks a customer whose phone (E.164) it lists, or whose head-office customer id it
lists as compared by ``identities.customer_id_key`` ("q3-00041" blocks "Q3-00041").
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lastmile_desktop.campaigns.identities import customer_id_key, may_read_as
from lastmile_desktop.storage.models import DoNotCall


@dataclass(frozen=True)
class Suppressions:
    """Active entries (not removed), keyed by E.164 phone and by customer id key."""

    phones: frozenset[str]
    customer_ids: frozenset[str]  # customer_id_key of each listed id

    def blocks(self, phones: list[str | None], customer_id: str | None) -> bool:
        if customer_id is not None and customer_id_key(customer_id) in self.customer_ids:
            return True
        return any(phone is not None and phone in self.phones for phone in phones)


def active_suppressions(session: Session) -> Suppressions:
    rows = session.execute(
        select(DoNotCall.phone, DoNotCall.customer_external_id).where(
            DoNotCall.removed_at.is_(None)
        )
    ).all()
    return Suppressions(
        phones=frozenset(phone for phone, _ in rows if phone),
        customer_ids=frozenset(customer_id_key(cid) for _, cid in rows if cid),
    )


def entries_for(session: Session, *, phones: Collection[str], customer_id: str | None) -> list[int]:
    """Ids of the entries (active or removed), oldest first, listing one of these phones or
    this customer id."""
    found: set[int] = set()
    if phones:
        found.update(session.scalars(select(DoNotCall.id).where(DoNotCall.phone.in_(phones))))
    if customer_id is not None:
        wanted = customer_id_key(customer_id)
        query = select(DoNotCall.id, DoNotCall.customer_external_id).where(
            DoNotCall.customer_external_id.is_not(None)
        )
        narrowed = may_read_as(session, DoNotCall.customer_external_id, [wanted])
        listed = session.execute(query if narrowed is None else query.where(narrowed))
        found.update(
            entry_id
            for entry_id, listed_id in listed
            if listed_id is not None and customer_id_key(listed_id) == wanted
        )
    return sorted(found)
