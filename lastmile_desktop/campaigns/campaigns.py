"""Campaigns: create, edit, close and reopen; the defaults of a new campaign live here.

Only the regional lead changes campaigns. Each change of the offer or the script text adds
a ``ScriptVersion``, so every call attempt can record the words that were on screen. The
holdout share is frozen once the first call is logged: changing it afterwards would mix two
different control groups in one measurement.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lastmile_desktop.calling.hours import DEFAULT_CALLING_HOURS, CallingHours
from lastmile_desktop.calling.life import called_condition, campaign_has_calls
from lastmile_desktop.calling.member_facts import refresh_campaign_purchases
from lastmile_desktop.campaigns.access import LeadAction, Profile, require_lead
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.defaults import (
    DEFAULT_ATTRIBUTION_WINDOW_DAYS,
    DEFAULT_COOL_DOWN_HOURS,
    DEFAULT_HOLDOUT_SHARE,
    DEFAULT_MAX_ATTEMPTS,
    MAX_ATTEMPTS_LIMIT,
    MAX_ATTRIBUTION_WINDOW_DAYS,
    MAX_COOL_DOWN_HOURS,
    MAX_HOLDOUT_SHARE,
    NAME_MAX_LENGTH,
    OFFER_CODE_MAX_LENGTH,
)
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    CampaignState,
    ScriptVersion,
)

# Shares are floats typed as percentages; closer than this they are the same share.
_SHARE_TOLERANCE = 1e-9


class CampaignNotFound(UserFacingError):
    pass


class HoldoutLocked(UserFacingError):
    pass


@dataclass(frozen=True)
class CampaignDraft:
    """What the lead types in the campaign editor. The defaults are those of a new campaign."""

    name: str
    offer: str = ""
    offer_code: str | None = None
    script: str = ""
    start_date: date | None = None
    end_date: date | None = None
    attribution_window_days: int = DEFAULT_ATTRIBUTION_WINDOW_DAYS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    min_hours_between_attempts: int = DEFAULT_COOL_DOWN_HOURS
    holdout_share: float = DEFAULT_HOLDOUT_SHARE
    # None: a new campaign gets the default hours; an edit keeps the campaign's own.
    calling_hours: CallingHours | None = None


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    uuid: uuid.UUID
    name: str
    offer: str
    offer_code: str | None
    script: str
    start_date: date | None
    end_date: date | None
    attribution_window_days: int
    max_attempts: int
    min_hours_between_attempts: int
    holdout_share: float
    holdout_seed: int | None
    calling_hours: CallingHours
    state: CampaignState
    created_at: datetime
    script_version: int  # the current version number; 0 when none was recorded yet
    members: int
    # True once a call attempt exists: the holdout share can no longer change.
    holdout_locked: bool

    @property
    def is_open(self) -> bool:
        return self.state is CampaignState.OPEN

    def to_draft(self) -> CampaignDraft:
        """The editable part, for an editor to start from."""
        return CampaignDraft(
            name=self.name,
            offer=self.offer,
            offer_code=self.offer_code,
            script=self.script,
            start_date=self.start_date,
            end_date=self.end_date,
            attribution_window_days=self.attribution_window_days,
            max_attempts=self.max_attempts,
            min_hours_between_attempts=self.min_hours_between_attempts,
            holdout_share=self.holdout_share,
            calling_hours=self.calling_hours,
        )


@dataclass(frozen=True)
class ScriptVersionInfo:
    id: int
    campaign_id: int
    version: int
    offer: str
    script: str
    created_at: datetime
    created_by: str | None


# --- validation -------------------------------------------------------------------------


def _check_whole_number(value: int, label: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UserFacingError(f"{label} must be a whole number from {low} to {high}.")


def normalise_draft(draft: CampaignDraft) -> CampaignDraft:
    """Trim the texts and check every value; raises a UserFacingError that says what to fix."""
    name = draft.name.strip()
    if not name:
        raise UserFacingError("Give the campaign a name.")
    if len(name) > NAME_MAX_LENGTH:
        raise UserFacingError(f"Shorten the campaign name to {NAME_MAX_LENGTH} characters.")
    offer_code = (draft.offer_code or "").strip() or None
    if offer_code is not None and len(offer_code) > OFFER_CODE_MAX_LENGTH:
        raise UserFacingError(f"Shorten the offer code to {OFFER_CODE_MAX_LENGTH} characters.")
    if draft.start_date and draft.end_date and draft.end_date < draft.start_date:
        raise UserFacingError("The end date is before the start date: swap or correct them.")
    _check_whole_number(
        draft.attribution_window_days, "The attribution window", 1, MAX_ATTRIBUTION_WINDOW_DAYS
    )
    _check_whole_number(draft.max_attempts, "Maximum attempts", 1, MAX_ATTEMPTS_LIMIT)
    _check_whole_number(
        draft.min_hours_between_attempts,
        "Hours between attempts",
        0,
        MAX_COOL_DOWN_HOURS,
    )
    share = float(draft.holdout_share)
    if math.isnan(share) or not 0.0 <= share <= MAX_HOLDOUT_SHARE:
        raise UserFacingError(
            f"The holdout share must be between 0% and {MAX_HOLDOUT_SHARE:.0%} of the list."
        )
    return replace(
        draft,
        name=name,
        offer=draft.offer.strip(),
        offer_code=offer_code,
        script=draft.script.strip(),
        holdout_share=share,
    )


# --- reading ----------------------------------------------------------------------------


def _info(session: Session, campaign: Campaign) -> CampaignInfo:
    version = session.execute(
        select(func.max(ScriptVersion.version)).where(ScriptVersion.campaign_id == campaign.id)
    ).scalar()
    members = session.execute(
        select(func.count()).where(CampaignMember.campaign_id == campaign.id)
    ).scalar_one()
    return _to_info(campaign, version or 0, members, campaign_has_calls(session, campaign.id))


def _to_info(campaign: Campaign, version: int, members: int, locked: bool) -> CampaignInfo:
    return CampaignInfo(
        id=campaign.id,
        uuid=campaign.uuid,
        name=campaign.name,
        offer=campaign.offer,
        offer_code=campaign.offer_code,
        script=campaign.script,
        start_date=campaign.start_date,
        end_date=campaign.end_date,
        attribution_window_days=campaign.attribution_window_days,
        max_attempts=campaign.max_attempts,
        min_hours_between_attempts=campaign.min_hours_between_attempts,
        holdout_share=campaign.holdout_share,
        holdout_seed=campaign.holdout_seed,
        calling_hours=CallingHours.from_minutes(
            campaign.calling_hours_start, campaign.calling_hours_end
        ),
        state=CampaignState(campaign.state),
        created_at=campaign.created_at,
        script_version=version,
        members=members,
        holdout_locked=locked,
    )


def _load(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignNotFound(
            f"Campaign {campaign_id} does not exist (it may have been removed); "
            "reload the list of campaigns."
        )
    return campaign


def list_campaigns(db: Database) -> list[CampaignInfo]:
    """Every campaign: open ones first, newest first within each state."""
    with db.read_session() as session:
        campaigns = session.scalars(select(Campaign)).all()
        versions: dict[int, int] = dict(
            session.execute(
                select(ScriptVersion.campaign_id, func.max(ScriptVersion.version)).group_by(
                    ScriptVersion.campaign_id
                )
            ).all()
        )
        members: dict[int, int] = dict(
            session.execute(
                select(CampaignMember.campaign_id, func.count()).group_by(
                    CampaignMember.campaign_id
                )
            ).all()
        )
        called = set(
            session.scalars(select(CampaignMember.campaign_id).where(called_condition()).distinct())
        )
        infos = [
            _to_info(c, versions.get(c.id, 0), members.get(c.id, 0), c.id in called)
            for c in campaigns
        ]
    infos.sort(key=lambda info: (not info.is_open, -info.created_at.timestamp(), -info.id))
    return infos


def get_campaign(db: Database, campaign_id: int) -> CampaignInfo:
    with db.read_session() as session:
        return _info(session, _load(session, campaign_id))


def find_campaign(db: Database, name: str) -> CampaignInfo:
    """The campaign called ``name`` (case does not matter), for the command line."""
    wanted = name.strip().casefold()
    campaigns = list_campaigns(db)
    matches = [info for info in campaigns if info.name.casefold() == wanted]
    if not matches:
        known = ", ".join(f'"{info.name}"' for info in campaigns) or "none yet"
        raise CampaignNotFound(f'No campaign is called "{name}". Campaigns: {known}.')
    return matches[0]


def current_script_version(session: Session, campaign_id: int) -> ScriptVersionInfo:
    """The script version on screen now, inside the caller's session (the call desk's).

    A campaign made without the editor (for example by an import) gets its first version
    here, from its current text, so every attempt can point at one.
    """
    row = session.scalars(
        select(ScriptVersion)
        .where(ScriptVersion.campaign_id == campaign_id)
        .order_by(ScriptVersion.version.desc())
        .limit(1)
    ).first()
    if row is None:
        campaign = _load(session, campaign_id)
        row = _add_script_version(session, campaign, created_by=None)
    return _version_info(row)


def script_versions(db: Database, campaign_id: int) -> list[ScriptVersionInfo]:
    """The campaign's script history, oldest first."""
    with db.read_session() as session:
        _load(session, campaign_id)
        rows = session.scalars(
            select(ScriptVersion)
            .where(ScriptVersion.campaign_id == campaign_id)
            .order_by(ScriptVersion.version)
        ).all()
        return [_version_info(row) for row in rows]


def _version_info(row: ScriptVersion) -> ScriptVersionInfo:
    return ScriptVersionInfo(
        id=row.id,
        campaign_id=row.campaign_id,
        version=row.version,
        offer=row.offer,
        script=row.script,
        created_at=row.created_at,
        created_by=row.created_by,
    )


# --- changing ---------------------------------------------------------------------------


def _add_script_version(
    session: Session, campaign: Campaign, created_by: str | None
) -> ScriptVersion:
    latest = session.execute(
        select(func.max(ScriptVersion.version)).where(ScriptVersion.campaign_id == campaign.id)
    ).scalar()
    row = ScriptVersion(
        campaign_id=campaign.id,
        version=(latest or 0) + 1,
        offer=campaign.offer,
        script=campaign.script,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def _check_name_free(session: Session, name: str, campaign_id: int | None) -> None:
    query = select(Campaign.id).where(func.lower(Campaign.name) == name.lower())
    if campaign_id is not None:
        query = query.where(Campaign.id != campaign_id)
    if session.execute(query).first() is not None:
        raise UserFacingError(f'A campaign called "{name}" already exists: choose another name.')


def add_campaign_in_session(session: Session, draft: CampaignDraft, created_by: str) -> int:
    """Create a campaign inside a caller's transaction (an import that needs one); its id.

    Other services use this instead of building a ``Campaign`` row themselves, so every
    campaign starts with the same defaults, checks and first script version.
    """
    clean = normalise_draft(draft)
    _check_name_free(session, clean.name, None)
    campaign = Campaign(
        name=clean.name,
        offer=clean.offer,
        offer_code=clean.offer_code,
        script=clean.script,
        start_date=clean.start_date,
        end_date=clean.end_date,
        attribution_window_days=clean.attribution_window_days,
        max_attempts=clean.max_attempts,
        min_hours_between_attempts=clean.min_hours_between_attempts,
        holdout_share=clean.holdout_share,
        state=CampaignState.OPEN,
    )
    hours = clean.calling_hours or DEFAULT_CALLING_HOURS
    campaign.calling_hours_start, campaign.calling_hours_end = hours.minutes
    session.add(campaign)
    session.flush()
    _add_script_version(session, campaign, created_by)
    return campaign.id


def create_campaign(db: Database, draft: CampaignDraft, profile: Profile) -> CampaignInfo:
    require_lead(profile, LeadAction.CREATE_CAMPAIGNS)
    with db.session() as session:
        campaign_id = add_campaign_in_session(session, draft, profile.name)
        return _info(session, _load(session, campaign_id))


def update_campaign(
    db: Database, campaign_id: int, draft: CampaignDraft, profile: Profile
) -> CampaignInfo:
    """Save the editor's values. A changed offer or script becomes a new script version."""
    require_lead(profile, LeadAction.CHANGE_CAMPAIGNS)
    clean = normalise_draft(draft)
    with db.session() as session:
        campaign = _load(session, campaign_id)
        _check_name_free(session, clean.name, campaign_id)
        share_changes = abs(clean.holdout_share - campaign.holdout_share) > _SHARE_TOLERANCE
        if share_changes and campaign_has_calls(session, campaign_id):
            raise HoldoutLocked(
                f'The holdout share of "{campaign.name}" stays at {campaign.holdout_share:.0%}: '
                "calls have been logged, and a new share would spoil the comparison with the "
                "control group. Start a new campaign to use a different share."
            )
        text_changes = (clean.offer, clean.script) != (campaign.offer, campaign.script)
        # The members' purchase facts count from the first day, inside the window.
        counting_changes = (clean.start_date, clean.attribution_window_days) != (
            campaign.start_date,
            campaign.attribution_window_days,
        )
        campaign.name = clean.name
        campaign.offer = clean.offer
        campaign.offer_code = clean.offer_code
        campaign.script = clean.script
        campaign.start_date = clean.start_date
        campaign.end_date = clean.end_date
        campaign.attribution_window_days = clean.attribution_window_days
        campaign.max_attempts = clean.max_attempts
        campaign.min_hours_between_attempts = clean.min_hours_between_attempts
        campaign.holdout_share = clean.holdout_share
        if clean.calling_hours is not None:
            campaign.calling_hours_start, campaign.calling_hours_end = clean.calling_hours.minutes
        session.flush()
        if text_changes:
            _add_script_version(session, campaign, profile.name)
        if counting_changes:
            refresh_campaign_purchases(session, campaign_id)
        return _info(session, campaign)


def _set_state(db: Database, campaign_id: int, state: CampaignState) -> CampaignInfo:
    with db.session() as session:
        campaign = _load(session, campaign_id)
        campaign.state = state
        session.flush()
        return _info(session, campaign)


def close_campaign(db: Database, campaign_id: int, profile: Profile) -> CampaignInfo:
    """Stop the calling: a closed campaign leaves the call queues but keeps all its data."""
    require_lead(profile, LeadAction.CLOSE_CAMPAIGNS)
    return _set_state(db, campaign_id, CampaignState.CLOSED)


def reopen_campaign(db: Database, campaign_id: int, profile: Profile) -> CampaignInfo:
    require_lead(profile, LeadAction.REOPEN_CAMPAIGNS)
    return _set_state(db, campaign_id, CampaignState.OPEN)
