"""My day: today's figures for whoever is calling (a manager, or the lead for everyone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, case, func, select

from lastmile_desktop.calling.hours import computer_zone, from_local, to_local
from lastmile_desktop.calling.life import OPEN_STATUSES, ScheduledKind
from lastmile_desktop.calling.lookup import campaign_for_desk
from lastmile_desktop.calling.outcomes import ACCEPTED_OFFER, reached_codes
from lastmile_desktop.campaigns.access import Profile, check_profile, member_visibility
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember, MemberGroup
from lastmile_desktop.storage.types import utcnow


@dataclass(frozen=True)
class MyDay:
    calls_made: int  # every call logged today, reminder calls included
    reached: int  # of those, the customer was spoken to
    accepted: int  # of those, the offer was accepted
    callbacks_due: int  # callbacks booked for today (or overdue) still waiting
    left_to_call: int  # customers still waiting for a call (not called yet, or to retry)


def my_day(
    db: Database, profile: Profile, *, campaign: str | None = None, at: datetime | None = None
) -> MyDay:
    """Figures for the local day of ``at`` (default now), up to ``at``."""
    moment = (at or utcnow()).astimezone(UTC)
    zone = computer_zone()
    day = to_local(moment, zone).date()
    day_starts = from_local(datetime.combine(day, time(0, 0)), zone)
    day_ends = from_local(datetime.combine(day + timedelta(days=1), time(0, 0)), zone)
    with db.read_session() as session:
        check_profile(session, profile)
        chosen = campaign_for_desk(session, campaign)
        mine: list[ColumnElement[bool]] = [
            CampaignMember.campaign_id == chosen.id,
            member_visibility(profile),
        ]
        if not profile.is_lead:
            mine.append(CampaignMember.manager_id == profile.manager_id)
        calls: list[ColumnElement[bool]] = [
            CallAttempt.called_at >= day_starts,
            CallAttempt.called_at <= moment,
            CampaignMember.campaign_id == chosen.id,
            member_visibility(profile),
        ]
        if not profile.is_lead:
            calls.append(CallAttempt.manager_id == profile.manager_id)
        made, reached, accepted = session.execute(
            select(
                func.count(),
                func.coalesce(
                    func.sum(case((CallAttempt.outcome.in_(reached_codes()), 1), else_=0)), 0
                ),
                func.coalesce(
                    func.sum(case((CallAttempt.outcome == ACCEPTED_OFFER.code, 1), else_=0)), 0
                ),
            )
            .select_from(CallAttempt)
            .join(CampaignMember, CampaignMember.id == CallAttempt.member_id)
            .where(*calls)
        ).one()
        callbacks = session.scalar(
            select(func.count())
            .select_from(CampaignMember)
            .where(
                *mine,
                CampaignMember.status.in_(OPEN_STATUSES),
                CampaignMember.scheduled_kind == ScheduledKind.CALLBACK,
                CampaignMember.next_due_at < day_ends,
            )
        )
        left = session.scalar(
            select(func.count())
            .select_from(CampaignMember)
            .where(
                *mine,
                CampaignMember.group == MemberGroup.CALL,
                CampaignMember.status.in_(OPEN_STATUSES),
            )
        )
    return MyDay(int(made), int(reached), int(accepted), int(callbacks or 0), int(left or 0))
