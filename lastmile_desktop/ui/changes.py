"""What changed, announced to every page after a user action or a commit made elsewhere.

Pages refresh what they show from these events (``AppContext.changed``), never from calls
wired between pages. An event names the kind of change and, where known, the campaign and
the members it touched, so a page can skip what does not concern it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ChangeKind(enum.Enum):
    IMPORTED = "imported"  # a customer list was imported (customers, members, maybe a campaign)
    ASSIGNED = "assigned"  # Assign now drew the holdout and shared out the list
    MEMBERS_CHANGED = "members_changed"  # owners, stores or personal data of members
    CAMPAIGN_CHANGED = "campaign_changed"  # a campaign was created, edited, closed, reopened
    STORES_CHANGED = "stores_changed"  # stores or managers
    DO_NOT_CALL_CHANGED = "do_not_call_changed"  # the do-not-call list
    SALES_IMPORTED = "sales_imported"  # a sales extract from the till added purchases
    EXTERNAL = "external"  # committed by another process or window: anything may differ


@dataclass(frozen=True)
class Changed:
    kind: ChangeKind
    campaign_id: int | None = None
    member_ids: tuple[int, ...] = ()

    def touches(self, *kinds: ChangeKind) -> bool:
        """Whether a page that shows data of ``kinds`` must refresh (always after EXTERNAL)."""
        return self.kind is ChangeKind.EXTERNAL or self.kind in kinds
