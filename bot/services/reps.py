"""Keep each rep's name, time zone and presence fresh from Slack, at most once a day, and as
soon as Slack tells us of a change (the user_change event)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core.model import Rep
from bot.core.reps import needs_refresh, rep_from_profile
from bot.db import repository as repo
from bot.deps import Deps

log = logging.getLogger(__name__)


def ensure_rep(deps: Deps, team_id: str, user_id: str, now: dt.datetime) -> Rep:
    with deps.db.statements() as session:
        known = repo.get_rep(session, team_id, user_id)
    return fresh_rep(deps, team_id, user_id, known, now)


def fresh_rep(deps: Deps, team_id: str, user_id: str, known: Rep | None, now: dt.datetime) -> Rep:
    """The rep as read (`known`), or refreshed from Slack when it is due."""
    if not needs_refresh(known, now):
        assert known is not None
        return known
    try:
        user = deps.slack_for(team_id).users_info(user=user_id)["user"]
    except (SlackApiError, OSError) as error:
        reason = error.response.get("error") if isinstance(error, SlackApiError) else error
        if reason == "user_not_found":
            # Slack doesn't know them (any more): gone, like a deleted account, until the next
            # daily refresh says otherwise. Their clients wait for a new owner.
            fresh = dataclasses.replace(
                known or Rep(team_id=team_id, user_id=user_id, display_name=""),
                active=False,
                profile_refreshed_at=now,
            )
        else:
            # Slack being unreachable must not stop a rep logging a touch: use what we have.
            # (A refused or timed-out connection surfaces as an OSError such as URLError.)
            log.warning("users.info failed for a rep: %s", reason)
            return known or Rep(team_id=team_id, user_id=user_id, display_name="")
    else:
        fresh = rep_from_profile(team_id, user, known, now)
    with deps.db.transaction(write=True) as session:
        repo.save_rep(session, fresh)
    _say_if_gone_or_back(known, fresh)
    return fresh


def profile_changed(deps: Deps, team_id: str, user: Mapping[str, Any], now: dt.datetime) -> None:
    """Slack's user_change event: a rep's new profile, their leaving (`deleted`) included.
    Someone who isn't a rep is none of our business, and nothing is stored about them."""
    with deps.db.transaction() as session:
        known = repo.get_rep(session, team_id, str(user.get("id", "")))
    if known is None:
        return
    fresh = rep_from_profile(team_id, user, known, now)
    with deps.db.transaction(write=True) as session:
        repo.save_rep(session, fresh)
    _say_if_gone_or_back(known, fresh)


def _say_if_gone_or_back(known: Rep | None, fresh: Rep) -> None:
    was_active = known is None or known.active
    if was_active and not fresh.active:
        log.info("Slack says rep %s has left; their clients wait for a new owner", fresh.user_id)
    elif not was_active and fresh.active:
        log.info("Slack shows rep %s active again", fresh.user_id)
