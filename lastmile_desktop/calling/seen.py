"""A member as the call desk saw it: what logging an outcome needs, read with the card.

The desk reads the customer's card as it shows them; the same read gives everything a log
needs (the member's life and version, its campaign's rules, the customer's time zones, the
script on screen), so the outcome can be written without reading again: on a server, one
round trip instead of several. What the log writes is guarded against change since then
(calling/log.py): the member's version, the campaign's rules and state, the manager still
active at the store; when any has changed, the log reads afresh and decides again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, select

from lastmile_desktop.calling.hours import customer_zones
from lastmile_desktop.calling.life import CampaignRules, MemberLife, bought_since_promise
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    Customer,
    ScriptVersion,
)

# What a log reads of the campaign: its state, its start, and the rules of a member's life.
CAMPAIGN_SETTINGS_READ = (
    "state",
    "start_date",
    "max_attempts",
    "min_hours_between_attempts",
    "calling_hours_start",
    "calling_hours_end",
)


@dataclass(frozen=True)
class SeenMember:
    member_id: int
    member: uuid.UUID
    campaign_id: int
    store_id: int | None
    group: str | None
    version: int
    life: MemberLife
    campaign_name: str
    campaign_state: str
    campaign_start: date | None
    rules: CampaignRules
    zones: tuple[str, ...]  # the customer's time zones for the calling-hours rule
    script_version_id: int | None  # the campaign's script on screen; None: none kept yet
    # The campaign's columns the log's checks and rules read, as they were.
    campaign_settings: tuple[tuple[str, Any], ...] = ()
    # The customer bought at or after the member's promise to come (follow-up calls).
    bought_since_promise: bool = False
    # The customer's phone (E.164) and head office's id, as a Do not call lists them.
    phone: str | None = None
    external_id: str | None = None

    @classmethod
    def of(
        cls,
        member: CampaignMember,
        campaign: Campaign,
        customer: Customer,
        store_timezone: str | None,
        script_version_id: int | None,
        *,
        bought_since_promise: bool = False,
    ) -> SeenMember:
        return cls(
            member_id=member.id,
            member=member.uuid,
            campaign_id=member.campaign_id,
            store_id=member.store_id,
            group=member.group,
            version=member.version,
            life=MemberLife.of(member),
            campaign_name=campaign.name,
            campaign_state=campaign.state,
            campaign_start=campaign.start_date,
            rules=CampaignRules.of(campaign),
            zones=customer_zones(customer.phone, store_timezone),
            script_version_id=script_version_id,
            campaign_settings=tuple(
                (name, getattr(campaign, name)) for name in CAMPAIGN_SETTINGS_READ
            ),
            bought_since_promise=bought_since_promise,
            phone=customer.phone,
            external_id=customer.external_id,
        )

    def purchases_unchanged(self) -> ColumnElement[bool]:
        """Whether the customer's purchases since the promise still say what they said."""
        bought = bought_since_promise(CampaignMember.customer_id, CampaignMember.promised_at)
        return bought if self.bought_since_promise else ~bought

    def campaign_unchanged(self) -> ColumnElement[bool]:
        """Whether the campaign's state and rules are still as they were seen."""
        return exists().where(
            Campaign.id == self.campaign_id,
            *(getattr(Campaign, name) == value for name, value in self.campaign_settings),
        )

    def customer_unchanged(self) -> ColumnElement[bool]:
        """Whether the customer's phone and id are still as they were seen (an import or a
        forgetting since changes what a Do not call lists)."""
        return exists().where(
            Customer.id
            == select(CampaignMember.customer_id)
            .where(CampaignMember.id == self.member_id)
            .scalar_subquery(),
            Customer.phone.is_not_distinct_from(self.phone),
            Customer.external_id.is_not_distinct_from(self.external_id),
        )


def script_version_on_screen(campaign_id: Any) -> ColumnElement[Any]:
    """The id of the latest script version of ``campaign_id`` (an id, or a column naming
    one), as a column of a read."""
    return (
        select(ScriptVersion.id)
        .where(ScriptVersion.campaign_id == campaign_id)
        .order_by(ScriptVersion.version.desc())
        .limit(1)
        .scalar_subquery()
    )
