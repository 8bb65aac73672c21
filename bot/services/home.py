"""Publish a rep's App Home: when they open it, and right after they change something from it.

The home is published again every time the rep opens the tab (app_home_opened), so a change
made elsewhere, a `/touch` in a channel say, shows the next time they look.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.core.clients import is_admin
from bot.core.home import Home, book, week_start
from bot.core.model import Rep
from bot.db import repository as repo
from bot.deps import Deps
from bot.services import conversation
from bot.services.owners import unowned
from bot.services.reps import ensure_rep
from bot.ui.home import MAX_ROWS, home_view


def view_for(deps: Deps, rep: Rep) -> dict[str, Any]:
    """The rep's home as of now: their book, their week, and for admins the clients that need
    a new owner: those whose owner left Slack, and those handed back."""
    now = deps.clock()
    tz = ZoneInfo(rep.tz)
    today = now.astimezone(tz).date()
    with deps.db.transaction() as session:
        settings = repo.workspace_settings(session, rep.team_id)
        admin = is_admin(rep, settings.effective_admins(deps.settings.defaults))
        activities = repo.client_activity(session, rep.team_id, now, owners=[rep.user_id])
        snoozed = repo.rep_snoozes(session, rep.team_id, rep.user_id, today)
        week = repo.rep_week(session, rep.team_id, rep.user_id, week_start(now, tz), now)
        handed_back = repo.handed_back_clients(session, rep.team_id) if admin else []
        waiting = unowned(session, rep.team_id) if admin else ()
    rows = book(rep.user_id, activities, settings, snoozed, now=now, today=today, tz=tz)
    # What they last talked about, for the rows that ask for a touch and can be shown.
    needing = [row.item for row in rows if row.item is not None][:MAX_ROWS]
    with deps.db.transaction() as session:
        talks = conversation.read(session, rep.team_id, needing, now)
    recalls = conversation.recalls(talks, needing, rep.user_id, settings, tz)
    calendar = deps.settings.public_url is not None
    return home_view(
        Home(rows, week, tuple(handed_back), waiting, recalls, calendar, admin),
        today=today,
        tz=tz,
    )


def publish(deps: Deps, team_id: str, user_id: str) -> None:
    """Publish the rep's home. Raises what the database or Slack raise: the Slack listeners'
    guard turns that into a log line, and into words where the rep should hear of it."""
    rep = ensure_rep(deps, team_id, user_id, deps.clock())
    deps.slack_for(team_id).views_publish(user_id=user_id, view=view_for(deps, rep))
