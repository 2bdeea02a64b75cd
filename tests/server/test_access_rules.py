"""The access rules a chain's server enforces, checked without a server: every table has
one, and the do-not-call rules are the member's life's own."""

from __future__ import annotations

from lastmile_desktop.calling.life import SUPPRESSIBLE_STATUSES, status_after_release
from lastmile_desktop.campaigns.server_access import member_rules
from lastmile_desktop.storage.models import Base, MemberGroup
from lastmile_desktop.storage.server_roles import LOGINS_TABLE, store_access


def test_every_table_has_a_rule_for_stores() -> None:
    ruled = set(store_access(member_rules()))
    missing = set(Base.metadata.tables) - ruled
    assert not missing, (
        f"say what a store's login may do with {sorted(missing)} in "
        "storage/server_roles.py store_access (until then only the lead's logins see them)"
    )
    assert ruled - set(Base.metadata.tables) == {LOGINS_TABLE}


def test_the_servers_do_not_call_rules_are_the_members_life() -> None:
    rules = member_rules()
    assert rules.suppressible == tuple(SUPPRESSIBLE_STATUSES)
    for group in (MemberGroup.CALL, MemberGroup.HOLDOUT, None):
        for attempts in (0, 3):
            assert rules.release[(group, attempts > 0)] == status_after_release(group, attempts)
