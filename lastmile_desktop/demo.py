"""A realistic synthetic region, so every screen has something true-to-life to show.

``generate_demo`` invents a UK region: a dozen stores with their managers, lapsed customers
with Ofcom's fictional phone numbers, one running campaign with a holdout group, weeks of
call history whose outcomes differ from store to store (one store improving week by week),
and the purchases that followed. The same seed gives the same region.

Everything is planned in memory first and then written with Core ``executemany`` inserts in
one transaction, so Cancel (``progress.report`` raising ``Cancelled``) leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, insert, select

from lastmile_desktop.calling.hours import customer_zones
from lastmile_desktop.calling.life import (
    Call,
    CampaignRules,
    FollowUp,
    MemberLife,
    after_call,
)
from lastmile_desktop.calling.member_facts import refresh_campaign
from lastmile_desktop.calling.outcomes import (
    ACCEPTED_OFFER,
    ALREADY_CAME_BACK,
    BUSY,
    CALLBACK_REQUESTED,
    DO_NOT_CALL,
    INTERESTED,
    LEFT_VOICEMAIL,
    MOVED_OR_DECEASED,
    NO_ANSWER,
    NOT_IN_SERVICE,
    NOT_INTERESTED,
    NOT_INTERESTED_REASONS,
    WRONG_NUMBER,
    Outcome,
)
from lastmile_desktop.campaigns.assignment import REASON_ASSIGNED
from lastmile_desktop.campaigns.fair_split import Candidate, split_fairly, value_order
from lastmile_desktop.campaigns.holdout import draw_key, holdout_target
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import (
    DEFAULT_ATTRIBUTION_WINDOW_DAYS,
    DEFAULT_HOLDOUT_SHARE,
)
from lastmile_desktop.storage.models import (
    AssignmentChange,
    CallAttempt,
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    DoNotCall,
    ImportBatch,
    Manager,
    MemberGroup,
    MemberStatus,
    Purchase,
    ScriptVersion,
    Store,
)

MAX_CUSTOMERS = 100_000  # the fictional number ranges below hold 20,000 numbers per store
REGION_TIME_ZONE = "Europe/London"
CAMPAIGN_WEEKS = 5
SCRIPT_EDIT_DAY = 14  # the lead reworded the script two weeks in
# The campaign runs on a new campaign's defaults, and its calls follow the member life rules.
RULES = CampaignRules()
OFFER_CODE = "BACK20"
LEAD_NAME = "Regional lead"
INSERT_CHUNK = 5_000
# Managers call between shifts on the shop floor: from 10:00 until 16:59, local time.
CALL_HOURS = (10, 16)

_LONDON = ZoneInfo(REGION_TIME_ZONE)


@dataclass(frozen=True)
class DemoSummary:
    stores: int
    managers: int
    customers: int
    campaign: str
    members: int
    call_group: int
    holdout: int
    unassigned: int
    suppressed: int
    attempts: int
    accepted_offers: int
    purchases: int
    do_not_call: int


@dataclass(frozen=True)
class _StoreProfile:
    code: str
    name: str
    # Ofcom keeps the first thousand numbers after each prefix for drama ("0161 496 0000" to
    # "0161 496 0999"); numbers after those, then after the spare prefix, are used only when a
    # store needs more than a thousand. All pass phonenumbers' validation.
    phone_prefixes: tuple[str, str]
    size: float  # relative share of the region's customers
    coverage: float  # share of its call group the store has tried by today
    contact_rate: float  # chance that an attempt reaches the customer
    acceptance: float  # chance that a reached customer accepts the offer
    late_opening: bool = False
    open_sunday: bool = True
    improving: bool = False  # started slowly, gets better every week


UK_STORES: tuple[_StoreProfile, ...] = (
    _StoreProfile("LON01", "London Camden", ("+44207946", "+44207947"), 1.5, 0.80, 0.42, 0.22,
                  late_opening=True),
    _StoreProfile("MAN01", "Manchester Arndale", ("+44161496", "+44161497"), 1.3, 0.93, 0.56,
                  0.31, late_opening=True),
    _StoreProfile("BHM01", "Birmingham New Street", ("+44121496", "+44121497"), 1.2, 0.70, 0.45,
                  0.20),
    _StoreProfile("LDS01", "Leeds Briggate", ("+44113496", "+44113497"), 1.0, 0.86, 0.50, 0.26),
    _StoreProfile("GLA01", "Glasgow Buchanan Street", ("+44141496", "+44141497"), 1.0, 0.55,
                  0.37, 0.18, open_sunday=False),
    _StoreProfile("EDI01", "Edinburgh Princes Street", ("+44131496", "+44131497"), 0.8, 0.75,
                  0.48, 0.24),
    _StoreProfile("LIV01", "Liverpool Bold Street", ("+44151496", "+44151497"), 0.9, 0.88, 0.50,
                  0.24, improving=True),
    _StoreProfile("BRS01", "Bristol Cabot Circus", ("+44117496", "+44117497"), 0.9, 0.65, 0.40,
                  0.21),
    _StoreProfile("CDF01", "Cardiff Queen Street", ("+44292018", "+44292019"), 0.7, 0.95, 0.58,
                  0.28, open_sunday=False),
    _StoreProfile("NCL01", "Newcastle Grainger Street", ("+44191498", "+44191499"), 0.8, 0.60,
                  0.35, 0.16),
    _StoreProfile("SHF01", "Sheffield Fargate", ("+44114496", "+44114497"), 0.7, 0.78, 0.47,
                  0.23, open_sunday=False),
    _StoreProfile("LEI01", "Leicester Highcross", ("+44116496", "+44116497"), 0.6, 0.45, 0.33,
                  0.19),
)  # fmt: skip

FIRST_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Sophia", "Lily", "Freya", "Emily",
    "Ella", "Poppy", "Evie", "Charlotte", "Ruby", "Florence", "Harper", "Sienna", "Chloe",
    "Margaret", "Susan", "Patricia", "Linda", "Jean", "Priya", "Aisha", "Fatima", "Zainab",
    "Oliver", "George", "Noah", "Arthur", "Harry", "Leo", "Muhammad", "Jack", "Charlie",
    "Oscar", "Jacob", "Henry", "Thomas", "Alfie", "Joshua", "William", "James", "David",
    "Peter", "Robert", "Michael", "Ian", "Gareth", "Rhys", "Callum", "Euan", "Arjun",
    "Ravi", "Tomasz", "Kwame", "Siobhan", "Niamh",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shah", "Khan", "Campbell", "Stewart",
    "MacDonald", "Kowalski", "Okafor", "O'Brien",
)  # fmt: skip
PINNED_NOTES = (
    "New baby: Simon",
    "Prefers a call after 5pm",
    "Hard of hearing: speak slowly and clearly",
    "Customer since the store opened; ask about the allotment",
    "Daughter Amy starts university in September",
    "Recently widowed: be gentle",
    "Works nights: mornings are bad",
    "Likes the loyalty newsletter",
    "Speaks Polish at home; English is fine",
    "Complained about a late delivery in the spring",
    "Twins on the way",
    "Runs the local football club: bulk orders",
)

OFFER = "20% off your next shop, valid for 30 days"
SCRIPT_V1 = (
    "Hello {first_name}, it's {store} calling. We've missed you: it's been "
    "{days_since_last_purchase} days since your last visit. We'd love to welcome you back "
    "with 20% off your next shop; just show the code {offer_code} at the till."
)
SCRIPT_V2 = (
    "Hello {first_name}, it's {store} calling, just a quick one. It's been "
    "{days_since_last_purchase} days since we last saw you, and we'd love to welcome you "
    "back: 20% off your next shop with the code {offer_code}. When would suit you to pop in?"
)


@dataclass
class _Plan:
    """Rows to write. Foreign keys hold list positions until the referenced rows have ids."""

    stores: list[dict[str, Any]] = field(default_factory=list)
    managers: list[dict[str, Any]] = field(default_factory=list)  # store_id: store position
    campaigns: list[dict[str, Any]] = field(default_factory=list)  # the one running campaign
    script_versions: list[dict[str, Any]] = field(default_factory=list)
    import_batches: list[dict[str, Any]] = field(default_factory=list)  # the list it came in
    customers: list[dict[str, Any]] = field(default_factory=list)  # home_store_id: position
    members: list[dict[str, Any]] = field(default_factory=list)  # customer/store/manager: pos
    assignment_changes: list[dict[str, Any]] = field(default_factory=list)  # member/store/mgr
    attempts: list[dict[str, Any]] = field(default_factory=list)  # member/store/manager/script
    purchases: list[dict[str, Any]] = field(default_factory=list)  # customer/store: positions
    do_not_call: list[dict[str, Any]] = field(default_factory=list)

    def row_count(self) -> int:
        return sum(
            len(rows)
            for rows in (
                self.stores,
                self.managers,
                self.campaigns,
                self.script_versions,
                self.import_batches,
                self.customers,
                self.members,
                self.assignment_changes,
                self.attempts,
                self.purchases,
                self.do_not_call,
            )
        )


class _Clock:
    """Turns "day n of the campaign at a local time" into the aware UTC the database keeps."""

    def __init__(self, start: date, today: date) -> None:
        self.start = start
        self.today = today
        self.end = self.at(today, time(0, 0))  # history stops at midnight before today

    def at(self, day: date, local: time) -> datetime:
        return datetime.combine(day, local, tzinfo=_LONDON).astimezone(UTC)

    def day(self, offset: int) -> date:
        return self.start + timedelta(days=offset)


def _opening_hours(profile: _StoreProfile) -> dict[str, Any]:
    weekday = ["08:30", "20:00"] if profile.late_opening else ["09:00", "17:30"]
    hours: dict[str, Any] = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), weekday)
    hours["sat"] = ["09:00", "18:00"]
    if profile.open_sunday:
        hours["sun"] = ["10:00", "16:00"]
    return hours


class _PhoneBook:
    """Hands out each store's numbers in order: the drama block first, never one twice."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def next_number(self, profile: _StoreProfile) -> str:
        position = self._next.get(profile.code, 0)
        self._next[profile.code] = position + 1
        prefix = profile.phone_prefixes[position // 10_000]
        return f"{prefix}{position % 10_000:04d}"


def _working_day(clock: _Clock, offset: int) -> int:
    """Managers call Monday to Saturday: a Sunday moves to the Monday."""
    return offset + 1 if clock.day(offset).weekday() == 6 else offset


def _draw_outcome(rng: random.Random, profile: _StoreProfile, progress_through: float) -> Outcome:
    contact, acceptance = profile.contact_rate, profile.acceptance
    if profile.improving:  # from half its rates in week one to half as much again by now
        contact *= 0.5 + progress_through
        acceptance *= 0.5 + progress_through
    if rng.random() >= contact:
        return rng.choices(
            (NO_ANSWER, LEFT_VOICEMAIL, BUSY, WRONG_NUMBER, NOT_IN_SERVICE, MOVED_OR_DECEASED),
            (55, 25, 9, 5, 4, 2),
        )[0]
    if rng.random() < acceptance:
        return ACCEPTED_OFFER
    return rng.choices(
        (INTERESTED, CALLBACK_REQUESTED, NOT_INTERESTED, ALREADY_CAME_BACK, DO_NOT_CALL),
        (22, 17, 44, 11, 6),
    )[0]


# After the last call: the chance the customer came back, and how many days after the call
# (or, for an accepted offer, after the planned visit).
_COMEBACK_AFTER: dict[str, tuple[float, int, int]] = {
    ACCEPTED_OFFER.code: (0.66, -1, 2),
    INTERESTED.code: (0.22, 2, 20),
    CALLBACK_REQUESTED.code: (0.06, 1, 20),
    NOT_INTERESTED.code: (0.06, 1, 20),
}
BASE_COMEBACK_RATE = 0.05  # what the holdout measures: customers who return uncalled
SECOND_VISIT_RATE = 0.3


class _Planner:
    """Invents the region into a ``_Plan``; every random draw comes from one seeded stream."""

    def __init__(self, rng: random.Random, clock: _Clock) -> None:
        self.rng = rng
        self.clock = clock
        self.plan = _Plan()
        self.managers_by_store: list[list[int]] = []
        self.days = (clock.today - clock.start).days

    def local_time(self, first_hour: int, last_hour: int) -> time:
        return time(self.rng.randint(first_hour, last_hour), self.rng.randrange(60))

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # -- stores, managers, the campaign, customers -------------------------------------------
    def stores_and_managers(self) -> None:
        created = self.clock.at(self.clock.start - timedelta(days=120), time(9, 0))
        for position, profile in enumerate(UK_STORES):
            self.plan.stores.append(
                {
                    "code": profile.code,
                    "name": profile.name,
                    "timezone": REGION_TIME_ZONE,
                    "opening_hours": _opening_hours(profile),
                    "created_at": created,
                }
            )
            store_managers: list[int] = []
            for number in range(self.rng.randint(2, 4)):
                first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
                store_managers.append(len(self.plan.managers))
                email = f"{first}.{last}.{profile.code}.{number}@example.com"
                self.plan.managers.append(
                    {
                        "uuid": self.uuid(),
                        "store_id": position,
                        "name": f"{first} {last}",
                        "phone": None,
                        "email": email.lower().replace("'", ""),
                        "active": True,
                        "created_at": created,
                    }
                )
            self.managers_by_store.append(store_managers)

    def campaign(self, seed: int) -> None:
        """The running campaign, its script before and after an edit, and its import."""
        start = self.clock.start
        created = self.clock.at(start - timedelta(days=3), time(9, 15))
        self.plan.campaigns.append(
            {
                "uuid": self.uuid(),
                "name": f"Win-back {start:%B %Y}",
                "offer": OFFER,
                "offer_code": OFFER_CODE,
                "script": SCRIPT_V2,
                "start_date": start,
                "end_date": start + timedelta(days=CAMPAIGN_WEEKS * 7 + 28),
                "attribution_window_days": DEFAULT_ATTRIBUTION_WINDOW_DAYS,
                "max_attempts": RULES.max_attempts,
                "min_hours_between_attempts": RULES.cool_down_hours,
                "calling_hours_start": RULES.calling_hours.minutes[0],
                "calling_hours_end": RULES.calling_hours.minutes[1],
                "holdout_share": DEFAULT_HOLDOUT_SHARE,
                "holdout_seed": seed,
                "state": CampaignState.OPEN,
                "created_at": created,
            }
        )
        edited = self.clock.at(self.clock.day(SCRIPT_EDIT_DAY - 1), time(17, 0))
        for version, script, when in ((1, SCRIPT_V1, created), (2, SCRIPT_V2, edited)):
            self.plan.script_versions.append(
                {
                    "campaign_id": None,  # set once the campaign has its id
                    "version": version,
                    "offer": OFFER,
                    "script": script,
                    "created_at": when,
                    "created_by": LEAD_NAME,
                }
            )
        file_name = f"Lapsed customers {start:%Y-%m}.xlsx"
        imported = self.clock.at(start - timedelta(days=2), time(10, 30))
        self.plan.import_batches.append(
            {
                "uuid": self.uuid(),
                "campaign_id": None,
                "file_name": file_name,
                "sha256": hashlib.sha256(f"{file_name}:{seed}".encode()).hexdigest(),
                "sheet": "Customers",
                "header_row": 1,
                "started_at": imported,
                "finished_at": imported + timedelta(seconds=40),
            }
        )

    def customers(self, count: int, progress: Progress, total_units: int) -> None:
        rng = self.rng
        phones = _PhoneBook()
        weights = [profile.size for profile in UK_STORES]
        imported = self.clock.at(self.clock.start - timedelta(days=2), time(10, 30))
        for index in range(count):
            if index % 1000 == 0:
                progress.report(index // 2, total_units, "Inventing customers...")
            store: int | None = rng.choices(range(len(UK_STORES)), weights)[0]
            if rng.random() < 0.015:
                store = None  # the list did not say: waits in the lead's "Unassigned" bucket
            profile = UK_STORES[store if store is not None else rng.randrange(len(UK_STORES))]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            visits = max(1, int(rng.expovariate(1 / 9)))
            average_basket = rng.lognormvariate(math.log(32), 0.45)
            lapsed_days = 75 + int(rng.expovariate(1 / 150))
            email = f"{first}.{last}{index + 1}@example.com".lower().replace("'", "")
            self.plan.customers.append(
                {
                    "uuid": self.uuid(),
                    "external_id": f"C{index + 1:06d}",
                    "first_name": first,
                    "last_name": last,
                    "phone": phones.next_number(profile),
                    "phone_alt": phones.next_number(profile) if rng.random() < 0.05 else None,
                    "email": email if rng.random() < 0.65 else None,
                    "home_store_id": store,
                    "last_purchase_date": self.clock.start - timedelta(days=lapsed_days),
                    "lifetime_spend_cents": int(visits * average_basket * 100),
                    "visits": visits,
                    "pinned_note": rng.choice(PINNED_NOTES) if rng.random() < 0.04 else None,
                    "last_import_batch_id": None,  # set once the import batch has its id
                    "created_at": imported,
                    "updated_at": imported,
                }
            )

    # -- the campaign list ------------------------------------------------------------------
    def members(self) -> list[list[int]]:
        """A member per customer: holdout drawn per store, the rest dealt to managers.

        Returns, per store, the positions of its call-group members in queue order.
        """
        by_store: list[list[int]] = [[] for _ in UK_STORES]
        for position, customer in enumerate(self.plan.customers):
            store = customer["home_store_id"]
            member: dict[str, Any] = {
                "uuid": self.uuid(),
                "campaign_id": None,  # set once the campaign has its id
                "customer_id": position,
                "store_id": store,
                "manager_id": None,
                "group": None,
                **MemberLife(MemberStatus.UNASSIGNED).columns(),
                "version": 1,
                "added_by_batch_id": None,
                "created_at": customer["created_at"],
                "updated_at": customer["created_at"],
            }
            self.plan.members.append(member)
            if store is None:
                continue
            if self.rng.random() < 0.01:
                member["status"] = MemberStatus.SUPPRESSED
                self.suppress(
                    customer,
                    "Registered with the Telephone Preference Service",
                    "Head office suppression list",
                    customer["created_at"] - timedelta(days=30),
                )
                continue
            by_store[store].append(position)
        suppressed = sum(m["status"] == MemberStatus.SUPPRESSED for m in self.plan.members)
        self.plan.import_batches[0].update(
            rows_read=len(self.plan.members),
            imported=len(self.plan.members) - suppressed,
            suppressed=suppressed,
        )
        return [self.split_store(store, positions) for store, positions in enumerate(by_store)]

    def split_store(self, store: int, positions: list[int]) -> list[int]:
        # The assignment service's own rules, so the recorded seed reproduces this holdout
        # and the managers' shares are what "Assign now" would have dealt.
        seed = self.plan.campaigns[0]["holdout_seed"]
        customers = self.plan.customers
        keys = {p: draw_key(seed, customers[p]["uuid"]) for p in positions}
        by_key = sorted(positions, key=keys.__getitem__)
        holdout = set(by_key[: holdout_target(DEFAULT_HOLDOUT_SHARE, len(positions))])
        for position in holdout:
            self.plan.members[position].update(
                group=MemberGroup.HOLDOUT, status=MemberStatus.HOLDOUT
            )
        candidates = [
            Candidate(
                member_id=p,
                spend_cents=customers[p]["lifetime_spend_cents"],
                last_purchase=customers[p]["last_purchase_date"],
                tiebreak=keys[p],
            )
            for p in positions
            if p not in holdout
        ]
        # Queue order: highest value first, then the most recently lapsed.
        call_group = [c.member_id for c in value_order(candidates)]
        dealt = split_fairly(candidates, self.managers_by_store[store])
        assigned_at = self.clock.at(self.clock.start - timedelta(days=1), time(16, 0))
        for position in call_group:
            manager = dealt[position]
            self.plan.members[position].update(
                group=MemberGroup.CALL, status=MemberStatus.TO_CALL, manager_id=manager
            )
            # The same history line the assignment service writes when the lead assigns.
            self.plan.assignment_changes.append(
                {
                    "member_id": position,
                    "changed_at": assigned_at,
                    "changed_by": LEAD_NAME,
                    "from_store_id": store,
                    "to_store_id": store,
                    "from_manager_id": None,
                    "to_manager_id": manager,
                    "reason": REASON_ASSIGNED,
                }
            )
        return call_group

    def suppress(self, customer: dict[str, Any], reason: str, source: str, when: datetime) -> None:
        self.plan.do_not_call.append(
            {
                "phone": customer["phone"],
                "customer_external_id": customer["external_id"],
                "reason": reason,
                "source": source,
                "added_at": when,
                "added_by": LEAD_NAME,
            }
        )

    # -- calls ------------------------------------------------------------------------------
    def calls(self, call_groups: Sequence[list[int]]) -> None:
        """Each store works down its queue at its own pace, so coverage differs by store."""
        for store, call_group in enumerate(call_groups):
            profile = UK_STORES[store]
            for rank, position in enumerate(call_group):
                share = rank / max(1, len(call_group))
                if share >= profile.coverage:
                    break  # the rest of the queue is not reached yet
                offset = _working_day(self.clock, int(share / profile.coverage * self.days))
                if offset < self.days:
                    first_call = self.clock.at(self.clock.day(offset), self.local_time(*CALL_HOURS))
                    self.call_member(profile, position, first_call)

    def call_member(self, profile: _StoreProfile, position: int, called_at: datetime) -> None:
        """Attempts until the member's life ends the calls or today is reached."""
        member = self.plan.members[position]
        zones = customer_zones(self.plan.customers[member["customer_id"]]["phone"], None)
        life = MemberLife(MemberStatus(member["status"]))
        while True:
            call = self.draw_call(profile, called_at, zones)
            life = after_call(life, call, RULES)
            self.log_attempt(profile, position, call, life)
            if life.next_due_at is None or life.status is not MemberStatus.IN_PROGRESS:
                self.remind(profile, position, life, zones)
                return
            if call.callback_at is not None:
                next_call = call.callback_at
            else:  # back on the list once the cool-down has passed, a few days later
                wait = timedelta(days=self.rng.randint(1, 4))
                next_call = self.clock.at(called_at.date() + wait, self.local_time(*CALL_HOURS))
            offset = _working_day(self.clock, (next_call.date() - self.clock.start).days)
            if offset >= self.days:
                return  # still due: the queue offers it
            called_at = self.clock.at(self.clock.day(offset), next_call.astimezone(_LONDON).time())

    def draw_call(
        self, profile: _StoreProfile, called_at: datetime, zones: tuple[str, ...]
    ) -> Call:
        offset = (called_at.date() - self.clock.start).days
        outcome = _draw_outcome(self.rng, profile, offset / self.days)
        callback_at = visit_on = None
        if outcome is CALLBACK_REQUESTED:
            callback_day = called_at.date() + timedelta(days=self.rng.randint(1, 3))
            callback_at = self.clock.at(callback_day, self.local_time(*CALL_HOURS))
        elif outcome is ACCEPTED_OFFER:
            visit_on = called_at.date() + timedelta(days=self.rng.randint(1, 10))
        return Call(outcome, called_at, callback_at, visit_on, zones)

    def remind(
        self, profile: _StoreProfile, position: int, life: MemberLife, zones: tuple[str, ...]
    ) -> None:
        """A visit reminder that fell due before today was made (it is not an attempt)."""
        due = life.next_due_at
        if life.status is not MemberStatus.DONE or due is None or due >= self.clock.end:
            return
        reminded_at = self.clock.at(due.astimezone(_LONDON).date(), self.local_time(*CALL_HOURS))
        answered = self.rng.random() < 0.7
        outcome = ACCEPTED_OFFER if answered else NO_ANSWER
        call = Call(outcome, reminded_at, zones=zones, follow_up=FollowUp.VISIT_REMINDER)
        self.log_attempt(profile, position, call, after_call(life, call, RULES))

    def log_attempt(
        self, profile: _StoreProfile, position: int, call: Call, life: MemberLife
    ) -> None:
        """The attempt row, and the member as the call left it."""
        member = self.plan.members[position]
        offset = (call.called_at.date() - self.clock.start).days
        outcome = call.outcome
        reason = self.rng.choice(NOT_INTERESTED_REASONS) if outcome is NOT_INTERESTED else None
        attempt: dict[str, Any] = {
            "uuid": self.uuid(),
            "member_id": position,
            "manager_id": member["manager_id"],
            "store_id": member["store_id"],
            "called_at": call.called_at,
            "logged_at": call.called_at,
            "outcome": outcome.code,
            "note": None,
            "callback_at": call.callback_at,
            "planned_visit_date": call.visit_on,
            "reason": reason,
            "follow_up": str(call.follow_up) if call.follow_up is not None else None,
            "timezone": ",".join(call.zones),
            "script_version_id": int(offset >= SCRIPT_EDIT_DAY),  # position of the version
        }
        self.plan.attempts.append(attempt)
        member.update(life.columns())
        member.update(version=member["version"] + 1, updated_at=call.called_at)
        if outcome is DO_NOT_CALL:
            customer = self.plan.customers[member["customer_id"]]
            self.suppress(
                customer,
                "Asked not to be called again",
                f"Call desk, {profile.name}",
                call.called_at,
            )

    # -- purchases --------------------------------------------------------------------------
    def purchases(self) -> None:
        """Who came back: many who accepted, fewer of the rest, the holdout at the base rate."""
        last_attempt: dict[int, dict[str, Any]] = {}
        for attempt in self.plan.attempts:
            if attempt["follow_up"] is None:  # a reminder call changes nobody's mind
                last_attempt[attempt["member_id"]] = attempt
        for position, member in enumerate(self.plan.members):
            visit = self.comeback_day(last_attempt.get(position))
            uncalled_return = self.rng.random() < BASE_COMEBACK_RATE
            if visit is None and uncalled_return and member["status"] != MemberStatus.UNASSIGNED:
                visit = self.clock.day(self.rng.randrange(self.days))
            if visit is None or not self.buy(member, visit):
                continue
            if self.rng.random() < SECOND_VISIT_RATE:  # it went well: they came again
                self.buy(member, visit + timedelta(days=self.rng.randint(7, 21)))

    def comeback_day(self, attempt: dict[str, Any] | None) -> date | None:
        if attempt is None:
            return None
        called: date = attempt["called_at"].date()
        if attempt["outcome"] == ALREADY_CAME_BACK.code:
            return called - timedelta(days=self.rng.randint(1, 10))  # shopped before the call
        if attempt["outcome"] not in _COMEBACK_AFTER:
            return None
        chance, earliest, latest = _COMEBACK_AFTER[attempt["outcome"]]
        if self.rng.random() >= chance:
            return None
        after: date = attempt["planned_visit_date"] or called
        return after + timedelta(days=self.rng.randint(earliest, latest))

    def buy(self, member: dict[str, Any], day: date) -> bool:
        """A till purchase on ``day`` if that day is already history; says whether it was."""
        if day >= self.clock.today:
            return False
        self.plan.purchases.append(
            {
                "uuid": self.uuid(),
                "customer_id": member["customer_id"],
                "store_id": member["store_id"],
                "purchased_at": self.clock.at(day, self.local_time(9, 17)),
                "amount_cents": int(self.rng.lognormvariate(math.log(38), 0.5) * 100),
                "source": "Till system",
            }
        )
        return True


def _ensure_empty(connection: Connection, db: Database) -> None:
    held = {
        "customers": connection.scalar(select(func.count()).select_from(Customer)) or 0,
        "campaigns": connection.scalar(select(func.count()).select_from(Campaign)) or 0,
        "stores": connection.scalar(select(func.count()).select_from(Store)) or 0,
    }
    if any(held.values()):
        what = ", ".join(f"{count:,} {name}" for name, count in held.items() if count)
        raise UserFacingError(
            f"{db.display_name} already holds data ({what}). Demo data only goes into an "
            "empty database: choose a new file."
        )


class _Writer:
    """Writes the plan's rows in chunks, reporting progress after each chunk."""

    def __init__(
        self,
        connection: Connection,
        progress: Progress,
        total_rows: int,
        first_unit: int,
        total_units: int,
    ) -> None:
        self.connection = connection
        self.progress = progress
        self.total_rows = max(1, total_rows)
        self.first_unit = first_unit
        self.total_units = total_units
        self.written = 0

    def write(self, model: type[Any], rows: list[dict[str, Any]], message: str) -> None:
        statement = insert(model)
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start : start + INSERT_CHUNK]
            self.connection.execute(statement, chunk)
            self.written += len(chunk)
            share = self.written / self.total_rows
            units = self.first_unit + int(share * (self.total_units - self.first_unit))
            self.progress.report(units, self.total_units, message)

    def write_keyed(
        self, model: type[Any], rows: list[dict[str, Any]], key: str, message: str
    ) -> list[int]:
        """Like ``write``; returns the new ids in the order of ``rows``, found by a unique key.

        (Reading the ids back beats ``RETURNING`` here: SQLite cannot promise the order of
        returned rows, so SQLAlchemy would fall back to one INSERT per row.)
        """
        self.write(model, rows, message)
        if not rows:
            return []
        key_column = getattr(model, key)
        wanted = [row[key] for row in rows]
        found: dict[Any, int] = {}
        for start in range(0, len(wanted), INSERT_CHUNK):
            chunk = wanted[start : start + INSERT_CHUNK]
            query = select(key_column, model.id).where(key_column.in_(chunk))
            found.update(self.connection.execute(query).all())
        return [found[value] for value in wanted]


def _remap(rows: list[dict[str, Any]], key: str, ids: Sequence[int]) -> None:
    for row in rows:
        if row[key] is not None:
            row[key] = ids[row[key]]


def _write(plan: _Plan, writer: _Writer) -> None:
    """Inserts in foreign-key order, swapping list positions for the ids just given out."""
    store_ids = writer.write_keyed(Store, plan.stores, "code", "Writing stores...")
    _remap(plan.managers, "store_id", store_ids)
    manager_ids = writer.write_keyed(Manager, plan.managers, "uuid", "Writing managers...")
    (campaign_id,) = writer.write_keyed(Campaign, plan.campaigns, "uuid", "Writing the campaign...")
    for row in (*plan.script_versions, *plan.import_batches):
        row["campaign_id"] = campaign_id
    writer.write(ScriptVersion, plan.script_versions, "Writing the script...")
    versions = select(ScriptVersion.version, ScriptVersion.id).where(
        ScriptVersion.campaign_id == campaign_id
    )
    script_id_by_version = dict(writer.connection.execute(versions).all())
    script_ids = [script_id_by_version[row["version"]] for row in plan.script_versions]
    (batch_id,) = writer.write_keyed(
        ImportBatch, plan.import_batches, "uuid", "Writing the import..."
    )
    for row in plan.customers:
        row["last_import_batch_id"] = batch_id
    _remap(plan.customers, "home_store_id", store_ids)
    customer_ids = writer.write_keyed(
        Customer, plan.customers, "external_id", "Writing customers..."
    )
    for row in plan.members:
        row.update(campaign_id=campaign_id, added_by_batch_id=batch_id)
    _remap(plan.members, "customer_id", customer_ids)
    _remap(plan.members, "store_id", store_ids)
    _remap(plan.members, "manager_id", manager_ids)
    # Every member is a new customer's only membership, so the customer finds the member.
    member_ids = writer.write_keyed(
        CampaignMember, plan.members, "customer_id", "Writing campaign members..."
    )
    for key, ids in (
        ("member_id", member_ids),
        ("from_store_id", store_ids),
        ("to_store_id", store_ids),
        ("to_manager_id", manager_ids),
    ):
        _remap(plan.assignment_changes, key, ids)
    writer.write(AssignmentChange, plan.assignment_changes, "Writing who calls whom...")
    _remap(plan.attempts, "member_id", member_ids)
    _remap(plan.attempts, "store_id", store_ids)
    _remap(plan.attempts, "manager_id", manager_ids)
    _remap(plan.attempts, "script_version_id", script_ids)
    writer.write(CallAttempt, plan.attempts, "Writing call history...")
    _remap(plan.purchases, "customer_id", customer_ids)
    _remap(plan.purchases, "store_id", store_ids)
    writer.write(Purchase, plan.purchases, "Writing purchases...")
    writer.write(DoNotCall, plan.do_not_call, "Writing the do-not-call list...")
    # Written in bulk, so the leaderboard's facts are computed once for the whole campaign.
    refresh_campaign(writer.connection, campaign_id)


def _summarize(plan: _Plan) -> DemoSummary:
    groups = [member["group"] for member in plan.members]
    statuses = [member["status"] for member in plan.members]
    return DemoSummary(
        stores=len(plan.stores),
        managers=len(plan.managers),
        customers=len(plan.customers),
        campaign=plan.campaigns[0]["name"],
        members=len(plan.members),
        call_group=groups.count(MemberGroup.CALL),
        holdout=groups.count(MemberGroup.HOLDOUT),
        unassigned=statuses.count(MemberStatus.UNASSIGNED),
        suppressed=statuses.count(MemberStatus.SUPPRESSED),
        attempts=len(plan.attempts),
        accepted_offers=sum(a["outcome"] == ACCEPTED_OFFER.code for a in plan.attempts),
        purchases=len(plan.purchases),
        do_not_call=len(plan.do_not_call),
    )


def generate_demo(
    db: Database,
    customers: int = 2000,
    seed: int = 7,
    progress: Progress = NoProgress(),  # noqa: B008 - stateless, shared safely
    today: date | None = None,
) -> DemoSummary:
    """Fill an empty database with a demo region; the same seed and day give the same data.

    ``today`` is the day the demo is "opened on" (default: today, UTC); the call history
    runs up to the midnight before it.
    """
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise UserFacingError(
            f"The demo holds 1 to {MAX_CUSTOMERS:,} customers; {customers:,} were asked for."
        )
    today = today or datetime.now(UTC).date()
    clock = _Clock(today - timedelta(days=CAMPAIGN_WEEKS * 7), today)
    total_units = customers * 2  # the first half is planning, the second writing

    with db.engine.connect() as connection:
        _ensure_empty(connection, db)  # before spending time planning

    planner = _Planner(random.Random(seed), clock)
    planner.stores_and_managers()
    planner.campaign(seed)
    planner.customers(customers, progress, total_units)
    call_groups = planner.members()
    progress.report(customers // 2, total_units, "Simulating five weeks of calls...")
    planner.calls(call_groups)
    planner.purchases()
    plan = planner.plan
    progress.report(customers, total_units, "Writing the demo region...")

    with db.write_connection() as connection:
        _ensure_empty(connection, db)  # again, inside the transaction that writes
        _write(plan, _Writer(connection, progress, plan.row_count(), customers, total_units))
        progress.report(total_units, total_units, "Done")
    return _summarize(plan)
