"""The data model: one class per table, typed with SQLAlchemy 2 ``Mapped``.

Records that can travel between two databases (customers, campaign members, call
attempts, purchases, managers, import batches) carry a UUID besides their integer
key, so a merge can recognise them without duplicating.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lastmile_desktop.storage.defaults import (
    CUSTOMER_ID_MAX_LENGTH,
    DEFAULT_ATTRIBUTION_WINDOW_DAYS,
    DEFAULT_CALLING_HOURS_END,
    DEFAULT_CALLING_HOURS_START,
    DEFAULT_COOL_DOWN_HOURS,
    DEFAULT_HOLDOUT_SHARE,
    DEFAULT_MAX_ATTEMPTS,
    DESK_ID_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    OFFER_CODE_MAX_LENGTH,
    OUTCOME_CODE_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    REASON_CODE_MAX_LENGTH,
    STORE_CODE_MAX_LENGTH,
    TIMEZONE_MAX_LENGTH,
    TIMEZONES_MAX_LENGTH,
    minutes_of_day,
)
from lastmile_desktop.storage.search_key import search_key_default
from lastmile_desktop.storage.types import UTCDateTime, UUIDString, new_uuid, utcnow

# Stable constraint names let Alembic alter tables on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        datetime: UTCDateTime,
        uuid.UUID: UUIDString,
    }


class MemberGroup(enum.StrEnum):
    """Which arm of the campaign a member is in; undecided until assignment."""

    CALL = "call"
    HOLDOUT = "holdout"


class MemberStatus(enum.StrEnum):
    UNASSIGNED = "unassigned"  # no store known yet: waits for the lead
    TO_CALL = "to_call"  # in the call group, not tried yet
    IN_PROGRESS = "in_progress"  # tried, more attempts allowed
    DONE = "done"  # an outcome ended this member's calls
    HOLDOUT = "holdout"  # control group: never called
    SUPPRESSED = "suppressed"  # on the do-not-call list


class CampaignState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(STORE_CODE_MAX_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    timezone: Mapped[str | None] = mapped_column(String(TIMEZONE_MAX_LENGTH))
    # e.g. {"mon": ["09:00", "18:00"], ...}; None means "use the campaign's calling hours"
    opening_hours: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    managers: Mapped[list[Manager]] = relationship(back_populates="store")


class Manager(Base):
    __tablename__ = "managers"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(unique=True, default=new_uuid)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX_LENGTH))
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX_LENGTH))
    # Managers who leave are deactivated, never deleted: their call history stays theirs.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship(back_populates="managers")


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), unique=True)
    offer: Mapped[str] = mapped_column(Text, default="")
    offer_code: Mapped[str | None] = mapped_column(String(OFFER_CODE_MAX_LENGTH))
    script: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    attribution_window_days: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_ATTRIBUTION_WINDOW_DAYS
    )
    max_attempts: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_ATTEMPTS)
    # The cool-down: hours between two attempts on one customer.
    min_hours_between_attempts: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_COOL_DOWN_HOURS
    )
    holdout_share: Mapped[float] = mapped_column(Float, default=DEFAULT_HOLDOUT_SHARE)
    # When customers may be called, in their own local time: minutes after midnight.
    calling_hours_start: Mapped[int] = mapped_column(
        Integer, default=minutes_of_day(DEFAULT_CALLING_HOURS_START)
    )
    calling_hours_end: Mapped[int] = mapped_column(
        Integer, default=minutes_of_day(DEFAULT_CALLING_HOURS_END)
    )
    # Recorded so the holdout draw can be reproduced; set at first assignment.
    holdout_seed: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=CampaignState.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    script_versions: Mapped[list[ScriptVersion]] = relationship(
        back_populates="campaign", order_by="ScriptVersion.version"
    )


class ScriptVersion(Base):
    """Each edit of a campaign's offer or script; an attempt records the one on screen."""

    __tablename__ = "script_versions"
    __table_args__ = (UniqueConstraint("campaign_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    version: Mapped[int] = mapped_column(Integer)
    offer: Mapped[str] = mapped_column(Text, default="")
    script: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(NAME_MAX_LENGTH))

    campaign: Mapped[Campaign] = relationship(back_populates="script_versions")


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(unique=True, default=new_uuid)
    # The id head office gave the customer; unique when present.
    external_id: Mapped[str | None] = mapped_column(String(CUSTOMER_ID_MAX_LENGTH), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(NAME_MAX_LENGTH))
    last_name: Mapped[str | None] = mapped_column(String(NAME_MAX_LENGTH))
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX_LENGTH), index=True)  # E.164
    phone_alt: Mapped[str | None] = mapped_column(String(PHONE_MAX_LENGTH))  # E.164
    # What the member table's name/phone search scans and its name sort walks ("last first
    # phones", lower-cased). Filled on insert by its default and on update by a trigger (see
    # storage/search_key.py): writers never set it themselves.
    search_key: Mapped[str | None] = mapped_column(
        String(600), default=search_key_default, index=True
    )
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX_LENGTH))
    home_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)
    # Indexed: the member table sorts by value (spend, last purchase) one page at a time.
    last_purchase_date: Mapped[date | None] = mapped_column(Date, index=True)
    lifetime_spend_cents: Mapped[int | None] = mapped_column(Integer, index=True)
    visits: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    # A note the callers keep about the person ("new baby: Simon"); stays across campaigns.
    pinned_note: Mapped[str | None] = mapped_column(Text)
    # Columns of the imported file that map to no field, given back on export.
    extra: Mapped[dict[str, Any] | None]
    last_import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    # Set when the customer asked to be forgotten: personal fields are blanked, counts stay.
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# What the leaderboard reads of the members who came back, after the campaign and the time.
MEMBER_WINS_INDEX_COLUMNS = (
    "group",
    "store_id",
    "first_attempt_at",
    "came_back_days",
    "came_again_at",
    "came_again_days",
    "window_spend_cents",
    "window_last_at",
    "customer_id",
)
MEMBER_DAY_FIGURES = (
    "attempts",
    "first_at",
    "last_at",
    "last_reached_at",
    "last_accepted_at",
    "last_declined_at",
    "last_not_working_at",
    "last_moved_at",
)


class CampaignMember(Base):
    """A customer in a campaign: where they are called from, by whom, and how far along."""

    __tablename__ = "campaign_members"
    __table_args__ = (
        UniqueConstraint("campaign_id", "customer_id"),
        Index("ix_members_queue", "campaign_id", "store_id", "manager_id", "status", "next_due_at"),
        # The leaderboard's reads of a few members each (leaderboard/store_figures.py), each
        # index holding every column its read needs: the call group and holdout per store;
        # each store's members first called, in the order of the days it took (its median is
        # read from the middle); the members who came back, by when; those who bought since
        # the campaign's start, by when; booked callbacks by when they are due; promised
        # visits by their day.
        Index("ix_members_groups", "campaign_id", "group", "store_id"),
        Index(
            "ix_members_first_calls",
            "campaign_id",
            "store_id",
            "first_call_days",
            "first_attempt_at",
            "group",
        ),
        Index("ix_members_wins", "campaign_id", "came_back_at", *MEMBER_WINS_INDEX_COLUMNS),
        Index("ix_members_returns", "campaign_id", "returned_at", "group", "store_id"),
        Index(
            "ix_members_callbacks",
            "campaign_id",
            "scheduled_kind",
            "next_due_at",
            "status",
            "group",
            "store_id",
        ),
        Index(
            "ix_members_promises",
            "campaign_id",
            "visit_date",
            "promised_at",
            "bought_since_promise_at",
            "group",
            "store_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(unique=True, default=new_uuid)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id"), index=True)
    group: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.UNASSIGNED)
    # Counted attempts (reminder calls are not counted): "called" means attempts > 0.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The next call the member's life has booked (calling/life.py): when, and what kind
    # ("callback", "visit_reminder", "retry"); both empty when nothing is booked.
    next_due_at: Mapped[datetime | None]
    scheduled_kind: Mapped[str | None] = mapped_column(String(16))
    last_outcome: Mapped[str | None] = mapped_column(String(OUTCOME_CODE_MAX_LENGTH))
    # A promised visit: the day, and when it was promised. Past the day with no purchase
    # since the promise, the member is offered once as "promised but not seen".
    visit_date: Mapped[date | None] = mapped_column(Date)
    promised_at: Mapped[datetime | None]
    promise_followed_up: Mapped[bool] = mapped_column(Boolean, default=False)
    # After a voicemail the customer is tried once more at most.
    voicemail_left: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the member's counted attempts and the customer's purchases came to so far, kept
    # by every writer in the same transaction (calling/member_facts.py, where each is defined):
    # the first and latest attempt, the latest that reached the customer, accepted, declined,
    # found the number not working, or learned that they moved; the first purchase from the
    # first attempt's day on, the first on a later day than that (and the days to each); why
    # the latest decline declined; days from assignment to the first attempt.
    first_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_reached_at: Mapped[datetime | None]
    last_accepted_at: Mapped[datetime | None]
    last_declined_at: Mapped[datetime | None]
    last_not_working_at: Mapped[datetime | None]
    last_moved_at: Mapped[datetime | None]
    declined_reason: Mapped[str | None] = mapped_column(String(REASON_CODE_MAX_LENGTH))
    came_back_at: Mapped[datetime | None]
    came_back_days: Mapped[int | None] = mapped_column(Integer)
    came_again_at: Mapped[datetime | None]
    came_again_days: Mapped[int | None] = mapped_column(Integer)
    first_call_days: Mapped[float | None] = mapped_column(Float)
    # The customer's first purchase from the UTC midnight starting the campaign's first day;
    # what they spent inside their attribution window (from the first attempt's day to the
    # campaign's window after it) and when they last bought in it.
    returned_at: Mapped[datetime | None]
    window_spend_cents: Mapped[int | None] = mapped_column(Integer)
    window_last_at: Mapped[datetime | None]
    # The customer's first purchase since the promise of a visit (``promised_at``).
    bought_since_promise_at: Mapped[datetime | None]
    # The store under which the member's days are counted in ``store_tallies`` (None: none
    # are): set by the same refresh, so a later one takes them back from there even when the
    # member has moved store or group in between.
    tallied_store_id: Mapped[int | None] = mapped_column(Integer)
    # Optimistic concurrency: two callers can never log the same attempt.
    version: Mapped[int] = mapped_column(Integer, default=1)
    added_by_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once


class MemberClaim(Base):
    """A member a call desk has on screen: which desk, and until when (calling/claims.py).

    Kept apart from ``campaign_members``: writing a claim there would move the member's
    version on and make every other desk's view of the member stale. A claim whose time has
    passed holds nothing; the next claim of the member writes over it.
    """

    __tablename__ = "member_claims"
    __table_args__ = (Index("ix_member_claims_desk", "claimed_by"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_members.id", ondelete="CASCADE"), primary_key=True
    )
    claimed_by: Mapped[str] = mapped_column(String(DESK_ID_MAX_LENGTH))
    claimed_until: Mapped[datetime]


class MemberDay(Base):
    """A member's counted attempts of one UTC day, summed up: what the leaderboard reads to
    count who was tried, reached and accepted over past weeks, and the members' facts as they
    stood at the end of a past period, without reading every attempt. Kept equal to the
    attempts by every writer (calling/member_facts.py)."""

    __tablename__ = "member_days"
    __table_args__ = (
        UniqueConstraint("member_id", "day"),
        # Both cover the rollup's reads: a member's days in order, and the days of a period.
        Index("ix_member_days_member", "member_id", "day", *MEMBER_DAY_FIGURES),
        Index("ix_member_days_day", "day", "member_id", *MEMBER_DAY_FIGURES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("campaign_members.id"))
    day: Mapped[date] = mapped_column(Date)  # the UTC day of the attempts
    attempts: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    last_reached_at: Mapped[datetime | None]
    last_accepted_at: Mapped[datetime | None]
    last_declined_at: Mapped[datetime | None]
    last_not_working_at: Mapped[datetime | None]
    last_moved_at: Mapped[datetime | None]
    # Why the day's latest decline declined (as ``CampaignMember.declined_reason``).
    declined_reason: Mapped[str | None] = mapped_column(String(REASON_CODE_MAX_LENGTH))


class StoreTally(Base):
    """How many of a store's call-group members' days open each span of a kind, and their
    attempts: the counts the leaderboard sums for any period (calling/store_tallies.py
    defines the spans; every writer of what they count keeps them in its transaction).

    A member's day opens a span that lasts until its next day of the same series (``to_day``,
    ``store_tallies.NEVER`` when there is none yet): the member's standing from the end of
    that day. ``kind`` holds that standing as bits, ``reason`` why a decline declined."""

    __tablename__ = "store_tallies"
    # The key is the table: one B-tree read in key order (SQLite; other databases ignore it).
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy reads it once

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    series: Mapped[str] = mapped_column(String(8), primary_key=True)
    from_day: Mapped[date] = mapped_column(Date, primary_key=True)
    to_day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(REASON_CODE_MAX_LENGTH), primary_key=True)
    members: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)


class AssignmentChange(Base):
    """Every change of owner: who, when, from, to, why."""

    __tablename__ = "assignment_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("campaign_members.id"), index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    from_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    to_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    from_manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id"))
    to_manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id"))
    reason: Mapped[str] = mapped_column(Text, default="")


class CallAttempt(Base):
    __tablename__ = "call_attempts"
    __table_args__ = (
        # Covers the statistics: per store over time by outcome, per member.
        Index("ix_attempts_stats", "store_id", "called_at", "outcome", "member_id"),
        # A manager's day: their calls since midnight.
        Index("ix_attempts_manager_time", "manager_id", "called_at"),
        # Covers the pass over each member's attempts in time order that recomputes the
        # member's facts: read from the index alone, grouped by member without sorting (see
        # calling/member_facts.py; follow-up calls are told apart and left out).
        Index("ix_attempts_member_time", "member_id", "called_at", "outcome", "follow_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(unique=True, default=new_uuid)
    member_id: Mapped[int] = mapped_column(ForeignKey("campaign_members.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("managers.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    called_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it was saved: later than called_at for a call sheet typed in afterwards.
    logged_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(OUTCOME_CODE_MAX_LENGTH))
    note: Mapped[str | None] = mapped_column(Text)
    callback_at: Mapped[datetime | None]
    planned_visit_date: Mapped[date | None] = mapped_column(Date)
    # Why a customer was not interested (a code of outcomes.NOT_INTERESTED_REASONS).
    reason: Mapped[str | None] = mapped_column(String(REASON_CODE_MAX_LENGTH))
    # None for a counted attempt; "visit_reminder" or "promised_not_seen" for a follow-up
    # call, which does not count towards the attempt limit.
    follow_up: Mapped[str | None] = mapped_column(String(24))
    # The customer's time zone(s) the calling-hours rule used, comma-separated.
    timezone: Mapped[str | None] = mapped_column(String(TIMEZONES_MAX_LENGTH))
    # The member as it was before this outcome, so the outcome can be undone exactly.
    member_before: Mapped[dict[str, Any] | None]
    script_version_id: Mapped[int | None] = mapped_column(ForeignKey("script_versions.id"))


class DoNotCall(Base):
    """The suppression list. Entries are never deleted: a removal keeps its reason."""

    __tablename__ = "do_not_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX_LENGTH), index=True)  # E.164
    customer_external_id: Mapped[str | None] = mapped_column(
        String(CUSTOMER_ID_MAX_LENGTH), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), default="")
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(NAME_MAX_LENGTH))
    removed_reason: Mapped[str | None] = mapped_column(Text)
    # The call whose "Do not call" outcome added the entry: undoing that outcome lifts it.
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempts.id"))
    # On a chain's server, the store whose login added the entry (set there by the access
    # rules, storage/server_roles.py): that store may read it back, other stores may not.
    added_by_store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)


class ErasedIdentity(Base):
    """Someone who asked to be forgotten, remembered without their data.

    ``digest`` is a keyed SHA-256 (HMAC) of the normalised value (an E.164 phone, or head
    office's customer id trimmed and case-folded) under a random key this database keeps in
    ``settings``: an import can recognise the person and leave them out, while the table
    alone (or a copy of it) gives no number or id back.
    """

    __tablename__ = "erased_identities"
    __table_args__ = (UniqueConstraint("kind", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "phone" or "customer_id"
    digest: Mapped[str] = mapped_column(String(64))  # hex
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(unique=True, default=new_uuid)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    sheet: Mapped[str | None] = mapped_column(String(200))
    header_row: Mapped[int | None] = mapped_column(Integer)
    mapping: Mapped[dict[str, Any] | None]
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    suppressed: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class RejectedRow(Base):
    __tablename__ = "rejected_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)  # as the spreadsheet shows it (1-based)
    reason: Mapped[str] = mapped_column(Text)
    values: Mapped[dict[str, Any] | None]


class SavedMapping(Base):
    """A column mapping the user confirmed, reused for the next file with the same headers."""

    __tablename__ = "saved_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    header_signature: Mapped[str] = mapped_column(String(64), unique=True)
    mapping: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Purchase(Base):
    """A sale from the till system, for win-back attribution."""

    __tablename__ = "purchases"
    __table_args__ = (
        Index("ix_purchases_customer_time", "customer_id", "purchased_at"),
        # The customers who bought in a span of time (the leaderboard's return rates).
        Index("ix_purchases_time", "purchased_at", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[uuid.UUID] = mapped_column(unique=True, default=new_uuid)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    purchased_at: Mapped[datetime]
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(200), default="")
    # The sale's natural key (importing/sales.py: the till's receipt and line, else customer,
    # time, amount and store), hashed: the same sale imported twice is stored once. Empty for
    # purchases that did not come from a sales import.
    sale_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class Setting(Base):
    """Settings that belong to the data (shared by the GUI and the command line)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
