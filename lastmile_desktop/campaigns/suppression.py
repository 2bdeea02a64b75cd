"""The do-not-call list as the rest of the app reads it: one rule, used everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lastmile_desktop.storage.models import DoNotCall


@dataclass(frozen=True)
class Suppressions:
    """Active entries (not removed), keyed by E.164 phone and by head-office customer id."""

    phones: frozenset[str]
    customer_ids: frozenset[str]

    def blocks(self, phones: list[str | None], customer_id: str | None) -> bool:
        if customer_id is not None and customer_id in self.customer_ids:
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
        customer_ids=frozenset(cid for _, cid in rows if cid),
    )
