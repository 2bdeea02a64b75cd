"""How long a call desk holds the customer it shows, by whose clock, and who holds whom.

A desk that shows a customer claims them (calling/claims.py) for a lease of ten minutes,
renewed every three while the card stays open. Why ten: long enough that a desk never loses
a customer in the middle of a call when a renewal is late (a PC that froze or lost the
network for a few minutes, a laptop whose lid was closed during a call), short enough that
after a crash the customer is back in the other desks' queues within one short break. A
desk that is still working renews well before the end (three tries in ten minutes), so the
lease length only matters after a crash, when nobody is waiting for that one customer: the
others have the rest of the queue to call meanwhile.

Leases are measured by the database's clock, not the PC's: on a server every PC then agrees
on when a lease runs out, whatever their own clocks say.
"""

from __future__ import annotations

import getpass
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, literal

from lastmile_desktop.storage.defaults import DESK_ID_MAX_LENGTH
from lastmile_desktop.storage.models import CampaignMember, MemberClaim
from lastmile_desktop.storage.sql_time import database_now
from lastmile_desktop.storage.types import UTCDateTime

DEFAULT_LEASE = timedelta(minutes=10)
# Three renewals within one lease: one late or lost renewal costs nothing.
RENEW_EVERY = timedelta(minutes=3)


def new_desk_id() -> str:
    """An id for one desk session: who, on which computer, which process, which session.

    Readable in the database (who has the customer), and never the same for two windows.
    """
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name (a service account without one)
        login = "someone"
    desk = f"{login}@{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
    return desk[-DESK_ID_MAX_LENGTH:]


def lease_clock(at: datetime | None) -> ColumnElement[Any]:
    """ "Now" for leases: the database's clock, or ``at`` when one is given (tests)."""
    if at is None:
        return database_now()
    return literal(at, UTCDateTime())


def held_by_another_desk(desk: str, now: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether a desk other than ``desk`` holds the campaign member (of the query it is part
    of) with a lease still running."""
    return exists().where(
        MemberClaim.member_id == CampaignMember.id,
        MemberClaim.claimed_by != desk,
        MemberClaim.claimed_until > now,
    )
