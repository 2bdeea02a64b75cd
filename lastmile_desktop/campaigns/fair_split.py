"""The split rule: how a store's call group is shared between its active managers.

Counts end up as even as they can be (at most one apart when nobody already holds more than
their share), and value is spread too: candidates are ranked by value (lifetime spend, then
the most recent lapse), cut into four value bands, and every band is shared in proportion to
each manager's quota, so each manager gets within one of the same number from every band.
Inside a band the members are dealt in snake order (1, 2, 3, 3, 2, 1, ...), so nobody always
gets the first pick. Pure functions: no database, so the rule is easy to test exhaustively.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

VALUE_BANDS = 4  # quartiles


@dataclass(frozen=True)
class Candidate:
    """A call-group member waiting for (or open to) a manager."""

    member_id: int
    spend_cents: int | None
    last_purchase: date | None
    tiebreak: int  # stable and seed-independent order among equals (e.g. the draw key)
    current_manager_id: int | None = None


def value_order(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Highest value first: lifetime spend, then the most recent lapse; unknowns last."""

    def key(c: Candidate) -> tuple[int, int, int]:
        spend = -(c.spend_cents if c.spend_cents is not None else -1)
        recency = -(c.last_purchase.toordinal() if c.last_purchase is not None else 0)
        return (spend, recency, c.tiebreak)

    return sorted(candidates, key=key)


def level_quotas(count: int, manager_ids: Sequence[int], load: Mapping[int, int]) -> dict[int, int]:
    """How many of ``count`` new members each manager takes so final loads are as even as can be.

    Nobody gives members up here (that is what a rebalance is for): a manager already above
    the level simply takes none. Extra members at the top level go in ``manager_ids`` order.
    """
    if not manager_ids:
        raise ValueError("no managers to share between")
    loads = {m: load.get(m, 0) for m in manager_ids}
    # The highest level every manager can be raised to with the members available.
    ordered = sorted(loads.values())
    level, used = ordered[0], 0
    for index, next_load in enumerate([*ordered[1:], None]):
        below = index + 1  # managers whose load is <= level
        room = count - used
        if next_load is None or (next_load - level) * below > room:
            level += room // below
            used += (room // below) * below
            break
        used += (next_load - level) * below
        level = next_load
    quotas = {m: max(0, level - loads[m]) for m in manager_ids}
    extra = count - sum(quotas.values())
    for m in manager_ids:
        if extra == 0:
            break
        if loads[m] + quotas[m] == level:
            quotas[m] += 1
            extra -= 1
    return quotas


def band_sizes(count: int, bands: int = VALUE_BANDS) -> list[int]:
    """Sizes of ``bands`` contiguous value bands, at most one apart, larger first."""
    base, extra = divmod(count, bands)
    return [base + (1 if index < extra else 0) for index in range(bands)]


def band_quotas(quotas: Mapping[int, int], sizes: Sequence[int]) -> list[dict[int, int]]:
    """Share each band between managers in proportion to their quotas.

    Cumulative apportionment: after each band, a manager's running total is the floor or the
    ceiling of their exact proportional share, so every band is within one of its fair share
    and the totals come out exactly at the quotas.
    """
    total = sum(sizes)
    if sum(quotas.values()) != total:
        raise ValueError("quotas must add up to the number of members")
    managers = list(quotas)
    given = dict.fromkeys(managers, 0)
    result: list[dict[int, int]] = []
    running = 0
    for size in sizes:
        running += size
        # Exact share so far as a fraction numerator / total.
        numerators = {m: quotas[m] * running for m in managers}
        targets = {m: max(given[m], numerators[m] // total) if total else 0 for m in managers}
        remainder = running - sum(targets.values())
        # Whoever is furthest below their exact share gets the odd members first.
        by_shortfall = sorted(
            managers,
            key=lambda m: (-(numerators[m] - targets[m] * total), targets[m] - given[m]),
        )
        for m in by_shortfall:
            if remainder <= 0:
                break
            if targets[m] < quotas[m]:
                targets[m] += 1
                remainder -= 1
        result.append({m: targets[m] - given[m] for m in managers})
        given = targets
    return result


def split_fairly(
    candidates: Sequence[Candidate],
    manager_ids: Sequence[int],
    load: Mapping[int, int] | None = None,
) -> dict[int, int]:
    """Member id -> manager id for every candidate.

    ``load`` is the open work each manager already holds that is not being shared out now.
    A candidate whose current manager still has room in the candidate's value band keeps
    that manager, so a rebalance moves only the members it must.
    """
    if not candidates:
        return {}
    ranked = value_order(candidates)
    quotas = level_quotas(len(ranked), manager_ids, load or {})
    sizes = band_sizes(len(ranked))
    assignment: dict[int, int] = {}
    spend_given = dict.fromkeys(manager_ids, 0)
    start = 0
    for size, band_room in zip(sizes, band_quotas(quotas, sizes), strict=True):
        band = ranked[start : start + size]
        start += size
        room = dict(band_room)
        waiting: list[Candidate] = []
        for candidate in band:
            current = candidate.current_manager_id
            if current is not None and room.get(current, 0) > 0:
                assignment[candidate.member_id] = current
                room[current] -= 1
                spend_given[current] += candidate.spend_cents or 0
            else:
                waiting.append(candidate)
        # Whoever holds the least value so far picks first in this band.
        order = sorted(manager_ids, key=lambda m: (spend_given[m], manager_ids.index(m)))
        for candidate, manager_id in zip(waiting, _snake(order, room), strict=True):
            assignment[candidate.member_id] = manager_id
            spend_given[manager_id] += candidate.spend_cents or 0
    return assignment


def _snake(order: Sequence[int], room: dict[int, int]) -> list[int]:
    """Managers in snake order (forward, then back), each as often as they have room."""
    picks: list[int] = []
    remaining = sum(room.values())
    forward = True
    while remaining > 0:
        for manager_id in order if forward else reversed(order):
            if room[manager_id] > 0:
                picks.append(manager_id)
                room[manager_id] -= 1
                remaining -= 1
        forward = not forward
    return picks
