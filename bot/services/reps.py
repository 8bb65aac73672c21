"""Keep each rep's name and time zone fresh from Slack, at most once a day."""

from __future__ import annotations

import datetime as dt
import logging

from slack_sdk.errors import SlackApiError

from bot.core.model import Rep
from bot.core.reps import needs_refresh, rep_from_profile
from bot.db import repository as repo
from bot.deps import Deps

log = logging.getLogger(__name__)


def ensure_rep(deps: Deps, team_id: str, user_id: str, now: dt.datetime) -> Rep:
    with deps.db.transaction() as session:
        known = repo.get_rep(session, team_id, user_id)
    if not needs_refresh(known, now):
        assert known is not None
        return known
    try:
        user = deps.slack.users_info(user=user_id)["user"]
    except (SlackApiError, OSError) as error:
        # Slack being unreachable must not stop a rep logging a touch: use what we have.
        # (A refused or timed-out connection surfaces as an OSError such as URLError.)
        reason = error.response.get("error") if isinstance(error, SlackApiError) else error
        log.warning("users.info failed for a rep: %s", reason)
        return known or Rep(team_id=team_id, user_id=user_id, display_name="")
    fresh = rep_from_profile(team_id, user, known, now)
    with deps.db.transaction(write=True) as session:
        repo.save_rep(session, fresh)
    return fresh
