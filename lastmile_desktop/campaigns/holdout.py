"""The holdout (control group): who is deliberately not called, so lift can be measured.

The draw is stratified by store and reproducible: every member gets a draw key computed from
the campaign's recorded seed and the customer's UUID, never from row order, and a store's
holdout is the members with the smallest keys. Same seed, same customers, on any computer.

A store's holdout is kept at ``round(share x store size)``: customers added later (a new
import, the Unassigned bucket resolved into the store) are drawn so the store's total stays
on target. Until the campaign's first call attempt the draw may still follow a changed share
(untried call-group members move into the holdout, or holdout members back out); after it,
nobody already drawn changes group, and the share itself is frozen (see ``share_is_frozen``).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lastmile_desktop.calling.life import campaign_has_calls
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.models import MemberGroup

# The seed is stored in an INTEGER column: keep it within 32 bits for every database.
MAX_SEED = 2**31 - 1


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED) + 1


def check_seed(seed: int) -> int:
    if not 0 <= seed <= MAX_SEED:
        raise UserFacingError(f"The holdout seed must be a whole number from 0 to {MAX_SEED}.")
    return seed


def draw_key(seed: int, customer_uuid: uuid.UUID | str) -> int:
    """A member's place in the draw: depends only on the seed and who the customer is.

    The UUID is hashed in its canonical text form (lower-case, hyphenated), which is how the
    database stores it, so a UUID object and its stored text give the same key.
    """
    text = str(customer_uuid).lower()
    digest = hashlib.blake2b(f"{seed}:{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def holdout_target(share: float, store_size: int) -> int:
    """How many of a store's members belong in the holdout: share x size, rounded half up."""
    return min(store_size, max(0, math.floor(share * store_size + 0.5)))


def share_is_frozen(session: Session, campaign_id: int) -> bool:
    """True once any member of the campaign was called: the share can no longer change."""
    return campaign_has_calls(session, campaign_id)


@dataclass(frozen=True)
class DrawMember:
    """A store member as the draw sees it."""

    member_id: int
    key: int
    group: MemberGroup | None  # None: not drawn yet
    # Untried and still open: may change group while the share is not frozen.
    movable: bool = False


@dataclass(frozen=True)
class StoreDraw:
    """What the draw decided for one store: member ids per change."""

    to_holdout: tuple[int, ...] = ()  # undrawn -> holdout
    to_call: tuple[int, ...] = ()  # undrawn -> call group
    call_to_holdout: tuple[int, ...] = ()  # share went up before the first call
    holdout_to_call: tuple[int, ...] = ()  # share went down before the first call

    @property
    def holdout_change(self) -> int:
        return len(self.to_holdout) + len(self.call_to_holdout) - len(self.holdout_to_call)


def plan_store_draw(share: float, members: Sequence[DrawMember], *, frozen: bool) -> StoreDraw:
    """Draw a store's undrawn members so its holdout stays within one of share x size.

    ``members`` is everyone drawn or waiting to be drawn in the store (suppressed customers
    who were never drawn are left out: they are neither called nor held out).
    """
    target = holdout_target(share, len(members))
    held = sum(1 for m in members if m.group is MemberGroup.HOLDOUT)
    undrawn = sorted((m for m in members if m.group is None), key=lambda m: m.key)
    need = min(max(0, target - held), len(undrawn))
    to_holdout = tuple(m.member_id for m in undrawn[:need])
    to_call = tuple(m.member_id for m in undrawn[need:])
    held += need
    call_to_holdout: tuple[int, ...] = ()
    holdout_to_call: tuple[int, ...] = ()
    if not frozen and held < target:
        callers = sorted(
            (m for m in members if m.group is MemberGroup.CALL and m.movable),
            key=lambda m: m.key,
        )
        call_to_holdout = tuple(m.member_id for m in callers[: target - held])
    elif not frozen and held > target:
        holders = sorted(
            (m for m in members if m.group is MemberGroup.HOLDOUT and m.movable),
            key=lambda m: m.key,
            reverse=True,
        )
        holdout_to_call = tuple(m.member_id for m in holders[: held - target])
    return StoreDraw(to_holdout, to_call, call_to_holdout, holdout_to_call)
