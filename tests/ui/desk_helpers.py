"""A small region for the call desk tests, a clock the tests move, and keys pressed like a user.

Everything is driven through the keyboard: keys go to whichever widget has the focus, as they
would on the shop floor, so a test fails when the focus is somewhere a user could not use.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    Customer,
    Manager,
    MemberGroup,
    MemberStatus,
    Store,
)
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.desk.page import DeskPage

WAIT_MS = 10_000
LONDON = ZoneInfo("Europe/London")
# A Tuesday in March, before the clocks change: London is on UTC, mid-day everywhere in Europe.
START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CAMPAIGN = "Spring win-back"
SCRIPT = "Hello {first_name}, this is {manager} from {store}. {offer}, just show {offer_code}."

# (first name, last name, phone, lifetime spend in pounds, days since the last purchase)
LEEDS_CUSTOMERS: tuple[tuple[str, str, str, int, int], ...] = (
    ("Ada", "Lovelace", "+447400100101", 900, 120),
    ("Grace", "Hopper", "+447400100102", 700, 95),
    ("Alan", "Turing", "+447400100103", 500, 200),
    ("Mary", "Somerville", "+447400100104", 300, 150),
)
# A customer of the Leeds store with a Los Angeles number: 05:00 there at START.
LOS_ANGELES_CUSTOMER = ("Dorothy", "Vaughan", "+12135550123", 100, 60)


class FixedClock:
    """The desk's clock in tests: stands still until the test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Region:
    campaign_id: int
    leeds_id: int
    york_id: int
    sam: Profile
    priya: Profile
    members: dict[str, uuid.UUID] = field(default_factory=dict)  # first name -> member


def build_region(
    db: Database,
    *,
    los_angeles: bool = False,
    max_attempts: int = 3,
    cool_down_hours: int = 20,
    leeds_customers: tuple[tuple[str, str, str, int, int], ...] = LEEDS_CUSTOMERS,
) -> Region:
    """Leeds (Sam) and York (Priya); Sam's customers wait for their first call."""
    today = START.date()
    with db.session() as session:
        leeds = Store(code="12", name="Leeds Briggate", timezone="Europe/London")
        york = Store(code="7", name="York", timezone="Europe/London")
        session.add_all([leeds, york])
        session.flush()
        sam = Manager(name="Sam Taylor", store_id=leeds.id)
        priya = Manager(name="Priya Shah", store_id=york.id)
        campaign = Campaign(
            name=CAMPAIGN,
            offer="20% off your next visit",
            offer_code="BACK20",
            script=SCRIPT,
            start_date=today - timedelta(days=7),
            holdout_share=0.0,
            max_attempts=max_attempts,
            min_hours_between_attempts=cool_down_hours,
        )
        session.add_all([sam, priya, campaign])
        session.flush()
        rows = list(leeds_customers) + ([LOS_ANGELES_CUSTOMER] if los_angeles else [])
        members: dict[str, CampaignMember] = {}
        for first, last, phone, pounds, days in rows:
            customer = Customer(
                first_name=first,
                last_name=last,
                phone=phone,
                home_store_id=leeds.id,
                lifetime_spend_cents=pounds * 100,
                visits=pounds // 50,
                last_purchase_date=today - timedelta(days=days),
            )
            session.add(customer)
            session.flush()
            member = CampaignMember(
                campaign_id=campaign.id,
                customer_id=customer.id,
                store_id=leeds.id,
                manager_id=sam.id,
                group=MemberGroup.CALL,
                status=MemberStatus.TO_CALL,
            )
            session.add(member)
            members[first] = member
        session.flush()
        return Region(
            campaign_id=campaign.id,
            leeds_id=leeds.id,
            york_id=york.id,
            sam=Profile.manager("Sam Taylor", sam.id, leeds.id),
            priya=Profile.manager("Priya Shah", priya.id, york.id),
            members={first: member.uuid for first, member in members.items()},
        )


def member_row(db: Database, member: uuid.UUID) -> CampaignMember:
    with db.read_session() as session:
        row = session.scalars(select(CampaignMember).where(CampaignMember.uuid == member)).one()
        session.expunge(row)
        return row


def open_desk(
    qtbot: QtBot, db: Database, profile: Profile, clock: FixedClock, *, zone: ZoneInfo = LONDON
) -> DeskPage:
    """The desk as its own active window, queue loaded, keyboard on the queue."""
    page = DeskPage(AppContext(db, profile=profile), clock=clock, zone=zone)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        page.show()
    qtbot.waitExposed(page)
    page.activateWindow()  # shortcuts only reach the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=WAIT_MS)
    page.focus_queue()
    return page


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard"
    return widget


def press(
    qtbot: QtBot,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """One key, sent where the keyboard is, as a user's key press would be.

    The event loop runs after it, as it does between a person's key presses (an item view
    closes its cell editor from the event loop, for instance).
    """
    qtbot.keyClick(focused(), key, modifiers)
    QApplication.processEvents()


def type_text(qtbot: QtBot, text: str) -> None:
    for character in text:
        qtbot.keyClicks(focused(), character)
        QApplication.processEvents()


def log_key(qtbot: QtBot, page: DeskPage, key: Qt.Key) -> None:
    """An outcome key that logs at once; waits until the desk has taken it."""
    with qtbot.waitSignal(page.outcome_logged, timeout=WAIT_MS):
        press(qtbot, key)


def wait_for_queue(qtbot: QtBot, page: DeskPage) -> None:
    with qtbot.waitSignal(page.queue_loaded, timeout=WAIT_MS):
        pass


def card_name(page: DeskPage) -> str | None:
    return page.card.name if page.card is not None else None


def today() -> date:
    return START.astimezone(LONDON).date()
