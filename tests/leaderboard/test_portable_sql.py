"""The leaderboard's SQL is written once and compiles for SQLite and PostgreSQL alike.

The day arithmetic is the only part each database says in its own words; everything else is
plain SQLAlchemy Core. These compile every statement the figures need for PostgreSQL (no
server needed) and check the day arithmetic each way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import column, select
from sqlalchemy.dialects import postgresql, sqlite

from lastmile_desktop.calling.member_facts import (
    facts_from_days,
    recomputed_days,
    recomputed_facts,
    refresh_statements,
    stored_facts,
)
from lastmile_desktop.calling.store_tallies import kept_spans, span_rows
from lastmile_desktop.leaderboard.facts import (
    Figure,
    GroupBy,
    Scope,
    declines_query,
    figures_query,
    median_query,
    member_conditions,
    members_in,
    returns_query,
)
from lastmile_desktop.leaderboard.store_figures import (
    called_between,
    member_read_queries,
    tallied_declines_query,
    tallied_query,
    weekly_tallies_query,
    weekly_win_figures_query,
)
from lastmile_desktop.storage.models import CampaignMember
from lastmile_desktop.storage.sql_time import days_after, days_between, utc_day
from lastmile_desktop.storage.types import UTCDateTime

END = datetime(2026, 11, 30, tzinfo=UTC)
SCOPE = Scope(
    campaign_id=1,
    start=datetime(2026, 11, 2, tzinfo=UTC),
    end=END,
    campaign_start=datetime(2026, 11, 2, tzinfo=UTC),
    as_of=END,
    visits_due_before=date(2026, 11, 30),
    window_days=30,
)
WEEKS = [datetime(2026, 11, day, tzinfo=UTC) for day in (2, 9, 16, 23, 30)]
# Local midnights in Paris: every day a bound falls in is read from the attempts too.
PARIS_WEEKS = [week.replace(hour=23) for week in WEEKS]


def statements() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    conditions = member_conditions(SCOPE)
    for source, facts in (
        ("stored", stored_facts(conditions)),
        ("recomputed", recomputed_facts(conditions, END)),
        ("from days, to a Paris midnight", facts_from_days(conditions, PARIS_WEEKS[-1])),
    ):
        for group_by in GroupBy:
            for name, build in (
                ("figures", figures_query),
                ("median", median_query),
                ("declines", declines_query),
                ("returns", returns_query),
            ):
                found.append((f"{name} by {group_by} ({source})", build(facts, SCOPE, group_by)))
        found.extend(
            (f"behind {figure} ({source})", members_in(facts, SCOPE, figure)) for figure in Figure
        )
        found.append(
            (f"declined for a reason ({source})", members_in(facts, SCOPE, Figure.DECLINED, "x"))
        )
    found.append(("tallied", tallied_query(SCOPE, WEEKS[0].date(), END.date())))
    found.append(("tallied declines", tallied_declines_query(SCOPE, END.date())))
    reads = member_read_queries(SCOPE, WEEKS[0])
    found.extend((f"member read {i}", query) for i, query in enumerate(reads))
    found.append(("cut by an edge", called_between([(PARIS_WEEKS[0], WEEKS[1])])))
    found.append(("weekly tallies", weekly_tallies_query(SCOPE, WEEKS)))
    found.append(("weekly tallies, Paris", weekly_tallies_query(SCOPE, PARIS_WEEKS)))
    found.append(("weekly wins", weekly_win_figures_query(SCOPE, WEEKS)))
    conditions = [CampaignMember.campaign_id == 1]
    found.append(("kept spans", kept_spans(conditions)))
    days = recomputed_days(conditions).subquery()
    found.append(("recomputed spans", span_rows(days, CampaignMember.store_id, conditions)))
    refresh = refresh_statements([CampaignMember.campaign_id == 1])
    found.extend((f"refresh {index}", statement) for index, statement in enumerate(refresh))
    return found


@pytest.mark.parametrize(("name", "statement"), statements(), ids=[n for n, _ in statements()])
def test_every_statement_compiles_for_postgresql(name: str, statement: Any) -> None:
    text = str(statement.compile(dialect=postgresql.dialect()))

    assert "julianday" not in text and "date(" not in text.replace("CAST(", ""), name


def test_day_arithmetic_in_each_databases_words() -> None:
    moment = column("called_at", UTCDateTime())
    query = select(utc_day(moment), days_after(moment, 30), days_between(moment, moment))

    assert str(query.compile(dialect=sqlite.dialect())).split("\nFROM")[0] == (
        "SELECT date(called_at) AS utc_day_1, date(called_at, '+' || ? || ' days') AS "
        "days_after_1, (julianday(called_at) - julianday(called_at)) AS days_between_1"
    )
    assert str(query.compile(dialect=postgresql.dialect())).split("\nFROM")[0] == (
        "SELECT CAST(called_at AS DATE) AS utc_day_1, (CAST(called_at AS DATE) + "
        "%(param_1)s::INTEGER) AS days_after_1, (CAST(EXTRACT(EPOCH FROM (called_at - called_at)) "
        "AS DOUBLE PRECISION) / 86400.0) AS days_between_1"
    )
