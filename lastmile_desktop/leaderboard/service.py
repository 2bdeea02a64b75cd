"""The leaderboard's services: one function per thing a person asks, each taking a ``Profile``.

- ``leaderboard``: every store's figures over a period, ranked fairly on a chosen rate, with
  the heroes, the gaps and the lift over the holdout.
- ``weekly_trend``: the chosen rate per store, week by week over the campaign.
- ``store_detail``: one store's figures and the same per manager (the lead, or the store's
  own manager).
- ``customers_behind``: the customers a figure counts, for one store or one manager.

Each opens one read session and returns plain dataclasses (``model``). Which store names the
viewer sees is decided here (``names.store_labels``), so every caller obeys it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lastmile_desktop.calling.outcomes import UnknownOutcomeError, outcome_by_code
from lastmile_desktop.campaigns.access import AccessDenied, Profile, check_profile
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.leaderboard.facts import (
    Figure,
    GroupBy,
    GroupCounts,
    Scope,
    count_figures,
    members_where,
)
from lastmile_desktop.leaderboard.model import (
    CustomerLine,
    Figures,
    Gap,
    Hero,
    Leaderboard,
    Lift,
    ManagerRow,
    StoreDetail,
    StoreRow,
    Trend,
    TrendPoint,
    TrendSeries,
)
from lastmile_desktop.leaderboard.names import StoreLabel, store_labels
from lastmile_desktop.leaderboard.periods import (
    Period,
    PeriodChoice,
    PeriodKind,
    campaign_weeks,
    local_day,
    local_midnight,
)
from lastmile_desktop.leaderboard.rates import DEFAULT_RATE, Rate, RateValue, rate_value
from lastmile_desktop.leaderboard.sentences import GapKind, gap_sentence, hero_sentence
from lastmile_desktop.leaderboard.stats import (
    MIN_TO_RANK,
    Interval,
    newcombe_difference,
    rank_by_lower_bound,
)
from lastmile_desktop.leaderboard.store_figures import (
    group_sizes,
    store_figures,
    weekly_counts,
)
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    Manager,
    MemberGroup,
    Store,
)
from lastmile_desktop.storage.types import utcnow

__all__ = [
    "CUSTOMERS_SHOWN",
    "DEFAULT_PERIOD",
    "customers_behind",
    "figures_scope",
    "leaderboard",
    "store_detail",
    "weekly_trend",
]

DEFAULT_PERIOD = PeriodChoice(PeriodKind.CAMPAIGN)
HEROES = 3
# Both groups need this many members before their return rates are compared.
MIN_TO_COMPARE = MIN_TO_RANK
CUSTOMERS_SHOWN = 1_000
NO_MANAGER = "No manager"


# ---------------------------------------------------------------------------------------------
# What every service settles first: the campaign, "today", the period


@dataclass(frozen=True)
class _Settled:
    campaign_id: int
    campaign: str
    window_days: int
    first_day: date  # the campaign's first day
    today: date
    zone: tzinfo | None
    now: datetime


def _find_campaign(session: Session, campaign: int | str | None) -> Campaign:
    if isinstance(campaign, int):
        found = session.get(Campaign, campaign)
        if found is None:
            raise UserFacingError(f"Campaign {campaign} does not exist: reload the campaigns.")
        return found
    if campaign is not None:
        wanted = campaign.strip().casefold()
        matches = [c for c in session.scalars(select(Campaign)) if c.name.casefold() == wanted]
        if not matches:
            names = ", ".join(f'"{c.name}"' for c in session.scalars(select(Campaign)))
            raise UserFacingError(f'No campaign is called "{campaign}". Campaigns: {names}.')
        return matches[0]
    latest = session.scalars(
        select(Campaign).order_by(
            (Campaign.state == CampaignState.OPEN.value).desc(),
            Campaign.created_at.desc(),
            Campaign.id.desc(),
        )
    ).first()
    if latest is None:
        raise UserFacingError(
            "There is no campaign yet: import a customer list first (lastmile import FILE)."
        )
    return latest


def _settle(
    session: Session,
    campaign: int | str | None,
    today: date | None,
    zone: tzinfo | None,
    now: datetime | None,
) -> _Settled:
    found = _find_campaign(session, campaign)
    moment = now or utcnow()
    first_day = found.start_date or local_day(found.created_at, zone)
    return _Settled(
        campaign_id=found.id,
        campaign=found.name,
        window_days=found.attribution_window_days,
        first_day=first_day,
        today=today or local_day(moment, zone),
        zone=zone,
        now=moment,
    )


def _scope(
    settled: _Settled,
    period: Period,
    store_id: int | None = None,
    manager_id: int | None = None,
) -> Scope:
    start, end = period.utc_bounds(settled.zone)
    return Scope(
        campaign_id=settled.campaign_id,
        start=start,
        end=end,
        campaign_start=local_midnight(settled.first_day, settled.zone),
        as_of=min(end, settled.now),
        # A visit day has passed once it is over: by the period's end, and not today.
        visits_due_before=min(period.last_day + timedelta(days=1), settled.today),
        window_days=settled.window_days,
        store_id=store_id,
        manager_id=manager_id,
    )


# ---------------------------------------------------------------------------------------------
# From counts to figures


def _figures(counts: GroupCounts) -> Figures:
    c = counts.counts
    return Figures(
        assigned=c[Figure.ASSIGNED],
        attempted=c[Figure.ATTEMPTED],
        attempts=counts.attempts,
        reached=c[Figure.REACHED],
        accepted=c[Figure.ACCEPTED],
        won_back=c[Figure.WON_BACK],
        revenue_won_back_cents=counts.revenue_won_back_cents,
        stayed_back=c[Figure.STAYED_BACK],
        overdue_callbacks=c[Figure.OVERDUE_CALLBACKS],
        speed_to_first_call_days=counts.speed_to_first_call_days,
        rates={rate: rate_value(rate, c) for rate in Rate},
    )


def compare_groups(
    call_members: int, call_returned: int, holdout_members: int, holdout_returned: int
) -> Lift:
    """The lift: return rate of the call group minus the holdout's, in percentage points,
    with Newcombe's 95% interval; not computed when a group has under 20 members."""
    if min(call_members, holdout_members) < MIN_TO_COMPARE:
        note = (
            f"Too few to compare: {call_members:,} in the call group and {holdout_members:,} "
            f"in the holdout ({MIN_TO_COMPARE} in each are needed)."
        )
        return Lift(
            call_members, call_returned, holdout_members, holdout_returned, None, None, note
        )
    interval = newcombe_difference(call_returned, call_members, holdout_returned, holdout_members)
    assert interval is not None
    points = (call_returned / call_members - holdout_returned / holdout_members) * 100
    in_points = Interval(interval.low * 100, interval.high * 100)
    return Lift(call_members, call_returned, holdout_members, holdout_returned, points, in_points)


def _lift_of(counts: GroupCounts) -> Lift:
    c = counts.counts
    return compare_groups(
        c[Figure.ASSIGNED], c[Figure.CALL_RETURNED], c[Figure.HOLDOUT], c[Figure.HOLDOUT_RETURNED]
    )


def _store_gaps(label: str, counts: GroupCounts) -> list[Gap]:
    """The store's shortfall as facts, largest first."""
    c = counts.counts
    assigned = c[Figure.ASSIGNED]
    gaps: list[tuple[int, int, Gap]] = []
    for order, kind in enumerate(GapKind):
        if kind is GapKind.DECLINED:
            for reason, count in sorted(counts.declined_by_reason.items()):
                if count:
                    text = gap_sentence(label, kind, count, assigned, reason)
                    gaps.append((count, order, Gap(label, kind, count, text, reason)))
            continue
        count = c[kind.figure]
        if count:
            gaps.append(
                (count, order, Gap(label, kind, count, gap_sentence(label, kind, count, assigned)))
            )
    gaps.sort(key=lambda item: (-item[0], item[1], item[2].reason or ""))
    return [gap for _, _, gap in gaps]


def _previous_rates(
    session: Session,
    settled: _Settled,
    previous: Period,
    rate: Rate,
    sizes: dict[tuple[int, str], int],
) -> dict[int | None, RateValue]:
    """The chosen rate of each store over the previous period (only its two figures); none
    when that period ended before the campaign began."""
    if previous.last_day < settled.first_day:
        return {}
    scope = _scope(settled, previous)
    rows = weekly_counts(
        session, scope, [scope.start, scope.end], rate.numerator, rate.denominator, sizes=sizes
    )
    return {row.group: RateValue(row.numerator, row.denominator) for row in rows}


# ---------------------------------------------------------------------------------------------
# The services


def leaderboard(
    db: Database,
    profile: Profile,
    *,
    campaign: int | str | None = None,
    period: PeriodChoice = DEFAULT_PERIOD,
    rate: Rate = DEFAULT_RATE,
    today: date | None = None,
    zone: tzinfo | None = None,
    now: datetime | None = None,
) -> Leaderboard:
    """Every store of the campaign over the period, ranked on ``rate``, with heroes and gaps.

    ``campaign``: its id or name; None is the most recent open campaign. ``today`` (default:
    today in ``zone``, the computer's time zone when None) settles the period's days;
    ``now`` (default: the current time) decides which callbacks are overdue.
    """
    with db.read_session() as session:
        check_profile(session, profile)
        settled = _settle(session, campaign, today, zone, now)
        current = period.resolve(settled.today, settled.first_day)
        previous = current.previous()
        labels = store_labels(session, profile)
        scope = _scope(settled, current)
        sizes = group_sizes(session, scope)
        groups = {
            counts.key: counts
            for counts in store_figures(session, scope, sizes)
            if counts.key is not None
        }
        before = _previous_rates(session, settled, previous, rate, sizes)

    ranked = _ranked_rows(groups, labels, rate)
    rows = [row for _, row in ranked]
    best_now = [
        Hero(row.store, hero_sentence(row.store, rate, row.rate, before.get(store_id)))
        for store_id, row in ranked
        if row.rank is not None and row.rank <= HEROES
    ]
    improved: list[tuple[float, str, Hero]] = []
    for store_id, row in ranked:
        was = before.get(store_id)
        if row.rank is None or was is None or was.denominator < MIN_TO_RANK:
            continue
        assert row.rate.value is not None and was.value is not None
        rise = row.rate.value - was.value
        if rise > 0:
            hero = Hero(row.store, hero_sentence(row.store, rate, row.rate, was))
            improved.append((rise, row.store, hero))
    improved.sort(key=lambda item: (-item[0], item[1]))
    totals = GroupCounts(key=None, counts=dict.fromkeys(Figure, 0))
    for counts in groups.values():
        for figure, value in counts.counts.items():
            totals.counts[figure] += value
    gaps = [gap for store_id, row in ranked for gap in _store_gaps(row.store, groups[store_id])]
    return Leaderboard(
        campaign=settled.campaign,
        campaign_id=settled.campaign_id,
        period=current,
        previous=previous,
        rate=rate,
        stores=rows,
        best_now=best_now,
        most_improved=[hero for _, _, hero in improved[:HEROES]],
        gaps=gaps,
        lift=_lift_of(totals),
        computed_at=settled.now,
    )


def figures_scope(
    session: Session,
    campaign: int | str | None = None,
    *,
    period: PeriodChoice = DEFAULT_PERIOD,
    today: date | None = None,
    zone: tzinfo | None = None,
    now: datetime | None = None,
) -> Scope:
    """What ``leaderboard`` counts over (campaign, days, attribution window), for a service
    that lists each member's facts beside it: the results export's one row per member."""
    settled = _settle(session, campaign, today, zone, now)
    return _scope(settled, period.resolve(settled.today, settled.first_day))


def _ranked_rows(
    groups: dict[int, GroupCounts], labels: dict[int, StoreLabel], rate: Rate
) -> list[tuple[int, StoreRow]]:
    """Each store's row with its id, ranked first and best first, then too few to rank."""
    by_label = sorted(groups, key=lambda store_id: _label(labels, store_id).text)
    figures = {store_id: _figures(groups[store_id]) for store_id in by_label}
    ranking = rank_by_lower_bound(
        [
            (
                store_id,
                figures[store_id].rates[rate].numerator,
                figures[store_id].rates[rate].denominator,
            )
            for store_id in by_label
        ]
    )
    rows = []
    for ranked in ranking:
        label = _label(labels, ranked.key)
        rows.append(
            (
                ranked.key,
                StoreRow(
                    store=label.text,
                    store_id=label.store_id,
                    own=label.own,
                    figures=figures[ranked.key],
                    rate=figures[ranked.key].rates[rate],
                    rank=ranked.rank,
                    lift=_lift_of(groups[ranked.key]),
                ),
            )
        )
    return rows


def _label(labels: dict[int, StoreLabel], store_id: int) -> StoreLabel:
    found = labels.get(store_id)
    return found if found is not None else StoreLabel(f"Store #{store_id}", None, False)


def weekly_trend(
    db: Database,
    profile: Profile,
    *,
    campaign: int | str | None = None,
    rate: Rate = DEFAULT_RATE,
    today: date | None = None,
    zone: tzinfo | None = None,
    now: datetime | None = None,
) -> Trend:
    """``rate`` per store for each week of the campaign (seven days from its first day; the
    last week ends today). Each week's figure is the leaderboard's for that week."""
    with db.read_session() as session:
        check_profile(session, profile)
        settled = _settle(session, campaign, today, zone, now)
        weeks = campaign_weeks(settled.first_day, max(settled.first_day, settled.today))
        bounds = [week.utc_bounds(zone)[0] for week in weeks] + [weeks[-1].utc_bounds(zone)[1]]
        whole = _scope(settled, Period(weeks[0].first_day, weeks[-1].last_day))
        sizes = group_sizes(session, whole)
        rows = weekly_counts(session, whole, bounds, rate.numerator, rate.denominator, sizes=sizes)
        labels = store_labels(session, profile)
        member_stores = {store_id for store_id, group in sizes if group == MemberGroup.CALL.value}
    by_store: dict[int, dict[int, RateValue]] = {store_id: {} for store_id in member_stores}
    for row in rows:
        if row.group is not None:
            by_store.setdefault(row.group, {})[row.week] = RateValue(row.numerator, row.denominator)
    series = []
    for store_id in sorted(by_store, key=lambda key: _label(labels, key).text):
        label = _label(labels, store_id)
        values = by_store[store_id]
        points = [
            TrendPoint(week, values.get(index, RateValue(0, 0))) for index, week in enumerate(weeks)
        ]
        series.append(TrendSeries(label.text, label.store_id, label.own, points))
    return Trend(settled.campaign, settled.campaign_id, rate, weeks, series)


def _require_store(profile: Profile, store_id: int) -> None:
    if not profile.can_see_store(store_id):
        raise AccessDenied(
            "You can see the managers and customers behind the figures of your own store only."
        )


def store_detail(
    db: Database,
    profile: Profile,
    store_id: int,
    *,
    campaign: int | str | None = None,
    period: PeriodChoice = DEFAULT_PERIOD,
    today: date | None = None,
    zone: tzinfo | None = None,
    now: datetime | None = None,
) -> StoreDetail:
    """One store's figures and the same per manager: for the lead, or the store's manager."""
    _require_store(profile, store_id)
    with db.read_session() as session:
        check_profile(session, profile)
        settled = _settle(session, campaign, today, zone, now)
        current = period.resolve(settled.today, settled.first_day)
        store = session.get(Store, store_id)
        if store is None:
            raise UserFacingError(f"Store {store_id} does not exist: reload the leaderboard.")
        label = store_labels(session, profile)[store_id].text
        scope = _scope(settled, current, store_id=store_id)
        totals = store_figures(session, scope)
        per_manager = count_figures(session, scope, GroupBy.MANAGER)
        managers = {
            manager.id: manager
            for manager in session.scalars(select(Manager).where(Manager.store_id == store_id))
        }
        # Managers who own members here but moved to another store keep their rows.
        owners = {counts.key for counts in per_manager if counts.key is not None}
        missing = sorted(owners - set(managers))
        if missing:
            for manager in session.scalars(select(Manager).where(Manager.id.in_(missing))):
                managers[manager.id] = manager
        rows = []
        for counts in per_manager:
            if counts.key is None and not counts.counts[Figure.ASSIGNED]:
                continue  # the holdout: no one calls them
            owner = managers.get(counts.key) if counts.key is not None else None
            rows.append(
                ManagerRow(
                    manager_id=counts.key,
                    manager=owner.name if owner is not None else NO_MANAGER,
                    active=owner.active if owner is not None else False,
                    figures=_figures(counts),
                )
            )
    rows.sort(key=lambda row: (row.manager_id is None, row.manager.casefold()))
    empty = GroupCounts(key=store_id, counts=dict.fromkeys(Figure, 0))
    return StoreDetail(
        store=label,
        store_id=store_id,
        period=current,
        figures=_figures(totals[0] if totals else empty),
        managers=rows,
    )


def customers_behind(
    db: Database,
    profile: Profile,
    store_id: int,
    figure: Figure,
    *,
    manager_id: int | None = None,
    reason: str | None = None,
    campaign: int | str | None = None,
    period: PeriodChoice = DEFAULT_PERIOD,
    today: date | None = None,
    zone: tzinfo | None = None,
    now: datetime | None = None,
    limit: int = CUSTOMERS_SHOWN,
) -> list[CustomerLine]:
    """The customers ``figure`` counts for a store (or one of its managers), by name.

    ``reason`` narrows the declines to those who gave it. The same definition counts them,
    so the list is as long as the figure (up to ``limit``).
    """
    _require_store(profile, store_id)
    with db.read_session() as session:
        check_profile(session, profile)
        settled = _settle(session, campaign, today, zone, now)
        current = period.resolve(settled.today, settled.first_day)
        scope = _scope(settled, current, store_id=store_id, manager_id=manager_id)
        behind = members_where(session, scope, figure, reason).subquery("behind")
        query = (
            select(
                CampaignMember.id,
                CampaignMember.uuid,
                CampaignMember.last_outcome,
                Customer.external_id,
                Customer.first_name,
                Customer.last_name,
                Customer.phone,
                Manager.name,
            )
            .join(behind, behind.c.member_id == CampaignMember.id)
            .join(Customer, Customer.id == CampaignMember.customer_id)
            .outerjoin(Manager, Manager.id == CampaignMember.manager_id)
            .order_by(
                func.lower(func.coalesce(Customer.last_name, "")),
                func.lower(func.coalesce(Customer.first_name, "")),
                CampaignMember.id,
            )
        )
        return [
            CustomerLine(
                member_id=row[0],
                member_uuid=row[1],
                customer_id=row[3],
                name=" ".join(part for part in (row[4], row[5]) if part) or "(name removed)",
                phone=row[6],
                manager=row[7],
                last_outcome=_outcome_label(row[2]),
            )
            for row in session.execute(query.limit(limit))
        ]


def _outcome_label(code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return outcome_by_code(code).label
    except UnknownOutcomeError:
        return code


# ---------------------------------------------------------------------------------------------
# JSON


def _fraction(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _interval(interval: Interval | None, digits: int = 4) -> list[float] | None:
    return None if interval is None else [round(interval.low, digits), round(interval.high, digits)]


def leaderboard_json(board: Leaderboard) -> dict[str, object]:
    """The shape ``lastmile leaderboard --json`` prints."""
    stores = []
    for row in board.stores:
        f = row.figures
        stores.append(
            {
                "store": row.store,
                "assigned": f.assigned,
                "attempted": f.attempted,
                "attempts": f.attempts,
                "reached": f.reached,
                "accepted": f.accepted,
                "won_back": f.won_back,
                "revenue_won_back": round(f.revenue_won_back_cents / 100, 2),
                "stayed_back": f.stayed_back,
                **{rate.value: _fraction(f.rates[rate].value) for rate in Rate},
                "overdue_callbacks": f.overdue_callbacks,
                "speed_to_first_call_days": None
                if f.speed_to_first_call_days is None
                else round(f.speed_to_first_call_days, 1),
                "rate_ci95": _interval(row.rate.ci95),
                "rank": row.rank,
            }
        )
    lift = board.lift
    return {
        "campaign": board.campaign,
        "period": {
            "from": board.period.first_day.isoformat(),
            "to": board.period.last_day.isoformat(),
        },
        "rate": board.rate.value,
        "stores": stores,
        "heroes": {
            "best_now": [{"store": h.store, "text": h.text} for h in board.best_now],
            "most_improved": [{"store": h.store, "text": h.text} for h in board.most_improved],
        },
        "gaps": [
            {"store": g.store, "kind": g.kind.value, "count": g.count, "text": g.text}
            for g in board.gaps
        ],
        "lift": {
            "call_return_rate": _fraction(lift.call_return_rate),
            "holdout_return_rate": _fraction(lift.holdout_return_rate),
            "call_members": lift.call_members,
            "holdout_members": lift.holdout_members,
            "points": None if lift.points is None else round(lift.points, 2),
            "ci95": _interval(lift.ci95, 2),
        },
    }
