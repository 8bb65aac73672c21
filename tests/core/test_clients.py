"""Who may change a client, on plain values."""

from __future__ import annotations

import datetime as dt

from bot.core.clients import is_admin, may_edit
from bot.core.model import Client, Rep, Tier

ACME = Client(1, "T1", "Acme Insurance Group", ("AIG",), "U0SAM", Tier.A, dt.date(2024, 3, 14))


def rep(user_id: str, *, slack_admin: bool = False) -> Rep:
    return Rep("T1", user_id, user_id.lower(), is_admin=slack_admin)


# Who may change a client


def test_only_the_owner_or_an_admin_may_change_a_client() -> None:
    assert may_edit(ACME, "U0SAM", admin=False)
    assert not may_edit(ACME, "U0PRIYA", admin=False)
    assert may_edit(ACME, "U0PRIYA", admin=True)
    unowned = Client(2, "T1", "Handed Back Co")
    assert not may_edit(unowned, "U0SAM", admin=False)
    assert may_edit(unowned, "U0SAM", admin=True)


def test_admins_are_listed_in_the_settings_or_slack_admins() -> None:
    assert is_admin(rep("U0BOSS"), frozenset({"U0BOSS"}))
    assert is_admin(rep("U0OWNER", slack_admin=True), frozenset())
    assert not is_admin(rep("U0SAM"), frozenset({"U0BOSS"}))
