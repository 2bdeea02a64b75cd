"""What changed, announced to every page after a user action or a commit made elsewhere.

Pages refresh what they show from these events (``AppContext.changed``), never from calls
wired between pages. An event names the kind of change and, where known, the campaign and
the members it touched, so a page can skip what does not concern it, and the page that
made the change, which already shows its result.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class ChangeKind(enum.Enum):
    IMPORTED = "imported"  # a customer list was imported (customers, members, maybe a campaign)
    ASSIGNED = "assigned"  # Assign now drew the holdout and shared out the list
    MEMBERS_CHANGED = "members_changed"  # owners, calls, stores or personal data of members
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
    # The page that made the change and already shows its result (the call desk shows the
    # next customer itself); None when every page should look again.
    origin: object | None = field(default=None, compare=False)

    def touches(self, *kinds: ChangeKind) -> bool:
        """Whether a page that shows data of ``kinds`` must refresh (always after EXTERNAL)."""
        return self.kind is ChangeKind.EXTERNAL or self.kind in kinds


def merged(changes: Iterable[Changed]) -> list[Changed]:
    """Many changes as few: one per kind, campaign and origin, with their members together
    (none when one of them did not say which: it may have touched any). EXTERNAL covers all."""
    groups: dict[tuple[ChangeKind, int | None, int], list[Changed]] = {}
    for change in changes:
        if change.kind is ChangeKind.EXTERNAL:
            return [Changed(ChangeKind.EXTERNAL)]
        groups.setdefault((change.kind, change.campaign_id, id(change.origin)), []).append(change)
    result = []
    for group in groups.values():
        first = group[0]
        some_unknown = any(not change.member_ids for change in group)
        members = () if some_unknown else tuple(sorted({m for c in group for m in c.member_ids}))
        result.append(Changed(first.kind, first.campaign_id, members, origin=first.origin))
    return result
